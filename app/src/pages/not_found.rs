//! The not-found page, for URLs that match no route (and unknown lessons).

use leptos::prelude::*;

/// Says the page does not exist and links back to the catalog.
#[component]
pub fn NotFoundPage(
    /// What was not found (defaults to "page").
    #[prop(optional, into)]
    what: Option<String>,
) -> impl IntoView {
    let what = what.unwrap_or_else(|| "page".to_string());
    view! {
        <div class="page not-found" data-testid="not-found">
            <h1>{format!("No such {what}")}</h1>
            <p>"The address may be mistyped, or the thing it pointed to has moved."</p>
            <p>
                <a class="button primary" href="/">"Back to the lessons"</a>
            </p>
        </div>
    }
}
