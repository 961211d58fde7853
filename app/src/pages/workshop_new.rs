//! `/workshops/new`: an instructor creates a workshop (title, lessons, sandbox preset),
//! then sees the join code for the class and the secret link to the dashboard.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::form::{FormError, SubmitButton, select_on_focus, submit};
use serde_json::json;

use crate::workshop::model::CreatedWorkshop;

/// The most lessons a workshop may have (the server's limit).
pub const MAX_LESSONS: usize = 20;

/// The longest title the server accepts, in characters.
pub const MAX_TITLE: usize = 120;

/// The form, then the created workshop.
#[component]
pub fn NewWorkshopPage() -> impl IntoView {
    let created = RwSignal::new(None::<CreatedWorkshop>);
    view! {
        <div class="page workshop-new" data-testid="workshop-new">
            {move || match created.get() {
                None => view! { <CreateForm created /> }.into_any(),
                Some(workshop) => view! { <Created workshop /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn CreateForm(created: RwSignal<Option<CreatedWorkshop>>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let preset = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let title_text = title.get_untracked().trim().to_string();
        // In catalog order, as the instructor saw them.
        let lessons: Vec<String> = chosen.with_untracked(|c| {
            lessons::catalog()
                .iter()
                .filter(|l| c.contains(&l.id))
                .map(|l| l.id.clone())
                .collect()
        });
        let problem = if title_text.is_empty() {
            Some("Give the workshop a title.".to_string())
        } else if title_text.chars().count() > MAX_TITLE {
            Some(format!("The title can be at most {MAX_TITLE} characters."))
        } else if lessons.is_empty() {
            Some("Choose at least one lesson.".to_string())
        } else if lessons.len() > MAX_LESSONS {
            Some(format!("Choose at most {MAX_LESSONS} lessons."))
        } else {
            None
        };
        let mut body = json!({ "title": title_text, "lessons": lessons });
        let preset = preset.get_untracked();
        if !preset.is_empty() {
            body["preset"] = json!(preset);
        }
        submit(
            error,
            busy,
            problem,
            "/api/workshops",
            body,
            move |workshop: CreatedWorkshop| created.set(Some(workshop)),
            |e| format!("The workshop was not created: {e}"),
        );
    };

    let lesson_boxes = lessons::catalog()
        .iter()
        .map(|lesson| {
            let id = lesson.id.clone();
            let input_id = format!("ws-lesson-{id}");
            let toggle_id = id.clone();
            let checked_id = id.clone();
            view! {
                <li>
                    <input
                        type="checkbox"
                        id=input_id.clone()
                        value=id.clone()
                        data-testid="ws-lesson"
                        prop:checked=move || chosen.with(|c| c.contains(&checked_id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen
                                .update(|c| {
                                    if on {
                                        c.insert(toggle_id.clone());
                                    } else {
                                        c.remove(&toggle_id);
                                    }
                                });
                        }
                    />
                    <label for=input_id>
                        {lesson.title.clone()}
                        <span class="muted">{format!(" · {} · {} min", lesson.track, lesson.minutes)}</span>
                    </label>
                </li>
            }
        })
        .collect_view();
    let presets = simulator::Scenario::names()
        .into_iter()
        .map(|name| view! { <option value=name>{name}</option> })
        .collect_view();

    view! {
        <h1>"Run a workshop"</h1>
        <p class="lead">
            "Pick the lessons for your class. You get a join code for your students and a secret link to a live dashboard of their progress."
        </p>
        <form class="panel workshop-form" on:submit=on_submit novalidate>
            <div class="field">
                <label for="ws-title">"Title"</label>
                <input
                    id="ws-title"
                    type="text"
                    required
                    maxlength=MAX_TITLE.to_string()
                    data-testid="ws-title"
                    placeholder="Kubernetes basics, Tuesday group"
                    prop:value=title
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
            </div>
            <fieldset class="field">
                <legend>"Lessons"</legend>
                <ul class="ws-lesson-list">{lesson_boxes}</ul>
                <p class="muted" aria-live="polite">
                    {move || format!("{} chosen (at most {MAX_LESSONS})", chosen.with(BTreeSet::len))}
                </p>
            </fieldset>
            <div class="field">
                <label for="ws-preset">"Sandbox preset (optional)"</label>
                <select
                    id="ws-preset"
                    data-testid="ws-preset"
                    on:change=move |ev| preset.set(event_target_value(&ev))
                >
                    <option value="" selected>"Server default"</option>
                    {presets}
                </select>
            </div>
            <FormError error=error testid="ws-error" />
            <SubmitButton busy=busy idle="Create workshop" working="Creating…" testid="ws-create" />
        </form>
    }
}

#[component]
fn Created(workshop: CreatedWorkshop) -> impl IntoView {
    let origin = window().location().origin().unwrap_or_default();
    let instructor_link = format!("{origin}{}", workshop.instructor_url);
    let join_link = format!("{origin}/join?code={}", workshop.join_code);
    let heading = NodeRef::<leptos::html::H1>::new();
    // Move the focus to the result so keyboard and screen-reader users land on it.
    request_animation_frame(move || {
        if let Some(h) = heading.get_untracked() {
            let _ = h.focus();
        }
    });
    view! {
        <h1 tabindex="-1" node_ref=heading>{workshop.title.clone()}</h1>
        <section class="panel workshop-created" aria-labelledby="ws-code-heading">
            <h2 id="ws-code-heading" class="panel-title">"Join code for your class"</h2>
            <p class="join-code" data-testid="join-code">{workshop.join_code.clone()}</p>
            <p>
                "Students open " <a href=join_link.clone() data-testid="join-link">{join_link.clone()}</a>
                " (or " <code>"/join"</code> " and type the code)."
            </p>
        </section>
        <section class="panel workshop-secret" aria-labelledby="ws-secret-heading">
            <h2 id="ws-secret-heading" class="panel-title">"Your instructor link"</h2>
            <p class="warning" role="note">
                <strong>"Keep this link secret."</strong>
                " Anyone with it can watch the class and send events to every student. It is shown only now: save it (bookmark it) before you leave this page."
            </p>
            <label class="share-link">
                <span>"Instructor dashboard link"</span>
                <input
                    type="text"
                    readonly
                    data-testid="instructor-url"
                    prop:value=instructor_link.clone()
                    on:focus=select_on_focus
                />
            </label>
            <p>
                <a class="button primary" href=instructor_link data-testid="instructor-link">
                    "Open the dashboard"
                </a>
            </p>
        </section>
    }
}
