//! Typed errors: a server that does not answer, a schema written by a newer build, and data
//! damaged behind the store's back, each naming what is wrong and what to do; never a panic.

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use hunt_core::HuntId;
use hunt_core::store::{Checkpoint, Store, StoreError, Wait, definition_digest};
use hunt_core::testing::sample_events;
use hunt_store_pg::{PgError, PgOptions, PgStore};
use sqlx::{AssertSqlSafe, PgConnection};

use crate::support::{Schema, connection};

fn hunt(id: &str) -> HuntId {
    HuntId::new(id).expect("a valid hunt id")
}

/// The `PgError` behind an `Unavailable`, or a panic saying what came instead.
fn pg_error(error: &StoreError) -> &PgError {
    match error {
        StoreError::Unavailable { source } => source
            .downcast_ref::<PgError>()
            .unwrap_or_else(|| panic!("an Unavailable without a PgError: {source:?}")),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

async fn execute(connection: &mut PgConnection, sql: String) {
    sqlx::query(AssertSqlSafe(sql))
        .execute(connection)
        .await
        .expect("the test's own SQL runs");
}

#[tokio::test]
async fn a_server_that_does_not_answer_is_named_without_its_password() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let options =
        PgOptions::new("postgres://hunt:s3cret@127.0.0.1:1/test", "hunt").expect("a valid schema");
    let error = PgStore::open(&options).await.expect_err("nothing answers");
    let PgError::NotAnswering { url, .. } = pg_error(&error) else {
        panic!("expected NotAnswering, got {error:?}");
    };
    assert_eq!(url, "postgres://hunt@127.0.0.1:1/test");
    let message = error.source().expect("a source").to_string();
    assert!(
        message.contains("postgres://hunt@127.0.0.1:1/test"),
        "{message}"
    );
    assert!(message.contains("start PostgreSQL"), "{message}");
    assert!(
        !format!("{error:?}{message}").contains("s3cret"),
        "{message}"
    );
}

#[tokio::test]
async fn an_invalid_schema_name_is_refused_before_connecting() {
    let error = PgStore::connect("postgres://127.0.0.1:1/test", "Robert'); DROP")
        .await
        .expect_err("an invalid schema name");
    assert!(
        matches!(pg_error(&error), PgError::InvalidSchema(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_schema_of_a_newer_layout_is_refused_and_left_as_it_is() {
    let schema = Schema::fresh().await;
    let store = schema.open().await;
    store
        .append(&hunt("finals"), 0, &sample_events(0, 3))
        .await
        .expect("an append to a fresh store");
    drop(store);
    let mut sql = connection().await;
    let name = schema.name();
    execute(
        &mut sql,
        format!(
            "INSERT INTO \"{name}\"._sqlx_migrations \
             (version, description, success, checksum, execution_time) \
             VALUES (7, 'from the future', true, '\\x00', 0)"
        ),
    )
    .await;
    let error = PgStore::open(&schema.options())
        .await
        .expect_err("a newer layout");
    let PgError::SchemaTooNew { found, known, .. } = pg_error(&error) else {
        panic!("expected SchemaTooNew, got {error:?}");
    };
    assert_eq!((*found, *known), (7, hunt_store_pg::LAYOUT_VERSION));
    let message = error.source().expect("a source").to_string();
    assert!(
        message.contains(name) && message.contains("upgrade"),
        "{message}"
    );
    let events: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM \"{name}\".events"
    )))
    .fetch_one(&mut sql)
    .await
    .expect("the events are still there");
    assert_eq!(events, 3);
}

#[tokio::test]
async fn an_event_that_does_not_decode_names_its_hunt_and_position() {
    let schema = Schema::fresh().await;
    let store = schema.open().await;
    let finals = hunt("finals");
    store
        .append(&finals, 0, &sample_events(0, 5))
        .await
        .expect("an append");
    let mut sql = connection().await;
    let name = schema.name();
    execute(
        &mut sql,
        format!("UPDATE \"{name}\".events SET body = '\\x7b7d' WHERE hunt = 'finals' AND pos = 3"),
    )
    .await;
    for result in [
        store.read(&finals, 0, usize::MAX).await,
        store.read_positions(&finals, &[1, 3]).await,
    ] {
        let Err(StoreError::Corruption { what, source }) = result else {
            panic!("expected Corruption, got {result:?}");
        };
        assert!(
            what.contains("event 3 of hunt `finals`") && what.contains(name),
            "{what}"
        );
        assert!(source.is_some());
    }
    // What is before it still reads.
    let before = store
        .read(&finals, 0, 2)
        .await
        .expect("events 1 and 2 decode");
    assert_eq!(before.len(), 2);
}

#[tokio::test]
async fn a_missing_event_is_damage_not_a_short_log() {
    let schema = Schema::fresh().await;
    let store = schema.open().await;
    let finals = hunt("finals");
    store
        .append(&finals, 0, &sample_events(0, 5))
        .await
        .expect("an append");
    let mut sql = connection().await;
    let name = schema.name();
    execute(
        &mut sql,
        format!("DELETE FROM \"{name}\".events WHERE hunt = 'finals' AND pos IN (2, 5)"),
    )
    .await;
    for (after, missing) in [(0, 2), (3, 5)] {
        let result = store.read(&finals, after, usize::MAX).await;
        let Err(StoreError::Corruption { what, .. }) = result else {
            panic!("expected Corruption, got {result:?}");
        };
        assert!(
            what.contains(&format!("no event at position {missing}")),
            "{what}"
        );
    }
    let result = store.read_positions(&finals, &[1, 2]).await;
    assert!(
        matches!(result, Err(StoreError::Corruption { .. })),
        "{result:?}"
    );
    // An append where stray events already lie refuses to overwrite them.
    execute(
        &mut sql,
        format!("UPDATE \"{name}\".log_end SET end_pos = 4 WHERE hunt = 'finals'"),
    )
    .await;
    execute(
        &mut sql,
        format!("INSERT INTO \"{name}\".events VALUES ('finals', 5, '\\x7b7d')"),
    )
    .await;
    let result = store.append(&finals, 4, &sample_events(9, 1)).await;
    let Err(StoreError::Corruption { what, .. }) = result else {
        panic!("expected Corruption, got {result:?}");
    };
    assert!(what.contains("past its end"), "{what}");
}

#[tokio::test]
async fn a_tampered_definition_is_damage() {
    let schema = Schema::fresh().await;
    let store = schema.open().await;
    let finals = hunt("finals");
    store
        .save_definition(&finals, "id = \"finals\"", None)
        .await
        .expect("a first save");
    let mut sql = connection().await;
    let name = schema.name();
    execute(
        &mut sql,
        format!("UPDATE \"{name}\".definitions SET source = 'id = \"other\"'"),
    )
    .await;
    let result = store.load_definition(&finals).await;
    let Err(StoreError::Corruption { what, .. }) = result else {
        panic!("expected Corruption, got {result:?}");
    };
    assert!(what.contains("definition of hunt `finals`"), "{what}");
    // The digest still names the saved source, so a save that replaces it may go on.
    store
        .save_definition(
            &finals,
            "id = \"finals\"\n",
            Some(definition_digest("id = \"finals\"")),
        )
        .await
        .expect("a replacing save");
    assert_eq!(
        store.load_definition(&finals).await.expect("loads"),
        Some("id = \"finals\"\n".to_owned())
    );
}

#[tokio::test]
async fn a_damaged_checkpoint_is_reported_then_replaced_by_any() {
    let schema = Schema::fresh().await;
    let store = schema.open().await;
    let finals = hunt("finals");
    let checkpoint = |seq| Checkpoint {
        hunt: finals.clone(),
        seq,
        log_digest: [1; 32],
        definition_digest: [2; 32],
        state: vec![3; 100],
    };
    assert!(
        store
            .save_checkpoint(&finals, &checkpoint(50))
            .await
            .expect("saves")
    );
    let mut sql = connection().await;
    let name = schema.name();
    execute(
        &mut sql,
        format!("UPDATE \"{name}\".checkpoints SET body = '\\x00ff'"),
    )
    .await;
    let result = store.load_checkpoint(&finals).await;
    let Err(StoreError::Corruption { what, .. }) = result else {
        panic!("expected Corruption, got {result:?}");
    };
    assert!(what.contains("checkpoint of hunt `finals`"), "{what}");
    assert!(
        store
            .save_checkpoint(&finals, &checkpoint(10))
            .await
            .expect("saves"),
        "a damaged checkpoint at 50 is replaced by one at 10"
    );
    assert_eq!(
        store.load_checkpoint(&finals).await.expect("loads"),
        Some(checkpoint(10))
    );
}

#[tokio::test]
async fn a_terminated_listener_delays_a_waiter_but_never_loses_it() {
    let schema = Schema::fresh().await;
    let app = format!("hunt-test {} follower", schema.name());
    let follower = Arc::new(
        PgStore::open(&schema.options().application_name(&app))
            .await
            .expect("the follower opens"),
    );
    let writer = schema.open().await;
    let finals = hunt("finals");
    let mut sql = connection().await;
    let app = format!("{app} listener");
    for round in 0..5_u64 {
        // The waiter waits first; then its listener dies, and the append comes while it
        // reconnects (its notification is then lost) or just after.
        let waiting = tokio::spawn({
            let follower = follower.clone();
            let finals = finals.clone();
            async move { follower.wait_past(&finals, round).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "round {round}: the log has not moved yet"
        );
        let terminated: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind(&app)
        .fetch_all(&mut sql)
        .await
        .expect("pg_terminate_backend runs");
        assert_eq!(
            terminated,
            [true],
            "round {round}: one listener to terminate"
        );
        writer
            .append(&finals, round, &sample_events(round, 1))
            .await
            .expect("an append");
        let waited = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .unwrap_or_else(|_| panic!("round {round}: the waiter was lost"));
        let waited = waited.expect("the waiter does not panic");
        assert_eq!(waited.expect("the wait succeeds"), Wait::Moved(round + 1));
    }
}
