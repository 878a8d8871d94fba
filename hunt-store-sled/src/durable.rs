//! Making a flush really durable: sled 0.34.7's own flush is not, on Linux, for a machine
//! crash.
//!
//! What sled's `flush` does there (read in its source, `pagecache/iobuf.rs` and
//! `pagecache/blob_io.rs`, and seen with `strace`):
//! - it writes its log with `pwrite` and then calls `sync_file_range`, not `fsync`. That
//!   system call flushes neither the disk's volatile write cache nor the file's metadata (its
//!   size, as the log grows), so its own manual page warns that data may not be there after a
//!   crash. sled calls `fsync` only from its background thread (every 500 ms), on shutdown and
//!   around snapshots.
//! - tree nodes larger than a quarter of a segment (128 KiB with the default 512 KiB
//!   segments; a node holding a 1 MiB answer is one) go to files in `blobs/`, which sled writes and never
//!   syncs, nor the directory that lists them.
//!
//! A process crash loses none of that (the data is in the kernel's page cache), but a power
//! cut or a kernel crash can. So after sled's flush, [`Files::sync`] calls `fsync` on the
//! database file (through a descriptor of our own: `fsync` applies to the file, whichever
//! descriptor wrote), on every blob file not synced before, and on the blobs directory.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The files whose durability this crate sees to, and the store's lock.
#[derive(Debug)]
pub(crate) struct Files {
    /// sled's database file, opened read-only: `fsync` needs no write access.
    db_file: File,
    /// sled's directory of blob files.
    blobs: PathBuf,
    /// Blob files already synced, with their size then. sled never rewrites a blob (each is
    /// named after the log position it was written at), but another thread may still be
    /// writing one while it is listed: a size that changed since means "sync again".
    synced: Mutex<HashMap<OsString, u64>>,
    /// The store's lock file, held for as long as these files may still be written: a flush
    /// that outlives the store (its caller was cancelled) keeps it, and [`Files`]'s `Drop`
    /// keeps it until sled has let go of its own lock.
    _lock: File,
    /// Set by [`Files::release_with_sled`]: the store's sled handles are gone, so dropping
    /// these files waits for sled to release its lock (see `Drop`).
    release_with_sled: AtomicBool,
}

/// How long dropping [`Files`] waits for sled to release its own lock on the database file.
///
/// sled's threads (its flusher, and the pool that writes its buffers) hold the database
/// for a while after the last handle is dropped; on a loaded machine that has taken more
/// than a second. Bounded, so that a stuck sled thread cannot hang the process's exit.
const SLED_RELEASE_WAIT: Duration = Duration::from_secs(30);

impl Drop for Files {
    /// Waits, before the store's lock is released, until sled has released its lock on the
    /// database file: whoever takes the store's lock next (this process or another) then
    /// finds sled's lock free too, instead of a spurious [`hunt_core::store::StoreError::Locked`].
    fn drop(&mut self) {
        if self.release_with_sled.load(Ordering::Acquire) {
            wait_for_sled_to_release(&self.db_file);
        }
    }
}

/// Waits (at most [`SLED_RELEASE_WAIT`]) until nobody holds sled's lock on its database
/// file, whose descriptor is `db_file`: sled's threads release it a moment after the last
/// handle is dropped.
pub(crate) fn wait_for_sled_to_release(db_file: &File) {
    let deadline = Instant::now() + SLED_RELEASE_WAIT;
    loop {
        // sled locks the file with `flock`, which is per open file: a lock on our own
        // descriptor conflicts with sled's while sled holds it, and with nothing else.
        match db_file.try_lock() {
            Ok(()) => {
                let _ = db_file.unlock();
                return;
            }
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return,
        }
    }
}

impl Files {
    /// The files of the sled database in `db_dir`, opened by sled already; `lock` is the
    /// store's lock, held from now on by this value.
    pub(crate) fn new(db_dir: &Path, lock: File) -> io::Result<Self> {
        Ok(Self {
            // sled names its database file "db" and its blob directory "blobs".
            db_file: File::open(db_dir.join("db"))?,
            blobs: db_dir.join("blobs"),
            synced: Mutex::new(HashMap::new()),
            _lock: lock,
            release_with_sled: AtomicBool::new(false),
        })
    }

    /// Says that the store's sled handles are being dropped, so that dropping these files
    /// (the last step of dropping a store) holds the store's lock until sled has released
    /// its own. Not set while a store is still opening: its handles may outlive these files.
    pub(crate) fn release_with_sled(&self) {
        self.release_with_sled.store(true, Ordering::Release);
    }

    /// Calls `fsync` on every blob file not synced before, on the blobs directory (so the
    /// new files' names are durable too), then on the database file. Blocking: run it off
    /// the async executor.
    pub(crate) fn sync(&self) -> io::Result<()> {
        let mut synced = self.synced.lock().unwrap_or_else(PoisonError::into_inner);
        let mut present = HashMap::new();
        let mut new = false;
        for entry in fs::read_dir(&self.blobs)? {
            let entry = entry?;
            let name = entry.file_name();
            let size = match entry.metadata() {
                Ok(meta) => meta.len(),
                // sled removes blobs of rewritten nodes in the background; a blob gone before
                // it could be synced is one that no stable node points to any more.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            if synced.get(&name) != Some(&size) {
                // The size is read before the sync, so a write still growing the file shows
                // as a changed size next time.
                match File::open(entry.path()) {
                    Ok(blob) => blob.sync_all()?,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
                new = true;
            }
            present.insert(name, size);
        }
        if new {
            File::open(&self.blobs)?.sync_all()?;
        }
        // Forget blobs sled has removed, so the map stays as small as the directory.
        *synced = present;
        self.db_file.sync_all()
    }
}
