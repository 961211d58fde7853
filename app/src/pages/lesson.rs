//! The lesson player (`/lessons/:id`): the process-flow strip, the current
//! step's narration and command output, the event log, and the quiz at the end.
//!
//! The player runs the lesson's scenario in its own simulation. Going forward
//! runs the next step's command; going anywhere else replays the lesson from
//! the start up to that step (the simulator is deterministic, so the result is
//! the same as having stepped there).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::event_log::EventLog;
use crate::components::flow::FlowStrip;
use crate::components::quiz::QuizQuestion;
use crate::components::status::StatusLine;
use crate::components::terminal::Terminal;
use crate::markdown;
use crate::pages::not_found::NotFoundPage;
use crate::state::{Action, SimHandle};

/// Looks up the lesson named in the URL and plays it.
#[component]
pub fn LessonPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    move || match lessons::find(&id.get()) {
        Some(lesson) => view! { <LessonPlayer lesson=lesson /> }.into_any(),
        None => view! { <NotFoundPage what="lesson" /> }.into_any(),
    }
}

/// Plays one lesson.
#[component]
pub fn LessonPlayer(
    /// The lesson to play.
    lesson: &'static lessons::Lesson,
) -> impl IntoView {
    let lesson = StoredValue::new(lesson);
    let step_count = lesson.with_value(|l| l.steps.len());
    let has_quiz = lesson.with_value(|l| !l.quiz.is_empty());
    // Stages: one per step, then the quiz (if any).
    let stage_count = step_count + usize::from(has_quiz);
    let stage = RwSignal::new(0usize);

    let commands_through = move |last: usize| -> Vec<String> {
        lesson.with_value(|l| {
            l.steps
                .iter()
                .take(last + 1)
                .filter_map(|s| s.command.clone())
                .collect()
        })
    };
    let load_through = move |last: usize| {
        lesson.with_value(|l| Action::Load {
            scenario: l.scenario.scenario.to_string(),
            seed: Some(l.scenario.seed),
            setup: l.scenario.setup.clone(),
            commands: commands_through(last),
        })
    };
    let last_step = step_count.saturating_sub(1);
    let sim =
        lesson.with_value(|l| SimHandle::provide(&l.scenario.scenario, Some(l.scenario.seed)));
    sim.dispatch(load_through(0));

    let go_to = move |target: usize| {
        let target = target.min(stage_count.saturating_sub(1));
        let from = stage.get_untracked();
        if target == from {
            return;
        }
        // The quiz stage shows the simulation as the last step left it.
        let (ran, wanted) = (from.min(last_step), target.min(last_step));
        if wanted == ran + 1 {
            let command = lesson.with_value(|l| l.steps[wanted].command.clone());
            if let Some(command) = command {
                sim.dispatch(Action::Run(command));
            }
        } else if wanted != ran {
            sim.dispatch(load_through(wanted));
        }
        stage.set(target);
    };
    let on_select = Callback::new(go_to);

    let labels: Vec<String> = lesson.with_value(|l| {
        l.steps
            .iter()
            .map(|s| s.title.to_string())
            .chain(has_quiz.then(|| "Quiz".to_string()))
            .collect()
    });
    let highlight = Signal::derive(move || {
        let i = stage.get().min(last_step);
        lesson.with_value(|l| {
            l.steps
                .get(i)
                .map(|s| s.highlight.iter().map(|h| h.to_string()).collect())
                .unwrap_or_default()
        })
    });

    let step_panel = move || {
        let i = stage.get();
        lesson.with_value(|l| match l.steps.get(i) {
            Some(step) => {
                let narration = markdown::to_html(&step.narration);
                let process = step.process.clone().map(|p| {
                    view! {
                        <dl class="process-row" data-testid="step-process">
                            <div><dt>"Who"</dt><dd>{p.actor}</dd></div>
                            <div><dt>"Does"</dt><dd>{p.action}</dd></div>
                            <div><dt>"Result"</dt><dd>{p.result}</dd></div>
                        </dl>
                    }
                });
                let command = step.command.clone().map(|c| {
                    view! {
                        <p class="step-command">
                            "This step runs " <code data-testid="step-command">{c}</code>
                        </p>
                    }
                });
                view! {
                    <article class="step" data-testid="step">
                        <p class="step-counter">{format!("Step {} of {}", i + 1, step_count)}</p>
                        <h2 data-testid="step-title">{step.title.to_string()}</h2>
                        <div class="narration prose" data-testid="step-narration" inner_html=narration></div>
                        {process}
                        {command}
                    </article>
                }
                .into_any()
            }
            None => {
                let questions = l
                    .quiz
                    .iter()
                    .enumerate()
                    .map(|(n, q)| {
                        let index = n;
                        let grade = Callback::new(move |chosen: Vec<usize>| {
                            let question = &lesson.get_value().quiz[index];
                            sim.with_simulation(|s| lessons::grade(question, &chosen, s))
                        });
                        view! { <QuizQuestion question=q.clone() number=n + 1 grade=grade /> }
                    })
                    .collect_view();
                view! {
                    <article class="step quiz" data-testid="quiz">
                        <p class="step-counter">"Check your understanding"</p>
                        <h2>"Quiz"</h2>
                        {questions}
                    </article>
                }
                .into_any()
            }
        })
    };

    let (title, track, level, minutes, objectives) = lesson.with_value(|l| {
        (
            l.title.to_string(),
            l.track.to_string(),
            l.level.to_string(),
            l.minutes,
            l.objectives
                .iter()
                .map(|o| o.to_string())
                .collect::<Vec<_>>(),
        )
    });

    view! {
        <div class="page lesson" data-testid="lesson-player">
            <header class="lesson-header">
                <p class="breadcrumbs">
                    <a href="/">"Lessons"</a>
                    " / "
                    <span>{track.clone()}</span>
                </p>
                <h1 data-testid="lesson-title">{title}</h1>
                <p class="meta">
                    <span class="tag">{track}</span>
                    <span class="tag">{level}</span>
                    <span>{format!("{minutes} min")}</span>
                </p>
                <details class="objectives-box">
                    <summary>"What you will learn"</summary>
                    <ul>{objectives.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
                </details>
            </header>
            <FlowStrip labels=labels current=stage on_select=on_select />
            <div class="player">
                <div class="player-main">
                    {step_panel}
                    <div class="step-nav">
                        <button
                            type="button"
                            class="button"
                            data-testid="step-prev"
                            disabled=move || stage.get() == 0
                            on:click=move |_| go_to(stage.get_untracked().saturating_sub(1))
                        >
                            "← Previous"
                        </button>
                        <button
                            type="button"
                            class="button primary"
                            data-testid="step-next"
                            disabled=move || { stage.get() + 1 >= stage_count }
                            on:click=move |_| go_to(stage.get_untracked() + 1)
                        >
                            {move || if has_quiz && stage.get() + 1 == step_count { "Quiz →" } else { "Next →" }}
                        </button>
                    </div>
                </div>
                <div class="player-side">
                    <StatusLine />
                    <Terminal />
                </div>
            </div>
            <EventLog highlight=highlight />
        </div>
    }
}
