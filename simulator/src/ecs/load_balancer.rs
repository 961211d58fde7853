//! Elastic Load Balancing: Application Load Balancers, their listeners, and target groups
//! whose health checks decide which tasks get traffic.
//!
//! Defaults are the ELBv2 API's for an HTTP target group (`CreateTargetGroup`): health
//! check every 30 s, 5 s timeout, healthy after 5 consecutive passes, unhealthy after 2
//! failures, and a 300 s deregistration delay (connection draining).

use crate::time::SimTime;
use serde::Serialize;
use std::collections::BTreeMap;

/// An Application Load Balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancer {
    /// Name.
    pub name: String,
    /// DNS name.
    pub dns_name: String,
    /// Subnets it has nodes in.
    pub subnets: Vec<String>,
    /// Listeners: port → target group it forwards to.
    pub listeners: BTreeMap<i64, String>,
    /// When it was created (it is `provisioning` for a short while).
    pub created_at: SimTime,
}

/// Health-check settings of a target group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckConfig {
    /// Path checked.
    pub path: String,
    /// Seconds between checks.
    pub interval: u32,
    /// Seconds before a check fails.
    pub timeout: u32,
    /// Consecutive passes to become healthy.
    pub healthy_threshold: u32,
    /// Consecutive failures to become unhealthy.
    pub unhealthy_threshold: u32,
}

impl Default for HealthCheckConfig {
    fn default() -> Self {
        HealthCheckConfig {
            path: "/".into(),
            interval: 30,
            timeout: 5,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
        }
    }
}

/// `TargetHealth.State`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TargetState {
    /// Registered, health checks not yet passed.
    Initial,
    /// Receiving traffic.
    Healthy,
    /// Failing health checks.
    Unhealthy,
    /// Deregistered, finishing in-flight requests.
    Draining,
}

impl TargetState {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Initial => "initial",
            TargetState::Healthy => "healthy",
            TargetState::Unhealthy => "unhealthy",
            TargetState::Draining => "draining",
        }
    }
}

/// One registered target (`ip:port` for `awsvpc` tasks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// The task behind it.
    pub task: String,
    /// IP address.
    pub ip: String,
    /// Port.
    pub port: i64,
    /// State.
    pub state: TargetState,
    /// Consecutive passes so far.
    pub passes: u32,
    /// Consecutive failures so far.
    pub failures: u32,
    /// When it entered its current state.
    pub since: SimTime,
}

/// A target group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroup {
    /// Name.
    pub name: String,
    /// `HTTP`.
    pub protocol: String,
    /// Port.
    pub port: i64,
    /// `ip` (required for `awsvpc` tasks) or `instance`.
    pub target_type: String,
    /// Health checks.
    pub health_check: HealthCheckConfig,
    /// Seconds a deregistered target drains.
    pub deregistration_delay: u32,
    /// Targets by `ip:port`.
    pub targets: BTreeMap<String, Target>,
    /// Load balancers forwarding to it.
    pub load_balancers: Vec<String>,
}

impl TargetGroup {
    /// The target group's ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}/{}",
            super::REGION,
            super::ACCOUNT,
            self.name,
            &super::vpc::stable_id("tg", &self.name)[4..20]
        )
    }
}

/// A target group name from a name or ARN.
pub fn target_group_name(name_or_arn: &str) -> &str {
    match name_or_arn.split_once(":targetgroup/") {
        Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
        None => name_or_arn,
    }
}
