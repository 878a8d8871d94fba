//! [`Checkpointer`]: writes an engine's checkpoints in the background, on a tokio runtime.
//!
//! The core has no threads, so it only offers the pieces ([`Engine::checkpoint`],
//! [`Engine::checkpoint_due`]); this task drives them. It wakes every
//! [`CheckpointPolicy::poll`], and writes a checkpoint when at least
//! [`CheckpointPolicy::every_events`] events were applied since the last one, or when
//! [`CheckpointPolicy::every`] has passed and anything at all was. Encoding takes time in
//! proportion to the state (about a tenth of a second for a million events), so it runs on
//! tokio's blocking pool, never on a worker that serves requests. Writers never wait for
//! it: it encodes the published snapshot.
//!
//! A service starts one per engine after opening it, and stops it at shutdown, which writes
//! a last checkpoint so that the next start reads no log at all:
//!
//! ```
//! # use std::sync::Arc;
//! # use hunt_core::engine::Engine;
//! # use hunt_store_sled::{CheckpointPolicy, Checkpointer, SledStore};
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let store = Arc::new(SledStore::open(dir.path())?);
//! # let definition = "id = \"tiny\"\ntitle = \"Tiny\"\nstart = 2026-11-28T09:00:00Z\n\
//! #     end = 2026-11-28T21:00:00Z\n[[challenge]]\nid = \"first\"\ntitle = \"First\"\n\
//! #     points = 100\nanswers = [\"treasure\"]\n";
//! let engine = Arc::new(Engine::create(store, definition, None).await?);
//! let checkpointer = Checkpointer::spawn(engine.clone(), CheckpointPolicy::default());
//! // … serve requests with `engine` …
//! checkpointer.stop().await?;
//! # Ok(())
//! # }
//! ```

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hunt_core::engine::{Engine, EngineError};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// When a [`Checkpointer`] writes a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointPolicy {
    /// Write one once this many events were applied since the last (at least 1).
    pub every_events: u64,
    /// Write one once this long has passed since the last, if any event was applied.
    pub every: Duration,
    /// How often to look.
    pub poll: Duration,
}

impl Default for CheckpointPolicy {
    /// Every 100,000 events or every minute, looking every second: a checkpoint of a
    /// million-event hunt costs about a tenth of a second of one core and some tens of MiB
    /// written, so this spends well under 1% of a core while keeping a reopen short.
    fn default() -> Self {
        Self {
            every_events: 100_000,
            every: Duration::from_secs(60),
            poll: Duration::from_secs(1),
        }
    }
}

/// What a [`Checkpointer`] has done so far.
#[derive(Debug, Clone, Default)]
pub struct CheckpointerStatus {
    /// Checkpoints written.
    pub written: u64,
    /// The position of the last one written (0 if none).
    pub last: u64,
    /// Checkpoints that failed; the task goes on and tries again at the next poll.
    pub failures: u64,
    /// The last failure, if any.
    pub last_error: Option<EngineError>,
}

/// A background task writing an engine's checkpoints (the module docs of `checkpointer` say when it writes).
///
/// Dropping it stops the task without a last checkpoint; [`Checkpointer::stop`] writes one.
#[derive(Debug)]
pub struct Checkpointer {
    engine: Arc<Engine>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    status: Arc<Mutex<CheckpointerStatus>>,
}

impl Checkpointer {
    /// Starts the task on the current tokio runtime, which must have its timers enabled
    /// (`enable_time`, or `enable_all`, as `#[tokio::main]` does). Panics outside a runtime.
    pub fn spawn(engine: Arc<Engine>, policy: CheckpointPolicy) -> Self {
        let (stop, mut stopped) = oneshot::channel();
        let status = Arc::new(Mutex::new(CheckpointerStatus::default()));
        let task = tokio::spawn({
            let engine = engine.clone();
            let status = status.clone();
            async move {
                let mut since = Instant::now();
                loop {
                    if tokio::time::timeout(policy.poll, &mut stopped)
                        .await
                        .is_ok()
                    {
                        return;
                    }
                    let due = engine.checkpoint_due(policy.every_events)
                        || (since.elapsed() >= policy.every && engine.checkpoint_due(1));
                    if due {
                        record(&status, write(&engine).await);
                        since = Instant::now();
                    }
                }
            }
        });
        Self {
            engine,
            stop: Some(stop),
            task: Some(task),
            status,
        }
    }

    /// What the task has done so far.
    pub fn status(&self) -> CheckpointerStatus {
        lock(&self.status).clone()
    }

    /// Stops the task (waiting for a checkpoint in progress) and writes a last checkpoint of
    /// the current state; returns its position.
    pub async fn stop(mut self) -> Result<u64, EngineError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // A task that panicked has nothing left to finish; the last checkpoint follows.
            let _ = task.await;
        }
        let result = write(&self.engine).await;
        record(&self.status, result.clone());
        result
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Writes one checkpoint, encoding on the blocking pool.
async fn write(engine: &Arc<Engine>) -> Result<u64, EngineError> {
    let engine = engine.clone();
    let runtime = tokio::runtime::Handle::current();
    match tokio::task::spawn_blocking(move || runtime.block_on(engine.checkpoint())).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // The runtime is shutting down: nothing was written, nothing is left to report.
        Err(_) => Ok(0),
    }
}

fn record(status: &Mutex<CheckpointerStatus>, result: Result<u64, EngineError>) {
    let mut status = lock(status);
    match result {
        Ok(seq) if seq > status.last => {
            status.written += 1;
            status.last = seq;
        }
        Ok(_) => {}
        Err(e) => {
            status.failures += 1;
            status.last_error = Some(e);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The status is plain counters, consistent whatever panicked while it was held.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
