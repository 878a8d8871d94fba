//! Live readers of an engine: `Engine::changed` wakes on every publish, and
//! `Engine::follow` keeps an engine up with what other engines append to the same log,
//! on stores that push and on stores that must be polled, through transient failures.

use crate::clock::at;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hunt_core::engine::{Engine, EngineError};
use hunt_core::store::{Checkpoint, Digest, MemoryStore, Store, StoreError};
use hunt_core::{Event, HuntId, IdempotencyKey, Recorded, TeamId};

const HUNT: &str = r#"
id = "follow"
title = "Follow"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "one"
title = "One"
points = 100
answers = ["answer one"]
"#;

/// Long enough for any wake-up on a loaded machine; a lost one fails the test.
const PATIENCE: Duration = Duration::from_secs(20);

fn hunt_id() -> HuntId {
    HuntId::new("follow").expect("a valid hunt id")
}

async fn engines(store: Arc<dyn Store>, reader_store: Arc<dyn Store>) -> (Engine, Arc<Engine>) {
    let writer = Engine::create(store, HUNT, None).await.expect("valid hunt");
    let reader = Engine::open(reader_store, &hunt_id(), None)
        .await
        .expect("the hunt was created");
    (writer, Arc::new(reader))
}

/// Registers `n` teams on `engine`, each with a solve: 2 events per team.
async fn play(engine: &Engine, from: u32, n: u32) {
    for i in from..from + n {
        let team = engine
            .register_with_key(
                &format!("team {i}"),
                None,
                IdempotencyKey(u128::from(i)),
                at(1),
            )
            .await
            .expect("registers");
        engine
            .submit(
                team,
                "one",
                "answer one",
                IdempotencyKey(1_000 + u128::from(i)),
                at(2),
            )
            .await
            .expect("submits");
    }
}

/// Spawns `reader`'s follower, polling every `poll` on stores that cannot push.
fn spawn_follower(reader: &Arc<Engine>, poll: Duration) -> tokio::task::JoinHandle<EngineError> {
    let reader = reader.clone();
    tokio::spawn(async move { reader.follow(poll, tokio::time::sleep).await })
}

async fn wait_for(reader: &Engine, seq: u64) {
    tokio::time::timeout(PATIENCE, async {
        let mut seen = reader.snapshot().seq();
        while seen < seq {
            seen = reader.changed(seen).await.seq();
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the reader never reached position {seq}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_returns_at_once_when_behind_and_wakes_on_a_publish() {
    let store = MemoryStore::new();
    let engine = Arc::new(
        Engine::create(Arc::new(store), HUNT, None)
            .await
            .expect("valid hunt"),
    );
    let waiting = tokio::spawn({
        let engine = engine.clone();
        async move { engine.changed(0).await.seq() }
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!waiting.is_finished(), "nothing was published yet");
    engine
        .register("Sea Otters", None, at(1))
        .await
        .expect("registers");
    let seen = tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("the publish wakes the waiter")
        .unwrap();
    assert_eq!(seen, 1);
    assert_eq!(engine.changed(0).await.seq(), 1, "behind: at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_sees_what_another_engine_appends() {
    let store = MemoryStore::new();
    let (writer, reader) = engines(Arc::new(store.clone()), Arc::new(store.clone())).await;
    let following = spawn_follower(&reader, Duration::from_secs(3600));
    play(&writer, 0, 20).await;
    wait_for(&reader, 40).await;
    assert_eq!(reader.snapshot().standings(), writer.snapshot().standings());
    assert!(!following.is_finished(), "following goes on");
    following.abort();
}

/// A store that cannot push: `wait_past` is the trait's default, so followers poll.
#[derive(Debug)]
struct Polled(MemoryStore);

#[async_trait]
impl Store for Polled {
    async fn append(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        self.0.append(hunt, expected, events).await
    }
    async fn read(
        &self,
        hunt: &HuntId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError> {
        self.0.read(hunt, after, limit).await
    }
    async fn end(&self, hunt: &HuntId) -> Result<u64, StoreError> {
        self.0.end(hunt).await
    }
    async fn save_definition(
        &self,
        hunt: &HuntId,
        source: &str,
        replaces: Option<Digest>,
    ) -> Result<(), StoreError> {
        self.0.save_definition(hunt, source, replaces).await
    }
    async fn load_definition(&self, hunt: &HuntId) -> Result<Option<String>, StoreError> {
        self.0.load_definition(hunt).await
    }
    async fn hunts(&self) -> Result<Vec<HuntId>, StoreError> {
        self.0.hunts().await
    }
    async fn save_checkpoint(
        &self,
        hunt: &HuntId,
        checkpoint: &Checkpoint,
    ) -> Result<bool, StoreError> {
        self.0.save_checkpoint(hunt, checkpoint).await
    }
    async fn load_checkpoint(&self, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError> {
        self.0.load_checkpoint(hunt).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_polls_a_store_that_cannot_push() {
    let store = MemoryStore::new();
    let (writer, reader) = engines(
        Arc::new(Polled(store.clone())),
        Arc::new(Polled(store.clone())),
    )
    .await;
    let following = spawn_follower(&reader, Duration::from_millis(5));
    play(&writer, 0, 5).await;
    wait_for(&reader, 10).await;
    assert_eq!(reader.snapshot().standings(), writer.snapshot().standings());
    following.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_backs_off_from_failing_reads_and_goes_on() {
    let store = MemoryStore::new();
    let (writer, reader) = engines(Arc::new(store.clone()), Arc::new(store.clone())).await;
    store.fail_next_reads(3);
    let following = spawn_follower(&reader, Duration::from_secs(3600));
    play(&writer, 0, 3).await;
    wait_for(&reader, 6).await;
    assert_eq!(reader.snapshot().standings(), writer.snapshot().standings());
    following.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_stops_with_the_error_of_a_log_that_does_not_fit() {
    let store = MemoryStore::new();
    let (_writer, reader) = engines(Arc::new(store.clone()), Arc::new(store.clone())).await;
    let following = spawn_follower(&reader, Duration::from_secs(3600));
    // A solve by a team that never registered: no engine would decide it.
    let stray = Event::SubmissionJudged {
        team: TeamId(7),
        challenge: "one".into(),
        answer: "answer one".into(),
        judged: hunt_core::JudgedAs::Correct,
        key: IdempotencyKey(1),
        at: at(3),
    };
    store
        .append(&hunt_id(), 0, &[stray])
        .await
        .expect("appends");
    let error = tokio::time::timeout(PATIENCE, following)
        .await
        .expect("following stops")
        .unwrap();
    assert!(matches!(error, EngineError::Replay(_)), "{error:?}");
    assert!(!error.is_transient());
    assert_eq!(reader.snapshot().seq(), 0, "nothing of it was applied");
}
