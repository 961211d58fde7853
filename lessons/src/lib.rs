//! Lessons are data: YAML files under `content/`, embedded in the binary, parsed into the
//! types of [`schema`]. No lesson contains code; anything that depends on the simulation
//! (tracker rows, computed quiz answers, challenge goals) is a `simulator::Query` or
//! `simulator::Check` that the simulator evaluates.
//!
//! A tour:
//! - [`schema`]: the lesson format (`deny_unknown_fields`, so a typo is an error).
//! - [`catalog()`] / [`find`]: every built-in lesson, parsed once.
//! - [`grade()`]: marks a quiz answer, computing the correct choice from the simulation
//!   where the lesson says so.
//! - [`check_all`] / [`check_lesson`]: replays lessons headlessly and reports every
//!   inconsistency (failing commands, wrong computed answers, unreachable goals, dangling
//!   references). `shipshape lessons check` and the tests run it.

pub mod catalog;
pub mod check;
pub mod grade;
pub mod schema;

pub use catalog::{LoadError, catalog, find, load_errors, parse};
pub use check::{EXTRA_HIGHLIGHTS, LessonReport, check_all, check_lesson, is_known_highlight};
pub use grade::{ChallengeStatus, Grade, challenge_status, correct_choices, grade, marking_state};
pub use schema::{
    Answer, Challenge, KeyMoment, Lesson, LessonScenario, Level, ProcessRow, Question,
    QuestionKind, Step, TrackerRow,
};
