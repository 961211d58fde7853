//! The charts that apply to the page's simulation: one per HorizontalPodAutoscaler
//! (replicas, and utilisation against the target), cost over time once anything is
//! billed, and the Fargate-vs-EC2 crossover when the scenario uses AWS. Nothing at all
//! when none applies.

use leptos::prelude::*;

use crate::charts::{ChartData, charts};
use crate::components::chart::LineChart;
use crate::state::SimHandle;

/// The page simulation's charts, recomputed whenever its events or status change.
#[component]
pub fn ChartsPanel() -> impl IntoView {
    let sim = SimHandle::expect();
    let all = Memo::new(move |_| {
        // Everything a chart shows changes with an event or the clock, except prices
        // (`sim price` logs no event): any command also changes the transcript.
        sim.events().track();
        sim.status().track();
        sim.transcript().track();
        sim.with_simulation(charts)
    });
    let ids =
        Memo::new(move |_| all.with(|cs| cs.iter().map(|c| c.id.clone()).collect::<Vec<_>>()));
    view! {
        <Show when=move || ids.with(|ids| !ids.is_empty())>
            <section class="panel charts" data-testid="charts" aria-labelledby="charts-heading">
                <h2 id="charts-heading" class="panel-title">"Charts"</h2>
                <div class="charts-grid">
                    <For
                        each=move || ids.get()
                        key=|id| id.clone()
                        children=move |id| {
                            // This chart's data alone, so a chart re-renders only when it changed.
                            let data = Memo::new(move |_| {
                                all.with(|cs| cs.iter().find(|c| c.id == id).cloned())
                            });
                            // Kept outside the re-rendered chart: an open data table stays open.
                            let table_open = RwSignal::new(false);
                            move || data.get().map(|c| chart(c, table_open))
                        }
                    />
                </div>
            </section>
        </Show>
    }
}

fn chart(c: ChartData, table_open: RwSignal<bool>) -> impl IntoView {
    view! {
        <LineChart
            title=c.title
            series=c.series
            x_label=c.x_label
            y_label=c.y_label
            x_format=c.x_format
            y_format=c.y_format
            marks=c.marks
            kind=c.kind.as_str()
            note=c.note
            table_open=table_open
        />
    }
}
