//! `shipshape bench scheduler`: times the simulator's scheduler on upstream
//! scheduler_perf's `SchedulingBasic` workload (the driver, with the node and pod templates,
//! is `simulator::scheduler::bench`; the clock lives here because the simulator has none).

use std::time::{Duration, Instant};

use simulator::scheduler::bench::{SchedulerBench, Summary, UPSTREAM_THRESHOLD_5000_NODES};

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Nodes in the cluster.
    pub nodes: usize,
    /// Pods scheduled before the clock starts (upstream's `initPods`).
    pub init_pods: usize,
    /// Pods scheduled while timed (upstream's `measurePods`).
    pub pods: usize,
    /// Seed for tie-breaking.
    pub seed: u64,
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The options it ran with.
    pub options: Options,
    /// Time spent scheduling the measured pods.
    pub elapsed: Duration,
    /// Pods bound during the measured phase.
    pub measured_bound: usize,
    /// Counts and spread at the end.
    pub summary: Summary,
    /// The process's peak resident memory in bytes (Linux `VmHWM`), if known.
    pub peak_memory: Option<u64>,
}

impl Report {
    /// Measured pods per second.
    pub fn pods_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.options.pods as f64 / secs
        } else {
            f64::INFINITY
        }
    }

    /// The lines `shipshape bench scheduler` prints.
    pub fn text(&self) -> String {
        let o = &self.options;
        let s = &self.summary;
        let mut out = format!(
            "workload: SchedulingBasic ({} nodes of 4 cpu / 32Gi / 110 pods; pods request 100m cpu / 500Mi), {} init pods, seed {}\n",
            o.nodes, o.init_pods, o.seed
        );
        out.push_str(&format!(
            "scheduled {} pods on {} nodes in {:.2}s: {:.0} pods/s\n",
            o.pods,
            o.nodes,
            self.elapsed.as_secs_f64(),
            self.pods_per_second()
        ));
        if self.measured_bound != o.pods {
            out.push_str(&format!(
                "unschedulable: {} of the measured pods did not fit\n",
                o.pods - self.measured_bound
            ));
        }
        let cycles = s.cycles.max(1);
        out.push_str(&format!(
            "per cycle: {} nodes filtered, {} scored on average; pods per node {}..{} over {} nodes used\n",
            s.nodes_filtered / cycles,
            s.nodes_scored / cycles,
            s.min_pods_per_node,
            s.max_pods_per_node,
            s.nodes_used
        ));
        match self.peak_memory {
            Some(bytes) => out.push_str(&format!("peak memory: {} MB\n", bytes / 1_000_000)),
            None => out.push_str("peak memory: unknown (no /proc/self/status VmHWM)\n"),
        }
        out.push_str(&format!(
            "upstream kube-scheduler CI threshold for SchedulingBasic 5000 nodes: {UPSTREAM_THRESHOLD_5000_NODES} pods/s\n"
        ));
        out
    }
}

/// Builds the cluster, schedules the init pods, then times the measured ones.
pub fn scheduler(options: Options) -> Report {
    let mut bench = SchedulerBench::new(options.nodes, options.seed);
    bench.run(options.init_pods);
    let start = Instant::now();
    let measured_bound = bench.run(options.pods);
    let elapsed = start.elapsed();
    Report {
        options,
        elapsed,
        measured_bound,
        summary: bench.summary(),
        peak_memory: peak_memory(),
    }
}

/// `VmHWM` (peak resident set size) from `/proc/self/status`, in bytes.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_parses() {
        let status = "Name:\tshipshape\nVmPeak:\t  300000 kB\nVmHWM:\t   51200 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(51200 * 1024));
        assert_eq!(parse_vm_hwm("Name: x\n"), None);
    }

    #[test]
    fn a_small_run_reports_throughput() {
        let report = scheduler(Options {
            nodes: 10,
            init_pods: 5,
            pods: 20,
            seed: 1,
        });
        assert_eq!(report.measured_bound, 20);
        let text = report.text();
        assert!(text.contains("scheduled 20 pods on 10 nodes in "), "{text}");
        assert!(text.contains(" pods/s\n"), "{text}");
        assert!(text.contains("peak memory: "), "{text}");
        assert!(
            text.contains(
                "upstream kube-scheduler CI threshold for SchedulingBasic 5000 nodes: 810 pods/s"
            ),
            "{text}"
        );
    }
}
