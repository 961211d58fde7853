//! Share links and session files: how a sandbox [`Session`] is written into a URL or a
//! JSON file and read back. Pure functions, no browser APIs, so all of it is unit-tested.
//!
//! - URL: `/sandbox?scenario=NAME&seed=N&j=JOURNAL&at=POS`, where `JOURNAL` is the
//!   command lines joined by `\n`, as UTF-8, in base64url without padding (RFC 4648 §5).
//!   `j` is left out for an empty journal and `at` when viewing the end.
//! - File: `{"format":"shipshape-session/v1","scenario":…,"seed":…,"journal":[…],"position":…}`.
//!
//! Everything read is size-capped and validated; bad input is an error to show, never a
//! panic.

use serde::{Deserialize, Serialize};

use simulator::base64::{self, Alphabet};

use crate::state::{DEFAULT_SCENARIO, Session};

/// The `format` tag of an exported session file.
pub const SESSION_FORMAT: &str = "shipshape-session/v1";

/// The name an exported session downloads as.
pub const SESSION_FILE_NAME: &str = "shipshape-session.json";

/// Largest journal a link or file may carry, in bytes of decoded text.
pub const MAX_JOURNAL_BYTES: usize = 64 * 1024;

/// Largest session file accepted (JSON escaping can double a journal's size).
pub const MAX_SESSION_FILE_BYTES: usize = 4 * MAX_JOURNAL_BYTES;

/// Why a link or file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The journal is bigger than [`MAX_JOURNAL_BYTES`] (or the file than its cap).
    TooLarge {
        /// What was too large ("journal" or "file").
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A character outside base64url, a `=` before the end, or a length base64 cannot have.
    BadEncoding(String),
    /// The decoded journal is not UTF-8 text.
    NotText,
    /// The file is not JSON of the expected shape.
    BadJson(String),
    /// The file's `format` is not [`SESSION_FORMAT`].
    WrongFormat(String),
    /// The scenario does not exist.
    UnknownScenario(String),
    /// The position is past the journal's end.
    BadPosition {
        /// The position given.
        position: usize,
        /// Commands in the journal.
        len: usize,
    },
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareError::TooLarge { what, limit } => {
                write!(f, "the {what} is larger than {} KiB", limit / 1024)
            }
            ShareError::BadEncoding(why) => write!(f, "the journal is not valid base64url: {why}"),
            ShareError::NotText => f.write_str("the journal is not UTF-8 text"),
            ShareError::BadJson(why) => write!(f, "not a Shipshape session file: {why}"),
            ShareError::WrongFormat(format) => write!(
                f,
                "unsupported session format {format:?} (expected {SESSION_FORMAT:?})"
            ),
            ShareError::UnknownScenario(name) => {
                let known = simulator::Scenario::names().join(", ");
                write!(f, "unknown scenario {name:?} (known: {known})")
            }
            ShareError::BadPosition { position, len } => write!(
                f,
                "position {position} is past the end of the journal ({len} commands)"
            ),
        }
    }
}

impl std::error::Error for ShareError {}

/// `bytes` in base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    base64::encode(bytes, Alphabet::UrlSafe)
}

/// Decodes base64url; padding (`=`) is tolerated at the end, nothing else is.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, ShareError> {
    base64::decode(text, Alphabet::UrlSafe).map_err(|e| ShareError::BadEncoding(e.to_string()))
}

/// The `j` parameter for `lines`: joined by `\n`, base64url.
pub fn encode_journal(lines: &[String]) -> String {
    base64url_encode(lines.join("\n").as_bytes())
}

/// Reads a `j` parameter back into lines, refusing more than [`MAX_JOURNAL_BYTES`].
pub fn decode_journal(text: &str) -> Result<Vec<String>, ShareError> {
    // Checked before decoding so a huge parameter costs nothing.
    if text.len() > MAX_JOURNAL_BYTES.div_ceil(3) * 4 + 4 {
        return Err(ShareError::TooLarge {
            what: "journal",
            limit: MAX_JOURNAL_BYTES,
        });
    }
    let bytes = base64url_decode(text.trim())?;
    if bytes.len() > MAX_JOURNAL_BYTES {
        return Err(ShareError::TooLarge {
            what: "journal",
            limit: MAX_JOURNAL_BYTES,
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| ShareError::NotText)?;
    if text.is_empty() {
        return Ok(Vec::new());
    }
    Ok(text.split('\n').map(str::to_string).collect())
}

/// The query string (without `?`) of a link to `session`.
pub fn share_query(session: &Session) -> String {
    let mut query = format!("scenario={}&seed={}", session.scenario, session.seed);
    if !session.journal.is_empty() {
        query.push_str("&j=");
        query.push_str(&encode_journal(&session.journal));
    }
    if session.position < session.journal.len() {
        query.push_str(&format!("&at={}", session.position));
    }
    query
}

/// The sandbox path and query of a link to `session`.
pub fn sandbox_path(session: &Session) -> String {
    format!("/sandbox?{}", share_query(session))
}

/// What a sandbox URL asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRequest {
    /// The scenario (the caller falls back to the default when absent).
    pub scenario: Option<String>,
    /// The seed, if one was given and is a number.
    pub seed: Option<u64>,
    /// The journal; empty when absent or unreadable.
    pub journal: Vec<String>,
    /// The position; `None` means the end.
    pub at: Option<usize>,
    /// Why `j` could not be read, if it could not.
    pub error: Option<ShareError>,
}

impl LinkRequest {
    /// Reads the `scenario`, `seed`, `j` and `at` parameters (each as found in the URL).
    pub fn parse(
        scenario: Option<&str>,
        seed: Option<&str>,
        j: Option<&str>,
        at: Option<&str>,
    ) -> Self {
        let (journal, error) = match j.map(decode_journal) {
            None => (Vec::new(), None),
            Some(Ok(lines)) => (lines, None),
            Some(Err(e)) => (Vec::new(), Some(e)),
        };
        LinkRequest {
            scenario: scenario.map(|s| s.trim().to_string()),
            seed: seed.and_then(|s| s.trim().parse().ok()),
            journal,
            at: at.and_then(|s| s.trim().parse().ok()),
            error,
        }
    }

    /// The position this asks for, clamped to the journal.
    pub fn position(&self) -> usize {
        self.at
            .unwrap_or(self.journal.len())
            .min(self.journal.len())
    }

    /// The scenario and seed this starts from, after the fallbacks the page applies:
    /// an absent or unknown scenario is the default one, an absent seed its own.
    pub fn resolve(&self) -> (String, u64) {
        let named = self
            .scenario
            .as_deref()
            .and_then(simulator::Scenario::named);
        let scenario = named
            .or_else(|| simulator::Scenario::named(DEFAULT_SCENARIO))
            .unwrap_or_else(simulator::Scenario::default_scenario);
        let seed = self.seed.unwrap_or(scenario.seed);
        (scenario.name.to_string(), seed)
    }

    /// Whether this URL says exactly `session` (so writing the URL again is pointless).
    pub fn describes(&self, session: &Session) -> bool {
        self.error.is_none()
            && self.scenario.as_deref() == Some(session.scenario.as_str())
            && self.seed == Some(session.seed)
            && self.journal == session.journal
            && self.position() == session.position
    }

    /// Whether this URL asks for `session`'s run, wherever its position: then a
    /// change of URL is at most a seek, never a reload.
    pub fn same_run(&self, session: &Session) -> bool {
        let (scenario, seed) = self.resolve();
        scenario == session.scenario && seed == session.seed && self.journal == session.journal
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionFile {
    format: String,
    scenario: String,
    seed: u64,
    journal: Vec<String>,
    position: usize,
}

/// `session` as the exported file's JSON.
pub fn session_to_json(session: &Session) -> String {
    let file = SessionFile {
        format: SESSION_FORMAT.to_string(),
        scenario: session.scenario.clone(),
        seed: session.seed,
        journal: session.journal.clone(),
        position: session.position,
    };
    // A struct of strings and integers always serialises.
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// Reads and validates an exported session file: size, JSON shape, format tag, known
/// scenario, journal size and position. (Whether every line runs is found out by
/// replaying it.)
pub fn session_from_json(text: &str) -> Result<Session, ShareError> {
    if text.len() > MAX_SESSION_FILE_BYTES {
        return Err(ShareError::TooLarge {
            what: "file",
            limit: MAX_SESSION_FILE_BYTES,
        });
    }
    // The format tag first, so a newer file says so instead of failing on a field.
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ShareError::BadJson(e.to_string()))?;
    match value.get("format").and_then(serde_json::Value::as_str) {
        Some(SESSION_FORMAT) => {}
        Some(other) => return Err(ShareError::WrongFormat(other.to_string())),
        None => return Err(ShareError::BadJson("no \"format\" field".to_string())),
    }
    let file: SessionFile =
        serde_json::from_value(value).map_err(|e| ShareError::BadJson(e.to_string()))?;
    if simulator::Scenario::named(&file.scenario).is_none() {
        return Err(ShareError::UnknownScenario(file.scenario));
    }
    let bytes: usize = file.journal.iter().map(|l| l.len() + 1).sum();
    if bytes > MAX_JOURNAL_BYTES {
        return Err(ShareError::TooLarge {
            what: "journal",
            limit: MAX_JOURNAL_BYTES,
        });
    }
    if file.position > file.journal.len() {
        return Err(ShareError::BadPosition {
            position: file.position,
            len: file.journal.len(),
        });
    }
    Ok(Session {
        scenario: file.scenario,
        seed: file.seed,
        journal: file.journal,
        position: file.position,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            scenario: "default".into(),
            seed: 42,
            journal: vec![
                "kubectl get nodes".into(),
                "echo 'héllo ✓' > a.txt".into(),
                "sim advance 10s".into(),
            ],
            position: 2,
        }
    }

    #[test]
    fn base64url_matches_rfc_4648_vectors() {
        // RFC 4648 §10, without padding.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url_encode(plain.as_bytes()), encoded);
            assert_eq!(base64url_decode(encoded).unwrap(), plain.as_bytes());
        }
        // The URL-safe alphabet: 0xfb 0xff → "-_8".
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("-_8").unwrap(), [0xfb, 0xff]);
        assert_eq!(base64url_decode("Zm8=").unwrap(), b"fo");
    }

    #[test]
    fn every_byte_round_trips() {
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..bytes.len() {
            let text = base64url_encode(&bytes[..len]);
            assert!(!text.contains(['+', '/', '=']));
            assert_eq!(base64url_decode(&text).unwrap(), &bytes[..len]);
        }
    }

    #[test]
    fn bad_base64_is_an_error_not_a_panic() {
        assert!(matches!(
            base64url_decode("Zm9v!"),
            Err(ShareError::BadEncoding(_))
        ));
        assert!(matches!(
            base64url_decode("Z"),
            Err(ShareError::BadEncoding(_))
        ));
        assert!(matches!(
            base64url_decode("Zm+v"),
            Err(ShareError::BadEncoding(_))
        ));
        assert_eq!(decode_journal("_w"), Err(ShareError::NotText));
        let huge = "A".repeat(MAX_JOURNAL_BYTES * 2);
        assert!(matches!(
            decode_journal(&huge),
            Err(ShareError::TooLarge { .. })
        ));
    }

    #[test]
    fn links_round_trip() {
        let s = session();
        let query = share_query(&s);
        assert!(query.starts_with("scenario=default&seed=42&j="));
        assert!(query.ends_with("&at=2"));
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        };
        let req = LinkRequest::parse(param("scenario"), param("seed"), param("j"), param("at"));
        assert_eq!(req.error, None);
        assert_eq!(req.journal, s.journal);
        assert_eq!(req.position(), 2);
        assert_eq!(req.seed, Some(42));
        // At the end, and with nothing typed, the link stays short.
        let fresh = Session {
            journal: vec![],
            position: 0,
            ..session()
        };
        assert_eq!(sandbox_path(&fresh), "/sandbox?scenario=default&seed=42");
    }

    #[test]
    fn a_bad_link_keeps_the_scenario_and_reports() {
        let req = LinkRequest::parse(Some("eks"), Some("x"), Some("%%%"), Some("-1"));
        assert_eq!(req.scenario.as_deref(), Some("eks"));
        assert_eq!(req.seed, None);
        assert!(req.journal.is_empty());
        assert!(req.error.is_some());
        assert_eq!(req.position(), 0);
        let req = LinkRequest::parse(
            None,
            None,
            Some(&encode_journal(&session().journal)),
            Some("99"),
        );
        assert_eq!(req.position(), 3, "clamped");
    }

    #[test]
    fn links_resolve_like_the_page_and_compare_with_the_state() {
        let s = session();
        let req = LinkRequest::parse(
            Some("default"),
            Some("42"),
            Some(&encode_journal(&s.journal)),
            Some("2"),
        );
        assert!(req.describes(&s));
        assert!(req.same_run(&Session {
            position: 0,
            ..s.clone()
        }));
        assert!(!req.describes(&Session {
            position: 0,
            ..s.clone()
        }));
        assert!(!req.same_run(&Session {
            seed: 1,
            ..s.clone()
        }));
        let bare = LinkRequest::parse(None, None, None, None);
        let (name, seed) = bare.resolve();
        assert_eq!(name, DEFAULT_SCENARIO);
        assert_eq!(
            seed,
            simulator::Scenario::named(DEFAULT_SCENARIO).unwrap().seed
        );
        assert_eq!(
            LinkRequest::parse(Some("nope"), Some("3"), None, None).resolve(),
            (name, 3)
        );
        assert!(!bare.describes(&Session {
            journal: vec![],
            position: 0,
            ..s
        }));
    }

    #[test]
    fn files_round_trip_and_are_validated() {
        let s = session();
        let json = session_to_json(&s);
        assert!(json.contains("\"format\": \"shipshape-session/v1\""));
        assert_eq!(session_from_json(&json).unwrap(), s);

        let with = |from: &str, to: &str| session_from_json(&json.replace(from, to));
        assert!(matches!(
            with("shipshape-session/v1", "shipshape-session/v9"),
            Err(ShareError::WrongFormat(f)) if f == "shipshape-session/v9"
        ));
        assert!(matches!(
            with("\"default\"", "\"nope\""),
            Err(ShareError::UnknownScenario(_))
        ));
        assert!(matches!(
            with("\"position\": 2", "\"position\": 7"),
            Err(ShareError::BadPosition {
                position: 7,
                len: 3
            })
        ));
        assert!(matches!(
            with("\"seed\": 42", "\"seed\": \"42\""),
            Err(ShareError::BadJson(_))
        ));
        assert!(matches!(
            session_from_json("[1,2"),
            Err(ShareError::BadJson(_))
        ));
        assert!(matches!(
            session_from_json("{}"),
            Err(ShareError::BadJson(_))
        ));
        let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(MAX_SESSION_FILE_BYTES));
        assert!(matches!(
            session_from_json(&big),
            Err(ShareError::TooLarge { .. })
        ));
        let long = Session {
            journal: vec!["x".repeat(1000); 70],
            position: 0,
            ..session()
        };
        assert!(matches!(
            session_from_json(&session_to_json(&long)),
            Err(ShareError::TooLarge {
                what: "journal",
                ..
            })
        ));
    }
}
