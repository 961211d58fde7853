//! The instructor's view: every student × every lesson of the workshop, folded from the
//! stored progress events. Also the shape of the `snapshot` the live stream starts with.
//!
//! Folding rules: a step counts once however often it is reported; a question counts by
//! its latest answer; a challenge counts as solved once any check solved it; time adds up.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::model::{ProgressEvent, ProgressKind, Student, Workshop};

/// The whole dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// The workshop, with its join code (the instructor shows it to the room).
    pub workshop: WorkshopInfo,
    /// The workshop's lessons with how many steps, questions and challenges each has.
    pub lessons: Vec<LessonTotals>,
    /// One row per student, in joining order.
    pub students: Vec<StudentRow>,
    /// How many progress events are stored.
    pub events: usize,
    /// The id of the newest progress event folded in (0 if none): stream events with a
    /// lower id are already counted.
    pub last_event_id: i64,
}

/// What the dashboard says about the workshop itself.
#[derive(Debug, Clone, Serialize)]
pub struct WorkshopInfo {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Lesson ids in order.
    pub lessons: Vec<String>,
    /// Sandbox preset.
    pub preset: String,
    /// Join code.
    pub join_code: String,
    /// Creation time, ms since the epoch.
    pub created_at: i64,
}

/// A lesson's size, for "3 of 7 steps".
#[derive(Debug, Clone, Serialize)]
pub struct LessonTotals {
    /// Lesson id.
    pub id: String,
    /// Lesson title.
    pub title: String,
    /// Steps in the walkthrough.
    pub steps: usize,
    /// Quiz questions.
    pub questions: usize,
    /// Challenges.
    pub challenges: usize,
}

/// One student's progress.
#[derive(Debug, Clone, Serialize)]
pub struct StudentRow {
    /// Student id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Join time, ms since the epoch.
    pub joined_at: i64,
    /// Time of the latest progress event, if any.
    pub last_active: Option<i64>,
    /// Time of the latest step, answer or challenge, if any: `time` reports come every
    /// minute a lesson page is open, so they would hide a student who is stuck.
    pub last_progress: Option<i64>,
    /// One entry per workshop lesson, in the workshop's order.
    pub lessons: Vec<LessonProgress>,
}

/// One student's progress in one lesson.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LessonProgress {
    /// Lesson id.
    pub lesson: String,
    /// Distinct steps reached.
    pub steps_done: usize,
    /// Distinct questions answered.
    pub questions_answered: usize,
    /// Questions whose latest answer was correct.
    pub questions_correct: usize,
    /// Distinct challenges solved.
    pub challenges_solved: usize,
    /// Seconds spent, summed from `time` reports.
    pub time_seconds: f64,
}

#[derive(Default)]
struct Fold {
    steps: BTreeSet<String>,
    answers: BTreeMap<String, bool>,
    solved: BTreeSet<String>,
    seconds: f64,
}

/// Folds the stored rows into the dashboard.
pub fn summarize(workshop: &Workshop, students: &[Student], events: &[ProgressEvent]) -> Dashboard {
    let mut folds: BTreeMap<(&str, &str), Fold> = BTreeMap::new();
    let mut last_active: BTreeMap<&str, i64> = BTreeMap::new();
    let mut last_progress: BTreeMap<&str, i64> = BTreeMap::new();
    for event in events {
        let fold = folds
            .entry((event.student_id.as_str(), event.lesson.as_str()))
            .or_default();
        match event.kind {
            ProgressKind::Step => {
                fold.steps.insert(event.item.clone());
            }
            ProgressKind::Answer => {
                let correct = event.value.get("correct").and_then(Value::as_bool);
                fold.answers
                    .insert(event.item.clone(), correct.unwrap_or(false));
            }
            ProgressKind::Challenge => {
                if event.value.get("solved").and_then(Value::as_bool) == Some(true) {
                    fold.solved.insert(event.item.clone());
                }
            }
            ProgressKind::Time => fold.seconds += event.value.as_f64().unwrap_or(0.0),
        }
        let last = last_active
            .entry(event.student_id.as_str())
            .or_insert(event.at);
        *last = (*last).max(event.at);
        if event.kind != ProgressKind::Time {
            let last = last_progress
                .entry(event.student_id.as_str())
                .or_insert(event.at);
            *last = (*last).max(event.at);
        }
    }
    let rows = students
        .iter()
        .map(|student| StudentRow {
            id: student.id.clone(),
            name: student.display_name.clone(),
            joined_at: student.joined_at,
            last_active: last_active.get(student.id.as_str()).copied(),
            last_progress: last_progress.get(student.id.as_str()).copied(),
            lessons: workshop
                .lessons
                .iter()
                .map(|lesson| {
                    let fold = folds.get(&(student.id.as_str(), lesson.as_str()));
                    fold.map_or_else(
                        || LessonProgress {
                            lesson: lesson.clone(),
                            ..LessonProgress::default()
                        },
                        |fold| LessonProgress {
                            lesson: lesson.clone(),
                            steps_done: fold.steps.len(),
                            questions_answered: fold.answers.len(),
                            questions_correct: fold.answers.values().filter(|c| **c).count(),
                            challenges_solved: fold.solved.len(),
                            time_seconds: fold.seconds,
                        },
                    )
                })
                .collect(),
        })
        .collect();
    Dashboard {
        workshop: WorkshopInfo {
            id: workshop.id.clone(),
            title: workshop.title.clone(),
            lessons: workshop.lessons.clone(),
            preset: workshop.preset.clone(),
            join_code: workshop.join_code.clone(),
            created_at: workshop.created_at,
        },
        lessons: workshop
            .lessons
            .iter()
            .map(|id| {
                let lesson = lessons::find(id);
                LessonTotals {
                    id: id.clone(),
                    title: lesson.map_or_else(|| id.clone(), |l| l.title.clone()),
                    steps: lesson.map_or(0, |l| l.steps.len()),
                    questions: lesson.map_or(0, |l| l.quiz.len()),
                    challenges: lesson.map_or(0, |l| l.challenges.len()),
                }
            })
            .collect(),
        students: rows,
        events: events.len(),
        last_event_id: events.last().map_or(0, |e| e.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(
        id: i64,
        student: &str,
        kind: ProgressKind,
        item: &str,
        value: Value,
    ) -> ProgressEvent {
        ProgressEvent {
            id,
            workshop_id: "w".into(),
            student_id: student.into(),
            kind,
            lesson: "meet-the-cluster".into(),
            item: item.into(),
            value,
            at: 1000 + id,
        }
    }

    #[test]
    fn folds_steps_answers_challenges_and_time() {
        let workshop = Workshop {
            id: "w".into(),
            title: "T".into(),
            lessons: vec!["meet-the-cluster".into()],
            preset: "default".into(),
            join_code: "ABCDEF".into(),
            instructor_secret_hash: String::new(),
            created_at: 0,
        };
        let students = vec![
            Student {
                id: "a".into(),
                workshop_id: "w".into(),
                display_name: "Ana".into(),
                joined_at: 1,
            },
            Student {
                id: "b".into(),
                workshop_id: "w".into(),
                display_name: "Bo".into(),
                joined_at: 2,
            },
        ];
        let events = vec![
            event(1, "a", ProgressKind::Step, "s1", Value::Null),
            event(2, "a", ProgressKind::Step, "s1", Value::Null),
            event(3, "a", ProgressKind::Step, "s2", Value::Null),
            event(
                4,
                "a",
                ProgressKind::Answer,
                "q1",
                json!({"correct": false}),
            ),
            event(5, "a", ProgressKind::Answer, "q1", json!({"correct": true})),
            event(
                6,
                "a",
                ProgressKind::Answer,
                "q2",
                json!({"correct": false}),
            ),
            event(
                7,
                "a",
                ProgressKind::Challenge,
                "c1",
                json!({"solved": true}),
            ),
            event(
                8,
                "a",
                ProgressKind::Challenge,
                "c1",
                json!({"solved": false}),
            ),
            event(9, "a", ProgressKind::Time, "lesson", json!(30)),
            event(10, "a", ProgressKind::Time, "lesson", json!(12.5)),
        ];
        let dashboard = summarize(&workshop, &students, &events);
        assert_eq!(dashboard.events, 10);
        assert_eq!(dashboard.last_event_id, 10);
        let ana = &dashboard.students[0].lessons[0];
        assert_eq!(
            (
                ana.steps_done,
                ana.questions_answered,
                ana.questions_correct
            ),
            (2, 2, 1)
        );
        assert_eq!(ana.challenges_solved, 1);
        assert!((ana.time_seconds - 42.5).abs() < 1e-9);
        assert_eq!(dashboard.students[0].last_active, Some(1010));
        assert_eq!(
            dashboard.students[0].last_progress,
            Some(1008),
            "time reports are not progress"
        );
        let bo = &dashboard.students[1];
        assert_eq!((bo.last_active, bo.lessons[0].steps_done), (None, 0));
        assert_eq!(bo.last_progress, None);
        assert!(dashboard.lessons[0].steps > 0);
    }
}
