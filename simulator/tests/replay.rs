//! Replay and seeking: the state at any journal position can be rebuilt, seeking back
//! and forward is exact, and a failed command changes nothing.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use simulator::{Scenario, Simulation, Timeline};

/// Commands a property test draws from: valid ones that change state, valid reads, and
/// mistakes that must leave no trace.
const MENU: &[&str] = &[
    "sim advance 10s",
    "sim advance 500ms",
    "sim advance 3m",
    "sim seed 7",
    "sim seed",
    "sim reset",
    "kubectl get nodes",
    "kubectl get pods -A -o wide",
    "help sim",
    "sim advnce 10s",
    "kubectl get widgets",
    "sim advance ten",
];

fn scenario() -> Scenario {
    Scenario::default_scenario()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn seeking_matches_fresh_replay(picks in proptest::collection::vec(0..MENU.len(), 1..24), targets in proptest::collection::vec(0usize..30, 1..6), interval in 1usize..5) {
        let start = Simulation::new(&scenario());
        let mut tl = Timeline::new(start, interval);
        for &i in &picks {
            let _ = tl.push(MENU[i]);
        }
        let lines = tl.lines().to_vec();
        for &t in &targets {
            let pos = t.min(lines.len());
            let got = tl.seek(pos).fingerprint();
            let fresh = Simulation::replay(&scenario(), scenario().seed, &lines[..pos]).expect("journaled lines replay");
            prop_assert_eq!(got, fresh.fingerprint(), "seek to {} of {}", pos, lines.len());
        }
        // And back to the end, exactly as it was built.
        let end = Simulation::replay(&scenario(), scenario().seed, &lines).expect("replay");
        prop_assert_eq!(tl.seek(lines.len()).fingerprint(), end.fingerprint());
    }

    #[test]
    fn failed_commands_change_nothing(picks in proptest::collection::vec(0..MENU.len(), 0..12), bad in 9usize..12) {
        let mut sim = Simulation::new(&scenario());
        for &i in &picks {
            let _ = sim.run(MENU[i]);
        }
        let before = (sim.fingerprint(), sim.journal().clone());
        prop_assert!(sim.run(MENU[bad]).is_err());
        prop_assert_eq!(before, (sim.fingerprint(), sim.journal().clone()));
    }
}

#[test]
fn journal_rebuilds_state_at_every_position() {
    let mut sim = Simulation::new(&scenario());
    let mut fingerprints = vec![sim.fingerprint()];
    for line in [
        "sim advance 30s",
        "sim seed 3",
        "sim reset",
        "sim advance 1m",
        "kubectl get nodes",
    ] {
        sim.run(line).expect("valid command");
        fingerprints.push(sim.fingerprint());
    }
    let lines = sim.journal().lines().to_vec();
    for (pos, want) in fingerprints.iter().enumerate() {
        let rebuilt =
            Simulation::replay(&scenario(), scenario().seed, &lines[..pos]).expect("replay");
        assert_eq!(&rebuilt.fingerprint(), want, "position {pos}");
    }
}

#[test]
fn advance_runs_heartbeats_in_time_order() {
    let mut sim = Simulation::new(&scenario());
    let out = sim.run("sim advance 10s").expect("advance");
    assert!(
        out.output
            .starts_with("Advanced 10s: 00:00:00 → 00:00:10 ("),
        "{}",
        out.output
    );
    // One status post per node (control plane + three workers) in ten seconds.
    assert!(out.output.contains("4 NodeStatusUpdated"), "{}", out.output);
    let times: Vec<u64> = sim
        .log()
        .events()
        .iter()
        .map(|e| e.at.as_millis())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "log is in time order"
    );
    let seqs: Vec<u64> = sim.log().events().iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (0..seqs.len() as u64).collect::<Vec<_>>(),
        "seq is dense and ordered"
    );
}

#[test]
fn reset_and_seed_behave_as_documented() {
    let mut sim = Simulation::new(&scenario());
    assert_eq!(sim.run("sim seed").unwrap().output, "seed: 1\n");
    sim.run("sim advance 5m").unwrap();
    sim.run("sim seed 99").unwrap();
    let out = sim.run("sim reset").unwrap().output;
    assert_eq!(out, "Reset scenario \"default\" (seed 99) to 00:00:00\n");
    assert_eq!(sim.now().as_millis(), 0);
    let fresh = Simulation::with_seed(&scenario(), 99);
    let names = |s: &Simulation| {
        s.state()
            .api
            .store
            .pods()
            .map(|p| p.metadata.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&sim), names(&fresh));
}

#[test]
fn empty_scenario_has_only_the_control_plane() {
    let sim = Simulation::new(&Scenario::named("empty").unwrap());
    let nodes: Vec<&str> = sim
        .state()
        .api
        .store
        .nodes()
        .map(|n| n.metadata.name.as_str())
        .collect();
    assert_eq!(nodes, vec!["control-plane"]);
    assert!(
        sim.state()
            .registries
            .values()
            .any(|r| r.repositories.contains_key("library/alpine"))
    );
}
