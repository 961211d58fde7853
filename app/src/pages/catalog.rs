//! The catalog (`/`): every lesson, and the way into the sandbox.

use leptos::prelude::*;

/// Lists the lessons from `lessons::catalog()`, each linking to its player.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let cards = lessons::catalog()
        .iter()
        .map(|lesson| {
            let href = format!("/lessons/{}", lesson.id);
            let objectives = lesson
                .objectives
                .iter()
                .map(|o| view! { <li>{o.to_string()}</li> })
                .collect_view();
            view! {
                <li class="lesson-card">
                    <h2 class="lesson-card-title">
                        <a href=href data-testid="lesson-link">{lesson.title.to_string()}</a>
                    </h2>
                    <p class="meta">
                        <span class="tag">{lesson.track.to_string()}</span>
                        <span class="tag">{lesson.level.to_string()}</span>
                        <span>{format!("{} min", lesson.minutes)}</span>
                    </p>
                    <ul class="objectives">{objectives}</ul>
                </li>
            }
        })
        .collect_view();
    // A lesson file that failed to parse is left out of the catalog; say so.
    let broken = lessons::load_errors()
        .iter()
        .map(|e| view! { <li><code>{e.file.clone()}</code> ": " {e.message.clone()}</li> })
        .collect::<Vec<_>>();
    let broken = (!broken.is_empty()).then(|| {
        view! {
            <div class="notice" role="alert" data-testid="lesson-load-errors">
                <p><strong>"Some lessons could not be loaded:"</strong></p>
                <ul>{broken}</ul>
            </div>
        }
    });
    view! {
        <div class="page catalog" data-testid="catalog">
            <section class="hero">
                <h1>"Learn containers and orchestration by watching them work"</h1>
                <p>
                    "Step through a simulated cluster — build, push, schedule, scale — and see every component's decision as it happens."
                </p>
                <a class="button primary" href="/sandbox" data-testid="sandbox-link">
                    "Open the sandbox"
                </a>
            </section>
            <h2 class="section-title">"Lessons"</h2>
            {broken}
            <ul class="lesson-grid">{cards}</ul>
        </div>
    }
}
