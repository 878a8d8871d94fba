//! The embedded, durable default store of hunt: [`SledStore`], a
//! [`Store`] on [sled](https://docs.rs/sled/0.34.7) 0.34.7.
//!
//! One directory holds any number of hunts. Every append is flushed and synced to disk
//! before it is acknowledged (sled itself only persists on a flush, or in the background
//! every 500 ms), and the [`Engine`](hunt_core::engine::Engine) groups concurrent commands
//! into one append, so one flush serves a whole batch of submissions.
//!
//! ```
//! use std::sync::Arc;
//!
//! use hunt_core::engine::Engine;
//! use hunt_core::{IdempotencyKey, Timestamp, Verdict};
//! use hunt_store_sled::SledStore;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let definition = r#"
//!     id = "tiny"
//!     title = "A tiny hunt"
//!     start = 2026-11-28T09:00:00Z
//!     end = 2026-11-28T21:00:00Z
//!
//!     [[challenge]]
//!     id = "first"
//!     title = "First"
//!     points = 100
//!     answers = ["treasure"]
//! "#;
//! let now = Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").unwrap();
//!
//! let store = Arc::new(SledStore::open(dir.path())?);
//! let engine = Engine::create(store, definition, None).await?;
//! let team = engine.register("Sea Otters", None, now).await?;
//! // `submit` returns once the verdict's event is on disk.
//! let verdict = engine.submit(team, "first", "Treasure", IdempotencyKey(7), now).await?;
//! assert_eq!(verdict, Verdict::Correct { points: 100, first_solve: true });
//! let hunt = engine.hunt_id().clone();
//! drop(engine);
//!
//! // Reopening the directory replays the log: the solve is still there.
//! let store = Arc::new(SledStore::open(dir.path())?);
//! let engine = Engine::open(store, &hunt, None).await?;
//! assert_eq!(engine.snapshot().top(1)[0].score, 100);
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//! The directory holds `hunt-store.lock` (locked while a store has it open),
//! `hunt-store.marks` (see below) and sled's own files under `db/`. In sled:
//! - a tree `log/<hunt id>` per hunt, mapping each position (a big-endian `u64`, so that
//!   sled's key order is position order) to its event as the core's serde JSON (`codec.rs`);
//! - a tree `definitions`, mapping each hunt id to its definition source;
//! - a tree `checkpoints`, mapping each hunt id to its last [`Checkpoint`] in the core's
//!   [`Checkpoint::to_bytes`] form, written with one insert (so whole or not at all) and
//!   flushed; a value that does not decode loads as an error, which the engine ignores;
//! - in the default tree, `hunt-store-sled/format`: the layout version, so a later layout
//!   can refuse (or upgrade) an older one instead of misreading it.
//!
//! A directory is held by one process at a time: [`SledStore::open`] fails at once with
//! [`StoreError::Locked`] while another process has it open.
//!
//! # Damage sled does not report
//! sled recovers its log up to the first damaged message and silently drops the rest, as
//! it would a write torn by a crash. So `hunt-store.marks` records how long each log was,
//! and which definitions existed, whenever the store is opened or cleanly closed; an open
//! that finds less fails with [`StoreError::Corruption`] instead of serving a shortened
//! (or empty) store. Loss of events appended since the last open or clean close is not
//! caught this way. Checkpoints are not marked: they are an optimisation, verified before
//! use, and may be lost.
//!
//! # Checkpoints in the background
//! [`Checkpointer`] writes an engine's checkpoints from a tokio task, every N events or T
//! seconds, so that reopening a large hunt reads the checkpoint and the events after it
//! instead of the whole log.
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod checkpointer;
mod codec;
mod durable;
mod error;
mod marks;
mod open;

use std::collections::HashMap;
use std::fmt;
use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use hunt_core::notify::Notifier;
use hunt_core::store::{Checkpoint, Digest, Store, StoreError, Wait, definition_digest};
use hunt_core::{Event, HuntId, Recorded};

use crate::durable::Files;
use crate::error::{Poisoned, damaged, from_sled, io_failure, locked};
use crate::marks::Marks;
use crate::open::{Copy, Recovery};

pub use crate::checkpointer::{CheckpointPolicy, Checkpointer, CheckpointerStatus};

/// The file, inside the store's directory, that this crate locks before sled opens anything.
///
/// sled takes its own lock, but only after it has read (or written) its config file, and it
/// reports a held lock as a generic I/O error; taking ours first means a second process
/// touches nothing of the first one's and gets a clear [`StoreError::Locked`].
const LOCK_FILE: &str = "hunt-store.lock";

/// The sled database's own directory inside the store's directory, so that the lock file
/// sits beside sled's files rather than among them.
const DB_DIR: &str = "db";

/// How long [`SledStore::open`] waits for sled's own file lock once it holds the store's:
/// a database dropped a moment ago in this process releases it only when sled's background
/// flusher has stopped (it wakes every 500 ms). Short, because the holder may also be
/// another process that opened sled's files without the store's lock: that one is
/// reported [`StoreError::Locked`] after this wait.
const SLED_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Opens sled's database at `path`, waiting up to [`SLED_LOCK_WAIT`] while sled's file lock
/// is still held (see there).
fn open_db(path: &Path) -> Result<sled::Db, sled::Error> {
    let deadline = std::time::Instant::now() + SLED_LOCK_WAIT;
    loop {
        match sled::Config::new().path(path).open() {
            Err(sled::Error::Io(io))
                if io.to_string().contains(error::SLED_LOCK_MESSAGE)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            opened => return opened,
        }
    }
}

/// Key of the layout version in sled's default tree.
const FORMAT_KEY: &[u8] = b"hunt-store-sled/format";

/// The layout this version writes and reads.
const FORMAT: &[u8] = b"1";

/// Name of the tree of definitions.
const DEFINITIONS: &[u8] = b"definitions";

/// Name of the tree of checkpoints.
const CHECKPOINTS: &[u8] = b"checkpoints";

/// Prefix of the name of each hunt's log tree.
const LOG_PREFIX: &[u8] = b"log/";

/// Upper bound on the capacity reserved up front for a read, whatever its limit: callers
/// pass `usize::MAX` to mean "everything".
const READ_RESERVE: usize = 1_024;

/// A durable [`Store`] in a directory on disk, on sled.
///
/// - **Conditional append**, atomic and race-free: appends to one hunt are serialized by an
///   async mutex held from the check of the expectation until the flush has finished; the
///   events are written with one `apply_batch`, which sled recovers whole or not at all.
/// - **Durable**: an append, and a definition save, return `Ok` only after sled's flush
///   and an `fsync` of the files it wrote. sled 0.34.7's flush alone survives a process
///   crash but not a power cut on Linux: it syncs its log with `sync_file_range` and never
///   syncs its blob files (see `durable.rs`).
/// - **Readers see only acknowledged data**: reads stop at the end of the last batch whose
///   flush finished, so they never see part of a batch nor events a crash could still take
///   back.
///
/// Reads and the batch write run on the caller's thread: sled serves them from its page
/// cache in microseconds, so only the flush, the one slow step, is moved off the executor,
/// to the `blocking` crate's thread pool (so no particular async runtime is needed).
///
/// Drop every handle (and every engine holding one) to release the directory.
pub struct SledStore {
    /// The store's directory, for error messages.
    path: PathBuf,
    db: sled::Db,
    definitions: sled::Tree,
    checkpoints: sled::Tree,
    /// Each hunt's log, created on its first non-empty append. Never held across an await.
    logs: Mutex<HashMap<HuntId, Arc<HuntLog>>>,
    /// Serializes the compare-and-set of definitions and of checkpoints (a directory is held
    /// by one process, so an in-process lock makes them atomic). Never held across an await.
    compare_and_set: Mutex<()>,
    /// Notified whenever an append becomes visible to readers, for [`Store::wait_past`].
    appended: Notifier,
    /// Set when a write failed halfway, leaving sled's in-memory view of a tree unknown: every
    /// later call fails until the store is opened again, which recovers whole batches only.
    poisoned: AtomicBool,
    /// Set for a store opened from a copy ([`SledStore::open_copy`],
    /// [`SledStore::open_salvage`]): the copy, removed when the store is dropped. Such a
    /// store refuses every write.
    copy: Option<Copy>,
    /// The files to `fsync` after each flush, and the directory's lock; declared last so
    /// that the lock is released only after the sled handles above are dropped.
    files: Arc<Files>,
}

/// One hunt's log tree and its ends.
struct HuntLog {
    tree: sled::Tree,
    /// The end of the log as written to the tree: whole batches only, not necessarily
    /// flushed. Locked for the whole of an append, flush included, which is what makes the
    /// check of the expectation and the write one atomic step.
    written: async_lock::Mutex<u64>,
    /// The end readers may see: that of the last batch whose flush finished. Lags `written`
    /// only while a flush runs, or after a flush failed or its append was cancelled.
    visible: AtomicU64,
}

impl SledStore {
    /// Opens the store in the directory `path`, creating it if needed.
    ///
    /// Fails at once with [`StoreError::Locked`] if another process holds the directory,
    /// without touching its files; with [`StoreError::Corruption`] if sled finds its files
    /// damaged or written in a format it does not support, or recovers less than the store
    /// held when it was last opened or closed (and then writes nothing); with
    /// [`StoreError::Unavailable`] on other I/O errors, whose source is an
    /// [`std::io::Error`] of the original kind naming the path (a directory that refuses
    /// writes gives [`std::io::ErrorKind::ReadOnlyFilesystem`] or
    /// [`std::io::ErrorKind::PermissionDenied`]: [`SledStore::open_copy`] reads such a
    /// store). sled 0.34.7 panics on some damage (a truncated or emptied database file);
    /// that panic is caught and reported as [`StoreError::Corruption`] too (see `open.rs`).
    ///
    /// Opening replays sled's own log, which takes time in proportion to what was written
    /// since sled's last snapshot of its page table.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        open::guarded(path, || Self::open_in(path, path, Recovery::Strict))
    }

    /// Opens the store in the directory `dir`, naming it `shown` in messages.
    fn open_in(dir: &Path, shown: &Path, recovery: Recovery) -> Result<Self, StoreError> {
        let path = shown.to_path_buf();
        if dir.exists() && !dir.is_dir() {
            let error = std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "it is a file, not a directory",
            );
            return Err(io_failure(&path, "open a store in", error));
        }
        fs::create_dir_all(dir).map_err(|e| io_failure(dir, "create the directory", e))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_failure(&lock_path, "open for writing", e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(locked(&path)),
            Err(TryLockError::Error(e)) => return Err(io_failure(&lock_path, "lock", e)),
        }
        let sled_error = |e| from_sled(&path, e);
        let db = open_db(&dir.join(DB_DIR)).map_err(sled_error)?;
        let format = db.get(FORMAT_KEY).map_err(sled_error)?;
        if let Some(format) = format.as_ref().filter(|format| **format != FORMAT) {
            let found = String::from_utf8_lossy(format).into_owned();
            return Err(damaged(
                &path,
                &format!(
                    "its layout version is {found:?}, which this version of hunt-store-sled \
                     does not read (it reads {:?})",
                    String::from_utf8_lossy(FORMAT)
                ),
                format!("unknown layout version {found:?}"),
            ));
        }
        let files = Files::new(&dir.join(DB_DIR), lock)
            .map_err(|e| io_failure(&dir.join(DB_DIR), "open the database file in", e))?;
        let names = db.tree_names();
        let mut logs = HashMap::new();
        let mut now = Marks::default();
        for name in &names {
            let Some(id) = name.strip_prefix(LOG_PREFIX) else {
                continue;
            };
            let hunt = std::str::from_utf8(id)
                .ok()
                .and_then(|id| HuntId::new(id).ok())
                .ok_or_else(|| {
                    damaged(
                        &path,
                        &format!(
                            "it has a log tree named {:?}, which is no valid hunt id",
                            String::from_utf8_lossy(name)
                        ),
                        "a log tree with an invalid name",
                    )
                })?;
            let tree = db.open_tree(name).map_err(sled_error)?;
            let end = log_end(&path, &hunt, &tree)?;
            now.ends.insert(hunt.to_string(), end);
            logs.insert(hunt, Arc::new(HuntLog::new(tree, end)));
        }
        // Nothing is written until the marks are checked: a damaged store must stay as it is.
        if names.iter().any(|name| name == DEFINITIONS) {
            let definitions = db.open_tree(DEFINITIONS).map_err(sled_error)?;
            now.definitions = defined_hunts(&path, &definitions)?
                .iter()
                .map(HuntId::to_string)
                .collect();
        }
        let previous = Marks::load(dir).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                damaged(&path, "its file hunt-store.marks does not parse", e)
            } else {
                io_failure(dir, "read the marks file in", e)
            }
        });
        let previous = match recovery {
            Recovery::Strict => previous?,
            // Salvage serves what sled recovered, whatever the marks say.
            Recovery::Salvage => None,
        };
        if let Some(what) = previous.as_ref().and_then(|p| p.missing_from(&now)) {
            return Err(damaged(
                &path,
                &what,
                "sled recovered less than the store held before",
            ));
        }
        if previous.as_ref() != Some(&now) {
            now.save(dir)
                .map_err(|e| io_failure(dir, "write the marks file in", e))?;
        }
        if format.is_none() {
            // Written with the first flush; a store that never flushes anything has no data
            // for a later version to misread anyway.
            db.insert(FORMAT_KEY, FORMAT).map_err(sled_error)?;
        }
        let definitions = db.open_tree(DEFINITIONS).map_err(sled_error)?;
        let checkpoints = db.open_tree(CHECKPOINTS).map_err(sled_error)?;
        Ok(Self {
            path,
            db,
            definitions,
            checkpoints,
            logs: Mutex::new(logs),
            compare_and_set: Mutex::new(()),
            appended: Notifier::new(),
            poisoned: AtomicBool::new(false),
            copy: None,
            files: Arc::new(files),
        })
    }

    /// The directory this store was opened in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The size of sled's files on disk, in bytes, as sled counts it.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(|e| self.sled_error(e))
    }

    fn sled_error(&self, error: sled::Error) -> StoreError {
        from_sled(&self.path, error)
    }

    /// Fails if this store was opened from a copy, which records nothing.
    fn check_writable(&self) -> Result<(), StoreError> {
        match &self.copy {
            Some(copy) => Err(copy.refusal(&self.path)),
            None => Ok(()),
        }
    }

    /// Fails if an earlier write failed halfway.
    fn check_poisoned(&self) -> Result<(), StoreError> {
        if self.poisoned.load(Ordering::Acquire) {
            return Err(StoreError::unavailable(Poisoned));
        }
        Ok(())
    }

    /// Takes the lock of definition and checkpoint saves.
    fn lock_compare_and_set(&self) -> MutexGuard<'_, ()> {
        self.compare_and_set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The end of the log of `hunt` that readers may see.
    fn visible_end(&self, hunt: &HuntId) -> u64 {
        self.existing_log(hunt)
            .map_or(0, |log| log.visible.load(Ordering::Acquire))
    }

    /// Makes `end` the end readers see, and wakes the waiters of every hunt (they check
    /// their own).
    fn publish(&self, log: &HuntLog, end: u64) {
        log.visible.store(end, Ordering::Release);
        self.appended.notify_all();
    }

    fn lock_logs(&self) -> MutexGuard<'_, HashMap<HuntId, Arc<HuntLog>>> {
        // The map is only ever inserted into whole, so a panic elsewhere cannot leave it
        // half-updated.
        self.logs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The log of `hunt`, if anything was ever appended to it.
    fn existing_log(&self, hunt: &HuntId) -> Option<Arc<HuntLog>> {
        self.lock_logs().get(hunt).cloned()
    }

    /// The log of `hunt`, created (as an empty tree) if needed.
    ///
    /// Only appends create trees, so reads of made-up hunt ids leave nothing behind.
    fn log_for_append(&self, hunt: &HuntId) -> Result<Arc<HuntLog>, StoreError> {
        let mut logs = self.lock_logs();
        if let Some(log) = logs.get(hunt) {
            return Ok(log.clone());
        }
        let tree = self
            .db
            .open_tree(tree_name(hunt))
            .map_err(|e| self.sled_error(e))?;
        let log = Arc::new(HuntLog::new(tree, 0));
        logs.insert(hunt.clone(), log.clone());
        Ok(log)
    }

    /// Makes everything written so far durable: sled's flush, then the `fsync`s it leaves
    /// out (see `durable.rs`), on a thread of the `blocking` pool so that the executor's
    /// threads never wait for the disk.
    async fn flush(&self) -> Result<(), StoreError> {
        // Owned clones: a flush whose caller is cancelled runs on, and keeps the store's
        // lock, to its end.
        let db = self.db.clone();
        let files = self.files.clone();
        let path = self.path.clone();
        blocking::unblock(move || {
            let result = db.flush().map_err(|e| from_sled(&path, e)).and_then(|_| {
                files
                    .sync()
                    .map_err(|e| io_failure(&path, "sync the files of the sled store in", e))
            });
            // The sled handle before the files: these may be the last (see `Files`'s `Drop`).
            drop(db);
            drop(files);
            result
        })
        .await
    }
}

impl Drop for SledStore {
    /// Records the marks (see `marks.rs`) once everything written is durable. Best effort:
    /// a store that cannot make its data durable, or that was poisoned, records nothing, and
    /// the marks of its last open stay in force (still lower bounds).
    fn drop(&mut self) {
        // The fields drop after this, the sled handles before the files (declared last).
        self.files.release_with_sled();
        // A copy's marks would describe the copy, and its directory is about to go.
        if self.copy.is_some()
            || self.poisoned.load(Ordering::Acquire)
            || self.db.flush().is_err()
            || self.files.sync().is_err()
        {
            return;
        }
        let mut marks = Marks::default();
        for (hunt, log) in self.lock_logs().iter() {
            match log_end(&self.path, hunt, &log.tree) {
                Ok(end) => marks.ends.insert(hunt.to_string(), end),
                Err(_) => return,
            };
        }
        match defined_hunts(&self.path, &self.definitions) {
            Ok(hunts) => marks.definitions = hunts.iter().map(HuntId::to_string).collect(),
            Err(_) => return,
        }
        let _ = marks.save(&self.path);
    }
}

impl HuntLog {
    fn new(tree: sled::Tree, end: u64) -> Self {
        Self {
            tree,
            written: async_lock::Mutex::new(end),
            visible: AtomicU64::new(end),
        }
    }
}

impl fmt::Debug for SledStore {
    /// Shows the path and each log's visible end, not sled's internals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ends: std::collections::BTreeMap<String, u64> = self
            .lock_logs()
            .iter()
            .map(|(hunt, log)| (hunt.to_string(), log.visible.load(Ordering::Acquire)))
            .collect();
        f.debug_struct("SledStore")
            .field("path", &self.path)
            .field("log_ends", &ends)
            .field("poisoned", &self.poisoned.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

/// The end of the log of `hunt` held in `tree`: the position of its last key.
fn log_end(path: &Path, hunt: &HuntId, tree: &sled::Tree) -> Result<u64, StoreError> {
    match tree.last().map_err(|e| from_sled(path, e))? {
        None => Ok(0),
        Some((key, _)) => position(&key).ok_or_else(|| {
            damaged(
                path,
                &format!("the log of hunt `{hunt}` has a key that is no position"),
                format!("a key of {} bytes", key.len()),
            )
        }),
    }
}

/// Every hunt with a definition in `definitions`, in id order (sled iterates in key byte
/// order, which is `HuntId`'s order).
fn defined_hunts(path: &Path, definitions: &sled::Tree) -> Result<Vec<HuntId>, StoreError> {
    let mut hunts = Vec::new();
    for entry in definitions.iter().keys() {
        let key = entry.map_err(|e| from_sled(path, e))?;
        let hunt = std::str::from_utf8(&key)
            .ok()
            .and_then(|id| HuntId::new(id).ok())
            .ok_or_else(|| {
                damaged(
                    path,
                    &format!(
                        "it has a definition under {:?}, which is no valid hunt id",
                        String::from_utf8_lossy(&key)
                    ),
                    "a definition with an invalid key",
                )
            })?;
        hunts.push(hunt);
    }
    Ok(hunts)
}

/// A failed flush after a write: the write is in sled's memory and reaches the disk with a
/// later flush, so its outcome is unknown, not failed.
fn unknown_if_unavailable(error: StoreError) -> StoreError {
    match error {
        StoreError::Unavailable { source } => StoreError::OutcomeUnknown { source },
        other => other,
    }
}

/// The name of the log tree of `hunt`.
fn tree_name(hunt: &HuntId) -> Vec<u8> {
    [LOG_PREFIX, hunt.as_str().as_bytes()].concat()
}

/// The key of position `seq`: big-endian, so that sled's byte order is numeric order.
fn key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

/// The position a key holds, if it is one.
fn position(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.try_into().ok()?))
}

#[async_trait]
impl Store for SledStore {
    async fn append(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        self.check_poisoned()?;
        if !events.is_empty() {
            self.check_writable()?;
        }
        let log = if events.is_empty() {
            // Checking an expectation must not create a tree.
            match self.existing_log(hunt) {
                Some(log) => log,
                None if expected == 0 => return Ok(0),
                None => {
                    return Err(StoreError::Conflict {
                        expected,
                        actual: 0,
                    });
                }
            }
        } else {
            self.log_for_append(hunt)?
        };
        // Encoding needs no lock, so it happens before taking one.
        let mut encoded = Vec::with_capacity(events.len());
        for event in events {
            encoded.push(codec::encode(event).map_err(StoreError::unavailable)?);
        }

        let mut written = log.written.lock().await;
        // A batch written before a flush that failed, or whose append was cancelled, is
        // flushed and published now: its caller was told nothing, so it may or may not be
        // there, and it must not stay invisible to readers while blocking every expectation.
        if log.visible.load(Ordering::Acquire) != *written {
            self.flush().await?;
            self.publish(&log, *written);
        }
        let actual = *written;
        if actual != expected {
            return Err(StoreError::Conflict { expected, actual });
        }
        if events.is_empty() {
            return Ok(actual);
        }
        let end = u64::try_from(events.len())
            .ok()
            .and_then(|len| expected.checked_add(len))
            .ok_or_else(|| StoreError::TooLarge {
                what: format!("a batch of {} events", events.len()),
            })?;
        let mut batch = sled::Batch::default();
        for (seq, value) in (expected + 1..).zip(encoded) {
            batch.insert(&key(seq), value);
        }
        if let Err(e) = log.tree.apply_batch(batch) {
            // sled may have inserted part of the batch into its in-memory tree before
            // failing; only reopening (which recovers batches whole) gives a known state.
            self.poisoned.store(true, Ordering::Release);
            return Err(self.sled_error(e));
        }
        *written = end;
        // The batch is in sled's tree: if it cannot be made durable now, the next append
        // flushes and publishes it, so its outcome is unknown rather than failed.
        self.flush().await.map_err(unknown_if_unavailable)?;
        self.publish(&log, end);
        Ok(end)
    }

    async fn read(
        &self,
        hunt: &HuntId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError> {
        self.check_poisoned()?;
        let Some(log) = self.existing_log(hunt) else {
            return Ok(Vec::new());
        };
        let end = log.visible.load(Ordering::Acquire);
        if after >= end || limit == 0 {
            return Ok(Vec::new());
        }
        let wanted = (end - after).min(u64::try_from(limit).unwrap_or(u64::MAX));
        let mut out = Vec::with_capacity(
            usize::try_from(wanted).map_or(READ_RESERVE, |w| w.min(READ_RESERVE)),
        );
        // `after < end <= u64::MAX`, so `after + 1` cannot overflow.
        let range = key(after + 1)..=key(after + wanted);
        for (entry, seq) in log.tree.range(range).zip(after + 1..) {
            let (stored_key, value) = entry.map_err(|e| self.sled_error(e))?;
            if position(&stored_key) != Some(seq) {
                return Err(damaged(
                    &self.path,
                    &format!("the log of hunt `{hunt}` has no event at position {seq}"),
                    format!("found key {stored_key:?} where position {seq} was due"),
                ));
            }
            let event = codec::decode(&value).map_err(|e| {
                damaged(
                    &self.path,
                    &format!("event {seq} of hunt `{hunt}` does not decode"),
                    e,
                )
            })?;
            out.push(Recorded { seq, event });
        }
        if (out.len() as u64) < wanted {
            let missing = after + out.len() as u64 + 1;
            return Err(StoreError::Corruption {
                what: format!(
                    "the sled store at {} (the log of hunt `{hunt}` ends at {end} but has no \
                     event at position {missing})",
                    self.path.display()
                ),
                source: None,
            });
        }
        Ok(out)
    }

    async fn end(&self, hunt: &HuntId) -> Result<u64, StoreError> {
        self.check_poisoned()?;
        Ok(self.visible_end(hunt))
    }

    async fn read_positions(
        &self,
        hunt: &HuntId,
        positions: &[u64],
    ) -> Result<Vec<Recorded>, StoreError> {
        self.check_poisoned()?;
        let Some(log) = self.existing_log(hunt) else {
            return Ok(Vec::new());
        };
        let end = log.visible.load(Ordering::Acquire);
        let mut found = Vec::with_capacity(positions.len());
        for &seq in positions.iter().take_while(|&&seq| seq >= 1 && seq <= end) {
            let value = log
                .tree
                .get(key(seq))
                .map_err(|e| self.sled_error(e))?
                .ok_or_else(|| StoreError::Corruption {
                    what: format!(
                        "the sled store at {} (the log of hunt `{hunt}` ends at {end} but has \
                         no event at position {seq})",
                        self.path.display()
                    ),
                    source: None,
                })?;
            let event = codec::decode(&value).map_err(|e| {
                damaged(
                    &self.path,
                    &format!("event {seq} of hunt `{hunt}` does not decode"),
                    e,
                )
            })?;
            found.push(Recorded { seq, event });
        }
        Ok(found)
    }

    async fn wait_past(&self, hunt: &HuntId, position: u64) -> Result<Wait, StoreError> {
        self.appended
            .wait_until(|| match self.check_poisoned() {
                Err(e) => Some(Err(e)),
                Ok(()) => {
                    let end = self.visible_end(hunt);
                    (end > position).then_some(Ok(Wait::Moved(end)))
                }
            })
            .await
    }

    async fn save_definition(
        &self,
        hunt: &HuntId,
        source: &str,
        replaces: Option<Digest>,
    ) -> Result<(), StoreError> {
        self.check_poisoned()?;
        self.check_writable()?;
        {
            let _one_at_a_time = self.lock_compare_and_set();
            let stored = self
                .definitions
                .get(hunt.as_str())
                .map_err(|e| self.sled_error(e))?;
            if stored.as_deref() != Some(source.as_bytes()) {
                let found = match &stored {
                    None => None,
                    Some(bytes) => Some(definition_digest(std::str::from_utf8(bytes).map_err(
                        |e| {
                            damaged(
                                &self.path,
                                &format!("the definition of hunt `{hunt}` is not UTF-8"),
                                e,
                            )
                        },
                    )?)),
                };
                if found != replaces {
                    return Err(StoreError::DefinitionConflict { found });
                }
                self.definitions
                    .insert(hunt.as_str(), source.as_bytes())
                    .map_err(|e| self.sled_error(e))?;
            }
        }
        self.flush().await.map_err(unknown_if_unavailable)
    }

    async fn load_definition(&self, hunt: &HuntId) -> Result<Option<String>, StoreError> {
        self.check_poisoned()?;
        let Some(value) = self
            .definitions
            .get(hunt.as_str())
            .map_err(|e| self.sled_error(e))?
        else {
            return Ok(None);
        };
        String::from_utf8(value.to_vec()).map(Some).map_err(|e| {
            damaged(
                &self.path,
                &format!("the definition of hunt `{hunt}` is not UTF-8"),
                e,
            )
        })
    }

    async fn hunts(&self) -> Result<Vec<HuntId>, StoreError> {
        self.check_poisoned()?;
        defined_hunts(&self.path, &self.definitions)
    }

    async fn save_checkpoint(
        &self,
        hunt: &HuntId,
        checkpoint: &Checkpoint,
    ) -> Result<bool, StoreError> {
        self.check_poisoned()?;
        self.check_writable()?;
        let bytes = checkpoint.to_bytes();
        {
            let _one_at_a_time = self.lock_compare_and_set();
            let stored = self
                .checkpoints
                .get(hunt.as_str())
                .map_err(|e| self.sled_error(e))?;
            // A stored checkpoint that no longer decodes is replaced.
            let later = stored
                .and_then(|value| Checkpoint::from_bytes(&value).ok())
                .is_some_and(|stored| stored.seq > checkpoint.seq);
            if later {
                return Ok(false);
            }
            // One insert: sled recovers it whole or not at all, so a crash leaves the
            // previous checkpoint or this one.
            self.checkpoints
                .insert(hunt.as_str(), bytes)
                .map_err(|e| self.sled_error(e))?;
        }
        self.flush().await.map_err(unknown_if_unavailable)?;
        Ok(true)
    }

    async fn load_checkpoint(&self, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError> {
        self.check_poisoned()?;
        let Some(value) = self
            .checkpoints
            .get(hunt.as_str())
            .map_err(|e| self.sled_error(e))?
        else {
            return Ok(None);
        };
        // Only a checkpoint is damaged, which costs a replay, not data: no alarm about the
        // directory as a whole.
        Checkpoint::from_bytes(&value)
            .map(Some)
            .map_err(|e| StoreError::Corruption {
                what: format!(
                    "the checkpoint of hunt `{hunt}` in the sled store at {} does not decode; \
                     it is ignored, and the next checkpoint replaces it",
                    self.path.display()
                ),
                source: Some(Box::new(e)),
            })
    }
}
