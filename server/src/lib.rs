//! Shipshape's native side, as a library so tests can drive it without a socket or a
//! process.
//!
//! A tour:
//! - [`cli`]: the `shipshape` command line (clap), parsed by `main.rs`.
//! - [`app`]: the HTTP router: [`health`] (`/healthz`), the [`workshop`] API on SQLite
//!   or PostgreSQL (unknown `/api/...` paths answer with an [`error::ApiError`]), and [`serve`] (the
//!   built app with SPA fallback, compression and cache headers); [`security`] adds the
//!   security headers (CSP and friends) to every response.
//! - [`listen`]: binds a socket, serves [`app`] and shuts down gracefully on Ctrl-C or
//!   SIGTERM (open event streams are ended so the shutdown isn't held up).
//! - [`run`]: `shipshape run`: replays a command script in the simulator and produces
//!   a byte-reproducible transcript.
//! - [`lessons_cmd`]: `shipshape lessons list|check`.
//! - [`conformance`]: `shipshape conformance`: upstream vector files through the
//!   simulator's code.
//! - [`bench`]: `shipshape bench scheduler|timeline|workshop`: the scheduler on upstream's
//!   SchedulingBasic, timeline seeks, and the workshop API under a class's load.

pub mod bench;
pub mod cli;
pub mod conformance;
pub mod error;
pub mod health;
pub mod lessons_cmd;
pub mod run;
pub mod security;
pub mod serve;
pub mod workshop;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use axum::http::Uri;
use axum::routing::{any, get};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;

/// What the HTTP server needs to know about its surroundings.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The Trunk output directory holding `index.html` and the hashed assets.
    pub dist: PathBuf,
    /// Where the server keeps its own data (workshops); created on start.
    pub data: PathBuf,
    /// A PostgreSQL connection string: workshops are stored there instead of in
    /// `<data>/shipshape.db` (several servers may share it).
    pub database_url: Option<String>,
    /// Load balancers whose `X-Forwarded-For` names the client (for the join-code
    /// guess limit); none by default.
    pub trusted_proxies: workshop::trusted_proxies::TrustedProxies,
}

impl ServeConfig {
    /// Serves `dist`, keeping workshops in SQLite under `data`.
    pub fn new(dist: PathBuf, data: PathBuf) -> Self {
        Self {
            dist,
            data,
            database_url: None,
            trusted_proxies: workshop::trusted_proxies::TrustedProxies::default(),
        }
    }

    /// Where the workshop store lives.
    pub fn store_location(&self) -> workshop::store::Location {
        workshop::store::Location::choose(self.data.clone(), self.database_url.as_deref())
    }
}

/// Builds the whole HTTP application. Needs no socket, so tests call it directly.
///
/// Opens (or creates) the workshop store: `<data>/shipshape.db`, creating the data
/// directory, or the PostgreSQL database of `database_url`. If that fails the error is
/// logged and the workshop API answers 503; [`listen`] instead refuses to start.
pub fn app(config: ServeConfig) -> Router {
    let store = open_store(&config)
        .inspect_err(|error| tracing::error!(%error, "workshops are unavailable"))
        .ok();
    build(&config, workshop::WorkshopState::new(store))
}

/// Opens the workshop store `config` names, creating the data directory if needed.
pub fn open_store(config: &ServeConfig) -> Result<workshop::store::Store, String> {
    let location = config.store_location();
    if let workshop::store::Location::Sqlite(data) = &location {
        std::fs::create_dir_all(data)
            .map_err(|e| format!("cannot create the data directory {}: {e}", data.display()))?;
    }
    workshop::store::Store::open(&location).map_err(|e| {
        format!(
            "cannot open the workshop store ({}): {e}",
            location.describe()
        )
    })
}

/// [`open_store`] on a blocking thread, for async callers (opening may block on the
/// network and fsync).
async fn open_store_async(config: &ServeConfig) -> std::io::Result<workshop::store::Store> {
    let config = config.clone();
    tokio::task::spawn_blocking(move || open_store(&config))
        .await
        .map_err(std::io::Error::other)?
        .map_err(std::io::Error::other)
}

fn build(config: &ServeConfig, workshops: workshop::WorkshopState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .merge(workshop::router(workshops))
        // Both `/api` and everything below it: an API client must get JSON, never the SPA.
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .fallback_service(serve::static_router(&config.dist))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(axum::Extension(config.trusted_proxies.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(security::layers(&config.dist))
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::no_route(uri.path())
}

/// Serves [`app`] on `addr` until Ctrl-C or SIGTERM, letting in-flight requests finish.
/// Fails before binding if the workshop database cannot be opened.
pub async fn listen(config: ServeConfig, addr: SocketAddr) -> std::io::Result<()> {
    let store = open_store_async(&config).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_with(listener, config, store, shutdown_signal()).await
}

/// Serves [`app`] on an already bound `listener` until `shutdown` completes, then ends
/// the open event streams and lets in-flight requests finish (what [`listen`] does on
/// Ctrl-C; `shipshape bench workshop` runs the server this way). Fails before serving if
/// the workshop database cannot be opened.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    config: ServeConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = open_store_async(&config).await?;
    serve_with(listener, config, store, shutdown).await
}

async fn serve_with(
    listener: tokio::net::TcpListener,
    config: ServeConfig,
    store: workshop::store::Store,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(database = %store.describe(), "workshop database open");
    let workshops = workshop::WorkshopState::new(Some(store));
    let local = listener.local_addr()?;
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %config.dist.display(),
            "no index.html in the dist directory; run `cargo xtask build` first"
        );
    }
    tracing::info!("Shipshape listening on http://{local}/");
    let app = build(&config, workshops.clone());
    // Small writes (an acknowledgement, one stream event) go out at once, not after the
    // client's delayed ACK.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        workshops.shut_down_streams();
    })
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
