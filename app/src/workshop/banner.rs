//! The workshop banner, placed once in `App`: while the learner is in a workshop it
//! listens to the student event stream, shows the instructor's broadcasts, applies
//! them to the current page's simulation (if the page has one), and carries the quiet
//! "offline" notice for progress that did not reach the server.

use leptos::prelude::*;

use super::WorkshopHandle;
use super::client::{self, EventStream, StreamState};
use super::model::{self, Broadcast, StudentSnapshot};
use crate::state::{Action, SimHandle};

/// What the banner says about the latest broadcast.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    broadcast: Broadcast,
    /// The command run in this page's simulation, if one was.
    applied: Option<String>,
    /// Whether the page had a simulation at all.
    has_sim: bool,
}

/// Listens to the joined workshop's broadcasts and shows them; see the module docs.
#[component]
pub fn WorkshopBanner() -> impl IntoView {
    let Some(handle) = WorkshopHandle::get() else {
        return ().into_any();
    };
    // Pages provide their `SimHandle` below this owner; looked up when a broadcast comes.
    let owner = StoredValue::new(Owner::current());
    let shown = RwSignal::new(None::<Shown>);
    let stream = StoredValue::new_local(None::<EventStream>);
    // The newest broadcast already seen (past ones in the first snapshot are not news).
    let last_seen = StoredValue::new(None::<i64>);

    let apply = move |broadcast: Broadcast| {
        let sim = owner.with_value(|o| {
            o.as_ref()
                .and_then(|o| o.use_context_bidirectional::<SimHandle>())
        });
        let applied = sim.and_then(|sim| {
            let command = sim.with_simulation(|s| model::broadcast_command(&broadcast, s))?;
            sim.dispatch(Action::Run(command.clone()));
            Some(command)
        });
        handle.set_broadcast(Some(broadcast.clone()));
        shown.set(Some(Shown {
            broadcast,
            applied,
            has_sim: sim.is_some(),
        }));
    };

    let close = move || {
        stream.update_value(|s| {
            if let Some(s) = s.take() {
                s.close();
            }
        });
    };
    Effect::new(move |_| {
        let member = handle.membership().get();
        close();
        last_seen.set_value(None);
        shown.set(None);
        let Some(member) = member else {
            return;
        };
        let path = format!("/api/workshops/{}/student-events", member.workshop_id);
        let opened = client::open_stream(
            path,
            member.token,
            move |event| match event.event.as_str() {
                "snapshot" => {
                    let Ok(snapshot) = serde_json::from_str::<StudentSnapshot>(&event.data) else {
                        return;
                    };
                    let newest = snapshot.broadcasts.iter().map(|b| b.id).max();
                    match last_seen.get_value() {
                        // First connection: remember where the class is.
                        None => last_seen.set_value(Some(newest.unwrap_or(0))),
                        // A reconnection: what was missed meanwhile, newest only.
                        Some(seen) => {
                            if let Some(missed) = snapshot
                                .broadcasts
                                .into_iter()
                                .filter(|b| b.id > seen)
                                .max_by_key(|b| b.id)
                            {
                                last_seen.set_value(Some(missed.id));
                                apply(missed);
                            }
                        }
                    }
                }
                "broadcast" => {
                    let Ok(broadcast) = serde_json::from_str::<Broadcast>(&event.data) else {
                        return;
                    };
                    if last_seen
                        .get_value()
                        .is_some_and(|seen| broadcast.id <= seen)
                    {
                        return;
                    }
                    last_seen.set_value(Some(broadcast.id));
                    apply(broadcast);
                }
                _ => {}
            },
            move |state| {
                // A revoked or unknown membership: stop listening, keep local progress.
                if let StreamState::Refused(_) = state {
                    handle.set_offline(true);
                }
            },
        );
        stream.set_value(Some(opened));
    });
    on_cleanup(close);

    let offline = handle.offline();
    view! {
        <div class="workshop-live" aria-live="polite" data-testid="workshop-live">
            {move || {
                shown
                    .get()
                    .map(|s| {
                        let detail = match (&s.applied, s.has_sim) {
                            (Some(command), _) => {
                                view! {
                                    <p class="workshop-banner-detail">
                                        "Applied to your simulation: "
                                        <code data-testid="workshop-banner-command">{command.clone()}</code>
                                    </p>
                                }
                                    .into_any()
                            }
                            (None, true) => {
                                view! {
                                    <p class="workshop-banner-detail">
                                        "Nothing in this simulation to apply it to."
                                    </p>
                                }
                                    .into_any()
                            }
                            (None, false) => {
                                view! {
                                    <p class="workshop-banner-detail">
                                        "Open the " <a href="/sandbox">"sandbox"</a>
                                        " or a lesson to see events like this happen."
                                    </p>
                                }
                                    .into_any()
                            }
                        };
                        view! {
                            <div
                                class="workshop-banner"
                                role="status"
                                data-testid="workshop-banner"
                                data-event=s.broadcast.event.clone()
                            >
                                <div>
                                    <p class="workshop-banner-message">
                                        <strong>{model::broadcast_message(&s.broadcast.event)}</strong>
                                    </p>
                                    {detail}
                                </div>
                                <button
                                    type="button"
                                    class="button small"
                                    data-testid="workshop-banner-dismiss"
                                    on:click=move |_| {
                                        shown.set(None);
                                        handle.set_broadcast(None);
                                    }
                                >
                                    "Dismiss"
                                </button>
                            </div>
                        }
                    })
            }}
            <Show when=move || offline.get()>
                <p class="workshop-offline" data-testid="workshop-offline">
                    "Offline — progress kept locally."
                </p>
            </Show>
        </div>
    }
    .into_any()
}
