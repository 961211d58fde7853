//! Transfers: image layers that travelled in the latest change, read from the events
//! appended since the diagram last looked.
//!
//! `docker push` (dockerd → registry), `docker pull` (registry → dockerd), a kubelet's
//! pull (registry → node) and an ECS task's pull (registry → task). Only what really
//! moved is counted: layers already at the destination stay put.

use simulator::Simulation;
use simulator::event::{Component, Event};
use simulator::image::catalog::Reference;
use simulator::time::SimTime;

/// At most this many layer squares are drawn per transfer; the rest are "+N more".
pub const SQUARE_CAP: usize = 6;

/// Layers that moved between two boxes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Transfer {
    /// Stable id (from the event that reported it).
    pub id: String,
    /// Scene id of the box the layers left.
    pub from: String,
    /// Scene id of the box they arrived in.
    pub to: String,
    /// The image, as the event named it.
    pub image: String,
    /// Layers that travelled.
    pub moved: usize,
    /// Layers the image has.
    pub total: usize,
    /// What happened, in words (also the static arrow's label).
    pub label: String,
}

impl Transfer {
    /// Squares to draw.
    pub fn squares(&self) -> usize {
        self.moved.min(SQUARE_CAP)
    }

    /// Layers moved but not drawn.
    pub fn more(&self) -> usize {
        self.moved.saturating_sub(SQUARE_CAP)
    }
}

/// Where the event log stood: its length and its last event, so a log that was rebuilt
/// (a reset or a seek backwards) is told apart from one that grew.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogMark {
    len: usize,
    last: Option<(u64, SimTime, String)>,
}

/// The mark of the simulation's log as it stands.
pub fn mark(sim: &Simulation) -> LogMark {
    let events = sim.log().events();
    LogMark {
        len: events.len(),
        last: events.last().map(|e| (e.seq, e.at, e.kind.clone())),
    }
}

/// Transfers reported by events appended after `since`; none on the first look or when
/// the log did not simply grow.
pub fn transfers_since(sim: &Simulation, since: Option<&LogMark>) -> Vec<Transfer> {
    let Some(since) = since else {
        return Vec::new();
    };
    let events = sim.log().events();
    let grew = events.len() >= since.len
        && match (
            &since.last,
            since.len.checked_sub(1).and_then(|i| events.get(i)),
        ) {
            (None, _) => since.len == 0,
            (Some((seq, at, kind)), Some(e)) => e.seq == *seq && e.at == *at && e.kind == *kind,
            (Some(_), None) => false,
        };
    if !grew {
        return Vec::new();
    }
    events
        .get(since.len..)
        .unwrap_or_default()
        .iter()
        .flat_map(|e| from_event(sim, e))
        .collect()
}

/// The registry host an image reference points at (`nginx` → `docker.io`).
fn host_of(image: &str) -> Option<String> {
    Reference::parse(image).ok().map(|r| r.domain)
}

/// The first number after `marker` in `text`.
fn number_after(text: &str, marker: &str) -> Option<usize> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The number just before `marker` in `text`.
fn number_before(text: &str, marker: &str) -> Option<usize> {
    let head = &text[..text.find(marker)?];
    let digits: String = head
        .trim_end()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "layer" } else { "layers" }
}

fn from_event(sim: &Simulation, e: &Event) -> Vec<Transfer> {
    let id = format!("transfer/{}", e.seq);
    match (e.source.component, e.kind.as_str()) {
        (Component::Dockerd, "ImagePushed") => {
            let image = e.object.name.clone();
            let Some(host) = host_of(&image) else {
                return Vec::new();
            };
            let moved = number_after(&e.reason, ": ").unwrap_or(0);
            let already = number_before(&e.reason, "already in the repository").unwrap_or(0);
            let mounted = number_before(&e.reason, "mounted").unwrap_or(0);
            let total = moved + already + mounted;
            let mut label = format!("{image}: {moved} of {total} {} pushed", plural(total));
            if already > 0 {
                label.push_str(&format!("; {already} already in the registry"));
            }
            if mounted > 0 {
                label.push_str(&format!("; {mounted} mounted from another repository"));
            }
            vec![Transfer {
                id,
                from: "component/dockerd".into(),
                to: format!("registry/{host}"),
                image,
                moved,
                total,
                label,
            }]
        }
        (Component::Dockerd, "ImagePulled") => {
            let image = e.object.name.clone();
            let Some(host) = host_of(&image) else {
                return Vec::new();
            };
            let moved = number_after(&e.reason, "downloaded").unwrap_or(0);
            let present = number_before(&e.reason, "already present").unwrap_or(0);
            let total = moved + present;
            let mut label = format!("{image}: {moved} of {total} {} pulled", plural(total));
            if present > 0 {
                label.push_str(&format!("; {present} already on your machine"));
            }
            vec![Transfer {
                id,
                from: format!("registry/{host}"),
                to: "component/dockerd".into(),
                image,
                moved,
                total,
                label,
            }]
        }
        (Component::Kubelet, "Pulled") if e.reason.starts_with("Successfully pulled") => {
            let Some(node) = e.source.host.clone() else {
                return Vec::new();
            };
            let image = e.reason.split('"').nth(1).unwrap_or_default().to_string();
            let Some(host) = host_of(&image) else {
                return Vec::new();
            };
            let present = number_after(&e.reason, "(").unwrap_or(0);
            let total = number_after(&e.reason, " of ").unwrap_or(present);
            let moved = total.saturating_sub(present);
            let mut label = format!(
                "{image} to {node}: {moved} of {total} {} pulled",
                plural(total)
            );
            if present > 0 {
                label.push_str(&format!("; {present} already on the node"));
            }
            vec![Transfer {
                id,
                from: format!("registry/{host}"),
                to: format!("node/{node}"),
                image,
                moved,
                total,
                label,
            }]
        }
        (Component::Fargate | Component::EcsAgent, "TaskPending") => {
            let task = e.object.name.clone();
            let fargate = e.source.component == Component::Fargate;
            e.reason
                .split("; ")
                .filter_map(|part| {
                    let rest = part.rsplit_once("pulling ")?.1;
                    let image = rest.split(' ').next()?.to_string();
                    let resolved =
                        simulator::components::kubelet::pull::resolve(sim.state(), &image).ok()?;
                    let total = resolved.layers.len();
                    let whole = if fargate {
                        "a Fargate micro-VM starts with no image cache"
                    } else {
                        "the instance did not have it yet"
                    };
                    Some(Transfer {
                        id: format!("{id}/{image}"),
                        from: format!("registry/{}", resolved.host),
                        to: format!("task/{task}"),
                        label: format!(
                            "{image}: all {total} {} pulled for task {}; {whole}",
                            plural(total),
                            task.chars().take(8).collect::<String>()
                        ),
                        image,
                        moved: total,
                        total,
                    })
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagram::scene::scene_for;
    use simulator::Scenario;

    fn run(sim: &mut Simulation, line: &str) -> Vec<Transfer> {
        let before = mark(sim);
        sim.run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        transfers_since(sim, Some(&before))
    }

    #[test]
    fn numbers_are_read_from_reasons() {
        let r =
            "pushed a:1 in 2s: 2 layer(s) uploaded (3 MB), 3 already in the repository, 0 mounted";
        assert_eq!(number_after(r, ": "), Some(2));
        assert_eq!(number_before(r, "already in the repository"), Some(3));
        assert_eq!(number_before(r, "mounted"), Some(0));
        assert_eq!(number_after("nothing", "x"), None);
    }

    #[test]
    fn kubelet_pulls_travel_from_the_registry_to_the_node() {
        let mut sim = Simulation::new(&Scenario::named("default").expect("default"));
        run(
            &mut sim,
            "kubectl create deployment web --image=nginx:1.27 --replicas=1",
        );
        let moved = run(&mut sim, "sim advance 60s");
        let pull = moved.first().expect("one pull");
        assert_eq!(pull.from, "registry/docker.io");
        assert!(pull.to.starts_with("node/worker-"), "{pull:?}");
        assert!(pull.moved > 0 && pull.moved == pull.total, "{pull:?}");
        assert!(pull.label.contains("nginx:1.27"));
        let scene = scene_for(&sim);
        assert!(scene.find(&pull.from).is_some() && scene.find(&pull.to).is_some());
    }

    #[test]
    fn no_transfers_on_first_look_or_after_the_log_was_rebuilt() {
        let mut sim = Simulation::new(&Scenario::named("default").expect("default"));
        sim.run("kubectl create deployment web --image=nginx:1.27")
            .expect("runs");
        let at = mark(&sim);
        sim.run("sim advance 60s").expect("runs");
        assert!(transfers_since(&sim, None).is_empty());
        let fresh = Simulation::new(&Scenario::named("default").expect("default"));
        assert!(transfers_since(&fresh, Some(&mark(&sim))).is_empty());
        assert!(!transfers_since(&sim, Some(&at)).is_empty());
    }

    #[test]
    fn pushes_count_only_the_layers_that_moved() {
        let lesson = lessons::find("registries").expect("registries lesson");
        let mut sim = Simulation::new(&lesson.scenario.build().expect("scenario"));
        for line in &lesson.scenario.setup {
            sim.run(line).expect("set-up runs");
        }
        let mut pushes = Vec::new();
        for step in &lesson.steps {
            if let Some(line) = &step.command {
                let before = mark(&sim);
                if sim.run(line).is_ok() && line.starts_with("docker push") {
                    pushes.extend(transfers_since(&sim, Some(&before)));
                }
            }
        }
        let first = pushes.first().expect("the lesson pushes");
        assert_eq!(first.from, "component/dockerd");
        assert!(first.to.starts_with("registry/123456789012.dkr.ecr"));
        assert!(first.moved > 0 && first.moved <= first.total, "{first:?}");
        assert!(
            pushes.iter().any(|p| p.moved < p.total),
            "a later push reuses layers: {pushes:?}"
        );
    }
}
