//! The animated SVG diagram of the whole simulated system, with its text alternative.
//!
//! The model lives in [`crate::diagram`]; this file only draws it. One memo turns the
//! simulation into a scene, a layout and the layer transfers of the latest change;
//! every item is a keyed row whose own memo picks its box out of the layout, so an
//! update with 200 pods only touches the elements that changed. Movement is CSS
//! (transitions on `transform`, keyframes for layers in flight), switched off under
//! `prefers-reduced-motion`.

use leptos::prelude::*;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagram::layout::Density;
use crate::diagram::{
    Kind, Layout, Line, LogMark, Placed, Scene, Transfer, describe, highlighted_ids, layout, mark,
    scene_for, summary, transfers_since,
};
use crate::state::SimHandle;

/// What one look at the simulation yields.
#[derive(Clone, Debug, Default, PartialEq)]
struct Frame {
    scene: Scene,
    layout: Layout,
    transfers: Vec<Transfer>,
    mark: LogMark,
}

/// A transfer with the two ends it runs between.
#[derive(Clone, Debug, PartialEq)]
struct Flight {
    transfer: Transfer,
    from: (f64, f64),
    to: (f64, f64),
}

/// Gives each diagram on a page its own element ids.
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// The system diagram of the page's simulation. `highlight` names components
/// (`kube-scheduler`, `kubelet`) or objects (`node/worker-1`, `deployment/web`) that the
/// current step touches; they get an outline, `data-highlighted="true"` and a marker in
/// the text view.
#[component]
pub fn Diagram(
    /// Component names or object references to highlight.
    #[prop(into, optional)]
    highlight: Signal<Vec<String>>,
) -> impl IntoView {
    let sim = SimHandle::expect();
    let events = sim.events();
    let status = sim.status();
    let frame = Memo::new(move |prev: Option<&Frame>| {
        // Both change on every simulation change, a seek backwards included.
        events.track();
        status.track();
        sim.with_simulation(|s| {
            let scene = scene_for(s);
            let layout = layout(&scene);
            let transfers = transfers_since(s, prev.map(|f| &f.mark));
            Frame {
                scene,
                layout,
                transfers,
                mark: mark(s),
            }
        })
    });
    let lit = Memo::new(move |_| {
        frame.with(|f| highlight.with(|names| highlighted_ids(&f.scene, names)))
    });
    let ids = Memo::new(move |_| frame.with(|f| f.layout.ids()));
    let flights = Memo::new(move |_| frame.with(flights_of));
    let lines = Memo::new(move |_| frame.with(|f| describe(&f.scene)));
    let label = Memo::new(move |_| frame.with(|f| summary(&f.scene)));
    let caption = Memo::new(move |_| frame.with(|f| f.scene.caption.clone()));
    let view_box = move || frame.with(|f| format!("0 0 {} {}", f.layout.width, f.layout.height));
    let density = move || frame.with(|f| f.layout.density.as_str());
    let text_view = RwSignal::new(false);
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let outline_id = format!("diagram-outline-{n}");
    let arrow_id = format!("diagram-arrow-{n}");
    let arrow_url = format!("url(#{arrow_id})");

    view! {
        <figure class="diagram" data-testid="diagram">
            <div class="diagram-toolbar">
                <button
                    type="button"
                    class="button small diagram-toggle"
                    data-testid="diagram-text-toggle"
                    aria-pressed=move || text_view.get().to_string()
                    aria-controls=outline_id.clone()
                    on:click=move |_| text_view.update(|on| *on = !*on)
                >
                    "Text view"
                </button>
            </div>
            <div class="diagram-scroll" tabindex="0" role="group" aria-label="System diagram, scrollable">
                <svg
                    class=move || format!("diagram-svg dg-{}", density())
                    viewBox=view_box
                    role="img"
                    aria-label=move || label.get()
                    aria-describedby=outline_id.clone()
                    preserveAspectRatio="xMidYMin meet"
                >
                    <defs>
                        <marker
                            id=arrow_id
                            viewBox="0 0 10 10"
                            refX="9"
                            refY="5"
                            markerWidth="7"
                            markerHeight="7"
                            orient="auto-start-reverse"
                        >
                            <path class="dg-arrowhead" d="M0,0 L10,5 L0,10 z"></path>
                        </marker>
                    </defs>
                    <For
                        each=move || ids.get()
                        key=|id| id.clone()
                        children=move |id| shape(id, frame, lit)
                    />
                    <g class="dg-transfers">
                        <For
                            each=move || flights.get()
                            key=|f| f.transfer.id.clone()
                            children=move |f| flight(f, arrow_url.clone())
                        />
                    </g>
                </svg>
            </div>
            <figcaption class="diagram-caption">{move || caption.get()}</figcaption>
            <div
                id=outline_id.clone()
                class="diagram-text"
                class:visually-hidden=move || !text_view.get()
                data-testid="diagram-text"
            >
                <ul>
                    <For
                        each=move || lines.get()
                        key=|line| line.ids.clone()
                        children=move |line| section_outline(line.ids, lines, lit)
                    />
                </ul>
                <Show when=move || flights.with(|f| !f.is_empty())>
                    <p class="diagram-moved">"Just moved:"</p>
                    <ul>
                        <For
                            each=move || flights.get()
                            key=|f| f.transfer.id.clone()
                            children=|f| view! { <li>{moved_text(&f.transfer)}</li> }
                        />
                    </ul>
                </Show>
            </div>
        </figure>
    }
}

/// The transfers whose two ends are both drawn, with their centres.
fn flights_of(f: &Frame) -> Vec<Flight> {
    f.transfers
        .iter()
        .filter_map(|t| {
            let from = f.layout.get(&t.from)?.center();
            let to = f.layout.get(&t.to)?.center();
            Some(Flight {
                transfer: t.clone(),
                from,
                to,
            })
        })
        .collect()
}

fn moved_text(t: &Transfer) -> String {
    match t.more() {
        0 => t.label.clone(),
        more => format!("{} (+{more} more layers than drawn)", t.label),
    }
}

/// The attribute a browser test looks an item up by.
fn testid(kind: Kind) -> &'static str {
    match kind {
        Kind::Section => "diagram-section",
        Kind::Component | Kind::Agent => "diagram-component",
        Kind::Node => "diagram-node",
        Kind::Pod => "diagram-pod",
        Kind::Registry => "diagram-registry",
        Kind::Task => "diagram-task",
        Kind::Service => "diagram-service",
        Kind::LoadBalancer => "diagram-load-balancer",
        Kind::Workload => "diagram-workload",
        _ => "diagram-item",
    }
}

fn kind_class(kind: Kind) -> &'static str {
    match kind {
        Kind::Section => "section",
        Kind::Component => "component",
        Kind::Agent => "agent",
        Kind::Image => "image",
        Kind::Container => "container",
        Kind::Registry => "registry",
        Kind::Repository => "repository",
        Kind::Node => "node",
        Kind::Pod => "pod",
        Kind::Workload => "workload",
        Kind::Service => "service",
        Kind::LoadBalancer => "load-balancer",
        Kind::TargetGroup => "target-group",
        Kind::EcsCluster => "ecs-cluster",
        Kind::EcsService => "ecs-service",
        Kind::Instance => "instance",
        Kind::Task => "task",
        Kind::EksCluster => "eks-cluster",
        Kind::Note => "note",
    }
}

/// One item: a group moved into place with a CSS transform, holding its box and text.
fn shape(id: String, frame: Memo<Frame>, lit: Memo<BTreeSet<String>>) -> impl IntoView {
    let key = id.clone();
    let placed =
        Memo::new(move |_| frame.with(|f| f.layout.get(&key).cloned().unwrap_or_default()));
    let key = id.clone();
    let on = Memo::new(move |_| lit.with(|s| s.contains(&key)));
    let kind = frame.with_untracked(|f| f.layout.get(&id).map(|p| p.kind).unwrap_or_default());
    let name = id.rsplit('/').next().unwrap_or_default().to_string();
    let is_cell = matches!(kind, Kind::Pod | Kind::Task);
    let get = move |f: fn(&Placed) -> String| move || placed.with(f);
    let class = move || {
        placed.with(|p| {
            format!(
                "dg-item dg-{} dg-tone-{}",
                kind_class(kind),
                p.tone.as_str()
            )
        })
    };
    let symbol = move || placed.with(|p| p.tone.symbol());
    let text_x = if is_cell { 6.0 } else { 8.0 };
    let label = move || {
        placed.with(|p| {
            let symbol = p.tone.symbol();
            if symbol.is_empty() || !is_cell {
                p.text.clone()
            } else {
                format!("{symbol} {}", p.text)
            }
        })
    };
    let dense = move || frame.with(|f| f.layout.density == Density::Dense) && is_cell;
    view! {
        <g
            class=class
            data-testid=testid(kind)
            data-id=id
            data-name=(matches!(kind, Kind::Component | Kind::Agent)).then_some(name)
            data-phase=get(|p| p.phase.clone())
            data-highlighted=move || on.get().then_some("true")
            aria-current=move || on.get().then_some("true")
            style:transform=move || placed.with(|p| format!("translate({}px, {}px)", p.x, p.y))
        >
            <title>{get(|p| p.title.clone())}</title>
            <rect
                class="dg-box"
                width=move || placed.with(|p| p.w)
                height=move || placed.with(|p| p.h)
                rx=if is_cell { "4" } else { "6" }
            ></rect>
            <Show when=move || on.get()>
                <rect
                    class="dg-highlight"
                    x="-3"
                    y="-3"
                    width=move || placed.with(|p| p.w + 6.0)
                    height=move || placed.with(|p| p.h + 6.0)
                    rx="8"
                ></rect>
            </Show>
            <Show
                when=dense
                fallback=move || {
                    view! {
                        <text class="dg-label" x=text_x y="14">{label}</text>
                        <text class="dg-sub" x=text_x y="28">{get(|p| p.sub.clone())}</text>
                        <text
                            class="dg-badges"
                            x=text_x
                            y=move || placed.with(|p| if p.sub.is_empty() { 28 } else { 42 })
                        >
                            {get(|p| p.badges.clone())}
                        </text>
                    }
                }
            >
                <text class="dg-symbol" x="10" y="14" text-anchor="middle">{symbol}</text>
            </Show>
            {move || {
                placed.with(|p| {
                    (0..p.marks)
                        .map(|i| {
                            let x = p.w - 6.0 - 6.0 * i as f64;
                            view! {
                                <rect class="dg-mark" x=x y=p.h - 6.0 width="4" height="4"></rect>
                            }
                        })
                        .collect_view()
                })
            }}
        </g>
    }
}

/// One transfer: a static arrow with its label, and layer squares travelling along it.
fn flight(f: Flight, marker: String) -> impl IntoView {
    let Flight { transfer, from, to } = f;
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let label = match transfer.more() {
        0 => transfer.label.clone(),
        more => format!("{} (+{more} more)", transfer.label),
    };
    let squares = (0..transfer.squares())
        .map(|i| {
            let style = format!("--dx: {dx}px; --dy: {dy}px; animation-delay: {}ms", i * 180);
            view! {
                <rect
                    class="dg-layer"
                    x=from.0 - 5.0
                    y=from.1 - 5.0
                    width="10"
                    height="10"
                    style=style
                ></rect>
            }
        })
        .collect_view();
    let (mx, my) = ((from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0);
    view! {
        <g
            class="dg-transfer"
            data-testid="diagram-transfer"
            data-from=transfer.from.clone()
            data-to=transfer.to.clone()
            data-moved=transfer.moved
        >
            <title>{label.clone()}</title>
            <line
                class="dg-transfer-path"
                x1=from.0
                y1=from.1
                x2=to.0
                y2=to.1
                marker-end=marker
            ></line>
            {squares}
            <text class="dg-transfer-label" x=mx y=my - 8.0 text-anchor="middle">{label}</text>
        </g>
    }
}

/// A top-level outline entry; its children are keyed by content so that a change in one
/// node re-renders that node's lines only.
fn section_outline(
    ids: Vec<String>,
    lines: Memo<Vec<Line>>,
    lit: Memo<BTreeSet<String>>,
) -> impl IntoView {
    let key = ids.clone();
    let this = Memo::new(move |_| lines.with(|ls| ls.iter().find(|l| l.ids == key).cloned()));
    let text = move || this.with(|l| l.as_ref().map(|l| l.text.clone()).unwrap_or_default());
    let children =
        move || this.with(|l| l.as_ref().map(|l| l.children.clone()).unwrap_or_default());
    view! {
        <li>
            <span class="dg-outline-section">{text}</span>
            {marker(ids, lit)}
            <ul>
                <For
                    each=children
                    key=|line| line.clone()
                    children=move |line| outline(line, lit)
                />
            </ul>
        </li>
    }
}

/// The "(highlighted)" marker a highlighted line carries in the text view.
fn marker(ids: Vec<String>, lit: Memo<BTreeSet<String>>) -> impl IntoView {
    let on = move || lit.with(|s| ids.iter().any(|id| s.contains(id)));
    view! {
        <Show when=on>
            <strong class="dg-outline-mark">" (highlighted in this step)"</strong>
        </Show>
    }
}

fn outline(line: Line, lit: Memo<BTreeSet<String>>) -> AnyView {
    let Line {
        ids,
        text,
        children,
    } = line;
    let nested = (!children.is_empty()).then(|| {
        let items = children.into_iter().map(|c| outline(c, lit)).collect_view();
        view! { <ul>{items}</ul> }
    });
    let current = ids.clone();
    view! {
        <li aria-current=move || {
            lit.with(|s| current.iter().any(|id| s.contains(id))).then_some("true")
        }>
            {text}
            {marker(ids, lit)}
            {nested}
        </li>
    }
    .into_any()
}
