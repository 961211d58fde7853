//! The HTTP router, driven in-process with `tower::ServiceExt::oneshot` against a dist
//! directory made up by each test.

use std::path::Path;

use axum::body::{Body, to_bytes};
use axum::http::header::{ACCEPT, ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};
use axum::http::{Request, Response, StatusCode};
use server::{ServeConfig, app};
use tower::ServiceExt;

const INDEX: &str = "<!doctype html><html><head><title>Shipshape</title></head>\
<body><main id=\"app\">Loading Shipshape, the container and orchestration simulator...</main></body></html>\n";
const WASM_NAME: &str = "app-1a2b3c4d5e6f7a8b_bg.wasm";

/// A dist directory like Trunk's: index.html, a hashed wasm module, a hashed script.
fn built_dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), INDEX).unwrap();
    // The wasm magic number and version, then enough repetitive bytes to be worth compressing.
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(std::iter::repeat_n(b'\x2a', 4096));
    std::fs::write(dir.path().join(WASM_NAME), wasm).unwrap();
    std::fs::write(
        dir.path().join("app-1a2b3c4d5e6f7a8b.js"),
        "export default function init() {}\n".repeat(50),
    )
    .unwrap();
    dir
}

async fn get(dist: &Path, uri: &str, headers: &[(&str, &str)]) -> Response<Body> {
    // Its own data directory: `app` creates it, and it must not appear inside `dist`.
    let data = tempfile::tempdir().unwrap();
    let config = ServeConfig::new(dist.to_path_buf(), data.path().join("data"));
    let mut request = Request::builder().uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app(config)
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn text(response: Response<Body>) -> String {
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn header(response: &Response<Body>, name: impl axum::http::header::AsHeaderName) -> &str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn healthz_reports_ok_and_the_version() {
    let dist = built_dist();
    let response = get(dist.path(), "/healthz", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, CONTENT_TYPE).starts_with("application/json"));
    let value: serde_json::Value = serde_json::from_str(&text(response).await).unwrap();
    assert_eq!(value["status"], "ok");
    assert_eq!(value["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn root_serves_index_without_long_caching() {
    let dist = built_dist();
    let response = get(dist.path(), "/", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, CACHE_CONTROL), "no-cache");
    assert_eq!(text(response).await, INDEX);
}

#[tokio::test]
async fn client_side_routes_fall_back_to_index() {
    let dist = built_dist();
    for path in ["/sandbox", "/lessons/meet-the-cluster", "/workshop/join/"] {
        let response = get(dist.path(), path, &[(ACCEPT.as_str(), "text/html")]).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            header(&response, CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert_eq!(header(&response, CACHE_CONTROL), "no-cache", "{path}");
        assert_eq!(text(response).await, INDEX, "{path}");
    }
}

#[tokio::test]
async fn missing_assets_are_404_not_index() {
    let dist = built_dist();
    let response = get(dist.path(), "/app-ffffffffffffffff.js", &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // A 404 must not be cached for a year, or a later deploy could never fix it.
    assert_eq!(header(&response, CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn wasm_is_typed_and_cached_forever() {
    let dist = built_dist();
    let response = get(dist.path(), &format!("/{WASM_NAME}"), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, CONTENT_TYPE), "application/wasm");
    assert_eq!(
        header(&response, CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert!(body.starts_with(b"\0asm"));
}

#[tokio::test]
async fn brotli_is_used_when_accepted() {
    let dist = built_dist();
    let uncompressed = get(dist.path(), &format!("/{WASM_NAME}"), &[]).await;
    let plain_len = to_bytes(uncompressed.into_body(), usize::MAX)
        .await
        .unwrap()
        .len();

    let response = get(
        dist.path(),
        &format!("/{WASM_NAME}"),
        &[(ACCEPT_ENCODING.as_str(), "br")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, CONTENT_ENCODING), "br");
    let compressed = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert!(
        compressed.len() < plain_len,
        "{} >= {plain_len}",
        compressed.len()
    );

    let response = get(
        dist.path(),
        "/sandbox",
        &[(ACCEPT_ENCODING.as_str(), "gzip")],
    )
    .await;
    assert_eq!(header(&response, CONTENT_ENCODING), "gzip");
}

#[tokio::test]
async fn unknown_api_paths_get_a_json_404() {
    let dist = built_dist();
    for path in ["/api/nope", "/api", "/api/workshops/x/y"] {
        let response = get(dist.path(), path, &[(ACCEPT.as_str(), "text/html")]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            header(&response, CONTENT_TYPE).starts_with("application/json"),
            "{path}"
        );
        let value: serde_json::Value = serde_json::from_str(&text(response).await).unwrap();
        assert_eq!(value["error"]["code"], "not_found", "{path}");
        assert!(
            value["error"]["message"].as_str().unwrap().contains(path),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_unbuilt_app_answers_503_with_instructions() {
    let empty = tempfile::tempdir().unwrap();
    let missing = empty.path().join("dist");
    for dist in [empty.path(), missing.as_path()] {
        for path in ["/", "/sandbox"] {
            let response = get(dist, path, &[]).await;
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
            let page = text(response).await;
            assert!(page.contains("cargo xtask build"), "{page}");
        }
    }
    // Health does not depend on the app being built.
    let response = get(missing.as_path(), "/healthz", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn precompressed_siblings_are_sent_as_they_are() {
    let dist = built_dist();
    // Stand-ins for `NAME.br` / `NAME.gz` written by `cargo xtask build --release`: the
    // server must send these bytes untouched, not compress the original again.
    let br = b"pretend brotli bytes".to_vec();
    std::fs::write(dist.path().join(format!("{WASM_NAME}.br")), &br).unwrap();
    std::fs::write(dist.path().join(format!("{WASM_NAME}.gz")), b"pretend gzip").unwrap();

    let response = get(
        dist.path(),
        &format!("/{WASM_NAME}"),
        &[(ACCEPT_ENCODING.as_str(), "gzip, br")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, CONTENT_ENCODING), "br");
    assert_eq!(header(&response, CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&response, CACHE_CONTROL), server::serve::IMMUTABLE);
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert_eq!(body.to_vec(), br);

    let response = get(
        dist.path(),
        &format!("/{WASM_NAME}"),
        &[(ACCEPT_ENCODING.as_str(), "gzip")],
    )
    .await;
    assert_eq!(header(&response, CONTENT_ENCODING), "gzip");
    assert_eq!(text(response).await, "pretend gzip");
}
