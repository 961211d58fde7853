//! One quiz question: choices as radio buttons (or checkboxes when several
//! answers are right), a Check button and feedback.

use leptos::prelude::*;
use lessons::{Grade, Question, QuestionKind};

use crate::markdown;

/// A quiz question; `grade` marks the selected choice indexes.
#[component]
pub fn QuizQuestion(
    /// The question.
    question: Question,
    /// Position of the question in the quiz (1-based, for its heading).
    number: usize,
    /// Marks the selected choice indexes (ascending).
    grade: Callback<Vec<usize>, Grade>,
) -> impl IntoView {
    let multiple = question.kind == QuestionKind::Multiple;
    let selected = RwSignal::new(Vec::<usize>::new());
    // `None` until checked; then the verdict, or `Err` when nothing was selected.
    let verdict = RwSignal::new(None::<Result<Grade, ()>>);
    let name = format!("quiz-{}", question.id);
    let input_type = if multiple { "checkbox" } else { "radio" };

    let choices = question
        .choices
        .iter()
        .enumerate()
        .map(|(i, choice)| {
            let id = format!("{name}-{i}");
            view! {
                <li>
                    <input
                        type=input_type
                        id=id.clone()
                        name=name.clone()
                        value=i
                        data-testid="quiz-choice"
                        prop:checked=move || selected.read().contains(&i)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected
                                .update(|s| {
                                    if !multiple {
                                        s.clear();
                                    }
                                    s.retain(|&x| x != i);
                                    if on {
                                        s.push(i);
                                        s.sort_unstable();
                                    }
                                });
                            verdict.set(None);
                        }
                    />
                    <label for=id inner_html=markdown::inline_to_html(choice)></label>
                </li>
            }
        })
        .collect_view();

    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = selected.get_untracked();
        verdict.set(Some(if chosen.is_empty() {
            Err(())
        } else {
            Ok(grade.run(chosen))
        }));
    };

    view! {
        <form class="quiz-question" data-testid="quiz-question" on:submit=check>
            <fieldset>
                <legend>
                    <span class="quiz-number">{format!("Question {number}. ")}</span>
                    <span inner_html=markdown::inline_to_html(&question.prompt)></span>
                    {multiple.then(|| view! { <span class="quiz-note">" (select all that apply)"</span> })}
                </legend>
                <ul class="choices">{choices}</ul>
            </fieldset>
            <button type="submit" class="button primary" data-testid="quiz-check">
                "Check"
            </button>
            <div class="quiz-feedback-slot" aria-live="polite">
                {move || {
                    verdict
                        .get()
                        .map(|verdict| match verdict {
                            Ok(grade) => {
                                let (class, label) = if grade.correct {
                                    ("quiz-feedback correct", "Correct.")
                                } else {
                                    ("quiz-feedback incorrect", "Not quite — try again.")
                                };
                                view! {
                                    <div class=class data-testid="quiz-feedback" data-correct=grade.correct.to_string()>
                                        <p><strong>{label}</strong></p>
                                        <div class="prose" inner_html=markdown::to_html(&grade.feedback)></div>
                                    </div>
                                }
                                    .into_any()
                            }
                            Err(()) => {
                                view! {
                                    <div class="quiz-feedback" data-testid="quiz-feedback">
                                        <p>"Choose an answer first."</p>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </div>
        </form>
    }
}
