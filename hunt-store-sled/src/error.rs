//! How sled's failures map into the core's [`StoreError`] vocabulary.
//!
//! sled's errors are fail-stop: an I/O error may go away on retry, but corruption, a
//! "reportable bug" or an unsupported on-disk format will not, so those become
//! [`StoreError::Corruption`] naming the directory and what to do about it.

use std::error::Error;
use std::fmt;
use std::path::Path;

use hunt_core::store::StoreError;

/// The text sled 0.34.7 puts in the `Io` error it returns when another process holds its
/// file lock. sled formats the original `WouldBlock` error into a message of kind `Other`,
/// so the message is all there is to recognise it by; sled is pinned to that version.
const SLED_LOCK_MESSAGE: &str = "could not acquire lock on";

/// Maps a sled error met while using the database at `path`.
pub(crate) fn from_sled(path: &Path, error: sled::Error) -> StoreError {
    match error {
        sled::Error::Io(io) if io.to_string().contains(SLED_LOCK_MESSAGE) => locked(path),
        sled::Error::Io(io) => StoreError::unavailable(io),
        other => damaged(path, &other.to_string(), other),
    }
}

/// A [`StoreError::Locked`] for the directory at `path`.
pub(crate) fn locked(path: &Path) -> StoreError {
    StoreError::Locked {
        what: format!("the sled store at {}", path.display()),
    }
}

/// A [`StoreError::Corruption`] for the database at `path`: `detail` says what is damaged.
pub(crate) fn damaged(
    path: &Path,
    detail: &str,
    source: impl Into<Box<dyn Error + Send + Sync>>,
) -> StoreError {
    StoreError::corruption(
        format!(
            "the sled store at {} ({detail}); copy the directory aside before anything else, \
             then export what still reads from the copy",
            path.display()
        ),
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
