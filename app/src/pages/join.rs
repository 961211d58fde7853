//! `/join` (and `/join?code=XXXXXX`): a student joins a workshop with its code and a
//! display name; once joined, the page lists the workshop's lessons and its sandbox,
//! and offers to leave. The membership is kept in `localStorage`
//! (`crate::workshop::STORAGE_KEY`), so progress reports and broadcasts follow the
//! student around the app.

use leptos::prelude::*;

use crate::components::form::{FormError, SubmitButton, submit};
use leptos_router::hooks::use_query_map;
use serde_json::json;

use crate::workshop::model::Joined;
use crate::workshop::{Membership, WorkshopHandle};

/// The longest display name the server accepts, in characters.
pub const MAX_NAME: usize = 40;

/// The join form, or the joined workshop.
#[component]
pub fn JoinPage() -> impl IntoView {
    let Some(handle) = WorkshopHandle::get() else {
        return view! { <p>"Workshops are not available here."</p> }.into_any();
    };
    let membership = handle.membership();
    view! {
        <div class="page workshop-join" data-testid="workshop-join">
            {move || match membership.get() {
                Some(member) => view! { <Joined member handle /> }.into_any(),
                None => view! { <JoinForm handle /> }.into_any(),
            }}
        </div>
    }
    .into_any()
}

#[component]
fn JoinForm(handle: WorkshopHandle) -> impl IntoView {
    let query = use_query_map();
    let code = RwSignal::new(query.with_untracked(|q| q.get("code").unwrap_or_default()));
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let code_text = code.get_untracked().trim().to_string();
        let name_text = name.get_untracked().trim().to_string();
        let problem = if code_text.is_empty() {
            Some("Type the join code your instructor gave you.".to_string())
        } else if name_text.is_empty() {
            Some("Type the name your instructor will see.".to_string())
        } else if name_text.chars().count() > MAX_NAME {
            Some(format!("Your name can be at most {MAX_NAME} characters."))
        } else {
            None
        };
        let body = json!({ "code": code_text, "name": name_text });
        submit(
            error,
            busy,
            problem,
            "/api/join",
            body,
            move |joined: Joined| handle.join(Membership::from_joined(joined)),
            |e| match e.status {
                404 => "No workshop has that code. Check it with your instructor.".to_string(),
                409 => format!("{e} Pick another name."),
                _ => format!("Could not join: {e}"),
            },
        );
    };

    view! {
        <h1>"Join a workshop"</h1>
        <p class="lead">
            "Your instructor sees your progress through the workshop's lessons, by the name you choose here, and can send events to your simulations."
        </p>
        <form class="panel workshop-form" on:submit=on_submit novalidate>
            <div class="field">
                <label for="join-code">"Join code"</label>
                <input
                    id="join-code"
                    class="join-code-input"
                    type="text"
                    required
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    maxlength="12"
                    data-testid="join-code-input"
                    prop:value=code
                    on:input=move |ev| code.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for="join-name">"Your name"</label>
                <input
                    id="join-name"
                    type="text"
                    required
                    autocomplete="nickname"
                    maxlength=MAX_NAME.to_string()
                    data-testid="join-name"
                    prop:value=name
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </div>
            <FormError error=error testid="join-error" />
            <SubmitButton busy=busy idle="Join" working="Joining…" testid="join-submit" />
        </form>
    }
}

#[component]
fn Joined(member: Membership, handle: WorkshopHandle) -> impl IntoView {
    let lesson_items = member
        .lessons
        .iter()
        .map(|id| {
            let title = lessons::find(id).map_or_else(|| id.clone(), |l| l.title.clone());
            view! {
                <li>
                    <a href=format!("/lessons/{id}") data-testid="workshop-lesson">{title}</a>
                </li>
            }
        })
        .collect_view();
    let sandbox = member.sandbox_href();
    view! {
        <h1 data-testid="workshop-title">{member.title.clone()}</h1>
        <p class="lead" role="status" data-testid="joined-as">
            "You joined as " <strong>{member.name.clone()}</strong>
            ". Your progress in these lessons is shared with your instructor."
        </p>
        <section class="panel workshop-lessons" aria-labelledby="ws-lessons-heading">
            <h2 id="ws-lessons-heading" class="panel-title">"The workshop's lessons"</h2>
            <ol>{lesson_items}</ol>
        </section>
        <p>
            <a class="button" href=sandbox data-testid="workshop-sandbox">
                {format!("Open the sandbox ({})", member.preset)}
            </a>
        </p>
        <p>
            <button
                type="button"
                class="button"
                data-testid="workshop-leave"
                on:click=move |_| handle.leave()
            >
                "Leave workshop"
            </button>
            <span class="muted">" Your progress stays in this browser."</span>
        </p>
    }
}
