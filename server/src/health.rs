//! `GET /healthz`: a cheap liveness probe for load balancers and `cargo xtask serve`.

use axum::Json;
use axum::http::header::{CACHE_CONTROL, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The body of a successful health check.
#[derive(Debug, Serialize)]
pub struct Health {
    /// Always `"ok"` when the process can answer at all.
    pub status: &'static str,
    /// The server's crate version, so a deploy can be confirmed from outside.
    pub version: &'static str,
}

/// Answers 200 with [`Health`]; never cached, since a stale "ok" would hide an outage.
pub async fn healthz() -> Response {
    let body = Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    };
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
