//! The system diagram's model, free of web APIs so it is tested natively.
//!
//! A short tour:
//! - [`scene`]: [`scene_for`] reads a [`simulator::Simulation`] into a tree of items with
//!   stable ids (your machine, registries, control plane, nodes with pods, Services,
//!   ECS clusters with tasks, load balancers).
//! - [`layout`]: [`layout()`] gives every item a box in one SVG viewBox.
//! - [`highlight`]: which items a lesson step's highlight names point at.
//! - [`transfer`]: image layers that moved in the latest change (push, pull).
//! - [`describe`]: the text alternative, an outline a screen reader can follow.
//!
//! The Leptos component that draws all this is `crate::components::diagram::Diagram`.
//! `scene_for` and `layout` are what a benchmark of a diagram update times.

pub mod describe;
pub mod highlight;
pub mod layout;
pub mod scene;
pub mod transfer;

pub use describe::{Line, describe, summary};
pub use highlight::{NOT_DRAWN, highlighted_ids};
pub use layout::{Layout, Placed, layout};
pub use scene::{Item, Kind, Scene, Tone, scene_for};
pub use transfer::{LogMark, Transfer, mark, transfers_since};

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::{Scenario, Simulation};

    /// Every highlight name of every lesson step lights at least one box at that step,
    /// replaying lessons the way `lessons::check` does; [`NOT_DRAWN`] names are exempt.
    #[test]
    fn every_lesson_highlight_has_a_box() {
        let mut missing = Vec::new();
        for lesson in lessons::catalog() {
            let Some(scenario) = lesson.scenario.build() else {
                missing.push(format!("{}: unknown scenario", lesson.id));
                continue;
            };
            let mut sim = Simulation::new(&scenario);
            for line in &lesson.scenario.setup {
                let _ = sim.run(line);
            }
            for step in &lesson.steps {
                if let Some(line) = &step.command {
                    let _ = sim.run(line);
                }
                let scene = scene_for(&sim);
                for name in &step.highlight {
                    if NOT_DRAWN.contains(&name.as_str()) {
                        continue;
                    }
                    if highlighted_ids(&scene, std::slice::from_ref(name)).is_empty() {
                        missing.push(format!("{} / {}: {name}", lesson.id, step.id));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "highlights with no box:\n{}",
            missing.join("\n")
        );
    }

    /// The benchmark's scene: 200 replicas spread over seven workers.
    pub(crate) fn big_simulation() -> Simulation {
        let mut sim = Simulation::new(&Scenario::named("default").expect("default scenario"));
        let mut lines: Vec<String> = (4..=7)
            .map(|i| format!("sim node add worker-{i} --cpu 16 --memory 64Gi"))
            .collect();
        lines.push("kubectl create deployment web --image=nginx:1.27 --replicas=200".into());
        lines.push("sim advance 2m".into());
        for line in &lines {
            sim.run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
        sim
    }

    #[test]
    fn two_hundred_pods_lay_out_legibly() {
        let sim = big_simulation();
        let scene = scene_for(&sim);
        let web = scene
            .items()
            .into_iter()
            .filter(|i| i.kind == Kind::Pod && i.names.iter().any(|n| n == "deployment/web"))
            .count();
        assert_eq!(web, 200);
        let placed = layout(&scene);
        layout::tests::assert_invariants(&scene, &placed);
        assert_eq!(placed.density, layout::Density::Dense);
        assert!(placed.height < 4000.0, "height {}", placed.height);
        assert_eq!(placed, layout(&scene_for(&sim)));
        assert_eq!(describe(&scene).len(), scene.sections.len());
    }
}
