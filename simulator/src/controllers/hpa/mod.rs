//! The HorizontalPodAutoscaler's rules (`pkg/controller/podautoscaler`): per-metric
//! replica proposals ([`replica_calculator`]) and the normalisation that turns the largest
//! proposal into the replica count to set ([`behavior`]).

pub mod behavior;
pub mod replica_calculator;

use crate::time::SimDuration;

/// `--horizontal-pod-autoscaler-sync-period` default.
pub const SYNC_PERIOD: SimDuration = SimDuration::from_secs(15);
/// `spec.minReplicas` default.
pub const DEFAULT_MIN_REPLICAS: i32 = 1;
/// With no `spec.metrics`, the HPA targets 80% average CPU utilization.
pub const DEFAULT_CPU_UTILIZATION: i32 = 80;

/// `computeReplicasForMetrics` over already-computed proposals (`Ok((replicas, metric
/// name))` or `Err(message)` per metric, in spec order): the largest valid proposal wins;
/// if every metric failed, or some failed and the rest would scale below `spec_replicas`,
/// it is an error (the HPA then does not scale). Returns `(replicas, metric, first error
/// if some metrics were invalid)`.
pub fn combine_metric_proposals(
    spec_replicas: i32,
    proposals: &[Result<(i32, String), String>],
) -> Result<(i32, String, Option<String>), String> {
    let mut replicas = 0;
    let mut metric = String::new();
    let mut invalid = 0usize;
    let mut first_err: Option<String> = None;
    for p in proposals {
        match p {
            Err(e) => {
                if invalid == 0 {
                    first_err = Some(e.clone());
                }
                invalid += 1;
            }
            Ok((r, name)) => {
                if replicas == 0 || *r > replicas {
                    replicas = *r;
                    metric = name.clone();
                }
            }
        }
    }
    let err = first_err.map(|e| {
        format!(
            "invalid metrics ({invalid} invalid out of {}), first error is: {e}",
            proposals.len()
        )
    });
    if invalid >= proposals.len() || (invalid > 0 && replicas < spec_replicas) {
        return Err(err.unwrap_or_else(|| "no metrics".to_string()));
    }
    Ok((replicas, metric, err))
}

/// What `reconcileAutoscaler` does before normalising.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precheck {
    /// `currentReplicas == 0` with `minReplicas != 0`: scaling disabled (ScalingDisabled).
    Disabled,
    /// Outside `[min, max]`: go straight to this count, with upstream's reason.
    Clamp(i32, &'static str),
    /// Compute metrics and normalise.
    Compute,
}

/// `reconcileAutoscaler`'s first decision.
pub fn precheck(current: i32, min_replicas: i32, max_replicas: i32) -> Precheck {
    if current == 0 && min_replicas != 0 {
        Precheck::Disabled
    } else if current > max_replicas {
        Precheck::Clamp(
            max_replicas,
            "Current number of replicas above Spec.MaxReplicas",
        )
    } else if current < min_replicas {
        Precheck::Clamp(
            min_replicas,
            "Current number of replicas below Spec.MinReplicas",
        )
    } else {
        Precheck::Compute
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_proposal_wins() {
        let p = vec![
            Ok((3, "cpu".to_string())),
            Ok((7, "qps".to_string())),
            Ok((5, "mem".to_string())),
        ];
        assert_eq!(
            combine_metric_proposals(4, &p),
            Ok((7, "qps".to_string(), None))
        );
    }

    #[test]
    fn no_scale_down_when_a_metric_is_invalid() {
        let p = vec![Ok((1, "cpu".to_string())), Err("boom".to_string())];
        let e = combine_metric_proposals(5, &p).unwrap_err();
        assert!(e.contains("1 invalid out of 2"), "{e}");
        // Scaling up still happens, with the error reported.
        let p = vec![Ok((8, "cpu".to_string())), Err("boom".to_string())];
        let (r, _, err) = combine_metric_proposals(5, &p).unwrap();
        assert_eq!(r, 8);
        assert!(err.is_some());
        assert!(combine_metric_proposals(5, &[Err("x".into())]).is_err());
    }

    #[test]
    fn prechecks() {
        assert_eq!(precheck(0, 1, 5), Precheck::Disabled);
        assert_eq!(precheck(0, 0, 5), Precheck::Compute);
        assert!(matches!(precheck(9, 1, 5), Precheck::Clamp(5, _)));
        assert!(matches!(precheck(1, 2, 5), Precheck::Clamp(2, _)));
    }
}
