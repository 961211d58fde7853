//! The lesson player's challenges: each one's task, hints revealed one at a
//! time, a Start button that sets up its starting state (the end of the
//! walkthrough or the lesson's scenario, then the challenge's own set-up
//! commands), and a Check button that says which goal is unmet and why.

use leptos::prelude::*;

use crate::markdown;
use crate::pages::lesson::load_action;
use crate::progress::ProgressHandle;
use crate::state::SimHandle;

/// Every challenge of `lesson`, one card each.
#[component]
pub fn Challenges(
    /// The lesson.
    lesson: &'static lessons::Lesson,
    /// The challenge in progress (its index), set by Start.
    active: RwSignal<Option<usize>>,
    /// Set when a challenge replaces the walkthrough's simulation.
    diverged: RwSignal<bool>,
) -> impl IntoView {
    let cards = lesson
        .challenges
        .iter()
        .enumerate()
        .map(|(index, challenge)| {
            view! { <ChallengeCard lesson=lesson index=index challenge=challenge active=active diverged=diverged /> }
        })
        .collect_view();
    view! {
        <article class="step challenges" data-testid="challenges">
            <p class="step-counter">"Put it to work"</p>
            <h2>"Challenges"</h2>
            {cards}
        </article>
    }
}

#[component]
fn ChallengeCard(
    lesson: &'static lessons::Lesson,
    index: usize,
    challenge: &'static lessons::Challenge,
    active: RwSignal<Option<usize>>,
    diverged: RwSignal<bool>,
) -> impl IntoView {
    let sim = SimHandle::expect();
    let hints_shown = RwSignal::new(0usize);
    let status = RwSignal::new(None::<lessons::ChallengeStatus>);
    // Journal length once the starting state was set up: later lines are the learner's.
    let mark = StoredValue::new(0usize);
    let is_active = move || active.get() == Some(index);

    let progress = ProgressHandle::expect();
    let evaluate = move || {
        let from = mark.get_value();
        let verdict = sim.with_simulation(|s| {
            let lines: Vec<String> = s.journal().lines().iter().skip(from).cloned().collect();
            lessons::challenge_status(challenge, s, &lines)
        });
        if verdict.solved {
            progress.record_challenge(&lesson.id, &challenge.id, true);
        }
        status.set(Some(verdict));
    };
    let start = move |_| {
        sim.dispatch(load_action(
            lesson,
            lesson.challenge_setup(challenge),
            Vec::new(),
        ));
        mark.set_value(sim.with_simulation(|s| s.journal().len()));
        active.set(Some(index));
        diverged.set(true);
        evaluate();
    };
    let check = move |_| evaluate();
    // Live goal status: every command the learner runs re-checks the goals.
    Effect::new(move |_| {
        sim.transcript().track();
        if active.get_untracked() == Some(index) {
            evaluate();
        }
    });

    let hint_count = challenge.hints.len();
    let hints = move || {
        challenge
            .hints
            .iter()
            .take(hints_shown.get())
            .map(|h| view! { <li data-testid="challenge-hint" inner_html=markdown::inline_to_html(h)></li> })
            .collect_view()
    };
    let disabled = (!challenge.disabled_commands.is_empty()).then(|| {
        let list = challenge
            .disabled_commands
            .iter()
            .map(|c| view! { <code>{c.clone()}</code> " " })
            .collect_view();
        view! { <p class="muted" data-testid="challenge-disabled">"Not allowed here: " {list}</p> }
    });
    let starts_from = if challenge.from_scenario {
        "Starts from the lesson's starting point"
    } else {
        "Starts where the walkthrough ended"
    };
    let setup_note = (!challenge.setup.is_empty()).then(|| {
        view! {
            <details class="challenge-setup" data-testid="challenge-setup">
                <summary>"What the set-up does"</summary>
                <pre><code>{challenge.setup.join("\n")}</code></pre>
            </details>
        }
    });

    let verdict = move || {
        status.get().map(|st| {
            let goals = st
                .goals
                .iter()
                .map(|g| {
                    let (mark, class) = if g.passed { ("✓", "met") } else { ("✗", "unmet") };
                    view! {
                        <li class=class data-testid="challenge-goal" data-met=g.passed.to_string()>
                            <span aria-hidden="true">{mark}" "</span>
                            {g.detail.clone()}
                        </li>
                    }
                })
                .collect_view();
            let used = st
                .disabled_used
                .iter()
                .map(|line| {
                    view! { <li class="unmet">"✗ You used " <code>{line.clone()}</code> ", which this challenge disables."</li> }
                })
                .collect_view();
            let (class, headline) = if st.solved {
                ("quiz-feedback correct", "Solved!")
            } else {
                ("quiz-feedback incorrect", "Not yet.")
            };
            view! {
                <div class=class data-testid="challenge-status" data-solved=st.solved.to_string()>
                    <p><strong>{headline}</strong></p>
                    <ul class="challenge-goals">{goals}{used}</ul>
                </div>
            }
        })
    };

    view! {
        <section class="challenge" data-testid="challenge" aria-labelledby=format!("challenge-{}", challenge.id)>
            <h3 id=format!("challenge-{}", challenge.id)>{challenge.title.clone()}</h3>
            <div class="prose" inner_html=markdown::to_html(&challenge.task)></div>
            <p class="muted">{starts_from}</p>
            {setup_note}
            {disabled}
            <ul class="challenge-goal-list">
                {challenge
                    .goals
                    .iter()
                    .map(|g| view! { <li>{g.description.clone()}</li> })
                    .collect_view()}
            </ul>
            <div class="challenge-actions">
                <button type="button" class="button primary" data-testid="challenge-start" on:click=start>
                    {move || if is_active() { "Start over" } else { "Start challenge" }}
                </button>
                <button
                    type="button"
                    class="button"
                    data-testid="challenge-check"
                    disabled=move || !is_active()
                    on:click=check
                >
                    "Check goals"
                </button>
                {(hint_count > 0)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button"
                                data-testid="challenge-hint-button"
                                disabled=move || { hints_shown.get() >= hint_count }
                                on:click=move |_| hints_shown.update(|n| *n = (*n + 1).min(hint_count))
                            >
                                "Show a hint"
                            </button>
                        }
                    })}
            </div>
            <ol class="challenge-hints">{hints}</ol>
            <div aria-live="polite">{verdict}</div>
        </section>
    }
}
