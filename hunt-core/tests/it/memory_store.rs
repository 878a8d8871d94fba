//! `MemoryStore`: the whole conformance suite, and its fault injection.

use std::sync::Arc;

use async_trait::async_trait;
use hunt_core::HuntId;
use hunt_core::store::{MemoryStore, Store, StoreError};
use hunt_core::testing::{StoreBuilder, run_case, sample_events};

/// Fresh memory stores, which cannot be reopened.
struct MemoryBuilder;

#[async_trait]
impl StoreBuilder for MemoryBuilder {
    type Guard = ();

    async fn build(&self) -> (Arc<dyn Store>, ()) {
        (Arc::new(MemoryStore::new()), ())
    }
}

hunt_core::store_conformance_tests!(MemoryBuilder);

/// Fresh memory stores whose second handle is a clone sharing the log.
struct ClonedMemoryBuilder;

#[async_trait]
impl StoreBuilder for ClonedMemoryBuilder {
    type Guard = MemoryStore;

    async fn build(&self) -> (Arc<dyn Store>, MemoryStore) {
        let store = MemoryStore::new();
        (Arc::new(store.clone()), store)
    }

    async fn second_handle(&self, _: &Arc<dyn Store>, guard: &MemoryStore) -> Arc<dyn Store> {
        Arc::new(guard.clone())
    }
}

/// The whole suite again with two distinct handles (clones) on one memory store.
mod cloned {
    use super::ClonedMemoryBuilder;

    hunt_core::store_conformance_tests!(ClonedMemoryBuilder);
}

/// Memory stores "reopened" through a clone kept as the guard, so the suite's reopen case,
/// skipped above, runs against a store that keeps its data.
struct SharedMemoryBuilder;

#[async_trait]
impl StoreBuilder for SharedMemoryBuilder {
    type Guard = MemoryStore;

    async fn build(&self) -> (Arc<dyn Store>, MemoryStore) {
        let store = MemoryStore::new();
        (Arc::new(store.clone()), store)
    }

    async fn reopen(&self, guard: &MemoryStore) -> Option<Arc<dyn Store>> {
        Some(Arc::new(guard.clone()))
    }
}

#[test]
fn reopen_case_runs_on_a_store_kept_by_a_clone() {
    run_case(hunt_core::testing::reopen_keeps_everything(
        &SharedMemoryBuilder,
    ));
}

fn finals() -> HuntId {
    HuntId::new("finals").unwrap()
}

#[tokio::test]
async fn failed_appends_write_nothing() {
    let store = MemoryStore::new();
    let events = sample_events(0, 3);
    store.fail_next_appends(2);
    assert!(matches!(
        store.append(&finals(), 0, &events).await,
        Err(StoreError::Injected)
    ));
    // Injected failures come first, even for an append that would conflict.
    assert!(matches!(
        store.append(&finals(), 5, &events).await,
        Err(StoreError::Injected)
    ));
    assert!(
        store
            .read(&finals(), 0, usize::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.append(&finals(), 0, &events).await.unwrap(), 3);
    assert_eq!(store.read(&finals(), 0, usize::MAX).await.unwrap().len(), 3);
}

#[tokio::test]
async fn fail_next_appends_zero_disarms() {
    let store = MemoryStore::new();
    store.fail_next_appends(5);
    store.fail_next_appends(0);
    assert_eq!(
        store
            .append(&finals(), 0, &sample_events(0, 1))
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn fail_after_next_append_writes_then_errs() {
    let store = MemoryStore::new();
    let events = sample_events(0, 3);
    store.fail_after_next_append();
    assert!(matches!(
        store.append(&finals(), 0, &events).await,
        Err(StoreError::OutcomeUnknown { .. })
    ));
    let log = store.read(&finals(), 0, usize::MAX).await.unwrap();
    assert_eq!(
        log.iter()
            .map(|r| (r.seq, r.event.clone()))
            .collect::<Vec<_>>(),
        vec![
            (1, events[0].clone()),
            (2, events[1].clone()),
            (3, events[2].clone()),
        ]
    );
    // Only the next append: the retry, with the same expectation, now conflicts.
    let retry = store.append(&finals(), 0, &events).await.unwrap_err();
    assert!(
        matches!(
            retry,
            StoreError::Conflict {
                expected: 0,
                actual: 3
            }
        ),
        "{retry:?}"
    );
    assert!(retry.is_conflict());
}

#[tokio::test]
async fn fail_after_next_append_hides_a_conflict_too() {
    let store = MemoryStore::new();
    store
        .append(&finals(), 0, &sample_events(0, 2))
        .await
        .unwrap();
    store.fail_after_next_append();
    assert!(matches!(
        store.append(&finals(), 0, &sample_events(5, 1)).await,
        Err(StoreError::OutcomeUnknown { .. })
    ));
    assert_eq!(store.read(&finals(), 0, usize::MAX).await.unwrap().len(), 2);
    assert_eq!(
        store
            .append(&finals(), 2, &sample_events(5, 1))
            .await
            .unwrap(),
        3
    );
}

#[tokio::test]
async fn failed_appends_come_before_a_failure_after_append() {
    let store = MemoryStore::new();
    let events = sample_events(0, 1);
    store.fail_after_next_append();
    store.fail_next_appends(1);
    assert!(matches!(
        store.append(&finals(), 0, &events).await,
        Err(StoreError::Injected)
    ));
    assert!(
        store
            .read(&finals(), 0, usize::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.append(&finals(), 0, &events).await,
        Err(StoreError::OutcomeUnknown { .. })
    ));
    assert_eq!(store.read(&finals(), 0, usize::MAX).await.unwrap().len(), 1);
}

#[tokio::test]
async fn failed_reads_then_reads_again() {
    let store = MemoryStore::new();
    store
        .append(&finals(), 0, &sample_events(0, 4))
        .await
        .unwrap();
    store
        .save_definition(&finals(), "title = \"Finals\"", None)
        .await
        .unwrap();
    store.fail_next_reads(2);
    assert!(matches!(
        store.read(&finals(), 0, 10).await,
        Err(StoreError::Injected)
    ));
    // Definitions are not reads of the log.
    assert_eq!(
        store.load_definition(&finals()).await.unwrap().as_deref(),
        Some("title = \"Finals\"")
    );
    assert_eq!(store.hunts().await.unwrap(), vec![finals()]);
    assert!(matches!(
        store.read(&HuntId::new("other").unwrap(), 0, 10).await,
        Err(StoreError::Injected)
    ));
    assert_eq!(store.read(&finals(), 0, 10).await.unwrap().len(), 4);
}

#[tokio::test]
async fn clones_share_data() {
    let store = MemoryStore::new();
    let clone = store.clone();
    store
        .append(&finals(), 0, &sample_events(0, 2))
        .await
        .unwrap();
    drop(store);
    assert_eq!(clone.read(&finals(), 0, usize::MAX).await.unwrap().len(), 2);
    clone.fail_next_reads(1);
    let debug = format!("{clone:?}");
    assert_eq!(
        debug,
        "MemoryStore { log_lengths: {\"finals\": 2}, definitions: [], fail_appends: 0, \
         next_append: \"none\", fail_reads: 1, checkpoints: {}, fail_checkpoints: 0 }"
    );
}

#[test]
fn store_errors_say_what_to_do_and_keep_their_source() {
    use std::error::Error as _;

    let conflict = StoreError::Conflict {
        expected: 3,
        actual: 5,
    };
    assert!(conflict.is_conflict());
    assert_eq!(
        conflict.to_string(),
        "the log ends at 5, not at the expected 3; nothing was written"
    );

    let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
    let unavailable = StoreError::unavailable(io);
    assert!(!unavailable.is_conflict());
    assert_eq!(
        unavailable.to_string(),
        "the store could not be reached or an I/O operation failed; retrying may help"
    );
    let source = unavailable
        .source()
        .expect("the backend error is kept as the source");
    assert_eq!(
        source
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind),
        Some(std::io::ErrorKind::ConnectionRefused)
    );

    let corruption =
        StoreError::corruption("event 42 of hunt `finals` does not decode", "bad json");
    assert_eq!(
        corruption.to_string(),
        "the store's data is damaged: event 42 of hunt `finals` does not decode; stop writing to \
         it and restore it from a backup"
    );
    assert_eq!(
        corruption.source().map(ToString::to_string).as_deref(),
        Some("bad json")
    );
    let bare = StoreError::Corruption {
        what: "the log of hunt `finals` has a gap".into(),
        source: None,
    };
    assert!(bare.source().is_none());

    let locked = StoreError::Locked {
        what: "/var/lib/hunt/db".into(),
    };
    assert_eq!(
        locked.to_string(),
        "/var/lib/hunt/db is held by another process; stop that process or use another store"
    );
    assert_eq!(
        StoreError::TooLarge {
            what: "a batch of 70000 events".into()
        }
        .to_string(),
        "a batch of 70000 events is too large for this store; nothing was written"
    );
    assert_eq!(
        StoreError::Injected.to_string(),
        "a failure injected by MemoryStore's fault injection"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_append_lands_after_its_caller_is_cancelled() {
    let store = MemoryStore::new();
    let events = sample_events(0, 3);
    let held = store.hold_next_append();
    let appending = {
        let store = store.clone();
        let events = events.clone();
        tokio::spawn(async move { store.append(&finals(), 0, &events).await.map(|_| ()) })
    };
    held.reached().await;
    assert_eq!(store.end(&finals()).await.unwrap(), 0, "held, not written");
    appending.abort();
    assert!(appending.await.unwrap_err().is_cancelled());
    assert!(held.land(), "the held append lands");
    let log = store.read(&finals(), 0, usize::MAX).await.unwrap();
    assert_eq!(log.into_iter().map(|r| r.event).collect::<Vec<_>>(), events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_append_answers_its_caller_when_it_lands_or_is_lost() {
    let store = MemoryStore::new();
    let held = store.hold_next_append();
    let appending = {
        let store = store.clone();
        tokio::spawn(async move { store.append(&finals(), 0, &sample_events(0, 2)).await })
    };
    held.reached().await;
    held.land();
    assert_eq!(appending.await.unwrap().unwrap(), 2);

    let held = store.hold_next_append();
    let appending = {
        let store = store.clone();
        tokio::spawn(async move { store.append(&finals(), 2, &sample_events(5, 1)).await })
    };
    held.reached().await;
    held.lose();
    let lost = appending.await.unwrap();
    assert!(
        lost.as_ref().is_err_and(StoreError::is_outcome_unknown),
        "{lost:?}"
    );
    assert_eq!(store.end(&finals()).await.unwrap(), 2);

    // A hold that no append reached is disarmed by landing it.
    let held = store.hold_next_append();
    assert!(!held.land());
    assert_eq!(
        store
            .append(&finals(), 2, &sample_events(6, 1))
            .await
            .unwrap(),
        3
    );
}

#[tokio::test]
async fn lose_next_append_writes_nothing_and_reports_an_unknown_outcome() {
    let store = MemoryStore::new();
    store.lose_next_append();
    let lost = store.append(&finals(), 0, &sample_events(0, 2)).await;
    assert!(
        lost.as_ref().is_err_and(StoreError::is_outcome_unknown),
        "{lost:?}"
    );
    assert_eq!(store.end(&finals()).await.unwrap(), 0);
    assert_eq!(
        store
            .append(&finals(), 0, &sample_events(0, 2))
            .await
            .unwrap(),
        2
    );
}
