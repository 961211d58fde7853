//! `results.csv`: one row per student × lesson, for a spreadsheet.
//!
//! Fields are quoted per RFC 4180 when they hold a comma, quote, CR or LF (quotes
//! doubled). Student-chosen text that a spreadsheet would run as a formula (starting with
//! `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`, the usual guard against CSV
//! injection. Times are RFC 3339 in UTC.

use std::fmt::Write as _;

use super::dashboard::Dashboard;

/// The header row's columns.
pub const COLUMNS: &[&str] = &[
    "student_id",
    "student_name",
    "joined_at",
    "lesson",
    "steps_done",
    "steps_total",
    "questions_answered",
    "questions_correct",
    "questions_total",
    "challenges_solved",
    "challenges_total",
    "time_seconds",
    "last_active",
];

/// One CSV field, escaped.
pub fn field(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// Milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

/// The whole file, CRLF line endings, header first.
pub fn results(dashboard: &Dashboard) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for student in &dashboard.students {
        for (progress, totals) in student.lessons.iter().zip(&dashboard.lessons) {
            let cells = [
                field(&student.id),
                field(&student.name),
                rfc3339(student.joined_at),
                field(&progress.lesson),
                progress.steps_done.to_string(),
                totals.steps.to_string(),
                progress.questions_answered.to_string(),
                progress.questions_correct.to_string(),
                totals.questions.to_string(),
                progress.challenges_solved.to_string(),
                totals.challenges.to_string(),
                progress.time_seconds.to_string(),
                student.last_active.map(rfc3339).unwrap_or_default(),
            ];
            let _ = write!(out, "{}\r\n", cells.join(","));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("Ana"), "Ana");
        assert_eq!(field("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("@sum"), "'@sum");
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(1_700_000_000_000), "2023-11-14T22:13:20.000Z");
    }
}
