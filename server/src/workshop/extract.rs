//! Request extractors whose failures are [`ApiError`]s: JSON bodies, bearer tokens and
//! the client's address.

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

use super::BODY_LIMIT;
use super::trusted_proxies::TrustedProxies;

/// A JSON body; every way it can be wrong becomes a JSON error with the fitting status:
/// 413 too large, 415 not `application/json`, 400 not JSON, 422 the wrong shape.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_error(&rejection)),
        }
    }
}

fn json_error(rejection: &JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(format!(
            "the request body is larger than {} KiB",
            BODY_LIMIT / 1024
        )),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(
            "send the body as JSON with `Content-Type: application/json`".to_owned(),
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ApiError::Unprocessable(rejection.body_text()),
        StatusCode::BAD_REQUEST => ApiError::BadRequest(rejection.body_text()),
        _ => ApiError::BadRequest("the request body could not be read".to_owned()),
    }
}

/// Longest token accepted in a header (real ones are 32 characters).
const MAX_TOKEN: usize = 128;

/// The token of an `Authorization: Bearer <token>` header.
#[derive(Debug)]
pub struct Bearer(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(AUTHORIZATION) else {
            return Err(ApiError::Unauthorized(
                "this endpoint needs an `Authorization: Bearer <token>` header".to_owned(),
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, token) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN);
        match token {
            Some(token) => Ok(Self(token.to_owned())),
            None => Err(ApiError::Unauthorized(
                "the `Authorization` header must be `Bearer <token>`".to_owned(),
            )),
        }
    }
}

/// The client's IP address, when the server knows it (not in in-process tests).
///
/// This is the TCP peer. Behind a reverse proxy every client shares the proxy's address,
/// so the join-guess limit then applies to the whole proxy.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        // Behind a trusted load balancer, the address it forwarded for.
        let client = match (peer, parts.extensions.get::<TrustedProxies>()) {
            (Some(peer), Some(proxies)) => Some(proxies.client(peer, &parts.headers)),
            (peer, _) => peer,
        };
        Ok(Self(client))
    }
}
