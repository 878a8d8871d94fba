//! Checkpoints on disk: reopening from a valid one equals a full replay, and one that does
//! not match the log or the definition, or whose bytes are damaged or garbage, is ignored
//! and the log replayed, never trusted and never a refusal to open. The background
//! [`Checkpointer`] writes them every N events and a last one when stopped.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hunt_core::engine::CheckpointIgnored;
use hunt_core::engine::Engine;
use hunt_core::store::Store;
use hunt_core::{HuntId, IdempotencyKey};
use hunt_store_sled::{CheckpointPolicy, Checkpointer, SledStore};

use crate::support::{
    Rng, Submission, at, check_against_log, definition, hunt_id, read_log, team_name,
};

/// Teams in the test hunt.
const TEAMS: u32 = 40;

fn hunt() -> HuntId {
    hunt_id("ckpt")
}

/// Opens the engine of the test hunt in `dir`, creating the hunt if needed.
async fn open(dir: &Path) -> (Arc<dyn Store>, Engine) {
    let store: Arc<dyn Store> = Arc::new(SledStore::open(dir).expect("the store opens"));
    let engine = match store.load_definition(&hunt()).await.expect("loads") {
        Some(_) => Engine::open(store.clone(), &hunt(), None).await,
        None => Engine::create(store.clone(), &definition("ckpt"), None).await,
    }
    .expect("the engine opens");
    (store, engine)
}

/// Registers the teams if needed, then makes `n` random submissions with keys from `salt`.
async fn play(engine: &Engine, n: u64, salt: u64) {
    for i in engine.snapshot().team_count() as u32..TEAMS {
        engine
            .register(&team_name(i), None, at(0))
            .await
            .expect("registers");
    }
    let mut rng = Rng::new(salt);
    for i in 0..n {
        let key = IdempotencyKey(u128::from(salt) << 64 | u128::from(i));
        let submission = Submission::random(&mut rng, TEAMS, 30, key);
        engine
            .submit(
                submission.team,
                submission.slug(),
                &submission.answer,
                submission.key,
                at(i as i64 * 100),
            )
            .await
            .expect("submits");
    }
}

/// Reopens `dir` and checks the state against a full replay of its log; returns how it
/// opened.
async fn reopen_and_check(dir: &Path) -> hunt_core::engine::Opened {
    let (store, engine) = open(dir).await;
    check_against_log(&engine.snapshot(), &read_log(&*store, &hunt()).await);
    engine.opened().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_from_a_checkpoint_equals_a_full_replay() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (_, engine) = open(dir.path()).await;
    play(&engine, 300, 1).await;
    let seq = engine.checkpoint().await.expect("checkpoints");
    play(&engine, 100, 2).await;
    let end = engine.snapshot().seq();
    drop(engine);

    let opened = reopen_and_check(dir.path()).await;
    assert_eq!(
        (opened.checkpoint, opened.replayed),
        (Some(seq), end - seq),
        "{opened:?}"
    );
    assert!(opened.ignored.is_none(), "{opened:?}");

    // And again, with the checkpoint at the end of the log.
    let (_, engine) = open(dir.path()).await;
    assert_eq!(engine.checkpoint().await.expect("checkpoints"), end);
    drop(engine);
    let opened = reopen_and_check(dir.path()).await;
    assert_eq!((opened.checkpoint, opened.replayed), (Some(end), 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_of_another_or_a_shorter_log_is_ignored() {
    let long = tempfile::tempdir().expect("a temporary directory");
    let (store, engine) = open(long.path()).await;
    play(&engine, 200, 1).await;
    engine.checkpoint().await.expect("checkpoints");
    let checkpoint = store.load_checkpoint(&hunt()).await.unwrap().unwrap();
    drop((store, engine));

    // Another log, longer than the checkpoint's position.
    let other = tempfile::tempdir().expect("a temporary directory");
    let (store, engine) = open(other.path()).await;
    play(&engine, 300, 7).await;
    store.save_checkpoint(&hunt(), &checkpoint).await.unwrap();
    drop((store, engine));
    let opened = reopen_and_check(other.path()).await;
    assert!(
        opened.checkpoint.is_none()
            && matches!(opened.ignored, Some(CheckpointIgnored::EventMismatch(s)) if s == checkpoint.seq),
        "{opened:?}"
    );

    // The same submissions, fewer of them: the log ends before the checkpoint.
    let short = tempfile::tempdir().expect("a temporary directory");
    let (store, engine) = open(short.path()).await;
    play(&engine, 150, 1).await;
    store.save_checkpoint(&hunt(), &checkpoint).await.unwrap();
    drop((store, engine));
    let opened = reopen_and_check(short.path()).await;
    assert!(
        opened.checkpoint.is_none()
            && matches!(opened.ignored, Some(CheckpointIgnored::LogTooShort(_))),
        "{opened:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_definition_makes_the_checkpoint_ignored() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (store, engine) = open(dir.path()).await;
    play(&engine, 100, 1).await;
    engine.checkpoint().await.expect("checkpoints");
    let changed = definition("ckpt").replace("title = \"Challenge c3\"", "title = \"C3\"");
    let replaces = hunt_core::store::definition_digest(&definition("ckpt"));
    store
        .save_definition(&hunt(), &changed, Some(replaces))
        .await
        .unwrap();
    drop((store, engine));
    let opened = reopen_and_check(dir.path()).await;
    assert!(
        opened.checkpoint.is_none()
            && matches!(opened.ignored, Some(CheckpointIgnored::DefinitionChanged)),
        "{opened:?}"
    );
}

/// Replaces the checkpoint of the test hunt in `dir` with `bytes`, behind the store's back.
fn overwrite_checkpoint(dir: &Path, bytes: &[u8]) {
    // "checkpoints" is the store's tree of checkpoints.
    crate::support::tamper(dir, |db| {
        let tree = db.open_tree("checkpoints").expect("the checkpoint tree");
        tree.insert(hunt().as_str(), bytes).expect("sled writes");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_or_garbage_checkpoint_bytes_are_ignored() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (store, engine) = open(dir.path()).await;
    play(&engine, 150, 1).await;
    engine.checkpoint().await.expect("checkpoints");
    let good = store.load_checkpoint(&hunt()).await.unwrap().unwrap();
    drop((store, engine));
    let bytes = good.to_bytes();

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let cases: [(&str, Vec<u8>); 5] = [
        ("empty", Vec::new()),
        ("garbage", b"definitely not a checkpoint".to_vec()),
        ("cut in the header", bytes[..20].to_vec()),
        ("torn", bytes[..bytes.len() - 100].to_vec()),
        ("a flipped bit", flipped),
    ];
    for (what, damaged) in cases {
        overwrite_checkpoint(dir.path(), &damaged);
        let opened = reopen_and_check(dir.path()).await;
        assert!(
            opened.checkpoint.is_none()
                && matches!(
                    opened.ignored,
                    Some(CheckpointIgnored::Unreadable(_) | CheckpointIgnored::Undecodable(_))
                ),
            "{what}: {opened:?}"
        );
    }
    overwrite_checkpoint(dir.path(), &bytes);
    let opened = reopen_and_check(dir.path()).await;
    assert_eq!(opened.checkpoint, Some(good.seq), "{opened:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checkpointer_writes_every_n_events_and_when_stopped() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (_, engine) = open(dir.path()).await;
    let engine = Arc::new(engine);
    let policy = CheckpointPolicy {
        every_events: 50,
        every: Duration::from_secs(3600),
        poll: Duration::from_millis(5),
    };
    let checkpointer = Checkpointer::spawn(engine.clone(), policy);
    play(&engine, 300, 1).await;
    // Give the task a few polls to catch up with the last submissions.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while engine.checkpoint_due(50) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let status = checkpointer.status();
    assert!(
        status.written >= 2 && status.failures == 0,
        "{status:?} after {} events",
        engine.snapshot().seq()
    );
    assert!(!engine.checkpoint_due(50));
    play(&engine, 10, 2).await;
    let end = engine.snapshot().seq();
    assert_eq!(checkpointer.stop().await.expect("a last checkpoint"), end);
    drop(engine);
    let opened = reopen_and_check(dir.path()).await;
    assert_eq!((opened.checkpoint, opened.replayed), (Some(end), 0));

    // Time-based: one event and a short interval.
    let (_, engine) = open(dir.path()).await;
    let engine = Arc::new(engine);
    let checkpointer = Checkpointer::spawn(
        engine.clone(),
        CheckpointPolicy {
            every_events: 1_000_000,
            every: Duration::from_millis(20),
            poll: Duration::from_millis(5),
        },
    );
    // One event, whatever the state (a random submission may be refused unrecorded).
    let bonus = hunt_core::Command::Adjust {
        team: hunt_core::TeamId(0),
        delta: 1,
        reason: "bonus".into(),
    };
    engine.execute(bonus, at(0)).await.expect("adjusts");
    let end = engine.snapshot().seq();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while checkpointer.status().last < end && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        checkpointer.status().last,
        end,
        "{:?}",
        checkpointer.status()
    );
    drop(checkpointer);
}
