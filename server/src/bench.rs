//! `shipshape bench scheduler`: times the simulator's scheduler on upstream
//! scheduler_perf's `SchedulingBasic` workload (the driver, with the node and pod templates,
//! is `simulator::scheduler::bench`; the clock lives here because the simulator has none).
//!
//! `shipshape bench timeline`: builds a timeline from a realistic learner session
//! (`simulator::timeline::workload`) and times random seeks on it.
//!
//! `shipshape bench workshop` ([`workshop`]): a class of students posting progress to a
//! real server while an instructor's dashboard stream is open.

pub mod workshop;

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

/// What `shipshape bench timeline` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineOptions {
    /// Minimum number of events on the timeline.
    pub events: usize,
    /// Random seeks to time.
    pub seeks: usize,
    /// Seed for the seek targets (the simulation keeps its scenario's seed).
    pub seed: u64,
    /// Checkpoint after this many commands.
    pub interval: usize,
    /// Checkpoint after this many events.
    pub event_interval: usize,
}

/// A finished `shipshape bench timeline`.
#[derive(Debug, Clone)]
pub struct TimelineReport {
    /// The options it ran with.
    pub options: TimelineOptions,
    /// Commands on the timeline.
    pub commands: usize,
    /// Events on the timeline.
    pub events: u64,
    /// Commands of the workload that failed (and so are not on the timeline).
    pub failed: usize,
    /// Checkpoints held, the start included.
    pub checkpoints: usize,
    /// Events held by the checkpoints and the current state together.
    pub events_held: u64,
    /// Estimated bytes held by the checkpoints (world and log, as JSON).
    pub memory_estimate: u64,
    /// Time to build the timeline.
    pub build: Duration,
    /// Every seek's duration, sorted ascending.
    pub seek_times: Vec<Duration>,
    /// The process's peak resident memory in bytes (Linux `VmHWM`), if known.
    pub peak_memory: Option<u64>,
}

/// The seek time below which a scrubber feels immediate (the timeline's budget).
pub const SEEK_BUDGET: Duration = Duration::from_millis(50);

impl TimelineReport {
    /// The `q`-quantile (0..=1) of seek times, nearest rank; zero with no seeks.
    pub fn seek_quantile(&self, q: f64) -> Duration {
        quantile(&self.seek_times, q)
    }

    /// The lines `shipshape bench timeline` prints.
    pub fn text(&self) -> String {
        let o = &self.options;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mut out = format!(
            "workload: a learner session (nodes, deployments, scaling, HPA with sim traffic, sim advance), seek seed {}\n",
            o.seed
        );
        out.push_str(&format!(
            "timeline: {} commands, {} events, built in {:.2}s{}\n",
            self.commands,
            self.events,
            self.build.as_secs_f64(),
            if self.failed > 0 {
                format!(" ({} workload commands failed)", self.failed)
            } else {
                String::new()
            }
        ));
        out.push_str(&format!(
            "checkpoints: {} (every {} commands or {} events), holding {} events; about {} MB\n",
            self.checkpoints,
            o.interval,
            o.event_interval,
            self.events_held,
            self.memory_estimate.div_ceil(1_000_000)
        ));
        let max = self.seek_times.last().copied().unwrap_or_default();
        out.push_str(&format!(
            "{} random seeks: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (budget {} ms: {})\n",
            self.seek_times.len(),
            ms(self.seek_quantile(0.5)),
            ms(self.seek_quantile(0.99)),
            ms(max),
            SEEK_BUDGET.as_millis(),
            if max <= SEEK_BUDGET { "met" } else { "MISSED" }
        ));
        match self.peak_memory {
            Some(bytes) => out.push_str(&format!("peak memory: {} MB\n", bytes / 1_000_000)),
            None => out.push_str("peak memory: unknown (no /proc/self/status VmHWM)\n"),
        }
        out
    }
}

/// The `q`-quantile (0..=1) of durations sorted ascending, nearest rank; zero if empty.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Builds the timeline, then times `seeks` seeks to seeded random positions.
pub fn timeline(options: TimelineOptions) -> TimelineReport {
    use simulator::timeline::workload::Workload;
    use simulator::{SimRng, Simulation, Timeline};

    let workload = Workload;
    let start = Instant::now();
    let mut tl = Timeline::new(Simulation::new(&workload.scenario()), options.interval)
        .with_event_interval(options.event_interval);
    let failed = workload.fill(&mut tl, options.events).len();
    let build = start.elapsed();

    let mut rng = SimRng::seeded(options.seed);
    let mut seek_times = Vec::with_capacity(options.seeks);
    for _ in 0..options.seeks {
        let pos = rng.below(tl.len() as u64 + 1) as usize;
        let start = Instant::now();
        std::hint::black_box(tl.seek(pos));
        seek_times.push(start.elapsed());
    }
    seek_times.sort();

    let end = tl.marks().last().map_or(0, |m| m.events);
    TimelineReport {
        options,
        commands: tl.len(),
        events: end,
        failed,
        checkpoints: tl.checkpoint_count(),
        events_held: tl.events_held(),
        memory_estimate: checkpoint_bytes(&tl),
        build,
        seek_times,
        peak_memory: peak_memory(),
    }
}

/// Serialised size of each checkpoint's world and log: a proxy for what they hold in memory.
fn checkpoint_bytes(tl: &simulator::Timeline) -> u64 {
    let last = tl.current();
    let world = serde_json::to_vec(last.state()).map_or(0, |v| v.len() as u64);
    let log = last.log().to_jsonl().len() as u64;
    let per_event = log / (last.log().len() as u64).max(1);
    world * tl.checkpoint_count() as u64 + per_event * tl.events_held()
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
    fn a_small_timeline_run_reports_seeks() {
        let report = timeline(TimelineOptions {
            events: 500,
            seeks: 20,
            seed: 3,
            interval: simulator::timeline::DEFAULT_INTERVAL,
            event_interval: simulator::timeline::DEFAULT_EVENT_INTERVAL,
        });
        assert!(report.events >= 500, "{}", report.events);
        assert_eq!(report.failed, 0);
        assert_eq!(report.seek_times.len(), 20);
        assert!(report.seek_quantile(0.5) <= report.seek_quantile(0.99));
        let text = report.text();
        assert!(text.contains("20 random seeks: p50 "), "{text}");
        assert!(text.contains("checkpoints: "), "{text}");
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
