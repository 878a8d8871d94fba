//! Opening a store when its files are not in a state sled likes: sled's panics on damaged
//! files caught and reported as corruption, and stores on media that refuse writes (or
//! damaged ones) read from a private copy.
//!
//! sled 0.34.7 has no read-only mode: opening writes its config file and its log, and the
//! store writes its marks. A store on a read-only mount, or in a directory the process may
//! not write, therefore cannot be opened in place. [`SledStore::open_copy`] copies the
//! directory's files into a temporary directory and opens the copy, refusing every write;
//! [`SledStore::open_salvage`] does the same but skips the check of the marks, so a store
//! whose files sled recovers only in part still gives what it has.
//!
//! sled 0.34.7 also panics, instead of returning an error, on some damage: an emptied or
//! truncated database file stops it with an index out of bounds in its segment recovery
//! (`pagecache/segment.rs`). [`guarded`] runs an open under `catch_unwind` and turns such a
//! panic into [`StoreError::Corruption`] naming the directory. So that the panic does not
//! also print sled's message and backtrace note to stderr, a panic hook is installed once
//! per process, on the first open: it stays silent for panics raised on a thread while that
//! thread is inside [`guarded`], and hands every other panic to the hook that was installed
//! before it. A program that installs its own hook later simply sees sled's message again;
//! a build with `panic = "abort"` cannot catch the panic at all.

use std::any::Any;
use std::cell::Cell;
use std::fs::{self, File, TryLockError};
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;

use hunt_core::store::StoreError;

use crate::error::{SledPanicked, damaged, io_failure, locked};
use crate::marks::MARKS_FILE;
use crate::{DB_DIR, LOCK_FILE, SledStore};

/// How strictly an open checks what sled recovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recovery {
    /// Refuse a store that holds less than its marks say it held.
    Strict,
    /// Serve whatever sled recovered.
    Salvage,
}

/// The private copy a store was opened from.
#[derive(Debug)]
pub(crate) struct Copy {
    /// The copy's directory, removed when dropped.
    _dir: tempfile::TempDir,
    /// Why the store was opened from a copy, for the message refusing writes.
    why: &'static str,
}

impl Copy {
    /// The error every write to a store opened from this copy gets.
    pub(crate) fn refusal(&self, path: &Path) -> StoreError {
        StoreError::unavailable(io::Error::new(
            io::ErrorKind::ReadOnlyFilesystem,
            format!(
                "the sled store at {} was opened for reading only, from a copy ({}): it \
                 records nothing",
                path.display(),
                self.why
            ),
        ))
    }
}

thread_local! {
    /// Set while this thread opens a store under [`guarded`].
    static OPENING: Cell<bool> = const { Cell::new(false) };
}

/// Installs the panic hook described in the module docs, once per process.
fn install_quiet_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !OPENING.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `open` for the store at `path`, turning a panic inside it (sled's, on damaged files)
/// into [`StoreError::Corruption`].
pub(crate) fn guarded<T>(
    path: &Path,
    open: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    install_quiet_hook();
    let was_opening = OPENING.with(|opening| opening.replace(true));
    // Unwind safety: nothing outlives a failed open but the panic's message; every value the
    // closure built is dropped during the unwind.
    let result = panic::catch_unwind(AssertUnwindSafe(open));
    OPENING.with(|opening| opening.set(was_opening));
    // An open that failed once sled had the files (damage found, or sled's panic) dropped
    // sled's handles on the way out, but sled's threads may hold its lock a moment longer:
    // wait for them, so the next open does not find it held. Not for `Locked`: then the
    // holder is somebody else, who keeps it.
    let failed_with_sled = match &result {
        Ok(Ok(_)) | Ok(Err(StoreError::Locked { .. })) => false,
        Ok(Err(_)) | Err(_) => true,
    };
    if failed_with_sled && let Ok(db_file) = File::open(path.join(DB_DIR).join("db")) {
        crate::durable::wait_for_sled_to_release(&db_file);
    }
    result.unwrap_or_else(|payload| {
        let message = panic_message(payload.as_ref());
        Err(damaged(
            path,
            &format!(
                "sled stopped with an internal error while reading its files, as sled 0.34.7 \
                 does when its database file is truncated or emptied: {message}"
            ),
            SledPanicked(message),
        ))
    })
}

/// The text a panic was raised with.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

impl SledStore {
    /// Opens, for reading only, a private copy of the store in the directory `path`: for a
    /// store on a read-only mount or in a directory this process may not write to, where
    /// [`SledStore::open`] fails.
    ///
    /// Nothing is written to `path`. The store's files are copied into a temporary directory
    /// (removed when the store is dropped), which takes time and space in proportion to the
    /// store's size; the copy is opened and checked as [`SledStore::open`] would. Every
    /// write ([`Store::append`](hunt_core::store::Store::append) of events, definitions,
    /// checkpoints) fails with [`StoreError::Unavailable`] whose source is an
    /// [`io::Error`] of kind [`io::ErrorKind::ReadOnlyFilesystem`].
    ///
    /// While another process has the store open (and so may be writing), fails at once with
    /// [`StoreError::Locked`]; messages name `path`, never the copy.
    pub fn open_copy(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        open_from_copy(
            path.as_ref(),
            Recovery::Strict,
            "its directory refuses writes",
        )
    }

    /// Opens, for reading only, a private copy of the damaged store in `path`, to save what
    /// is left of it: like [`SledStore::open_copy`], but a store holding less than it held
    /// when it was last opened or closed (damage sled recovers from by dropping the rest of
    /// its log) opens with what sled recovered instead of failing.
    ///
    /// Reads still fail with [`StoreError::Corruption`] at an event that does not decode or
    /// is missing: read a log in steps to keep what comes before. Damage that keeps sled
    /// from opening its files at all, or a layout this version does not read, still fails.
    pub fn open_salvage(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        open_from_copy(
            path.as_ref(),
            Recovery::Salvage,
            "to salvage what is left of a damaged store",
        )
    }
}

/// Copies the store in `path` into a temporary directory and opens the copy, read-only.
fn open_from_copy(
    path: &Path,
    recovery: Recovery,
    why: &'static str,
) -> Result<SledStore, StoreError> {
    let db = path.join(DB_DIR);
    if !db.is_dir() {
        let error = io::Error::new(io::ErrorKind::NotFound, "it holds no sled store");
        return Err(io_failure(path, "open a copy of", error));
    }
    let copy = tempfile::Builder::new()
        .prefix("hunt-store-copy-")
        .tempdir()
        .map_err(|e| io_failure(&std::env::temp_dir(), "create a directory in", e))?;
    {
        // A process holding the store may be writing to it: wait for none (shared locks
        // don't keep other readers out). A store whose lock file can't even be opened for
        // reading has no writer that could have made one.
        let lock = File::open(path.join(LOCK_FILE)).ok();
        if let Some(lock) = &lock {
            match lock.try_lock_shared() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Err(locked(path)),
                Err(TryLockError::Error(e)) => {
                    return Err(io_failure(&path.join(LOCK_FILE), "lock", e));
                }
            }
        }
        copy_tree(&db, &copy.path().join(DB_DIR))?;
        // The marks too, so that the copy is checked as the store would be.
        let marks = path.join(MARKS_FILE);
        if marks.exists() {
            fs::copy(&marks, copy.path().join(MARKS_FILE))
                .map_err(|e| io_failure(&marks, "copy", e))?;
        }
    }
    let mut store = guarded(path, || SledStore::open_in(copy.path(), path, recovery))?;
    store.copy = Some(Copy { _dir: copy, why });
    Ok(store)
}

/// Copies the directory `from`, with its files and subdirectories, to `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<(), StoreError> {
    fs::create_dir_all(to).map_err(|e| io_failure(to, "create the directory", e))?;
    let entries = fs::read_dir(from).map_err(|e| io_failure(from, "list", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_failure(from, "list", e))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| io_failure(&source, "inspect", e))?;
        if kind.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            fs::copy(&source, &target).map_err(|e| io_failure(&source, "copy", e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_opening_is_corruption_naming_the_directory() {
        let path = Path::new("/stores/finals");
        let opened: Result<u8, StoreError> = guarded(path, || {
            // What sled 0.34.7 does on an emptied database file (sled #1145).
            let segments: Vec<u8> = Vec::new();
            let index = segments.len() + 6;
            Ok(segments[index])
        });
        match opened {
            Err(error @ StoreError::Corruption { .. }) => {
                let message = error.to_string();
                assert!(
                    message.contains("the sled store at /stores/finals")
                        && message.contains("index out of bounds: the len is 0 but the index is 6"),
                    "{message}"
                );
            }
            other => panic!("a panic while opening gave {other:?}"),
        }
        // The thread is no longer opening: its panics reach the previous hook again.
        assert!(!OPENING.with(Cell::get));
        let opened: Result<u8, StoreError> = guarded(path, || Ok(7));
        assert_eq!(opened.expect("no panic"), 7);
    }
}
