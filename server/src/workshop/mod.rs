//! Instructor-led workshops: the HTTP API under `/api/workshops` and `/api/join`, stored
//! in SQLite (`<data>/shipshape.db`) or, when `DATABASE_URL` is set, PostgreSQL.
//!
//! One concept per file:
//! - [`store`]: the store behind a narrow API of [`model`] values, on SQLite (WAL,
//!   `synchronous=FULL`) or PostgreSQL; [`migrations`] creates and upgrades the schema
//!   on both; [`writer`] stores progress events with group commit (one transaction for
//!   all that are waiting);
//! - [`secret`]: ids, tokens, join codes, hashing and constant-time checks;
//! - [`auth`]: instructor and student credentials; [`extract`]: JSON bodies, bearer
//!   tokens and client addresses as [`ApiError`]s;
//! - [`validate`]: field rules (422); [`ratelimit`]: the join-guess limit (429), per
//!   client address ([`trusted_proxies`]: behind a load balancer, `X-Forwarded-For`);
//! - [`api`]: the JSON handlers; [`sse`]: the live streams, fed by [`hub`]; on
//!   PostgreSQL, [`feed`] fills the hub with every server's commits (LISTEN/NOTIFY);
//! - [`dashboard`]: students × lessons; [`csv`]: the results export;
//! - `openapi.json`: the API's OpenAPI 3 document, served at `/api/openapi.json` and kept
//!   in step with [`routes`] by tests.

pub mod api;
pub mod auth;
pub mod csv;
pub mod dashboard;
pub mod extract;
pub mod feed;
pub mod hub;
pub mod migrations;
pub mod model;
pub mod ratelimit;
pub mod secret;
pub mod sse;
pub mod store;
pub mod trusted_proxies;
pub mod validate;
pub mod writer;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{CACHE_CONTROL, HeaderValue};
use axum::http::{Method, Uri};
use axum::routing::{MethodFilter, MethodRouter, on};
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;

use self::hub::{Hub, HubEvent};
use self::model::ProgressEvent;
use self::ratelimit::RateLimiter;
use self::store::{NewProgress, Store};
use self::writer::{ProgressWriter, WriteError};

/// Largest request body the API reads (413 beyond).
pub const BODY_LIMIT: usize = 16 * 1024;
/// Wrong join codes one client address may try per minute.
pub const JOIN_GUESSES_PER_MINUTE: u32 = 10;
/// Workshops one client address may create per hour.
pub const WORKSHOPS_PER_HOUR: u32 = 30;
/// The OpenAPI document.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// What the workshop handlers share.
#[derive(Debug, Clone)]
pub struct WorkshopState {
    store: Option<Arc<Store>>,
    writer: Option<ProgressWriter>,
    hub: Arc<Hub>,
    /// Whether handlers publish their own writes to the hub (SQLite); on PostgreSQL the
    /// change feed publishes everyone's.
    publish_locally: bool,
    limiter: Arc<RateLimiter>,
    creations: Arc<RateLimiter>,
    shutdown: Arc<watch::Sender<bool>>,
}

impl WorkshopState {
    /// State over `store`; `None` when the database could not be opened, in which case
    /// every workshop endpoint answers 503 (and the cause is in the server log).
    pub fn new(store: Option<Store>) -> Self {
        let store = store.map(Arc::new);
        // Without the writer thread, progress is stored one event per transaction.
        let writer = store.as_ref().and_then(|store| {
            ProgressWriter::start(Arc::clone(store))
                .inspect_err(|error| tracing::warn!(%error, "no group-commit writer thread"))
                .ok()
        });
        let hub = Arc::new(Hub::default());
        let mut publish_locally = true;
        if let Some(store) = &store
            && matches!(**store, Store::Postgres(_))
        {
            match feed::start(Arc::clone(store), &hub) {
                Ok(()) => publish_locally = false,
                // Without the feed, streams still hear this server's own writes.
                Err(error) => tracing::error!(%error, "no change feed thread"),
            }
        }
        Self {
            store,
            writer,
            hub,
            publish_locally,
            limiter: Arc::new(RateLimiter::per_minute(JOIN_GUESSES_PER_MINUTE)),
            creations: Arc::new(RateLimiter::per_hour(WORKSHOPS_PER_HOUR)),
            shutdown: Arc::new(watch::channel(false).0),
        }
    }

    /// Ends every open stream (called when the server begins shutting down).
    pub fn shut_down_streams(&self) {
        self.shutdown.send_replace(true);
    }

    /// Tells this workshop's live streams about a committed write (on PostgreSQL the
    /// change feed does, for every server's writes, so this does nothing there).
    pub fn announce(&self, workshop_id: &str, event: HubEvent) {
        if self.publish_locally {
            self.hub.publish(workshop_id, event);
        }
    }

    /// Runs blocking database work off the async threads.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    {
        let Some(store) = self.store.clone() else {
            return Err(ApiError::Unavailable(
                "workshop storage is not open (see the error at start-up)".to_owned(),
            ));
        };
        tokio::task::spawn_blocking(move || work(&store))
            .await
            .map_err(|error| ApiError::Internal(format!("database task failed: {error}")))?
    }

    /// Stores a progress event (through the group-commit writer when it runs); returns
    /// it once committed.
    pub async fn add_progress(&self, new: NewProgress) -> Result<ProgressEvent, ApiError> {
        let Some(writer) = &self.writer else {
            return self.db(move |store| Ok(store.add_progress(new)?)).await;
        };
        match writer.add(new).await {
            Ok(event) => Ok(event),
            Err(WriteError::Store(error)) => Err(error.into()),
            Err(WriteError::Stopped) => Err(ApiError::Internal(
                "the progress writer has stopped".to_owned(),
            )),
        }
    }
}

/// One endpoint: method, path (axum syntax) and handler.
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The path, with `{id}` parameters.
    pub path: &'static str,
    router: MethodRouter<WorkshopState>,
}

macro_rules! routes {
    ($(($method:ident, $path:literal, $handler:path)),* $(,)?) => {
        vec![$(Route {
            method: Method::$method,
            path: $path,
            router: on(MethodFilter::$method, $handler),
        }),*]
    };
}

/// Every workshop endpoint: the one list the router is built from and the OpenAPI
/// document is checked against.
pub fn routes() -> Vec<Route> {
    routes![
        (GET, "/api/openapi.json", api::openapi),
        (POST, "/api/workshops", api::create_workshop),
        (POST, "/api/join", api::join),
        (POST, "/api/workshops/{id}/progress", api::progress),
        (GET, "/api/workshops/{id}/dashboard", api::dashboard),
        (GET, "/api/workshops/{id}/events", sse::instructor_events),
        (POST, "/api/workshops/{id}/broadcast", api::broadcast),
        (
            GET,
            "/api/workshops/{id}/student-events",
            sse::student_events
        ),
        (GET, "/api/workshops/{id}/results.csv", api::results_csv),
    ]
}

/// The workshop API as a router, with its body limit and `Cache-Control: no-store`
/// (responses carry secrets and live data).
pub fn router(state: WorkshopState) -> Router {
    let mut router = Router::new();
    for route in routes() {
        router = router.route(route.path, route.router);
    }
    router
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "{method} is not allowed on {}; see /api/openapi.json",
        uri.path()
    ))
}
