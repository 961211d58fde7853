//! The workshop API's shapes (as `server/src/workshop/openapi.json` describes them) and
//! the rules the pages apply to them: which step a lesson stage is, what a progress
//! report looks like, who is stuck, and what a broadcast does to a simulation.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use simulator::Simulation;

/// How long without progress makes a student who has not finished "stuck".
pub const STUCK_AFTER_MS: f64 = 5.0 * 60.0 * 1000.0;

/// The broadcasts an instructor can send: (event, button label).
pub const BROADCASTS: [(&str, &str); 3] = [
    ("node-failure", "Fail a node"),
    ("traffic-spike", "Traffic spike"),
    ("bad-image", "Push a bad image"),
];

/// `POST /api/workshops`'s body.
#[derive(Clone, Debug, Serialize)]
pub struct CreateWorkshop {
    /// 1–120 characters.
    pub title: String,
    /// Lesson ids, 1–20.
    pub lessons: Vec<String>,
    /// A scenario name; left out for the server's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
}

/// `POST /api/workshops`'s answer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CreatedWorkshop {
    /// The workshop id.
    pub id: String,
    /// The title as stored.
    pub title: String,
    /// The lesson ids.
    pub lessons: Vec<String>,
    /// The sandbox scenario.
    pub preset: String,
    /// Six characters for students.
    pub join_code: String,
    /// The instructor's bearer secret (shown once).
    pub instructor_secret: String,
    /// The dashboard page with the secret in its fragment.
    pub instructor_url: String,
}

/// The workshop as a student sees it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct WorkshopSummary {
    /// The workshop id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its lesson ids.
    pub lessons: Vec<String>,
    /// Its sandbox scenario.
    pub preset: String,
}

/// `POST /api/join`'s answer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Joined {
    /// The workshop joined.
    pub workshop: WorkshopSummary,
    /// The student's id.
    pub student_id: String,
    /// The name as stored (trimmed).
    pub name: String,
    /// The student's bearer token.
    pub token: String,
}

/// A scenario event the instructor pushed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Broadcast {
    /// Increasing id.
    pub id: i64,
    /// `node-failure`, `traffic-spike` or `bad-image`.
    pub event: String,
    /// Event parameters (a JSON object).
    #[serde(default)]
    pub params: Value,
    /// Milliseconds since the epoch.
    pub at: i64,
}

/// The instructor dashboard: students × lessons.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Dashboard {
    /// The workshop.
    pub workshop: DashboardWorkshop,
    /// The workshop's lessons with their totals.
    pub lessons: Vec<LessonTotals>,
    /// One row per student, in joining order.
    pub students: Vec<StudentRow>,
    /// Progress events stored.
    pub events: u64,
    /// The id of the newest progress event counted.
    pub last_event_id: i64,
}

/// The workshop part of a [`Dashboard`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct DashboardWorkshop {
    /// The workshop id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its sandbox scenario.
    pub preset: String,
    /// The code students join with.
    pub join_code: String,
}

/// A lesson's totals.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct LessonTotals {
    /// Lesson id.
    pub id: String,
    /// Lesson title.
    pub title: String,
    /// Steps in the lesson.
    pub steps: usize,
    /// Questions in the lesson.
    pub questions: usize,
    /// Challenges in the lesson.
    pub challenges: usize,
}

/// One student's row.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct StudentRow {
    /// Student id (the row's key).
    pub id: String,
    /// Display name (rendered as text, never as HTML).
    pub name: String,
    /// Join time, ms since the epoch.
    pub joined_at: i64,
    /// Newest progress event of any kind (time reports too), ms since the epoch.
    pub last_active: Option<i64>,
    /// Newest step, answer or challenge, ms since the epoch: what "stuck" counts from,
    /// since time reports arrive every minute a lesson page is open, progress or not.
    #[serde(default)]
    pub last_progress: Option<i64>,
    /// One entry per workshop lesson, in order.
    pub lessons: Vec<StudentLesson>,
}

/// One student's progress in one lesson.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct StudentLesson {
    /// Lesson id.
    pub lesson: String,
    /// Distinct steps reached.
    pub steps_done: usize,
    /// Distinct questions answered.
    pub questions_answered: usize,
    /// Questions whose latest answer is correct.
    pub questions_correct: usize,
    /// Challenges solved.
    pub challenges_solved: usize,
    /// Seconds spent on the lesson's page, summed from `time` reports.
    #[serde(default)]
    pub time_seconds: f64,
}

/// A `join` event on the instructor stream.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct JoinEvent {
    /// Who joined.
    pub student: JoinedStudent,
}

/// The student in a [`JoinEvent`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct JoinedStudent {
    /// Student id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Join time.
    pub joined_at: i64,
}

/// A `progress` event on the instructor stream (the fields the dashboard uses).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ProgressEvent {
    /// Increasing id.
    pub id: i64,
    /// Whose progress.
    pub student_id: String,
    /// `step`, `answer`, `challenge` or `time`.
    #[serde(default)]
    pub kind: String,
    /// When, ms since the epoch.
    pub at: i64,
}

/// The student stream's `snapshot`: past broadcasts.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct StudentSnapshot {
    /// Every broadcast so far.
    #[serde(default)]
    pub broadcasts: Vec<Broadcast>,
}

impl Dashboard {
    /// Adds a student who just joined (unless already listed).
    pub fn add_student(&mut self, joined: JoinedStudent) {
        if self.students.iter().any(|s| s.id == joined.id) {
            return;
        }
        self.students.push(StudentRow {
            id: joined.id,
            name: joined.name,
            joined_at: joined.joined_at,
            last_active: None,
            last_progress: None,
            lessons: self
                .lessons
                .iter()
                .map(|l| StudentLesson {
                    lesson: l.id.clone(),
                    ..StudentLesson::default()
                })
                .collect(),
        });
    }

    /// Notes a progress event's time on its student (the counts come with the next
    /// dashboard); returns whether the event is newer than this dashboard. A time report
    /// is activity but not progress: it does not reset "stuck".
    pub fn touch(&mut self, event: &ProgressEvent) -> bool {
        if event.id <= self.last_event_id {
            return false;
        }
        if let Some(student) = self.students.iter_mut().find(|s| s.id == event.student_id) {
            student.last_active = Some(student.last_active.unwrap_or(0).max(event.at));
            if event.kind != "time" {
                student.last_progress = Some(student.last_progress.unwrap_or(0).max(event.at));
            }
        }
        true
    }

    /// Whether `student` has done every step, question and challenge.
    pub fn finished(&self, student: &StudentRow) -> bool {
        self.lessons.iter().all(|totals| {
            student
                .lessons
                .iter()
                .find(|l| l.lesson == totals.id)
                .is_some_and(|l| {
                    l.steps_done >= totals.steps
                        && l.questions_answered >= totals.questions
                        && l.challenges_solved >= totals.challenges
                })
        })
    }

    /// Whether `student` has not finished and made no progress for [`STUCK_AFTER_MS`]
    /// (counting from joining when there is no progress yet).
    pub fn stuck(&self, student: &StudentRow, now_ms: f64) -> bool {
        !self.finished(student) && now_ms - progress_since(student) >= STUCK_AFTER_MS
    }
}

/// When `student` last made progress (a step, answer or challenge), or joined if never,
/// in ms since the epoch.
pub fn progress_since(student: &StudentRow) -> f64 {
    student.last_progress.unwrap_or(student.joined_at) as f64
}

/// Time spent, as the dashboard shows it: `0 min`, `<1 min`, `12 min`, `1 h 05 min`
/// (whole minutes, rounded down).
pub fn format_time_spent(seconds: f64) -> String {
    if seconds <= 0.0 || seconds.is_nan() {
        return "0 min".to_string();
    }
    if seconds < 60.0 {
        return "<1 min".to_string();
    }
    let minutes = (seconds / 60.0).floor() as u64;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// A progress record for the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// A step of a lesson reached.
    Step {
        /// Lesson id.
        lesson: String,
        /// Step id.
        step: String,
    },
    /// A question answered.
    Answer {
        /// Lesson id.
        lesson: String,
        /// Question id.
        question: String,
        /// Whether the answer was right.
        correct: bool,
    },
    /// A challenge attempted.
    Challenge {
        /// Lesson id.
        lesson: String,
        /// Challenge id.
        challenge: String,
        /// Whether its goals all pass.
        solved: bool,
    },
    /// Time spent on a lesson's page (visible), in whole seconds, 1–3600.
    Time {
        /// Lesson id.
        lesson: String,
        /// Seconds since the previous time report of this page.
        seconds: u32,
    },
}

impl Report {
    /// The report for reaching stage `stage` of a lesson: its step, or `None` for the
    /// quiz and challenge stages (and unknown lessons).
    pub fn for_stage(lesson_id: &str, stage: usize) -> Option<Report> {
        let step = lessons::find(lesson_id)?.steps.get(stage)?;
        Some(Report::Step {
            lesson: lesson_id.to_string(),
            step: step.id.clone(),
        })
    }

    /// The lesson it is about.
    pub fn lesson(&self) -> &str {
        match self {
            Report::Step { lesson, .. }
            | Report::Answer { lesson, .. }
            | Report::Challenge { lesson, .. }
            | Report::Time { lesson, .. } => lesson,
        }
    }

    /// The `POST /api/workshops/{id}/progress` body.
    pub fn body(&self) -> Value {
        match self {
            Report::Step { lesson, step } => {
                json!({"kind": "step", "lesson": lesson, "item": step, "value": null})
            }
            Report::Answer {
                lesson,
                question,
                correct,
            } => json!({"kind": "answer", "lesson": lesson, "item": question,
                "value": {"correct": correct}}),
            Report::Challenge {
                lesson,
                challenge,
                solved,
            } => json!({"kind": "challenge", "lesson": lesson, "item": challenge,
                "value": {"solved": solved}}),
            Report::Time { lesson, seconds } => {
                json!({"kind": "time", "lesson": lesson, "item": "lesson", "value": seconds})
            }
        }
    }

    /// Whether sending it twice adds nothing (steps and solved challenges count once;
    /// answers do not, since the latest one counts, nor does time, which adds up).
    pub fn idempotent(&self) -> bool {
        !matches!(self, Report::Answer { .. } | Report::Time { .. })
    }

    /// Whether the request must outlive the page (`fetch`'s `keepalive`): time is
    /// flushed when the page is hidden or left, perhaps as the tab closes.
    pub fn keepalive(&self) -> bool {
        matches!(self, Report::Time { .. })
    }
}

/// What students read when a broadcast arrives.
pub fn broadcast_message(event: &str) -> String {
    match event {
        "node-failure" => "Your instructor: a node just died. Watch the pods on it.".to_string(),
        "traffic-spike" => {
            "Your instructor: traffic just spiked tenfold for five minutes.".to_string()
        }
        "bad-image" => "Your instructor: someone pushed a bad image. A deployment that pulls it would go to ImagePullBackOff — check image tags before you roll out (nothing was changed in your simulation).".to_string(),
        other => format!("Your instructor sent {other:?}."),
    }
}

/// The command that applies a broadcast to `sim`, if it has anything to act on:
/// `node-failure` fails the first Ready worker node (or the one named in
/// `params.node`), `traffic-spike` spikes the first Service the learner made;
/// `bad-image` only explains.
pub fn broadcast_command(broadcast: &Broadcast, sim: &Simulation) -> Option<String> {
    let store = &sim.state().api.store;
    let param = |key: &str| broadcast.params.get(key).and_then(Value::as_str);
    match broadcast.event.as_str() {
        "node-failure" => {
            let workers: Vec<_> = store
                .nodes()
                .filter(|n| {
                    !n.metadata
                        .labels
                        .contains_key("node-role.kubernetes.io/control-plane")
                })
                .collect();
            let named = param("node").and_then(|name| {
                workers
                    .iter()
                    .find(|n| n.metadata.name == name)
                    .map(|n| n.metadata.name.clone())
            });
            let ready = || {
                workers
                    .iter()
                    .find(|n| n.ready_status() == Some("True"))
                    .or(workers.first())
                    .map(|n| n.metadata.name.clone())
            };
            named
                .or_else(ready)
                .map(|node| format!("sim node fail {node}"))
        }
        "traffic-spike" => store
            .services()
            .find(|svc| {
                let ns = svc.metadata.namespace.as_deref().unwrap_or("default");
                !(ns == "kube-system" || (ns == "default" && svc.metadata.name == "kubernetes"))
            })
            .map(|svc| {
                let ns = svc.metadata.namespace.as_deref().unwrap_or("default");
                let name = &svc.metadata.name;
                if ns == "default" {
                    format!("sim traffic service/{name} spike 10x for 5m")
                } else {
                    format!("sim traffic service/{name} spike 10x for 5m -n {ns}")
                }
            }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::Scenario;

    fn broadcast(event: &str, params: Value) -> Broadcast {
        Broadcast {
            id: 1,
            event: event.into(),
            params,
            at: 0,
        }
    }

    fn dashboard() -> Dashboard {
        serde_json::from_value(json!({
            "workshop": {"id": "abc", "title": "T", "lessons": ["l1"], "preset": "default",
                "join_code": "ABCDEF", "created_at": 0},
            "lessons": [{"id": "l1", "title": "L1", "steps": 2, "questions": 1, "challenges": 0}],
            "students": [{"id": "s1", "name": "<b>Ana</b>", "joined_at": 1000, "last_active": null,
                "lessons": [{"lesson": "l1", "steps_done": 0, "questions_answered": 0,
                    "questions_correct": 0, "challenges_solved": 0, "time_seconds": 0.0}]}],
            "events": 0,
            "last_event_id": 4
        }))
        .expect("the dashboard's shape")
    }

    #[test]
    fn stuck_means_idle_five_minutes_and_not_finished() {
        let mut d = dashboard();
        let ana = d.students[0].clone();
        assert!(!d.stuck(&ana, 1000.0 + STUCK_AFTER_MS - 1.0));
        assert!(d.stuck(&ana, 1000.0 + STUCK_AFTER_MS), "idle since joining");
        // Progress resets the clock; only events newer than the dashboard count.
        assert!(!d.touch(&ProgressEvent {
            id: 4,
            student_id: "s1".into(),
            kind: "step".into(),
            at: 9_999_999,
        }));
        assert!(d.touch(&ProgressEvent {
            id: 5,
            student_id: "s1".into(),
            kind: "step".into(),
            at: 60_000,
        }));
        let ana = d.students[0].clone();
        assert_eq!(ana.last_active, Some(60_000));
        assert_eq!(ana.last_progress, Some(60_000));
        assert!(!d.stuck(&ana, 60_000.0 + STUCK_AFTER_MS - 1.0));
        assert!(d.stuck(&ana, 60_000.0 + STUCK_AFTER_MS));
        // Time on the page is activity, not progress: still stuck.
        assert!(d.touch(&ProgressEvent {
            id: 6,
            student_id: "s1".into(),
            kind: "time".into(),
            at: 60_000 + STUCK_AFTER_MS as i64,
        }));
        let ana = d.students[0].clone();
        assert_eq!(ana.last_active, Some(60_000 + STUCK_AFTER_MS as i64));
        assert_eq!(ana.last_progress, Some(60_000));
        assert!(d.stuck(&ana, 60_000.0 + STUCK_AFTER_MS));
        // A student who finished is never stuck.
        d.students[0].lessons[0].steps_done = 2;
        d.students[0].lessons[0].questions_answered = 1;
        let done = d.students[0].clone();
        assert!(d.finished(&done));
        assert!(!d.stuck(&done, 1e15));
    }

    #[test]
    fn joins_add_a_row_once() {
        let mut d = dashboard();
        let bo = JoinedStudent {
            id: "s2".into(),
            name: "Bo".into(),
            joined_at: 5,
        };
        d.add_student(bo.clone());
        d.add_student(bo);
        assert_eq!(d.students.len(), 2);
        assert_eq!(d.students[1].lessons[0].lesson, "l1");
        assert_eq!(d.students[0].name, "<b>Ana</b>", "names are kept as text");
    }

    #[test]
    fn stages_map_to_step_ids_and_reports_have_the_api_shape() {
        let lesson = &lessons::catalog()[0];
        let first = Report::for_stage(&lesson.id, 0).expect("a first step");
        assert_eq!(
            first.body(),
            json!({"kind": "step", "lesson": lesson.id, "item": lesson.steps[0].id, "value": null})
        );
        assert_eq!(Report::for_stage(&lesson.id, lesson.steps.len()), None);
        assert_eq!(Report::for_stage("no-such-lesson", 0), None);
        let answer = Report::Answer {
            lesson: "l".into(),
            question: "q".into(),
            correct: true,
        };
        assert_eq!(answer.body()["value"], json!({"correct": true}));
        assert!(!answer.idempotent());
        let challenge = Report::Challenge {
            lesson: "l".into(),
            challenge: "c".into(),
            solved: true,
        };
        assert_eq!(challenge.body()["value"], json!({"solved": true}));
        assert_eq!(challenge.lesson(), "l");
        assert!(!challenge.keepalive());
        let time = Report::Time {
            lesson: "l".into(),
            seconds: 60,
        };
        assert_eq!(
            time.body(),
            json!({"kind": "time", "lesson": "l", "item": "lesson", "value": 60})
        );
        assert_eq!(time.lesson(), "l");
        assert!(!time.idempotent(), "time adds up: every report counts");
        assert!(time.keepalive(), "a flush on leaving must outlive the page");
    }

    #[test]
    fn time_spent_reads_in_minutes_and_hours() {
        let d = dashboard();
        assert_eq!(d.students[0].lessons[0].time_seconds, 0.0);
        assert_eq!(d.students[0].last_progress, None, "absent means none");
        assert_eq!(format_time_spent(0.0), "0 min");
        assert_eq!(format_time_spent(f64::NAN), "0 min");
        assert_eq!(format_time_spent(12.0), "<1 min");
        assert_eq!(format_time_spent(60.0), "1 min");
        assert_eq!(format_time_spent(12.0 * 60.0 + 59.0), "12 min");
        assert_eq!(format_time_spent(3_599.0), "59 min");
        assert_eq!(format_time_spent(3_600.0), "1 h 00 min");
        assert_eq!(format_time_spent(3_600.0 + 5.0 * 60.0), "1 h 05 min");
        assert_eq!(format_time_spent(26.0 * 3_600.0), "26 h 00 min");
    }

    #[test]
    fn broadcasts_become_commands_that_run() {
        let scenario = Scenario::named("default").expect("default scenario");
        let mut sim = Simulation::new(&scenario);
        let fail = broadcast_command(&broadcast("node-failure", json!({})), &sim)
            .expect("a worker to fail");
        assert!(fail.starts_with("sim node fail worker-"), "{fail}");
        let named = broadcast_command(
            &broadcast("node-failure", json!({"node": "worker-2"})),
            &sim,
        );
        assert_eq!(named.as_deref(), Some("sim node fail worker-2"));
        let unknown = broadcast_command(&broadcast("node-failure", json!({"node": "nope"})), &sim);
        assert_eq!(unknown, Some(fail.clone()));
        assert_eq!(
            broadcast_command(&broadcast("bad-image", json!({})), &sim),
            None
        );
        assert_eq!(
            broadcast_command(&broadcast("traffic-spike", json!({})), &sim),
            None,
            "no service of the learner's yet"
        );
        sim.run(&fail).expect("the node-failure command runs");

        // With a Service and traffic (the services lesson's manifest), the spike applies.
        let lesson = lessons::find("services").expect("the services lesson");
        let base = Scenario::named(&lesson.scenario.scenario).expect("its scenario");
        let mut workspace = base.workspace.clone();
        for (path, contents) in &lesson.scenario.files {
            workspace.insert(path, contents.clone());
        }
        let mut sim = Simulation::new(&base.with_workspace(workspace));
        for line in [
            "kubectl apply -f web.yaml",
            "sim advance 1m",
            "sim traffic service/web 100",
        ] {
            sim.run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
        let spike = broadcast_command(&broadcast("traffic-spike", json!({})), &sim)
            .expect("a service to spike");
        assert_eq!(spike, "sim traffic service/web spike 10x for 5m");
        sim.run(&spike).expect("the spike command runs");

        let empty = Simulation::new(&Scenario::named("empty").expect("empty scenario"));
        assert_eq!(
            broadcast_command(&broadcast("node-failure", json!({})), &empty),
            None
        );
        assert!(broadcast_message("node-failure").contains("a node just died"));
    }
}
