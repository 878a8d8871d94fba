//! Damaged data gets a typed error that says where and what: events that do not decode, gaps
//! in a log, a layout version this crate does not read, and sled files that fail their
//! checksums (which sled itself passes over in silence).

use std::path::Path;

use hunt_core::store::{Store, StoreError};
use hunt_core::testing::sample_events;
use hunt_store_sled::SledStore;

use crate::support::hunt_id;

/// A runtime for the store's async methods.
fn block_on<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// A store in `dir` whose hunt `finals` has 5 events.
fn store_with_five_events(dir: &Path) {
    let store = SledStore::open(dir).expect("opens");
    block_on(store.append(&hunt_id("finals"), 0, &sample_events(0, 5))).expect("appends");
}

/// Changes sled's files behind the store's back: `change` gets the raw database.
fn tamper(dir: &Path, change: impl FnOnce(&sled::Db)) {
    // "db" is where SledStore keeps sled's files inside its directory.
    let db = sled::open(dir.join("db")).expect("sled opens the database");
    change(&db);
    db.flush().expect("sled flushes");
}

/// Reads the whole log of `finals`, expecting `Corruption`; returns its message.
fn read_corruption(dir: &Path) -> String {
    let store = SledStore::open(dir).expect("opens");
    match block_on(store.read(&hunt_id("finals"), 0, usize::MAX)) {
        Err(error @ StoreError::Corruption { .. }) => error.to_string(),
        other => panic!("reading a damaged log gave {other:?}, not Corruption"),
    }
}

#[test]
fn an_event_that_does_not_decode_is_corruption_naming_hunt_and_position() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    store_with_five_events(dir.path());
    tamper(dir.path(), |db| {
        let log = db.open_tree("log/finals").expect("the log tree");
        log.insert(
            3_u64.to_be_bytes(),
            b"{\"type\":\"no such event\"}".as_slice(),
        )
        .expect("sled writes");
    });
    let message = read_corruption(dir.path());
    assert!(
        message.contains("event 3 of hunt `finals` does not decode")
            && message.contains(&dir.path().display().to_string()),
        "{message}"
    );
    // What is before the damage still reads.
    let store = SledStore::open(dir.path()).expect("opens");
    let head = block_on(store.read(&hunt_id("finals"), 0, 2)).expect("reads");
    assert_eq!(head.len(), 2);
}

#[test]
fn a_gap_in_a_log_is_corruption() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    store_with_five_events(dir.path());
    tamper(dir.path(), |db| {
        let log = db.open_tree("log/finals").expect("the log tree");
        log.remove(2_u64.to_be_bytes()).expect("sled removes");
    });
    let message = read_corruption(dir.path());
    assert!(
        message.contains("the log of hunt `finals` has no event at position 2"),
        "{message}"
    );
}

#[test]
fn an_unknown_layout_version_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    store_with_five_events(dir.path());
    tamper(dir.path(), |db| {
        db.insert(b"hunt-store-sled/format", b"2".as_slice())
            .expect("sled writes");
    });
    match SledStore::open(dir.path()) {
        Err(error @ StoreError::Corruption { .. }) => {
            let message = error.to_string();
            assert!(message.contains("layout version is \"2\""), "{message}");
        }
        other => panic!("opening a store of another layout gave {other:?}"),
    }
}

#[test]
fn damaged_sled_files_are_corruption_naming_the_directory() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    store_with_five_events(dir.path());
    // Flip bytes in the middle of sled's log, past its segment header: the checksums of the
    // messages there no longer match.
    let file = dir.path().join("db").join("db");
    let mut bytes = std::fs::read(&file).expect("the database file reads");
    assert!(
        bytes.len() > 200,
        "the database file has {} bytes",
        bytes.len()
    );
    for byte in &mut bytes[64..200] {
        *byte ^= 0xa5;
    }
    std::fs::write(&file, &bytes).expect("the database file writes");
    let result = SledStore::open(dir.path()).and_then(|store| {
        block_on(store.read(&hunt_id("finals"), 0, usize::MAX))?;
        Ok(())
    });
    match result {
        Err(error @ StoreError::Corruption { .. }) => {
            let message = error.to_string();
            // sled itself reports nothing: it recovers up to the damage and drops the rest as
            // if a crash had torn it. The store's marks (see marks.rs) catch the loss.
            assert!(
                message.contains(&dir.path().display().to_string())
                    && message.contains("sled recovered")
                    && message.contains("of the 5 events the log of hunt `finals` had"),
                "{message}"
            );
        }
        other => panic!("damaged sled files gave {other:?}, not Corruption"),
    }
}
