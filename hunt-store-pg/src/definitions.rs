//! Definitions: each hunt's source, versioned by its digest, saved by compare-and-set in one
//! statement.

use hunt_core::HuntId;
use hunt_core::store::{Digest, StoreError, definition_digest};
use sqlx::Row;

use crate::PgStore;
use crate::error::{damaged, write_failed};

/// Saves a first definition, or the very one stored (a retry): one row, or none.
const SAVE_FIRST: &str = "
INSERT INTO definitions (hunt, source, digest) VALUES ($1, $2, $3)
ON CONFLICT (hunt) DO UPDATE SET source = EXCLUDED.source
    WHERE definitions.digest = EXCLUDED.digest
RETURNING true";

/// Replaces the definition whose digest is `$4` (or the very one stored): one row, or none.
const REPLACE: &str = "
UPDATE definitions SET source = $2, digest = $3
WHERE hunt = $1 AND (digest = $4 OR digest = $3)
RETURNING true";

const DIGEST: &str = "SELECT digest FROM definitions WHERE hunt = $1";

const LOAD: &str = "SELECT source, digest FROM definitions WHERE hunt = $1";

const HUNTS: &str = "SELECT hunt FROM definitions ORDER BY hunt COLLATE \"C\"";

pub(crate) async fn save(
    store: &PgStore,
    hunt: &HuntId,
    source: &str,
    replaces: Option<Digest>,
) -> Result<(), StoreError> {
    let digest = definition_digest(source);
    let mut connection = store.acquire().await?;
    let query = match replaces {
        None => sqlx::query(SAVE_FIRST)
            .bind(hunt.as_str())
            .bind(source)
            .bind(&digest[..]),
        Some(replaces) => sqlx::query(REPLACE)
            .bind(hunt.as_str())
            .bind(source)
            .bind(&digest[..])
            .bind(replaces.to_vec()),
    };
    let saved = query
        .fetch_optional(&mut *connection)
        .await
        .map_err(write_failed)?;
    if saved.is_some() {
        return Ok(());
    }
    let found: Option<Vec<u8>> = sqlx::query_scalar(DIGEST)
        .bind(hunt.as_str())
        .fetch_optional(&mut *connection)
        .await
        .map_err(|e| store.unavailable(e))?;
    let found = found
        .map(|bytes| to_digest(store, hunt, &bytes))
        .transpose()?;
    if found == Some(digest) {
        // Saved meanwhile by someone else: what the caller wanted is stored.
        return Ok(());
    }
    Err(StoreError::DefinitionConflict { found })
}

pub(crate) async fn load(store: &PgStore, hunt: &HuntId) -> Result<Option<String>, StoreError> {
    let Some(row) = sqlx::query(LOAD)
        .bind(hunt.as_str())
        .fetch_optional(store.pool())
        .await
        .map_err(|e| store.unavailable(e))?
    else {
        return Ok(None);
    };
    let odd = |e: sqlx::Error| {
        damaged(
            store.schema(),
            &format!("the definition of hunt `{hunt}` cannot be read"),
            Some(Box::new(e)),
        )
    };
    let source: String = row.try_get(0).map_err(odd)?;
    let digest: Vec<u8> = row.try_get(1).map_err(odd)?;
    if to_digest(store, hunt, &digest)? != definition_digest(&source) {
        return Err(damaged(
            store.schema(),
            &format!(
                "the definition of hunt `{hunt}` does not match its digest (the table \
                 `definitions` was changed behind the store's back); save it again with \
                 `hunt init`, or restore the schema from a backup"
            ),
            None,
        ));
    }
    Ok(Some(source))
}

pub(crate) async fn hunts(store: &PgStore) -> Result<Vec<HuntId>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(HUNTS)
        .fetch_all(store.pool())
        .await
        .map_err(|e| store.unavailable(e))?;
    ids.into_iter()
        .map(|id| {
            HuntId::new(id).map_err(|e| {
                damaged(
                    store.schema(),
                    "the table `definitions` names a hunt by an invalid id",
                    Some(Box::new(e)),
                )
            })
        })
        .collect()
}

fn to_digest(store: &PgStore, hunt: &HuntId, bytes: &[u8]) -> Result<Digest, StoreError> {
    Digest::try_from(bytes).map_err(|e| {
        damaged(
            store.schema(),
            &format!("the digest of the definition of hunt `{hunt}` is not 32 bytes"),
            Some(Box::new(e)),
        )
    })
}
