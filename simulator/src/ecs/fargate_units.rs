//! Task-level `cpu` and `memory` strings: CPU units or vCPUs (`"256"`, `"1 vCPU"`,
//! `".25 vcpu"`), memory MiB or GB (`"512"`, `"1 GB"`, `"2gb"`), as the API accepts them.

/// CPU units from a task-level `cpu` string.
pub fn cpu(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(v) = t.strip_suffix("vcpu") {
        let milli = crate::load::parse_milli(v.trim())?;
        return Some((milli as u64 * 1024) / 1000);
    }
    t.parse().ok()
}

/// Memory MiB from a task-level `memory` string.
pub fn memory(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(v) = t.strip_suffix("gb") {
        let milli = crate::load::parse_milli(v.trim())?;
        return Some((milli as u64 * 1024) / 1000);
    }
    t.parse().ok()
}
