//! `aws ec2`: the VPC's subnets, which `awsvpc` tasks and instances take addresses from.

use super::json::{J, obj, s};
use super::params::{Params, aws_error};
use crate::command::CommandError;
use crate::ecs::vpc::{Cidr, Subnet, stable_id};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::simulation::Simulation;
use std::collections::BTreeMap;

/// Operations and the parameters each accepts.
pub const OPERATIONS: &[super::Operation] = &[
    (
        "create-subnet",
        &[
            "vpc-id",
            "cidr-block",
            "availability-zone",
            "tag-specifications",
        ],
    ),
    ("describe-subnets", &["subnet-ids", "filters"]),
    ("delete-subnet", &["subnet-id"]),
    ("describe-vpcs", &["vpc-ids"]),
];

const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

fn subnet_json(sub: &Subnet, vpc: &str) -> J {
    obj([
        ("AvailabilityZone", s(&sub.zone)),
        ("AvailableIpAddressCount", J::Int(sub.available() as i64)),
        ("CidrBlock", s(sub.cidr.to_string())),
        (
            "DefaultForAz",
            J::Bool(sub.cidr.prefix == 20 && sub.cidr.to_string().starts_with("172.31.")),
        ),
        ("MapPublicIpOnLaunch", J::Bool(false)),
        ("State", s("available")),
        ("SubnetId", s(&sub.id)),
        ("VpcId", s(vpc)),
        ("OwnerId", s(crate::ecs::ACCOUNT)),
    ])
}

/// Runs one operation.
pub fn run(sim: &mut Simulation, operation: &str, p: &Params) -> Result<String, CommandError> {
    let vpc = sim.state().aws.vpc.clone();
    match operation {
        "create-subnet" => {
            let op = "CreateSubnet";
            let vpc_id = p.one("vpc-id")?;
            let block = p.one("cidr-block")?;
            if vpc_id != vpc.id {
                return Err(aws_error(
                    "InvalidVpcID.NotFound",
                    op,
                    format!("The vpc ID '{vpc_id}' does not exist"),
                ));
            }
            let cidr = Cidr::parse(&block).ok_or_else(|| {
                aws_error("InvalidParameterValue", op, format!("Value ({block}) for parameter cidrBlock is invalid. This is not a valid CIDR block."))
            })?;
            if !vpc.cidr.contains(cidr) || cidr.prefix > 28 || cidr.prefix < 16 {
                return Err(aws_error(
                    "InvalidSubnet.Range",
                    op,
                    format!("The CIDR '{block}' is invalid."),
                ));
            }
            if let Some(other) = vpc.subnets.values().find(|x| x.cidr.overlaps(cidr)) {
                return Err(aws_error(
                    "InvalidSubnet.Conflict",
                    op,
                    format!(
                        "The CIDR '{block}' conflicts with another subnet ({})",
                        other.id
                    ),
                ));
            }
            let zone = p
                .opt("availability-zone")?
                .unwrap_or_else(|| ZONES[0].to_string());
            if !ZONES.contains(&zone.as_str()) {
                return Err(aws_error(
                    "InvalidParameterValue",
                    op,
                    format!(
                        "Value ({zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: {}.",
                        ZONES.join(", ")
                    ),
                ));
            }
            let sub = Subnet {
                id: stable_id("subnet", &block),
                cidr,
                zone,
                used: BTreeMap::new(),
            };
            let out = obj([("Subnet", subnet_json(&sub, &vpc.id))]).pretty() + "\n";
            sim.record(EventDraft::new(
                Source::of(Component::Ecs),
                ObjectRef::new("subnet", sub.id.clone()),
                "SubnetCreated",
                format!(
                    "subnet {} ({}, {}): {} addresses, {} usable (AWS reserves 5 in every subnet)",
                    sub.id,
                    sub.cidr,
                    sub.zone,
                    sub.cidr.size(),
                    sub.capacity()
                ),
            ));
            sim.world_mut().aws.vpc.subnets.insert(sub.id.clone(), sub);
            Ok(out)
        }
        "describe-subnets" => {
            let ids = p.list("subnet-ids");
            for id in &ids {
                if !vpc.subnets.contains_key(id) {
                    return Err(aws_error(
                        "InvalidSubnetID.NotFound",
                        "DescribeSubnets",
                        format!("The subnet ID '{id}' does not exist"),
                    ));
                }
            }
            let mut subs: Vec<&Subnet> = vpc
                .subnets
                .values()
                .filter(|x| ids.is_empty() || ids.contains(&x.id))
                .collect();
            subs.sort_by(|a, b| a.zone.cmp(&b.zone).then(a.cidr.cmp(&b.cidr)));
            Ok(obj([(
                "Subnets",
                J::Arr(subs.into_iter().map(|x| subnet_json(x, &vpc.id)).collect()),
            )])
            .pretty()
                + "\n")
        }
        "delete-subnet" => {
            let id = p.one("subnet-id")?;
            let Some(sub) = vpc.subnets.get(&id) else {
                return Err(aws_error(
                    "InvalidSubnetID.NotFound",
                    "DeleteSubnet",
                    format!("The subnet ID '{id}' does not exist"),
                ));
            };
            if !sub.used.is_empty() {
                return Err(aws_error(
                    "DependencyViolation",
                    "DeleteSubnet",
                    format!("The subnet '{id}' has dependencies and cannot be deleted."),
                ));
            }
            sim.world_mut().aws.vpc.subnets.remove(&id);
            Ok(String::new())
        }
        _ => Ok(obj([(
            "Vpcs",
            J::Arr(vec![obj([
                ("CidrBlock", s(vpc.cidr.to_string())),
                ("State", s("available")),
                ("VpcId", s(&vpc.id)),
                ("OwnerId", s(crate::ecs::ACCOUNT)),
                ("IsDefault", J::Bool(true)),
            ])]),
        )])
        .pretty()
            + "\n"),
    }
}
