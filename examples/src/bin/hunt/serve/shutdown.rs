//! Graceful shutdown: on Ctrl-C or SIGTERM the listener stops accepting, live streams end
//! (they would otherwise hold the shutdown open forever), and requests in flight — a
//! submission waiting for its durable verdict included — finish and are answered.

use tokio::sync::watch;

/// Resolves on Ctrl-C or SIGTERM, after telling live streams to end through `stop`.
pub async fn signal(stop: watch::Sender<bool>) {
    let ctrl_c = async {
        // Without a handler there is no Ctrl-C to wait for: wait for SIGTERM alone.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("stopping: answering the requests in flight");
    // Nobody listening is fine: no stream is open.
    let _ = stop.send(true);
}
