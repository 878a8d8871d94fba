//! How sled's failures, and the store's own file errors, map into the core's [`StoreError`]
//! vocabulary.
//!
//! sled's errors are fail-stop: an I/O error may go away on retry, but corruption, a
//! "reportable bug" or an unsupported on-disk format will not, so those become
//! [`StoreError::Corruption`] naming the directory. I/O errors become
//! [`StoreError::Unavailable`] whose source is an [`io::Error`] of the original
//! [`io::ErrorKind`] (disk full, read-only file system, permission denied, …) that names the
//! path, so a caller can tell a full disk from a refused write and say what to do.

use std::error::Error;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use hunt_core::store::StoreError;

/// The text sled 0.34.7 puts in the `Io` error it returns when another process holds its
/// file lock. sled formats the original `WouldBlock` error into a message of kind `Other`,
/// so the message is all there is to recognise it by; sled is pinned to that version.
pub(crate) const SLED_LOCK_MESSAGE: &str = "could not acquire lock on";

/// Maps a sled error met while using the database at `path`.
pub(crate) fn from_sled(path: &Path, error: sled::Error) -> StoreError {
    match error {
        sled::Error::Io(io) if io.to_string().contains(SLED_LOCK_MESSAGE) => locked(path),
        sled::Error::Io(io) => io_failure(path, "use the sled database in", io),
        other => damaged(path, &other.to_string(), other),
    }
}

/// A [`StoreError::Unavailable`] for an I/O error met while trying to `doing` (such as
/// "create the directory") `path`: its source is an [`io::Error`] of the same kind, whose
/// message names the path and keeps the original error as its source.
pub(crate) fn io_failure(path: &Path, doing: &'static str, error: io::Error) -> StoreError {
    StoreError::unavailable(io::Error::new(
        error.kind(),
        IoFailure {
            doing,
            path: path.to_path_buf(),
            source: error,
        },
    ))
}

/// What an I/O failure was doing, where: the message of [`io_failure`]'s error.
#[derive(Debug)]
struct IoFailure {
    doing: &'static str,
    path: PathBuf,
    source: io::Error,
}

impl fmt::Display for IoFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} {}: {}",
            self.doing,
            self.path.display(),
            self.source
        )
    }
}

impl Error for IoFailure {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// A [`StoreError::Locked`] for the directory at `path`.
pub(crate) fn locked(path: &Path) -> StoreError {
    StoreError::Locked {
        what: format!("the sled store at {}", path.display()),
    }
}

/// A [`StoreError::Corruption`] for the database at `path`: `detail` says what is damaged.
///
/// It says no more: what to do next is the caller's to say (`SledStore::open_salvage` reads
/// what is left without writing to the directory).
pub(crate) fn damaged(
    path: &Path,
    detail: &str,
    source: impl Into<Box<dyn Error + Send + Sync>>,
) -> StoreError {
    StoreError::corruption(
        format!("the sled store at {} ({detail})", path.display()),
        source,
    )
}

/// A failure with no other error behind it: a write that failed halfway left this handle's
/// view of the database unknown.
#[derive(Debug)]
pub(crate) struct Poisoned;

impl fmt::Display for Poisoned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "an earlier write to this sled store failed halfway; drop every handle and open \
             the store again, which recovers each batch whole or not at all",
        )
    }
}

impl Error for Poisoned {}

/// sled stopped with a panic while reading its files, which sled 0.34.7 does on some damage
/// (an emptied or truncated database file: an index out of bounds in its segment
/// recovery) instead of returning an error.
#[derive(Debug)]
pub(crate) struct SledPanicked(pub(crate) String);

impl fmt::Display for SledPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sled panicked while opening its files: {}", self.0)
    }
}

impl Error for SledPanicked {}
