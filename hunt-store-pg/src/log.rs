//! The log: the conditional append, gap-free by construction, and the reads.
//!
//! An append is **one statement** in autocommit, so one round trip and one implicit
//! transaction: a data-modifying CTE moves the hunt's end in `log_end` only if it is the
//! expected one (`UPDATE … WHERE end_pos = $expected`, or for an empty log `INSERT … ON
//! CONFLICT DO NOTHING`), inserts the events at the positions after it only if it moved
//! (one multi-row insert from `unnest`), and issues the notification, delivered on commit.
//! Under READ COMMITTED a second writer of the same hunt waits on the row lock of the first,
//! then re-checks the end it finds and writes nothing: no SERIALIZABLE retries, and no
//! sequence (sequences are not transactional, their values commit out of order). Since the
//! writers of a hunt are serialised by that row lock, positions commit in order, and a reader
//! that follows "position > last seen" never skips one.
//!
//! Reads read the end and the events in one statement (one snapshot), stop at that end, and
//! check that every position up to it is there.

use hunt_core::store::StoreError;
use hunt_core::{Event, HuntId, Recorded};
use sqlx::postgres::PgRow;
use sqlx::{Executor, PgConnection, Postgres, Row};

use crate::PgStore;
use crate::codec;
use crate::error::{damaged, sqlstate, write_failed};

/// The append to an empty log: the end's row is created, or nothing is written.
const APPEND_FIRST: &str = "
WITH moved AS (
    INSERT INTO log_end (hunt, end_pos) VALUES ($1, $3)
    ON CONFLICT (hunt) DO NOTHING
    RETURNING end_pos
), appended AS (
    INSERT INTO events (hunt, pos, body)
    SELECT $1, $2::bigint + t.ord, t.body
    FROM moved, unnest($4::bytea[]) WITH ORDINALITY AS t(body, ord)
    RETURNING 1
)
SELECT m.end_pos, (SELECT count(*) FROM appended) AS written
FROM moved m, pg_notify($5, $1 || ':' || m.end_pos::text)";

/// The append to a log that ends at `$2`: the end moves only if it is still `$2`.
const APPEND_NEXT: &str = "
WITH moved AS (
    UPDATE log_end SET end_pos = $3 WHERE hunt = $1 AND end_pos = $2
    RETURNING end_pos
), appended AS (
    INSERT INTO events (hunt, pos, body)
    SELECT $1, $2::bigint + t.ord, t.body
    FROM moved, unnest($4::bytea[]) WITH ORDINALITY AS t(body, ord)
    RETURNING 1
)
SELECT m.end_pos, (SELECT count(*) FROM appended) AS written
FROM moved m, pg_notify($5, $1 || ':' || m.end_pos::text)";

const END: &str = "SELECT end_pos FROM log_end WHERE hunt = $1";

/// The end and the events after `$2` up to it, in one snapshot; one row with null `pos` when
/// there are none.
///
/// The rows come in the order of the lateral subquery's index scan (a nested loop over one
/// outer row keeps it); an outer `ORDER BY e.pos` would sort them again, which took about
/// half the statement's time on chunks of 10,000 events (`EXPLAIN ANALYZE`: 24 ms, 10 ms
/// without). SQL does not promise that order, so [`decode_rows`] sorts rows that are not in
/// it, which costs one pass over rows that are.
const READ: &str = "
SELECT l.end_pos, e.pos, e.body
FROM (SELECT coalesce((SELECT end_pos FROM log_end WHERE hunt = $1), 0) AS end_pos) l
LEFT JOIN LATERAL (
    SELECT pos, body FROM events
    WHERE hunt = $1 AND pos > $2 AND pos <= l.end_pos
    ORDER BY pos LIMIT $3
) e ON true";

/// The end and the events at the positions `$2`, up to it, in one snapshot.
const READ_POSITIONS: &str = "
SELECT l.end_pos, e.pos, e.body
FROM (SELECT coalesce((SELECT end_pos FROM log_end WHERE hunt = $1), 0) AS end_pos) l
LEFT JOIN LATERAL (
    SELECT pos, body FROM events
    WHERE hunt = $1 AND pos = ANY($2) AND pos <= l.end_pos
) e ON true
ORDER BY e.pos";

/// The largest position a `bigint` holds.
const MAX_POSITION: u64 = i64::MAX as u64;

pub(crate) async fn append(
    store: &PgStore,
    hunt: &HuntId,
    expected: u64,
    events: &[Event],
) -> Result<u64, StoreError> {
    let Some(write) = Write::new(expected, events)? else {
        return check_only(end(store, hunt).await?, expected);
    };
    // A connection is taken first: failing to get one writes nothing.
    let mut connection = store.acquire().await?;
    let row = write
        .run(store, hunt, &mut connection)
        .await
        .map_err(|e| write.failed(store, hunt, e, write_failed))?;
    drop(connection);
    let new_end = write.conclude(store, hunt, row).await?;
    store.hub().moved(hunt.as_str(), new_end);
    Ok(new_end)
}

/// The answer to an append that writes nothing, given the log's end: only the expectation is
/// checked.
pub(crate) fn check_only(actual: u64, expected: u64) -> Result<u64, StoreError> {
    if actual == expected {
        Ok(expected)
    } else {
        Err(StoreError::Conflict { expected, actual })
    }
}

/// One conditional append, encoded and ready to send.
pub(crate) struct Write {
    expected: u64,
    new_end: u64,
    bodies: Vec<Vec<u8>>,
}

impl Write {
    /// The append of `events` at `expected`; `None` when it has nothing to write (no events,
    /// or positions past what the log can ever reach), so that only the expectation is
    /// checked.
    pub(crate) fn new(expected: u64, events: &[Event]) -> Result<Option<Self>, StoreError> {
        let len = u64::try_from(events.len()).unwrap_or(u64::MAX);
        let new_end = expected.checked_add(len).filter(|end| *end <= MAX_POSITION);
        let (Some(new_end), false) = (new_end, events.is_empty()) else {
            return Ok(None);
        };
        let bodies = events
            .iter()
            .map(codec::encode)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::corruption("an event that does not encode", e))?;
        Ok(Some(Self {
            expected,
            new_end,
            bodies,
        }))
    }

    /// Sends the append's one statement on `connection`: a row when the end moved.
    pub(crate) async fn run(
        &self,
        store: &PgStore,
        hunt: &HuntId,
        connection: &mut PgConnection,
    ) -> Result<Option<PgRow>, sqlx::Error> {
        let sql = if self.expected == 0 {
            APPEND_FIRST
        } else {
            APPEND_NEXT
        };
        sqlx::query(sql)
            .bind(hunt.as_str())
            .bind(self.expected as i64)
            .bind(self.new_end as i64)
            .bind(&self.bodies)
            .bind(store.channel())
            .fetch_optional(connection)
            .await
    }

    /// The text of the append's statement with its arguments written in as literals (each
    /// body as hex, decoded by the server), for a simple query that sends it with other
    /// statements: a turn's `BEGIN` and locks before it, its `COMMIT` after it, in one round
    /// trip. The hunt id is a slug (`a-z 0-9 - _`) and the channel is named after a schema
    /// (`a-z 0-9 _`), both safe inside quotes as they are.
    pub(crate) fn literal(&self, store: &PgStore, hunt: &HuntId) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let hunt = hunt.as_str();
        let size: usize = self.bodies.iter().map(|b| 2 * b.len() + 24).sum();
        let mut bodies = String::with_capacity(size);
        for (i, body) in self.bodies.iter().enumerate() {
            if i > 0 {
                bodies.push(',');
            }
            bodies.push_str("decode('");
            for byte in body {
                bodies.push(char::from(HEX[usize::from(byte >> 4)]));
                bodies.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
            bodies.push_str("','hex')");
        }
        let (expected, new_end, channel) = (self.expected, self.new_end, store.channel());
        let moved = if expected == 0 {
            format!(
                "INSERT INTO log_end (hunt, end_pos) VALUES ('{hunt}', {new_end}) \
                 ON CONFLICT (hunt) DO NOTHING RETURNING end_pos"
            )
        } else {
            format!(
                "UPDATE log_end SET end_pos = {new_end} \
                 WHERE hunt = '{hunt}' AND end_pos = {expected} RETURNING end_pos"
            )
        };
        format!(
            "WITH moved AS ({moved}), appended AS (\
                 INSERT INTO events (hunt, pos, body) \
                 SELECT '{hunt}', {expected}::bigint + t.ord, t.body \
                 FROM moved, unnest(ARRAY[{bodies}]) WITH ORDINALITY AS t(body, ord) \
                 RETURNING 1\
             ) \
             SELECT m.end_pos, (SELECT count(*) FROM appended) AS written \
             FROM moved m, pg_notify('{channel}', '{hunt}:' || m.end_pos::text)"
        )
    }

    /// The error of a failed [`Write::run`]: a unique violation is damage (events past the
    /// end), anything else as `otherwise` says.
    pub(crate) fn failed(
        &self,
        store: &PgStore,
        hunt: &HuntId,
        error: sqlx::Error,
        otherwise: fn(sqlx::Error) -> StoreError,
    ) -> StoreError {
        if sqlstate(&error) == Some("23505") {
            damaged(
                store.schema(),
                &format!(
                    "the log of hunt `{hunt}` holds events past its end {}, where an append \
                     was due",
                    self.expected
                ),
                Some(Box::new(error)),
            )
        } else {
            otherwise(error)
        }
    }

    /// What the statement's answer `row` says: the new end, a conflict (no row), or damage.
    pub(crate) async fn conclude(
        &self,
        store: &PgStore,
        hunt: &HuntId,
        row: Option<PgRow>,
    ) -> Result<u64, StoreError> {
        let (expected, new_end) = (self.expected, self.new_end);
        let Some(row) = row else {
            // The end was not the expected one. Read it again, in a new snapshot: the one the
            // append's statement started with may predate the writer it waited for.
            let actual = end(store, hunt).await?;
            if actual == expected {
                return Err(StoreError::unavailable(std::io::Error::other(format!(
                    "the log of hunt `{hunt}` did not move, yet ends at the expected \
                     {expected}; nothing was written, retry"
                ))));
            }
            return Err(StoreError::Conflict { expected, actual });
        };
        // The statement ran: an answer that makes no sense now is damage, not doubt.
        let (end_pos, written): (i64, i64) = (
            row.try_get(0).map_err(|e| odd_answer(store, hunt, e))?,
            row.try_get(1).map_err(|e| odd_answer(store, hunt, e))?,
        );
        let len = self.bodies.len() as u64;
        if end_pos as u64 != new_end || written as u64 != len {
            return Err(damaged(
                store.schema(),
                &format!(
                    "an append to hunt `{hunt}` at {expected} of {len} events moved the end to \
                     {end_pos} and wrote {written}"
                ),
                None,
            ));
        }
        Ok(new_end)
    }
}

fn odd_answer(store: &PgStore, hunt: &HuntId, error: sqlx::Error) -> StoreError {
    damaged(
        store.schema(),
        &format!("an append to hunt `{hunt}` got an answer it cannot read"),
        Some(Box::new(error)),
    )
}

pub(crate) async fn end(store: &PgStore, hunt: &HuntId) -> Result<u64, StoreError> {
    let end: Option<i64> = sqlx::query_scalar(END)
        .bind(hunt.as_str())
        .fetch_optional(store.pool())
        .await
        .map_err(|e| store.unavailable(e))?;
    Ok(end.map_or(0, |end| end as u64))
}

pub(crate) async fn read(
    store: &PgStore,
    hunt: &HuntId,
    after: u64,
    limit: usize,
) -> Result<Vec<Recorded>, StoreError> {
    read_on(store.pool(), store, hunt, after, limit).await
}

/// [`read`] on `executor`: the pool, or a turn's transaction.
pub(crate) async fn read_on<'e>(
    executor: impl Executor<'e, Database = Postgres>,
    store: &PgStore,
    hunt: &HuntId,
    after: u64,
    limit: usize,
) -> Result<Vec<Recorded>, StoreError> {
    if after >= MAX_POSITION || limit == 0 {
        return Ok(Vec::new());
    }
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = sqlx::query(READ)
        .bind(hunt.as_str())
        .bind(after as i64)
        .bind(limit)
        .fetch_all(executor)
        .await
        .map_err(|e| store.unavailable(e))?;
    checked_read(store, hunt, after, limit as u64, &rows)
}

/// The text of the [`READ`] statement with its arguments written in as literals, for a
/// simple query that sends it behind other statements (a turn's `BEGIN` and locks). The hunt
/// id is a slug (`a-z 0-9 - _`), safe inside quotes as it is.
pub(crate) fn read_literal(hunt: &HuntId, after: u64, limit: usize) -> Option<String> {
    if after >= MAX_POSITION || limit == 0 {
        return None;
    }
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Some(format!(
        "SELECT l.end_pos, e.pos, e.body \
         FROM (SELECT coalesce((SELECT end_pos FROM log_end WHERE hunt = '{hunt}'), 0) AS end_pos) l \
         LEFT JOIN LATERAL (\
             SELECT pos, body FROM events \
             WHERE hunt = '{hunt}' AND pos > {after} AND pos <= l.end_pos \
             ORDER BY pos LIMIT {limit}\
         ) e ON true",
        hunt = hunt.as_str(),
    ))
}

/// The events of the rows a read statement (`READ`, or [`read_literal`]'s) answered after
/// `after` with `limit`, checked to be every position up to the end it found, or the limit.
pub(crate) fn checked_read(
    store: &PgStore,
    hunt: &HuntId,
    after: u64,
    limit: u64,
    rows: &[PgRow],
) -> Result<Vec<Recorded>, StoreError> {
    let (end, events) = decode_rows(store, hunt, rows)?;
    let wanted = end.saturating_sub(after).min(limit);
    for (i, recorded) in events.iter().enumerate() {
        let due = after + 1 + i as u64;
        if recorded.seq != due {
            return Err(missing(store, hunt, end, due));
        }
    }
    if (events.len() as u64) < wanted {
        return Err(missing(store, hunt, end, after + 1 + events.len() as u64));
    }
    Ok(events)
}

pub(crate) async fn read_positions(
    store: &PgStore,
    hunt: &HuntId,
    positions: &[u64],
) -> Result<Vec<Recorded>, StoreError> {
    let asked: Vec<i64> = positions
        .iter()
        .take_while(|&&p| (1..=MAX_POSITION).contains(&p))
        .map(|&p| p as i64)
        .collect();
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(READ_POSITIONS)
        .bind(hunt.as_str())
        .bind(&asked)
        .fetch_all(store.pool())
        .await
        .map_err(|e| store.unavailable(e))?;
    let (end, events) = decode_rows(store, hunt, &rows)?;
    let mut found = events.into_iter();
    let mut out = Vec::with_capacity(asked.len());
    for &position in positions.iter().take_while(|&&p| p >= 1 && p <= end) {
        match found.next() {
            Some(recorded) if recorded.seq == position => out.push(recorded),
            _ => return Err(missing(store, hunt, end, position)),
        }
    }
    Ok(out)
}

/// The end found by a read statement, and its events in position order.
fn decode_rows(
    store: &PgStore,
    hunt: &HuntId,
    rows: &[PgRow],
) -> Result<(u64, Vec<Recorded>), StoreError> {
    let mut end = 0;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let odd = |e: sqlx::Error| {
            damaged(
                store.schema(),
                &format!("a read of hunt `{hunt}` got rows it cannot read"),
                Some(Box::new(e)),
            )
        };
        end = row.try_get::<i64, _>(0).map_err(odd)? as u64;
        let Some(seq) = row.try_get::<Option<i64>, _>(1).map_err(odd)? else {
            continue;
        };
        let seq = seq as u64;
        let body: Vec<u8> = row.try_get(2).map_err(odd)?;
        let event = codec::decode(&body).map_err(|e| {
            damaged(
                store.schema(),
                &format!(
                    "event {seq} of hunt `{hunt}` does not decode (the table `events` holds \
                     bytes that are not an event); restore the schema from a backup"
                ),
                Some(Box::new(e)),
            )
        })?;
        events.push(Recorded { seq, event });
    }
    if !events.is_sorted_by_key(|r| r.seq) {
        events.sort_by_key(|r| r.seq);
    }
    Ok((end, events))
}

fn missing(store: &PgStore, hunt: &HuntId, end: u64, position: u64) -> StoreError {
    damaged(
        store.schema(),
        &format!(
            "the log of hunt `{hunt}` ends at {end} but has no event at position {position}; \
             restore the schema from a backup"
        ),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::read_failed;

    #[test]
    fn only_failures_before_sending_or_rolled_back_wrote_nothing() {
        assert!(matches!(
            write_failed(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable { .. }
        ));
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(write_failed(sqlx::Error::Io(reset)).is_outcome_unknown());
        let protocol = sqlx::Error::Protocol("unexpected message".into());
        assert!(write_failed(protocol).is_outcome_unknown());
        assert!(matches!(
            read_failed(sqlx::Error::PoolClosed),
            StoreError::Unavailable { .. }
        ));
    }
}
