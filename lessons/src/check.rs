//! Headless validation: replays each lesson in the simulator and reports everything a
//! learner would trip over. A lesson is only as good as its consistency with the model,
//! so this is what `shipshape lessons check` and CI run.

use crate::catalog::{catalog, file_of, load_errors};
use crate::grade::correct_choices;
use crate::schema::{Answer, Challenge, Lesson, Question, QuestionKind};
use simulator::event::Component;
use simulator::{Scenario, Simulation, Workspace};
use std::collections::{BTreeMap, BTreeSet};

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

/// Highlight names the player knows besides the simulator's components
/// (`simulator::Component::ALL`): parts of the diagrams that emit no events of their own.
/// A highlight may also name an object as the event log shows it (`node/worker-1`).
pub const EXTRA_HIGHLIGHTS: &[&str] = &[
    "coredns",
    "metrics-server",
    "load-balancer",
    "ecr",
    "ecs",
    "eks",
    "fargate",
    "ci",
    "git",
];

/// Whether a step may highlight `name`: a component, an [`EXTRA_HIGHLIGHTS`] entry or an
/// object reference (`TYPE/NAME`).
pub fn is_known_highlight(name: &str) -> bool {
    Component::ALL.iter().any(|c| c.name() == name)
        || EXTRA_HIGHLIGHTS.contains(&name)
        || name
            .split_once('/')
            .is_some_and(|(kind, rest)| !kind.is_empty() && !rest.is_empty())
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
    for path in lesson.scenario.files.keys() {
        if Workspace::normalize(path).is_none_or(|p| p.is_empty()) {
            problems.push(format!(
                "scenario file `{path}` is not a path inside the workspace"
            ));
        }
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
    duplicates(
        "tracker row",
        lesson.tracker.iter().map(|r| r.name.as_str()),
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
        if lesson.step_index(&moment.step).is_none() {
            problems.push(format!(
                "key moment refers to unknown step `{}`",
                moment.step
            ));
        }
    }

    for step in &lesson.steps {
        if step.narration.trim().is_empty() {
            problems.push(format!("step `{}` has no narration", step.id));
        }
        if step.learner_types && step.command.is_none() {
            problems.push(format!(
                "step `{}` asks the learner to type a command but has no `command`",
                step.id
            ));
        }
        for name in &step.highlight {
            if !is_known_highlight(name) {
                let mut known: Vec<&str> = Component::ALL.iter().map(|c| c.name()).collect();
                known.extend(EXTRA_HIGHLIGHTS);
                problems.push(format!(
                    "step `{}` highlights `{name}`, which is not a component (known: {}, or TYPE/NAME of an object)",
                    step.id,
                    known.join(", ")
                ));
            }
        }
    }

    for row in &lesson.tracker {
        if let Err(error) = row.query.validate() {
            problems.push(format!("tracker row `{}`: {error}", row.name));
        }
    }

    for question in &lesson.quiz {
        check_question(lesson, question, problems);
    }

    for challenge in &lesson.challenges {
        let id = &challenge.id;
        if challenge.goals.is_empty() {
            problems.push(format!("challenge `{id}` has no goals"));
        }
        if challenge.solution.is_empty() {
            problems.push(format!("challenge `{id}` has no reference solution"));
        }
        for (n, goal) in challenge.goals.iter().enumerate() {
            if let Err(error) = goal.query.validate() {
                problems.push(format!(
                    "challenge `{id}`: goal {} (`{}`): {error}",
                    n + 1,
                    goal.description
                ));
            }
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

fn check_question(lesson: &Lesson, question: &Question, problems: &mut Vec<String>) {
    let id = &question.id;
    let n = question.choices.len();
    if n < 2 {
        problems.push(format!("question `{id}` needs at least two choices"));
    }
    duplicates(
        &format!("question `{id}` choice"),
        question.choices.iter().map(|c| c.trim()),
        problems,
    );
    if question.hints.iter().all(|h| h.trim().is_empty()) {
        problems.push(format!("question `{id}` has no hint"));
    }
    if question.explanation.trim().is_empty() {
        problems.push(format!("question `{id}` has no explanation"));
    }

    match (question.kind, &question.after_step) {
        (QuestionKind::Prediction, None) => problems.push(format!(
            "question `{id}` is a prediction but names no `after_step`"
        )),
        (QuestionKind::Prediction, Some(step)) if lesson.step_index(step).is_none() => problems
            .push(format!(
                "question `{id}`: prediction refers to unknown step `{step}`"
            )),
        (kind, Some(_)) if kind != QuestionKind::Prediction => problems.push(format!(
            "question `{id}` has `after_step` but is a {kind} question (only predictions have one)"
        )),
        _ => {}
    }

    match (&question.answer, question.kind) {
        (Answer::Order(order), QuestionKind::Ordering) => {
            let mut sorted = order.clone();
            sorted.sort_unstable();
            if sorted != (0..n).collect::<Vec<_>>() {
                problems.push(format!(
                    "question `{id}`: the order {order:?} is not a permutation of the {n} choices (each index 0..{} exactly once)",
                    n.saturating_sub(1)
                ));
            }
        }
        (_, QuestionKind::Ordering) => problems.push(format!(
            "question `{id}` is an ordering question; its answer must be `order: [indexes]`"
        )),
        (Answer::Order(_), kind) => problems.push(format!(
            "question `{id}` is a {kind} question; `order` is only for ordering questions"
        )),
        (Answer::Choice(indexes), kind) => {
            let distinct: BTreeSet<usize> = indexes.iter().copied().collect();
            if let Some(bad) = distinct.iter().find(|&&i| i >= n) {
                problems.push(format!(
                    "question `{id}` marks choice {bad} correct, but it has only {n} choices (indexes start at 0)"
                ));
            }
            match (kind, distinct.len()) {
                (_, 0) => problems.push(format!("question `{id}` marks no choice correct")),
                (QuestionKind::Single | QuestionKind::Prediction, k) if k > 1 => problems.push(
                    format!("question `{id}` is a {kind} question but marks {k} choices correct"),
                ),
                _ => {}
            }
        }
        (Answer::Computed(query), _) => {
            if let Err(error) = query.validate() {
                problems.push(format!("question `{id}`: computed answer: {error}"));
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

/// Starts the lesson's simulation (scenario, seed, files) and runs its set-up commands.
/// `None` (with a problem) if the scenario doesn't exist.
fn start(lesson: &Lesson, problems: &mut Vec<String>) -> Option<Simulation> {
    let Some(scenario) = lesson.scenario.build() else {
        problems.push(format!(
            "scenario `{}` does not exist (known: {})",
            lesson.scenario.scenario,
            Scenario::names().join(", ")
        ));
        return None;
    };
    let mut sim = Simulation::new(&scenario);
    for line in &lesson.scenario.setup {
        if let Err(error) = sim.run(line) {
            problems.push(format!("set-up command `{line}` failed: {error}"));
        }
    }
    Some(sim)
}

/// The player shows every tracker row after every step; evaluating them here proves
/// that each query can be answered in each state the learner will see. A row that fails
/// is reported once.
fn evaluate_tracker(
    lesson: &Lesson,
    sim: &Simulation,
    failed: &mut BTreeSet<usize>,
    problems: &mut Vec<String>,
) {
    for (index, row) in lesson.tracker.iter().enumerate() {
        if let Err(error) = row.query.try_answer(sim)
            && failed.insert(index)
        {
            problems.push(format!("tracker row `{}`: {error}", row.name));
        }
    }
}

fn check_replay(lesson: &Lesson, problems: &mut Vec<String>) {
    let Some(mut sim) = start(lesson, problems) else {
        return;
    };
    // States that questions are marked against, by the number of steps run.
    let wanted: BTreeSet<usize> = lesson
        .quiz
        .iter()
        .map(|q| lesson.steps_before_answer(q))
        .chain(
            lesson
                .challenges
                .iter()
                .any(|c| c.from_scenario)
                .then_some(0),
        )
        .collect();
    let mut states: BTreeMap<usize, Simulation> = BTreeMap::new();
    let mut failed_rows = BTreeSet::new();
    evaluate_tracker(lesson, &sim, &mut failed_rows, problems);
    if wanted.contains(&0) {
        states.insert(0, sim.clone());
    }
    for (index, step) in lesson.steps.iter().enumerate() {
        if let Some(line) = &step.command
            && let Err(error) = sim.run(line)
        {
            problems.push(format!(
                "step `{}`: command `{line}` failed: {error}",
                step.id
            ));
        }
        evaluate_tracker(lesson, &sim, &mut failed_rows, problems);
        if wanted.contains(&(index + 1)) {
            states.insert(index + 1, sim.clone());
        }
    }

    for question in &lesson.quiz {
        if let Answer::Computed(query) = &question.answer {
            let at = lesson.steps_before_answer(question);
            let state = states.get(&at).unwrap_or(&sim);
            let value = state.query(query);
            let matches = correct_choices(question, state);
            if matches.len() != 1 {
                let when = match at {
                    0 => "before the first step".to_string(),
                    n if question.kind != QuestionKind::Prediction => {
                        debug_assert_eq!(n, lesson.steps.len());
                        "at the end of the walkthrough".to_string()
                    }
                    n => format!("after step `{}`", lesson.steps[n - 1].id),
                };
                problems.push(format!(
                    "question `{}`: the simulation's answer {when} is `{value}`, which matches {} of the choices [{}]; exactly one must match",
                    question.id,
                    matches.len(),
                    question.choices.join(", ")
                ));
            }
        }
    }

    for challenge in &lesson.challenges {
        // Each challenge starts, independently, from the end of the walkthrough or from
        // the lesson's starting state.
        let mut sim = match challenge.from_scenario {
            true => states.get(&0).cloned().unwrap_or_else(|| sim.clone()),
            false => sim.clone(),
        };
        check_challenge(challenge, &mut sim, problems);
    }
}

fn check_challenge(challenge: &Challenge, sim: &mut Simulation, problems: &mut Vec<String>) {
    let id = &challenge.id;
    for line in &challenge.setup {
        if let Err(error) = sim.run(line) {
            problems.push(format!(
                "challenge `{id}`: set-up command `{line}` failed: {error}"
            ));
        }
    }
    if !challenge.goals.is_empty() && challenge.goals.iter().all(|g| g.evaluate(sim).passed) {
        problems.push(format!(
            "challenge `{id}`: every goal is already met before the solution runs, so the goals check nothing"
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
        let outcome = goal.evaluate(sim);
        if !outcome.passed {
            problems.push(format!(
                "challenge `{id}`: after the solution, goal {}",
                outcome.detail
            ));
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

    /// A sound lesson using every feature; the tests below break it one way at a time.
    const SOUND: &str = r#"
id: sample
title: Sample
track: kubernetes
level: beginner
minutes: 3
objectives: [Deploy a web server]
scenario:
  scenario: default
  seed: 7
  files:
    web.yaml: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: { app: web }
        template:
          metadata:
            labels: { app: web }
          spec:
            containers:
            - name: nginx
              image: nginx:1.27
  setup: [sim advance 1s]
steps:
  - id: apply
    title: Apply
    narration: Apply the manifest.
    command: kubectl apply -f web.yaml
    learner_types: true
    highlight: [kube-apiserver, coredns, deployment/web]
  - id: wait
    title: Wait
    narration: Let the pods start.
    command: sim advance 30s
tracker:
  - name: Ready
    query: { kind: deployment_ready, deployment: web }
key_moments:
  - step: apply
    text: The API server stores the Deployment.
quiz:
  - id: next
    prompt: How many pods will be Running after 30 seconds?
    kind: prediction
    after_step: apply
    choices: ["0", "1", "2"]
    answer: { computed: { kind: pods_matching, selector: app=web, status: Running } }
    hints: [Count the replicas., Look at spec.replicas.]
    explanation: Two replicas, both Running.
  - id: order
    prompt: Put the life of a pod in order.
    kind: ordering
    choices: [the scheduler binds it, the API server stores it, the kubelet starts it]
    answer: { order: [1, 0, 2] }
    hint: Nothing happens before the object is stored.
    explanation: Store, bind, start.
challenges:
  - id: scale
    title: Scale up
    setup: [kubectl scale deployment/web --replicas=1, sim advance 10s]
    goals:
      - description: three ready replicas
        query: { kind: deployment_ready, deployment: web }
        value: 3/3
    hints: [kubectl scale]
    solution: [kubectl scale deployment/web --replicas=3, sim advance 30s]
    disabled_commands: [kubectl edit]
  - id: fresh
    title: From the start
    from_scenario: true
    goals:
      - description: the deployment exists
        query: { kind: objects, resource: deployments }
        value: 1
    solution: [kubectl apply -f web.yaml]
"#;

    fn problems_of(yaml: &str) -> Vec<String> {
        let lesson = parse(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        check_lesson(&lesson).problems
    }

    /// The problems of SOUND with `from` replaced by `to` (which must occur).
    fn broken(from: &str, to: &str) -> Vec<String> {
        assert!(SOUND.contains(from), "{from}");
        problems_of(&SOUND.replacen(from, to, 1))
    }

    fn has(problems: &[String], needle: &str) -> bool {
        problems.iter().any(|p| p.contains(needle))
    }

    #[test]
    fn the_sound_lesson_is_clean() {
        assert_eq!(problems_of(SOUND), Vec::<String>::new());
    }

    #[test]
    fn each_kind_of_mistake_is_reported() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "- step: apply",
                "- step: nowhere",
                "key moment refers to unknown step `nowhere`",
            ),
            (
                "after_step: apply",
                "after_step: nowhere",
                "question `next`: prediction refers to unknown step `nowhere`",
            ),
            (
                "    after_step: apply\n",
                "",
                "question `next` is a prediction but names no `after_step`",
            ),
            (
                "kind: ordering",
                "kind: ordering\n    after_step: apply",
                "question `order` has `after_step` but is a ordering question",
            ),
            (
                "order: [1, 0, 2]",
                "order: [1, 1, 2]",
                "question `order`: the order [1, 1, 2] is not a permutation of the 3 choices",
            ),
            (
                "order: [1, 0, 2]",
                "order: [1, 0]",
                "question `order`: the order [1, 0] is not a permutation",
            ),
            (
                "order: [1, 0, 2]",
                "choice: [1]",
                "question `order` is an ordering question; its answer must be `order: [indexes]`",
            ),
            (
                "kind: ordering",
                "kind: multiple",
                "question `order` is a multiple question; `order` is only for ordering questions",
            ),
            (
                "kind: ordering\n    choices: [the scheduler binds it, the API server stores it, the kubelet starts it]\n    answer: { order: [1, 0, 2] }",
                "kind: single\n    choices: [a, b]\n    answer: { choice: [5] }",
                "question `order` marks choice 5 correct, but it has only 2 choices",
            ),
            (
                "kind: ordering\n    choices: [the scheduler binds it, the API server stores it, the kubelet starts it]\n    answer: { order: [1, 0, 2] }",
                "kind: single\n    choices: [a, b]\n    answer: { choice: [0, 1] }",
                "question `order` is a single question but marks 2 choices correct",
            ),
            (
                r#"choices: ["0", "1", "2"]"#,
                r#"choices: ["0", "1", "3"]"#,
                "question `next`: the simulation's answer after step `wait` is `2`, which matches 0 of the choices [0, 1, 3]",
            ),
            (
                "answer: { computed: { kind: pods_matching, selector: app=web, status: Running } }",
                "answer: { computed: { kind: pods_matching, selector: 'app in (' } }",
                "question `next`: computed answer: selector `app in (`",
            ),
            (
                "highlight: [kube-apiserver,",
                "highlight: [flux-capacitor,",
                "step `apply` highlights `flux-capacitor`, which is not a component",
            ),
            (
                "minutes: 3\n",
                "minutes: 3\nprerequisites: [no-such-lesson]\n",
                "prerequisite `no-such-lesson` is not a lesson",
            ),
            ("- id: wait", "- id: apply", "step id `apply` is used twice"),
            (
                "- id: order",
                "- id: next",
                "question id `next` is used twice",
            ),
            (
                "- id: fresh",
                "- id: scale",
                "challenge id `scale` is used twice",
            ),
            (
                "disabled_commands: [kubectl edit]",
                "disabled_commands: [kubectl scale]",
                "challenge `scale`: solution uses the disabled command `kubectl scale deployment/web --replicas=3`",
            ),
            (
                "query: { kind: objects, resource: deployments }\n        value: 1",
                "query: { kind: nodes }\n        value: 4",
                "challenge `fresh`: every goal is already met before the solution runs, so the goals check nothing",
            ),
            (
                "solution: [kubectl scale deployment/web --replicas=3, sim advance 30s]",
                "solution: [kubectl scale deployment/web --replicas=2, sim advance 30s]",
                "challenge `scale`: after the solution, goal not met: three ready replicas — deployment/web has 2/2 ready replicas; goal: 3/3",
            ),
            (
                "setup: [kubectl scale deployment/web --replicas=1, sim advance 10s]",
                "setup: [kubectl scale deployment/nope --replicas=1]",
                "challenge `scale`: set-up command `kubectl scale deployment/nope --replicas=1` failed",
            ),
            (
                "solution: [kubectl apply -f web.yaml]",
                "solution: [kubectl apply -f missing.yaml]",
                "challenge `fresh`: solution command `kubectl apply -f missing.yaml` failed",
            ),
            (
                "query: { kind: objects, resource: deployments }",
                "query: { kind: objects, resource: widgets }",
                "challenge `fresh`: goal 1 (`the deployment exists`): `widgets` is not a resource type",
            ),
            (
                "query: { kind: deployment_ready, deployment: web }\nkey_moments",
                "query: { kind: object_field, object: web, path: spec }\nkey_moments",
                "tracker row `Ready`: object `web` must be TYPE/NAME",
            ),
            (
                "command: sim advance 30s",
                "command: sim frobnicate",
                "step `wait`: command `sim frobnicate` failed",
            ),
            (
                "command: sim advance 30s",
                "learner_types: true",
                "step `wait` asks the learner to type a command but has no `command`",
            ),
            (
                "setup: [sim advance 1s]",
                "setup: [kubectl delete deployment web]",
                "set-up command `kubectl delete deployment web` failed",
            ),
            (
                "    web.yaml: |",
                "    ../web.yaml: x\n    web.yaml: |",
                "scenario file `../web.yaml` is not a path inside the workspace",
            ),
            (
                "scenario: default",
                "scenario: atlantis",
                "scenario `atlantis` does not exist",
            ),
            (
                "hints: [Count the replicas., Look at spec.replicas.]",
                "hints: []",
                "question `next` has no hint",
            ),
        ];
        for (from, to, expected) in cases {
            let problems = broken(from, to);
            assert!(
                has(&problems, expected),
                "replacing {from:?} by {to:?}: expected {expected:?} in {problems:#?}"
            );
        }
    }

    #[test]
    fn a_misspelt_key_does_not_parse() {
        for (from, to) in [
            ("learner_types: true", "learner_typed: true"),
            ("after_step: apply", "after: apply"),
            ("from_scenario: true", "fresh: true"),
            (
                "answer: { order: [1, 0, 2] }",
                "answer: { ordr: [1, 0, 2] }",
            ),
            ("kind: ordering", "kind: sorting"),
            (
                "query: { kind: deployment_ready, deployment: web }",
                "query: { kind: deployment_ready, deploymnt: web }",
            ),
        ] {
            let error = parse(&SOUND.replacen(from, to, 1)).unwrap_err();
            assert!(!error.is_empty(), "{to}");
        }
    }

    #[test]
    fn the_readme_example_is_a_sound_lesson() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("```yaml\n")
            .expect("the README has a YAML example")
            + 8;
        let end = start + readme[start..].find("```").expect("the example ends");
        assert_eq!(problems_of(&readme[start..end]), Vec::<String>::new());
    }

    #[test]
    fn highlights_accept_components_extras_and_objects() {
        assert!(is_known_highlight("kubelet"));
        assert!(is_known_highlight("ecr"));
        assert!(is_known_highlight("node/worker-1"));
        assert!(!is_known_highlight("flux-capacitor"));
        assert!(!is_known_highlight("node/"));
    }
}
