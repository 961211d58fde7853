//! The workshop domain as stored: plain data, no database types, so another store
//! (PostgreSQL) can produce the same values.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A workshop as stored. The instructor secret itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workshop {
    /// Random id used in URLs (16 hex digits).
    pub id: String,
    /// Shown to students when they join.
    pub title: String,
    /// Lesson ids from `lessons::catalog()`, in teaching order.
    pub lessons: Vec<String>,
    /// The sandbox scenario students start from (a `simulator::Scenario` name).
    pub preset: String,
    /// What students type to join (six characters of [`super::secret::JOIN_CODE_ALPHABET`]).
    pub join_code: String,
    /// Hex SHA-256 of the instructor secret.
    pub instructor_secret_hash: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// A student who joined a workshop. The token itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    /// Random id (16 hex digits).
    pub id: String,
    /// The workshop joined.
    pub workshop_id: String,
    /// The name the student chose, trimmed and validated.
    pub display_name: String,
    /// Milliseconds since the Unix epoch.
    pub joined_at: i64,
}

/// What a progress event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProgressKind {
    /// A walkthrough step was reached; `item` is the step id.
    Step,
    /// A quiz question was answered; `item` is the question id, `value.correct` a bool.
    Answer,
    /// A challenge was checked; `item` is the challenge id, `value.solved` a bool.
    Challenge,
    /// Time spent in the lesson; `value` is a number of seconds.
    Time,
}

impl ProgressKind {
    /// The name stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Step => "step",
            Self::Answer => "answer",
            Self::Challenge => "challenge",
            Self::Time => "time",
        }
    }

    /// The inverse of [`Self::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "step" => Some(Self::Step),
            "answer" => Some(Self::Answer),
            "challenge" => Some(Self::Challenge),
            "time" => Some(Self::Time),
            _ => None,
        }
    }
}

/// One stored progress event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressEvent {
    /// Increasing id assigned by the database.
    pub id: i64,
    /// Not serialized: every stream and export is already scoped to one workshop.
    #[serde(skip)]
    pub workshop_id: String,
    /// Whose progress.
    pub student_id: String,
    /// What happened.
    pub kind: ProgressKind,
    /// Lesson id.
    pub lesson: String,
    /// Step, question or challenge id (free text for `time`).
    pub item: String,
    /// Kind-specific detail.
    pub value: Value,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
}

/// A scenario event the instructor pushed to every student.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Broadcast {
    /// Increasing id assigned by the database.
    pub id: i64,
    /// Not serialized, as for [`ProgressEvent::workshop_id`].
    #[serde(skip)]
    pub workshop_id: String,
    /// One of [`super::validate::BROADCAST_EVENTS`].
    pub event: String,
    /// Event-specific parameters (a JSON object).
    pub params: Value,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
}

/// Milliseconds since the Unix epoch, from the system clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
