//! The terminal: a transcript of `$ command` lines and their output, and (when
//! interactive) an input line with history on ArrowUp/ArrowDown, Tab completion of
//! commands and object names, and refusal of commands a challenge disables.

use leptos::html;
use leptos::prelude::*;
use simulator::command::complete::{Completion, common_prefix, complete};

use crate::state::{Action, SimHandle};

/// At most this many completions are listed under the input; the rest are counted.
pub const MAX_LISTED: usize = 40;

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
    /// Command prefixes disabled in a challenge (`kubectl scale`): a line starting with
    /// one is refused instead of run.
    #[prop(optional, into)]
    disabled: Signal<Vec<String>>,
) -> impl IntoView {
    let sim = SimHandle::expect();
    let (line, set_line) = signal(String::new());
    // Position in the history while walking it with the arrow keys; `None` = editing a new line.
    let cursor = RwSignal::new(None::<usize>);
    // What the learner had typed before walking into the history.
    let draft = StoredValue::new(String::new());
    let output_ref = NodeRef::<html::Div>::new();
    let input_ref = NodeRef::<html::Input>::new();
    // The line a Tab could not extend (a second Tab on the same line lists the choices),
    // and the listing shown, with the line it is for.
    let tabbed = StoredValue::new(None::<String>);
    let listing = RwSignal::new(None::<(String, Vec<String>)>);
    stick_to_bottom(output_ref, sim.transcript());

    let on_tab = move |ev: &web_sys::KeyboardEvent| {
        let text = line.get_untracked();
        // An empty line has nothing to complete: Tab moves focus on, as everywhere else.
        let Some(input) = input_ref
            .get_untracked()
            .filter(|_| !text.trim().is_empty())
        else {
            return;
        };
        // Once the choices are listed for this very line, Tab moves focus on too.
        if listing.with_untracked(|l| l.as_ref().is_some_and(|(for_line, _)| *for_line == text)) {
            return;
        }
        let utf16 = input.selection_start().ok().flatten().map(|i| i as usize);
        let at = utf16.map_or(text.len(), |i| byte_offset(&text, i));
        let completion = sim.with_simulation(|s| complete(&text[..at], s));
        if completion.candidates.is_empty() {
            return;
        }
        ev.prevent_default();
        match extend(&text, at, &completion) {
            Some((new_line, new_at)) => {
                input.set_value(&new_line);
                let caret = utf16_offset(&new_line, new_at) as u32;
                let _ = input.set_selection_range(caret, caret);
                tabbed.set_value(None);
                cursor.set(None);
                set_line.set(new_line);
            }
            None if tabbed.with_value(|t| t.as_deref() == Some(text.as_str())) => {
                listing.set(Some((text, completion.candidates)));
            }
            None => tabbed.set_value(Some(text)),
        }
    };

    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let history = sim.history();
        match ev.key().as_str() {
            "Tab" if !(ev.shift_key() || ev.ctrl_key() || ev.alt_key() || ev.meta_key()) => {
                on_tab(&ev);
            }
            "Escape" => listing.set(None),
            "Enter" => {
                ev.prevent_default();
                let text = line.get_untracked();
                set_line.set(String::new());
                cursor.set(None);
                listing.set(None);
                tabbed.set_value(None);
                match disabled.with_untracked(|d| disabled_prefix(d, &text)) {
                    Some(prefix) => sim.dispatch(Action::Reject {
                        message: refusal(&prefix),
                        line: text,
                    }),
                    None => sim.dispatch(Action::Run(text)),
                }
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
                                aria-describedby="terminal-hint"
                                prop:value=line
                                on:input=move |ev| {
                                    cursor.set(None);
                                    listing.set(None);
                                    tabbed.set_value(None);
                                    set_line.set(event_target_value(&ev));
                                }
                                on:keydown=on_keydown
                            />
                        </div>
                        <p id="terminal-hint" class="visually-hidden">
                            "Tab completes commands and names; press it twice to list the choices. On an empty line, or once the choices are listed, Tab moves focus on; Shift+Tab always moves back. Escape hides the list."
                        </p>
                        <div class="completions" data-testid="completions" aria-live="polite">
                            {move || {
                                listing
                                    .get()
                                    .map(|(_, candidates)| view! { <CompletionList candidates /> })
                            }}
                        </div>
                    }
                })}
        </section>
    }
}

/// The choices a double Tab lists, capped at [`MAX_LISTED`] with a count of the rest.
#[component]
fn CompletionList(candidates: Vec<String>) -> impl IntoView {
    let total = candidates.len();
    let more = total.saturating_sub(MAX_LISTED);
    let shown: Vec<String> = candidates.into_iter().take(MAX_LISTED).collect();
    view! {
        <p class="visually-hidden">{format!("{total} completions:")}</p>
        <ul class="completion-list" aria-label="Completions">
            // Candidates are unique (sorted and deduplicated), so each is its own key.
            <For each=move || shown.clone() key=|c| c.clone() let:candidate>
                <li>{candidate}</li>
            </For>
        </ul>
        {(more > 0).then(|| view! { <p class="completion-more">{format!("+{more} more")}</p> })}
    }
}

/// The line after a Tab, and the caret's byte offset in it, or `None` when the
/// candidates share nothing beyond what is typed (ambiguous). A unique candidate gets a
/// space after it, unless it is a directory (`k8s/`), a `TYPE/` or a `name=`.
pub fn extend(line: &str, at: usize, completion: &Completion) -> Option<(String, usize)> {
    let typed = line.get(completion.start..at)?;
    let after = line.get(at..)?;
    let mut insert = match completion.candidates.as_slice() {
        [only] => only.clone(),
        _ => common_prefix(&completion.candidates),
    };
    let unique = completion.candidates.len() == 1;
    if unique && !insert.ends_with(['/', '=']) && !after.starts_with(' ') {
        insert.push(' ');
    }
    if !insert.starts_with(typed) || insert == typed {
        // A unique candidate already typed in full, followed by a space: nothing to do.
        return None;
    }
    let head = &line[..completion.start];
    let new_line = format!("{head}{insert}{after}");
    Some((new_line, head.len() + insert.len()))
}

/// The disabled prefix `line` falls under, matched word by word exactly as
/// `lessons::Challenge::is_disabled` (which grading uses) matches it. The `k` alias and
/// every command of a pipeline are checked too, so `k scale …` cannot slip through.
pub fn disabled_prefix(disabled: &[String], line: &str) -> Option<String> {
    let segments: Vec<String> = line
        .split('|')
        .map(|segment| {
            let segment = segment.trim();
            match segment.strip_prefix("k ") {
                Some(rest) => format!("kubectl {rest}"),
                None => segment.to_string(),
            }
        })
        .collect();
    disabled.iter().find_map(|prefix| {
        let challenge = lessons::Challenge {
            id: String::new(),
            title: String::new(),
            task: String::new(),
            from_scenario: false,
            setup: Vec::new(),
            goals: Vec::new(),
            hints: Vec::new(),
            solution: Vec::new(),
            disabled_commands: vec![prefix.clone()],
        };
        segments
            .iter()
            .any(|s| challenge.is_disabled(s))
            .then(|| prefix.split_whitespace().collect::<Vec<_>>().join(" "))
    })
}

/// The message a refused line shows, worded like a CLI refusing a command.
pub fn refusal(prefix: &str) -> String {
    format!(
        "error: \"{prefix}\" is disabled in this challenge\nReach the goal another way; the task says which commands are off limits."
    )
}

/// The byte offset of the `utf16`-th UTF-16 code unit (the DOM counts caret positions
/// in UTF-16), clamped to the line.
fn byte_offset(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= utf16 {
            return i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The UTF-16 position of byte offset `byte` (a char boundary).
fn utf16_offset(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |s| s.encode_utf16().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completion(start: usize, candidates: &[&str]) -> Completion {
        Completion {
            start,
            candidates: candidates.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn tab_extends_to_the_common_prefix_and_spaces_a_unique_word() {
        let line = "kubectl get dep";
        let c = completion(12, &["deploy", "deployment", "deployments"]);
        assert_eq!(
            extend(line, line.len(), &c),
            Some(("kubectl get deploy".into(), 18))
        );
        let c = completion(12, &["deploy", "deployment"]);
        assert_eq!(
            extend("kubectl get deploy", 18, &c),
            None,
            "ambiguous: list on a second Tab"
        );
        let c = completion(0, &["kubectl"]);
        assert_eq!(extend("kub", 3, &c), Some(("kubectl ".into(), 8)));
        // Directories and TYPE/ forms wait for more.
        let c = completion(17, &["k8s/"]);
        assert_eq!(
            extend("kubectl apply -f k", 18, &c),
            Some(("kubectl apply -f k8s/".into(), 21))
        );
        // Completing in the middle keeps the rest of the line.
        let c = completion(8, &["get"]);
        assert_eq!(
            extend("kubectl ge pods", 10, &c),
            Some(("kubectl get pods".into(), 11))
        );
        // Bad offsets never panic.
        assert_eq!(extend("é", 1, &completion(0, &["x"])), None);
    }

    #[test]
    fn tab_completes_against_a_real_simulation() {
        let scenario = simulator::Scenario::named("default").expect("default scenario");
        let sim = simulator::Simulation::new(&scenario);
        let line = "kubectl cordon worker-";
        let c = complete(line, &sim);
        assert_eq!(extend(line, line.len(), &c), None);
        let line = "kubectl cordon worker-2";
        let c = complete(line, &sim);
        assert_eq!(
            extend(line, line.len(), &c),
            Some(("kubectl cordon worker-2 ".into(), line.len() + 1))
        );
    }

    #[test]
    fn disabled_prefixes_match_word_by_word() {
        let off = vec!["kubectl scale".to_string(), "  sim   node ".to_string()];
        assert_eq!(
            disabled_prefix(&off, "kubectl scale deploy/web --replicas=3").as_deref(),
            Some("kubectl scale")
        );
        assert_eq!(
            disabled_prefix(&off, "  kubectl   scale").as_deref(),
            Some("kubectl scale")
        );
        assert_eq!(
            disabled_prefix(&off, "k scale deploy/web").as_deref(),
            Some("kubectl scale")
        );
        assert_eq!(
            disabled_prefix(&off, "echo x | kubectl scale deploy/web").as_deref(),
            Some("kubectl scale")
        );
        assert_eq!(
            disabled_prefix(&off, "sim node fail worker-1").as_deref(),
            Some("sim node")
        );
        assert_eq!(disabled_prefix(&off, "kubectl scaler"), None);
        assert_eq!(disabled_prefix(&off, "kubectl get pods"), None);
        assert_eq!(disabled_prefix(&[], "kubectl scale"), None);
        assert_eq!(disabled_prefix(&["".into()], "anything"), None);
        assert!(
            refusal("kubectl scale")
                .starts_with("error: \"kubectl scale\" is disabled in this challenge")
        );
    }

    #[test]
    fn caret_offsets_convert_between_utf16_and_bytes() {
        let text = "echo 🚢 é";
        assert_eq!(byte_offset(text, 5), 5);
        assert_eq!(byte_offset(text, 7), 9);
        assert_eq!(byte_offset(text, 99), text.len());
        assert_eq!(utf16_offset(text, 9), 7);
        assert_eq!(utf16_offset(text, 10), 8);
        assert_eq!(utf16_offset(text, 11), 0, "not a char boundary");
    }
}
