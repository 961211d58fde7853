//! Highlight: which items a lesson step's highlight names point at.
//!
//! A name is a component (`kube-scheduler`, `kubelet` — every node's kubelet), an
//! extra name lessons use (`ecr`, `load-balancer`, `metrics-server`), or an object as
//! the event log names it (`node/worker-1`, `deployment/web`, which lights the pods it
//! owns). [`NOT_DRAWN`] lists the names that legitimately have no box.

use super::scene::{Item, Kind, Scene};
use std::collections::BTreeSet;

/// Highlight names that stand for something outside the picture, so they light nothing.
pub const NOT_DRAWN: &[&str] = &[
    // The simulator itself (time passing, injected failures) is not a part of the system.
    "sim", // Source control and CI run outside the simulated world.
    "git", "ci",
];

/// Whether `item` answers to the highlight `name`.
pub fn matches(item: &Item, name: &str) -> bool {
    if item.id == name || item.names.iter().any(|n| n == name) {
        return true;
    }
    // `pod/web` also names the pods a controller generated from `web` (`web-7c9f…`).
    match name.strip_prefix("pod/") {
        Some(base) if item.kind == Kind::Pod => {
            item.label == base
                || item
                    .label
                    .strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with('-'))
        }
        _ => false,
    }
}

/// Ids of every item one of `names` points at.
pub fn highlighted_ids(scene: &Scene, names: &[String]) -> BTreeSet<String> {
    if names.is_empty() {
        return BTreeSet::new();
    }
    scene
        .items()
        .into_iter()
        .filter(|item| names.iter().any(|n| matches(item, n)))
        .map(|item| item.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagram::scene::scene_for;
    use simulator::{Scenario, Simulation};

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn components_agents_and_objects_are_found() {
        let mut sim = Simulation::new(&Scenario::named("default").expect("default"));
        for line in [
            "kubectl create deployment web --image=nginx:1.27 --replicas=2",
            "sim advance 60s",
        ] {
            sim.run(line).expect("runs");
        }
        let scene = scene_for(&sim);
        let ids = highlighted_ids(&scene, &names(&["kube-scheduler"]));
        assert_eq!(
            ids.into_iter().collect::<Vec<_>>(),
            ["component/kube-scheduler"]
        );
        let kubelets = highlighted_ids(&scene, &names(&["kubelet"]));
        assert_eq!(kubelets.len(), 4, "one kubelet per node: {kubelets:?}");
        let web = highlighted_ids(&scene, &names(&["deployment/web"]));
        assert!(
            web.contains("deployment/default/web"),
            "the Deployment itself"
        );
        let pods: BTreeSet<String> = web
            .into_iter()
            .filter(|id| id.starts_with("pod/default/web-"))
            .collect();
        assert_eq!(pods.len(), 2, "and the pods it owns");
        let by_prefix = highlighted_ids(&scene, &names(&["pod/web"]));
        assert_eq!(by_prefix, pods);
        assert_eq!(highlighted_ids(&scene, &names(&["node/worker-1"])).len(), 1);
        assert!(highlighted_ids(&scene, &names(&["pod/we"])).is_empty());
        assert!(highlighted_ids(&scene, &names(&["sim"])).is_empty());
        assert!(!highlighted_ids(&scene, &names(&["ecr"])).is_empty());
    }
}
