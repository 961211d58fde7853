//! Every built-in lesson replays cleanly against the real simulator, and its computed
//! quiz answers grade as the lesson intends.

use simulator::Simulation;

#[test]
fn every_lesson_checks_clean() {
    for report in lessons::check_all() {
        assert!(report.is_ok(), "{}: {:#?}", report.id, report.problems);
    }
}

#[test]
fn computed_answers_grade_against_the_walkthrough_state() {
    for lesson in lessons::catalog() {
        let scenario = lesson
            .scenario
            .build()
            .expect("the lesson's scenario exists");
        for question in &lesson.quiz {
            // The state the question is marked in: the end of the walkthrough, or for a
            // prediction the step after the one it follows.
            let mut sim = Simulation::new(&scenario);
            let commands = lesson.scenario.setup.iter().chain(
                lesson
                    .steps
                    .iter()
                    .take(lesson.steps_before_answer(question))
                    .filter_map(|s| s.command.as_ref()),
            );
            for line in commands {
                sim.run(line).unwrap();
            }
            let right = lessons::correct_choices(question, &sim);
            assert!(
                lessons::grade(question, &right, &sim).correct,
                "{}",
                question.id
            );
            let wrong: Vec<usize> = if question.kind == lessons::QuestionKind::Ordering {
                right.iter().rev().copied().collect()
            } else {
                (0..question.choices.len())
                    .filter(|i| !right.contains(i))
                    .take(1)
                    .collect()
            };
            let grade = lessons::grade(question, &wrong, &sim);
            assert!(!grade.correct, "{}", question.id);
            assert_eq!(grade.feedback, question.hints[0]);
        }
    }
}
