//! The catalog (`/`): lessons grouped by track, each with its level, time, objectives,
//! prerequisites and the learner's progress; the learner's progress tools (export,
//! import, reset); and the way into the sandbox.

use leptos::html;
use leptos::prelude::*;
use lessons::Lesson;

use crate::browser_file;
use crate::progress::{
    EXPORT_FILE_NAME, LessonState, LessonSummary, MAX_FILE_BYTES, ProgressHandle,
};

/// Lists the lessons from `lessons::catalog()` by track, each linking to its player.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let tracks = tracks(lessons::catalog())
        .into_iter()
        .map(|(track, lessons)| view! { <Track track lessons /> })
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
            <YourProgress />
            {broken}
            {tracks}
        </div>
    }
}

/// Tracks in catalog order (the order their first lesson appears), with their lessons.
pub fn tracks(lessons: &'static [Lesson]) -> Vec<(&'static str, Vec<&'static Lesson>)> {
    let mut out: Vec<(&'static str, Vec<&'static Lesson>)> = Vec::new();
    for lesson in lessons {
        match out.iter_mut().find(|(t, _)| *t == lesson.track) {
            Some((_, list)) => list.push(lesson),
            None => out.push((lesson.track.as_str(), vec![lesson])),
        }
    }
    out
}

/// A track's heading: known tracks by their proper names, others capitalised.
pub fn track_title(track: &str) -> String {
    match track {
        "aws" => "AWS".to_string(),
        "kubernetes" => "Kubernetes".to_string(),
        "docker" => "Docker".to_string(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

/// One track: a heading and its lesson cards.
#[component]
fn Track(track: &'static str, lessons: Vec<&'static Lesson>) -> impl IntoView {
    let heading = format!("track-{track}");
    let labelled_by = heading.clone();
    let cards = lessons
        .into_iter()
        .map(|lesson| view! { <LessonCard lesson /> })
        .collect_view();
    view! {
        <section
            class="track"
            data-testid="track"
            data-track=track
            aria-labelledby=labelled_by
        >
            <h2 class="section-title" id=heading>
                {track_title(track)}
            </h2>
            <ul class="lesson-grid">{cards}</ul>
        </section>
    }
}

/// A lesson's card: title, level, time, objectives, prerequisites and progress.
#[component]
fn LessonCard(lesson: &'static Lesson) -> impl IntoView {
    let progress = ProgressHandle::expect();
    let summary = Memo::new(move |_| {
        let p = progress.lesson(&lesson.id);
        LessonSummary::of(lesson, p.as_ref())
    });
    let href = format!("/lessons/{}", lesson.id);
    let objectives = lesson
        .objectives
        .iter()
        .map(|o| view! { <li>{o.to_string()}</li> })
        .collect_view();
    let prerequisites = (!lesson.prerequisites.is_empty()).then(|| {
        let links = lesson
            .prerequisites
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let title = lessons::find(id).map_or_else(|| id.clone(), |l| l.title.clone());
                view! {
                    {(i > 0).then_some(", ")}
                    <a href=format!("/lessons/{id}")>{title}</a>
                }
            })
            .collect_view();
        view! { <p class="prerequisites">"Take first: " {links}</p> }
    });
    let text = move || summary.with(LessonSummary::describe);
    let cta = move || match summary.with(|s| s.state) {
        LessonState::NotStarted => "Start",
        LessonState::InProgress => "Continue",
        LessonState::Completed => "Completed ✓",
    };
    view! {
        <li
            class="lesson-card"
            class:completed=move || summary.with(|s| s.state == LessonState::Completed)
        >
            <h3 class="lesson-card-title">
                <a href=href.clone() data-testid="lesson-link">
                    {lesson.title.to_string()}
                </a>
            </h3>
            <p class="meta">
                <span class="tag">{lesson.level.to_string()}</span>
                <span>{format!("{} min", lesson.minutes)}</span>
            </p>
            <ul class="objectives">{objectives}</ul>
            {prerequisites}
            <div class="lesson-progress-row">
                <div
                    class="progress-bar"
                    role="progressbar"
                    data-testid="lesson-progress"
                    data-lesson=lesson.id.clone()
                    aria-label=format!("Progress in {}", lesson.title)
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=move || summary.with(|s| s.percent)
                    aria-valuetext=move || {
                        summary.with(|s| format!("{}% ({})", s.percent, s.describe()))
                    }
                >
                    <div
                        class="progress-fill"
                        style:width=move || summary.with(|s| format!("{}%", s.percent))
                    ></div>
                </div>
                <p class="progress-text">{text}</p>
                <a class="lesson-cta" href=href data-testid="lesson-cta">
                    {cta}
                    <span class="visually-hidden">{format!(": {}", lesson.title)}</span>
                </a>
            </div>
        </li>
    }
}

/// What the last export, import or reset did.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Done(String),
    Failed(String),
}

/// "Your progress": totals, export, import and a reset with an inline confirmation.
#[component]
fn YourProgress() -> impl IntoView {
    let progress = ProgressHandle::expect();
    let outcome = RwSignal::new(None::<Outcome>);
    let confirming = RwSignal::new(false);
    let reset_ref = NodeRef::<html::Button>::new();
    let cancel_ref = NodeRef::<html::Button>::new();

    let totals = move || {
        progress.progress().with(|p| {
            let catalog = lessons::catalog();
            let states: Vec<LessonState> = catalog
                .iter()
                .map(|l| LessonSummary::of(l, p.lessons.get(&l.id)).state)
                .collect();
            let done = states
                .iter()
                .filter(|s| **s == LessonState::Completed)
                .count();
            let started = states
                .iter()
                .filter(|s| **s == LessonState::InProgress)
                .count();
            format!(
                "{done} of {} lessons completed, {started} in progress.",
                catalog.len()
            )
        })
    };

    let export = move |_| {
        let result = browser_file::download_json(EXPORT_FILE_NAME, &progress.export_json());
        outcome.set(Some(match result {
            Ok(()) => Outcome::Done(format!("Exported your progress as {EXPORT_FILE_NAME}.")),
            Err(e) => Outcome::Failed(format!("Could not export your progress: {e}.")),
        }));
    };

    let import = move |ev: leptos::ev::Event| {
        let Some(file) = browser_file::take_chosen(&ev) else {
            return;
        };
        let name = file.name();
        browser_file::read_text(file, MAX_FILE_BYTES, move |read| {
            let result = read.and_then(|text| progress.import(&text).map_err(|e| e.to_string()));
            outcome.set(Some(match result {
                Ok(report) => Outcome::Done(report.to_string()),
                Err(e) => Outcome::Failed(format!("Could not import {name:?}: {e}")),
            }));
        });
    };

    let focus_later = move |target: NodeRef<html::Button>| {
        // The button appears on the next render; focus it then.
        request_animation_frame(move || {
            if let Some(el) = target.get_untracked() {
                let _ = el.focus();
            }
        });
    };
    let ask = move |_| {
        confirming.set(true);
        focus_later(cancel_ref);
    };
    let cancel = move |_| {
        confirming.set(false);
        focus_later(reset_ref);
    };
    let reset = move |_| {
        progress.reset();
        confirming.set(false);
        outcome.set(Some(Outcome::Done("Your progress was reset.".into())));
        focus_later(reset_ref);
    };
    let notice = move || {
        progress.notice().get().map(|message| {
            view! {
                <div class="notice" role="alert" data-testid="progress-notice">
                    <p>{message}</p>
                    <button
                        type="button"
                        class="button small"
                        on:click=move |_| progress.dismiss_notice()
                    >
                        "Dismiss"
                    </button>
                </div>
            }
        })
    };

    view! {
        <section
            class="panel your-progress"
            aria-labelledby="your-progress-heading"
            data-testid="your-progress"
        >
            <h2 class="section-title" id="your-progress-heading">
                "Your progress"
            </h2>
            <p class="muted">
                {totals} " It is saved in this browser only; export it to keep a copy or move it to another browser."
            </p>
            {notice}
            <div class="progress-actions">
                <button
                    type="button"
                    class="button"
                    data-testid="export-progress"
                    on:click=export
                >
                    "Export progress"
                </button>
                <input
                    type="file"
                    id="import-progress"
                    class="visually-hidden file-input"
                    accept=".json,application/json"
                    data-testid="import-progress"
                    on:change=import
                />
                <label for="import-progress" class="button">
                    "Import progress…"
                </label>
                <Show
                    when=move || confirming.get()
                    fallback=move || {
                        view! {
                            <button
                                type="button"
                                class="button"
                                data-testid="reset-progress"
                                node_ref=reset_ref
                                on:click=ask
                            >
                                "Reset progress"
                            </button>
                        }
                    }
                >
                    <div class="reset-confirm" role="group" aria-labelledby="reset-question">
                        <p id="reset-question">
                            "Erase your progress in every lesson? This cannot be undone."
                        </p>
                        <button
                            type="button"
                            class="button danger"
                            data-testid="reset-progress-confirm"
                            on:click=reset
                        >
                            "Yes, erase it"
                        </button>
                        <button
                            type="button"
                            class="button"
                            data-testid="reset-progress-cancel"
                            node_ref=cancel_ref
                            on:click=cancel
                        >
                            "Cancel"
                        </button>
                    </div>
                </Show>
            </div>
            <p
                class="progress-status"
                class:failed=move || matches!(outcome.get(), Some(Outcome::Failed(_)))
                role="status"
                data-testid="import-progress-status"
            >
                {move || match outcome.get() {
                    Some(Outcome::Done(m) | Outcome::Failed(m)) => m,
                    None => String::new(),
                }}
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_keep_catalog_order_and_every_lesson() {
        let catalog = lessons::catalog();
        let tracks = tracks(catalog);
        assert_eq!(
            tracks.first().map(|(t, _)| *t),
            catalog.first().map(|l| l.track.as_str())
        );
        let names: Vec<&str> = tracks.iter().map(|(t, _)| *t).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "each track once: {names:?}");
        let count: usize = tracks.iter().map(|(_, l)| l.len()).sum();
        assert_eq!(count, catalog.len());
        for (track, lessons) in &tracks {
            assert!(lessons.iter().all(|l| l.track == *track));
        }
    }

    #[test]
    fn track_titles() {
        assert_eq!(track_title("aws"), "AWS");
        assert_eq!(track_title("kubernetes"), "Kubernetes");
        assert_eq!(track_title("workflow"), "Workflow");
        assert_eq!(track_title(""), "");
    }
}
