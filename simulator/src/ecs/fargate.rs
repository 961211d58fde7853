//! Fargate's task sizes (ECS developer guide, `AWS_Fargate.md`, "Task CPU and memory";
//! the same table is in the API reference for `RegisterTaskDefinition` `cpu`): each CPU
//! value allows a fixed set of memory values.
//!
//! | CPU units | memory |
//! |---|---|
//! | 256 | 512 MiB, 1 GB, 2 GB |
//! | 512 | 1–4 GB in 1 GB steps |
//! | 1024 | 2–8 GB in 1 GB steps |
//! | 2048 | 4–16 GB in 1 GB steps |
//! | 4096 | 8–30 GB in 1 GB steps |
//! | 8192 | 16–60 GB in 4 GB steps |
//! | 16384 | 32–120 GB in 8 GB steps |
//!
//! 8192 and 16384 CPU units need Linux platform version 1.4.0 or later, which the
//! simulator always uses.

/// The CPU units Fargate offers, smallest first.
pub const VALID_CPU: [u64; 7] = [256, 512, 1024, 2048, 4096, 8192, 16384];

/// Valid memory values (MiB) for a task of `cpu_units`, ascending, or empty for a CPU
/// value Fargate does not offer.
pub fn valid_memory(cpu_units: u64) -> Vec<u64> {
    const GB: u64 = 1024;
    // `from..=to` GB in `step` GB increments.
    let range =
        |from: u64, to: u64, step: usize| (from..=to).step_by(step).map(|g| g * GB).collect();
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
    VALID_CPU
        .into_iter()
        .filter(|c| *c >= cpu_units)
        .find_map(|c| {
            valid_memory(c)
                .into_iter()
                .find(|m| *m >= memory_mib)
                .map(|m| (c, m))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        assert_eq!(valid_memory(256), vec![512, 1024, 2048]);
        assert_eq!(valid_memory(512), vec![1024, 2048, 3072, 4096]);
        assert_eq!(valid_memory(1024).len(), 7);
        assert_eq!(valid_memory(2048).first(), Some(&4096));
        assert_eq!(valid_memory(2048).last(), Some(&16384));
        assert_eq!(valid_memory(2048).len(), 13);
        assert_eq!(valid_memory(4096).len(), 23);
        assert_eq!(
            valid_memory(8192),
            (16..=60).step_by(4).map(|g| g * 1024).collect::<Vec<_>>()
        );
        assert_eq!(valid_memory(8192).len(), 12);
        assert_eq!(valid_memory(16384).first(), Some(&32768));
        assert_eq!(valid_memory(16384).last(), Some(&122_880));
        for bad in [0, 128, 255, 257, 768, 3072, 32768] {
            assert!(valid_memory(bad).is_empty(), "{bad}");
        }
        for c in VALID_CPU {
            let m = valid_memory(c);
            assert!(!m.is_empty());
            assert!(m.windows(2).all(|w| w[0] < w[1]), "{c}: ascending");
        }
    }

    #[test]
    fn validity() {
        assert!(is_valid(256, 512));
        assert!(!is_valid(256, 4096));
        assert!(!is_valid(512, 512));
        assert!(is_valid(4096, 30720));
        assert!(!is_valid(4096, 31744));
        assert!(is_valid(8192, 20480));
        assert!(!is_valid(8192, 17408));
    }

    #[test]
    fn rounding_up() {
        assert_eq!(round_up(0, 0), Some((256, 512)));
        assert_eq!(round_up(250, 600), Some((256, 1024)));
        assert_eq!(round_up(256, 3000), Some((512, 3072)));
        assert_eq!(round_up(2000, 1000), Some((2048, 4096)));
        assert_eq!(round_up(16384, 122_880), Some((16384, 122_880)));
        assert_eq!(round_up(16385, 1), None);
        assert_eq!(round_up(1, 122_881), None);
    }
}
