//! Marking quiz answers. A computed answer is read from the simulation at marking time,
//! so the lesson never states a number the model might disagree with.

use crate::schema::{Answer, Challenge, Lesson, Question, QuestionKind};
use serde::Serialize;
use simulator::{CheckOutcome, Simulation};

/// The verdict on one answer to a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grade {
    /// True when exactly the correct choices were selected (for an ordering: in the
    /// correct order).
    pub correct: bool,
    /// The explanation after a right answer, the first hint after a wrong one.
    pub feedback: String,
    /// After a wrong answer, every hint in order (players reveal one more per wrong
    /// attempt); empty after a right one.
    pub hints: Vec<String>,
}

/// The correct answer: for choice questions the indexes of the correct choices in
/// ascending order; for an ordering, the choice indexes in the correct order.
///
/// For a computed answer these are the choices whose text equals the query's value (after
/// trimming); a well-formed lesson has exactly one, which `lessons check` verifies.
pub fn correct_choices(question: &Question, sim: &Simulation) -> Vec<usize> {
    let mut indexes = match &question.answer {
        Answer::Order(order) => return order.clone(),
        Answer::Choice(indexes) => indexes.clone(),
        Answer::Computed(query) => {
            let value = sim.query(query).to_string();
            question
                .choices
                .iter()
                .enumerate()
                .filter(|(_, choice)| choice.trim() == value.trim())
                .map(|(index, _)| index)
                .collect()
        }
    };
    indexes.sort_unstable();
    indexes.dedup();
    indexes
}

/// Marks `selected` against `question`. For choice questions `selected` holds choice
/// indexes in any order (duplicates ignored); for an ordering it is the learner's
/// sequence of choice indexes, first to last.
pub fn grade(question: &Question, selected: &[usize], sim: &Simulation) -> Grade {
    let expected = correct_choices(question, sim);
    let selected = if question.kind == QuestionKind::Ordering {
        selected.to_vec()
    } else {
        let mut sorted = selected.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        sorted
    };
    let correct = !expected.is_empty() && selected == expected;
    if correct {
        Grade {
            correct,
            feedback: question.explanation.clone(),
            hints: Vec::new(),
        }
    } else {
        Grade {
            correct,
            feedback: question.hints.first().cloned().unwrap_or_default(),
            hints: question.hints.clone(),
        }
    }
}

/// The simulation a prediction is marked against: `after_its_step` (the state once the
/// prediction's `after_step` has run) with the following step's command applied, which is
/// what the learner is predicting. Other questions are marked against the state as is.
pub fn marking_state(
    lesson: &Lesson,
    question: &Question,
    after_its_step: &Simulation,
) -> Simulation {
    let mut sim = after_its_step.clone();
    if question.kind == QuestionKind::Prediction
        && let Some(index) = question
            .after_step
            .as_deref()
            .and_then(|id| lesson.step_index(id))
        && let Some(command) = lesson
            .steps
            .get(index + 1)
            .and_then(|step| step.command.as_deref())
    {
        // A failing step leaves the state unchanged; `lessons check` reports it.
        let _ = sim.run(command);
    }
    sim
}

/// How a challenge stands: every goal's outcome (its `detail` says which part is unmet
/// and why) and the disabled commands the learner used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChallengeStatus {
    /// One outcome per goal, in the challenge's order.
    pub goals: Vec<CheckOutcome>,
    /// Lines the learner ran that the challenge disables.
    pub disabled_used: Vec<String>,
    /// Every goal is met and no disabled command was used.
    pub solved: bool,
}

/// Evaluates `challenge` against `sim`; `learner_lines` are the commands the learner ran
/// since the challenge started (checked against its disabled commands).
pub fn challenge_status(
    challenge: &Challenge,
    sim: &Simulation,
    learner_lines: &[String],
) -> ChallengeStatus {
    let goals: Vec<CheckOutcome> = challenge.goals.iter().map(|g| g.evaluate(sim)).collect();
    let disabled_used: Vec<String> = learner_lines
        .iter()
        .filter(|line| challenge.is_disabled(line))
        .cloned()
        .collect();
    let solved = !goals.is_empty() && goals.iter().all(|g| g.passed) && disabled_used.is_empty();
    ChallengeStatus {
        goals,
        disabled_used,
        solved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::{Query, Scenario};

    fn question(answer: Answer) -> Question {
        Question {
            id: "q".into(),
            prompt: "How many workers?".into(),
            kind: QuestionKind::Single,
            after_step: None,
            choices: vec!["2".into(), " 3 ".into(), "4".into()],
            answer,
            hints: vec!["count them".into(), "leave out the control plane".into()],
            explanation: "three".into(),
        }
    }

    #[test]
    fn computed_answers_come_from_the_simulation() {
        let sim = Simulation::new(&Scenario::named("default").unwrap());
        let q = question(Answer::Computed(Query::Nodes {
            role: Some(simulator::NodeRole::Worker),
            ready: None,
        }));
        assert_eq!(correct_choices(&q, &sim), [1]);
        assert_eq!(
            grade(&q, &[1], &sim),
            Grade {
                correct: true,
                feedback: "three".into(),
                hints: Vec::new(),
            }
        );
        let wrong = grade(&q, &[0], &sim);
        assert_eq!(wrong.feedback, "count them");
        assert_eq!(wrong.hints, q.hints);

        let empty = Simulation::new(&Scenario::named("empty").unwrap());
        // No worker nodes: no choice matches, so nothing can be graded correct.
        assert!(correct_choices(&q, &empty).is_empty());
        assert!(!grade(&q, &[], &empty).correct);
    }

    #[test]
    fn fixed_answers_ignore_order_and_duplicates() {
        let sim = Simulation::new(&Scenario::named("empty").unwrap());
        let mut q = question(Answer::Choice(vec![2, 0]));
        q.kind = QuestionKind::Multiple;
        assert!(grade(&q, &[0, 2, 2], &sim).correct);
        assert!(!grade(&q, &[0], &sim).correct);
        assert!(!grade(&q, &[0, 1, 2], &sim).correct);
    }

    #[test]
    fn orderings_must_match_exactly() {
        let sim = Simulation::new(&Scenario::named("empty").unwrap());
        let mut q = question(Answer::Order(vec![2, 0, 1]));
        q.kind = QuestionKind::Ordering;
        assert_eq!(correct_choices(&q, &sim), [2, 0, 1]);
        assert!(grade(&q, &[2, 0, 1], &sim).correct);
        assert!(!grade(&q, &[0, 1, 2], &sim).correct);
        assert!(!grade(&q, &[2, 0], &sim).correct);
        assert!(!grade(&q, &[2, 0, 1, 1], &sim).correct);
    }

    #[test]
    fn predictions_are_marked_after_the_next_step() {
        let lesson = crate::parse(
            r#"
id: p
title: P
track: kubernetes
level: beginner
minutes: 1
objectives: [o]
scenario: { scenario: default, seed: 1 }
steps:
  - { id: one, title: One, narration: n }
  - { id: two, title: Two, narration: n, command: sim advance 30s }
quiz:
  - id: clock
    prompt: What will the clock say?
    kind: prediction
    after_step: one
    choices: ["00:00:00", "00:00:30"]
    answer: { computed: { kind: time } }
    hint: h
    explanation: e
"#,
        )
        .unwrap();
        let q = &lesson.quiz[0];
        let now = Simulation::new(&lesson.scenario.build().unwrap());
        let later = marking_state(&lesson, q, &now);
        assert_eq!(correct_choices(q, &later), [1]);
        assert!(grade(q, &[1], &later).correct);
        assert_eq!(lesson.steps_before_answer(q), 2);
    }

    #[test]
    fn challenge_status_names_the_unmet_goal_and_disabled_commands() {
        let challenge: Challenge = serde_yaml_ng::from_str(
            r#"
id: c
title: Scale
goals:
  - description: the clock reached a minute
    query: { kind: seconds }
    op: ge
    value: 60
solution: [sim advance 1m]
disabled_commands: [sim advance]
"#,
        )
        .unwrap();
        let mut sim = Simulation::new(&Scenario::named("empty").unwrap());
        let status = challenge_status(&challenge, &sim, &[]);
        assert!(!status.solved);
        assert_eq!(
            status.goals[0].detail,
            "not met: the clock reached a minute — the simulated seconds elapsed is 0; goal: at least 60"
        );
        sim.run("sim advance 1m").unwrap();
        let status = challenge_status(&challenge, &sim, &["sim advance 1m".into()]);
        assert!(status.goals[0].passed);
        assert_eq!(status.disabled_used, ["sim advance 1m"]);
        assert!(!status.solved);
        assert!(challenge_status(&challenge, &sim, &[]).solved);
    }
}
