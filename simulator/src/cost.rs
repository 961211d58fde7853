//! The cloud's meter: prices as data, and what each billable resource has cost so far.
//!
//! A resource (a Fargate task, an EC2 instance, an EKS control plane, a load balancer)
//! starts billing at an instant with an hourly rate and stops at another. Its cost at any
//! time is a pure function of those two instants, so nothing ticks: `sim cost` and
//! `sim compare` integrate over virtual time exactly. Money is kept in nano-dollars
//! (integers) so native and wasm agree to the last digit.
//!
//! Prices are the us-east-1, Linux/x86, on-demand figures in
//! `reference/semantics.md` §6 (Fargate, m5.large, c5.large, taken from third-party
//! copies of the AWS price pages) plus the well-known list prices of a few more instance
//! types and the EKS and ALB hourly fees. Learners can change any of them with
//! `sim price`, and every comparison is recomputed from the new figures.

use crate::time::{SimDuration, SimTime};
use serde::Serialize;
use std::collections::BTreeMap;

/// Nano-dollars per dollar.
pub const NANO: i64 = 1_000_000_000;

/// Where the default prices come from, shown by `sim price`.
pub const PRICE_SOURCE: &str = "us-east-1, Linux/x86, on-demand; Fargate, m5.large and c5.large from \
third-party copies of the AWS price pages (vantage.sh, wring.co) as collected in 2025; other \
instance types, EKS and ALB from the AWS list prices of the same period. Check \
aws.amazon.com/pricing before using them for a real decision.";

/// Ephemeral storage every Fargate task gets without charge, GB (semantics §6: "20 GB
/// ephemeral included"; AWS Fargate pricing page).
pub const FARGATE_EPHEMERAL_GB_INCLUDED: u32 = 20;
/// The shortest period a Fargate task (and a Linux EC2 instance) is billed for once it
/// starts, seconds: "per second with 1-min minimum" (semantics §6).
pub const FARGATE_MINIMUM_BILLED_SECS: u64 = 60;
/// The granularity Fargate bills in after the minimum, seconds (per second).
pub const FARGATE_BILLING_GRANULARITY_SECS: u64 = 1;

/// Fargate's billing terms in words, from [`FARGATE_BILLING_GRANULARITY_SECS`] and
/// [`FARGATE_MINIMUM_BILLED_SECS`]: `per-second, 1-minute minimum`.
pub fn fargate_billing_terms() -> String {
    let per = match FARGATE_BILLING_GRANULARITY_SECS {
        1 => "per-second".to_string(),
        60 => "per-minute".to_string(),
        3600 => "per-hour".to_string(),
        n => format!("per-{n}-seconds"),
    };
    let min = FARGATE_MINIMUM_BILLED_SECS;
    let minimum = if min > 0 && min.is_multiple_of(60) {
        format!("{}-minute minimum", min / 60)
    } else {
        format!("{min}-second minimum")
    };
    format!("{per}, {minimum}")
}

/// An EC2 instance type the simulator knows: size, network limits and price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceType {
    /// API name (`m5.large`).
    pub name: &'static str,
    /// vCPUs.
    pub vcpu: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Network interfaces the instance can attach (the primary one included).
    pub max_enis: u32,
    /// Private IPv4 addresses per interface.
    pub ips_per_eni: u32,
}

impl InstanceType {
    /// Pods the Amazon VPC CNI allows on this type as an EKS node:
    /// `ENIs × (IPs per ENI − 1) + 2` (the `max-pods` formula in `amazon-eks-ami`).
    pub fn eks_max_pods(&self) -> u64 {
        u64::from(self.max_enis * (self.ips_per_eni - 1) + 2)
    }
}

/// The instance types the simulator models (ENI limits from the EC2 user guide's
/// "IP addresses per network interface per instance type" table).
pub const INSTANCE_TYPES: [InstanceType; 6] = [
    InstanceType {
        name: "t3.medium",
        vcpu: 2,
        memory_mib: 4096,
        max_enis: 3,
        ips_per_eni: 6,
    },
    InstanceType {
        name: "c5.large",
        vcpu: 2,
        memory_mib: 4096,
        max_enis: 3,
        ips_per_eni: 10,
    },
    InstanceType {
        name: "m5.large",
        vcpu: 2,
        memory_mib: 8192,
        max_enis: 3,
        ips_per_eni: 10,
    },
    InstanceType {
        name: "c5.xlarge",
        vcpu: 4,
        memory_mib: 8192,
        max_enis: 4,
        ips_per_eni: 15,
    },
    InstanceType {
        name: "m5.xlarge",
        vcpu: 4,
        memory_mib: 16384,
        max_enis: 4,
        ips_per_eni: 15,
    },
    InstanceType {
        name: "m5.2xlarge",
        vcpu: 8,
        memory_mib: 32768,
        max_enis: 4,
        ips_per_eni: 15,
    },
];

/// An instance type by name.
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// The price list in effect, in nano-dollars per hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceList {
    /// Fargate, per vCPU-hour ($0.04048).
    pub fargate_vcpu_hour: i64,
    /// Fargate, per GB-hour of memory ($0.004445).
    pub fargate_gb_hour: i64,
    /// EKS, per cluster-hour of managed control plane ($0.10).
    pub eks_cluster_hour: i64,
    /// Application Load Balancer, per hour ($0.0225; LCUs not modelled).
    pub alb_hour: i64,
    /// EC2 on-demand, per instance-hour, by type.
    pub ec2_hour: BTreeMap<String, i64>,
}

impl Default for PriceList {
    fn default() -> Self {
        let ec2 = [
            ("t3.medium", 41_600_000),
            ("c5.large", 85_000_000),
            ("m5.large", 96_000_000),
            ("c5.xlarge", 170_000_000),
            ("m5.xlarge", 192_000_000),
            ("m5.2xlarge", 384_000_000),
        ];
        PriceList {
            fargate_vcpu_hour: 40_480_000,
            fargate_gb_hour: 4_445_000,
            eks_cluster_hour: 100_000_000,
            alb_hour: 22_500_000,
            ec2_hour: ec2.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }
}

impl PriceList {
    /// The hourly rate of a Fargate task of `cpu_units` (1024 = 1 vCPU) and `memory_mib`.
    pub fn fargate_hour(&self, cpu_units: u64, memory_mib: u64) -> i64 {
        (i128::from(self.fargate_vcpu_hour) * i128::from(cpu_units) / 1024
            + i128::from(self.fargate_gb_hour) * i128::from(memory_mib) / 1024) as i64
    }

    /// The hourly rate of an EC2 instance type, if it is priced.
    pub fn ec2(&self, instance_type: &str) -> Option<i64> {
        self.ec2_hour.get(instance_type).copied()
    }

    /// The names `sim price` accepts, with their current value.
    pub fn entries(&self) -> Vec<(String, i64)> {
        let mut out = vec![
            ("fargate-vcpu-hour".to_string(), self.fargate_vcpu_hour),
            ("fargate-gb-hour".to_string(), self.fargate_gb_hour),
            ("eks-cluster-hour".to_string(), self.eks_cluster_hour),
            ("alb-hour".to_string(), self.alb_hour),
        ];
        out.extend(self.ec2_hour.iter().map(|(k, v)| (k.clone(), *v)));
        out
    }

    /// Sets one price by its `sim price` name. Returns false for an unknown name.
    pub fn set(&mut self, name: &str, nano_per_hour: i64) -> bool {
        match name {
            "fargate-vcpu-hour" => self.fargate_vcpu_hour = nano_per_hour,
            "fargate-gb-hour" => self.fargate_gb_hour = nano_per_hour,
            "eks-cluster-hour" => self.eks_cluster_hour = nano_per_hour,
            "alb-hour" => self.alb_hour = nano_per_hour,
            other => match self.ec2_hour.get_mut(other) {
                Some(v) => *v = nano_per_hour,
                None => return false,
            },
        }
        true
    }
}

/// What kind of thing a bill line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Category {
    /// A Fargate task (ECS) or pod (EKS Fargate profile).
    Fargate,
    /// An EC2 instance (ECS container instance or EKS node).
    Ec2,
    /// An EKS cluster's managed control plane.
    EksControlPlane,
    /// A load balancer.
    LoadBalancer,
}

impl Category {
    /// A label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Category::Fargate => "Fargate compute",
            Category::Ec2 => "EC2 instances",
            Category::EksControlPlane => "EKS control plane",
            Category::LoadBalancer => "Load balancers",
        }
    }
}

/// One billable resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Billable {
    /// What it is.
    pub category: Category,
    /// A readable description (`Fargate task 3f2a… (0.25 vCPU, 0.5 GB)`).
    pub description: String,
    /// Nano-dollars per hour.
    pub rate: i64,
    /// When billing started.
    pub start: SimTime,
    /// When it stopped, if it has.
    pub end: Option<SimTime>,
    /// The shortest period billed once started (Fargate and Linux EC2: one minute).
    pub minimum: SimDuration,
}

impl Billable {
    /// Billed time up to `now`.
    pub fn billed(&self, now: SimTime) -> SimDuration {
        let until = self.end.map_or(now, |e| e.min(now));
        if until < self.start {
            return SimDuration::ZERO;
        }
        let used = until.since(self.start);
        // The minimum is charged once the resource has run at all, or has stopped.
        if self.end.is_some_and(|e| e <= now) || used >= self.minimum {
            used.max(self.minimum)
        } else {
            used
        }
    }

    /// Cost in nano-dollars up to `now`.
    pub fn cost(&self, now: SimTime) -> i64 {
        (i128::from(self.rate) * i128::from(self.billed(now).as_millis()) / 3_600_000) as i64
    }
}

/// Every billable resource, by id (task ARN, instance id, cluster name).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Meter {
    /// Prices in effect for resources started from now on.
    pub prices: PriceList,
    /// Billable resources by id.
    pub items: BTreeMap<String, Billable>,
}

impl Meter {
    /// Total cost so far, nano-dollars.
    pub fn total(&self, now: SimTime) -> i64 {
        self.items.values().map(|b| b.cost(now)).sum()
    }

    /// Cost so far by category, nano-dollars.
    pub fn by_category(&self, now: SimTime) -> BTreeMap<Category, i64> {
        let mut out = BTreeMap::new();
        for b in self.items.values() {
            *out.entry(b.category).or_default() += b.cost(now);
        }
        out
    }

    /// Resources billing at `now`.
    pub fn running(&self, now: SimTime) -> usize {
        self.items
            .values()
            .filter(|b| b.start <= now && b.end.is_none_or(|e| e > now))
            .count()
    }
}

/// `$1.234567` from nano-dollars, to the given number of decimals (rounded half up).
pub fn dollars(nano: i64, decimals: u32) -> String {
    let scale = 10_i64.pow(9 - decimals.min(9));
    let rounded = (nano + scale / 2).div_euclid(scale);
    let unit = 10_i64.pow(decimals.min(9));
    if decimals == 0 {
        format!("${rounded}")
    } else {
        format!(
            "${}.{:0width$}",
            rounded / unit,
            rounded % unit,
            width = decimals as usize
        )
    }
}

/// Parses a dollar amount (`0.04048`, `$0.1`) into nano-dollars.
pub fn parse_dollars(s: &str) -> Option<i64> {
    let s = s.strip_prefix('$').unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty()
        || frac.len() > 9
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_val: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>().ok()? * 10_i64.pow(9 - frac.len() as u32)
    };
    int.checked_mul(NANO)?.checked_add(frac_val)
}

/// `sim cost`: totals by category and the resources billed, to now.
pub fn report(meter: &Meter, now: SimTime) -> String {
    if meter.items.is_empty() {
        return "No billable cloud resources yet (ECS control planes are free; EC2 instances, Fargate tasks, EKS clusters and load balancers are billed).\n".to_string();
    }
    let mut out = format!(
        "Cost at {now} (virtual time), {} billed resource(s):\n",
        meter.items.len()
    );
    for (c, v) in meter.by_category(now) {
        out.push_str(&format!("  {:<20} {}\n", c.label(), dollars(v, 4)));
    }
    out.push_str(&format!(
        "  {:<20} {}\n",
        "Total",
        dollars(meter.total(now), 4)
    ));
    out.push_str("\nRESOURCE                                                   RATE/H      BILLED     COST\n");
    for b in meter.items.values() {
        let billed = b.billed(now);
        out.push_str(&format!(
            "{:<58} {:<11} {:<10} {}\n",
            b.description,
            dollars(b.rate, 5),
            format!("{}", billed),
            dollars(b.cost(now), 4)
        ));
    }
    out
}

/// `sim price`: the price list with its source.
pub fn price_table(p: &PriceList) -> String {
    let mut out = String::from("NAME                 USD PER HOUR\n");
    for (n, v) in p.entries() {
        out.push_str(&format!("{n:<20} {}\n", dollars(v, 6)));
    }
    out.push_str(&format!(
        "\nSource: {PRICE_SOURCE}\nChange one with `sim price NAME DOLLARS`.\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_rate_matches_the_reference_equivalent_of_an_m5_large() {
        // semantics.md §6: 2 × 0.04048 + 8 × 0.004445 = $0.11652/h.
        let p = PriceList::default();
        assert_eq!(p.fargate_hour(2048, 8192), 116_520_000);
        assert_eq!(p.fargate_hour(2048, 4096), 98_740_000);
    }

    #[test]
    fn fargate_billing_terms_in_words() {
        assert_eq!(fargate_billing_terms(), "per-second, 1-minute minimum");
        assert_eq!(FARGATE_EPHEMERAL_GB_INCLUDED, 20);
    }

    #[test]
    fn billing_has_a_one_minute_minimum_and_stops() {
        let b = Billable {
            category: Category::Fargate,
            description: "t".into(),
            rate: 3_600_000_000, // $3.6/h = $0.001/s
            start: SimTime(10_000),
            end: Some(SimTime(20_000)),
            minimum: SimDuration::from_secs(60),
        };
        assert_eq!(b.cost(SimTime(5_000)), 0);
        // Stopped after 10 s: billed the 60 s minimum.
        assert_eq!(b.cost(SimTime(100_000)), 60_000_000);
        let open = Billable { end: None, ..b };
        assert_eq!(open.cost(SimTime(40_000)), 30_000_000);
        assert_eq!(open.cost(SimTime(130_000)), 120_000_000);
    }

    #[test]
    fn dollars_round_trip() {
        assert_eq!(parse_dollars("0.04048"), Some(40_480_000));
        assert_eq!(parse_dollars("$1"), Some(NANO));
        assert_eq!(parse_dollars("1.2.3"), None);
        assert_eq!(parse_dollars("abc"), None);
        assert_eq!(dollars(116_520_000, 4), "$0.1165");
        assert_eq!(dollars(2_796_480_000, 2), "$2.80");
        assert_eq!(dollars(0, 2), "$0.00");
    }

    #[test]
    fn eks_max_pods_follow_the_vpc_cni_formula() {
        assert_eq!(instance_type("m5.large").unwrap().eks_max_pods(), 29);
        assert_eq!(instance_type("t3.medium").unwrap().eks_max_pods(), 17);
        assert_eq!(instance_type("m5.xlarge").unwrap().eks_max_pods(), 58);
    }
}
