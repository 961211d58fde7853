//! `shipshape lessons list|check`: the lesson catalog from the command line.

use serde::Serialize;

/// One row of `lessons list`: a lesson's metadata and how much it contains.
#[derive(Debug, Clone, Serialize)]
pub struct LessonSummary {
    /// Stable lesson id (also its URL slug).
    pub id: String,
    /// Human title.
    pub title: String,
    /// Track, e.g. `kubernetes`.
    pub track: String,
    /// Level, e.g. `beginner`.
    pub level: String,
    /// Estimated minutes.
    pub minutes: u32,
    /// Number of steps.
    pub steps: usize,
    /// Number of quiz questions.
    pub questions: usize,
    /// Number of challenges.
    pub challenges: usize,
}

/// Summaries of every lesson in catalog order.
pub fn summaries() -> Vec<LessonSummary> {
    lessons::catalog()
        .iter()
        .map(|lesson| LessonSummary {
            id: lesson.id.clone(),
            title: lesson.title.clone(),
            track: lesson.track.clone(),
            level: lesson.level.to_string(),
            minutes: lesson.minutes,
            steps: lesson.steps.len(),
            questions: lesson.quiz.len(),
            challenges: lesson.challenges.len(),
        })
        .collect()
}

/// The catalog as pretty JSON (an array of [`LessonSummary`]), newline-terminated.
pub fn list_json() -> String {
    // Serialising plain strings and integers cannot fail.
    let mut out = serde_json::to_string_pretty(&summaries()).unwrap_or_default();
    out.push('\n');
    out
}

/// The catalog as an aligned text table with a header row.
pub fn list_table() -> String {
    let header = [
        "ID",
        "TITLE",
        "TRACK",
        "LEVEL",
        "MINUTES",
        "STEPS",
        "QUESTIONS",
        "CHALLENGES",
    ]
    .map(String::from);
    let rows: Vec<[String; 8]> = summaries()
        .into_iter()
        .map(|s| {
            [
                s.id,
                s.title,
                s.track,
                s.level,
                s.minutes.to_string(),
                s.steps.to_string(),
                s.questions.to_string(),
                s.challenges.to_string(),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("   ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Runs [`lessons::check_all`] and renders one line per lesson, with each problem
/// indented below a failing one. The flag is true when every lesson is clean.
pub fn check() -> (String, bool) {
    let reports = lessons::check_all();
    let mut out = String::new();
    let mut clean = true;
    for report in &reports {
        if report.problems.is_empty() {
            out.push_str(&format!("ok  {} ({})\n", report.id, counts(report)));
        } else {
            clean = false;
            out.push_str(&format!(
                "FAIL {} ({} problem{})\n",
                report.id,
                report.problems.len(),
                plural(report.problems.len())
            ));
            for problem in &report.problems {
                out.push_str(&format!("     - {problem}\n"));
            }
        }
    }
    let failed = reports.iter().filter(|r| !r.problems.is_empty()).count();
    out.push_str(&format!(
        "{} lesson{} checked, {failed} with problems\n",
        reports.len(),
        plural(reports.len())
    ));
    (out, clean)
}

fn counts(report: &lessons::LessonReport) -> String {
    let mut parts = vec![
        format!("{} step{}", report.steps, plural(report.steps)),
        format!("{} question{}", report.questions, plural(report.questions)),
    ];
    if report.challenges > 0 {
        parts.push(format!(
            "{} challenge{}",
            report.challenges,
            plural(report.challenges)
        ));
    }
    parts.join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_a_header_and_one_row_per_lesson() {
        let table = list_table();
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("ID"), "{table}");
        assert_eq!(lines.len(), 1 + lessons::catalog().len());
        assert!(table.contains("meet-the-cluster"));
    }

    #[test]
    fn json_lists_every_lesson() {
        let value: serde_json::Value = serde_json::from_str(&list_json()).unwrap();
        assert_eq!(
            value.as_array().unwrap().len(),
            lessons::catalog().len(),
            "{value}"
        );
    }

    #[test]
    fn the_built_in_lessons_check_clean() {
        let (text, clean) = check();
        assert!(clean, "{text}");
        assert!(text.contains("ok  meet-the-cluster"), "{text}");
    }
}
