//! Property tests for the pure Kubernetes rules (parsers never panic, scores stay in
//! range, rollout fenceposts always allow progress, a rollout converges).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use simulator::controllers::deployment::rolling::{
    DeploymentView, ReplicaSetView, replica_count, resolve_fenceposts, rollout_rolling,
};
use simulator::controllers::hpa::behavior::{
    NormalizationArg, convert_desired_replicas_with_behavior_rate, generate_scale_down_rules,
    generate_scale_up_rules,
};
use simulator::kube::image_ref::parse_image_name;
use simulator::kube::intstr::IntOrString;
use simulator::kube::label_selector::Selector;
use simulator::kube::quantity::Quantity;
use simulator::scheduler::framework::default_normalize_score;
use simulator::scheduler::plugins::balanced_allocation::balanced_resource_score;
use simulator::scheduler::plugins::node_resources_fit::{
    ResourceSpec, ScoringStrategy, weighted_score,
};
use simulator::time::SimTime;
use std::collections::BTreeMap;

fn fencepost() -> impl Strategy<Value = IntOrString> {
    prop_oneof![
        (0i64..20).prop_map(IntOrString::Int),
        (0i64..=100).prop_map(|p| IntOrString::Str(format!("{p}%"))),
    ]
}

proptest! {
    #[test]
    fn selector_parse_never_panics(s in "[a-z=!(), <>.in/-]{0,40}") {
        let _ = Selector::parse(&s);
    }

    #[test]
    fn selector_round_trips(keys in prop::collection::btree_map("[a-z]{1,5}", "[a-z0-9]{0,5}", 0..5)) {
        let text: Vec<String> = keys.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let sel = Selector::parse(&text.join(",")).unwrap();
        let labels: BTreeMap<String, String> = keys.clone();
        prop_assert!(sel.matches(&labels));
        let again = Selector::parse(&sel.to_string()).unwrap();
        prop_assert_eq!(again, sel);
    }

    #[test]
    fn quantity_parse_never_panics(s in "[-+0-9.eEkKMGTPimnu]{0,24}") {
        if let Ok(q) = Quantity::parse(&s) {
            let _ = q.value();
            let _ = q.milli_value();
        }
    }

    #[test]
    fn quantity_integers_are_exact(n in 0i64..1_000_000_000) {
        prop_assert_eq!(Quantity::parse(&n.to_string()).unwrap().value().unwrap(), n);
        prop_assert_eq!(Quantity::parse(&format!("{n}m")).unwrap().milli_value().unwrap(), n);
    }

    #[test]
    fn image_parse_never_panics(s in "[a-zA-Z0-9:/@._-]{0,40}") {
        let _ = parse_image_name(&s);
    }

    #[test]
    fn normalized_scores_stay_in_range(scores in prop::collection::vec(0i64..10_000, 0..20), reverse in any::<bool>()) {
        let mut s = scores.clone();
        default_normalize_score(100, reverse, &mut s);
        prop_assert!(s.iter().all(|x| (0..=100).contains(x)));
        prop_assert_eq!(s.len(), scores.len());
    }

    #[test]
    fn resource_scores_stay_in_range(
        req in prop::collection::vec(0i64..100_000, 3),
        alloc in prop::collection::vec(0i64..100_000, 3),
        weights in prop::collection::vec(1i64..=100, 3),
    ) {
        let res: Vec<ResourceSpec> = ["cpu", "memory", "x/y"].iter().zip(&weights)
            .map(|(n, w)| ResourceSpec { name: n.to_string(), weight: *w }).collect();
        for strategy in [ScoringStrategy::LeastAllocated, ScoringStrategy::MostAllocated] {
            let s = weighted_score(strategy, &res, &req, &alloc);
            prop_assert!((0..=100).contains(&s));
        }
        let b = balanced_resource_score(&req, &alloc);
        prop_assert!((0..=100).contains(&b));
    }

    #[test]
    fn fenceposts_never_both_zero(surge in fencepost(), unavailable in fencepost(), desired in 0i32..200) {
        let (s, u) = resolve_fenceposts(Some(&surge), Some(&unavailable), desired).unwrap();
        prop_assert!(s > 0 || u > 0);
        prop_assert!(s >= 0 && u >= 0);
    }

    #[test]
    fn rollouts_converge_within_bounds(surge in fencepost(), unavailable in fencepost(), desired in 1i32..30, old in 0i32..30) {
        let d = DeploymentView::rolling(desired, surge, unavailable);
        let (s, _) = resolve_fenceposts(d.max_surge.as_ref(), d.max_unavailable.as_ref(), desired).unwrap();
        let mut olds = vec![ReplicaSetView::new("old", SimTime(1), old, old)];
        let mut new_rs = ReplicaSetView::new("new", SimTime(2), 0, 0);
        let start_total = old;
        for _ in 0..200 {
            let step = rollout_rolling(&d, &olds, &new_rs).unwrap();
            new_rs.replicas = step.new_rs_replicas;
            new_rs.available_replicas = new_rs.replicas;
            olds = step.old_rss;
            for o in olds.iter_mut() {
                o.available_replicas = o.available_replicas.min(o.replicas);
            }
            let total = replica_count(&olds) + new_rs.replicas;
            prop_assert!(total <= (desired + s).max(start_total), "surge bound broken: {}", total);
        }
        prop_assert_eq!(new_rs.replicas, desired);
        prop_assert_eq!(replica_count(&olds), 0);
    }

    #[test]
    fn hpa_rate_limit_stays_within_min_max(current in 1i32..500, desired in 0i32..2000, min in 1i32..10, extra in 0i32..1000) {
        let max = min + extra;
        let args = NormalizationArg {
            scale_up: generate_scale_up_rules(None),
            scale_down: generate_scale_down_rules(None, 300),
            min_replicas: min,
            max_replicas: max,
            current_replicas: current.clamp(min, max),
            desired_replicas: desired,
        };
        let (r, _, _) = convert_desired_replicas_with_behavior_rate(&args, &[], &[], SimTime(1_000_000));
        prop_assert!(r >= min && r <= max, "{} not in [{}, {}]", r, min, max);
        // Moves towards the recommendation, never past it.
        let cur = args.current_replicas;
        if desired >= cur { prop_assert!(r >= cur && r <= desired.max(min)); }
        else { prop_assert!(r <= cur && r >= desired.min(max)); }
    }
}

proptest! {
    /// The shell tokenizer and the command parser never panic, whatever mix of quotes,
    /// escapes, pipes and redirections a learner types.
    #[test]
    fn tokenizer_with_redirections_never_panics(s in r#"[a-z >|<&;'"\\$-]{0,40}"#) {
        let _ = simulator::command::tokenize::tokenize_ops(&s);
        let _ = simulator::Command::parse(&s);
    }

    /// Words without operators round-trip through single quotes.
    #[test]
    fn quoted_operators_are_words(w in "[a-z>|&;<]{1,10}") {
        let line = format!("echo '{w}'");
        let toks = simulator::command::tokenize::tokenize_ops(&line).unwrap();
        prop_assert_eq!(toks.len(), 2);
    }
}
