//! `/workshops/:id/instructor#secret=…`: the instructor's live dashboard.
//!
//! The secret is read from the URL fragment (which browsers never send to a server) and
//! goes out only in `Authorization` headers. The page reads the instructor event stream
//! with `fetch`: a `snapshot` fills the grid, `join` adds a row at once, and `progress`
//! marks the student active and fetches the dashboard again (batched), since the
//! distinct counts are the server's to make. Each cell also shows the time the student
//! spent on the lesson (their lesson player's `time` reports). Broadcast buttons push
//! events to every student; the results download as CSV.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde_json::json;

use crate::browser_file;
use crate::workshop::client::{self, EventStream, StreamState};
use crate::workshop::model::{
    BROADCASTS, Broadcast, Dashboard, JoinEvent, LessonTotals, ProgressEvent, STUCK_AFTER_MS,
    StudentLesson, format_time_spent, progress_since,
};

/// How often the "stuck" column is re-evaluated, in milliseconds.
const CLOCK_TICK_MS: u64 = 15_000;

/// How long progress events are gathered before the dashboard is fetched again.
const REFRESH_DELAY_MS: i32 = 300;

/// The secret in a `#secret=…` fragment, if there is one.
pub fn secret_from_hash(hash: &str) -> Option<String> {
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|part| part.strip_prefix("secret="))
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
}

/// The dashboard page.
#[component]
pub fn InstructorPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    let secret = window()
        .location()
        .hash()
        .ok()
        .and_then(|h| secret_from_hash(&h));
    match secret {
        Some(secret) => view! { <Dashboard id secret /> }.into_any(),
        None => view! {
            <div class="page workshop-dashboard" data-testid="workshop-dashboard">
                <h1>"Instructor dashboard"</h1>
                <p class="share-error" role="alert" data-testid="dashboard-error">
                    "This address has no instructor secret. Open the full link you got when you created the workshop (it ends in #secret=…)."
                </p>
            </div>
        }
        .into_any(),
    }
}

#[component]
fn Dashboard(id: String, secret: String) -> impl IntoView {
    let dashboard = RwSignal::new(None::<Dashboard>);
    let connection = RwSignal::new(StreamState::Connecting);
    let announcement = RwSignal::new(String::new());
    let sent = RwSignal::new(Vec::<Broadcast>::new());
    let action_status = RwSignal::new(String::new());
    let now = RwSignal::new(js_sys_now());
    let refresh_scheduled = StoredValue::new(false);
    let base = format!("/api/workshops/{id}");
    let id = StoredValue::new(id);
    let secret = StoredValue::new(secret);
    let base = StoredValue::new(base);

    // The counts come from the server: fetch the dashboard again, a batch at a time.
    let refresh = move || {
        if refresh_scheduled.get_value() {
            return;
        }
        refresh_scheduled.set_value(true);
        leptos::task::spawn_local(async move {
            client::sleep(REFRESH_DELAY_MS).await;
            refresh_scheduled.set_value(false);
            let path = format!("{}/dashboard", base.get_value());
            let token = secret.get_value();
            if let Ok(fresh) = client::call::<Dashboard>("GET", &path, Some(&token), None).await {
                dashboard.maybe_update(|d| match d {
                    Some(old) if old.last_event_id > fresh.last_event_id => false,
                    _ => {
                        *d = Some(fresh);
                        true
                    }
                });
            }
        });
    };

    let stream = client::open_stream(
        format!("{}/events", base.get_value()),
        secret.get_value(),
        move |event| match event.event.as_str() {
            "snapshot" => {
                if let Ok(d) = serde_json::from_str::<Dashboard>(&event.data) {
                    dashboard.set(Some(d));
                }
            }
            "join" => {
                if let Ok(join) = serde_json::from_str::<JoinEvent>(&event.data) {
                    announcement.set(format!("{} joined.", join.student.name));
                    dashboard.update(|d| {
                        if let Some(d) = d {
                            d.add_student(join.student);
                        }
                    });
                }
            }
            "progress" => {
                if let Ok(progress) = serde_json::from_str::<ProgressEvent>(&event.data) {
                    let newer = dashboard
                        .try_update(|d| d.as_mut().is_some_and(|d| d.touch(&progress)))
                        .unwrap_or(false);
                    if newer {
                        refresh();
                    }
                }
            }
            "broadcast" => {
                if let Ok(b) = serde_json::from_str::<Broadcast>(&event.data) {
                    sent.update(|list| {
                        if !list.iter().any(|x| x.id == b.id) {
                            list.push(b);
                        }
                    });
                }
            }
            _ => {}
        },
        move |state| connection.set(state),
    );
    let stream = StoredValue::new_local(Some(stream));
    on_cleanup(move || {
        stream.update_value(|s| {
            if let Some(s) = s.take() {
                EventStream::close(&s);
            }
        });
    });
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(js_sys_now()),
        std::time::Duration::from_millis(CLOCK_TICK_MS),
    ) {
        on_cleanup(move || handle.clear());
    }

    let send_broadcast = move |event: &'static str, label: &'static str| {
        action_status.set(format!("Sending “{label}”…"));
        leptos::task::spawn_local(async move {
            let path = format!("{}/broadcast", base.get_value());
            let token = secret.get_value();
            let body = json!({ "event": event });
            match client::call::<Broadcast>("POST", &path, Some(&token), Some(&body)).await {
                Ok(b) => {
                    action_status.set(format!("Sent “{label}” to every student."));
                    sent.update(|list| {
                        if !list.iter().any(|x| x.id == b.id) {
                            list.push(b);
                        }
                    });
                }
                Err(e) => action_status.set(format!("“{label}” was not sent: {e}")),
            }
        });
    };
    let broadcast_buttons = BROADCASTS
        .iter()
        .map(|&(event, label)| {
            view! {
                <button
                    type="button"
                    class="button"
                    data-testid=format!("broadcast-{event}")
                    on:click=move |_| send_broadcast(event, label)
                >
                    {label}
                </button>
            }
        })
        .collect_view();

    let on_csv = move |_| {
        action_status.set("Preparing the results…".to_string());
        leptos::task::spawn_local(async move {
            let path = format!("{}/results.csv", base.get_value());
            let token = secret.get_value();
            let name = format!("workshop-{}-results.csv", id.get_value());
            let outcome = client::call_text("GET", &path, Some(&token), None)
                .await
                .map_err(|e| e.to_string())
                .and_then(|csv| browser_file::download(&name, "text/csv", &csv));
            action_status.set(match outcome {
                Ok(()) => format!("Saved {name}"),
                Err(e) => format!("The results were not downloaded: {e}"),
            });
        });
    };

    let title = move || {
        dashboard.with(|d| {
            d.as_ref().map_or_else(
                || "Instructor dashboard".to_string(),
                |d| d.workshop.title.clone(),
            )
        })
    };
    let join_code = move || {
        dashboard.with(|d| {
            d.as_ref()
                .map(|d| d.workshop.join_code.clone())
                .unwrap_or_default()
        })
    };
    let connection_text = move || match connection.get() {
        StreamState::Connecting => "Connecting…".to_string(),
        StreamState::Live => "Live".to_string(),
        StreamState::Refused(e) => format!("Not connected: {e}"),
    };
    let refused = move || matches!(connection.get(), StreamState::Refused(_));

    view! {
        <div class="page workshop-dashboard" data-testid="workshop-dashboard">
            <div class="page-heading">
                <h1 data-testid="dashboard-title">{title}</h1>
                <p
                    class="connection"
                    class:live=move || connection.get() == StreamState::Live
                    data-testid="dashboard-connection"
                >
                    {connection_text}
                </p>
            </div>
            <Show when=refused>
                <p class="share-error" role="alert" data-testid="dashboard-error">
                    "The dashboard could not connect. Check that this is the full instructor link."
                </p>
            </Show>
            <section class="panel class-code" aria-labelledby="class-code-heading">
                <h2 id="class-code-heading" class="panel-title">"Join code"</h2>
                <p class="join-code" data-testid="dashboard-join-code">{join_code}</p>
                <p class="muted">
                    "Students go to " <code>"/join"</code> " and type this code."
                </p>
            </section>
            <section class="panel" aria-labelledby="progress-heading">
                <h2 id="progress-heading" class="panel-title">
                    "Progress "
                    <span class="count">
                        {move || {
                            dashboard
                                .with(|d| {
                                    let n = d.as_ref().map_or(0, |d| d.students.len());
                                    format!("({n} student{})", if n == 1 { "" } else { "s" })
                                })
                        }}
                    </span>
                </h2>
                <p class="visually-hidden" aria-live="polite" data-testid="dashboard-announce">
                    {move || announcement.get()}
                </p>
                <ProgressGrid dashboard now />
            </section>
            <section class="panel workshop-actions" aria-labelledby="actions-heading">
                <h2 id="actions-heading" class="panel-title">"Class events and results"</h2>
                <div class="workshop-action-row" role="group" aria-label="Send to every student">
                    {broadcast_buttons}
                </div>
                <div class="workshop-action-row">
                    <button
                        type="button"
                        class="button"
                        data-testid="download-csv"
                        on:click=on_csv
                    >
                        "Download results (CSV)"
                    </button>
                </div>
                <p class="share-status" aria-live="polite" data-testid="dashboard-status">
                    {move || action_status.get()}
                </p>
                <Show when=move || !sent.with(Vec::is_empty)>
                    <h3 class="sent-heading">"Sent so far"</h3>
                    <ul class="sent-list" data-testid="sent-broadcasts">
                        <For
                            each=move || sent.get()
                            key=|b| b.id
                            children=|b| {
                                view! { <li>{format!("{} at {}", b.event, clock_time(b.at))}</li> }
                            }
                        />
                    </ul>
                </Show>
            </section>
        </div>
    }
}

/// The students × lessons grid, one keyed row per student.
#[component]
fn ProgressGrid(dashboard: RwSignal<Option<Dashboard>>, now: RwSignal<f64>) -> impl IntoView {
    let lesson_headers = move || {
        dashboard.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.lessons
                        .iter()
                        .map(|l| view! { <th scope="col">{l.title.clone()}</th> })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let ids = move || {
        dashboard.with(|d| {
            d.as_ref()
                .map(|d| d.students.iter().map(|s| s.id.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let empty = move || dashboard.with(|d| d.as_ref().is_none_or(|d| d.students.is_empty()));
    view! {
        <div class="table-scroll">
            <table class="progress-grid" data-testid="progress-grid">
                <caption class="visually-hidden">
                    "Each student's steps done, questions correct, challenges solved and time spent per lesson"
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"Student"</th>
                        {lesson_headers}
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=ids
                        key=|id| id.clone()
                        children=move |id| view! { <StudentRowView id dashboard now /> }
                    />
                </tbody>
            </table>
        </div>
        <Show when=empty>
            <p class="muted" data-testid="no-students">"No students yet. Share the join code."</p>
        </Show>
    }
}

#[component]
fn StudentRowView(
    id: String,
    dashboard: RwSignal<Option<Dashboard>>,
    now: RwSignal<f64>,
) -> impl IntoView {
    let id = StoredValue::new(id);
    // (name, cells, stuck, idle minutes): re-read whenever the dashboard changes.
    let row = Memo::new(move |_| {
        let now = now.get();
        dashboard.with(|d| {
            let d = d.as_ref()?;
            let student = id.with_value(|id| d.students.iter().find(|s| &s.id == id))?;
            let cells: Vec<Cell> = d
                .lessons
                .iter()
                .map(|totals| {
                    let done = student
                        .lessons
                        .iter()
                        .find(|l| l.lesson == totals.id)
                        .cloned()
                        .unwrap_or_default();
                    Cell::new(totals, &done)
                })
                .collect();
            let since = progress_since(student);
            let idle_minutes = ((now - since) / 60_000.0).floor().max(0.0) as u64;
            Some((
                student.name.clone(),
                cells,
                d.stuck(student, now),
                d.finished(student),
                idle_minutes,
            ))
        })
    });
    move || {
        row.get().map(|(name, cells, stuck, finished, idle)| {
            let status = if finished {
                "Finished".to_string()
            } else if stuck {
                format!("Stuck — no progress for {idle} min")
            } else {
                "Working".to_string()
            };
            let cells = cells
                .into_iter()
                .map(|cell| {
                    view! {
                        <td
                            data-lesson=cell.lesson
                            data-testid="progress-cell"
                            data-time-seconds=cell.seconds
                            aria-label=cell.label
                        >
                            {cell.counts}
                            " · "
                            <span
                                class="cell-time"
                                data-testid="progress-time"
                                title="Time spent on this lesson"
                            >
                                {cell.time}
                            </span>
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr
                    data-testid="student-row"
                    data-student=id.get_value()
                    class:stuck=stuck
                    data-stuck=stuck.to_string()
                >
                    <th scope="row" data-testid="student-name">{name}</th>
                    {cells}
                    <td>
                        <span
                            class="tag"
                            class:stuck-tag=stuck
                            data-testid="student-status"
                            title=format!("Stuck means no progress for {} minutes", STUCK_AFTER_MS / 60_000.0)
                        >
                            {status}
                        </span>
                    </td>
                </tr>
            }
        })
    }
}

/// One student × lesson cell of the grid.
#[derive(Clone, Debug, PartialEq)]
struct Cell {
    /// Lesson id.
    lesson: String,
    /// `3/9 steps · 1/4 correct · 0/2 challenges` (what the lesson has).
    counts: String,
    /// Time spent, `12 min`.
    time: String,
    /// Whole seconds spent, for tests and scripts.
    seconds: u64,
    /// The same in words, for screen readers (`3 of 9 steps, …, 12 min spent`).
    label: String,
}

impl Cell {
    fn new(totals: &LessonTotals, done: &StudentLesson) -> Self {
        let mut counts = vec![(done.steps_done, totals.steps, "steps")];
        if totals.questions > 0 {
            counts.push((done.questions_correct, totals.questions, "correct"));
        }
        if totals.challenges > 0 {
            counts.push((done.challenges_solved, totals.challenges, "challenges"));
        }
        let time = format_time_spent(done.time_seconds);
        let label = counts
            .iter()
            .map(|(n, of, what)| format!("{n} of {of} {what}"))
            .chain([format!("{} spent", time.replace('<', "under "))])
            .collect::<Vec<_>>()
            .join(", ");
        Cell {
            lesson: totals.id.clone(),
            counts: counts
                .iter()
                .map(|(n, of, what)| format!("{n}/{of} {what}"))
                .collect::<Vec<_>>()
                .join(" · "),
            seconds: done.time_seconds.max(0.0).floor() as u64,
            time,
            label,
        }
    }
}

fn js_sys_now() -> f64 {
    web_sys::js_sys::Date::now()
}

/// `HH:MM:SS` in the browser's time zone.
fn clock_time(ms: i64) -> String {
    let date = web_sys::js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}:{:02}:{:02}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_show_counts_and_time_in_words_too() {
        let totals = LessonTotals {
            id: "l1".into(),
            title: "L1".into(),
            steps: 9,
            questions: 4,
            challenges: 0,
        };
        let done = StudentLesson {
            lesson: "l1".into(),
            steps_done: 3,
            questions_answered: 2,
            questions_correct: 1,
            challenges_solved: 0,
            time_seconds: 3_930.5,
        };
        let cell = Cell::new(&totals, &done);
        assert_eq!(cell.counts, "3/9 steps · 1/4 correct");
        assert_eq!(cell.time, "1 h 05 min");
        assert_eq!(cell.seconds, 3_930);
        assert_eq!(cell.label, "3 of 9 steps, 1 of 4 correct, 1 h 05 min spent");
        let fresh = Cell::new(
            &totals,
            &StudentLesson {
                time_seconds: 20.0,
                ..StudentLesson::default()
            },
        );
        assert_eq!(fresh.time, "<1 min");
        assert_eq!(
            fresh.label,
            "0 of 9 steps, 0 of 4 correct, under 1 min spent"
        );
    }

    #[test]
    fn the_secret_comes_from_the_fragment() {
        assert_eq!(
            secret_from_hash("#secret=abc123").as_deref(),
            Some("abc123")
        );
        assert_eq!(secret_from_hash("secret=abc&x=1").as_deref(), Some("abc"));
        assert_eq!(secret_from_hash("#x=1&secret=f00").as_deref(), Some("f00"));
        assert_eq!(secret_from_hash("#secret="), None);
        assert_eq!(secret_from_hash(""), None);
        assert_eq!(
            secret_from_hash("#secret=a b"),
            None,
            "hex only, nothing to inject"
        );
    }
}
