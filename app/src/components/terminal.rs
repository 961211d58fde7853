//! The terminal: a transcript of `$ command` lines and their output, and (when
//! interactive) an input line with history on ArrowUp/ArrowDown.

use leptos::html;
use leptos::prelude::*;

use crate::state::{Action, SimHandle};

/// Keeps a scrollable element pinned to its bottom whenever `track` changes.
pub fn stick_to_bottom<T: Clone + Send + Sync + PartialEq + 'static>(
    node: NodeRef<html::Div>,
    track: Memo<T>,
) {
    Effect::new(move |_| {
        track.track();
        request_animation_frame(move || {
            // The element may be gone by the next frame (its view was replaced).
            if let Some(el) = node.try_get_untracked().flatten() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    });
}

/// The page's terminal; `interactive` adds the command input.
#[component]
pub fn Terminal(
    /// Whether the learner can type commands (the lesson player's terminal is read-only).
    #[prop(optional)]
    interactive: bool,
) -> impl IntoView {
    let sim = SimHandle::expect();
    let (line, set_line) = signal(String::new());
    // Position in the history while walking it with the arrow keys; `None` = editing a new line.
    let cursor = RwSignal::new(None::<usize>);
    // What the learner had typed before walking into the history.
    let draft = StoredValue::new(String::new());
    let output_ref = NodeRef::<html::Div>::new();
    let input_ref = NodeRef::<html::Input>::new();
    stick_to_bottom(output_ref, sim.transcript());

    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let history = sim.history();
        match ev.key().as_str() {
            "Enter" => {
                ev.prevent_default();
                let text = line.get_untracked();
                set_line.set(String::new());
                cursor.set(None);
                sim.dispatch(Action::Run(text));
            }
            "ArrowUp" => {
                ev.prevent_default();
                let len = history.with_untracked(Vec::len);
                if len == 0 {
                    return;
                }
                let index = match cursor.get_untracked() {
                    None => {
                        draft.set_value(line.get_untracked());
                        len - 1
                    }
                    Some(i) => i.saturating_sub(1),
                };
                cursor.set(Some(index));
                set_line.set(history.with_untracked(|h| h[index].clone()));
            }
            "ArrowDown" => {
                ev.prevent_default();
                let len = history.with_untracked(Vec::len);
                match cursor.get_untracked() {
                    Some(i) if i + 1 < len => {
                        cursor.set(Some(i + 1));
                        set_line.set(history.with_untracked(|h| h[i + 1].clone()));
                    }
                    Some(_) => {
                        cursor.set(None);
                        set_line.set(draft.get_value());
                    }
                    None => {}
                }
            }
            _ => {}
        }
    };

    let focus_input = move |_| {
        // Clicking the screen focuses the input, unless the learner is selecting text.
        let selecting = window()
            .get_selection()
            .ok()
            .flatten()
            .is_some_and(|s| !s.is_collapsed());
        if let (false, Some(input)) = (selecting, input_ref.get_untracked()) {
            let _ = input.focus();
        }
    };

    view! {
        <section class="terminal" aria-label="Terminal">
            <div
                class="terminal-output"
                data-testid="terminal-output"
                node_ref=output_ref
                role="log"
                aria-label="Terminal output"
                tabindex="0"
                on:click=focus_input
            >
                <Show when=move || sim.transcript().with(Vec::is_empty)>
                    <p class="terminal-empty">
                        {if interactive {
                            "Type a command below and press Enter. Try help, kubectl get nodes or sim advance 10s."
                        } else {
                            "Commands this lesson runs appear here."
                        }}
                    </p>
                </Show>
                <For
                    each=move || sim.transcript().get()
                    key=|entry| entry.id
                    children=move |entry| {
                        let has_output = !entry.output.is_empty();
                        view! {
                            <div class="term-entry" class:term-error=entry.is_error>
                                <div class="term-command">
                                    <span class="term-prompt" aria-hidden="true">"$ "</span>
                                    {entry.command}
                                </div>
                                {has_output
                                    .then(|| view! { <pre class="term-text">{entry.output}</pre> })}
                            </div>
                        }
                    }
                />
            </div>
            {interactive
                .then(|| {
                    view! {
                        <div class="terminal-input-row">
                            <label for="terminal-input" class="visually-hidden">
                                "Command"
                            </label>
                            <span class="term-prompt" aria-hidden="true">"$"</span>
                            <input
                                id="terminal-input"
                                data-testid="terminal-input"
                                type="text"
                                node_ref=input_ref
                                autocomplete="off"
                                autocapitalize="off"
                                spellcheck="false"
                                placeholder="kubectl get nodes"
                                prop:value=line
                                on:input=move |ev| {
                                    cursor.set(None);
                                    set_line.set(event_target_value(&ev));
                                }
                                on:keydown=on_keydown
                            />
                        </div>
                    }
                })}
        </section>
    }
}
