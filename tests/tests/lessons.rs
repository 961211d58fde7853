//! Every built-in lesson replays cleanly against the real simulator, and its computed
//! quiz answers grade as the lesson intends.

use simulator::{Scenario, Simulation};

#[test]
fn every_lesson_checks_clean() {
    for report in lessons::check_all() {
        assert!(report.is_ok(), "{}: {:#?}", report.id, report.problems);
    }
}

#[test]
fn computed_answers_grade_against_the_walkthrough_state() {
    for lesson in lessons::catalog() {
        let scenario = Scenario::named(&lesson.scenario.scenario)
            .unwrap()
            .with_seed(lesson.scenario.seed);
        let mut sim = Simulation::new(&scenario);
        let commands = lesson
            .scenario
            .setup
            .iter()
            .chain(lesson.steps.iter().filter_map(|s| s.command.as_ref()));
        for line in commands {
            sim.run(line).unwrap();
        }
        for question in &lesson.quiz {
            let right = lessons::correct_choices(question, &sim);
            assert!(
                lessons::grade(question, &right, &sim).correct,
                "{}",
                question.id
            );
            let wrong: Vec<usize> = (0..question.choices.len())
                .filter(|i| !right.contains(i))
                .take(1)
                .collect();
            let grade = lessons::grade(question, &wrong, &sim);
            assert!(!grade.correct, "{}", question.id);
            assert_eq!(grade.feedback, question.hint);
        }
    }
}
