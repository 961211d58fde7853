//! Field rules for workshop requests. Every failure is a 422 with a message that says
//! which field is wrong and what is allowed; nothing is stored until all fields pass.

use serde_json::Value;

use crate::error::ApiError;

use super::model::{ProgressKind, Workshop};

/// Longest workshop title, in characters.
pub const MAX_TITLE: usize = 120;
/// Longest display name, in characters (after trimming).
pub const MAX_NAME: usize = 40;
/// Most lessons in one workshop.
pub const MAX_LESSONS: usize = 20;
/// Longest progress `item`, in characters.
pub const MAX_ITEM: usize = 80;
/// Largest `value` or `params`, as compact JSON bytes.
pub const MAX_VALUE_BYTES: usize = 1024;
/// Largest `time` value in seconds: one report covers at most an hour.
pub const MAX_TIME_SECONDS: f64 = 3600.0;
/// The scenario events an instructor can push to students.
pub const BROADCAST_EVENTS: &[&str] = &["node-failure", "traffic-spike", "bad-image"];

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable(message.into())
}

/// Control characters and the invisible formatting characters (bidi overrides, zero-width
/// joiners) that could make one name look like another on the dashboard.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let value = value.trim();
    let length = value.chars().count();
    if length == 0 {
        return Err(invalid(format!("`{field}` must not be empty")));
    }
    if length > max {
        return Err(invalid(format!(
            "`{field}` is {length} characters long; at most {max} are allowed"
        )));
    }
    if value.chars().any(is_hidden) {
        return Err(invalid(format!(
            "`{field}` must not contain control or invisible formatting characters"
        )));
    }
    Ok(value.to_owned())
}

/// A workshop title: trimmed, 1–120 characters, printable.
pub fn title(value: &str) -> Result<String, ApiError> {
    text("title", value, MAX_TITLE)
}

/// A student's display name: trimmed, 1–40 characters, printable.
pub fn display_name(value: &str) -> Result<String, ApiError> {
    text("name", value, MAX_NAME)
}

/// A workshop's lessons: 1–20 distinct ids from the built-in catalog.
pub fn lessons(ids: &[String]) -> Result<Vec<String>, ApiError> {
    if ids.is_empty() {
        return Err(invalid("`lessons` must name at least one lesson"));
    }
    if ids.len() > MAX_LESSONS {
        return Err(invalid(format!(
            "`lessons` names {} lessons; at most {MAX_LESSONS} are allowed",
            ids.len()
        )));
    }
    for (index, id) in ids.iter().enumerate() {
        if lessons::find(id).is_none() {
            let known: Vec<&str> = lessons::catalog().iter().map(|l| l.id.as_str()).collect();
            return Err(invalid(format!(
                "`lessons[{index}]`: no lesson `{}`; known lessons: {}",
                id.chars().take(60).collect::<String>(),
                known.join(", ")
            )));
        }
        if ids[..index].contains(id) {
            return Err(invalid(format!("`lessons` lists `{id}` twice")));
        }
    }
    Ok(ids.to_vec())
}

/// A sandbox preset: a built-in scenario name; `default` when absent.
pub fn preset(value: Option<&str>) -> Result<String, ApiError> {
    let name = value.unwrap_or("default");
    if simulator::Scenario::names().contains(&name) {
        Ok(name.to_owned())
    } else {
        Err(invalid(format!(
            "`preset` must be one of: {}",
            simulator::Scenario::names().join(", ")
        )))
    }
}

fn small(field: &str, value: &Value) -> Result<(), ApiError> {
    let bytes = value.to_string().len();
    if bytes > MAX_VALUE_BYTES {
        return Err(invalid(format!(
            "`{field}` is {bytes} bytes of JSON; at most {MAX_VALUE_BYTES} are allowed"
        )));
    }
    Ok(())
}

/// A progress report from a student of `workshop`: the lesson must be one of the
/// workshop's, the item one of that lesson's steps, questions or challenges (any short
/// label for `time`), and the value must fit the kind.
pub fn progress(
    workshop: &Workshop,
    kind: ProgressKind,
    lesson: &str,
    item: &str,
    value: &Value,
) -> Result<(), ApiError> {
    if !workshop.lessons.iter().any(|l| l == lesson) {
        return Err(invalid(format!(
            "`lesson` must be one of this workshop's lessons: {}",
            workshop.lessons.join(", ")
        )));
    }
    let Some(found) = lessons::find(lesson) else {
        return Err(invalid(format!("`lesson`: no lesson `{lesson}`")));
    };
    small("value", value)?;
    let known = |what: &str, ids: Vec<&str>| -> Result<(), ApiError> {
        if ids.contains(&item) {
            Ok(())
        } else {
            Err(invalid(format!(
                "`item` must be a {what} id of lesson `{lesson}`: {}",
                ids.join(", ")
            )))
        }
    };
    match kind {
        ProgressKind::Step => known("step", found.steps.iter().map(|s| s.id.as_str()).collect()),
        ProgressKind::Answer => {
            known(
                "question",
                found.quiz.iter().map(|q| q.id.as_str()).collect(),
            )?;
            if !value.get("correct").is_some_and(Value::is_boolean) {
                return Err(invalid("an `answer` needs `value.correct`: true or false"));
            }
            Ok(())
        }
        ProgressKind::Challenge => {
            known(
                "challenge",
                found.challenges.iter().map(|c| c.id.as_str()).collect(),
            )?;
            if !value.get("solved").is_some_and(Value::is_boolean) {
                return Err(invalid("a `challenge` needs `value.solved`: true or false"));
            }
            Ok(())
        }
        ProgressKind::Time => {
            text("item", item, MAX_ITEM)?;
            match value.as_f64() {
                Some(seconds) if seconds > 0.0 && seconds <= MAX_TIME_SECONDS => Ok(()),
                _ => Err(invalid(format!(
                    "a `time` report needs `value`: seconds, more than 0 and at most {MAX_TIME_SECONDS}"
                ))),
            }
        }
    }
}

/// A broadcast: a known event and an optional JSON object of parameters.
pub fn broadcast(event: &str, params: Option<Value>) -> Result<Value, ApiError> {
    if !BROADCAST_EVENTS.contains(&event) {
        return Err(invalid(format!(
            "`event` must be one of: {}",
            BROADCAST_EVENTS.join(", ")
        )));
    }
    let params = params.unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    if !params.is_object() {
        return Err(invalid("`params` must be a JSON object"));
    }
    small("params", &params)?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(display_name("  Ana  ").unwrap(), "Ana");
        assert_eq!(display_name(&"é".repeat(40)).unwrap().chars().count(), 40);
        for bad in [
            "",
            "   ",
            &"x".repeat(41),
            "Ana\u{7}",
            "A\nB",
            "Ana\u{202E}",
        ] {
            let error = display_name(bad).unwrap_err();
            assert_eq!(error.status(), 422, "{bad:?}");
        }
        assert!(title(&"t".repeat(121)).is_err());
        assert!(title(&"t".repeat(120)).is_ok());
    }

    #[test]
    fn lessons_must_exist_be_distinct_and_few() {
        let first = lessons::catalog()[0].id.clone();
        assert!(lessons(std::slice::from_ref(&first)).is_ok());
        assert!(lessons(&[]).is_err());
        assert!(lessons(&[first.clone(), first.clone()]).is_err());
        assert!(lessons(&["no-such-lesson".into()]).is_err());
        assert!(lessons(&vec![first; 21]).is_err());
    }

    #[test]
    fn presets_are_scenarios() {
        assert_eq!(preset(None).unwrap(), "default");
        assert_eq!(preset(Some("eks")).unwrap(), "eks");
        assert!(preset(Some("mars")).is_err());
    }

    #[test]
    fn broadcasts_need_a_known_event_and_an_object() {
        assert!(broadcast("node-failure", None).unwrap().is_object());
        assert!(broadcast("meteor", None).is_err());
        assert!(broadcast("bad-image", Some(Value::from(3))).is_err());
    }
}
