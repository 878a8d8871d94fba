//! `hunt serve`: the live hunt as a web service — team pages, the live board, a JSON API
//! with its OpenAPI document, server-sent events, metrics — on the selected store.
//!
//! This is the reference for embedding the engine in an axum service: handlers call the
//! engine's typed commands and render its views; they decide nothing. One module per
//! concept: `app` (shared state, routes), `tokens` and `auth` (who is asking), `team_page`
//! and `board_page` (HTML), `api` (JSON, OpenAPI), `sse` (streams), `pump` (the log feed
//! of the live views), `snapshot` (the public board as a value), `metrics`, `shutdown`.

mod api;
mod app;
mod auth;
mod board_page;
mod error;
mod feed;
mod html;
mod limit;
mod metrics;
mod pump;
mod shutdown;
mod snapshot;
mod sse;
mod team_page;
pub mod tokens;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use crate::clock::Clock;
use crate::failure::Failure;
use crate::store::{Create, Selection};

/// Arguments of `hunt serve`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Teams open the join link `hunt team add` printed; the organiser \
    opens the one `hunt admin token` printed. The board is at /board, the API's OpenAPI \
    document at /openapi.json, metrics at /metrics. Stops on Ctrl-C or SIGTERM once the \
    requests in flight are answered."
)]
pub struct Args {
    /// The address to listen on (port 0: any free port, printed at start)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Writes (submissions, hints, forms) per second each client may send, in bursts of
    /// twice that, before it gets 429; 0 for no limit
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub rate: u32,
    /// Least milliseconds between two boards sent on the public streams: the first solve
    /// after a quiet spell shows at once, later ones in the next board; first bloods are
    /// announced at once either way
    #[arg(long, value_name = "MS", default_value_t = 250)]
    pub board_interval: u64,
    /// Seconds between keep-alive comments on idle event streams
    #[arg(long, value_name = "S", default_value_t = 15)]
    pub keep_alive: u64,
}

/// Runs `hunt serve` until Ctrl-C or SIGTERM.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    init_logs("info");
    let sled_dir = selection.postgres.is_none().then(|| selection.data_dir());
    let admin = tokens::AdminToken::from_env_or(sled_dir).map_err(Failure::user)?;
    if !admin.is_set() {
        tracing::warn!(
            "no admin: on PostgreSQL, start the service with {} set to the token \
             `hunt admin token` printed",
            tokens::ADMIN_ENV
        );
    }
    let store = selection.open_store(Create::Never).await?;
    let hunt = selection.hunt_id(&*store).await?;
    let engine = Arc::new(
        hunt_core::engine::Engine::open(store.clone(), &hunt, crate::store::secret()).await?,
    );
    let listener = Listener::bind(args.listen).await?;
    writeln!(
        out,
        "Serving hunt `{hunt}` on http://{0}/ (board: http://{0}/board)",
        listener.bound
    )?;
    out.flush()?;
    serve(engine, store, admin, listener, args, Clock::wall()).await?;
    writeln!(out, "Stopped: every request in flight was answered")?;
    Ok(())
}

/// Logs to standard error, at the level `HUNT_LOG` names, else `default`.
pub fn init_logs(default: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HUNT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// A bound listening socket, and the address it is bound to (port 0 resolved).
pub struct Listener {
    listener: tokio::net::TcpListener,
    /// The address clients connect to.
    pub bound: SocketAddr,
}

impl Listener {
    /// Binds `addr`.
    pub async fn bind(addr: SocketAddr) -> Result<Self, Failure> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::user(format!("cannot listen on {addr}: {e}")))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Failure::user(format!("cannot read the bound address: {e}")))?;
        Ok(Self { listener, bound })
    }
}

/// Serves `engine`'s hunt on `listener` until Ctrl-C or SIGTERM, deciding and showing
/// everything at `clock`; `admin` says who the admin is. Returns once every request in
/// flight is answered.
pub async fn serve(
    engine: Arc<hunt_core::engine::Engine>,
    store: Arc<dyn hunt_core::store::Store>,
    admin: tokens::AdminToken,
    listener: Listener,
    args: &Args,
    clock: Clock,
) -> Result<(), Failure> {
    let hunt = engine.snapshot().hunt().id.clone();
    let teams = Arc::new(tokens::TeamIndex::default());
    let solves = Arc::new(pump::SolveLog::default());
    let metrics = Arc::new(metrics::Metrics::default());
    let seq = pump::start(&engine, &*store, &teams, &solves).await?;
    metrics.set_position(seq);
    let (updates, _) = broadcast::channel(pump::CHANNEL);
    let (stop, stopping) = watch::channel(false);
    let sources = feed::Sources {
        engine: engine.clone(),
        solves: solves.clone(),
        boards: Arc::default(),
        clock,
        interval: Duration::from_millis(args.board_interval),
    };
    let (feed_tx, feed_rx) = watch::channel(Arc::new(
        sources.current().expect("the pump has learned the log"),
    ));
    let feeding = tokio::spawn(feed::run(
        sources,
        updates.subscribe(),
        feed_tx,
        stopping.clone(),
    ));
    let app = app::App {
        engine: engine.clone(),
        admin,
        store: store.clone(),
        teams: teams.clone(),
        updates: updates.clone(),
        solves: solves.clone(),
        limiter: Arc::new(limit::Limiter::new(args.rate)),
        metrics: metrics.clone(),
        stopping: stopping.clone(),
        keep_alive: Duration::from_secs(args.keep_alive.max(1)),
        feed: feed_rx,
        clock,
    };
    let pump = tokio::spawn(pump::run(
        engine.clone(),
        store,
        teams,
        solves,
        updates,
        metrics,
        seq,
        stopping,
    ));
    // Other processes may append to the same log (on PostgreSQL): follow it, so that their
    // commands reach this service's pages and streams without a command of its own.
    let follower = tokio::spawn({
        let engine = engine.clone();
        async move {
            let error = engine
                .follow(Duration::from_secs(1), tokio::time::sleep)
                .await;
            tracing::error!(%error, "stopped following the log: other processes' commands show only after this one's next write");
        }
    });
    tracing::info!(bound = %listener.bound, hunt = %hunt, "serving");
    let service = app::router(app).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener.listener, service)
        .with_graceful_shutdown(shutdown::signal(stop))
        .await;
    follower.abort();
    // The pump ends with the streams; wait for it so the engine is dropped last.
    let _ = pump.await;
    let _ = feeding.await;
    served.map_err(|e| Failure::user(format!("the server failed: {e}")))
}
