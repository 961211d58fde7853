//! Explanations of the simulator's decisions, opened from the event log: a scheduling
//! cycle's per-node table, an HPA sync's formula with its numbers, a build step's cache
//! verdict. Each kind has its own file with pure formatting functions (tested
//! natively) and a component.

pub mod autoscaling;
pub mod build_step;
pub mod scheduling;

use leptos::prelude::*;
use simulator::event::Detail;
use simulator::{Event, Simulation};

/// The event with sequence number `seq` (the log gives each event its index as `seq`;
/// a search covers any log where that does not hold).
pub fn find_event(sim: &Simulation, seq: u64) -> Option<&Event> {
    let events = sim.log().events();
    usize::try_from(seq)
        .ok()
        .and_then(|i| events.get(i))
        .filter(|e| e.seq == seq)
        .or_else(|| events.iter().find(|e| e.seq == seq))
}

/// A short name for what kind of explanation `detail` is, for the disclosure's label.
pub fn detail_label(detail: &Detail) -> &'static str {
    match detail {
        Detail::Scheduling(_) => "scheduling decision",
        Detail::BuildStep(_) => "build step",
        Detail::Autoscaling(_) => "autoscaling decision",
    }
}

/// The explanation of one decision.
#[component]
pub fn Explanation(
    /// What the simulator recorded about the decision.
    detail: Detail,
) -> impl IntoView {
    match detail {
        Detail::Scheduling(record) => {
            view! { <scheduling::SchedulingExplanation record=*record /> }.into_any()
        }
        Detail::BuildStep(step) => {
            view! { <build_step::BuildStepExplanation step=*step /> }.into_any()
        }
        Detail::Autoscaling(decision) => {
            view! { <autoscaling::AutoscalingExplanation decision=*decision /> }.into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::Scenario;

    #[test]
    fn finds_events_by_seq() {
        let mut sim = Simulation::new(&Scenario::named("default").expect("default scenario"));
        sim.run("sim advance 10s").expect("advance");
        let last = sim.log().events().last().expect("events").seq;
        assert_eq!(find_event(&sim, last).map(|e| e.seq), Some(last));
        assert!(find_event(&sim, last + 1).is_none());
        assert!(find_event(&sim, u64::MAX).is_none());
    }
}
