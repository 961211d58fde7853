//! The VPC: subnets, and the private IP addresses that instances and `awsvpc` tasks take
//! from them. A subnet of prefix `/n` has `2^(32−n)` addresses, of which AWS reserves
//! five (the network address, the VPC router, DNS, one for future use, and the last), so
//! a `/28` holds 11 usable addresses and runs out quickly (VPC user guide, "Subnet
//! CIDR blocks").

use serde::Serialize;
use std::collections::BTreeMap;

/// Addresses AWS reserves in every subnet.
pub const RESERVED_PER_SUBNET: u32 = 5;

/// An IPv4 CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Cidr {
    /// Network address.
    pub base: u32,
    /// Prefix length.
    pub prefix: u8,
}

impl Cidr {
    /// Parses `10.0.1.0/24`; the address must be the network address.
    pub fn parse(s: &str) -> Option<Cidr> {
        let (ip, prefix) = s.split_once('/')?;
        let prefix: u8 = prefix.parse().ok()?;
        if prefix > 32 {
            return None;
        }
        let base = parse_ip(ip)?;
        let cidr = Cidr { base, prefix };
        (base & cidr.mask() == base).then_some(cidr)
    }

    fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    /// Number of addresses.
    pub fn size(self) -> u64 {
        1u64 << (32 - self.prefix)
    }

    /// Whether `other` lies inside this block.
    pub fn contains(self, other: Cidr) -> bool {
        other.prefix >= self.prefix && other.base & self.mask() == self.base
    }

    /// Whether the two blocks share any address.
    pub fn overlaps(self, other: Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", format_ip(self.base), self.prefix)
    }
}

/// `10.0.1.7` → u32.
pub fn parse_ip(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v: u32 = 0;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let o: u32 = p.parse().ok()?;
        if o > 255 {
            return None;
        }
        v = (v << 8) | o;
    }
    Some(v)
}

/// u32 → `10.0.1.7`.
pub fn format_ip(v: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        v >> 24,
        (v >> 16) & 0xff,
        (v >> 8) & 0xff,
        v & 0xff
    )
}

/// A subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subnet {
    /// `subnet-` and 17 hex digits.
    pub id: String,
    /// Address block.
    pub cidr: Cidr,
    /// Availability zone.
    pub zone: String,
    /// Addresses in use → what uses them (a task id or an instance id).
    pub used: BTreeMap<u32, String>,
}

impl Subnet {
    /// Usable addresses in total.
    pub fn capacity(&self) -> u64 {
        self.cidr
            .size()
            .saturating_sub(u64::from(RESERVED_PER_SUBNET))
    }

    /// Addresses still free (`AvailableIpAddressCount`).
    pub fn available(&self) -> u64 {
        self.capacity().saturating_sub(self.used.len() as u64)
    }

    /// The lowest free usable address (the first four and the last are reserved).
    pub fn next_free(&self) -> Option<u32> {
        let first = self.cidr.base + 4;
        let last = self.cidr.base + (self.cidr.size() as u32).wrapping_sub(2);
        (first..=last).find(|ip| !self.used.contains_key(ip))
    }
}

/// The VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vpc {
    /// `vpc-` and 17 hex digits.
    pub id: String,
    /// Address block.
    pub cidr: Cidr,
    /// Subnets by id.
    pub subnets: BTreeMap<String, Subnet>,
    /// The default security group.
    pub default_security_group: String,
}

/// A stable AWS-style id (`subnet-0a1b…`, 17 hex digits) derived from what the resource
/// is, so ids do not depend on the order things were created in.
pub fn stable_id(prefix: &str, seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(seed.as_bytes());
    let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-0{}", &hex[..16])
}

impl Default for Vpc {
    /// The account's default VPC: `172.31.0.0/16` with a `/20` subnet in each of three
    /// availability zones, as AWS creates it.
    fn default() -> Self {
        let cidr = Cidr::parse("172.31.0.0/16").expect("valid CIDR");
        let mut vpc = Vpc {
            id: stable_id("vpc", "default"),
            cidr,
            subnets: BTreeMap::new(),
            default_security_group: stable_id("sg", "default"),
        };
        for (block, zone) in [
            ("172.31.0.0/20", "us-east-1a"),
            ("172.31.16.0/20", "us-east-1b"),
            ("172.31.32.0/20", "us-east-1c"),
        ] {
            let cidr = Cidr::parse(block).expect("valid CIDR");
            let id = stable_id("subnet", block);
            vpc.subnets.insert(
                id.clone(),
                Subnet {
                    id,
                    cidr,
                    zone: zone.to_string(),
                    used: BTreeMap::new(),
                },
            );
        }
        vpc
    }
}

impl Vpc {
    /// The default subnets, in zone order.
    pub fn default_subnets(&self) -> Vec<String> {
        let mut v: Vec<&Subnet> = self.subnets.values().collect();
        v.sort_by(|a, b| a.zone.cmp(&b.zone).then(a.cidr.cmp(&b.cidr)));
        v.into_iter().map(|s| s.id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slash_28_has_eleven_usable_addresses() {
        let s = Subnet {
            id: "s".into(),
            cidr: Cidr::parse("10.0.9.0/28").unwrap(),
            zone: "us-east-1a".into(),
            used: BTreeMap::new(),
        };
        assert_eq!(s.capacity(), 11);
        assert_eq!(s.next_free().map(format_ip), Some("10.0.9.4".into()));
    }

    #[test]
    fn cidrs_parse_and_nest() {
        let vpc = Cidr::parse("172.31.0.0/16").unwrap();
        assert!(vpc.contains(Cidr::parse("172.31.48.0/24").unwrap()));
        assert!(!vpc.contains(Cidr::parse("10.0.0.0/24").unwrap()));
        assert_eq!(Cidr::parse("172.31.0.1/16"), None);
        assert_eq!(Cidr::parse("300.0.0.0/8"), None);
        assert_eq!(Cidr::parse("1.2.3.0/33"), None);
        assert!(
            Cidr::parse("172.31.0.0/20")
                .unwrap()
                .overlaps(Cidr::parse("172.31.15.0/24").unwrap())
        );
    }

    #[test]
    fn default_vpc_ids_are_stable() {
        assert_eq!(Vpc::default(), Vpc::default());
        assert_eq!(Vpc::default().default_subnets().len(), 3);
    }
}
