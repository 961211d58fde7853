//! The built-in lessons, embedded at compile time and parsed once on first use.

use crate::schema::Lesson;
use std::fmt;
use std::sync::OnceLock;

/// Every lesson file: (file name, contents). Order here is catalog order.
const SOURCES: &[(&str, &str)] = &[
    (
        "local-to-cloud.yaml",
        include_str!("../content/local-to-cloud.yaml"),
    ),
    (
        "docker-architecture.yaml",
        include_str!("../content/docker-architecture.yaml"),
    ),
    (
        "images-and-layers.yaml",
        include_str!("../content/images-and-layers.yaml"),
    ),
    (
        "registries.yaml",
        include_str!("../content/registries.yaml"),
    ),
    (
        "meet-the-cluster.yaml",
        include_str!("../content/meet-the-cluster.yaml"),
    ),
    (
        "life-of-an-apply.yaml",
        include_str!("../content/life-of-an-apply.yaml"),
    ),
    (
        "desired-state.yaml",
        include_str!("../content/desired-state.yaml"),
    ),
    (
        "scheduling.yaml",
        include_str!("../content/scheduling.yaml"),
    ),
    ("services.yaml", include_str!("../content/services.yaml")),
    (
        "rolling-updates.yaml",
        include_str!("../content/rolling-updates.yaml"),
    ),
    (
        "autoscaling.yaml",
        include_str!("../content/autoscaling.yaml"),
    ),
    (
        "aws-container-services.yaml",
        include_str!("../content/aws-container-services.yaml"),
    ),
    (
        "ecs-vs-eks.yaml",
        include_str!("../content/ecs-vs-eks.yaml"),
    ),
];

/// A lesson file that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file under `lessons/content/`.
    pub file: String,
    /// The parser's message, with line and column.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for LoadError {}

struct Loaded {
    lessons: Vec<Lesson>,
    errors: Vec<LoadError>,
}

fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| {
        let mut lessons = Vec::new();
        let mut errors = Vec::new();
        for (file, text) in SOURCES {
            match parse(text) {
                Ok(lesson) => lessons.push(lesson),
                Err(message) => errors.push(LoadError {
                    file: (*file).to_owned(),
                    message,
                }),
            }
        }
        Loaded { lessons, errors }
    })
}

/// Parses one lesson from YAML; the error names the line and column.
pub fn parse(yaml: &str) -> Result<Lesson, String> {
    serde_yaml_ng::from_str(yaml).map_err(|error| error.to_string())
}

/// Every built-in lesson that parsed, in catalog order. A file that fails to parse is
/// left out here and reported by [`load_errors`] and [`crate::check_all`], so one bad
/// file can't take the whole app down.
pub fn catalog() -> &'static [Lesson] {
    &loaded().lessons
}

/// The built-in lesson files that failed to parse (empty in a healthy build).
pub fn load_errors() -> &'static [LoadError] {
    &loaded().errors
}

/// The lesson with this id.
pub fn find(id: &str) -> Option<&'static Lesson> {
    catalog().iter().find(|lesson| lesson.id == id)
}

/// The content file name of each built-in lesson, by id (for checking that they agree).
pub(crate) fn file_of(id: &str) -> Option<&'static str> {
    let index = catalog().iter().position(|lesson| lesson.id == id)?;
    // Lessons parse in SOURCES order; skip the files that failed to count the position.
    SOURCES
        .iter()
        .map(|(file, _)| *file)
        .filter(|file| !load_errors().iter().any(|e| e.file == *file))
        .nth(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_lesson_parses() {
        assert_eq!(load_errors(), &[] as &[LoadError]);
        assert_eq!(catalog().len(), SOURCES.len());
    }

    #[test]
    fn find_by_id() {
        let lesson = find("meet-the-cluster").expect("the first lesson exists");
        assert_eq!(lesson.title, "Meet the cluster");
        assert!(find("no-such-lesson").is_none());
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let error = parse("id: x\ntitel: typo\n").unwrap_err();
        assert!(error.contains("titel"), "{error}");
    }
}
