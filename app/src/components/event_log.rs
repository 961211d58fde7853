//! The event log panel: every simulator event (time, source, object, kind,
//! reason), oldest first, keyed by the event's `seq`. A decision that carries a
//! structured explanation (a scheduling cycle, an HPA sync, a build step) gets a
//! "Why?" disclosure that opens the explanation under its row; every other event's
//! reason is its explanation.

use std::collections::BTreeSet;

use leptos::html;
use leptos::prelude::*;

use crate::components::explain::{Explanation, detail_label, find_event};
use crate::state::SimHandle;

/// How many of the newest events the panel renders.
pub const MAX_ROWS: usize = crate::state::EVENT_TAIL;

/// The id of the explanation panel of event `seq` (the disclosure's `aria-controls`).
pub fn explanation_id(seq: u64) -> String {
    format!("event-explanation-{seq}")
}

/// The event log of the page's simulation; rows that involve a highlighted
/// component (`kubelet`) or object (`node/worker-1`) stand out.
#[component]
pub fn EventLog(
    /// Component names or objects to highlight.
    #[prop(into, optional)]
    highlight: Signal<Vec<String>>,
    /// When set, each row's time is a button that calls this with the event's `seq`
    /// (to seek the simulation to that moment).
    #[prop(optional)]
    on_seek: Option<Callback<u64>>,
) -> impl IntoView {
    let sim = SimHandle::expect();
    let scroll_ref = NodeRef::<html::Div>::new();
    // Events whose explanation is open, by seq.
    let open = RwSignal::new(BTreeSet::<u64>::new());
    let total = move || sim.event_total().get();

    // A new simulation (a reset or a lesson step's reload) numbers its events from 0
    // again: explanations opened on the old one no longer apply.
    Effect::new(move |previous: Option<usize>| {
        let len = sim.event_total().get();
        if previous.is_some_and(|p| len < p) {
            open.update(BTreeSet::clear);
        }
        len
    });

    // Stick to the newest event, except while the learner is reading an explanation
    // of an event that is still shown.
    Effect::new(move |_| {
        let first_shown = sim
            .events()
            .with(|rows| rows.first().map_or(u64::MAX, |r| r.seq));
        let reading = open.with_untracked(|o| o.range(first_shown..).next().is_some());
        if reading {
            return;
        }
        request_animation_frame(move || {
            // The element may be gone by the next frame (its view was replaced).
            if let Some(el) = scroll_ref.try_get_untracked().flatten() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    });

    view! {
        <section class="panel event-log" aria-labelledby="event-log-heading">
            <h2 id="event-log-heading" class="panel-title">
                "Events "
                <span class="count">{move || format!("({})", total())}</span>
            </h2>
            <div
                class="event-log-scroll"
                data-testid="event-log"
                node_ref=scroll_ref
                tabindex="0"
                role="region"
                aria-label="Event log"
            >
                <Show
                    when=move || { total() > 0 }
                    fallback=|| view! { <p class="muted">"No events yet."</p> }
                >
                    <Show when=move || { total() > MAX_ROWS }>
                        <p class="muted">
                            {move || format!("Showing the newest {MAX_ROWS} of {} events.", total())}
                        </p>
                    </Show>
                    <table class="events">
                        <thead>
                            <tr>
                                <th scope="col">"Time"</th>
                                <th scope="col">"Source"</th>
                                <th scope="col">"Object"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Reason"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || sim.events().get()
                                key=|row| row.seq
                                children=move |row| {
                                    let seq = row.seq;
                                    let (source, object) = (row.source.clone(), row.object.clone());
                                    let lit = move || {
                                        highlight.with(|h| h.iter().any(|h| involves(&source, &object, h)))
                                    };
                                    let warning = row.kind.eq_ignore_ascii_case("warning");
                                    // Untracked: an event never changes once logged.
                                    let explains = sim.with_simulation(|s| {
                                        find_event(s, seq)
                                            .and_then(|e| e.detail.as_deref())
                                            .map(detail_label)
                                    });
                                    let is_open = move || open.with(|o| o.contains(&seq));
                                    let time = match on_seek {
                                        Some(seek) => view! {
                                            <button
                                                type="button"
                                                class="event-seek"
                                                data-testid="event-seek"
                                                data-seq=seq
                                                aria-label=format!("Go to {} (event {seq})", row.at)
                                                on:click=move |_| seek.run(seq)
                                            >
                                                {row.at.clone()}
                                            </button>
                                        }
                                        .into_any(),
                                        None => row.at.clone().into_any(),
                                    };
                                    let why = explains.map(|label| {
                                        let name = format!("Why? Explain the {label}: {} {}", row.kind, row.object);
                                        view! {
                                            " "
                                            <button
                                                type="button"
                                                class="button small event-explain"
                                                data-testid="event-explain"
                                                data-seq=seq
                                                aria-expanded=move || if is_open() { "true" } else { "false" }
                                                aria-controls=explanation_id(seq)
                                                aria-label=name
                                                on:click=move |_| {
                                                    open.update(|o| {
                                                        if !o.remove(&seq) {
                                                            o.insert(seq);
                                                        }
                                                    })
                                                }
                                            >
                                                {move || if is_open() { "Hide why" } else { "Why?" }}
                                            </button>
                                        }
                                    });
                                    let has_detail = explains.is_some();
                                    view! {
                                        <tr
                                            data-testid="event-row"
                                            data-seq=seq
                                            class:highlight=lit
                                            class:warning=warning
                                            class:explained=is_open
                                        >
                                            <td class="mono">{time}</td>
                                            <td>{row.source}</td>
                                            <td class="mono">{row.object}</td>
                                            <td>{row.kind}</td>
                                            <td>{row.reason} {why}</td>
                                        </tr>
                                        {has_detail
                                            .then(|| {
                                                view! {
                                                    <tr
                                                        class="explanation-row"
                                                        id=explanation_id(seq)
                                                        hidden=move || !is_open()
                                                    >
                                                        <td colspan="5">
                                                            <Show when=is_open>
                                                                <ExplanationPanel seq=seq />
                                                            </Show>
                                                        </td>
                                                    </tr>
                                                }
                                            })}
                                    }
                                }
                            />
                        </tbody>
                    </table>
                </Show>
            </div>
        </section>
    }
}

/// The explanation of event `seq`, looked up in the simulation when it opens.
#[component]
fn ExplanationPanel(seq: u64) -> impl IntoView {
    let sim = SimHandle::expect();
    let detail =
        sim.with_simulation(|s| find_event(s, seq).and_then(|e| e.detail.as_deref().cloned()));
    view! {
        <div class="explanation" data-testid="explanation" data-seq=seq>
            {match detail {
                Some(d) => view! { <Explanation detail=d /> }.into_any(),
                None => view! { <p class="muted">"This event is no longer in the simulation."</p> }
                    .into_any(),
            }}
        </div>
    }
}

/// Whether an event from `source` about `object` involves `name` (a component
/// name such as `kubelet`, a source such as `kubelet/worker-1`, or an object).
pub fn involves(source: &str, object: &str, name: &str) -> bool {
    let component = source.split('/').next().unwrap_or(source);
    !name.is_empty() && (component == name || source == name || object == name)
}

#[cfg(test)]
mod tests {
    use super::{explanation_id, involves};

    #[test]
    fn matches_components_sources_and_objects() {
        assert!(involves("kubelet/worker-1", "node/worker-1", "kubelet"));
        assert!(involves(
            "kubelet/worker-1",
            "node/worker-1",
            "node/worker-1"
        ));
        assert!(!involves("kube-scheduler", "pod/web", "kubelet"));
        assert!(!involves("kube-scheduler", "pod/web", ""));
    }

    #[test]
    fn explanation_ids_are_unique_per_event() {
        assert_eq!(explanation_id(42), "event-explanation-42");
        assert_ne!(explanation_id(1), explanation_id(11));
    }
}
