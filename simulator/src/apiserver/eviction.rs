//! The Eviction API (`POST /api/v1/namespaces/NS/pods/NAME/eviction`,
//! `pkg/registry/core/pod/storage/eviction.go`): a pod deletion that respects
//! PodDisruptionBudgets. `kubectl drain` evicts rather than deletes.
//!
//! A pod that is not running healthy anyway (Pending, finished, already being deleted)
//! is deleted without looking at budgets. Otherwise the one budget selecting it must
//! allow a disruption (`status.disruptionsAllowed > 0`, kept current by the disruption
//! controller): the API server decrements it, records the pod in
//! `status.disruptedPods`, and deletes the pod gracefully. If not, the answer is
//! `429 TooManyRequests: Cannot evict pod as it would violate the pod's disruption
//! budget.` and the caller retries.

use super::{ApiError, ApiServer, ObjKey};
use crate::api::Object;
use crate::api::meta::Timestamp;
use crate::time::SimTime;

/// The 429 message kubectl prints.
pub const VIOLATES_BUDGET: &str =
    "Cannot evict pod as it would violate the pod's disruption budget.";

/// Evicts the pod `key` at `now`.
pub fn evict(api: &mut ApiServer, key: &ObjKey, now: SimTime) -> Result<Object, ApiError> {
    let Some(pod) = api.store.pod(&key.namespace, &key.name).cloned() else {
        return Err(ApiError::NotFound {
            resource: "pods".into(),
            name: key.name.clone(),
        });
    };
    let unhealthy_anyway = pod.is_terminating()
        || matches!(
            pod.status.phase.as_deref(),
            Some("Pending") | Some("Succeeded") | Some("Failed")
        );
    if !unhealthy_anyway {
        let ns = pod.metadata.namespace_or_default();
        let budgets: Vec<_> = api
            .store
            .pdbs()
            .filter(|b| {
                b.metadata.namespace_or_default() == ns
                    && b.spec
                        .selector
                        .as_ref()
                        .is_some_and(|s| s.matches(&pod.metadata.labels))
            })
            .cloned()
            .collect();
        match budgets.as_slice() {
            [] => {}
            [pdb] => {
                if pdb.status.disruptions_allowed <= 0 {
                    return Err(ApiError::TooManyRequests {
                        message: VIOLATES_BUDGET.into(),
                    });
                }
                let mut next = pdb.clone();
                next.status.disruptions_allowed -= 1;
                next.status
                    .disrupted_pods
                    .insert(pod.metadata.name.clone(), Timestamp(now));
                api.write(Object::PodDisruptionBudget(next));
            }
            _ => {
                return Err(ApiError::BadRequest {
                    message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.".into(),
                });
            }
        }
    }
    api.delete_with(key, now, None)
}
