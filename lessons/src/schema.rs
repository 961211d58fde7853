//! The lesson format. Every struct denies unknown fields so that a misspelt key in a
//! YAML file fails loudly instead of silently dropping content.

use serde::{Deserialize, Deserializer, Serialize};
use simulator::{Check, Query, Scenario, Workspace};
use std::collections::BTreeMap;
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

impl Lesson {
    /// The position of the step with this id.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|step| step.id == id)
    }

    /// How many steps have run when `question`'s computed answer is read: all of them for
    /// a quiz question; for a prediction, its step and the one after it (the outcome).
    pub fn steps_before_answer(&self, question: &Question) -> usize {
        match question
            .after_step
            .as_deref()
            .and_then(|id| self.step_index(id))
        {
            Some(index) if question.kind == QuestionKind::Prediction => {
                (index + 2).min(self.steps.len())
            }
            _ => self.steps.len(),
        }
    }

    /// The predictions asked right after step `step_id`, in quiz order.
    pub fn predictions_after<'a>(&'a self, step_id: &'a str) -> impl Iterator<Item = &'a Question> {
        self.quiz.iter().filter(move |q| {
            q.kind == QuestionKind::Prediction && q.after_step.as_deref() == Some(step_id)
        })
    }

    /// The commands that set up `challenge`'s starting state, in order: the lesson's
    /// set-up, every step's command (unless the challenge starts `from_scenario`), then
    /// the challenge's own set-up. (Files come with [`LessonScenario::build`].)
    pub fn challenge_setup(&self, challenge: &Challenge) -> Vec<String> {
        let steps = self
            .steps
            .iter()
            .filter(|_| !challenge.from_scenario)
            .filter_map(|step| step.command.clone());
        self.scenario
            .setup
            .iter()
            .cloned()
            .chain(steps)
            .chain(challenge.setup.iter().cloned())
            .collect()
    }

    /// The quiz questions asked after the walkthrough (everything but predictions).
    pub fn final_quiz(&self) -> impl Iterator<Item = &Question> {
        self.quiz
            .iter()
            .filter(|q| q.kind != QuestionKind::Prediction)
    }
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

/// The simulation a lesson starts from: a named scenario, a seed, workspace files and
/// set-up commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonScenario {
    /// A simulator scenario name (`default`, `empty`).
    pub scenario: String,
    /// The RNG seed, so every learner sees the same run.
    pub seed: u64,
    /// Files in the learner's workspace at the start: path → contents (`Dockerfile`,
    /// `k8s/web.yaml`). They exist before the set-up commands run.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// Commands in learner syntax run before the first step, out of sight.
    #[serde(default)]
    pub setup: Vec<String>,
}

impl LessonScenario {
    /// The simulator scenario with this lesson's seed and workspace files, or `None` when
    /// the scenario name is unknown. (Set-up commands are run by the caller.)
    pub fn build(&self) -> Option<Scenario> {
        let base = Scenario::named(&self.scenario)?;
        let mut workspace: Workspace = base.workspace.clone();
        for (path, contents) in &self.files {
            workspace.insert(path, contents.clone());
        }
        Some(base.with_seed(self.seed).with_workspace(workspace))
    }
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
    /// When true the player asks the learner to type `command` instead of running it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub learner_types: bool,
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
    /// Single or multiple choice, an ordering, or a prediction.
    pub kind: QuestionKind,
    /// For a prediction: the id of the step after which it is asked, before the next
    /// step shows what really happens. Only predictions have it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_step: Option<String>,
    /// The choices, shown in this order (for an ordering: the scrambled starting order).
    pub choices: Vec<String>,
    /// Which choices are correct, or the correct order.
    pub answer: Answer,
    /// Shown after a wrong answer, one more after each wrong attempt. `hint: text` is
    /// accepted for a single hint.
    #[serde(alias = "hint", deserialize_with = "one_or_many")]
    pub hints: Vec<String>,
    /// Shown after a right answer.
    pub explanation: String,
}

/// Accepts a single string or a list of strings.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// Exactly one choice is correct.
    Single,
    /// One or more choices are correct; all of them must be selected.
    Multiple,
    /// The choices are steps to put in order; `answer: { order: [...] }` is the correct
    /// sequence of choice indexes.
    Ordering,
    /// "What happens next?": a single-choice question asked after step `after_step`.
    /// A computed answer is read after the *following* step has run (the outcome).
    Prediction,
}

impl fmt::Display for QuestionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Ordering => "ordering",
            QuestionKind::Prediction => "prediction",
        })
    }
}

/// How the correct choices of a question are known. Written as a one-key map:
/// `choice: [1]`, `order: [2, 0, 1]` or `computed: { kind: ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AnswerRepr", into = "AnswerRepr")]
pub enum Answer {
    /// Fixed, zero-based indexes into `choices`.
    Choice(Vec<usize>),
    /// For an ordering: the choice indexes in the correct order (a permutation).
    Order(Vec<usize>),
    /// Asked of the simulation: the correct choice is the one whose text equals the
    /// query's value, so the quiz can't drift from the model. Quiz questions read it at
    /// the end of the walkthrough; predictions after the step that follows `after_step`.
    Computed(Query),
}

/// The on-disk form of [`Answer`]. serde_yaml_ng writes externally tagged enums as YAML
/// tags (`!choice [1]`), which lesson authors shouldn't need to know; a struct with
/// optional keys reads naturally and still rejects having several or none.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    choice: Option<Vec<usize>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order: Option<Vec<usize>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    computed: Option<Query>,
}

impl TryFrom<AnswerRepr> for Answer {
    type Error = &'static str;

    fn try_from(repr: AnswerRepr) -> Result<Self, Self::Error> {
        match (repr.choice, repr.order, repr.computed) {
            (Some(indexes), None, None) => Ok(Answer::Choice(indexes)),
            (None, Some(order), None) => Ok(Answer::Order(order)),
            (None, None, Some(query)) => Ok(Answer::Computed(query)),
            _ => Err(
                "an answer needs exactly one of `choice: [indexes]`, `order: [indexes]` or `computed: query`",
            ),
        }
    }
}

impl From<Answer> for AnswerRepr {
    fn from(answer: Answer) -> Self {
        let mut repr = AnswerRepr {
            choice: None,
            order: None,
            computed: None,
        };
        match answer {
            Answer::Choice(indexes) => repr.choice = Some(indexes),
            Answer::Order(order) => repr.order = Some(order),
            Answer::Computed(query) => repr.computed = Some(query),
        }
        repr
    }
}

/// A goal-checked exercise. It starts from the state at the end of the walkthrough (or,
/// with `from_scenario`, from the lesson's scenario, files and set-up), then runs its own
/// `setup` commands out of sight.
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
    /// Start from the lesson's scenario (files and set-up included) instead of the end of
    /// the walkthrough.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_scenario: bool,
    /// Commands in learner syntax that create the starting state (a broken rollout, a
    /// tainted node), run before the learner starts.
    #[serde(default)]
    pub setup: Vec<String>,
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
        assert_eq!(computed, Answer::Computed(Query::Seconds {}));
        let order: Answer = serde_yaml_ng::from_str("order: [2, 0, 1]").unwrap();
        assert_eq!(order, Answer::Order(vec![2, 0, 1]));
        for bad in [
            "{}",
            "{ choice: [0], computed: { kind: seconds } }",
            "{ choice: [0], order: [0] }",
            "choise: [0]",
        ] {
            assert!(serde_yaml_ng::from_str::<Answer>(bad).is_err(), "{bad}");
        }
    }

    const QUESTION: &str = "
id: q
prompt: Which?
kind: single
choices: [a, b]
answer: { choice: [0] }
explanation: e
";

    #[test]
    fn hints_take_one_or_many() {
        let one: Question = serde_yaml_ng::from_str(&format!("{QUESTION}hint: look\n")).unwrap();
        assert_eq!(one.hints, ["look"]);
        let many: Question =
            serde_yaml_ng::from_str(&format!("{QUESTION}hints: [look, harder]\n")).unwrap();
        assert_eq!(many.hints, ["look", "harder"]);
        assert!(serde_yaml_ng::from_str::<Question>(QUESTION).is_err());
        assert!(
            serde_yaml_ng::from_str::<Question>(&format!("{QUESTION}hints: [a]\nafter: x\n"))
                .is_err()
        );
    }

    #[test]
    fn scenario_files_land_in_the_workspace() {
        let scenario: LessonScenario = serde_yaml_ng::from_str(
            "{scenario: default, seed: 3, files: {Dockerfile: 'FROM alpine', k8s/web.yaml: 'x'}}",
        )
        .unwrap();
        let built = scenario.build().unwrap();
        assert_eq!(built.seed, 3);
        assert_eq!(built.workspace.get("k8s/web.yaml"), Some("x"));
        assert_eq!(built.workspace.len(), 2);
        let unknown = LessonScenario {
            scenario: "atlantis".into(),
            ..scenario
        };
        assert!(unknown.build().is_none());
    }

    #[test]
    fn disabled_commands_match_whole_words() {
        let challenge = Challenge {
            id: "c".into(),
            title: "c".into(),
            task: String::new(),
            from_scenario: false,
            setup: Vec::new(),
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
