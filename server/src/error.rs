//! The one error type of the HTTP API.
//!
//! Every API failure becomes `{ "error": { "code", "message" } }` with a fitting status.
//! Messages are written for the client; internal details (paths, I/O errors, SQL) are
//! logged on the server and never put in a response.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An API failure that knows its HTTP status and its client-facing message.
#[derive(Debug)]
pub enum ApiError {
    /// No such resource or route (404).
    NotFound(String),
    /// The request was malformed or failed validation (400).
    BadRequest(String),
    /// Something went wrong on our side (500); the detail is logged, not sent.
    Internal(String),
}

impl ApiError {
    /// The 404 for an `/api/...` path that has no route.
    pub fn no_route(path: &str) -> Self {
        Self::NotFound(format!("no API endpoint at {path}"))
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code clients can switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Internal(_) => "internal",
        }
    }

    /// The message sent to the client.
    fn public_message(&self) -> String {
        match self {
            Self::NotFound(message) | Self::BadRequest(message) => message.clone(),
            // The detail may name files or queries: keep it in the server log only.
            Self::Internal(_) => "internal server error".to_owned(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound(message) | Self::BadRequest(message) | Self::Internal(message) => {
                write!(f, "{}: {message}", self.code())
            }
        }
    }
}

impl std::error::Error for ApiError {}

#[derive(Serialize)]
struct Envelope {
    error: Body,
}

#[derive(Serialize)]
struct Body {
    code: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error in API handler");
        }
        let envelope = Envelope {
            error: Body {
                code: self.code(),
                message: self.public_message(),
            },
        };
        (self.status(), Json(envelope)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_errors_do_not_leak_their_detail() {
        let response = ApiError::Internal("open /secret/db.sqlite: denied".into()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains("secret"), "{text}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["error"]["code"], "internal");
    }
}
