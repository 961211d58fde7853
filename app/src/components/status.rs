//! The status line: scenario, seed and simulated clock.

use leptos::prelude::*;

use crate::state::SimHandle;

/// One line with the page simulation's scenario, seed and clock.
#[component]
pub fn StatusLine() -> impl IntoView {
    let status = SimHandle::expect().status();
    view! {
        <p class="status-line" data-testid="status-line">
            <span>"Scenario " <strong>{move || status.read().scenario.clone()}</strong></span>
            <span>"Seed " <strong data-testid="status-seed">{move || status.read().seed}</strong></span>
            <span>"Clock " <strong data-testid="status-clock">{move || status.read().clock.clone()}</strong></span>
        </p>
    }
}
