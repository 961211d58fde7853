//! Marking quiz answers. A computed answer is read from the simulation at marking time,
//! so the lesson never states a number the model might disagree with.

use crate::schema::{Answer, Question};
use serde::Serialize;
use simulator::Simulation;

/// The verdict on one answer to a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grade {
    /// True when exactly the correct choices were selected.
    pub correct: bool,
    /// The explanation after a right answer, the hint after a wrong one.
    pub feedback: String,
}

/// The indexes of the correct choices, in ascending order.
///
/// For a computed answer these are the choices whose text equals the query's value (after
/// trimming); a well-formed lesson has exactly one, which `lessons check` verifies.
pub fn correct_choices(question: &Question, sim: &Simulation) -> Vec<usize> {
    let mut indexes = match &question.answer {
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

/// Marks `selected` (choice indexes, any order, duplicates ignored) against `question`.
pub fn grade(question: &Question, selected: &[usize], sim: &Simulation) -> Grade {
    let mut selected = selected.to_vec();
    selected.sort_unstable();
    selected.dedup();
    let expected = correct_choices(question, sim);
    let correct = !expected.is_empty() && selected == expected;
    let feedback = if correct {
        question.explanation.clone()
    } else {
        question.hint.clone()
    };
    Grade { correct, feedback }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::QuestionKind;
    use simulator::{Query, Scenario};

    fn question(answer: Answer) -> Question {
        Question {
            id: "q".into(),
            prompt: "How many workers?".into(),
            kind: QuestionKind::Single,
            choices: vec!["2".into(), " 3 ".into(), "4".into()],
            answer,
            hint: "count them".into(),
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
                feedback: "three".into()
            }
        );
        assert_eq!(grade(&q, &[0], &sim).feedback, "count them");

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
}
