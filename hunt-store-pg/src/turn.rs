//! Turns at a hunt's log ([`Turn`]): a transaction that holds an advisory lock of the hunt
//! and the row lock of its end.
//!
//! The advisory lock (`pg_advisory_xact_lock`, keyed by a hash of the schema and the hunt)
//! queues the turns: PostgreSQL's lock manager grants it to the waiters in the order they asked, handing
//! it over as the holder commits, so a writer that has just ended its turn cannot take the
//! next one before a writer that was waiting (a row lock alone would let it: the woken waiter
//! must still be scheduled to take the row, and a busy machine lets the last holder take it
//! first). Then `SELECT … FOR UPDATE` of the hunt's row in `log_end` takes the lock that
//! every plain append's conditional `UPDATE` takes too, so those wait for the turn and find
//! the end moved once it commits: a conflict, after which their engine takes turns as well.
//! The locks are taken in that order by every turn, and plain appends take only the row, so
//! no two writers wait on each other. Under READ COMMITTED every statement after the locks
//! sees what the previous holder committed, so the turn's read is the end its append finds.
//! Keys of different hunts or schemas may collide (they are hashes): that makes their turns
//! queue together, never lets two turns of one hunt be held at once. `BEGIN` and both locks
//! go in one round trip (a simple query of three statements; the hunt id is a slug, `a-z 0-9
//! - _`, so it is written into the text as a literal without quoting issues, and the key is
//! a number), so a turn costs three round trips more than a plain append: that one, the read,
//! and the `COMMIT`.
//!
//! The turn's append is the same one statement as a plain append, followed by `COMMIT`: the
//! statement failing writes nothing whatever the failure (nothing commits before `COMMIT`),
//! and only a `COMMIT` whose answer is lost leaves the outcome unknown.
//!
//! An empty log has no row to lock yet: that turn holds back other turns but not plain
//! appends, and its append may conflict, as the [`Turn`] contract allows.
//!
//! Dropping a turn rolls its transaction back; sqlx sends the `ROLLBACK` when the connection
//! goes back to the pool, which releases the locks.

use async_trait::async_trait;
use hunt_core::store::{StoreError, Turn};
use hunt_core::{Event, HuntId, Recorded};
use sqlx::{AssertSqlSafe, Postgres, Transaction};

use crate::PgStore;
use crate::error::{read_failed, write_failed};
use crate::log::{self, Write, check_only};

/// A turn of a [`PgStore`]: a transaction holding the locks of the hunt.
pub(crate) struct PgTurn<'s> {
    store: &'s PgStore,
    hunt: HuntId,
    transaction: Transaction<'static, Postgres>,
}

/// Waits for the turn at `hunt`'s log and takes it.
pub(crate) async fn take<'s>(store: &'s PgStore, hunt: &HuntId) -> Result<PgTurn<'s>, StoreError> {
    let begin = format!(
        "BEGIN; SELECT pg_advisory_xact_lock({key}); \
         SELECT 1 FROM log_end WHERE hunt = '{hunt}' FOR UPDATE",
        key = key(store.schema(), hunt),
        hunt = hunt.as_str(),
    );
    let transaction = store
        .pool()
        .begin_with(AssertSqlSafe(begin))
        .await
        .map_err(|e| store.unavailable(e))?;
    Ok(PgTurn {
        store,
        hunt: hunt.clone(),
        transaction,
    })
}

/// The advisory lock's key of `hunt` in `schema`: FNV-1a (64 bits) of both, the same in
/// every process and build.
fn key(schema: &str, hunt: &HuntId) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in schema.bytes().chain([0]).chain(hunt.as_str().bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

#[async_trait]
impl Turn for PgTurn<'_> {
    async fn read(&mut self, after: u64, limit: usize) -> Result<Vec<Recorded>, StoreError> {
        log::read_on(&mut *self.transaction, self.store, &self.hunt, after, limit).await
    }

    async fn append(self: Box<Self>, expected: u64, events: &[Event]) -> Result<u64, StoreError> {
        let PgTurn {
            store,
            hunt,
            mut transaction,
            ..
        } = *self;
        let Some(write) = Write::new(expected, events)? else {
            return check_only(log::end(store, &hunt).await?, expected);
        };
        // Nothing commits before `COMMIT`: however this statement fails, nothing was written.
        let row = write
            .run(store, &hunt, &mut transaction)
            .await
            .map_err(|e| write.failed(store, &hunt, e, read_failed))?;
        // A conflict or damage rolls the transaction back, on drop.
        let new_end = write.conclude(store, &hunt, row).await?;
        transaction.commit().await.map_err(write_failed)?;
        store.hub().moved(hunt.as_str(), new_end);
        Ok(new_end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_schemas_and_hunts_apart_and_are_stable() {
        let hunt = |id: &str| HuntId::new(id).expect("a valid id");
        assert_eq!(key("hunt", &hunt("tiny")), key("hunt", &hunt("tiny")));
        assert_ne!(key("hunt", &hunt("tiny")), key("hunt", &hunt("tinz")));
        assert_ne!(key("hunta", &hunt("b")), key("hunt", &hunt("ab")));
        // The same in every build: the processes of a deployment must agree on it.
        assert_eq!(key("", &hunt("a")), 0x0832_6707_b4eb_37da_u64 as i64);
    }
}
