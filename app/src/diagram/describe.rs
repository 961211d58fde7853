//! The diagram's text alternative: a nested outline a screen reader can follow, and a
//! one-sentence summary for the picture's accessible name.

use super::scene::{Item, Kind, Scene};

/// One line of the outline, with the lines nested under it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Line {
    /// Scene ids this line speaks for (so a highlight can mark it).
    pub ids: Vec<String>,
    /// The sentence.
    pub text: String,
    /// Lines nested under this one.
    pub children: Vec<Line>,
}

/// The outline of the whole scene, one top-level line per section.
pub fn describe(scene: &Scene) -> Vec<Line> {
    scene.sections.iter().map(line).collect()
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn of_kind(item: &Item, kind: Kind) -> Vec<&Item> {
    item.children.iter().filter(|c| c.kind == kind).collect()
}

fn sentence(item: &Item) -> String {
    let status = |prefix: &str| {
        if item.status.is_empty() {
            String::new()
        } else {
            format!("{prefix}{}", item.status)
        }
    };
    match item.kind {
        Kind::Section => {
            let pods = item.walk().iter().filter(|i| i.kind == Kind::Pod).count();
            match item.id.as_str() {
                "section/nodes" => {
                    let nodes = of_kind(item, Kind::Node)
                        .iter()
                        .filter(|n| n.id != "node/(unscheduled)")
                        .count();
                    if nodes == 0 {
                        format!(
                            "{}: no worker nodes, {}",
                            item.label,
                            count(pods, "pod", "pods")
                        )
                    } else {
                        format!(
                            "{}: {}, {}",
                            item.label,
                            count(nodes, "node", "nodes"),
                            count(pods, "pod", "pods")
                        )
                    }
                }
                "section/machine" => format!(
                    "{}: {}, {}",
                    item.label,
                    count(
                        of_kind(item, Kind::Image).len(),
                        "local image",
                        "local images"
                    ),
                    count(
                        of_kind(item, Kind::Container).len(),
                        "container",
                        "containers"
                    )
                ),
                _ => item.label.clone(),
            }
        }
        Kind::Node => {
            let pods = of_kind(item, Kind::Pod).len();
            let mut s = format!("Node {}{}", item.label, status(", "));
            if !item.badges.is_empty() {
                let word = if item.badges.len() == 1 {
                    "taint"
                } else {
                    "taints"
                };
                s.push_str(&format!(", {word} {}", item.badges.join(", ")));
            }
            s.push_str(&format!(", {}", count(pods, "pod", "pods")));
            s
        }
        Kind::Pod | Kind::Task => {
            let what = if item.kind == Kind::Pod {
                "Pod"
            } else {
                "Task"
            };
            let mut s = format!("{what} {} {}", item.label, item.status);
            if !item.badges.is_empty() {
                s.push_str(&format!(", {}", item.badges.join(", ")));
            }
            if !item.marks.is_empty() {
                s.push_str(&format!(
                    " ({}: {})",
                    count(item.marks.len(), "container", "containers"),
                    item.marks.join(", ")
                ));
            }
            s
        }
        Kind::Image => format!("Image {}{}", item.label, status(", ")),
        Kind::Container => format!(
            "Container {} ({}){}",
            item.label,
            item.badges.join(", "),
            status(": ")
        ),
        Kind::Registry => format!("Registry {}{}", item.label, status(": ")),
        Kind::Repository => format!("Repository {}{}", item.label, status(": ")),
        Kind::Service => format!(
            "Service {} ({}){}",
            item.label,
            item.badges.join(", "),
            status(": ")
        ),
        Kind::Instance => format!("Container instance {}{}", item.label, status(": ")),
        Kind::EksCluster => format!("EKS cluster {}{}", item.label, status(": ")),
        _ => {
            let mut s = format!("{}{}", item.label, status(": "));
            if !item.badges.is_empty() {
                s.push_str(&format!(" ({})", item.badges.join(", ")));
            }
            s
        }
    }
}

fn line(item: &Item) -> Line {
    // A node's agents read as one line rather than three.
    let agents: Vec<&Item> = of_kind(item, Kind::Agent);
    let mut children = Vec::new();
    if !agents.is_empty() {
        children.push(Line {
            ids: agents.iter().map(|a| a.id.clone()).collect(),
            text: format!(
                "Runs {}",
                agents
                    .iter()
                    .map(|a| a.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            children: Vec::new(),
        });
    }
    children.extend(
        item.children
            .iter()
            .filter(|c| c.kind != Kind::Agent)
            .map(line),
    );
    Line {
        ids: vec![item.id.clone()],
        text: sentence(item),
        children,
    }
}

/// One sentence for the picture's accessible name.
pub fn summary(scene: &Scene) -> String {
    let mut parts = Vec::new();
    for section in &scene.sections {
        parts.push(sentence(section));
    }
    let mut s = format!("Diagram of the simulated system. {}.", parts.join("; "));
    s.push_str(" The text view lists everything in it.");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagram::scene::scene_for;
    use simulator::{Scenario, Simulation};

    fn flatten(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .flat_map(|l| std::iter::once(l.text.clone()).chain(flatten(&l.children)))
            .collect()
    }

    #[test]
    fn outline_reads_nodes_taints_and_pods() {
        let mut sim = Simulation::new(&Scenario::named("default").expect("default"));
        for line in [
            "kubectl taint nodes worker-1 gpu=true:NoSchedule",
            "kubectl create deployment web --image=nginx:1.27 --replicas=2",
            "sim advance 60s",
        ] {
            sim.run(line).expect("runs");
        }
        let scene = scene_for(&sim);
        let lines = describe(&scene);
        assert_eq!(lines.len(), scene.sections.len());
        let text = flatten(&lines);
        assert!(
            text.iter()
                .any(|t| t.starts_with("Your machine: 0 local images"))
        );
        assert!(text.iter().any(|t| t.starts_with("Registry docker.io: ")));
        assert!(
            text.iter()
                .any(|t| t.starts_with("Node worker-1, Ready, taint gpu=true:NoSchedule, ")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("Pod web-") && t.ends_with("Running (1 container: nginx)")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t == "Runs kubelet, kube-proxy, containerd")
        );
        assert!(text.iter().any(|t| t.starts_with("Nodes: 4 nodes, ")));
        let summary = summary(&scene);
        assert!(summary.starts_with("Diagram of the simulated system. Your machine"));
    }

    #[test]
    fn empty_cluster_says_no_worker_nodes() {
        let scene = scene_for(&Simulation::new(&Scenario::named("empty").expect("empty")));
        let text = flatten(&describe(&scene));
        assert!(
            text.iter().any(|t| t.starts_with("No worker nodes")),
            "{text:#?}"
        );
    }
}
