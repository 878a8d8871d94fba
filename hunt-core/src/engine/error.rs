//! Errors of the engine handle.

use std::sync::Arc;

use crate::definition::DefinitionError;
use crate::ids::HuntId;
use crate::state::{CommandError, ReplayError, SecretError};
use crate::store::StoreError;

/// Why an engine call failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The command was rejected as bad input; nothing changed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The store failed. Shared because one failed group write fails every command in it.
    /// Nothing is applied; whether the events reached the store may be unknown, so retry
    /// submissions with the same idempotency key.
    #[error("store error: {0}")]
    Store(#[source] Arc<StoreError>),
    /// The log does not fit the definition.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// The store has no definition for this hunt.
    #[error("the store has no hunt {0}")]
    UnknownHunt(HuntId),
    /// The stored definition is invalid.
    #[error("invalid hunt definition:\n{error}")]
    Definition {
        /// The hunt, when the definition came from a store.
        hunt: Option<HuntId>,
        /// Every problem found.
        error: DefinitionError,
    },
    /// The hunt has sealed answers and no secret was supplied, or the secret is not the one
    /// they were sealed with.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// Other writers kept moving the log; the command was not decided.
    #[error("gave up after {0} conflicting writes from other processes; retry")]
    Contention(u32),
}

impl EngineError {
    /// Whether the same call may succeed later: the store failed transiently (see
    /// [`StoreError::is_transient`]) or other writers kept moving the log. A rejected
    /// command, a log that does not fit the definition or a damaged store fail again.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Store(error) => error.is_transient(),
            Self::Contention(_) => true,
            _ => false,
        }
    }
}

impl From<StoreError> for EngineError {
    fn from(error: StoreError) -> Self {
        Self::Store(Arc::new(error))
    }
}
