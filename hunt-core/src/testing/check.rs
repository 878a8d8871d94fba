//! Helpers shared by the suite's cases: calls that panic with a clear message, and checks
//! that report the first difference rather than dumping whole logs.

use std::fmt::Write as _;

use crate::event::{Event, Recorded};
use crate::ids::HuntId;
use crate::store::{Store, StoreError};

/// The longest rendering of one event in a failure message: answers can be 1 MiB.
const MAX_SHOWN: usize = 300;

/// A hunt id the suite knows to be valid.
pub(crate) fn hunt(id: &str) -> HuntId {
    HuntId::new(id).unwrap_or_else(|e| panic!("the suite uses an invalid hunt id: {e}"))
}

/// `value`'s debug rendering, cut short if long.
pub(crate) fn shown(value: &impl std::fmt::Debug) -> String {
    let mut text = format!("{value:?}");
    if text.len() > MAX_SHOWN {
        let mut cut = MAX_SHOWN;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let total = text.len();
        text.truncate(cut);
        let _ = write!(text, "… ({total} bytes in all)");
    }
    text
}

/// A store error with its chain of sources.
pub(crate) fn error_chain(error: &StoreError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}

/// Appends, expecting success and the new end `expected + events.len()`.
pub(crate) async fn append_ok(
    store: &dyn Store,
    hunt: &HuntId,
    expected: u64,
    events: &[Event],
) -> u64 {
    let want = expected + events.len() as u64;
    match store.append(hunt, expected, events).await {
        Ok(end) if end == want => end,
        Ok(end) => panic!(
            "appending {} events to hunt `{hunt}` at {expected} returned the end {end}, not {want}",
            events.len()
        ),
        Err(e) => panic!(
            "appending {} events to hunt `{hunt}` at {expected} failed: {}",
            events.len(),
            error_chain(&e)
        ),
    }
}

/// Appends with a wrong expectation, expecting exactly `Conflict { expected, actual }`.
pub(crate) async fn append_conflicts(
    store: &dyn Store,
    hunt: &HuntId,
    expected: u64,
    events: &[Event],
    actual: u64,
) {
    match store.append(hunt, expected, events).await {
        Err(StoreError::Conflict {
            expected: e,
            actual: a,
        }) if e == expected && a == actual => {}
        Err(StoreError::Conflict {
            expected: e,
            actual: a,
        }) => panic!(
            "appending to hunt `{hunt}` at {expected} (log ending at {actual}) returned \
             Conflict {{ expected: {e}, actual: {a} }}, not Conflict {{ expected: {expected}, \
             actual: {actual} }}"
        ),
        Ok(end) => panic!(
            "appending {} events to hunt `{hunt}` at {expected}, while the log ends at {actual}, \
             succeeded (new end {end}); it must fail with Conflict and write nothing",
            events.len()
        ),
        Err(e) => panic!(
            "appending to hunt `{hunt}` at {expected}, while the log ends at {actual}, failed \
             with `{}`, not Conflict",
            error_chain(&e)
        ),
    }
}

/// Reads, expecting success.
pub(crate) async fn read_ok(
    store: &dyn Store,
    hunt: &HuntId,
    after: u64,
    limit: usize,
) -> Vec<Recorded> {
    store.read(hunt, after, limit).await.unwrap_or_else(|e| {
        panic!(
            "reading hunt `{hunt}` after {after} (limit {limit}) failed: {}",
            error_chain(&e)
        )
    })
}

/// The whole log of `hunt`.
pub(crate) async fn read_all(store: &dyn Store, hunt: &HuntId) -> Vec<Recorded> {
    read_ok(store, hunt, 0, usize::MAX).await
}

/// Checks that `actual` holds exactly `expected`, at positions from `first_seq` on.
pub(crate) fn check_log(what: &str, actual: &[Recorded], first_seq: u64, expected: &[Event]) {
    for (i, (got, want)) in actual.iter().zip(expected).enumerate() {
        let seq = first_seq + i as u64;
        assert!(
            got.seq == seq,
            "{what}: entry {i} has position {}, expected {seq} (positions start at 1, follow \
             append order and have no gaps)",
            got.seq
        );
        assert!(
            got.event == *want,
            "{what}: the event at position {seq} differs from the one appended\n  read:     {}\n  \
             appended: {}",
            shown(&got.event),
            shown(want)
        );
    }
    assert!(
        actual.len() == expected.len(),
        "{what}: read {} events, expected {} (positions {first_seq}..={}); {}",
        actual.len(),
        expected.len(),
        first_seq + expected.len() as u64 - 1,
        match (actual.get(expected.len()), expected.get(actual.len())) {
            (Some(extra), _) => format!("first extra entry: {}", shown(extra)),
            (_, Some(missing)) => format!("first missing event: {}", shown(missing)),
            _ => String::new(),
        }
    );
}

/// Checks that the log of `hunt` is exactly `expected`.
pub(crate) async fn check_whole_log(store: &dyn Store, hunt: &HuntId, expected: &[Event]) {
    let log = read_all(store, hunt).await;
    check_log(&format!("the log of hunt `{hunt}`"), &log, 1, expected);
}

/// Checks that the definition of `hunt` is `expected`.
pub(crate) async fn check_definition(store: &dyn Store, hunt: &HuntId, expected: Option<&str>) {
    let got = store.load_definition(hunt).await.unwrap_or_else(|e| {
        panic!(
            "loading the definition of hunt `{hunt}` failed: {}",
            error_chain(&e)
        )
    });
    assert!(
        got.as_deref() == expected,
        "the definition of hunt `{hunt}` is {}, expected {}",
        shown(&got),
        shown(&expected)
    );
}

/// Saves a definition in place of the one stored (if any), expecting success.
pub(crate) async fn save_ok(store: &dyn Store, hunt: &HuntId, source: &str) {
    let stored = store.load_definition(hunt).await.unwrap_or_else(|e| {
        panic!(
            "loading the definition of hunt `{hunt}` failed: {}",
            error_chain(&e)
        )
    });
    let replaces = stored.as_deref().map(crate::store::definition_digest);
    store
        .save_definition(hunt, source, replaces)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "saving the definition of hunt `{hunt}` failed: {}",
                error_chain(&e)
            )
        });
}

/// Checks that [`Store::hunts`] lists exactly `expected`, which this sorts.
pub(crate) async fn check_hunts(store: &dyn Store, mut expected: Vec<HuntId>) {
    expected.sort();
    let got = store
        .hunts()
        .await
        .unwrap_or_else(|e| panic!("listing the hunts failed: {}", error_chain(&e)));
    assert!(
        got == expected,
        "hunts() returned {got:?}, expected {expected:?} (every hunt with a saved definition, \
         each once, sorted by id as HuntId's Ord does, i.e. by bytes)"
    );
}
