//! Where `hunt demo` runs: a sled directory, or a PostgreSQL schema, fresh unless named.

use std::path::PathBuf;
use std::sync::Arc;

use crate::failure::Failure;
use crate::store::{self, Selection};

/// Where the demo runs: a sled directory (`--data`, or a fresh temporary one kept after the
/// demo), or a PostgreSQL schema (the one named, or a fresh one).
pub(super) enum Place {
    Sled(PathBuf),
    Postgres(store::Postgres),
}

impl Place {
    pub(super) fn choose(selection: &Selection) -> Result<Self, Failure> {
        if let Some(postgres) = &selection.postgres {
            let mut postgres = postgres.clone();
            if !postgres.schema_given {
                postgres.schema = fresh_schema();
            }
            return Ok(Self::Postgres(postgres));
        }
        match &selection.data {
            Some(dir) => Ok(Self::Sled(dir.clone())),
            None => temporary_dir().map(Self::Sled),
        }
    }

    pub(super) async fn open(&self) -> Result<Arc<dyn hunt_core::store::Store>, Failure> {
        Ok(match self {
            Self::Sled(dir) => Arc::new(store::open_sled(dir).await?),
            Self::Postgres(postgres) => Arc::new(postgres.open().await?),
        })
    }

    /// The store, as messages name it.
    pub(super) fn shown(&self) -> String {
        match self {
            Self::Sled(dir) => dir.display().to_string(),
            Self::Postgres(postgres) => postgres.shown(),
        }
    }

    pub(super) fn fresh_advice(&self) -> &'static str {
        match self {
            Self::Sled(_) => {
                "give a new directory with --data, or leave --data out for a fresh temporary one"
            }
            Self::Postgres(_) => {
                "give a new schema with --schema, or leave --schema and ?schema= out for a fresh one"
            }
        }
    }

    /// The flags that name this store to other commands.
    pub(super) fn flags(&self) -> String {
        match self {
            Self::Sled(dir) => format!("--data {}", dir.display()),
            Self::Postgres(postgres) => format!("--store '{}'", postgres.store_arg()),
        }
    }

    /// Where files such as the score graph go: the sled directory, or a fresh temporary
    /// directory beside a PostgreSQL store.
    pub(super) fn files(&self) -> Result<PathBuf, Failure> {
        match self {
            Self::Sled(dir) => Ok(dir.clone()),
            Self::Postgres(_) => temporary_dir(),
        }
    }
}

/// A fresh temporary directory that is kept after the demo.
fn temporary_dir() -> Result<PathBuf, Failure> {
    tempfile::Builder::new()
        .prefix("hunt-demo-")
        .tempdir()
        .map(tempfile::TempDir::keep)
        .map_err(|e| Failure::user(format!("cannot create a temporary directory: {e}")))
}

/// A schema name no earlier demo took: the time to the nanosecond and the process id.
fn fresh_schema() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "hunt_demo_{}_{:09}_{}",
        now.as_secs(),
        now.subsec_nanos(),
        std::process::id()
    )
}
