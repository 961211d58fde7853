//! The one error type of the HTTP API.
//!
//! Every API failure becomes `{ "error": { "code", "message" } }` with a fitting status.
//! Messages are written for the client; internal details (paths, I/O errors, SQL) are
//! logged on the server and never put in a response.

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An API failure that knows its HTTP status and its client-facing message.
#[derive(Debug)]
pub enum ApiError {
    /// The request was malformed: not JSON, or not parseable at all (400).
    BadRequest(String),
    /// No credentials, or credentials that match nothing (401).
    Unauthorized(String),
    /// Valid credentials that don't allow this (403).
    Forbidden(String),
    /// No such resource or route (404).
    NotFound(String),
    /// The path exists but not with this method (405).
    MethodNotAllowed(String),
    /// The request conflicts with stored state, e.g. a name already taken (409).
    Conflict(String),
    /// The body is larger than the API accepts (413).
    PayloadTooLarge(String),
    /// The body is not `application/json` (415).
    UnsupportedMediaType(String),
    /// Well-formed JSON whose fields fail validation (422).
    Unprocessable(String),
    /// Too many attempts from this client; retry after the given number of seconds (429).
    TooManyRequests {
        /// What the client did too often.
        message: String,
        /// Seconds until another attempt will be accepted.
        retry_after_secs: u64,
    },
    /// Something went wrong on our side (500); the detail is logged, not sent.
    Internal(String),
    /// A dependency such as the database is not available (503); the detail is logged.
    Unavailable(String),
}

impl ApiError {
    /// The 404 for an `/api/...` path that has no route.
    pub fn no_route(path: &str) -> Self {
        Self::NotFound(format!("no API endpoint at {path}"))
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The stable, machine-readable code clients can switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::Conflict(_) => "conflict",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::Unprocessable(_) => "invalid",
            Self::TooManyRequests { .. } => "rate_limited",
            Self::Internal(_) => "internal",
            Self::Unavailable(_) => "unavailable",
        }
    }

    /// The message sent to the client.
    fn public_message(&self) -> String {
        match self {
            // The detail may name files or queries: keep it in the server log only.
            Self::Internal(_) => "internal server error".to_owned(),
            Self::Unavailable(_) => "the service is temporarily unavailable".to_owned(),
            // Every other message was written for the client.
            _ => self.detail().to_owned(),
        }
    }

    /// The message as logged on the server (the detail, for internal errors).
    fn detail(&self) -> &str {
        match self {
            Self::BadRequest(message)
            | Self::Unauthorized(message)
            | Self::Forbidden(message)
            | Self::NotFound(message)
            | Self::MethodNotAllowed(message)
            | Self::Conflict(message)
            | Self::PayloadTooLarge(message)
            | Self::UnsupportedMediaType(message)
            | Self::Unprocessable(message)
            | Self::TooManyRequests { message, .. }
            | Self::Internal(message)
            | Self::Unavailable(message) => message,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.detail())
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
        match &self {
            Self::Internal(detail) => tracing::error!(%detail, "internal error in API handler"),
            Self::Unavailable(detail) => tracing::error!(%detail, "API dependency unavailable"),
            _ => {}
        }
        let envelope = Envelope {
            error: Body {
                code: self.code(),
                message: self.public_message(),
            },
        };
        let mut response = (self.status(), Json(envelope)).into_response();
        let headers = response.headers_mut();
        match &self {
            Self::Unauthorized(_) => {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyRequests {
                retry_after_secs, ..
            } => {
                headers.insert(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            _ => {}
        }
        response
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

    #[tokio::test]
    async fn auth_and_rate_limit_errors_carry_their_headers() {
        let response = ApiError::Unauthorized("send a token".into()).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer");
        let response = ApiError::TooManyRequests {
            message: "slow down".into(),
            retry_after_secs: 6,
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[RETRY_AFTER], "6");
    }
}
