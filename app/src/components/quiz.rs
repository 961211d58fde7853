//! One quiz question: choices as radio buttons (or checkboxes when several
//! answers are right), or for an ordering a list the learner rearranges with
//! Move up / Move down buttons; a Check button, feedback, and one more hint
//! after each wrong attempt.

use leptos::prelude::*;
use lessons::{Grade, Question, QuestionKind};

use crate::markdown;

/// A quiz question; `grade` marks the selected choice indexes (ascending), or for
/// an ordering the learner's sequence of choice indexes.
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
    let ordering = question.kind == QuestionKind::Ordering;
    let selected = RwSignal::new(Vec::<usize>::new());
    // For an ordering: the choice indexes as currently arranged, top first.
    let order = RwSignal::new((0..question.choices.len()).collect::<Vec<usize>>());
    // `None` until checked; then the verdict, or `Err` when nothing was selected.
    let verdict = RwSignal::new(None::<Result<Grade, ()>>);
    // Wrong attempts so far: each one reveals one more hint.
    let misses = RwSignal::new(0usize);
    let name = format!("quiz-{}", question.id);
    let input_type = if multiple { "checkbox" } else { "radio" };
    let choices_text = StoredValue::new(question.choices.clone());

    let choices = (!ordering).then(|| {
        question
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
            .collect_view()
    });

    let id_prefix = StoredValue::new(name.clone());
    // Moves the item at `at` to `with`, then keeps keyboard focus on the moved item's
    // button (the other one when it reached an end and this one is now disabled).
    let swap = move |at: usize, with: usize, up: bool| {
        let len = order.with_untracked(Vec::len);
        if at >= len || with >= len || at == with {
            return;
        }
        let moved = order.with_untracked(|o| o[at]);
        order.update(|o| o.swap(at, with));
        verdict.set(None);
        let at_end = if up { with == 0 } else { with + 1 == len };
        let direction = if up != at_end { "up" } else { "down" };
        let id = format!("{}-{moved}-{direction}", id_prefix.get_value());
        request_animation_frame(move || {
            use wasm_bindgen::JsCast;
            if let Some(button) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = button.focus();
            }
        });
    };
    let ordering_list = move || {
        let arranged = order.get();
        let len = arranged.len();
        arranged
            .into_iter()
            .enumerate()
            .map(|(position, choice)| {
                let text = choices_text.with_value(|c| c[choice].clone());
                let plain = text.replace('`', "");
                view! {
                    <li data-testid="quiz-order-item" data-choice=choice>
                        <span class="order-position" aria-hidden="true">{position + 1}</span>
                        <span class="order-text" inner_html=markdown::inline_to_html(&text)></span>
                        <span class="order-buttons">
                            <button
                                type="button"
                                class="button small"
                                id=format!("{}-{choice}-up", id_prefix.get_value())
                                data-testid="quiz-order-up"
                                aria-label=format!("Move “{plain}” up")
                                disabled=position == 0
                                on:click=move |_| swap(position, position.saturating_sub(1), true)
                            >
                                "↑"
                            </button>
                            <button
                                type="button"
                                class="button small"
                                id=format!("{}-{choice}-down", id_prefix.get_value())
                                data-testid="quiz-order-down"
                                aria-label=format!("Move “{plain}” down")
                                disabled=position + 1 == len
                                on:click=move |_| swap(position, position + 1, false)
                            >
                                "↓"
                            </button>
                        </span>
                    </li>
                }
            })
            .collect_view()
    };

    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = if ordering {
            order.get_untracked()
        } else {
            selected.get_untracked()
        };
        verdict.set(Some(if chosen.is_empty() {
            Err(())
        } else {
            let result = grade.run(chosen);
            if !result.correct {
                misses.update(|m| *m += 1);
            }
            Ok(result)
        }));
    };

    let note = match question.kind {
        QuestionKind::Multiple => Some(" (select all that apply)"),
        QuestionKind::Ordering => Some(" (put them in order, first at the top)"),
        QuestionKind::Prediction => Some(" (predict, then see)"),
        QuestionKind::Single => None,
    };

    view! {
        <form class="quiz-question" data-testid="quiz-question" data-kind=question.kind.to_string() on:submit=check>
            <fieldset>
                <legend>
                    <span class="quiz-number">{format!("Question {number}. ")}</span>
                    <span inner_html=markdown::inline_to_html(&question.prompt)></span>
                    {note.map(|n| view! { <span class="quiz-note">{n}</span> })}
                </legend>
                {if ordering {
                    view! { <ol class="choices ordering" data-testid="quiz-order">{ordering_list}</ol> }
                        .into_any()
                } else {
                    view! { <ul class="choices">{choices}</ul> }.into_any()
                }}
            </fieldset>
            <button type="submit" class="button primary" data-testid="quiz-check">
                "Check"
            </button>
            <div class="quiz-feedback-slot" aria-live="polite">
                {move || {
                    verdict
                        .get()
                        .map(|verdict| match verdict {
                            Ok(grade) if grade.correct => {
                                view! {
                                    <div class="quiz-feedback correct" data-testid="quiz-feedback" data-correct="true">
                                        <p><strong>"Correct."</strong></p>
                                        <div class="prose" inner_html=markdown::to_html(&grade.feedback)></div>
                                    </div>
                                }
                                    .into_any()
                            }
                            Ok(grade) => {
                                let shown = misses.get().clamp(1, grade.hints.len().max(1));
                                let hints = grade
                                    .hints
                                    .iter()
                                    .take(shown)
                                    .map(|h| {
                                        view! {
                                            <li data-testid="quiz-hint" inner_html=markdown::inline_to_html(h)></li>
                                        }
                                    })
                                    .collect_view();
                                view! {
                                    <div class="quiz-feedback incorrect" data-testid="quiz-feedback" data-correct="false">
                                        <p><strong>"Not quite — try again."</strong></p>
                                        <ul class="quiz-hints">{hints}</ul>
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
