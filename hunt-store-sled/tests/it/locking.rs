//! A directory held by another process: opening it fails at once with `StoreError::Locked`,
//! naming the directory, and the holder's data is unharmed.

use std::path::Path;
use std::time::{Duration, Instant};

use hunt_core::store::{Store, StoreError};
use hunt_core::testing::sample_events;
use hunt_store_sled::SledStore;

use crate::child::Child;
use crate::support::{hunt_id, read_log};

/// What the holding child writes: this many sample events, in batches of 1 to 9.
const HELD_EVENTS: usize = 120;

/// The definition the holding child saves.
const HELD_DEFINITION: &str = "title = \"held\"\n";

/// How long a refused open may take: "at once", with room for a slow CI machine. Waiting for
/// the lock instead would take as long as the holder lives.
const AT_ONCE: Duration = Duration::from_secs(10);

/// How long a child gets to start and write its data.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Child role: opens the store at `dir`, writes [`HELD_EVENTS`] events and a definition,
/// says "ready", then on each "check" line reads everything back and says "intact" (or
/// panics), until its stdin closes.
pub fn hold_store(dir: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let store = SledStore::open(dir).expect("the holder opens the store");
    let hunt = hunt_id("held");
    let events = sample_events(0, HELD_EVENTS);
    runtime.block_on(async {
        let mut end = 0;
        while end < events.len() {
            let size = (end % 9 + 1).min(events.len() - end);
            let batch = &events[end..end + size];
            store
                .append(&hunt, end as u64, batch)
                .await
                .expect("the holder appends");
            end += size;
        }
        store
            .save_definition(&hunt, HELD_DEFINITION, None)
            .await
            .expect("the holder saves its definition");
    });
    println!("ready");
    for line in std::io::stdin().lines() {
        let line = line.expect("stdin reads");
        if line == "check" {
            runtime.block_on(check_held(&store));
            println!("intact");
        }
    }
}

/// Child role: opens the sled database inside `dir` with sled alone, bypassing the store's
/// own lock file, so that only sled's lock stands in the way; says "ready" and holds it until
/// its stdin closes.
pub fn hold_sled(dir: &Path) {
    // "db" is where SledStore keeps sled's files inside its directory.
    let db = sled::open(dir.join("db")).expect("sled opens the database");
    db.insert(b"held by sled alone", b"yes".as_slice())
        .expect("sled writes");
    db.flush().expect("sled flushes");
    println!("ready");
    for line in std::io::stdin().lines() {
        line.expect("stdin reads");
    }
}

/// Checks that `store` holds exactly what [`hold_store`] wrote.
async fn check_held(store: &SledStore) {
    let hunt = hunt_id("held");
    let log = read_log(store, &hunt).await;
    let events: Vec<_> = log.iter().map(|r| r.event.clone()).collect();
    assert_eq!(
        events,
        sample_events(0, HELD_EVENTS),
        "the held log is intact"
    );
    assert_eq!(
        store
            .load_definition(&hunt)
            .await
            .expect("loads")
            .as_deref(),
        Some(HELD_DEFINITION)
    );
    assert_eq!(store.hunts().await.expect("lists"), vec![hunt]);
}

/// Opens `dir`, expecting `Locked` naming it, at once; returns how long the refusal took.
fn open_expecting_locked(dir: &Path) -> Duration {
    let started = Instant::now();
    let result = SledStore::open(dir);
    let took = started.elapsed();
    match result {
        Err(StoreError::Locked { what }) => {
            assert!(
                what.contains(&dir.display().to_string()),
                "the error names the directory: {what:?}"
            );
        }
        other => panic!("opening a held directory gave {other:?}, not Locked"),
    }
    assert!(took < AT_ONCE, "opening a held directory took {took:?}");
    took
}

#[test]
fn a_directory_held_by_another_process_is_locked_and_stays_intact() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut holder = Child::spawn("hold-store", dir.path(), &[]);
    assert!(
        holder.wait_for("ready", START_TIMEOUT).is_some(),
        "the holder did not get ready: {:?}",
        holder.finish()
    );
    let first = open_expecting_locked(dir.path());
    // A refused open leaves nothing behind that would change the next attempt.
    let second = open_expecting_locked(dir.path());
    let message = SledStore::open(dir.path())
        .expect_err("still held")
        .to_string();
    assert_eq!(
        message,
        format!(
            "the sled store at {} is held by another process; stop that process or use \
             another store",
            dir.path().display()
        )
    );

    // The holder still reads everything it wrote, in the same process that holds it.
    holder.send("check");
    assert!(
        holder.wait_for("intact", START_TIMEOUT).is_some(),
        "the holder's own check failed: {:?}",
        holder.finish()
    );
    // Killed without a chance to clean up: its data must be on disk already, and the lock
    // must go with the process.
    holder.kill();
    let store = SledStore::open(dir.path()).expect("the directory opens once its holder is gone");
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(check_held(&store));
    eprintln!("locking: refused in {first:?}, then {second:?}");
}

#[test]
fn sled_lock_alone_also_maps_to_locked() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut holder = Child::spawn("hold-sled", dir.path(), &[]);
    assert!(
        holder.wait_for("ready", START_TIMEOUT).is_some(),
        "the holder did not get ready: {:?}",
        holder.finish()
    );
    open_expecting_locked(dir.path());
    holder.close_stdin();
    let (status, _) = holder.finish();
    assert!(status.success(), "the holder exits cleanly: {status}");
    // The refused open released the store's own lock file: the directory opens now.
    let store = SledStore::open(dir.path()).expect("the directory opens once sled is free");
    drop(store);
}

/// A database handle dropped a moment ago in this process may keep sled's own file lock
/// while its flusher stops; opening the store meanwhile waits for it rather than failing
/// as if another process held the store.
#[test]
fn a_handle_still_closing_in_this_process_is_waited_for() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    {
        let store = SledStore::open(dir.path()).expect("opens");
        runtime
            .block_on(store.append(&hunt_id("finals"), 0, &sample_events(0, 3)))
            .expect("appends");
    }
    // sled's database, held for a while by another thread of this process.
    let raw = sled::open(dir.path().join("db")).expect("sled opens its files");
    let holder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(raw);
    });
    let store = SledStore::open(dir.path()).expect("waits for sled's lock, then opens");
    let log = runtime.block_on(read_log(&store, &hunt_id("finals")));
    assert_eq!(log.len(), 3);
    holder.join().expect("the holder ends");
}

/// Dropping a store returns only once sled has released its own lock on the database file,
/// so the next open (in this process or another) never finds sled's lock still held while
/// the store's own lock is free. Under load, sled's threads have held it for more than a
/// second after the last handle was dropped.
#[test]
fn a_dropped_store_has_released_sleds_lock() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    for round in 0..20 {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = SledStore::open(dir.path()).expect("opens");
        runtime
            .block_on(store.append(&hunt_id("finals"), 0, &sample_events(0, 3)))
            .expect("appends");
        drop(store);
        // sled locks its database file with `flock`: a lock of ours succeeds once it let go.
        let file = std::fs::File::open(dir.path().join("db").join("db")).expect("sled's file");
        assert!(
            file.try_lock().is_ok(),
            "round {round}: sled still holds its lock after the store was dropped"
        );
    }
}
