//! The sandbox (`/sandbox?scenario=NAME&seed=N`): a free-form terminal on a
//! simulation of the chosen scenario, with its event log and status line.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::event_log::EventLog;
use crate::components::status::StatusLine;
use crate::components::terminal::Terminal;
use crate::state::{Action, DEFAULT_SCENARIO, SimHandle};

/// The sandbox page; the URL's `scenario` and `seed` pick the simulation.
#[component]
pub fn SandboxPage() -> impl IntoView {
    let query = use_query_map();
    let scenario = Memo::new(move |_| {
        query
            .read()
            .get("scenario")
            .unwrap_or_else(|| DEFAULT_SCENARIO.to_string())
    });
    let seed = Memo::new(move |_| {
        query
            .read()
            .get("seed")
            .and_then(|s| s.trim().parse::<u64>().ok())
    });
    let sim = SimHandle::provide(&scenario.get_untracked(), seed.get_untracked());

    // Back/forward or a link to another scenario or seed: start over.
    Effect::watch(
        move || (scenario.get(), seed.get()),
        move |(scenario, seed), _, _| {
            sim.dispatch(Action::Load {
                scenario: scenario.clone(),
                seed: *seed,
                files: Vec::new(),
                setup: Vec::new(),
                commands: Vec::new(),
            })
        },
        false,
    );

    let navigate = use_navigate();
    let go = move |scenario: String, seed: Option<u64>| {
        let mut url = format!("/sandbox?scenario={scenario}");
        if let Some(seed) = seed {
            url.push_str(&format!("&seed={seed}"));
        }
        navigate(&url, Default::default());
    };
    let seed_text = RwSignal::new(sim.status().get_untracked().seed.to_string());
    Effect::new(move |_| seed_text.set(sim.status().read().seed.to_string()));

    let go_scenario = go.clone();
    let on_scenario = move |ev| {
        go_scenario(event_target_value(&ev), None);
    };
    let on_restart = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = seed_text.get_untracked().trim().parse::<u64>().ok();
        let current = sim.status().get_untracked();
        if current.scenario == scenario.get_untracked() && wanted == seed.get_untracked() {
            sim.dispatch(Action::Load {
                scenario: current.scenario,
                seed: wanted,
                files: Vec::new(),
                setup: Vec::new(),
                commands: Vec::new(),
            });
        } else {
            go(current.scenario, wanted);
        }
    };

    let options = simulator::Scenario::names()
        .into_iter()
        .map(|name| {
            view! {
                <option value=name prop:selected=move || sim.status().read().scenario == name>
                    {name}
                </option>
            }
        })
        .collect_view();

    view! {
        <div class="page sandbox" data-testid="sandbox">
            <div class="page-heading">
                <h1>"Sandbox"</h1>
                <form class="sandbox-controls" on:submit=on_restart>
                    <label for="scenario-select">"Scenario"</label>
                    <select id="scenario-select" data-testid="scenario-select" on:change=on_scenario>
                        {options}
                    </select>
                    <label for="seed-input">"Seed"</label>
                    <input
                        id="seed-input"
                        data-testid="seed-input"
                        type="number"
                        min="0"
                        inputmode="numeric"
                        prop:value=seed_text
                        on:input=move |ev| seed_text.set(event_target_value(&ev))
                    />
                    <button type="submit" class="button" data-testid="sandbox-restart">
                        "Restart"
                    </button>
                </form>
            </div>
            <StatusLine />
            <div class="workbench">
                <Terminal interactive=true />
                <EventLog />
            </div>
        </div>
    }
}
