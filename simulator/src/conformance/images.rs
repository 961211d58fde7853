//! `images.json` (topic `container-images`): Dockerfile parsing, heredocs and digests, run
//! through [`crate::image::conformance::run_case`], which calls the same parser and digest
//! code the image builder uses and compares with `expected` itself.

use super::{Outcome, Report, run_cases_with};
use crate::image::conformance::run_case;
use serde_json::Value;

/// Runs every case of an `images.json`-style file.
pub fn run_vectors(json: &str) -> Result<Report, String> {
    run_cases_with(json, adapt)
}

/// One case: `Unknown` for kinds that are not image kinds, else the runner's verdict.
pub(crate) fn adapt(kind: &str, input: &Value, expected: &Value) -> Result<Outcome, String> {
    Ok(match run_case(kind, input, expected) {
        None => Outcome::Unknown,
        Some(verdict) => Outcome::Verdict(verdict),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_cases_pass_fail_and_skip() {
        let json = r#"{"topic":"container-images","version":1,"cases":[
            {"id":"d1","kind":"digest","source":"s","input":{"bytes":"a"},
             "expected":{"digest":"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb","size":1}},
            {"id":"d2","kind":"digest","source":"s","input":{"bytes":"a"},"expected":{"size":2}},
            {"id":"e1","kind":"fargateTaskSize","source":"s","input":{},"expected":{}}]}"#;
        let r = run_vectors(json).unwrap();
        assert_eq!((r.passed, r.failed, r.skipped), (1, 1, 1), "{:?}", r.lines);
        assert_eq!(r.lines[0], "PASS d1");
        assert_eq!(r.lines[1], "FAIL d2: expected size 2, got 1");
        assert_eq!(r.lines[2], "SKIP e1: unknown kind fargateTaskSize");
    }
}
