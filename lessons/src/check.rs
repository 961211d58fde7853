//! Headless validation: replays each lesson in the simulator and reports everything a
//! learner would trip over. A lesson is only as good as its consistency with the model,
//! so this is what `shipshape lessons check` and CI run.

use crate::catalog::{catalog, file_of, load_errors};
use crate::grade::correct_choices;
use crate::schema::{Answer, Lesson, QuestionKind};
use simulator::event::Component;
use simulator::{Scenario, Simulation};
use std::collections::BTreeSet;

/// The outcome of checking one lesson (or one lesson file that failed to parse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonReport {
    /// The lesson id, or the file name when the file didn't parse.
    pub id: String,
    /// Number of steps.
    pub steps: usize,
    /// Number of quiz questions.
    pub questions: usize,
    /// Number of challenges.
    pub challenges: usize,
    /// Everything wrong with it, one sentence each; empty when the lesson is sound.
    pub problems: Vec<String>,
}

impl LessonReport {
    /// True when no problems were found.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks every built-in lesson, plus one report per content file that failed to parse.
pub fn check_all() -> Vec<LessonReport> {
    let mut reports: Vec<LessonReport> = load_errors()
        .iter()
        .map(|error| LessonReport {
            id: error.file.clone(),
            steps: 0,
            questions: 0,
            challenges: 0,
            problems: vec![format!("does not parse: {}", error.message)],
        })
        .collect();
    let mut seen = BTreeSet::new();
    for lesson in catalog() {
        let mut report = check_lesson(lesson);
        if !seen.insert(lesson.id.as_str()) {
            report
                .problems
                .push(format!("another lesson already has the id `{}`", lesson.id));
        }
        let expected = format!("{}.yaml", lesson.id);
        if let Some(file) = file_of(&lesson.id).filter(|file| *file != expected) {
            report.problems.push(format!(
                "lives in content/{file} but its id says content/{expected}"
            ));
        }
        reports.push(report);
    }
    reports
}

/// Checks one lesson: its structure and cross-references, then a full replay of its
/// set-up, steps, quiz and challenge solutions. Prerequisites must name catalog lessons.
pub fn check_lesson(lesson: &Lesson) -> LessonReport {
    let mut problems = Vec::new();
    check_structure(lesson, &mut problems);
    check_replay(lesson, &mut problems);
    LessonReport {
        id: lesson.id.clone(),
        steps: lesson.steps.len(),
        questions: lesson.quiz.len(),
        challenges: lesson.challenges.len(),
        problems,
    }
}

fn check_structure(lesson: &Lesson, problems: &mut Vec<String>) {
    let slug = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !slug(&lesson.id) {
        problems.push(format!(
            "id `{}` must be lowercase letters, digits and dashes (it is a URL slug)",
            lesson.id
        ));
    }
    for (what, empty) in [
        ("title", lesson.title.trim().is_empty()),
        ("track", lesson.track.trim().is_empty()),
        ("objectives", lesson.objectives.is_empty()),
        ("steps", lesson.steps.is_empty()),
    ] {
        if empty {
            problems.push(format!("{what} must not be empty"));
        }
    }
    if lesson.minutes == 0 {
        problems.push("minutes must be at least 1".into());
    }

    duplicates("step", lesson.steps.iter().map(|s| s.id.as_str()), problems);
    duplicates(
        "question",
        lesson.quiz.iter().map(|q| q.id.as_str()),
        problems,
    );
    duplicates(
        "challenge",
        lesson.challenges.iter().map(|c| c.id.as_str()),
        problems,
    );

    for prerequisite in &lesson.prerequisites {
        if *prerequisite == lesson.id {
            problems.push("a lesson can't be its own prerequisite".into());
        } else if !catalog().iter().any(|l| l.id == *prerequisite) {
            problems.push(format!("prerequisite `{prerequisite}` is not a lesson"));
        }
    }
    for moment in &lesson.key_moments {
        if !lesson.steps.iter().any(|s| s.id == moment.step) {
            problems.push(format!(
                "key moment refers to unknown step `{}`",
                moment.step
            ));
        }
    }

    let components: Vec<&str> = Component::ALL.iter().map(|c| c.name()).collect();
    for step in &lesson.steps {
        if step.narration.trim().is_empty() {
            problems.push(format!("step `{}` has no narration", step.id));
        }
        for name in &step.highlight {
            if !components.contains(&name.as_str()) {
                problems.push(format!(
                    "step `{}` highlights `{name}`, which is not a component (known: {})",
                    step.id,
                    components.join(", ")
                ));
            }
        }
    }

    for question in &lesson.quiz {
        let id = &question.id;
        if question.choices.len() < 2 {
            problems.push(format!("question `{id}` needs at least two choices"));
        }
        duplicates(
            &format!("question `{id}` choice"),
            question.choices.iter().map(|c| c.trim()),
            problems,
        );
        if let Answer::Choice(indexes) = &question.answer {
            let distinct: BTreeSet<usize> = indexes.iter().copied().collect();
            if let Some(bad) = distinct.iter().find(|&&i| i >= question.choices.len()) {
                problems.push(format!(
                    "question `{id}` marks choice {bad} correct, but it has only {} choices",
                    question.choices.len()
                ));
            }
            match (question.kind, distinct.len()) {
                (_, 0) => problems.push(format!("question `{id}` marks no choice correct")),
                (QuestionKind::Single, n) if n > 1 => problems.push(format!(
                    "question `{id}` is single-choice but marks {n} choices correct"
                )),
                _ => {}
            }
        }
    }

    for challenge in &lesson.challenges {
        let id = &challenge.id;
        if challenge.goals.is_empty() {
            problems.push(format!("challenge `{id}` has no goals"));
        }
        if challenge.solution.is_empty() {
            problems.push(format!("challenge `{id}` has no reference solution"));
        }
        for line in &challenge.solution {
            if challenge.is_disabled(line) {
                problems.push(format!(
                    "challenge `{id}`: solution uses the disabled command `{line}`"
                ));
            }
        }
    }
}

fn duplicates<'a>(what: &str, ids: impl Iterator<Item = &'a str>, problems: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            problems.push(format!("{what} id `{id}` is used twice"));
        }
    }
}

/// Starts the lesson's simulation and plays the set-up and every step, evaluating the
/// tracker after each. Problems go to `problems`; `None` if the scenario doesn't exist.
fn play(lesson: &Lesson, problems: &mut Vec<String>) -> Option<Simulation> {
    let Some(scenario) = Scenario::named(&lesson.scenario.scenario) else {
        problems.push(format!(
            "scenario `{}` does not exist (known: {})",
            lesson.scenario.scenario,
            Scenario::names().join(", ")
        ));
        return None;
    };
    let mut sim = Simulation::new(&scenario.with_seed(lesson.scenario.seed));
    for line in &lesson.scenario.setup {
        if let Err(error) = sim.run(line) {
            problems.push(format!("set-up command `{line}` failed: {error}"));
        }
    }
    evaluate_tracker(lesson, &sim);
    for step in &lesson.steps {
        if let Some(line) = &step.command
            && let Err(error) = sim.run(line)
        {
            problems.push(format!(
                "step `{}`: command `{line}` failed: {error}",
                step.id
            ));
        }
        evaluate_tracker(lesson, &sim);
    }
    Some(sim)
}

/// The player shows every tracker row after every step; evaluating them here proves
/// that each query can be answered in each state the learner will see.
fn evaluate_tracker(lesson: &Lesson, sim: &Simulation) {
    for row in &lesson.tracker {
        let _shown = sim.query(&row.query);
    }
}

fn check_replay(lesson: &Lesson, problems: &mut Vec<String>) {
    let Some(sim) = play(lesson, problems) else {
        return;
    };

    for question in &lesson.quiz {
        if let Answer::Computed(query) = &question.answer {
            let value = sim.query(query);
            let matches = correct_choices(question, &sim);
            if matches.len() != 1 {
                problems.push(format!(
                    "question `{}`: the simulation's answer is `{value}`, which matches {} of the choices [{}]; exactly one must match",
                    question.id,
                    matches.len(),
                    question.choices.join(", ")
                ));
            }
        }
    }

    for challenge in &lesson.challenges {
        // Each challenge starts, independently, from the end of the walkthrough.
        let mut sim = sim.clone();
        let id = &challenge.id;
        if !challenge.goals.is_empty() && challenge.goals.iter().all(|g| g.evaluate(&sim).passed) {
            problems.push(format!(
                "challenge `{id}`: every goal already passes before the learner does anything"
            ));
        }
        for line in &challenge.solution {
            if let Err(error) = sim.run(line) {
                problems.push(format!(
                    "challenge `{id}`: solution command `{line}` failed: {error}"
                ));
            }
        }
        for goal in &challenge.goals {
            let outcome = goal.evaluate(&sim);
            if !outcome.passed {
                problems.push(format!(
                    "challenge `{id}`: after the solution, goal {}",
                    outcome.detail
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::parse;

    #[test]
    fn the_built_in_lessons_are_clean() {
        let reports = check_all();
        assert!(!reports.is_empty());
        for report in reports {
            assert!(report.is_ok(), "{}: {:#?}", report.id, report.problems);
        }
    }

    /// A lesson with one of everything, each deliberately wrong.
    const BROKEN: &str = r#"
id: broken-lesson
title: Broken on purpose
track: kubernetes
level: beginner
minutes: 3
prerequisites: [no-such-lesson]
objectives: [Find every mistake]
scenario:
  scenario: default
  seed: 7
  setup: []
steps:
  - id: one
    title: A typo
    narration: This command does not exist.
    command: kubectl frobnicate nodes
    highlight: [kube-apiserver, flux-capacitor]
  - id: one
    title: Same id again
    narration: Ids must be unique.
tracker:
  - name: Workers
    query: { kind: nodes, role: worker }
key_moments:
  - step: nowhere
    text: Points at a step that isn't there.
quiz:
  - id: workers
    prompt: How many worker nodes are there?
    kind: single
    choices: ["1", "2", "4"]
    answer: { computed: { kind: nodes, role: worker } }
    hint: Count them.
    explanation: The default scenario has three.
  - id: fixed
    prompt: Which is out of range?
    kind: single
    choices: ["a", "b"]
    answer: { choice: [5] }
    hint: h
    explanation: e
challenges:
  - id: already-done
    title: Nothing to do
    goals:
      - description: three workers
        query: { kind: nodes, role: worker }
        value: 3
    solution: [kubectl get nodes]
"#;

    fn has(problems: &[String], needle: &str) -> bool {
        problems.iter().any(|p| p.contains(needle))
    }

    #[test]
    fn a_broken_lesson_is_reported() {
        let lesson = parse(BROKEN).expect("the broken lesson is still valid YAML");
        let report = check_lesson(&lesson);
        let p = &report.problems;
        assert!(has(p, "prerequisite `no-such-lesson`"), "{p:#?}");
        assert!(has(p, "step id `one` is used twice"), "{p:#?}");
        assert!(has(p, "unknown step `nowhere`"), "{p:#?}");
        assert!(has(p, "`flux-capacitor`"), "{p:#?}");
        assert!(
            has(p, "command `kubectl frobnicate nodes` failed"),
            "{p:#?}"
        );
        assert!(
            has(p, "question `workers`: the simulation's answer is `3`"),
            "{p:#?}"
        );
        assert!(has(p, "choice 5"), "{p:#?}");
        assert!(
            has(p, "challenge `already-done`: every goal already passes"),
            "{p:#?}"
        );
    }

    #[test]
    fn an_unreachable_goal_and_an_unknown_scenario_are_reported() {
        let mut lesson = parse(BROKEN).unwrap();
        lesson.challenges[0].goals[0].value = simulator::Value::Int(10);
        let report = check_lesson(&lesson);
        assert!(
            has(&report.problems, "after the solution, goal not met"),
            "{:#?}",
            report.problems
        );

        lesson.scenario.scenario = "atlantis".into();
        let report = check_lesson(&lesson);
        assert!(
            has(&report.problems, "scenario `atlantis` does not exist"),
            "{:#?}",
            report.problems
        );
    }
}
