//! The timeline bar: a slider over the page's command positions with step, play and
//! "Live" buttons, so the learner can rewind the simulation and replay it.

use std::time::Duration;

use leptos::prelude::*;
use simulator::timeline::Mark;

use crate::state::{Action, SimHandle};

/// Playback speeds offered, as (value, label); one position per second at 1×.
const SPEEDS: &[(&str, &str)] = &[("0.5", "0.5×"), ("1", "1×"), ("2", "2×"), ("4", "4×")];

/// What a screen reader hears for `position`, e.g. "after 3 of 7 commands: kubectl
/// apply -f web.yaml, at 00:00:42".
pub fn value_text(marks: &[Mark], position: usize) -> String {
    let len = marks.len().saturating_sub(1);
    let Some(mark) = marks.get(position) else {
        return String::new();
    };
    if position == 0 {
        let noun = if len == 1 { "command" } else { "commands" };
        format!("start, before {len} {noun}, at {}", mark.at)
    } else {
        let noun = if len == 1 { "command" } else { "commands" };
        format!(
            "after {position} of {len} {noun}: {}, at {}",
            mark.line, mark.at
        )
    }
}

/// A small icon drawn in SVG: the media-control glyphs (⏮ ⏭ ⏸) are missing from many
/// system fonts and would show as empty boxes.
fn icon(shape: &'static str) -> impl IntoView {
    view! {
        <svg class="timeline-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path d=shape fill="currentColor"></path>
        </svg>
    }
}

/// ⏮: a bar, then a triangle pointing left.
const ICON_START: &str = "M2 2h2v12H2zM14 2v12L5 8z";
/// ⏭: a triangle pointing right, then a bar.
const ICON_END: &str = "M2 2v12l9-6zM12 2h2v12h-2z";
/// ⏸: two bars.
const ICON_PAUSE: &str = "M3 2h4v12H3zM9 2h4v12H9z";
/// ▶: a triangle pointing right.
const ICON_PLAY: &str = "M3 2v12l11-6z";
/// ◀: a triangle pointing left.
const ICON_BACK: &str = "M13 2v12L2 8z";

/// The timeline bar for the page's simulation (uses [`SimHandle::expect`]).
/// `without_play` leaves out its own Play and speed controls, for pages that already
/// play something (the lesson player plays its steps).
#[component]
pub fn TimelineBar(
    /// Leave out Play/Pause and the speed selector.
    #[prop(optional)]
    without_play: bool,
) -> impl IntoView {
    let sim = SimHandle::expect();
    let position = sim.position();
    let len = sim.len();
    let marks = sim.marks();
    let playing = RwSignal::new(false);
    let speed = RwSignal::new(1.0_f64);
    let timer = StoredValue::new(None::<IntervalHandle>);

    let seek = move |to: usize| sim.dispatch(Action::Seek(to));
    let at_start = move || position.get() == 0;
    let at_end = move || position.get() >= len.get();

    // One timer while playing, replaced when the speed changes; it advances one
    // position per tick and stops itself at the end.
    Effect::new(move |_| {
        let on = playing.get();
        let factor = speed.get();
        if let Some(handle) = timer.get_value() {
            handle.clear();
            timer.set_value(None);
        }
        if !on {
            return;
        }
        let tick = Duration::from_millis((1000.0 / factor.max(0.25)) as u64);
        let step = move || {
            let (at, end) = (position.get_untracked(), len.get_untracked());
            if at < end {
                sim.dispatch(Action::Seek(at + 1));
            }
            if at + 1 >= end {
                playing.set(false);
            }
        };
        if let Ok(handle) = set_interval_with_handle(step, tick) {
            timer.set_value(Some(handle));
        }
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = timer.try_get_value() {
            handle.clear();
        }
    });

    let toggle_play = move |_| {
        if playing.get_untracked() {
            playing.set(false);
        } else {
            // Playing from the end replays the whole session.
            if position.get_untracked() >= len.get_untracked() {
                seek(0);
            }
            playing.set(len.get_untracked() > 0);
        }
    };
    // Stepping by hand takes over from playback.
    let step_to = move |to: usize| {
        playing.set(false);
        seek(to);
    };

    let clock = move || {
        marks.with(|m| {
            m.get(position.get())
                .map(|mark| mark.at.to_string())
                .unwrap_or_default()
        })
    };
    let value_text = move || marks.with(|m| value_text(m, position.get()));
    let ticks = move || {
        let n = len.get().max(1);
        marks.with(|m| {
            m.iter()
                .enumerate()
                .skip(1)
                .map(|(p, mark)| (p, mark.line.clone(), p as f64 * 100.0 / n as f64))
                .collect::<Vec<_>>()
        })
    };

    view! {
        <section class="timeline" aria-label="Timeline" data-testid="timeline">
            <div class="timeline-controls">
                <button
                    type="button"
                    class="button timeline-button"
                    data-testid="timeline-start"
                    aria-label="Go to the start"
                    title="Start"
                    aria-disabled=move || at_start().to_string()
                    on:click=move |_| step_to(0)
                >
                    {icon(ICON_START)}
                </button>
                <button
                    type="button"
                    class="button timeline-button"
                    data-testid="timeline-back"
                    aria-label="Back one command"
                    title="Back one command"
                    aria-disabled=move || at_start().to_string()
                    on:click=move |_| step_to(position.get_untracked().saturating_sub(1))
                >
                    {icon(ICON_BACK)}
                </button>
                <button
                    type="button"
                    class="button timeline-button timeline-play"
                    data-testid="timeline-play"
                    style:display=move || without_play.then_some("none")
                    aria-label=move || if playing.get() { "Pause" } else { "Play" }
                    aria-disabled=move || (len.get() == 0).to_string()
                    on:click=toggle_play
                >
                    {move || if playing.get() { icon(ICON_PAUSE).into_any() } else { icon(ICON_PLAY).into_any() }}
                    {move || if playing.get() { " Pause" } else { " Play" }}
                </button>
                <button
                    type="button"
                    class="button timeline-button"
                    data-testid="timeline-forward"
                    aria-label="Forward one command"
                    title="Forward one command"
                    aria-disabled=move || at_end().to_string()
                    on:click=move |_| step_to(position.get_untracked() + 1)
                >
                    {icon(ICON_PLAY)}
                </button>
                <button
                    type="button"
                    class="button timeline-button"
                    data-testid="timeline-live"
                    aria-label="Go to the end (live)"
                    aria-disabled=move || at_end().to_string()
                    on:click=move |_| step_to(len.get_untracked())
                >
                    {icon(ICON_END)}
                    " Live"
                </button>
                <label class="timeline-speed" style:display=move || without_play.then_some("none")>
                    <span>"Speed"</span>
                    <select
                        data-testid="timeline-speed"
                        on:change=move |ev| {
                            if let Ok(factor) = event_target_value(&ev).parse::<f64>() {
                                speed.set(factor);
                            }
                        }
                    >
                        {SPEEDS
                            .iter()
                            .map(|&(value, label)| {
                                view! {
                                    <option value=value selected=value == "1">
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <p class="timeline-readout">
                    <span data-testid="timeline-position">
                        {move || format!("{} / {}", position.get(), len.get())}
                    </span>
                    " · "
                    <span class="timeline-clock" data-testid="timeline-clock">
                        {clock}
                    </span>
                </p>
            </div>
            <div class="timeline-track">
                <div class="timeline-ticks" aria-hidden="true">
                    <For
                        each=ticks
                        key=|(p, line, _)| (*p, line.clone())
                        children=move |(_, line, left)| {
                            view! {
                                <span
                                    class="timeline-tick"
                                    title=line
                                    style=format!("left: {left:.3}%")
                                ></span>
                            }
                        }
                    />
                </div>
                <input
                    type="range"
                    class="timeline-slider"
                    data-testid="timeline-slider"
                    aria-label="Timeline position"
                    min="0"
                    step="1"
                    max=move || len.get().to_string()
                    prop:value=move || position.get().to_string()
                    aria-valuetext=value_text
                    on:input=move |ev| {
                        if let Ok(to) = event_target_value(&ev).parse::<usize>() {
                            step_to(to);
                        }
                    }
                />
            </div>
            <Show when=move || !at_end()>
                <p class="timeline-past-notice" role="status" data-testid="timeline-past-notice">
                    "You are viewing the past. Typing a command here replaces what came after."
                </p>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::SimTime;

    fn mark(ms: u64, line: &str) -> Mark {
        Mark {
            at: SimTime(ms),
            events: 0,
            line: line.to_string(),
        }
    }

    #[test]
    fn value_text_reads_like_a_sentence() {
        let marks = vec![
            mark(0, ""),
            mark(10_000, "sim advance 10s"),
            mark(42_000, "kubectl apply -f web.yaml"),
        ];
        assert_eq!(
            value_text(&marks, 0),
            "start, before 2 commands, at 00:00:00"
        );
        assert_eq!(
            value_text(&marks, 2),
            "after 2 of 2 commands: kubectl apply -f web.yaml, at 00:00:42"
        );
        assert_eq!(value_text(&marks, 9), "");
        assert_eq!(
            value_text(&marks[..2], 1),
            "after 1 of 1 command: sim advance 10s, at 00:00:10"
        );
    }
}
