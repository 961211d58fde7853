//! Fargate's task sizes (ECS developer guide, `AWS_Fargate.md`, "Task CPU and memory"):
//! each CPU value allows a fixed set of memory values. 8192 and 16384 CPU units need
//! platform version 1.4.0 or later, which the simulator always uses.

/// Valid memory values (MiB) for a task of `cpu_units`, or empty for an invalid CPU.
pub fn valid_memory(cpu_units: u64) -> Vec<u64> {
    const GB: u64 = 1024;
    let range = |from: u64, to: u64, step: u64| {
        (from..=to).step_by(step as usize).map(|g| g * GB).collect()
    };
    match cpu_units {
        256 => vec![512, GB, 2 * GB],
        512 => range(1, 4, 1),
        1024 => range(2, 8, 1),
        2048 => range(4, 16, 1),
        4096 => range(8, 30, 1),
        8192 => range(16, 60, 4),
        16384 => range(32, 120, 8),
        _ => Vec::new(),
    }
}

/// Whether `cpu_units`/`memory_mib` is a Fargate task size.
pub fn is_valid(cpu_units: u64, memory_mib: u64) -> bool {
    valid_memory(cpu_units).contains(&memory_mib)
}

/// The smallest Fargate size that fits a request (used for EKS pods on Fargate, which
/// are rounded up to the next size, plus 256 MiB for the Kubernetes components).
pub fn round_up(cpu_units: u64, memory_mib: u64) -> Option<(u64, u64)> {
    [256, 512, 1024, 2048, 4096, 8192, 16384]
        .into_iter()
        .filter(|c| *c >= cpu_units)
        .find_map(|c| {
            valid_memory(c)
                .into_iter()
                .find(|m| *m >= memory_mib)
                .map(|m| (c, m))
        })
}
