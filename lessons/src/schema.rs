//! The lesson format. Every struct denies unknown fields so that a misspelt key in a
//! YAML file fails loudly instead of silently dropping content.

use serde::{Deserialize, Serialize};
use simulator::{Check, Query};
use std::fmt;

/// One lesson: metadata, a starting scenario, a walkthrough, a quiz and challenges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Stable id, also the URL slug and the content file's name (`<id>.yaml`).
    pub id: String,
    /// Title shown in the catalog and the player.
    pub title: String,
    /// Which track the lesson belongs to (`kubernetes`, `docker`, `aws`).
    pub track: String,
    /// How much the learner should already know.
    pub level: Level,
    /// Rough time to complete, in minutes.
    pub minutes: u32,
    /// Ids of lessons to take first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// What the learner will be able to do afterwards.
    pub objectives: Vec<String>,
    /// Where the simulation starts.
    pub scenario: LessonScenario,
    /// The walkthrough, in order.
    pub steps: Vec<Step>,
    /// Status rows shown after every step.
    #[serde(default)]
    pub tracker: Vec<TrackerRow>,
    /// Moments worth pointing out on the timeline.
    #[serde(default)]
    pub key_moments: Vec<KeyMoment>,
    /// Questions asked after the walkthrough.
    #[serde(default)]
    pub quiz: Vec<Question>,
    /// Goal-checked exercises that start where the walkthrough ends.
    #[serde(default)]
    pub challenges: Vec<Challenge>,
}

/// How advanced a lesson is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// No prior knowledge needed.
    Beginner,
    /// Assumes the beginner lessons.
    Intermediate,
    /// Assumes working knowledge.
    Advanced,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        })
    }
}

/// The simulation a lesson starts from: a named scenario, a seed and set-up commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonScenario {
    /// A simulator scenario name (`default`, `empty`).
    pub scenario: String,
    /// The RNG seed, so every learner sees the same run.
    pub seed: u64,
    /// Commands in learner syntax run before the first step, out of sight.
    #[serde(default)]
    pub setup: Vec<String>,
}

/// One step of the walkthrough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Id unique within the lesson; key moments refer to it.
    pub id: String,
    /// Short heading.
    pub title: String,
    /// What is happening and why, in Markdown.
    pub narration: String,
    /// The learner command this step runs, if any.
    #[serde(default)]
    pub command: Option<String>,
    /// Component names to highlight in the diagram (`kube-apiserver`, `kubelet`).
    #[serde(default)]
    pub highlight: Vec<String>,
    /// This step's row in the process-flow table.
    #[serde(default)]
    pub process: Option<ProcessRow>,
}

/// A row of the process-flow table: who does what, with what result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessRow {
    /// What is done.
    pub action: String,
    /// Which component (or person) does it.
    pub actor: String,
    /// What comes of it.
    pub result: String,
}

/// A named status row, re-evaluated against the simulation after every step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerRow {
    /// Label shown next to the value.
    pub name: String,
    /// What to measure.
    pub query: Query,
}

/// A moment on the timeline worth calling out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyMoment {
    /// The id of the step where it happens.
    pub step: String,
    /// Why it matters.
    pub text: String,
}

/// A quiz question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Id unique within the lesson.
    pub id: String,
    /// The question, in Markdown.
    pub prompt: String,
    /// Whether one or several choices may be selected.
    pub kind: QuestionKind,
    /// The choices, shown in this order.
    pub choices: Vec<String>,
    /// Which choices are correct.
    pub answer: Answer,
    /// Shown after a wrong answer.
    pub hint: String,
    /// Shown after a right answer.
    pub explanation: String,
}

/// Whether a question takes one answer or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// Exactly one choice is correct.
    Single,
    /// One or more choices are correct; all of them must be selected.
    Multiple,
}

/// How the correct choices of a question are known. Written as a one-key map,
/// `choice: [1]` or `computed: { kind: ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AnswerRepr", into = "AnswerRepr")]
pub enum Answer {
    /// Fixed, zero-based indexes into `choices`.
    Choice(Vec<usize>),
    /// Asked of the simulation at the end of the walkthrough: the correct choice is the
    /// one whose text equals the query's value, so the quiz can't drift from the model.
    Computed(Query),
}

/// The on-disk form of [`Answer`]. serde_yaml_ng writes externally tagged enums as YAML
/// tags (`!choice [1]`), which lesson authors shouldn't need to know; a struct with two
/// optional keys reads naturally and still rejects having both or neither.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    choice: Option<Vec<usize>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    computed: Option<Query>,
}

impl TryFrom<AnswerRepr> for Answer {
    type Error = &'static str;

    fn try_from(repr: AnswerRepr) -> Result<Self, Self::Error> {
        match (repr.choice, repr.computed) {
            (Some(indexes), None) => Ok(Answer::Choice(indexes)),
            (None, Some(query)) => Ok(Answer::Computed(query)),
            _ => Err("an answer needs exactly one of `choice: [indexes]` or `computed: query`"),
        }
    }
}

impl From<Answer> for AnswerRepr {
    fn from(answer: Answer) -> Self {
        match answer {
            Answer::Choice(indexes) => AnswerRepr {
                choice: Some(indexes),
                computed: None,
            },
            Answer::Computed(query) => AnswerRepr {
                choice: None,
                computed: Some(query),
            },
        }
    }
}

/// A goal-checked exercise. It starts from the state at the end of the walkthrough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// Id unique within the lesson.
    pub id: String,
    /// Short heading.
    pub title: String,
    /// The task, in Markdown.
    #[serde(default)]
    pub task: String,
    /// Every one of these must pass for the challenge to be solved.
    pub goals: Vec<Check>,
    /// Hints, revealed one at a time.
    #[serde(default)]
    pub hints: Vec<String>,
    /// A reference solution in learner syntax; `lessons check` proves it works.
    pub solution: Vec<String>,
    /// Command prefixes the learner may not use here (`kubectl scale`).
    #[serde(default)]
    pub disabled_commands: Vec<String>,
}

impl Challenge {
    /// Whether `line` starts with one of the disabled command prefixes (word-wise, so
    /// `kubectl scale` blocks `kubectl scale deploy/x` but not `kubectl scaler`).
    pub fn is_disabled(&self, line: &str) -> bool {
        let words: Vec<&str> = line.split_whitespace().collect();
        self.disabled_commands.iter().any(|prefix| {
            let prefix: Vec<&str> = prefix.split_whitespace().collect();
            !prefix.is_empty() && words.starts_with(&prefix)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_take_exactly_one_form() {
        let fixed: Answer = serde_yaml_ng::from_str("choice: [0, 2]").unwrap();
        assert_eq!(fixed, Answer::Choice(vec![0, 2]));
        let computed: Answer = serde_yaml_ng::from_str("computed: { kind: seconds }").unwrap();
        assert_eq!(computed, Answer::Computed(Query::Seconds));
        for bad in [
            "{}",
            "{ choice: [0], computed: { kind: seconds } }",
            "choise: [0]",
        ] {
            assert!(serde_yaml_ng::from_str::<Answer>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn disabled_commands_match_whole_words() {
        let challenge = Challenge {
            id: "c".into(),
            title: "c".into(),
            task: String::new(),
            goals: Vec::new(),
            hints: Vec::new(),
            solution: Vec::new(),
            disabled_commands: vec!["kubectl scale".into()],
        };
        assert!(challenge.is_disabled("kubectl  scale deploy/web --replicas 3"));
        assert!(!challenge.is_disabled("kubectl scaler"));
        assert!(!challenge.is_disabled("kubectl get nodes"));
    }
}
