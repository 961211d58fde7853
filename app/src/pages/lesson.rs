//! The lesson player (`/lessons/:id`): the process-flow strip, the current
//! step's narration, key moments and predictions, the status tracker, the
//! command output, the event log, then the quiz and the challenges.
//!
//! The player runs the lesson's scenario in its own simulation. Going forward
//! runs the next step's command; going back replays the lesson from the start
//! up to that step (the simulator is deterministic, so the result is the same
//! as having stepped there). A step marked `learner_types` waits for the learner
//! to type its command in the terminal (or runs it when they move on).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::event_log::EventLog;
use crate::components::flow::FlowStrip;
use crate::components::quiz::QuizQuestion;
use crate::components::status::StatusLine;
use crate::components::terminal::Terminal;
use crate::markdown;
use crate::pages::lesson_challenge::Challenges;
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

/// The `Action::Load` that starts `lesson` and runs `setup` silently, then `commands`.
pub fn load_action(lesson: &lessons::Lesson, setup: Vec<String>, commands: Vec<String>) -> Action {
    Action::Load {
        scenario: lesson.scenario.scenario.to_string(),
        seed: Some(lesson.scenario.seed),
        files: lesson
            .scenario
            .files
            .iter()
            .map(|(path, contents)| (path.clone(), contents.clone()))
            .collect(),
        setup,
        commands,
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
    let has_quiz = lesson.with_value(|l| l.final_quiz().next().is_some());
    let has_challenges = lesson.with_value(|l| !l.challenges.is_empty());
    // Stages: one per step, then the quiz and the challenges (if any).
    let quiz_stage = has_quiz.then_some(step_count);
    let challenge_stage = has_challenges.then_some(step_count + usize::from(has_quiz));
    let stage_count = step_count + usize::from(has_quiz) + usize::from(has_challenges);
    let stage = RwSignal::new(0usize);
    // How many steps' commands the simulation has applied.
    let applied = RwSignal::new(0usize);
    // A step waiting for the learner to type its command: (step, journal length then).
    let pending = RwSignal::new(None::<(usize, usize)>);
    // The simulation left the walkthrough (a challenge started); moving on reloads it.
    let diverged = RwSignal::new(false);
    // The challenge in progress, if any.
    let active_challenge = RwSignal::new(None::<usize>);

    let command_of = move |step: usize| -> Option<String> {
        lesson.with_value(|l| l.steps.get(step).and_then(|s| s.command.clone()))
    };
    let learner_types = move |step: usize| -> bool {
        lesson.with_value(|l| {
            l.steps
                .get(step)
                .is_some_and(|s| s.learner_types && s.command.is_some())
        })
    };
    // How many steps should have run while stage `target` is shown.
    let applied_at = move |target: usize| -> usize {
        if target >= step_count {
            step_count
        } else if learner_types(target) {
            target
        } else {
            target + 1
        }
    };
    let load_steps = move |count: usize| {
        lesson.with_value(|l| {
            load_action(
                l,
                l.scenario.setup.clone(),
                l.steps
                    .iter()
                    .take(count)
                    .filter_map(|s| s.command.clone())
                    .collect(),
            )
        })
    };

    let sim =
        lesson.with_value(|l| SimHandle::provide(&l.scenario.scenario, Some(l.scenario.seed)));
    let journal_len = move || sim.with_simulation(|s| s.journal().len());
    let wait_for_learner = move |target: usize| {
        if target < step_count && learner_types(target) && applied.get_untracked() == target {
            pending.set(Some((target, journal_len())));
        } else {
            pending.set(None);
        }
    };
    sim.dispatch(load_steps(applied_at(0)));
    applied.set(applied_at(0));
    wait_for_learner(0);

    // Did the learner type the pending step's command (successfully) since it began?
    let typed = move |(step, mark): (usize, usize)| -> bool {
        let Some(command) = command_of(step) else {
            return false;
        };
        sim.with_simulation(|s| {
            s.journal()
                .lines()
                .iter()
                .skip(mark)
                .any(|line| line.trim() == command.trim())
        })
    };
    Effect::new(move |_| {
        sim.transcript().track();
        if let Some(waiting) = pending.get_untracked()
            && typed(waiting)
        {
            applied.set(waiting.0 + 1);
            pending.set(None);
        }
    });

    let go_to = move |target: usize| {
        let target = target.min(stage_count.saturating_sub(1));
        let from = stage.get_untracked();
        if target == from {
            return;
        }
        if let Some(waiting) = pending.get_untracked()
            && typed(waiting)
        {
            applied.set(waiting.0 + 1);
        }
        pending.set(None);
        active_challenge.set(None);
        let have = applied.get_untracked();
        let want = applied_at(target);
        if diverged.get_untracked() || want < have {
            sim.dispatch(load_steps(want));
            diverged.set(false);
        } else {
            for step in have..want {
                if let Some(command) = command_of(step) {
                    sim.dispatch(Action::Run(command));
                }
            }
        }
        applied.set(want);
        stage.set(target);
        wait_for_learner(target);
    };
    let on_select = Callback::new(go_to);

    let labels: Vec<String> = lesson.with_value(|l| {
        l.steps
            .iter()
            .map(|s| s.title.to_string())
            .chain(has_quiz.then(|| "Quiz".to_string()))
            .chain(has_challenges.then(|| "Challenges".to_string()))
            .collect()
    });
    let last_step = step_count.saturating_sub(1);
    let highlight = Signal::derive(move || {
        let i = stage.get().min(last_step);
        lesson.with_value(|l| {
            l.steps
                .get(i)
                .map(|s| s.highlight.iter().map(|h| h.to_string()).collect())
                .unwrap_or_default()
        })
    });

    // Marks question `index` of the quiz against the simulation as it stands (for a
    // prediction: with the following step applied to a copy).
    let grader = move |index: usize| {
        Callback::new(move |chosen: Vec<usize>| {
            let l = lesson.get_value();
            let question = &l.quiz[index];
            sim.with_simulation(|s| {
                let state = lessons::marking_state(l, question, s);
                lessons::grade(question, &chosen, &state)
            })
        })
    };

    let step_panel = move |i: usize, step: &lessons::Step, l: &lessons::Lesson| {
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
            if step.learner_types {
                let c2 = c.clone();
                view! {
                    <div class="step-command your-turn" data-testid="step-your-turn">
                        <p>
                            "Your turn: type " <code data-testid="step-command">{c}</code>
                            " in the terminal."
                        </p>
                        <Show
                            when=move || pending.get().is_some()
                            fallback=|| view! { <p class="done" data-testid="step-typed">"✓ Done."</p> }
                        >
                            <button
                                type="button"
                                class="button small"
                                data-testid="step-run-for-me"
                                on:click={
                                    let c2 = c2.clone();
                                    move |_| sim.dispatch(Action::Run(c2.clone()))
                                }
                            >
                                "Run it for me"
                            </button>
                        </Show>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <p class="step-command">
                        "This step runs " <code data-testid="step-command">{c}</code>
                    </p>
                }
                .into_any()
            }
        });
        let moments = l
            .key_moments
            .iter()
            .filter(|m| m.step == step.id)
            .map(|m| {
                view! {
                    <aside class="key-moment" data-testid="key-moment">
                        <strong>"Key moment: "</strong>
                        <span inner_html=markdown::inline_to_html(&m.text)></span>
                    </aside>
                }
            })
            .collect_view();
        let step_id = step.id.clone();
        let predictions = move || {
            let l = lesson.get_value();
            l.quiz
                .iter()
                .enumerate()
                .filter(|(_, q)| {
                    q.kind == lessons::QuestionKind::Prediction
                        && q.after_step.as_deref() == Some(step_id.as_str())
                })
                .map(|(index, q)| {
                    view! { <QuizQuestion question=q.clone() number=index + 1 grade=grader(index) /> }
                })
                .collect_view()
        };
        let has_predictions = l.predictions_after(&step.id).next().is_some();
        view! {
            <article class="step" data-testid="step">
                <p class="step-counter">{format!("Step {} of {}", i + 1, step_count)}</p>
                <h2 data-testid="step-title">{step.title.to_string()}</h2>
                <div class="narration prose" data-testid="step-narration" inner_html=narration></div>
                {process}
                {command}
                {moments}
                {has_predictions
                    .then(|| {
                        view! {
                            <Show when=move || pending.get().is_none()>
                                <section class="predictions" data-testid="predictions">
                                    <h3>"What happens next?"</h3>
                                    {predictions.clone()}
                                </section>
                            </Show>
                        }
                    })}
            </article>
        }
        .into_any()
    };

    let stage_panel = move || {
        let i = stage.get();
        lesson.with_value(|l| match l.steps.get(i) {
            Some(step) => step_panel(i, step, l),
            None if Some(i) == quiz_stage => {
                let questions = l
                    .quiz
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| q.kind != lessons::QuestionKind::Prediction)
                    .enumerate()
                    .map(|(n, (index, q))| {
                        view! { <QuizQuestion question=q.clone() number=n + 1 grade=grader(index) /> }
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
            None => view! {
                <Challenges
                    lesson=lesson.get_value()
                    active=active_challenge
                    diverged=diverged
                />
            }
            .into_any(),
        })
    };

    let tracker = move || {
        sim.transcript().track();
        sim.events().track();
        lesson.with_value(|l| {
            sim.with_simulation(|s| {
                l.tracker
                    .iter()
                    .map(|row| {
                        let value = s.query(&row.query).to_string();
                        view! {
                            <tr data-testid="tracker-row">
                                <th scope="row">{row.name.clone()}</th>
                                <td class="mono">{value}</td>
                            </tr>
                        }
                    })
                    .collect_view()
            })
        })
    };
    let has_tracker = lesson.with_value(|l| !l.tracker.is_empty());

    let interactive = Memo::new(move |_| {
        pending.get().is_some()
            || (Some(stage.get()) == challenge_stage && active_challenge.get().is_some())
    });

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
    let next_label = move || {
        let next = stage.get() + 1;
        if Some(next) == quiz_stage {
            "Quiz →"
        } else if Some(next) == challenge_stage {
            "Challenges →"
        } else {
            "Next →"
        }
    };

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
                    {stage_panel}
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
                            {next_label}
                        </button>
                    </div>
                </div>
                <div class="player-side">
                    <StatusLine />
                    {has_tracker
                        .then(|| {
                            view! {
                                <section class="panel tracker" aria-labelledby="tracker-heading">
                                    <h2 id="tracker-heading" class="panel-title">"Status"</h2>
                                    <table class="tracker-table" data-testid="tracker">
                                        <tbody>{tracker}</tbody>
                                    </table>
                                </section>
                            }
                        })}
                    {move || {
                        if interactive.get() {
                            view! { <Terminal interactive=true /> }.into_any()
                        } else {
                            view! { <Terminal /> }.into_any()
                        }
                    }}
                </div>
            </div>
            <EventLog highlight=highlight />
        </div>
    }
}
