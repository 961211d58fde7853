//! Security headers on every response: a Content-Security-Policy the app works under,
//! `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and
//! `X-Frame-Options: DENY`.
//!
//! Trunk puts one inline module script in `index.html` (it imports the hashed JS and
//! starts the wasm). Rather than allow inline scripts, the policy lists the SHA-256 of
//! each inline script found in `dist/index.html`. The hashes are recomputed whenever
//! that file changes (its size or modification time), because every build renames the
//! bundle and so changes the script, and the server picks up new builds without a
//! restart.
//!
//! `'wasm-unsafe-eval'` lets the page compile WebAssembly. `style-src-attr
//! 'unsafe-inline'` allows `style="…"` attributes only (not `<style>` elements or style
//! sheets from elsewhere): Leptos sets a few positions and animation delays that way.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use sha2::{Digest, Sha256};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::{MakeHeaderValue, SetResponseHeaderLayer};

/// The policy, with `{scripts}` standing for the inline scripts' hash sources.
fn policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push_str(" 'sha256-");
        script_src.push_str(hash);
        script_src.push('\'');
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; \
         style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Standard base64 (with padding), as CSP hash sources are written.
pub fn base64(bytes: &[u8]) -> String {
    simulator::base64::encode(bytes, simulator::base64::Alphabet::Standard)
}

/// The base64 SHA-256 of every inline `<script>` (one without `src`) in `html`, hashed
/// over its exact text as browsers do.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script").map(|i| i + from) {
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else {
            break;
        };
        let tag = &lower[start..tag_end];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attribute| attribute.starts_with("src="));
        if !has_src {
            hashes.push(base64(&Sha256::digest(
                &html.as_bytes()[tag_end + 1..close],
            )));
        }
        from = close;
    }
    hashes
}

#[derive(Debug)]
struct Cached {
    stamp: Option<(SystemTime, u64)>,
    value: HeaderValue,
}

/// Makes the CSP header value, re-reading `index.html` only when it changed.
#[derive(Debug, Clone)]
pub struct Csp {
    index: PathBuf,
    cached: Arc<Mutex<Option<Cached>>>,
}

impl Csp {
    /// A policy for the app in `dist`.
    pub fn new(dist: &Path) -> Self {
        Self {
            index: dist.join("index.html"),
            cached: Arc::new(Mutex::new(None)),
        }
    }

    /// The current header value.
    pub fn value(&self) -> HeaderValue {
        let stamp = std::fs::metadata(&self.index)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cached) = cached.as_ref().filter(|c| c.stamp == stamp) {
            return cached.value.clone();
        }
        let hashes = stamp
            .and_then(|_| std::fs::read_to_string(&self.index).ok())
            .map(|html| inline_script_hashes(&html))
            .unwrap_or_default();
        let value = HeaderValue::from_str(&policy(&hashes))
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
        *cached = Some(Cached {
            stamp,
            value: value.clone(),
        });
        value
    }
}

impl<T> MakeHeaderValue<T> for Csp {
    fn make_header_value(&mut self, _message: &T) -> Option<HeaderValue> {
        Some(self.value())
    }
}

/// The layers that add every security header.
pub type Layers = Stack<
    SetResponseHeaderLayer<Csp>,
    Stack<
        SetResponseHeaderLayer<HeaderValue>,
        Stack<
            SetResponseHeaderLayer<HeaderValue>,
            Stack<SetResponseHeaderLayer<HeaderValue>, Identity>,
        >,
    >,
>;

/// The security headers for an app served from `dist`.
pub fn layers(dist: &Path) -> ServiceBuilder<Layers> {
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            CONTENT_SECURITY_POLICY,
            Csp::new(dist),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(
            base64(&Sha256::digest(b"")),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn hashes_inline_scripts_but_not_external_ones() {
        let html = "<head><script src=\"/a.js\"></script>\
                    <SCRIPT type=\"module\">init()</SCRIPT></head>";
        assert_eq!(
            inline_script_hashes(html),
            vec![base64(&Sha256::digest(b"init()"))]
        );
    }

    #[test]
    fn the_policy_follows_index_html() {
        let dir = tempfile::tempdir().unwrap();
        let csp = Csp::new(dir.path());
        let without = csp.value();
        assert!(!without.to_str().unwrap().contains("sha256-"));
        std::fs::write(
            dir.path().join("index.html"),
            "<script type=\"module\">go()</script>",
        )
        .unwrap();
        let with = csp.value();
        let expected = format!("'sha256-{}'", base64(&Sha256::digest(b"go()")));
        assert!(with.to_str().unwrap().contains(&expected), "{with:?}");
    }
}
