//! Turns at a hunt's log ([`Turn`]): a transaction that holds an advisory lock of the hunt
//! and the row lock of its end.
//!
//! The advisory lock (`pg_advisory_xact_lock`, keyed by a hash of the schema and the hunt)
//! queues the turns: PostgreSQL's lock manager grants it to the waiters in the order they
//! asked, handing it over as the holder commits, so a writer that has just ended its turn
//! cannot take the next one before a writer that was waiting (a row lock alone would let it:
//! the woken waiter must still be scheduled to take the row, and a busy machine lets the last
//! holder take it first). Then `SELECT … FOR UPDATE` of the hunt's row in `log_end` takes the
//! lock that every plain append's conditional `UPDATE` takes too, so those wait for the turn
//! and find the end moved once it commits: a conflict, after which their engine takes turns
//! as well. The locks are taken in that order by every turn, and plain appends take only the
//! row, so no two writers wait on each other. Under READ COMMITTED every statement after the
//! locks sees what the previous holder committed, so the turn's read is the end its append
//! finds. Keys of different hunts or schemas may collide (they are hashes): that makes their
//! turns queue together, never lets two turns of one hunt be held at once.
//!
//! **Two round trips a turn.** Taking a turn sends nothing (it only takes a pooled
//! connection): the turn begins with its first call. Its first read is one simple query of
//! four statements, `BEGIN`, both locks and the read, so the locks and the read cost one round
//! trip; its append is one simple query of the append's statement and `COMMIT`. (A turn that
//! appends without reading sends `BEGIN`, the locks, the append and `COMMIT` at once.) The
//! statements are sent as text, their arguments written in as literals: the hunt id is a slug
//! (`a-z 0-9 - _`), the key and positions are numbers and the events' bodies hex, so nothing
//! needs quoting. Each statement of a simple query in a transaction block takes its own
//! snapshot, so the read sees what the previous holder committed before the locks were
//! granted. (Taking the locks inside the read's own statement would not do: its snapshot
//! would predate them.)
//!
//! In a simple query a failing statement skips the rest: an append that fails never reaches
//! its `COMMIT`, so it wrote nothing, whatever the failure, unless the connection was lost
//! once the query was sent, which leaves the outcome unknown.
//!
//! An empty log has no row to lock yet: that turn holds back other turns but not plain
//! appends, and its append may conflict, as the [`Turn`] contract allows.
//!
//! A turn that ends without its append landing (dropped, failed, or conflicting) rolls its
//! transaction back: sqlx does not know of it, so the turn sends the `ROLLBACK` itself, from a
//! task, before the connection goes back to the pool (or closes the connection when it
//! cannot, which rolls back too). A turn dropped while its first query is in flight is
//! rolled back the same way: the transaction is counted as begun before that query is sent.

use async_trait::async_trait;
use hunt_core::store::{StoreError, Turn};
use hunt_core::{Event, HuntId, Recorded};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Postgres, Row};

use crate::PgStore;
use crate::error::write_failed;
use crate::log::{self, Write, check_only};

/// A turn of a [`PgStore`]: a pooled connection, and the transaction on it that holds the
/// locks of the hunt once the first call has begun it.
pub(crate) struct PgTurn<'s> {
    store: &'s PgStore,
    hunt: HuntId,
    held: Held,
}

/// The turn's connection; rolls the turn's transaction back when dropped before it ended.
struct Held {
    connection: Option<PoolConnection<Postgres>>,
    /// The transaction may have begun: its first query was (or is being) sent.
    begun: bool,
}

impl Held {
    fn connection(&mut self) -> &mut PoolConnection<Postgres> {
        self.connection
            .as_mut()
            .expect("the connection is held until the turn ends")
    }

    /// The turn ended by a `COMMIT` that was answered: nothing to roll back.
    fn ended(mut self) {
        self.begun = false;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(mut connection) = self.connection.take() else {
            return;
        };
        if !self.begun {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    // Waits out any query still in flight first, then ends the transaction
                    // (a warning, not an error, if it had not begun or had committed).
                    if sqlx::raw_sql("ROLLBACK")
                        .execute(&mut *connection)
                        .await
                        .is_err()
                    {
                        connection.close_on_drop();
                    }
                });
            }
            // No runtime to roll back from: closing the connection rolls back too.
            Err(_) => connection.close_on_drop(),
        }
    }
}

/// Takes a connection for a turn at `hunt`'s log; the turn begins with its first call.
pub(crate) async fn take<'s>(store: &'s PgStore, hunt: &HuntId) -> Result<PgTurn<'s>, StoreError> {
    let connection = store.acquire().await?;
    Ok(PgTurn {
        store,
        hunt: hunt.clone(),
        held: Held {
            connection: Some(connection),
            begun: false,
        },
    })
}

/// The statements that begin a turn: `BEGIN` and the locks, in that order, each answering
/// at most one row of one column.
fn begin(schema: &str, hunt: &HuntId) -> String {
    format!(
        "BEGIN; SELECT pg_advisory_xact_lock({key}); \
         SELECT 1 FROM log_end WHERE hunt = '{hunt}' FOR UPDATE; ",
        key = key(schema, hunt),
        hunt = hunt.as_str(),
    )
}

/// The rows of `rows` with `columns` columns: those of the one statement of a simple query
/// that answers that many (the locks answer one column, an append two, a read three).
fn rows_of(rows: Vec<PgRow>, columns: usize) -> Vec<PgRow> {
    rows.into_iter().filter(|r| r.len() == columns).collect()
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
        let (store, hunt) = (self.store, &self.hunt);
        if self.held.begun {
            return log::read_on(&mut **self.held.connection(), store, hunt, after, limit).await;
        }
        let mut sql = begin(store.schema(), hunt);
        let read = log::read_literal(hunt, after, limit);
        if let Some(read) = &read {
            sql.push_str(read);
        }
        self.held.begun = true;
        let rows = sqlx::raw_sql(AssertSqlSafe(sql))
            .fetch_all(&mut **self.held.connection())
            .await
            .map_err(|e| store.unavailable(e))?;
        if read.is_none() {
            return Ok(Vec::new());
        }
        log::checked_read(store, hunt, after, limit as u64, &rows_of(rows, 3))
    }

    async fn append(self: Box<Self>, expected: u64, events: &[Event]) -> Result<u64, StoreError> {
        let PgTurn {
            store,
            hunt,
            mut held,
        } = *self;
        let Some(write) = Write::new(expected, events)? else {
            return check_only(log::end(store, &hunt).await?, expected);
        };
        let mut sql = if held.begun {
            String::new()
        } else {
            begin(store.schema(), &hunt)
        };
        sql.push_str(&write.literal(store, &hunt));
        sql.push_str("; COMMIT");
        held.begun = true;
        // A statement that fails skips the `COMMIT`: only a lost answer leaves the outcome
        // unknown.
        let rows = sqlx::raw_sql(AssertSqlSafe(sql))
            .fetch_all(&mut **held.connection())
            .await
            .map_err(|e| write.failed(store, &hunt, e, write_failed))?;
        held.ended();
        let new_end = write
            .conclude(store, &hunt, rows_of(rows, 2).into_iter().next())
            .await?;
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
