//! The service controller of the cloud-controller-manager
//! (`k8s.io/cloud-provider/controllers/service`): for every Service of type
//! LoadBalancer it asks the cloud for a load balancer and, once it exists, writes its
//! address to `status.loadBalancer.ingress`, which `kubectl get svc` shows as
//! EXTERNAL-IP (`<pending>` until then).
//!
//! Model (said in the UI too): provisioning takes [`PROVISION_TIME`] and addresses come
//! from the documentation range 203.0.113.0/24, numbered in order of provisioning.

use crate::api::Object;
use crate::api::service::Service;
use crate::apiserver::{Change, ObjKey};
use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::time::{SimDuration, SimTime};
use crate::world::World;
use serde_json::json;

/// How long the cloud takes to create a load balancer (a cloud network load balancer
/// typically needs tens of seconds to a few minutes).
pub const PROVISION_TIME: SimDuration = SimDuration::from_secs(30);

fn wants_lb(s: &Service) -> bool {
    s.spec.type_.as_deref() == Some("LoadBalancer")
}

fn has_ingress(s: &Service) -> bool {
    s.status
        .load_balancer
        .as_ref()
        .and_then(|lb| lb.pointer("/ingress/0"))
        .is_some()
}

/// LoadBalancer Services without an address are queued.
pub fn watch(change: &Change) -> Vec<ObjKey> {
    match &change.object {
        Object::Service(s) if wants_lb(s) && !has_ingress(s) => vec![change.key.clone()],
        _ => Vec::new(),
    }
}

/// Starts provisioning, or finishes it once [`PROVISION_TIME`] has passed.
pub fn reconcile(key: &ObjKey, world: &World, now: SimTime) -> Vec<Effect> {
    let Some(svc) = world.api.store.service(&key.namespace, &key.name) else {
        return Vec::new();
    };
    if !wants_lb(svc) || has_ingress(svc) {
        return Vec::new();
    }
    let src = Source::of(Component::CloudControllerManager);
    let obj = ObjectRef::from_key(key);
    match world.load_balancers.get(key) {
        None => {
            let ip = format!("203.0.113.{}", world.load_balancers.len() + 10);
            let mut effects = vec![
                Effect::Emit(EventDraft::new(
                    src,
                    obj,
                    "EnsuringLoadBalancer",
                    format!(
                        "service-controller: asking the cloud for a load balancer for {}; EXTERNAL-IP stays <pending> until it exists (about {PROVISION_TIME})",
                        key.name
                    ),
                )),
                Effect::LoadBalancerRequested {
                    service: key.clone(),
                    ip,
                    ready_at: now.after(PROVISION_TIME),
                },
            ];
            // On EKS the cloud is AWS: the load balancer is billed from now on (at the
            // load-balancer hourly price; LCUs are not modelled).
            if !world.aws.eks.is_empty() {
                effects.push(crate::components::aws::fx(
                    crate::components::aws::AwsEffect::BillStart(
                        format!("lb/{key}"),
                        crate::cost::Billable {
                            category: crate::cost::Category::LoadBalancer,
                            description: format!("Load balancer for service {}", key.name),
                            rate: world.billing.prices.alb_hour,
                            start: now,
                            end: None,
                            minimum: SimDuration::ZERO,
                        },
                    ),
                ));
            }
            effects.extend([Effect::Schedule {
                after: PROVISION_TIME,
                task: Task::Reconcile {
                    controller: super::Controller::ServiceLoadBalancer,
                    key: key.clone(),
                },
            }]);
            effects
        }
        Some((ip, ready_at)) if *ready_at <= now => {
            let mut s = svc.clone();
            s.status.load_balancer = Some(json!({ "ingress": [{ "ip": ip }] }));
            let ports: Vec<String> = s
                .spec
                .ports
                .iter()
                .map(|p| format!("{ip}:{}", p.port))
                .collect();
            vec![
                Effect::Emit(EventDraft::new(
                    src,
                    obj,
                    "EnsuredLoadBalancer",
                    format!(
                        "service-controller: load balancer ready at {}; it forwards to the Service's node ports, and kube-proxy spreads traffic over ready endpoints",
                        ports.join(", ")
                    ),
                )),
                Effect::Write(Box::new(Object::Service(s))),
            ]
        }
        Some(_) => Vec::new(),
    }
}
