//! The cases of the conformance suite, one public `async fn` per promise of the
//! [`Store`] contract.
//!
//! Every case builds its own fresh store, so cases are independent and may run in parallel.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Barrier;
use tokio::task::JoinSet;

use super::StoreBuilder;
use super::check::{
    append_conflicts, append_ok, check_definition, check_hunts, check_log, check_whole_log,
    error_chain, hunt, read_all, read_ok, save_ok, shown,
};
use super::sample::{sample_event, sample_events};
use crate::event::{Event, JudgedAs, Recorded};
use crate::ids::{HuntId, IdempotencyKey, MAX_HUNT_ID_LEN, TeamId};
use crate::store::{Store, StoreError};
use crate::time::Timestamp;

/// One mebibyte, the size of the large answer.
const MIB: usize = 1 << 20;

/// Events appended in batches come back in append order, each exactly as appended (every
/// variant, awkward strings, extreme numbers), and the log grows by whole batches.
pub async fn append_then_read_back_in_order<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    let events = sample_events(0, 60);
    let mut end = 0;
    for size in [1, 2, 3, 5, 8, 13, 28] {
        let batch = &events[end..end + size];
        append_ok(&*store, &finals, end as u64, batch).await;
        end += size;
        check_whole_log(&*store, &finals, &events[..end]).await;
    }
}

/// The first event of a log is at position 1, each append returns the new end, and positions
/// follow each other without gaps.
pub async fn positions_start_at_one_without_gaps<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    let events = sample_events(100, 10);
    assert!(
        read_all(&*store, &finals).await.is_empty(),
        "a fresh store has an empty log"
    );
    append_ok(&*store, &finals, 0, &events[..1]).await;
    let first = read_ok(&*store, &finals, 0, 1).await;
    check_log(
        "the first event appended to an empty log",
        &first,
        1,
        &events[..1],
    );
    append_ok(&*store, &finals, 1, &events[1..3]).await;
    append_ok(&*store, &finals, 3, &events[3..]).await;
    check_whole_log(&*store, &finals, &events).await;
}

/// Reading after every position (including past the end, and far past it) with every kind of
/// limit (0, 1, exact, more than left, `usize::MAX`) returns exactly the right slice.
pub async fn read_from_every_position_with_limits<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    let events = sample_events(200, 25);
    let mut end = 0;
    for size in [3, 1, 9, 12] {
        append_ok(&*store, &finals, end as u64, &events[end..end + size]).await;
        end += size;
    }
    // Limits around the log's size, and huge ones that a store must not truncate to 32 bits
    // (1 << 32 would become 0) nor overflow when converting (usize::MAX, i64::MAX).
    let huge = usize::try_from(1_u64 << 32).unwrap_or(usize::MAX);
    let huge_i64 = usize::try_from(i64::MAX).unwrap_or(usize::MAX);
    let limits = [0, 1, 2, 7, 24, 25, 26, huge, huge_i64, usize::MAX];
    for after in 0..=27_u64 {
        for limit in limits {
            let start = (after as usize).min(events.len());
            let stop = start.saturating_add(limit).min(events.len());
            let got = read_ok(&*store, &finals, after, limit).await;
            check_log(
                &format!("reading 25 events after {after} with limit {limit}"),
                &got,
                after + 1,
                &events[start..stop],
            );
        }
    }
    // Positions far past the end, including ones a store must not truncate to 32 bits
    // ((1 << 32) + 1 would become 1) nor overflow (u64::MAX does not fit an i64).
    for after in [(1_u64 << 32) + 1, i64::MAX as u64, u64::MAX - 1, u64::MAX] {
        for limit in [0, 1, usize::MAX] {
            let got = read_ok(&*store, &finals, after, limit).await;
            assert!(
                got.is_empty(),
                "reading a log of 25 events after {after} with limit {limit} returned {} \
                 entries, the first at position {}; expected none",
                got.len(),
                got[0].seq
            );
        }
    }
}

/// Appending no events checks the expectation (conflicting when wrong) and writes nothing.
pub async fn empty_append_checks_expectation<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    let events = sample_events(300, 3);
    append_ok(&*store, &finals, 0, &[]).await;
    append_conflicts(&*store, &finals, 1, &[], 0).await;
    assert!(
        read_all(&*store, &finals).await.is_empty(),
        "an empty append to an empty log wrote something"
    );
    append_ok(&*store, &finals, 0, &events).await;
    append_ok(&*store, &finals, 3, &[]).await;
    append_conflicts(&*store, &finals, 2, &[], 3).await;
    append_conflicts(&*store, &finals, 0, &[], 3).await;
    append_conflicts(&*store, &finals, 4, &[], 3).await;
    check_whole_log(&*store, &finals, &events).await;
    append_ok(&*store, &finals, 3, &sample_events(303, 1)).await;
}

/// An append whose expectation is behind the end fails with `Conflict` naming the actual
/// end, writes nothing, and leaves the log open to an append at the right end.
pub async fn stale_expectation_conflicts_and_writes_nothing<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    let events = sample_events(400, 5);
    append_ok(&*store, &finals, 0, &events[..2]).await;
    append_ok(&*store, &finals, 2, &events[2..]).await;
    let late = sample_events(450, 3);
    for stale in [0, 1, 2, 4] {
        append_conflicts(&*store, &finals, stale, &late[..1], 5).await;
        append_conflicts(&*store, &finals, stale, &late, 5).await;
    }
    check_whole_log(&*store, &finals, &events).await;
    append_ok(&*store, &finals, 5, &late).await;
    let mut all = events;
    all.extend(late);
    check_whole_log(&*store, &finals, &all).await;
}

/// An append whose expectation is ahead of the end (even `u64::MAX`) fails with `Conflict`
/// naming the actual end and writes nothing.
pub async fn expectation_ahead_conflicts_and_writes_nothing<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    let events = sample_events(500, 2);
    for ahead in [1, 2, i64::MAX as u64, u64::MAX] {
        append_conflicts(&*store, &finals, ahead, &events, 0).await;
    }
    assert!(
        read_all(&*store, &finals).await.is_empty(),
        "a conflicting append to an empty log wrote something"
    );
    append_ok(&*store, &finals, 0, &events).await;
    for ahead in [3, 4, 1 << 32, u64::MAX] {
        append_conflicts(&*store, &finals, ahead, &sample_events(550, 1), 2).await;
    }
    check_whole_log(&*store, &finals, &events).await;
}

/// 24 tasks append batches to one hunt at once, each in a retry loop (read the end, append
/// with that expectation, on conflict catch up and retry): afterwards every batch is in the
/// log exactly once, whole, in each task's order, at gap-free positions; no read ever saw
/// part of a batch; and no task met more conflicts than its rivals' appends can explain.
pub async fn concurrent_appends_lose_and_duplicate_nothing<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    run_concurrent(&[store], &[hunt("finals")], 24, 10).await;
}

/// 4 hunts with 6 concurrent appending tasks each: each log ends up with exactly its own
/// tasks' batches, as in
/// [`concurrent_appends_lose_and_duplicate_nothing`].
pub async fn concurrent_appends_to_several_hunts_stay_apart<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let hunts = [hunt("alpha"), hunt("alpha-2"), hunt("alph"), hunt("beta")];
    run_concurrent(&[store], &hunts, 6, 8).await;
}

/// Hunts whose ids are prefixes of one another, or as long as allowed, keep separate logs,
/// separate ends and separate definitions.
pub async fn hunts_are_kept_apart<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let longest = "h".repeat(MAX_HUNT_ID_LEN);
    let hunts = [
        hunt("alpha"),
        hunt("alpha-2"),
        hunt("alph"),
        hunt("0"),
        hunt(&longest),
    ];
    let mut logs: Vec<Vec<Event>> = vec![Vec::new(); hunts.len()];
    // Interleave appends of different sizes, so each log's end differs from the others'.
    for round in 0..4_u64 {
        for (h, (id, log)) in hunts.iter().zip(&mut logs).enumerate() {
            let batch = sample_events(1_000 * (h as u64 + 1) + 10 * round, h + 1);
            append_ok(&*store, id, log.len() as u64, &batch).await;
            log.extend(batch);
        }
    }
    for (id, log) in hunts.iter().zip(&logs) {
        check_whole_log(&*store, id, log).await;
    }
    // Each hunt's expectation is checked against its own end only.
    let extra = sample_events(9_000, 1);
    append_conflicts(
        &*store,
        &hunts[0],
        logs[1].len() as u64,
        &extra,
        logs[0].len() as u64,
    )
    .await;
    append_conflicts(
        &*store,
        &hunts[2],
        logs[0].len() as u64,
        &extra,
        logs[2].len() as u64,
    )
    .await;
    for (id, log) in hunts.iter().zip(&logs) {
        check_whole_log(&*store, id, log).await;
    }
    save_ok(&*store, &hunts[0], "title = \"alpha\"\n").await;
    save_ok(&*store, &hunts[4], "title = \"longest\"\n").await;
    check_definition(&*store, &hunts[0], Some("title = \"alpha\"\n")).await;
    check_definition(&*store, &hunts[1], None).await;
    check_definition(&*store, &hunts[2], None).await;
    check_definition(&*store, &hunts[4], Some("title = \"longest\"\n")).await;
    check_hunts(&*store, vec![hunts[0].clone(), hunts[4].clone()]).await;
    for (id, log) in hunts.iter().zip(&logs) {
        check_whole_log(&*store, id, log).await;
    }
}

/// Definitions are saved, replaced (not duplicated) and loaded exactly (empty, non-ASCII,
/// 1 MiB), and `hunts()` lists exactly the hunts with a definition, sorted by id in byte
/// order, without touching the logs.
pub async fn definitions_save_replace_load_list<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    check_hunts(&*store, Vec::new()).await;
    check_definition(&*store, &finals, None).await;

    let first = "title = \"Finals\"\nstart = 2026-11-28T09:00:00Z\n";
    let second = "title = \"Finales — édition 2026 🧩\"\r\nnote = '''\n\"quoted\" \\ \t'''\r\n";
    save_ok(&*store, &finals, first).await;
    check_definition(&*store, &finals, Some(first)).await;
    check_hunts(&*store, vec![finals.clone()]).await;
    save_ok(&*store, &finals, second).await;
    check_definition(&*store, &finals, Some(second)).await;
    check_hunts(&*store, vec![finals.clone()]).await;

    // Byte order, which a database collation may not follow: '-' < '0'..'9' < '_' < 'a'..'z'.
    let ids = ["b", "a_b", "ab", "a-b", "9z", "a0"].map(hunt);
    for id in &ids {
        save_ok(&*store, id, &format!("title = \"{id}\"\n")).await;
    }
    let mut all = ids.to_vec();
    all.push(finals.clone());
    check_hunts(&*store, all.clone()).await;
    let listed = store
        .hunts()
        .await
        .unwrap_or_else(|e| panic!("hunts() failed: {}", error_chain(&e)));
    let names: Vec<&str> = listed.iter().map(HuntId::as_str).collect();
    assert_eq!(
        names,
        ["9z", "a-b", "a0", "a_b", "ab", "b", "finals"],
        "hunts() must sort ids by bytes"
    );
    for id in &ids {
        check_definition(&*store, id, Some(&format!("title = \"{id}\"\n"))).await;
    }

    // An empty definition is still a definition.
    let empty = hunt("empty");
    save_ok(&*store, &empty, "").await;
    check_definition(&*store, &empty, Some("")).await;
    all.push(empty);

    // A large one, with multi-byte characters throughout.
    let large_hunt = hunt("large");
    let large = large_text(MIB, "# définition de test — 🧩\nkey = \"value\"\n");
    save_ok(&*store, &large_hunt, &large).await;
    check_definition(&*store, &large_hunt, Some(&large)).await;
    all.push(large_hunt);

    // A hunt with events but no definition is not listed, and saving a definition leaves the
    // log alone.
    let events = sample_events(600, 4);
    append_ok(&*store, &hunt("only-events"), 0, &events).await;
    append_ok(&*store, &finals, 0, &events).await;
    save_ok(&*store, &finals, first).await;
    check_whole_log(&*store, &finals, &events).await;
    check_definition(&*store, &finals, Some(first)).await;
    check_definition(&*store, &hunt("only-events"), None).await;
    check_hunts(&*store, all).await;
}

/// A 1 MiB answer (and a 2 MiB event) round-trips exactly, alone or among small events.
pub async fn large_answer_round_trips<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    let answer = large_text(MIB, "answer — réponse 🧩 \" \\ \n");
    let big = Event::SubmissionJudged {
        team: TeamId(7),
        challenge: "the-long-one".to_owned(),
        key: IdempotencyKey(u128::MAX),
        answer: answer.clone(),
        judged: JudgedAs::Correct,
        at: Timestamp::from_millis(1_764_320_400_000),
    };
    let bigger = Event::SubmissionJudged {
        team: TeamId(8),
        challenge: "the-long-one".to_owned(),
        key: IdempotencyKey(1),
        answer: answer.clone(),
        judged: JudgedAs::Incorrect { guess: answer },
        at: Timestamp::from_millis(1_764_320_400_001),
    };
    let events = vec![sample_event(700), big, sample_event(701), bigger];
    append_ok(&*store, &finals, 0, &events[..3]).await;
    append_ok(&*store, &finals, 3, &events[3..]).await;
    check_whole_log(&*store, &finals, &events).await;
    for after in 0..4 {
        let got = read_ok(&*store, &finals, after, 1).await;
        let at = after as usize;
        check_log(
            &format!("reading one event after {after}"),
            &got,
            after + 1,
            &events[at..=at],
        );
    }
}

/// 10,000 events appended in one call land whole at positions 1..=10,000 and read back
/// whole and in pages; a conflicting batch of that size writes none of them.
pub async fn large_batch_appends_whole<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    let events = sample_events(10_000, 10_000);
    append_ok(&*store, &finals, 0, &events).await;
    append_conflicts(&*store, &finals, 5, &events, 10_000).await;
    check_whole_log(&*store, &finals, &events).await;
    for page in 0..10 {
        let after = page * 1_000;
        let got = read_ok(&*store, &finals, after as u64, 1_000).await;
        check_log(
            &format!("reading page {page} (1,000 events after {after})"),
            &got,
            after as u64 + 1,
            &events[after..after + 1_000],
        );
    }
    let last = read_ok(&*store, &finals, 9_999, 10).await;
    check_log(
        "reading after 9,999 with limit 10",
        &last,
        10_000,
        &events[9_999..],
    );
    let more = sample_events(20_000, 2);
    append_ok(&*store, &finals, 10_000, &more).await;
    let tail = read_ok(&*store, &finals, 9_999, usize::MAX).await;
    let mut expected = vec![events[9_999].clone()];
    expected.extend(more);
    check_log(
        "reading the tail after a large batch",
        &tail,
        10_000,
        &expected,
    );
}

/// A hunt never written to has an empty log (from any position), no definition, is not
/// listed, and conflicts like an empty log.
pub async fn unknown_hunt_reads_empty_and_loads_none<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let known = hunt("known");
    let unknown = hunt("unknown");
    let events = sample_events(800, 3);
    append_ok(&*store, &known, 0, &events).await;
    save_ok(&*store, &known, "title = \"known\"\n").await;
    for (after, limit) in [
        (0, usize::MAX),
        (0, 0),
        (0, 1),
        (3, 10),
        (u64::MAX, usize::MAX),
    ] {
        let got = read_ok(&*store, &unknown, after, limit).await;
        assert!(
            got.is_empty(),
            "reading unknown hunt `{unknown}` after {after} (limit {limit}) returned {} entries, \
             the first {}; an unknown hunt has an empty log",
            got.len(),
            shown(&got[0])
        );
    }
    check_definition(&*store, &unknown, None).await;
    check_hunts(&*store, vec![known.clone()]).await;
    append_conflicts(&*store, &unknown, 1, &events[..1], 0).await;
    append_conflicts(&*store, &unknown, 3, &[], 0).await;
    append_ok(&*store, &unknown, 0, &[]).await;
    assert!(
        read_all(&*store, &unknown).await.is_empty(),
        "an empty append wrote something"
    );
    check_hunts(&*store, vec![known.clone()]).await;
    check_whole_log(&*store, &known, &events).await;
}

/// A durable store, dropped and opened again (twice), still holds every log, definition and
/// end, and goes on appending where it stopped. Skipped, with a note on stdout, for stores
/// whose builder cannot reopen them.
pub async fn reopen_keeps_everything<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let finals = hunt("finals");
    let qualifiers = hunt("qualifiers");
    let drafts = hunt("drafts");
    let mut finals_log = sample_events(900, 40);
    finals_log.push(Event::PointsAdjusted {
        team: TeamId(1),
        delta: -5,
        reason: large_text(100 * 1024, "late — en retard 🧩\n"),
        key: None,
        at: Timestamp::from_millis(1_764_320_400_000),
    });
    let mut qualifiers_log = sample_events(950, 7);
    append_ok(&*store, &finals, 0, &finals_log[..1]).await;
    append_ok(&*store, &finals, 1, &finals_log[1..30]).await;
    append_ok(&*store, &finals, 30, &finals_log[30..]).await;
    append_ok(&*store, &qualifiers, 0, &qualifiers_log).await;
    save_ok(&*store, &finals, "title = \"first\"\n").await;
    save_ok(&*store, &finals, "title = \"Finals — replaced\"\n").await;
    save_ok(&*store, &drafts, "title = \"drafts\"\n").await;
    drop(store);

    for round in 0..2_u64 {
        let Some(store) = builder.reopen(&guard).await else {
            println!(
                "note: reopen_keeps_everything skipped: this store is not durable (its \
                 builder's reopen returns None)"
            );
            return;
        };
        check_whole_log(&*store, &finals, &finals_log).await;
        check_whole_log(&*store, &qualifiers, &qualifiers_log).await;
        assert!(
            read_all(&*store, &drafts).await.is_empty(),
            "hunt `drafts` has no events"
        );
        check_definition(&*store, &finals, Some("title = \"Finals — replaced\"\n")).await;
        check_definition(&*store, &qualifiers, None).await;
        check_definition(&*store, &drafts, Some("title = \"drafts\"\n")).await;
        check_hunts(&*store, vec![drafts.clone(), finals.clone()]).await;

        // The ends survived too: a stale expectation still conflicts, the right one appends.
        let end = qualifiers_log.len() as u64;
        let more = sample_events(980 + 10 * round, 3);
        append_conflicts(&*store, &qualifiers, end - 1, &more, end).await;
        append_ok(&*store, &qualifiers, end, &more).await;
        qualifiers_log.extend(more);
        let extra = sample_events(990 + round, 1);
        append_ok(&*store, &finals, finals_log.len() as u64, &extra).await;
        finals_log.extend(extra);
        drop(store);
    }
}

/// A string of exactly `len` bytes repeating `unit`, padded with ASCII.
fn large_text(len: usize, unit: &str) -> String {
    let mut text = unit.repeat(len / unit.len() + 1);
    let mut cut = len;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    while text.len() < len {
        text.push('x');
    }
    text
}

/// One event of a concurrent append: batch `op` of `task`, event `index` of `len`.
fn concurrent_event(task: u32, op: u32, index: u32, len: u32) -> Event {
    Event::PointsAdjusted {
        team: TeamId(task),
        delta: i64::from(op << 8 | index << 4 | len),
        reason: format!("task {task}, append {op}, event {index} of {len}"),
        key: None,
        at: Timestamp::from_millis(i64::from(op)),
    }
}

/// The (task, append, index, length) of an event made by [`concurrent_event`].
fn decode(recorded: &Recorded) -> (u32, u32, u32, u32) {
    match &recorded.event {
        &Event::PointsAdjusted { team, delta, .. } if (0..1 << 24).contains(&delta) => {
            let delta = delta as u32;
            (team.0, delta >> 8, (delta >> 4) & 0xf, delta & 0xf)
        }
        other => panic!(
            "position {} holds an event no task appended: {}",
            recorded.seq,
            shown(other)
        ),
    }
}

/// Checks that `entries` continue a log from position `from`, and that every batch in them
/// is contiguous and whole (reads see appends all at once), given that `from` is the end of
/// a batch.
fn check_whole_batches(what: &str, entries: &[Recorded], from: u64) {
    let mut open: Option<(u32, u32, u32, u32)> = None;
    for (i, entry) in entries.iter().enumerate() {
        let seq = from + 1 + i as u64;
        assert!(
            entry.seq == seq,
            "{what}: found position {} where {seq} was due (positions have no gaps)",
            entry.seq
        );
        let (task, op, index, len) = decode(entry);
        match open {
            Some((t, o, next, l)) => assert!(
                (task, op, index, len) == (t, o, next, l),
                "{what}: position {seq} holds event {index} of append {op} of task {task}, in \
                 the middle of append {o} of task {t} (a batch's events are contiguous)"
            ),
            None => assert!(
                index == 0,
                "{what}: position {seq} holds event {index} of append {op} of task {task}, \
                 whose start is missing (a batch's events are contiguous)"
            ),
        }
        open = (index + 1 < len).then_some((task, op, index + 1, len));
    }
    if let Some((task, op, next, len)) = open {
        panic!(
            "{what}: saw only {next} of the {len} events of append {op} of task {task}: an \
             append must become visible all at once"
        );
    }
}

/// Reads `hunt` from `from` to its end in pages, checking whole batches, and returns the end.
async fn catch_up(store: &dyn Store, hunt: &HuntId, from: u64) -> u64 {
    const PAGE: usize = 16;
    let mut entries = Vec::new();
    loop {
        let after = from + entries.len() as u64;
        let page = read_ok(store, hunt, after, PAGE).await;
        let done = page.len() < PAGE;
        entries.extend(page);
        if done {
            break;
        }
    }
    check_whole_batches(
        &format!("a read of hunt `{hunt}` during concurrent appends"),
        &entries,
        from,
    );
    from + entries.len() as u64
}

/// The length of batch `op` of `task`: 1 to 3.
fn batch_len(task: u32, op: u32) -> u32 {
    1 + (task + op) % 3
}

/// Raises its flag if dropped by a panic, so that the other tasks stop early instead of
/// burying the first failure under their own consequent ones.
struct FlagOnPanic(Arc<AtomicBool>);

impl Drop for FlagOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

/// One task of [`run_concurrent`]: `appends` batches appended in a retry loop.
async fn append_concurrently(
    store: Arc<dyn Store>,
    hunt: HuntId,
    task: u32,
    appends: u32,
    rival_appends: u64,
    start: Arc<Barrier>,
    failed: Arc<AtomicBool>,
) {
    let _flag = FlagOnPanic(failed.clone());
    start.wait().await;
    if failed.load(Ordering::Relaxed) {
        return;
    }
    let mut expected = catch_up(&*store, &hunt, 0).await;
    let mut conflicts = 0_u64;
    for op in 0..appends {
        let len = batch_len(task, op);
        let batch: Vec<Event> = (0..len)
            .map(|i| concurrent_event(task, op, i, len))
            .collect();
        loop {
            if failed.load(Ordering::Relaxed) {
                return;
            }
            match store.append(&hunt, expected, &batch).await {
                Ok(end) => {
                    assert!(
                        end == expected + u64::from(len),
                        "task {task}: appending {len} events to hunt `{hunt}` at {expected} \
                         returned the end {end}, not {}",
                        expected + u64::from(len)
                    );
                    expected = end;
                    break;
                }
                Err(StoreError::Conflict {
                    expected: e,
                    actual,
                }) => {
                    assert!(
                        e == expected && actual > expected,
                        "task {task}: appending to hunt `{hunt}` at {expected} returned \
                         Conflict {{ expected: {e}, actual: {actual} }}; the log only grows, \
                         so the actual end must be past {expected}"
                    );
                    conflicts += 1;
                    assert!(
                        conflicts <= rival_appends,
                        "task {task} met {conflicts} conflicts, more than the {rival_appends} \
                         appends of the other tasks on hunt `{hunt}`: the store reports \
                         conflicts that did not happen"
                    );
                    // Half the tasks trust the conflict's actual end, half re-read the log,
                    // which must then reach at least that end.
                    expected = if task.is_multiple_of(2) {
                        actual
                    } else {
                        let end = catch_up(&*store, &hunt, expected).await;
                        assert!(
                            end >= actual,
                            "task {task}: after a conflict reporting the end {actual}, a read of \
                             hunt `{hunt}` reached only {end}"
                        );
                        end
                    };
                }
                Err(other) => panic!(
                    "task {task}: appending to hunt `{hunt}` at {expected} failed: {}",
                    error_chain(&other)
                ),
            }
        }
    }
}

/// Runs `tasks` appending tasks on each of `hunts` at once, then checks every log. Task `t`
/// appends through `stores[t % stores.len()]`, all handles on one backend.
pub(crate) async fn run_concurrent(
    stores: &[Arc<dyn Store>],
    hunts: &[HuntId],
    tasks: u32,
    appends: u32,
) {
    let store = &*stores[0];
    let start = Arc::new(Barrier::new(hunts.len() * tasks as usize));
    let rival_appends = u64::from((tasks - 1) * appends);
    let failed = Arc::new(AtomicBool::new(false));
    let mut running = JoinSet::new();
    for (h, id) in hunts.iter().enumerate() {
        for t in 0..tasks {
            // Task numbers are distinct across hunts, so a batch in the wrong log is caught.
            let task = h as u32 * tasks + t;
            running.spawn(append_concurrently(
                stores[t as usize % stores.len()].clone(),
                id.clone(),
                task,
                appends,
                rival_appends,
                start.clone(),
                failed.clone(),
            ));
        }
    }
    // The first task to fail fails the case; the others are stopped, so their own
    // consequent failures do not bury the first one.
    while let Some(finished) = running.join_next().await {
        if let Err(e) = finished {
            running.abort_all();
            match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("an appending task did not finish: {e}"),
            }
        }
    }
    for (h, id) in hunts.iter().enumerate() {
        let log = read_all(store, id).await;
        let what = format!("the log of hunt `{id}` after concurrent appends");
        check_whole_batches(&what, &log, 0);
        let first_task = h as u32 * tasks;
        let mut seen: Vec<Vec<u32>> = vec![Vec::new(); tasks as usize];
        for entry in &log {
            let (task, op, index, _) = decode(entry);
            assert!(
                (first_task..first_task + tasks).contains(&task),
                "{what}: position {} holds an event of task {task}, which appended to another \
                 hunt",
                entry.seq
            );
            if index == 0 {
                seen[(task - first_task) as usize].push(op);
            }
        }
        let all_ops: Vec<u32> = (0..appends).collect();
        for (t, ops) in seen.iter().enumerate() {
            assert!(
                *ops == all_ops,
                "{what}: task {} has appends {ops:?} in the log, expected each of 0..{appends} \
                 exactly once and in order",
                first_task + t as u32
            );
        }
        let total: u64 = (first_task..first_task + tasks)
            .flat_map(|task| (0..appends).map(move |op| u64::from(batch_len(task, op))))
            .sum();
        assert!(
            log.len() as u64 == total,
            "{what}: {} events, expected {total}",
            log.len()
        );
        append_ok(store, id, total, &[]).await;
    }
}
