//! The sandbox (`/sandbox?scenario=NAME&seed=N&j=JOURNAL&at=POS`): a free-form terminal
//! on a simulation of the chosen scenario, with its timeline, event log and status line.
//!
//! The URL always describes the state (see `crate::share` for the encoding): every
//! command or seek rewrites it in place (`replace`), so copying the address bar or
//! pressing "Share" gives a link that rebuilds exactly this state, and a reload does too.

use leptos::prelude::*;

use crate::components::form::select_on_focus;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::js_sys;

use crate::browser_file;
use crate::components::charts_panel::ChartsPanel;
use crate::components::diagram::Diagram;
use crate::components::event_log::EventLog;
use crate::components::status::StatusLine;
use crate::components::terminal::Terminal;
use crate::components::timeline::TimelineBar;
use crate::share::{
    self, LinkRequest, MAX_SESSION_FILE_BYTES, SESSION_FILE_NAME, sandbox_path, session_to_json,
};
use crate::state::{Action, Session, SimHandle};

/// The sandbox page; the URL's `scenario`, `seed`, `j` and `at` pick the state.
#[component]
pub fn SandboxPage() -> impl IntoView {
    let query = use_query_map();
    let link = Memo::new(move |_| {
        let q = query.read();
        LinkRequest::parse(
            q.get_str("scenario"),
            q.get_str("seed"),
            q.get_str("j"),
            q.get_str("at"),
        )
    });
    let first = link.get_untracked();
    let (first_scenario, first_seed) = first.resolve();
    let sim = SimHandle::provide(
        first.scenario.as_deref().unwrap_or(&first_scenario),
        Some(first_seed),
    );
    // Why the link's journal could not be used (decoding or replay), shown as an alert.
    let link_error = RwSignal::new(None::<String>);
    // The last session this page wrote into the URL: seeing it come back is not news.
    let written = StoredValue::new(None::<Session>);

    let apply_link = move |req: &LinkRequest| {
        let current = sim.session().get_untracked();
        if req.same_run(&current) {
            if req.position() != current.position {
                sim.dispatch(Action::Seek(req.position()));
            }
        } else {
            let (scenario, seed) = req.resolve();
            sim.dispatch(Action::Restore {
                // The name as asked, so an unknown one gets its message in the terminal.
                scenario: req.scenario.clone().unwrap_or(scenario),
                seed,
                journal: req.journal.clone(),
                position: req.position(),
            });
            link_error.set(
                sim.restore_error()
                    .map(|e| format!("This link's session could not be replayed: {e}.")),
            );
        }
        if let Some(err) = &req.error {
            link_error.set(Some(format!(
                "This link's commands could not be read ({err}), so the scenario starts without them."
            )));
        }
    };
    apply_link(&first);

    // Back/forward, a pasted link, or another scenario or seed: rebuild (or just seek).
    Effect::watch(
        move || link.get(),
        move |req, _, _| {
            let ours = written.with_value(|w| w.as_ref().is_some_and(|s| req.describes(s)));
            if !ours {
                apply_link(req);
            }
        },
        false,
    );

    // Keep the URL describing the state, in place, so the history is not flooded.
    let navigate = use_navigate();
    let replace_url = navigate.clone();
    Effect::new(move |_| {
        let session = sim.session().get();
        if link.with_untracked(|req| req.describes(&session)) {
            return;
        }
        let path = sandbox_path(&session);
        written.set_value(Some(session));
        replace_url(
            &path,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });

    let go = move |scenario: String, seed: Option<u64>| {
        let mut url = format!("/sandbox?scenario={scenario}");
        if let Some(seed) = seed {
            url.push_str(&format!("&seed={seed}"));
        }
        link_error.set(None);
        navigate(&url, Default::default());
    };
    let seed_text = RwSignal::new(sim.session().get_untracked().seed.to_string());
    Effect::new(move |_| seed_text.set(sim.session().read().seed.to_string()));

    let go_scenario = go.clone();
    let on_scenario = move |ev| {
        go_scenario(event_target_value(&ev), None);
    };
    let on_restart = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = seed_text.get_untracked().trim().parse::<u64>().ok();
        let current = sim.session().get_untracked();
        link_error.set(None);
        if wanted.is_none_or(|w| w == current.seed) {
            // Same scenario and seed: start over, without the commands.
            sim.dispatch(Action::Restore {
                scenario: current.scenario,
                seed: current.seed,
                journal: Vec::new(),
                position: 0,
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

    // "Seek to this moment" from the event log: the position whose command emitted it.
    let on_seek = Callback::new(move |seq: u64| {
        let position = sim.with_timeline(|t| t.position_of_event(seq));
        sim.dispatch(Action::Seek(position));
    });

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
            {move || {
                link_error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="share-error" role="alert" data-testid="link-error">
                                {message}
                            </p>
                        }
                    })
            }}
            <StatusLine />
            <TimelineBar />
            <Diagram />
            <div class="workbench">
                <Terminal interactive=true />
                <EventLog on_seek=on_seek />
            </div>
            <ChartsPanel />
            <SessionTools />
        </div>
    }
}

/// Share, export and import of the sandbox session.
#[component]
fn SessionTools() -> impl IntoView {
    let sim = SimHandle::expect();
    let status = RwSignal::new(String::new());
    let shown_link = RwSignal::new(None::<String>);
    let import_error = RwSignal::new(None::<String>);
    let link_input = NodeRef::<leptos::html::Input>::new();

    let full_link = move || {
        let origin = window().location().origin().unwrap_or_default();
        format!("{origin}{}", sandbox_path(&sim.session().get_untracked()))
    };

    let on_share = move |_| {
        let url = full_link();
        shown_link.set(Some(url.clone()));
        status.set(String::new());
        // The fallback: the link, selected, for the learner to copy by hand.
        let select_link = move || {
            request_animation_frame(move || {
                if let Some(input) = link_input.get_untracked() {
                    let _ = input.focus();
                    input.select();
                }
            });
        };
        let navigator = window().navigator();
        // `navigator.clipboard` is missing outside secure contexts.
        let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
            .is_ok_and(|c| !c.is_undefined() && !c.is_null());
        if !has_clipboard {
            status.set("Copy the link below (Ctrl+C or ⌘C).".to_string());
            select_link();
            return;
        }
        let promise = navigator.clipboard().write_text(&url);
        let on_ok = Closure::once_into_js(move |_: wasm_bindgen::JsValue| {
            status.set("Link copied".to_string());
        });
        let on_err = Closure::once_into_js(move |_: wasm_bindgen::JsValue| {
            status.set(
                "Could not copy automatically: copy the link below (Ctrl+C or ⌘C).".to_string(),
            );
            select_link();
        });
        let then = js_sys::Reflect::get(&promise, &"then".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(then) = then {
            let _ = then.call2(&promise, &on_ok, &on_err);
        }
    };

    let on_export = move |_| {
        let json = session_to_json(&sim.session().get_untracked());
        if let Err(message) = browser_file::download_json(SESSION_FILE_NAME, &json) {
            status.set(format!("Export failed: {message}"));
        } else {
            status.set(format!("Saved {SESSION_FILE_NAME}"));
        }
    };

    let on_import = move |ev: leptos::ev::Event| {
        let Some(file) = browser_file::take_chosen(&ev) else {
            return;
        };
        import_error.set(None);
        let name = file.name();
        browser_file::read_text(file, MAX_SESSION_FILE_BYTES, move |read| {
            let outcome = read.and_then(|text| {
                let session =
                    share::session_from_json(&text).map_err(|e| format!("{name}: {e}."))?;
                sim.dispatch(session.restore());
                match sim.restore_error() {
                    Some(err) => Err(format!("{name}: {err}.")),
                    None => Ok(()),
                }
            });
            match outcome {
                Ok(()) => status.set(format!("Loaded {name}")),
                Err(message) => import_error.set(Some(message)),
            }
        });
    };

    view! {
        <section class="session-tools" aria-label="Share and save this session">
            <div class="session-buttons">
                <button type="button" class="button" data-testid="share-button" on:click=on_share>
                    "Share"
                </button>
                <button
                    type="button"
                    class="button"
                    data-testid="export-session"
                    on:click=on_export
                >
                    "Export session"
                </button>
                <label class="button import-label">
                    "Import session"
                    <input
                        type="file"
                        class="visually-hidden"
                        accept=".json,application/json"
                        data-testid="import-session"
                        on:change=on_import
                    />
                </label>
                <span class="share-status" aria-live="polite" data-testid="share-status">
                    {move || status.get()}
                </span>
            </div>
            {move || {
                shown_link
                    .get()
                    .map(|url| {
                        view! {
                            <label class="share-link">
                                <span>"Link to this exact state"</span>
                                <input
                                    type="text"
                                    readonly
                                    node_ref=link_input
                                    data-testid="share-link"
                                    prop:value=url
                                    on:focus=select_on_focus
                                />
                            </label>
                        }
                    })
            }}
            {move || {
                import_error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="share-error" role="alert" data-testid="import-error">
                                {message}
                            </p>
                        }
                    })
            }}
        </section>
    }
}
