//! Task-level `cpu` and `memory` strings: CPU units or vCPUs (`"256"`, `"1 vCPU"`,
//! `".25 vcpu"`), memory MiB or GB (`"512"`, `"1 GB"`, `"2gb"`), as the API accepts them.
//!
//! The ECS API reference (`RegisterTaskDefinition`, `cpu` and `memory`): "It can be
//! expressed as an integer using CPU units (for example, `1024`) or as a string using
//! vCPUs (for example, `1 vCPU` or `1 vcpu`)"; memory "as an integer using MiB (for
//! example, `1024`) or as a string using GB (for example, `1GB` or `1 GB`). String values
//! are converted to an integer … when the task definition is registered." 1 vCPU is 1024
//! units and 1 GB is 1024 MiB; fractions are truncated to whole units.

/// CPU units from a task-level `cpu` string (`None` if it is not a number of units or
/// vCPUs, or does not fit).
pub fn cpu(s: &str) -> Option<u64> {
    scaled(s, "vcpu")
}

/// Memory MiB from a task-level `memory` string (`None` if it is not a number of MiB or
/// GB, or does not fit).
pub fn memory(s: &str) -> Option<u64> {
    scaled(s, "gb")
}

/// A plain integer, or a decimal with `suffix` (case-insensitive) meaning × 1024.
fn scaled(s: &str, suffix: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(v) = t.strip_suffix(suffix) {
        let milli = u64::try_from(crate::load::parse_milli(v.trim())?).ok()?;
        return Some(milli.checked_mul(1024)? / 1000);
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_units_and_vcpus() {
        assert_eq!(cpu("256"), Some(256));
        assert_eq!(cpu(" 1024 "), Some(1024));
        assert_eq!(cpu("1 vCPU"), Some(1024));
        assert_eq!(cpu("1vcpu"), Some(1024));
        assert_eq!(cpu(".25 vcpu"), Some(256));
        assert_eq!(cpu("0.5 VCPU"), Some(512));
        assert_eq!(cpu("16 vCPU"), Some(16384));
        assert_eq!(cpu(""), None);
        assert_eq!(cpu("-1"), None);
        assert_eq!(cpu("+256"), None);
        assert_eq!(cpu("1.5"), None);
        assert_eq!(cpu("one vCPU"), None);
        assert_eq!(cpu("vcpu"), None);
        assert_eq!(cpu("99999999999999999999"), None);
        assert_eq!(cpu("9999999999999999 vcpu"), None);
    }

    #[test]
    fn memory_mib_and_gb() {
        assert_eq!(memory("512"), Some(512));
        assert_eq!(memory("1 GB"), Some(1024));
        assert_eq!(memory("1GB"), Some(1024));
        assert_eq!(memory("2gb"), Some(2048));
        assert_eq!(memory("0.5 GB"), Some(512));
        assert_eq!(memory("120 GB"), Some(122_880));
        assert_eq!(memory("1 GiB"), None);
        assert_eq!(memory("lots"), None);
        assert_eq!(memory(""), None);
    }
}
