//! The event log panel: every simulator event (time, source, object, kind,
//! reason), oldest first, keyed by the event's `seq`.

use leptos::html;
use leptos::prelude::*;

use crate::components::terminal::stick_to_bottom;
use crate::state::SimHandle;

/// How many of the newest events the panel renders.
pub const MAX_ROWS: usize = 500;

/// The event log of the page's simulation; rows that involve a highlighted
/// component (`kubelet`) or object (`node/worker-1`) stand out.
#[component]
pub fn EventLog(
    /// Component names or objects to highlight.
    #[prop(into, optional)]
    highlight: Signal<Vec<String>>,
) -> impl IntoView {
    let sim = SimHandle::expect();
    let scroll_ref = NodeRef::<html::Div>::new();
    stick_to_bottom(scroll_ref, sim.events());
    let total = move || sim.events().with(Vec::len);

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
                                each=move || {
                                    sim.events()
                                        .with(|rows| {
                                            rows[rows.len().saturating_sub(MAX_ROWS)..].to_vec()
                                        })
                                }
                                key=|row| row.seq
                                children=move |row| {
                                    let (source, object) = (row.source.clone(), row.object.clone());
                                    let lit = move || {
                                        highlight.with(|h| h.iter().any(|h| involves(&source, &object, h)))
                                    };
                                    let warning = row.kind.eq_ignore_ascii_case("warning");
                                    view! {
                                        <tr
                                            data-testid="event-row"
                                            data-seq=row.seq
                                            class:highlight=lit
                                            class:warning=warning
                                        >
                                            <td class="mono">{row.at}</td>
                                            <td>{row.source}</td>
                                            <td class="mono">{row.object}</td>
                                            <td>{row.kind}</td>
                                            <td>{row.reason}</td>
                                        </tr>
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

/// Whether an event from `source` about `object` involves `name` (a component
/// name such as `kubelet`, a source such as `kubelet/worker-1`, or an object).
pub fn involves(source: &str, object: &str, name: &str) -> bool {
    let component = source.split('/').next().unwrap_or(source);
    !name.is_empty() && (component == name || source == name || object == name)
}

#[cfg(test)]
mod tests {
    use super::involves;

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
}
