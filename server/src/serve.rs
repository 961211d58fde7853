//! Static assets: the Trunk-built app in the dist directory.
//!
//! Files are served by tower-http's `ServeDir`, preferring precompressed `NAME.br` /
//! `NAME.gz` siblings when the client accepts them. A path that is not a file falls back to
//! `index.html` so the client-side router can handle `/sandbox` or `/lessons/x`, unless it
//! looks like an asset (has an extension), where a silent `index.html` would only turn a
//! missing file into a confusing parse error in the browser. Cache headers depend on the
//! name: Trunk puts a content hash in asset names, so those never change and may be cached
//! forever; everything else must be revalidated so a new deploy is picked up.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use tower_http::services::ServeDir;

/// `Cache-Control` for content-hashed assets: the name changes whenever the bytes do.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` for `index.html` and unhashed files: always revalidate.
pub const NO_CACHE: &str = "no-cache";

/// A router that serves `dist` with SPA fallback and cache headers.
pub fn static_router(dist: &Path) -> Router {
    let dist_for_fallback = dist.to_path_buf();
    let fallback = (move |uri: Uri| {
        let dist = dist_for_fallback.clone();
        async move { spa_fallback(&dist, &uri).await }
    })
    .into_service();
    // A release build has NAME.br and NAME.gz beside each asset (brotli quality 11,
    // written by `cargo xtask build --release`); serving those beats compressing on every
    // request, where brotli runs at quality 4. Without them ServeDir sends the file and
    // the compression layer in `app` compresses it on the fly.
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(fallback);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

/// Whether a request path names a content-hashed build output such as
/// `app-1a2b3c4d5e6f7a8b_bg.wasm`, `style-0f1e2d3c4b5a6978.css` or a file under
/// wasm-bindgen's `snippets/app-<hash>/` directory.
pub fn is_hashed_asset(path: &str) -> bool {
    path.split('/').any(segment_is_hashed)
}

fn segment_is_hashed(segment: &str) -> bool {
    // Strip every extension (`.wasm`, `.js.map`) and wasm-bindgen's `_bg` suffix.
    let stem = segment.split('.').next().unwrap_or(segment);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((name, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    // Trunk prints a 64-bit hash in hex without padding: normally 16 digits, rarely fewer.
    // Ten is the floor so that ordinary names like `logo-cafe.svg` stay revalidated.
    !name.is_empty()
        && (10..=16).contains(&hash.len())
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let immutable = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let value = if immutable && response.status().is_success() {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

async fn spa_fallback(dist: &Path, uri: &Uri) -> Response {
    let last = uri.path().rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    let index = dist.join("index.html");
    match tokio::fs::read(&index).await {
        Ok(bytes) => (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            bytes,
        )
            .into_response(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => not_built(dist),
        Err(error) => {
            tracing::error!(path = %index.display(), %error, "cannot read index.html");
            (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the app\n").into_response()
        }
    }
}

/// The 503 page shown while `dist/index.html` does not exist yet.
fn not_built(dist: &Path) -> Response {
    tracing::warn!(dist = %dist.display(), "no index.html in the dist directory");
    let page = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Shipshape is not built yet</title></head><body>\
<h1>The Shipshape app isn't built yet</h1>\
<p>The server is running, but its dist directory has no <code>index.html</code>. \
Build the app with <code>cargo xtask build</code> (or pass <code>--dist DIR</code> \
pointing at a built app), then reload this page.</p></body></html>\n";
    (StatusCode::SERVICE_UNAVAILABLE, Html(page)).into_response()
}

/// The directory used when `--dist` is not given.
pub fn default_dist() -> PathBuf {
    PathBuf::from("dist")
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed_asset("/app-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_asset("/app-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_asset("/style-0f1e2d3c4b5a6978.css"));
        assert!(is_hashed_asset("/snippets/app-1a2b3c4d5e6f7a8b/inline0.js"));
    }

    #[test]
    fn leaves_plain_names_revalidated() {
        assert!(!is_hashed_asset("/"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/logo-cafe.svg"));
        assert!(!is_hashed_asset("/sandbox"));
        assert!(!is_hashed_asset("/lessons/meet-the-cluster"));
        assert!(!is_hashed_asset("/app-NOTHEXNOTHEXNOTH.js"));
    }
}
