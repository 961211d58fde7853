//! The process-flow strip: a lesson's steps in order, the current one highlighted.

use leptos::prelude::*;

/// The steps of a lesson as a strip of buttons; choosing one jumps to it.
#[component]
pub fn FlowStrip(
    /// The label of each stage, in order.
    labels: Vec<String>,
    /// Index of the current stage.
    #[prop(into)]
    current: Signal<usize>,
    /// Called with the index of the stage the learner chose.
    on_select: Callback<usize>,
) -> impl IntoView {
    let items = labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            let is_current = move || current.get() == i;
            let is_done = move || current.get() > i;
            view! {
                <li class:current=is_current class:done=is_done>
                    <button
                        type="button"
                        class="flow-step"
                        data-testid="flow-step"
                        aria-current=move || is_current().then_some("step")
                        on:click=move |_| on_select.run(i)
                    >
                        <span class="flow-number" aria-hidden="true">{i + 1}</span>
                        <span class="flow-label">{label}</span>
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav aria-label="Lesson steps">
            <ol class="flow" data-testid="flow">
                {items}
            </ol>
        </nav>
    }
}
