//! The conformance cases of several writers: two live handles on one backend, the end of a
//! log and sampled positions in one call, notifications, compare-and-set definitions and
//! checkpoint order across handles.

use std::time::Duration;

use super::StoreBuilder;
use super::cases::run_concurrent;
use super::check::{append_ok, check_definition, error_chain, hunt, read_all};
use super::checkpoints::{
    check_checkpoint, checkpoint, save_checkpoint_ok, save_checkpoint_refused,
};
use super::sample::sample_events;
use crate::ids::HuntId;
use crate::store::{Store, StoreError, Wait, definition_digest};

/// How long a waiter may take to wake after the append it waits for: a bound that only a
/// lost wake-up exceeds, not a measure of speed.
pub const WAKE_LIMIT: Duration = Duration::from_secs(30);

/// `end` is the log's end (0 for an empty or unknown hunt, on both handles), and
/// `read_positions` returns the events at the positions asked for, stopping at the end.
pub async fn end_and_positions_read_in_one_call<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let other = builder.second_handle(&store, &guard).await;
    let finals = hunt("finals");
    for handle in [&store, &other] {
        assert_eq!(
            end_ok(&**handle, &finals).await,
            0,
            "the end of an empty log"
        );
        assert_eq!(
            end_ok(&**handle, &hunt("never")).await,
            0,
            "the end of an unknown hunt"
        );
        assert!(
            positions_ok(&**handle, &finals, &[1, 2]).await.is_empty(),
            "reading positions of an empty log returned events"
        );
    }
    let events = sample_events(2_000, 40);
    append_ok(&*store, &finals, 0, &events[..10]).await;
    append_ok(&*other, &finals, 10, &events[10..]).await;
    let log = read_all(&*store, &finals).await;
    for handle in [&store, &other] {
        assert_eq!(
            end_ok(&**handle, &finals).await,
            40,
            "the end after 40 events"
        );
        for positions in [
            &[1_u64][..],
            &[40],
            &[1, 2, 3, 5, 9, 17, 33, 39, 40],
            &[7, 8, 39],
            &[1, 40, 41, 100],
            &[38, 39, 40, 41, u64::MAX],
            &[41],
        ] {
            let got = positions_ok(&**handle, &finals, positions).await;
            let wanted: Vec<_> = positions
                .iter()
                .take_while(|p| **p <= 40)
                .map(|p| log[*p as usize - 1].clone())
                .collect();
            assert!(
                got == wanted,
                "read_positions({positions:?}) of a log of 40 events returned positions {:?}, \
                 expected {:?}",
                got.iter().map(|r| r.seq).collect::<Vec<_>>(),
                wanted.iter().map(|r| r.seq).collect::<Vec<_>>()
            );
        }
    }
}

/// A definition is saved when absent only with `replaces: None`, replaced only by naming the
/// digest of the one stored, and a save that names another is refused with
/// `DefinitionConflict` (naming the digest found) and writes nothing; saving the stored source
/// again succeeds whatever it names. Across two handles.
pub async fn definitions_are_replaced_by_compare_and_set<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let other = builder.second_handle(&store, &guard).await;
    let finals = hunt("finals");
    let first = "title = \"first\"\n";
    let second = "title = \"second\"\n";
    let third = "title = \"third\"\n";
    expect_conflict(
        &*store,
        &finals,
        first,
        Some(definition_digest(second)),
        None,
    )
    .await;
    check_definition(&*store, &finals, None).await;
    save_definition_ok(&*store, &finals, first, None).await;
    check_definition(&*other, &finals, Some(first)).await;
    // Retrying the same save is harmless, whatever it names.
    save_definition_ok(&*other, &finals, first, None).await;
    save_definition_ok(&*other, &finals, first, Some(definition_digest(third))).await;
    // Two writers both read `first` and replace it: only one wins.
    save_definition_ok(&*store, &finals, second, Some(definition_digest(first))).await;
    let found = Some(definition_digest(second));
    expect_conflict(
        &*other,
        &finals,
        third,
        Some(definition_digest(first)),
        found,
    )
    .await;
    expect_conflict(&*other, &finals, third, None, found).await;
    check_definition(&*store, &finals, Some(second)).await;
    check_definition(&*other, &finals, Some(second)).await;
    save_definition_ok(&*other, &finals, third, Some(definition_digest(second))).await;
    check_definition(&*store, &finals, Some(third)).await;
}

/// Two handles on one backend, 12 tasks on each, append to one hunt at once, each in a retry
/// loop: every batch lands exactly once, whole, in order, as in
/// [`concurrent_appends_lose_and_duplicate_nothing`](super::concurrent_appends_lose_and_duplicate_nothing).
pub async fn two_handles_append_concurrently_and_lose_nothing<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let other = builder.second_handle(&store, &guard).await;
    run_concurrent(&[store, other], &[hunt("finals")], 24, 8).await;
}

/// A waiter on one handle, started before the append it waits for, wakes (within
/// [`WAKE_LIMIT`]) when the other handle appends, with an end past its position; waiters on
/// another hunt, or on a position the append does not pass, keep waiting.
pub async fn notifications_cross_handles<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let other = builder.second_handle(&store, &guard).await;
    let finals = hunt("finals");
    let elsewhere = hunt("elsewhere");
    append_ok(&*store, &finals, 0, &sample_events(2_100, 2)).await;
    if !builder.pushes_notifications() {
        let waited = wait_ok(&*other, &finals, 2).await;
        assert!(
            waited == Wait::Unsupported,
            "a store that does not push answered wait_past at the end with {waited:?}, not \
             Unsupported"
        );
        return;
    }
    let waiter = {
        let other = other.clone();
        let finals = finals.clone();
        tokio::spawn(async move {
            other
                .wait_past(&finals, 2)
                .await
                .map_err(|e| error_chain(&e))
        })
    };
    let far = {
        let other = other.clone();
        let finals = finals.clone();
        tokio::spawn(async move {
            other
                .wait_past(&finals, 10)
                .await
                .map_err(|e| error_chain(&e))
        })
    };
    let apart = {
        let other = other.clone();
        tokio::spawn(async move {
            other
                .wait_past(&elsewhere, 0)
                .await
                .map_err(|e| error_chain(&e))
        })
    };
    // Give the waiters time to start waiting; the case holds whether or not they have.
    tokio::time::sleep(Duration::from_millis(50)).await;
    append_ok(&*store, &finals, 2, &sample_events(2_200, 3)).await;
    match tokio::time::timeout(WAKE_LIMIT, waiter).await {
        Err(_) => panic!(
            "a waiter for hunt `finals` past 2 on one handle was not woken within {WAKE_LIMIT:?} \
             by an append on the other handle that moved the log to 5"
        ),
        Ok(joined) => {
            let waited = joined.expect("the waiter does not panic");
            assert!(
                matches!(waited, Ok(Wait::Moved(end)) if end == 5),
                "a waiter for hunt `finals` past 2 returned {waited:?} after the log moved to 5; \
                 expected Moved(5)"
            );
        }
    }
    assert!(
        !far.is_finished() && !apart.is_finished(),
        "a waiter past 10 (log at 5) or on another hunt returned: {}",
        if far.is_finished() {
            "past 10"
        } else {
            "other hunt"
        }
    );
    far.abort();
    apart.abort();
}

/// A waiter that starts after the append it waits for returns at once, on either handle,
/// with the end; so does one waiting past 0 on a non-empty log.
pub async fn a_waiter_after_the_append_returns_at_once<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let other = builder.second_handle(&store, &guard).await;
    let finals = hunt("finals");
    append_ok(&*store, &finals, 0, &sample_events(2_300, 4)).await;
    for handle in [&store, &other] {
        for position in [0, 1, 3] {
            let waited = tokio::time::timeout(WAKE_LIMIT, handle.wait_past(&finals, position))
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "wait_past({position}) on a log ending at 4 did not return within \
                         {WAKE_LIMIT:?}; it must return at once"
                    )
                });
            assert!(
                matches!(waited, Ok(Wait::Moved(4))),
                "wait_past({position}) on a log ending at 4 returned {:?}, not Moved(4)",
                waited.map_err(|e| error_chain(&e))
            );
        }
    }
}

/// A checkpoint saved through one handle is never replaced by one at an earlier position
/// saved through the other (nor through the first), and is replaced by a later one from
/// either; concurrent saves at several positions leave the latest.
pub async fn checkpoint_order_holds_across_handles<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let other = builder.second_handle(&store, &guard).await;
    let finals = hunt("finals");
    append_ok(&*store, &finals, 0, &sample_events(2_400, 30)).await;
    let at_ten = checkpoint(&finals, 10, 1, 64);
    save_checkpoint_ok(&*store, &finals, &at_ten).await;
    save_checkpoint_refused(&*other, &finals, &checkpoint(&finals, 9, 2, 64)).await;
    save_checkpoint_refused(&*store, &finals, &checkpoint(&finals, 1, 3, 64)).await;
    check_checkpoint(&*other, &finals, Some(&at_ten)).await;
    let at_twelve = checkpoint(&finals, 12, 4, 64);
    save_checkpoint_ok(&*other, &finals, &at_twelve).await;
    check_checkpoint(&*store, &finals, Some(&at_twelve)).await;

    let mut saving = tokio::task::JoinSet::new();
    for seq in 13..=30_u64 {
        let handle = if seq % 2 == 0 {
            store.clone()
        } else {
            other.clone()
        };
        let finals = finals.clone();
        saving.spawn(async move {
            let saved = checkpoint(&finals, seq, seq as u8, 256);
            handle
                .save_checkpoint(&finals, &saved)
                .await
                .map_err(|e| error_chain(&e))
        });
    }
    while let Some(joined) = saving.join_next().await {
        let saved = joined.expect("a saving task does not panic");
        assert!(
            saved.is_ok(),
            "a concurrent checkpoint save failed: {saved:?}"
        );
    }
    check_checkpoint(&*store, &finals, Some(&checkpoint(&finals, 30, 30, 256))).await;
    check_checkpoint(&*other, &finals, Some(&checkpoint(&finals, 30, 30, 256))).await;
}

async fn end_ok(store: &dyn Store, hunt: &HuntId) -> u64 {
    store.end(hunt).await.unwrap_or_else(|e| {
        panic!(
            "the end of the log of hunt `{hunt}` failed: {}",
            error_chain(&e)
        )
    })
}

async fn positions_ok(store: &dyn Store, hunt: &HuntId, positions: &[u64]) -> Vec<crate::Recorded> {
    let got = store
        .read_positions(hunt, positions)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "reading positions {positions:?} of hunt `{hunt}` failed: {}",
                error_chain(&e)
            )
        });
    let seqs: Vec<u64> = got.iter().map(|r| r.seq).collect();
    assert!(
        seqs.iter().zip(positions).all(|(a, b)| a == b),
        "read_positions({positions:?}) of hunt `{hunt}` returned positions {seqs:?}: not a \
         prefix of those asked for"
    );
    got
}

async fn wait_ok(store: &dyn Store, hunt: &HuntId, position: u64) -> Wait {
    store.wait_past(hunt, position).await.unwrap_or_else(|e| {
        panic!(
            "waiting for hunt `{hunt}` past {position} failed: {}",
            error_chain(&e)
        )
    })
}

async fn save_definition_ok(
    store: &dyn Store,
    hunt: &HuntId,
    source: &str,
    replaces: Option<crate::store::Digest>,
) {
    if let Err(e) = store.save_definition(hunt, source, replaces).await {
        panic!(
            "saving {source:?} as the definition of hunt `{hunt}` (replacing {}) failed: {}",
            replaces.map_or("none".to_owned(), |d| hex::encode(&d[..6])),
            error_chain(&e)
        );
    }
}

async fn expect_conflict(
    store: &dyn Store,
    hunt: &HuntId,
    source: &str,
    replaces: Option<crate::store::Digest>,
    found: Option<crate::store::Digest>,
) {
    match store.save_definition(hunt, source, replaces).await {
        Err(StoreError::DefinitionConflict { found: f }) if f == found => {}
        other => panic!(
            "saving {source:?} as the definition of hunt `{hunt}`, naming a definition that is \
             not the stored one, returned {:?}; expected DefinitionConflict {{ found: {:?} }}",
            other.map_err(|e| error_chain(&e)),
            found.map(|d| hex::encode(&d[..6]))
        ),
    }
}
