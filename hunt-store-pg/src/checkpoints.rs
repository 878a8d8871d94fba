//! Checkpoints: at most one per hunt, replaced only by one at the same or a later position,
//! the comparison and the write being one statement.

use hunt_core::HuntId;
use hunt_core::store::{Checkpoint, StoreError};
use sqlx::Row;

use crate::PgStore;
use crate::error::{damaged, write_failed};

/// Saves the checkpoint unless the stored one is at a later position: one row, or none.
const SAVE: &str = "
INSERT INTO checkpoints (hunt, seq, body) VALUES ($1, $2, $3)
ON CONFLICT (hunt) DO UPDATE SET seq = EXCLUDED.seq, body = EXCLUDED.body
    WHERE checkpoints.seq <= EXCLUDED.seq
RETURNING true";

const LOAD: &str = "SELECT seq, body FROM checkpoints WHERE hunt = $1";

/// Marks a stored checkpoint found damaged, so that any checkpoint replaces it.
const MARK_DAMAGED: &str = "UPDATE checkpoints SET seq = -1 WHERE hunt = $1 AND seq = $2";

pub(crate) async fn save(
    store: &PgStore,
    hunt: &HuntId,
    checkpoint: &Checkpoint,
) -> Result<bool, StoreError> {
    let Ok(seq) = i64::try_from(checkpoint.seq) else {
        return Err(StoreError::TooLarge {
            what: format!("a checkpoint at position {}", checkpoint.seq),
        });
    };
    let mut connection = store.acquire().await?;
    let saved = sqlx::query(SAVE)
        .bind(hunt.as_str())
        .bind(seq)
        .bind(checkpoint.to_bytes())
        .fetch_optional(&mut *connection)
        .await
        .map_err(write_failed)?;
    Ok(saved.is_some())
}

pub(crate) async fn load(store: &PgStore, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError> {
    let Some(row) = sqlx::query(LOAD)
        .bind(hunt.as_str())
        .fetch_optional(store.pool())
        .await
        .map_err(|e| store.unavailable(e))?
    else {
        return Ok(None);
    };
    let seq: i64 = row.try_get(0).map_err(|e| store.unavailable(e))?;
    let body: Vec<u8> = row.try_get(1).map_err(|e| store.unavailable(e))?;
    let problem = match Checkpoint::from_bytes(&body) {
        Ok(checkpoint) if checkpoint.seq as i64 == seq && checkpoint.hunt == *hunt => {
            return Ok(Some(checkpoint));
        }
        Ok(checkpoint) => format!(
            "it is the checkpoint of hunt `{}` at position {}, stored as hunt `{hunt}` at {seq}",
            checkpoint.hunt, checkpoint.seq
        ),
        Err(e) => e.to_string(),
    };
    // Any checkpoint may now replace it; if marking fails, the next load finds it again.
    let _ = sqlx::query(MARK_DAMAGED)
        .bind(hunt.as_str())
        .bind(seq)
        .execute(store.pool())
        .await;
    Err(damaged(
        store.schema(),
        &format!(
            "the checkpoint of hunt `{hunt}` does not decode ({problem}); it is ignored, and \
             the next checkpoint replaces it"
        ),
        None,
    ))
}
