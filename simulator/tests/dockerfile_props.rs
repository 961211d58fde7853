//! Property tests: the Dockerfile parser never panics, and every error names a line that
//! exists (the only line-less error is the documented whole-file one for an empty file:
//! `Dockerfile: the Dockerfile cannot be empty` / `Dockerfile: file with no instructions`).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use simulator::image::dockerfile::parser::{ParseError, parse};
use simulator::image::dockerfile::{Dockerfile, lint};

fn line_count(src: &str) -> usize {
    // Physical lines as BuildKit's scanner sees them (a trailing newline ends a line).
    src.split_inclusive('\n').count()
}

fn check_error(src: &str, e: &ParseError) {
    let text = e.to_string();
    match e.line {
        Some(l) => {
            assert!(
                l >= 1 && l <= line_count(src),
                "line {l} out of range for {src:?}: {text}"
            );
            assert!(text.starts_with(&format!("Dockerfile:{l}: ")), "{text}");
            if let Some(end) = e.end_line {
                assert!(end >= l && end <= line_count(src), "end {end} for {src:?}");
            }
        }
        None => {
            assert!(
                src.is_empty(),
                "line-less error for non-empty input {src:?}: {text}"
            );
            assert!(text.starts_with("Dockerfile: "), "{text}");
        }
    }
}

fn exercise(src: &str) {
    if let Err(e) = parse(src) {
        check_error(src, &e);
    }
    match Dockerfile::parse(src) {
        Err(e) => check_error(src, &e),
        Ok(df) => {
            for s in &df.stages {
                assert!(s.line >= 1 && s.line <= line_count(src));
                for c in &s.commands {
                    assert!(c.line <= c.end_line && c.end_line <= line_count(src));
                }
            }
        }
    }
    match lint::check(src, None) {
        Err(e) => check_error(src, &e),
        Ok(ws) => {
            for w in ws {
                assert!(w.line >= 1 && w.line <= line_count(src), "{w:?} in {src:?}");
            }
        }
    }
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("FROM alpine:3.21".to_string()),
        Just("FROM node:22 AS build".to_string()),
        Just("from x as Y".to_string()),
        Just("RUN echo hi".to_string()),
        Just("RUN <<EOF".to_string()),
        Just("RUN <<-'EOT' bash".to_string()),
        Just("COPY <<A <<B /d".to_string()),
        Just("EOF".to_string()),
        Just("\tEOT".to_string()),
        Just("COPY --from=build /a /b".to_string()),
        Just("ENV a=1 b=\"x y\"".to_string()),
        Just("ENV k v w".to_string()),
        Just("ARG V=${X:-1}".to_string()),
        Just("LABEL a b".to_string()),
        Just("CMD [\"a\", 1]".to_string()),
        Just("CMD [\"a\"".to_string()),
        Just("HEALTHCHECK --interval=0s CMD x".to_string()),
        Just("ONBUILD ONBUILD RUN x".to_string()),
        Just("# escape=`".to_string()),
        Just("# syntax=docker/dockerfile:1".to_string()),
        Just("# check=skip=all".to_string()),
        Just("# comment".to_string()),
        Just("RUNN x".to_string()),
        Just("WORKDIR".to_string()),
        Just("\\".to_string()),
        Just("`".to_string()),
        Just("".to_string()),
        Just("   ".to_string()),
        "[ -~]{0,20}".prop_map(|s| s),
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

fn real_files() -> Vec<String> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/reference/real/docker"
    );
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("shared reference data missing at {dir}: {e}"))
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("utf-8"))
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(src in any::<String>()) {
        exercise(&src);
    }

    #[test]
    fn dockerfile_like_text_never_panics(
        lines in proptest::collection::vec(token(), 0..25),
        ending in prop_oneof![Just(""), Just("\n"), Just("\r\n"), Just(" \\"), Just("\\\n")],
    ) {
        let src = lines.join("\n") + ending;
        exercise(&src);
    }

    #[test]
    fn mutated_real_dockerfiles_never_panic(
        file in 0usize..64,
        edits in proptest::collection::vec((0usize..100_000, 0usize..40, token(), 0u8..4), 1..6),
    ) {
        let files = real_files();
        let mut chars: Vec<char> = files[file % files.len()].chars().collect();
        for (pos, len, text, op) in edits {
            let at = if chars.is_empty() { 0 } else { pos % (chars.len() + 1) };
            match op {
                0 => {
                    let end = (at + len).min(chars.len());
                    chars.drain(at..end);
                }
                1 => {
                    let ins: Vec<char> = text.chars().collect();
                    chars.splice(at..at, ins);
                }
                2 => {
                    let ins: Vec<char> = format!("\n{text}\n").chars().collect();
                    chars.splice(at..at, ins);
                }
                _ => {
                    let end = (at + len).min(chars.len());
                    let dup: Vec<char> = chars[at..end].to_vec();
                    chars.splice(at..at, dup);
                }
            }
        }
        let src: String = chars.into_iter().collect();
        exercise(&src);
    }
}

#[test]
fn real_dockerfiles_unmutated() {
    for f in real_files() {
        exercise(&f);
        assert!(Dockerfile::parse(&f).is_ok());
    }
}
