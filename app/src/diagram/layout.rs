//! Layout: a deterministic position for every scene item in one SVG viewBox.
//!
//! The picture is [`WIDTH`] wide and grows downwards with its content. Boxes with
//! children lay them out left to right and wrap; a change of kind starts a new row (a
//! node's agents, then its pods). Pods and tasks are drawn as cells whose size shrinks
//! with the busiest box ([`Density`]), so 200 pods on ten nodes stay legible.

use super::scene::{Item, Kind, Scene, Tone};
use std::collections::BTreeMap;

/// Width of the viewBox, in user units.
pub const WIDTH: f64 = 1200.0;
/// Space around and between boxes.
const GAP: f64 = 8.0;
/// Inner padding of a box.
const PAD: f64 = 8.0;
/// Height of a box's title line.
const TITLE: f64 = 20.0;
/// Height of a status or badge line.
const LINE: f64 = 15.0;
/// Approximate width of one character of 12px label text (kept generous so text fits).
const CHAR: f64 = 6.8;

/// How big a pod or task cell is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Density {
    /// Name and status written in the cell.
    #[default]
    Roomy,
    /// A shortened name and the status symbol.
    Compact,
    /// The status symbol only; names are in the tooltip and the text view.
    Dense,
}

impl Density {
    /// Width and height of one cell of `kind` (a roomy task has a third line: where
    /// it runs).
    pub fn cell(self, kind: Kind) -> (f64, f64) {
        match self {
            Density::Roomy if kind == Kind::Task => (172.0, 52.0),
            Density::Roomy => (172.0, 38.0),
            Density::Compact => (84.0, 28.0),
            Density::Dense => (20.0, 20.0),
        }
    }

    /// The word used in CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            Density::Roomy => "roomy",
            Density::Compact => "compact",
            Density::Dense => "dense",
        }
    }

    fn for_busiest(cells: usize) -> Density {
        match cells {
            0..=6 => Density::Roomy,
            7..=16 => Density::Compact,
            _ => Density::Dense,
        }
    }
}

/// One item with its box and the text that fits in it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Placed {
    /// The scene item's id.
    pub id: String,
    /// The enclosing item's id (empty for sections).
    pub parent: String,
    /// What it is.
    pub kind: Kind,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// The label, shortened to fit.
    pub text: String,
    /// The status line, shortened to fit (empty when there is no room or nothing to say).
    pub sub: String,
    /// Badges joined on one line, shortened to fit.
    pub badges: String,
    /// The full label and status, for the tooltip.
    pub title: String,
    /// Coarse state (pod phase, node readiness, task lastStatus).
    pub phase: String,
    /// Colour and symbol.
    pub tone: Tone,
    /// Container marks to draw (capped).
    pub marks: usize,
}

impl Placed {
    /// Centre point.
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// Whether `other` lies entirely inside this box.
    pub fn contains(&self, other: &Placed) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.x + other.w <= self.x + self.w + 1e-6
            && other.y + other.h <= self.y + self.h + 1e-6
    }

    /// Whether the two boxes share any area.
    pub fn overlaps(&self, other: &Placed) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// Every item's box, in paint order (parents before children).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    /// Cell size used for pods and tasks.
    pub density: Density,
    /// Boxes, parents first.
    pub boxes: Vec<Placed>,
    index: BTreeMap<String, usize>,
}

impl Layout {
    /// The box of an item.
    pub fn get(&self, id: &str) -> Option<&Placed> {
        self.index.get(id).and_then(|&i| self.boxes.get(i))
    }

    /// Item ids in paint order.
    pub fn ids(&self) -> Vec<String> {
        self.boxes.iter().map(|b| b.id.clone()).collect()
    }
}

/// Lays the scene out.
pub fn layout(scene: &Scene) -> Layout {
    let density = Density::for_busiest(busiest(scene));
    let mut ctx = Ctx {
        density,
        out: Vec::new(),
    };
    let mut y = GAP;
    let inner = WIDTH - 2.0 * GAP;
    // Your machine and the registries sit side by side: pushes and pulls run between them.
    let mut sections = scene.sections.iter().peekable();
    while let Some(section) = sections.next() {
        let pair = section.id == "section/machine"
            && sections
                .peek()
                .is_some_and(|next| next.id == "section/registries");
        if pair && let Some(right) = sections.next() {
            let half = (inner - GAP) / 2.0;
            let a = place(&mut ctx, section, "", GAP, y, half);
            let b = place(&mut ctx, right, "", GAP + half + GAP, y, half);
            y += a.max(b) + GAP;
        } else {
            y += place(&mut ctx, section, "", GAP, y, inner) + GAP;
        }
    }
    let index = ctx
        .out
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id.clone(), i))
        .collect();
    Layout {
        width: WIDTH,
        height: y.max(2.0 * GAP),
        density,
        boxes: ctx.out,
        index,
    }
}

struct Ctx {
    density: Density,
    out: Vec<Placed>,
}

/// The most pods or tasks any single box holds.
fn busiest(scene: &Scene) -> usize {
    scene
        .items()
        .iter()
        .map(|i| i.children.iter().filter(|c| is_cell(c.kind)).count())
        .max()
        .unwrap_or(0)
}

fn is_cell(kind: Kind) -> bool {
    matches!(kind, Kind::Pod | Kind::Task)
}

/// Columns a container kind is laid out in, within its parent.
fn columns(item: &Item) -> usize {
    match item.kind {
        Kind::Node | Kind::Service => 3,
        Kind::EcsService | Kind::EksCluster => 2,
        Kind::LoadBalancer if !item.children.is_empty() => 2,
        _ => 1,
    }
}

fn is_container(item: &Item) -> bool {
    matches!(
        item.kind,
        Kind::Section
            | Kind::Node
            | Kind::Registry
            | Kind::Service
            | Kind::EcsCluster
            | Kind::EcsService
            | Kind::EksCluster
    ) || !item.children.is_empty()
}

/// Shortens `text` to fit `width` units, marking the cut with an ellipsis.
pub fn fit(text: &str, width: f64) -> String {
    // The epsilon keeps a width computed as `n * CHAR` from rounding down to n - 1.
    let max = (width / CHAR + 1e-6).floor().max(0.0) as usize;
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// The width a leaf chip asks for.
fn chip_width(item: &Item) -> f64 {
    let chars = item
        .label
        .chars()
        .count()
        .max(item.status.chars().count())
        .max(item.badges.join("  ").chars().count())
        .min(44);
    (chars as f64 * CHAR + 2.0 * PAD + 12.0).max(64.0)
}

fn title_of(item: &Item) -> String {
    let mut title = item.label.clone();
    if !item.status.is_empty() {
        title.push_str(": ");
        title.push_str(&item.status);
    }
    if !item.badges.is_empty() {
        title.push_str(" [");
        title.push_str(&item.badges.join(", "));
        title.push(']');
    }
    if !item.marks.is_empty() {
        title.push_str(&format!(
            " ({} container{}: {})",
            item.marks.len(),
            if item.marks.len() == 1 { "" } else { "s" },
            item.marks.join(", ")
        ));
    }
    title
}

/// The width `item` takes inside a parent whose inner width is `inner`.
fn width_in(ctx: &Ctx, item: &Item, inner: f64) -> f64 {
    if is_cell(item.kind) {
        return ctx.density.cell(item.kind).0.min(inner);
    }
    if is_container(item) {
        let cols = columns(item) as f64;
        return ((inner - GAP * (cols - 1.0)) / cols).max(1.0);
    }
    chip_width(item).min(inner)
}

/// Places `item` at (x, y) with width `w`; returns its height.
fn place(ctx: &mut Ctx, item: &Item, parent: &str, x: f64, y: f64, w: f64) -> f64 {
    let at = ctx.out.len();
    let text_w = w - 2.0 * PAD - 12.0;
    ctx.out.push(Placed {
        id: item.id.clone(),
        parent: parent.to_string(),
        kind: item.kind,
        x,
        y,
        w,
        h: 0.0,
        text: fit(&item.label, text_w),
        sub: fit(&item.status, text_w),
        badges: fit(&item.badges.join("  "), text_w),
        title: title_of(item),
        phase: item.phase.clone(),
        tone: item.tone,
        marks: item.marks.len().min(4),
    });
    let h = if is_cell(item.kind) {
        let h = ctx.density.cell(item.kind).1;
        if let Some(b) = ctx.out.get_mut(at) {
            // Smaller cells trade words for the symbol and the tooltip.
            match ctx.density {
                Density::Roomy => {}
                Density::Compact => {
                    b.text = fit(&item.label, w - 22.0);
                    b.sub.clear();
                    b.badges.clear();
                }
                Density::Dense => {
                    b.text.clear();
                    b.sub.clear();
                    b.badges.clear();
                }
            }
        }
        h
    } else if is_container(item) {
        let mut header = TITLE;
        if !item.status.is_empty() {
            header += LINE;
        }
        if !item.badges.is_empty() {
            header += LINE;
        }
        let body = flow(ctx, item, x + PAD, y + header + PAD / 2.0, w - 2.0 * PAD);
        header + PAD / 2.0 + body + if body > 0.0 { PAD } else { PAD / 2.0 }
    } else {
        let mut h = TITLE + 4.0;
        if !item.status.is_empty() {
            h += LINE - 2.0;
        }
        if !item.badges.is_empty() {
            h += LINE - 2.0;
        }
        h
    };
    if let Some(b) = ctx.out.get_mut(at) {
        b.h = h;
    }
    h
}

/// Lays children out in rows inside (x, y, inner width); returns the rows' height.
fn flow(ctx: &mut Ctx, item: &Item, x: f64, y: f64, inner: f64) -> f64 {
    let (mut cx, mut cy, mut row_h) = (x, y, 0.0_f64);
    let mut last_kind = None;
    let gap_of = |kind: Kind| if is_cell(kind) { 4.0 } else { GAP };
    for child in &item.children {
        let w = width_in(ctx, child, inner);
        let gap = gap_of(child.kind);
        let new_kind = last_kind.is_some_and(|k| k != child.kind);
        if cx > x && (new_kind || cx + w > x + inner + 1e-6) {
            cx = x;
            cy += row_h + gap;
            row_h = 0.0;
        }
        let h = place(ctx, child, &item.id, cx, cy, w);
        row_h = row_h.max(h);
        cx += w + gap;
        last_kind = Some(child.kind);
    }
    if item.children.is_empty() {
        0.0
    } else {
        cy + row_h - y
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diagram::scene::scene_for;
    use simulator::{Scenario, Simulation};

    /// The invariants every layout keeps; shared with the big-scene test.
    pub(crate) fn assert_invariants(scene: &Scene, layout: &Layout) {
        let items = scene.items();
        assert_eq!(layout.boxes.len(), items.len(), "one box per item");
        for b in &layout.boxes {
            assert!(b.w > 0.0 && b.h > 0.0, "{} has a size", b.id);
            assert!(
                b.x >= 0.0 && b.y >= 0.0 && b.x + b.w <= layout.width && b.y + b.h <= layout.height,
                "{} lies inside the viewBox",
                b.id
            );
            if !b.parent.is_empty() {
                let parent = layout.get(&b.parent).expect("parent placed");
                assert!(
                    parent.contains(b),
                    "{} inside its parent {}",
                    b.id,
                    b.parent
                );
            }
        }
        // Siblings never overlap (this covers pods within a node and nodes in a row).
        let mut by_parent: BTreeMap<&str, Vec<&Placed>> = BTreeMap::new();
        for b in &layout.boxes {
            by_parent.entry(b.parent.as_str()).or_default().push(b);
        }
        for siblings in by_parent.values() {
            for (i, a) in siblings.iter().enumerate() {
                for b in &siblings[i + 1..] {
                    assert!(!a.overlaps(b), "{} overlaps {}", a.id, b.id);
                }
            }
        }
        let mut ids: Vec<&str> = layout.boxes.iter().map(|b| b.id.as_str()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "ids are unique");
    }

    #[test]
    fn default_scenario_lays_out_within_the_rules_and_repeatably() {
        let mut sim = Simulation::new(&Scenario::named("default").expect("default"));
        for line in [
            "kubectl taint nodes worker-1 gpu=true:NoSchedule",
            "kubectl create deployment web --image=nginx:1.27 --replicas=5",
            "sim advance 60s",
        ] {
            sim.run(line).expect("runs");
        }
        let scene = scene_for(&sim);
        let a = layout(&scene);
        assert_invariants(&scene, &a);
        assert_eq!(a, layout(&scene_for(&sim)), "same input, same layout");
        let machine = a.get("section/machine").expect("machine");
        let registries = a.get("section/registries").expect("registries");
        assert_eq!(machine.y, registries.y, "side by side");
        assert!(
            a.get("node/worker-1")
                .is_some_and(|n| n.badges.contains("gpu"))
        );
    }

    #[test]
    fn fit_shortens_with_an_ellipsis() {
        assert_eq!(fit("abc", 100.0), "abc");
        assert_eq!(fit("abcdefghijkl", 5.0 * CHAR), "abcd…");
        assert_eq!(fit("abc", 0.0), "");
    }
}
