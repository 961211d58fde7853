//! The EKS flavour of the Kubernetes simulator: a managed control plane, managed node
//! groups (EC2 Auto Scaling groups whose instances join as nodes) and Fargate profiles
//! (pods whose namespace and labels match run each on their own micro-VM node).

use crate::time::SimTime;
use serde::Serialize;

/// An EKS cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EksCluster {
    /// Name.
    pub name: String,
    /// Kubernetes version.
    pub version: String,
    /// `CREATING`, `ACTIVE`, `DELETING`.
    pub status: String,
    /// When it was requested.
    pub created_at: SimTime,
}
