//! Pieces of the small forms (join a workshop, create one, share a session): the
//! error line, the submit button that says it is busy, and read-only fields that select
//! their text when focused so it can be copied.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The form's error, announced as an alert, when there is one.
#[component]
pub fn FormError(
    /// The message to show, if any.
    error: RwSignal<Option<String>>,
    /// `data-testid` of the message.
    testid: &'static str,
) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="share-error" role="alert" data-testid=testid>
                    {message}
                </p>
            }
        })
    }
}

/// The submit button: disabled, with `working` as its label, while `busy`.
#[component]
pub fn SubmitButton(
    /// Whether the form's request is in flight.
    busy: RwSignal<bool>,
    /// The label when idle ("Join").
    idle: &'static str,
    /// The label while busy ("Joining…").
    working: &'static str,
    /// `data-testid` of the button.
    testid: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class="button primary" data-testid=testid disabled=move || busy.get()>
            {move || if busy.get() { working } else { idle }}
        </button>
    }
}

/// Selects all of a read-only input's text when it gets the focus (for copying links).
pub fn select_on_focus(ev: leptos::ev::FocusEvent) {
    if let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.select();
    }
}

/// Submits a form to the workshop API: shows `problem` and stops when there is one;
/// otherwise clears the error, marks the form busy, sends `body`, and hands the answer
/// to `done` (or the failure to `failed`, whose message is shown) before clearing busy.
pub fn submit<T: serde::de::DeserializeOwned + 'static>(
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    problem: Option<String>,
    path: &'static str,
    body: serde_json::Value,
    done: impl FnOnce(T) + 'static,
    failed: impl FnOnce(crate::workshop::client::ApiError) -> String + 'static,
) {
    if problem.is_some() {
        error.set(problem);
        return;
    }
    error.set(None);
    busy.set(true);
    leptos::task::spawn_local(async move {
        match crate::workshop::client::call::<T>("POST", path, None, Some(&body)).await {
            Ok(answer) => done(answer),
            Err(e) => error.set(Some(failed(e))),
        }
        busy.set(false);
    });
}
