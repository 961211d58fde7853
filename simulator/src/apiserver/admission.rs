//! Admission: the defaults the API server fills in before it stores an object.
//!
//! Sources: `pkg/apis/core/v1/defaults.go`, `pkg/apis/apps/v1/defaults.go`,
//! `pkg/apis/autoscaling/v2/defaults.go` and the `DefaultTolerationSeconds` admission
//! plugin (`plugin/pkg/admission/defaulttolerationseconds`).

use crate::api::Object;
use crate::api::pod::{Container, PodSpec, Probe};
use crate::api::policy::{MetricSpec, MetricTarget, ResourceMetricSource};
use crate::api::scheduling::Toleration;
use crate::api::values::IntOrString;
use crate::api::workloads::{DeploymentStrategy, RollingUpdateDeployment};
use crate::kube::image_ref::default_pull_policy;
use crate::kube::taint::{
    DEFAULT_TOLERATION_SECONDS, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE,
};

/// Default grace period between SIGTERM and SIGKILL (`DefaultTerminationGracePeriodSeconds`).
pub const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: i64 = 30;

fn default_probe(p: &mut Option<Probe>) {
    if let Some(p) = p {
        p.timeout_seconds.get_or_insert(1);
        p.period_seconds.get_or_insert(10);
        p.success_threshold.get_or_insert(1);
        p.failure_threshold.get_or_insert(3);
    }
}

fn default_container(c: &mut Container) {
    if c.image_pull_policy.is_none() {
        c.image_pull_policy = Some(default_pull_policy(&c.image).as_str().to_string());
    }
    c.termination_message_path
        .get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy
        .get_or_insert_with(|| "File".into());
    for p in &mut c.ports {
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
    // Limits without requests: requests default to the limits (`SetDefaults_ResourceRequirements`
    // via the LimitRange-free path in `pkg/apis/core/v1/defaults.go`).
    for (k, v) in c.resources.limits.clone() {
        c.resources.requests.entry(k).or_insert(v);
    }
    default_probe(&mut c.liveness_probe);
    default_probe(&mut c.readiness_probe);
    default_probe(&mut c.startup_probe);
}

/// Pod spec defaults (also applied to templates, as the API server does).
pub fn default_pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.termination_grace_period_seconds
        .get_or_insert(DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut())
    {
        default_container(c);
    }
}

/// `DefaultTolerationSeconds`: add the 300 s `not-ready` and `unreachable` NoExecute
/// tolerations unless the pod already tolerates those taints with NoExecute (or any effect).
pub fn default_tolerations(spec: &mut PodSpec) {
    for key in [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE] {
        let covered = spec.tolerations.iter().any(|t| {
            (t.key == key || t.key.is_empty()) && (t.effect == "NoExecute" || t.effect.is_empty())
        });
        if !covered {
            spec.tolerations.push(Toleration {
                key: key.into(),
                operator: "Exists".into(),
                value: String::new(),
                effect: "NoExecute".into(),
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
            });
        }
    }
}

/// Fills in every default for `obj` (called on create, and on update for specs).
pub fn default_object(obj: &mut Object) {
    match obj {
        Object::Pod(p) => {
            default_pod_spec(&mut p.spec);
            default_tolerations(&mut p.spec);
            p.spec.priority.get_or_insert(0);
            p.spec.enable_service_links.get_or_insert(true);
            if p.spec.service_account_name.is_none() {
                p.spec.service_account_name = Some("default".into());
            }
            if p.status.phase.is_none() {
                p.status.phase = Some("Pending".into());
            }
            p.status.qos_class = Some(qos_class(&p.spec).into());
        }
        Object::Deployment(d) => {
            d.spec.replicas.get_or_insert(1);
            d.spec.revision_history_limit.get_or_insert(10);
            d.spec.progress_deadline_seconds.get_or_insert(600);
            let s: &mut DeploymentStrategy = &mut d.spec.strategy;
            let ty = s
                .type_
                .get_or_insert_with(|| "RollingUpdate".into())
                .clone();
            if ty == "RollingUpdate" {
                let ru = s
                    .rolling_update
                    .get_or_insert_with(RollingUpdateDeployment::default);
                ru.max_surge.get_or_insert(IntOrString::Str("25%".into()));
                ru.max_unavailable
                    .get_or_insert(IntOrString::Str("25%".into()));
            }
            default_pod_spec(&mut d.spec.template.spec);
        }
        Object::ReplicaSet(rs) => {
            rs.spec.replicas.get_or_insert(1);
            default_pod_spec(&mut rs.spec.template.spec);
        }
        Object::Service(s) => {
            s.spec.type_.get_or_insert_with(|| "ClusterIP".into());
            s.spec.session_affinity.get_or_insert_with(|| "None".into());
            for p in &mut s.spec.ports {
                p.protocol.get_or_insert_with(|| "TCP".into());
                if p.target_port.is_none() {
                    p.target_port = Some(IntOrString::Int(p.port));
                }
            }
        }
        Object::HorizontalPodAutoscaler(h) => {
            h.spec.min_replicas.get_or_insert(1);
            if h.spec.metrics.is_empty() {
                // autoscaling/v2 defaults.go: no metrics ⇒ CPU at 80 % utilization.
                h.spec.metrics.push(MetricSpec {
                    type_: "Resource".into(),
                    resource: Some(ResourceMetricSource {
                        name: "cpu".into(),
                        target: MetricTarget {
                            type_: "Utilization".into(),
                            average_utilization: Some(80),
                            ..MetricTarget::default()
                        },
                    }),
                    ..MetricSpec::default()
                });
            }
        }
        Object::Secret(s) => {
            s.type_.get_or_insert_with(|| "Opaque".into());
        }
        _ => {}
    }
}

/// QoS class (`pkg/apis/core/helper/qos`): Guaranteed when every container sets equal cpu
/// and memory requests and limits; BestEffort when none sets any; else Burstable.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let all: Vec<&Container> = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter())
        .collect();
    let any = all
        .iter()
        .any(|c| !c.resources.requests.is_empty() || !c.resources.limits.is_empty());
    if !any {
        return "BestEffort";
    }
    let guaranteed = all.iter().all(|c| {
        ["cpu", "memory"].iter().all(|r| {
            let l = c.resources.limits.get(*r);
            l.is_some() && c.resources.requests.get(*r) == l
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tolerations_respect_existing_ones() {
        let mut spec = PodSpec::default();
        default_tolerations(&mut spec);
        assert_eq!(spec.tolerations.len(), 2);
        assert!(
            spec.tolerations
                .iter()
                .all(|t| t.toleration_seconds == Some(300))
        );
        let mut spec = PodSpec {
            tolerations: vec![Toleration {
                operator: "Exists".into(),
                ..Toleration::default()
            }],
            ..PodSpec::default()
        };
        default_tolerations(&mut spec);
        assert_eq!(
            spec.tolerations.len(),
            1,
            "an empty key with Exists and any effect covers both"
        );
    }
}
