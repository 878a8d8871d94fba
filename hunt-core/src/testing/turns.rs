//! The conformance case of [`Turn`]s, for stores that have them: while one handle holds a
//! turn, another handle's plain append does not land (it waits, then conflicts), another turn
//! waits for it and then sees its append, and the turn's read sees everything committed
//! before it.
//!
//! [`Turn`]: crate::store::Turn

use std::sync::Arc;
use std::time::Duration;

use super::StoreBuilder;
use super::check::{append_ok, check_log, check_whole_log, error_chain, hunt};
use super::sample::sample_events;
use crate::event::{Event, Recorded};
use crate::ids::HuntId;
use crate::store::{Store, StoreError};

/// How long the other handle's append and turn may take to end once the turn they wait for
/// has ended: a bound that only a deadlock exceeds, not a measure of speed.
pub const TURN_LIMIT: Duration = Duration::from_secs(60);

/// How long the case lets the other handle's append and turn run while the first turn is
/// held. A store that keeps its promise passes however short this is (the case never waits
/// for anything to happen within it); it only gives a store that does not hold them back
/// the chance to let them through, which the case then catches.
const HOLD: Duration = Duration::from_millis(200);

/// While a turn is held on one handle, a plain append on a second handle at the same end
/// does not land (it conflicts, after waiting for the turn to end), and a turn taken on the
/// second handle begins only once the first has ended, so its read sees the first turn's
/// append and its own append lands after it. The first turn's read sees every event
/// appended (on either handle) before it began, and its append lands whatever the others
/// do. Stores without turns (`take_turn` answering `None`) are not concerned.
pub async fn a_turn_holds_back_other_writers<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let other = builder.second_handle(&store, &guard).await;
    let relay = hunt("relay");
    let events = sample_events(700, 6);
    // On the second handle, so the turn's read must see what another handle committed.
    append_ok(&*other, &relay, 0, &events[..3]).await;

    let turn = store.take_turn(&relay).await.unwrap_or_else(|e| {
        panic!(
            "taking a turn at hunt `{relay}` failed: {}",
            error_chain(&e)
        )
    });
    let Some(mut turn) = turn else {
        return;
    };
    let read = turn.read(0, 100).await.unwrap_or_else(|e| {
        panic!(
            "reading hunt `{relay}` under a turn failed: {}",
            error_chain(&e)
        )
    });
    check_log(
        "a read under a turn, of 3 events appended before it on another handle",
        &read,
        1,
        &events[..3],
    );

    let plain = tokio::spawn(append_at(
        other.clone(),
        relay.clone(),
        3,
        events[3].clone(),
    ));
    let second_turn = tokio::spawn(turn_after(other.clone(), relay.clone(), events[5].clone()));
    tokio::time::sleep(HOLD).await;
    assert!(
        !plain.is_finished() || other_landed_nothing(&*store, &relay).await,
        "a plain append on another handle landed while a turn at hunt `{relay}` was held"
    );
    match turn.append(3, &events[4..5]).await {
        Ok(4) => {}
        Ok(end) => panic!("a turn's append at 3 of one event returned the end {end}, not 4"),
        Err(e) => panic!(
            "a turn's append at hunt `{relay}` failed while other writers were held back: {}",
            error_chain(&e)
        ),
    }

    let plain = tokio::time::timeout(TURN_LIMIT, plain)
        .await
        .unwrap_or_else(|_| {
            panic!("a plain append held back by a turn did not end within {TURN_LIMIT:?}")
        })
        .expect("the plain append's task does not panic");
    match plain {
        Err(StoreError::Conflict {
            expected: 3,
            actual,
        }) if actual >= 4 => {}
        other => panic!(
            "a plain append at 3 on another handle, while a turn appended at 3, returned {}; \
             it must conflict",
            match other {
                Ok(end) => format!("Ok({end})"),
                Err(e) => error_chain(&e),
            }
        ),
    }
    let (seen, end) = tokio::time::timeout(TURN_LIMIT, second_turn)
        .await
        .unwrap_or_else(|_| {
            panic!("a turn waiting for another turn did not end within {TURN_LIMIT:?}")
        })
        .expect("the second turn's task does not panic");
    // The plain append's event never landed: the first turn's is at 4.
    let mut whole = events[..3].to_vec();
    whole.push(events[4].clone());
    check_log(
        "the read of a turn that began while another was held",
        &seen,
        1,
        &whole,
    );
    assert_eq!(end, 5, "the second turn's append lands after the first's");
    whole.push(events[5].clone());
    check_whole_log(&*store, &relay, &whole).await;
    check_whole_log(&*other, &relay, &whole).await;
}

/// Whether the log of `hunt` still ends at 3: nothing of the other handle landed.
async fn other_landed_nothing(store: &dyn Store, hunt: &HuntId) -> bool {
    store
        .end(hunt)
        .await
        .unwrap_or_else(|e| panic!("reading the end of `{hunt}` failed: {}", error_chain(&e)))
        == 3
}

async fn append_at(
    store: Arc<dyn Store>,
    hunt: HuntId,
    expected: u64,
    event: Event,
) -> Result<u64, StoreError> {
    store.append(&hunt, expected, &[event]).await
}

/// Takes a turn on `store`, reads the whole log under it and appends `event` at its end:
/// what it read and the new end.
async fn turn_after(store: Arc<dyn Store>, hunt: HuntId, event: Event) -> (Vec<Recorded>, u64) {
    let mut turn = store
        .take_turn(&hunt)
        .await
        .unwrap_or_else(|e| panic!("taking a second turn failed: {}", error_chain(&e)))
        .expect("a store that granted a turn on one handle grants them on another");
    let read = turn
        .read(0, 100)
        .await
        .unwrap_or_else(|e| panic!("reading under a second turn failed: {}", error_chain(&e)));
    let end = turn
        .append(read.len() as u64, &[event])
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the append of a turn that read {} events failed: {}",
                read.len(),
                error_chain(&e)
            )
        });
    (read, end)
}
