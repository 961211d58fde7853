//! The lesson player (`/lessons/:id`): the process-flow strip, the current
//! step's narration, key moments and predictions, the status tracker, the
//! command output, the event log, then the quiz and the challenges.
//!
//! The player runs the lesson's scenario in its own simulation. Going forward
//! runs the next step's command; going back replays the lesson from the start
//! up to that step (the simulator is deterministic, so the result is the same
//! as having stepped there). A step marked `learner_types` waits for the learner
//! to type its command in the terminal (or runs it when they move on).
//!
//! In a workshop that includes the lesson, the player also reports the time the page
//! is visible ([`ActiveTime`]): every minute, when the page is hidden, and on leaving.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::components::charts_panel::ChartsPanel;
use crate::components::diagram::Diagram;
use crate::components::event_log::EventLog;
use crate::components::flow::FlowStrip;
use crate::components::quiz::QuizQuestion;
use crate::components::status::StatusLine;
use crate::components::terminal::Terminal;
use crate::components::timeline::TimelineBar;
use crate::markdown;
use crate::pages::lesson_challenge::Challenges;
use crate::pages::not_found::NotFoundPage;
use crate::progress::ProgressHandle;
use crate::state::{Action, SimHandle};
use crate::workshop::WorkshopHandle;
use crate::workshop::active_time::ActiveTime;
use crate::workshop::client;
use crate::workshop::model::Report;

/// How long Play shows each step at 1× speed, in milliseconds.
pub const PLAY_STEP_MS: f64 = 4000.0;

/// How often the time on a workshop lesson's page is sampled, in milliseconds.
pub const TIME_TICK_MS: u64 = 15_000;

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
    let setup_action =
        move || lesson.with_value(|l| load_action(l, l.scenario.setup.clone(), Vec::new()));

    let sim =
        lesson.with_value(|l| SimHandle::provide(&l.scenario.scenario, Some(l.scenario.seed)));
    let progress = ProgressHandle::expect();
    let lesson_id = lesson.with_value(|l| l.id.to_string());
    let journal_len = move || sim.with_simulation(|s| s.journal().len());
    // Where each step ended on the page's timeline: `step_end[k]` is the timeline
    // position once `k` steps have run, with the line that got it there (`None` for
    // no line), so moving between steps is a seek, not a replay from scratch.
    let step_end = StoredValue::new(vec![(0usize, None::<String>)]);
    let record_end = move |steps: usize| {
        let position = sim.position().get_untracked();
        let line = position
            .checked_sub(1)
            .and_then(|i| sim.journal().with_untracked(|j| j.get(i).cloned()));
        step_end.update_value(|ends| {
            ends.truncate(steps);
            ends.push((position, line));
        });
    };
    // Whether the timeline still holds what was recorded for `steps` steps (typing while
    // viewing the past drops the future, and with it the recorded ends after it).
    let end_still_valid = move |steps: usize| -> Option<usize> {
        let (position, line) = step_end.with_value(|ends| ends.get(steps).cloned())?;
        let held = sim.journal().with_untracked(|j| {
            j.len() >= position && position.checked_sub(1).map(|i| j[i].clone()) == line
        });
        held.then_some(position)
    };
    // Runs (or re-reaches) step `step`, assuming the `step` steps before it are applied.
    let forward_step = move |step: usize| {
        if let Some(position) = end_still_valid(step + 1) {
            sim.dispatch(Action::Seek(position));
            return;
        }
        if let Some(position) = end_still_valid(step) {
            sim.dispatch(Action::Seek(position));
        }
        if let Some(command) = command_of(step) {
            sim.dispatch(Action::Run(command));
        }
        record_end(step + 1);
    };
    let start_walkthrough = move |steps: usize| {
        sim.dispatch(setup_action());
        step_end.set_value(vec![(0, None)]);
        for step in 0..steps {
            forward_step(step);
        }
    };
    let wait_for_learner = move |target: usize| {
        if target < step_count && learner_types(target) && applied.get_untracked() == target {
            pending.set(Some((target, journal_len())));
        } else {
            pending.set(None);
        }
    };
    start_walkthrough(applied_at(0));
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
            record_end(waiting.0 + 1);
            pending.set(None);
        }
    });

    let go_to = move |target: usize| {
        let target = target.min(stage_count.saturating_sub(1));
        let from = stage.get_untracked();
        // The same stage again does nothing, unless the timeline was scrubbed away from
        // it: then it comes back to where that stage's steps ended.
        if target == from
            && (diverged.get_untracked()
                || end_still_valid(applied.get_untracked()) == Some(sim.position().get_untracked()))
        {
            return;
        }
        if let Some(waiting) = pending.get_untracked()
            && typed(waiting)
        {
            applied.set(waiting.0 + 1);
            record_end(waiting.0 + 1);
        }
        pending.set(None);
        active_challenge.set(None);
        let have = applied.get_untracked();
        let want = applied_at(target);
        if diverged.get_untracked() {
            start_walkthrough(want);
            diverged.set(false);
        } else if want <= have {
            // Back (or the same step again, after scrubbing the timeline): the
            // timeline seeks to where that step ended, replaying from a checkpoint.
            match end_still_valid(want) {
                Some(position) => sim.dispatch(Action::Seek(position)),
                None => start_walkthrough(want),
            }
        } else {
            for step in have..want {
                forward_step(step);
            }
        }
        applied.set(want);
        if target != from {
            stage.set(target);
        }
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
            let grade = sim.with_simulation(|s| {
                let state = lessons::marking_state(l, question, s);
                lessons::grade(question, &chosen, &state)
            });
            progress.record_answer(&l.id, &question.id, grade.correct);
            grade
        })
    };

    // Progress: the furthest stage reached, kept in localStorage by the handle.
    {
        let lesson_id = lesson_id.clone();
        Effect::new(move |_| progress.record_stage(&lesson_id, stage.get(), stage_count));
    }
    report_time_spent(lesson_id.clone());

    // Play: step forward on a timer, pausing where the learner has to act (a command
    // to type, the quiz) and at the last step.
    let playing = RwSignal::new(false);
    let speed = RwSignal::new(1.0f64);
    let can_play_on = move || {
        let next = stage.get_untracked() + 1;
        next < step_count && pending.get_untracked().is_none()
    };
    let timer = StoredValue::new_local(None::<IntervalHandle>);
    let stop_timer = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    Effect::new(move |_| {
        let (on, factor) = (playing.get(), speed.get());
        stop_timer();
        if !on {
            return;
        }
        if !can_play_on() {
            playing.set(false);
            return;
        }
        let every = std::time::Duration::from_millis((PLAY_STEP_MS / factor) as u64);
        let handle = set_interval_with_handle(
            move || {
                if can_play_on() {
                    go_to(stage.get_untracked() + 1);
                }
                if !can_play_on() {
                    playing.set(false);
                }
            },
            every,
        )
        .ok();
        timer.set_value(handle);
    });
    on_cleanup(stop_timer);

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
    // Commands the active challenge does not allow: the terminal refuses them.
    let disabled = Signal::derive(move || {
        active_challenge
            .get()
            .filter(|_| Some(stage.get()) == challenge_stage)
            .and_then(|i| {
                lesson.with_value(|l| l.challenges.get(i).map(|c| c.disabled_commands.clone()))
            })
            .unwrap_or_default()
    });
    // "Seek to this moment" from the event log: the position whose command emitted it.
    let on_seek = Callback::new(move |seq: u64| {
        let position = sim.with_timeline(|t| t.position_of_event(seq));
        sim.dispatch(Action::Seek(position));
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
                    <div class="step-nav" role="group" aria-label="Step controls">
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
                            class="button"
                            data-testid="step-play"
                            aria-pressed=move || playing.get().to_string()
                            disabled=move || { !playing.get() && stage.get() + 1 >= step_count }
                            on:click=move |_| playing.update(|p| *p = !*p)
                        >
                            {move || if playing.get() { "⏸ Pause" } else { "▶ Play" }}
                        </button>
                        <label class="visually-hidden" for="play-speed">"Play speed"</label>
                        <select
                            id="play-speed"
                            class="speed"
                            data-testid="step-speed"
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                    speed.set(v);
                                }
                            }
                        >
                            <option value="0.5">"0.5×"</option>
                            <option value="1" selected>"1×"</option>
                            <option value="2">"2×"</option>
                            <option value="4">"4×"</option>
                        </select>
                        <button
                            type="button"
                            class="button primary"
                            data-testid="step-next"
                            disabled=move || { stage.get() + 1 >= stage_count }
                            on:click=move |_| {
                                playing.set(false);
                                go_to(stage.get_untracked() + 1)
                            }
                        >
                            {next_label}
                        </button>
                    </div>
                    <p class="visually-hidden" aria-live="polite" data-testid="play-status">
                        {move || {
                            if playing.get() {
                                "Playing the walkthrough."
                            } else if pending.get().is_some() {
                                "Paused: this step waits for you to type its command."
                            } else {
                                ""
                            }
                        }}
                    </p>
                </div>
                <div class="player-stage">
                    <Diagram highlight=highlight />
                </div>
            </div>
            <TimelineBar without_play=true />
            <div class="player-lower">
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
                            view! { <Terminal interactive=true disabled=disabled /> }.into_any()
                        } else {
                            view! { <Terminal /> }.into_any()
                        }
                    }}
                </div>
                <ChartsPanel />
            </div>
            <EventLog highlight=highlight on_seek=on_seek />
        </div>
    }
}

/// Sends the time this lesson's page is visible to the joined workshop, if the lesson is
/// one of its lessons (nothing runs otherwise): a sample every [`TIME_TICK_MS`], a
/// report every minute of visible time, and a flush when the page is hidden (perhaps
/// for good: the tab closing) and when the player is left. Time reports go out with
/// `keepalive`, so a flush survives the page.
fn report_time_spent(lesson_id: String) {
    let in_workshop = WorkshopHandle::get()
        .and_then(|h| h.membership().get_untracked())
        .is_some_and(|m| m.lessons.contains(&lesson_id));
    if !in_workshop {
        return;
    }
    let now = || web_sys::js_sys::Date::now();
    let visible = || {
        web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
    };
    let meter = StoredValue::new_local(ActiveTime::new(now(), visible(), TIME_TICK_MS as f64));
    let lesson_id = StoredValue::new(lesson_id);
    // Samples the clock and visibility; with `flush`, also sends whatever is pending.
    let sample = move |flush: bool| {
        let visible = visible();
        let due = meter
            .try_update_value(|m| {
                let due = m.tick(now(), visible);
                // Time is only sent here if the tick did not already take it all.
                let flushed = if flush { m.flush() } else { None };
                [due, flushed]
            })
            .unwrap_or_default();
        for seconds in due.into_iter().flatten() {
            client::report(Report::Time {
                lesson: lesson_id.get_value(),
                seconds,
            });
        }
    };

    if let Ok(handle) = set_interval_with_handle(
        move || sample(false),
        std::time::Duration::from_millis(TIME_TICK_MS),
    ) {
        on_cleanup(move || handle.clear());
    }

    // Hidden: flush now, as a hidden page may never come back (closed, discarded).
    // Shown again: a sample restarts the count from this moment.
    let on_visibility = Closure::<dyn Fn()>::new(move || sample(!visible()));
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(document) = &document {
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
    }
    let listener = StoredValue::new_local(Some(on_visibility));
    on_cleanup(move || {
        if let Some(on_visibility) = listener.try_update_value(Option::take).flatten()
            && let Some(document) = web_sys::window().and_then(|w| w.document())
        {
            let _ = document.remove_event_listener_with_callback(
                "visibilitychange",
                on_visibility.as_ref().unchecked_ref(),
            );
        }
        // Leaving the lesson: what was visible until now goes out.
        sample(true);
    });
}
