//! The learner's progress: which stages, quiz questions and challenges of each lesson
//! they have reached, kept in `localStorage` and exportable/importable as a JSON file.
//!
//! The model and every rule about it (recording, merging, validating a file) are plain
//! Rust, tested natively; only [`ProgressHandle::provide`] touches the browser
//! (files go through [`crate::browser_file`]).
//!
//! File and storage format (`shipshape-progress/v1`):
//!
//! ```json
//! { "format": "shipshape-progress/v1",
//!   "lessons": { "meet-the-cluster": { "stage": 2, "stages": 9,
//!       "quiz": { "workers": true }, "challenges": { "cordon": false },
//!       "completed": false } } }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The `format` tag every progress file and stored value carries.
pub const FORMAT: &str = "shipshape-progress/v1";

/// The `localStorage` key progress is kept under.
pub const STORAGE_KEY: &str = "shipshape.progress.v1";

/// Where an unreadable stored value is moved, so starting fresh loses nothing for good.
pub const CORRUPT_KEY: &str = "shipshape.progress.v1.unreadable";

/// The name an exported file is downloaded as.
pub const EXPORT_FILE_NAME: &str = "shipshape-progress.json";

/// The largest progress file accepted (a real one is a few kilobytes).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Limits that keep a hostile or broken file from bloating storage.
const MAX_LESSONS: usize = 1000;
const MAX_ENTRIES: usize = 1000;
const MAX_STAGES: usize = 10_000;
const MAX_ID_LEN: usize = 100;

/// Everything the learner has done, by lesson id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// Always [`FORMAT`].
    pub format: String,
    /// Progress per lesson id (lessons never opened are absent).
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            format: FORMAT.to_string(),
            lessons: BTreeMap::new(),
        }
    }
}

/// One lesson's progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonProgress {
    /// The furthest stage reached, 0-based (meaningful only when `stages > 0`).
    #[serde(default)]
    pub stage: usize,
    /// How many stages the lesson had when last recorded; 0 = no stage recorded yet.
    #[serde(default)]
    pub stages: usize,
    /// Question id → whether it has been answered correctly (a wrong answer records
    /// `false`; a correct one is never downgraded).
    #[serde(default)]
    pub quiz: BTreeMap<String, bool>,
    /// Challenge id → whether it has been solved (never downgraded).
    #[serde(default)]
    pub challenges: BTreeMap<String, bool>,
    /// Whether the learner reached the last stage.
    #[serde(default)]
    pub completed: bool,
}

impl LessonProgress {
    /// How many stages have been reached (the furthest one and every one before it).
    pub fn stages_reached(&self) -> usize {
        if self.stages == 0 {
            0
        } else {
            (self.stage + 1).min(self.stages)
        }
    }

    /// Records reaching stage `stage` (0-based) of `stages`; returns whether anything
    /// changed. Going back to an earlier stage keeps the furthest one.
    pub fn record_stage(&mut self, stage: usize, stages: usize) -> bool {
        if stages == 0 {
            return false;
        }
        let stage = stage.min(stages - 1);
        let before = self.clone();
        if self.stages != stages {
            // The lesson changed length since last time: keep the furthest stage, clamped.
            self.stages = stages;
            self.stage = self.stage.min(stages - 1);
        }
        self.stage = self.stage.max(stage);
        if self.stage + 1 == self.stages {
            self.completed = true;
        }
        *self != before
    }

    /// Records an answer to question `question_id`; returns whether anything changed.
    pub fn record_answer(&mut self, question_id: &str, correct: bool) -> bool {
        best_of(&mut self.quiz, question_id, correct)
    }

    /// Records an attempt at challenge `challenge_id`; returns whether anything changed.
    pub fn record_challenge(&mut self, challenge_id: &str, solved: bool) -> bool {
        best_of(&mut self.challenges, challenge_id, solved)
    }

    /// Keeps the best of `self` and `other`; returns whether `self` changed.
    pub fn merge(&mut self, other: &LessonProgress) -> bool {
        let before = self.clone();
        if other.stages > 0 {
            let furthest = if self.stages > 0 {
                self.stage.max(other.stage)
            } else {
                other.stage
            };
            self.stages = self.stages.max(other.stages);
            self.stage = furthest.min(self.stages - 1);
        }
        for (id, ok) in &other.quiz {
            best_of(&mut self.quiz, id, *ok);
        }
        for (id, ok) in &other.challenges {
            best_of(&mut self.challenges, id, *ok);
        }
        self.completed |= other.completed;
        *self != before
    }

    /// Percentage (0–100) of `stages + quiz_total + challenges_total` items done, where
    /// the totals come from the lesson (answers to questions it no longer has don't count).
    pub fn percent(&self, quiz_done: usize, challenges_done: usize, totals: usize) -> u8 {
        if totals == 0 {
            return if self.completed { 100 } else { 0 };
        }
        let done = (self.stages_reached() + quiz_done + challenges_done).min(totals);
        u8::try_from(done * 100 / totals).unwrap_or(100)
    }
}

/// Sets `map[id]` to `value` unless it is already `true`; returns whether it changed.
fn best_of(map: &mut BTreeMap<String, bool>, id: &str, value: bool) -> bool {
    match map.get_mut(id) {
        Some(old) if *old || !value => false,
        Some(old) => {
            *old = true;
            true
        }
        None => {
            map.insert(id.to_string(), value);
            true
        }
    }
}

/// Where a learner stands in a lesson, for the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LessonState {
    /// Nothing recorded yet.
    NotStarted,
    /// Something recorded, last stage not reached.
    InProgress,
    /// Reached the last stage.
    Completed,
}

/// A lesson's progress counted against the lesson as it is today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonSummary {
    /// Stages reached.
    pub steps_done: usize,
    /// Stages in the lesson (as the player last recorded, else its step count).
    pub steps_total: usize,
    /// Questions of the lesson answered correctly.
    pub quiz_correct: usize,
    /// Questions in the lesson.
    pub quiz_total: usize,
    /// Challenges of the lesson solved.
    pub challenges_solved: usize,
    /// Challenges in the lesson.
    pub challenges_total: usize,
    /// 0–100.
    pub percent: u8,
    /// Not started, in progress or completed.
    pub state: LessonState,
}

impl LessonSummary {
    /// Counts `progress` against `lesson`.
    pub fn of(lesson: &lessons::Lesson, progress: Option<&LessonProgress>) -> Self {
        let empty = LessonProgress::default();
        let p = progress.unwrap_or(&empty);
        let quiz_correct = lesson
            .quiz
            .iter()
            .filter(|q| p.quiz.get(&q.id) == Some(&true))
            .count();
        let challenges_solved = lesson
            .challenges
            .iter()
            .filter(|c| p.challenges.get(&c.id) == Some(&true))
            .count();
        let steps_total = if p.stages > 0 {
            p.stages
        } else {
            lesson.steps.len()
        };
        let totals = steps_total + lesson.quiz.len() + lesson.challenges.len();
        let state = if p.completed {
            LessonState::Completed
        } else if progress.is_some_and(|p| *p != LessonProgress::default()) {
            LessonState::InProgress
        } else {
            LessonState::NotStarted
        };
        LessonSummary {
            steps_done: p.stages_reached(),
            steps_total,
            quiz_correct,
            quiz_total: lesson.quiz.len(),
            challenges_solved,
            challenges_total: lesson.challenges.len(),
            percent: p.percent(quiz_correct, challenges_solved, totals),
            state,
        }
    }

    /// "3 of 9 steps, quiz 5/8, challenges 1/2" (parts the lesson lacks are left out).
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("{} of {} steps", self.steps_done, self.steps_total)];
        if self.quiz_total > 0 {
            parts.push(format!("quiz {}/{}", self.quiz_correct, self.quiz_total));
        }
        if self.challenges_total > 0 {
            parts.push(format!(
                "challenges {}/{}",
                self.challenges_solved, self.challenges_total
            ));
        }
        parts.join(", ")
    }
}

/// What an import changed, for the message shown afterwards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Lessons that had no progress before.
    pub added: Vec<String>,
    /// Lessons whose progress improved.
    pub updated: Vec<String>,
    /// Lessons the file had nothing new for.
    pub unchanged: Vec<String>,
}

impl fmt::Display for MergeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lessons = |n: usize| if n == 1 { "lesson" } else { "lessons" };
        if self.added.is_empty() && self.updated.is_empty() {
            return write!(
                f,
                "Nothing new to import: the file's {} {} add nothing to your progress.",
                self.unchanged.len(),
                lessons(self.unchanged.len())
            );
        }
        write!(f, "Imported progress: ")?;
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!(
                "{} new {}",
                self.added.len(),
                lessons(self.added.len())
            ));
        }
        if !self.updated.is_empty() {
            parts.push(format!(
                "{} {} updated",
                self.updated.len(),
                lessons(self.updated.len())
            ));
        }
        if !self.unchanged.is_empty() {
            parts.push(format!("{} unchanged", self.unchanged.len()));
        }
        write!(f, "{}.", parts.join(", "))
    }
}

/// Why a progress file or stored value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressError(String);

impl fmt::Display for ProgressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProgressError {}

fn refuse(message: impl Into<String>) -> ProgressError {
    ProgressError(message.into())
}

impl Progress {
    /// The progress of one lesson, created empty on first use.
    fn entry(&mut self, lesson_id: &str) -> &mut LessonProgress {
        self.lessons.entry(lesson_id.to_string()).or_default()
    }

    /// Records reaching stage `stage` (0-based) of `stages`; see
    /// [`LessonProgress::record_stage`].
    pub fn record_stage(&mut self, lesson_id: &str, stage: usize, stages: usize) -> bool {
        stages > 0 && self.entry(lesson_id).record_stage(stage, stages)
    }

    /// Records an answer; see [`LessonProgress::record_answer`].
    pub fn record_answer(&mut self, lesson_id: &str, question_id: &str, correct: bool) -> bool {
        self.entry(lesson_id).record_answer(question_id, correct)
    }

    /// Records a challenge attempt; see [`LessonProgress::record_challenge`].
    pub fn record_challenge(&mut self, lesson_id: &str, challenge_id: &str, solved: bool) -> bool {
        self.entry(lesson_id).record_challenge(challenge_id, solved)
    }

    /// Merges an imported file into this progress, keeping the best of both per lesson.
    pub fn merge(&mut self, other: &Progress) -> MergeReport {
        let mut report = MergeReport::default();
        for (id, theirs) in &other.lessons {
            match self.lessons.get_mut(id) {
                Some(ours) => {
                    if ours.merge(theirs) {
                        report.updated.push(id.clone());
                    } else {
                        report.unchanged.push(id.clone());
                    }
                }
                None => {
                    self.lessons.insert(id.clone(), theirs.clone());
                    report.added.push(id.clone());
                }
            }
        }
        report
    }

    /// Pretty JSON, as exported and stored.
    pub fn to_json(&self) -> String {
        // Serialising string-keyed maps of plain values cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses and validates a progress file (or stored value), with a message that says
    /// what is wrong and where.
    pub fn from_json(text: &str) -> Result<Progress, ProgressError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(refuse(format!(
                "This file is {} KB; a Shipshape progress file is at most {} KB.",
                text.len() / 1024,
                MAX_FILE_BYTES / 1024
            )));
        }
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| refuse(format!("This is not a JSON file ({e}).")))?;
        let Some(object) = value.as_object() else {
            return Err(refuse(
                "This is not a Shipshape progress file: expected a JSON object with \"format\" and \"lessons\".",
            ));
        };
        match object.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(refuse(format!(
                    "This progress file has format {other:?}; this version of Shipshape reads {FORMAT:?}."
                )));
            }
            None => {
                return Err(refuse(format!(
                    "This is not a Shipshape progress file: it has no \"format\": {FORMAT:?} field."
                )));
            }
        }
        let progress: Progress = serde_json::from_str(text)
            .map_err(|e| refuse(format!("This progress file is malformed: {e}.")))?;
        progress.validate()?;
        Ok(progress)
    }

    /// Checks the limits and invariants serde cannot express.
    fn validate(&self) -> Result<(), ProgressError> {
        if self.lessons.len() > MAX_LESSONS {
            return Err(refuse(format!(
                "This progress file lists {} lessons; at most {MAX_LESSONS} are accepted.",
                self.lessons.len()
            )));
        }
        for (id, lesson) in &self.lessons {
            check_id("lesson id", id)?;
            let at = |msg: String| refuse(format!("Lesson {id:?}: {msg}."));
            if lesson.stages > MAX_STAGES {
                return Err(at(format!(
                    "{} stages is more than any lesson has",
                    lesson.stages
                )));
            }
            if lesson.stages == 0 && lesson.stage > 0 {
                return Err(at(format!(
                    "stage {} is recorded but \"stages\" is 0",
                    lesson.stage
                )));
            }
            if lesson.stages > 0 && lesson.stage >= lesson.stages {
                return Err(at(format!(
                    "stage {} is past its {} stages (stages count from 0)",
                    lesson.stage, lesson.stages
                )));
            }
            for (what, map) in [
                ("question", &lesson.quiz),
                ("challenge", &lesson.challenges),
            ] {
                if map.len() > MAX_ENTRIES {
                    return Err(at(format!("more than {MAX_ENTRIES} {what}s")));
                }
                for key in map.keys() {
                    check_id(what, key).map_err(|e| at(e.0))?;
                }
            }
        }
        Ok(())
    }
}

/// Lesson, question and challenge ids are short slugs; anything else is not ours.
fn check_id(what: &str, id: &str) -> Result<(), ProgressError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(refuse(format!(
            "{what} {id:?} is not a valid id (letters, digits, '-', '_' or '.', at most {MAX_ID_LEN})"
        )))
    }
}

// ---- The browser layer -------------------------------------------------------------

fn local_storage() -> Option<web_sys::Storage> {
    // Storage can be disabled (privacy settings, sandboxed frames): then progress lives
    // for the page's lifetime only.
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads progress from `localStorage`: fresh progress when there is none, and fresh
/// progress plus a message when the stored value cannot be read (it is moved aside to
/// [`CORRUPT_KEY`] so it is reported once, not on every load).
pub fn load() -> (Progress, Option<String>) {
    let Some(storage) = local_storage() else {
        return (
            Progress::default(),
            Some("This browser does not allow local storage here, so your progress will not be kept after you leave the page. Export it to keep it.".into()),
        );
    };
    let stored = match storage.get_item(STORAGE_KEY) {
        Ok(Some(text)) => text,
        _ => return (Progress::default(), None),
    };
    match Progress::from_json(&stored) {
        Ok(progress) => (progress, None),
        Err(e) => {
            let _ = storage.set_item(CORRUPT_KEY, &stored);
            let _ = storage.remove_item(STORAGE_KEY);
            (
                Progress::default(),
                Some(format!(
                    "Your saved progress could not be read, so it starts fresh. ({e}) The unreadable copy is kept in this browser under {CORRUPT_KEY:?}."
                )),
            )
        }
    }
}

/// Writes progress to `localStorage`.
pub fn save(progress: &Progress) -> Result<(), String> {
    let storage = local_storage().ok_or("local storage is not available")?;
    storage
        .set_item(STORAGE_KEY, &progress.to_json())
        .map_err(|_| "the browser refused to store it (storage full or disabled)".to_string())
}

/// Context newtype: the learner's progress, provided once by `App`, saved to
/// `localStorage` whenever it changes.
#[derive(Clone, Copy)]
pub struct ProgressHandle {
    progress: RwSignal<Progress>,
    notice: RwSignal<Option<String>>,
}

impl ProgressHandle {
    /// Loads progress from `localStorage`, provides the handle as context and keeps
    /// storage in sync.
    pub fn provide() -> Self {
        let (loaded, notice) = load();
        let handle = ProgressHandle {
            progress: RwSignal::new(loaded),
            notice: RwSignal::new(notice),
        };
        let progress = handle.progress;
        let notice = handle.notice;
        // The one effect: mirror the signal into storage. The first run (the value just
        // loaded) is skipped.
        Effect::new(move |previous: Option<()>| {
            let result = progress.with(|p| previous.map(|()| save(p)));
            if let Some(Err(e)) = result {
                notice.set(Some(format!("Your progress could not be saved: {e}.")));
            }
        });
        provide_context(handle);
        handle
    }

    /// The handle `App` provided.
    pub fn expect() -> Self {
        expect_context::<ProgressHandle>()
    }

    /// Records reaching stage `stage` (0-based) of `stages` of a lesson.
    pub fn record_stage(&self, lesson_id: &str, stage: usize, stages: usize) {
        self.progress
            .maybe_update(|p| p.record_stage(lesson_id, stage, stages));
        if let Some(report) = crate::workshop::model::Report::for_stage(lesson_id, stage) {
            crate::workshop::client::report(report);
        }
    }

    /// Records an answer to a quiz or prediction question (by its id).
    pub fn record_answer(&self, lesson_id: &str, question_id: &str, correct: bool) {
        self.progress
            .maybe_update(|p| p.record_answer(lesson_id, question_id, correct));
        crate::workshop::client::report(crate::workshop::model::Report::Answer {
            lesson: lesson_id.to_string(),
            question: question_id.to_string(),
            correct,
        });
    }

    /// Records an attempt at a challenge (by its id); `solved` once its goals pass.
    pub fn record_challenge(&self, lesson_id: &str, challenge_id: &str, solved: bool) {
        self.progress
            .maybe_update(|p| p.record_challenge(lesson_id, challenge_id, solved));
        crate::workshop::client::report(crate::workshop::model::Report::Challenge {
            lesson: lesson_id.to_string(),
            challenge: challenge_id.to_string(),
            solved,
        });
    }

    /// A lesson's progress (reactive: re-runs the caller when it changes).
    pub fn lesson(&self, lesson_id: &str) -> Option<LessonProgress> {
        self.progress.with(|p| p.lessons.get(lesson_id).cloned())
    }

    /// All progress (reactive).
    pub fn progress(&self) -> Signal<Progress> {
        self.progress.into()
    }

    /// A message about storage (unreadable saved progress, storage unavailable), if any.
    pub fn notice(&self) -> Signal<Option<String>> {
        self.notice.into()
    }

    /// Dismisses the storage message.
    pub fn dismiss_notice(&self) {
        self.notice.set(None);
    }

    /// Validates an imported file and merges it in; says what changed or what is wrong.
    pub fn import(&self, text: &str) -> Result<MergeReport, ProgressError> {
        let theirs = Progress::from_json(text)?;
        let mut report = MergeReport::default();
        self.progress.maybe_update(|p| {
            report = p.merge(&theirs);
            !(report.added.is_empty() && report.updated.is_empty())
        });
        Ok(report)
    }

    /// The progress as the JSON an export downloads.
    pub fn export_json(&self) -> String {
        self.progress.with_untracked(Progress::to_json)
    }

    /// Erases all progress.
    pub fn reset(&self) {
        self.progress.set(Progress::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Progress {
        let mut p = Progress::default();
        p.record_stage("meet-the-cluster", 2, 9);
        p.record_answer("meet-the-cluster", "workers", true);
        p.record_answer("meet-the-cluster", "control-plane", false);
        p.record_challenge("meet-the-cluster", "cordon", false);
        p
    }

    #[test]
    fn stages_keep_the_furthest_and_complete_at_the_last() {
        let mut p = LessonProgress::default();
        assert_eq!(p.stages_reached(), 0);
        assert!(p.record_stage(3, 9));
        assert!(!p.record_stage(1, 9), "going back changes nothing");
        assert_eq!((p.stage, p.stages_reached(), p.completed), (3, 4, false));
        assert!(p.record_stage(8, 9));
        assert!(p.completed);
        // Past-the-end stages clamp; zero stages are ignored.
        let mut q = LessonProgress::default();
        q.record_stage(50, 4);
        assert_eq!((q.stage, q.completed), (3, true));
        assert!(!q.record_stage(0, 0));
        // A lesson that got shorter keeps a valid furthest stage.
        let mut r = LessonProgress::default();
        r.record_stage(7, 9);
        r.record_stage(0, 5);
        assert_eq!((r.stage, r.stages), (4, 5));
    }

    #[test]
    fn correct_answers_and_solved_challenges_stick() {
        let mut p = LessonProgress::default();
        assert!(p.record_answer("q1", false));
        assert!(!p.record_answer("q1", false));
        assert!(p.record_answer("q1", true));
        assert!(
            !p.record_answer("q1", false),
            "a later wrong answer keeps the right one"
        );
        assert!(p.quiz["q1"]);
        assert!(p.record_challenge("c1", true));
        assert!(!p.record_challenge("c1", false));
        assert!(p.challenges["c1"]);
    }

    #[test]
    fn merge_keeps_the_best_of_both() {
        let mut ours = sample();
        let mut theirs = Progress::default();
        theirs.record_stage("meet-the-cluster", 5, 9);
        theirs.record_answer("meet-the-cluster", "control-plane", true);
        theirs.record_answer("meet-the-cluster", "workers", false);
        theirs.record_challenge("scheduling", "taints", true);
        let report = ours.merge(&theirs);
        assert_eq!(report.added, ["scheduling"]);
        assert_eq!(report.updated, ["meet-the-cluster"]);
        let m = &ours.lessons["meet-the-cluster"];
        assert_eq!(m.stage, 5);
        assert!(m.quiz["workers"]);
        assert!(m.quiz["control-plane"]);
        assert!(ours.lessons["scheduling"].challenges["taints"]);
        // Merging the same again changes nothing, and says so.
        let again = ours.merge(&theirs);
        assert!(again.added.is_empty() && again.updated.is_empty());
        assert_eq!(again.unchanged.len(), 2);
        assert!(
            again.to_string().starts_with("Nothing new to import"),
            "{again}"
        );
        assert_eq!(
            report.to_string(),
            "Imported progress: 1 new lesson, 1 lesson updated."
        );
    }

    #[test]
    fn json_round_trips() {
        let p = sample();
        let text = p.to_json();
        assert!(
            text.contains("\"format\": \"shipshape-progress/v1\""),
            "{text}"
        );
        assert_eq!(Progress::from_json(&text), Ok(p));
        // Optional fields may be left out.
        let minimal = r#"{"format":"shipshape-progress/v1","lessons":{"x":{"quiz":{"q":true}}}}"#;
        let q = Progress::from_json(minimal).expect("minimal file");
        assert!(q.lessons["x"].quiz["q"]);
        assert_eq!(
            Progress::from_json(r#"{"format":"shipshape-progress/v1"}"#),
            Ok(Progress::default())
        );
    }

    #[test]
    fn bad_files_get_clear_messages() {
        let err = |text: &str| Progress::from_json(text).expect_err(text).to_string();
        assert!(
            err("").starts_with("This is not a JSON file"),
            "{}",
            err("")
        );
        assert!(err("not json").contains("line 1"), "{}", err("not json"));
        assert!(err("[1, 2]").contains("expected a JSON object"));
        assert!(err("{}").contains("no \"format\""));
        assert!(err(r#"{"format":"shipshape-progress/v2"}"#).contains("\"shipshape-progress/v2\""));
        let e = err(r#"{"format":"shipshape-progress/v1","lessons":{"x":{"stage":"two"}}}"#);
        assert!(e.starts_with("This progress file is malformed"), "{e}");
        let e = err(r#"{"format":"shipshape-progress/v1","lesons":{}}"#);
        assert!(e.contains("unknown field `lesons`"), "{e}");
        let e = err(r#"{"format":"shipshape-progress/v1","lessons":{"x":{"stage":9,"stages":9}}}"#);
        assert!(
            e.contains("Lesson \"x\": stage 9 is past its 9 stages"),
            "{e}"
        );
        let e = err(r#"{"format":"shipshape-progress/v1","lessons":{"x":{"stage":2}}}"#);
        assert!(e.contains("\"stages\" is 0"), "{e}");
        let e = err(r#"{"format":"shipshape-progress/v1","lessons":{"a b":{}}}"#);
        assert!(e.contains("lesson id \"a b\" is not a valid id"), "{e}");
        let e = err(r#"{"format":"shipshape-progress/v1","lessons":{"x":{"quiz":{"":true}}}}"#);
        assert!(e.contains("question \"\""), "{e}");
        let huge = format!("\"{}\"", "a".repeat(MAX_FILE_BYTES + 1));
        assert!(err(&huge).contains("at most 1024 KB"));
    }

    #[test]
    fn summaries_count_against_the_lesson() {
        let lesson = lessons::catalog()
            .iter()
            .find(|l| !l.quiz.is_empty() && !l.challenges.is_empty())
            .expect("a lesson with a quiz and challenges");
        let none = LessonSummary::of(lesson, None);
        assert_eq!(none.state, LessonState::NotStarted);
        assert_eq!((none.steps_done, none.percent), (0, 0));
        assert_eq!(none.steps_total, lesson.steps.len());

        let mut p = LessonProgress::default();
        p.record_stage(0, lesson.steps.len());
        p.record_answer(&lesson.quiz[0].id, true);
        p.record_answer("no-such-question", true);
        p.record_challenge(&lesson.challenges[0].id, true);
        let s = LessonSummary::of(lesson, Some(&p));
        assert_eq!(s.state, LessonState::InProgress);
        assert_eq!(
            (s.steps_done, s.quiz_correct, s.challenges_solved),
            (1, 1, 1)
        );
        let totals = lesson.steps.len() + lesson.quiz.len() + lesson.challenges.len();
        assert_eq!(usize::from(s.percent), 300 / totals);
        assert_eq!(
            s.describe(),
            format!(
                "1 of {} steps, quiz 1/{}, challenges 1/{}",
                lesson.steps.len(),
                lesson.quiz.len(),
                lesson.challenges.len()
            )
        );

        for q in &lesson.quiz {
            p.record_answer(&q.id, true);
        }
        for c in &lesson.challenges {
            p.record_challenge(&c.id, true);
        }
        p.record_stage(lesson.steps.len() - 1, lesson.steps.len());
        let done = LessonSummary::of(lesson, Some(&p));
        assert_eq!((done.state, done.percent), (LessonState::Completed, 100));
    }
}
