//! Store errors: the vocabulary every store adapter maps its backend's failures into.
//!
//! Outcomes a caller branches on (a conflicting append, a store held by another process) get
//! their own variants; backend failures keep the backend's error as a boxed `source`, so
//! `source()` chains still tell "connection refused" from "disk full".

use std::error::Error;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The log did not end where the caller expected; nothing was written.
    ///
    /// The caller catches up from `expected` (reading the events up to `actual`), decides
    /// again and retries with `actual` as its expectation.
    #[error("the log ends at {actual}, not at the expected {expected}; nothing was written")]
    Conflict {
        /// The end the caller expected.
        expected: u64,
        /// The actual end of the log.
        actual: u64,
    },

    /// The stored data is damaged: it cannot be decoded or breaks the store's invariants.
    ///
    /// Retrying will not help.
    #[error("the store's data is damaged: {what}; stop writing to it and restore it from a backup")]
    Corruption {
        /// What is damaged, e.g. "event 42 of hunt `finals` does not decode".
        what: String,
        /// The error that revealed the damage, if any.
        #[source]
        source: Option<Box<dyn Error + Send + Sync>>,
    },

    /// The backend could not be reached or an I/O operation failed, and **nothing was
    /// written**. Retrying may help.
    ///
    /// A store that cannot tell whether a write landed returns
    /// [`StoreError::OutcomeUnknown`] instead.
    #[error("the store could not be reached or an I/O operation failed; retrying may help")]
    Unavailable {
        /// The backend's error.
        #[source]
        source: Box<dyn Error + Send + Sync>,
    },

    /// A write failed in a way that leaves its outcome unknown: it may have landed, whole, or
    /// not at all (e.g. the connection dropped after the commit was sent, or the write
    /// reached the store but could not be made durable).
    ///
    /// For an append, the caller reads the log at the position it appended at to find out
    /// (the batch can only have landed there, see [`Store::append`](super::Store::append));
    /// the engine does this itself and answers each command with the outcome of its first
    /// decision, never a second one.
    #[error("the store failed during a write that may or may not have landed; read it back")]
    OutcomeUnknown {
        /// The backend's error.
        #[source]
        source: Box<dyn Error + Send + Sync>,
    },

    /// The definition stored is not the one a save said it replaces; nothing was written.
    #[error(
        "the hunt's definition was replaced by someone else (found {}); nothing was written",
        match found { Some(d) => hex::encode(&d[..6]), None => "none".to_owned() }
    )]
    DefinitionConflict {
        /// The digest of the definition stored now, `None` if there is none.
        found: Option<super::Digest>,
    },

    /// The store is held by another process (e.g. an embedded database already open).
    #[error("{what} is held by another process; stop that process or use another store")]
    Locked {
        /// What is held, e.g. the path of the database.
        what: String,
    },

    /// The data is larger than the backend accepts; nothing was written.
    #[error("{what} is too large for this store; nothing was written")]
    TooLarge {
        /// What is too large, e.g. "a batch of 70000 events".
        what: String,
    },

    /// A failure injected by [`MemoryStore`](super::MemoryStore)'s fault injection.
    #[error("a failure injected by MemoryStore's fault injection")]
    Injected,
}

impl StoreError {
    /// Whether this is a [`StoreError::Conflict`]: the log did not end where expected.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }

    /// Whether retrying the same call later may succeed: the backend was unreachable, the
    /// outcome of a write is unknown, or another writer moved the log. Damaged data, a
    /// store held by another process or data too large fail the same way again.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unavailable { .. }
                | Self::OutcomeUnknown { .. }
                | Self::Conflict { .. }
                | Self::Injected
        )
    }

    /// A [`StoreError::Unavailable`] wrapping the backend's error.
    pub fn unavailable(source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self::Unavailable {
            source: source.into(),
        }
    }

    /// Whether this is a [`StoreError::OutcomeUnknown`]: a write that may have landed.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::OutcomeUnknown { .. })
    }

    /// A [`StoreError::OutcomeUnknown`] wrapping the backend's error.
    pub fn outcome_unknown(source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self::OutcomeUnknown {
            source: source.into(),
        }
    }

    /// A [`StoreError::Corruption`] describing `what` is damaged, with the error that
    /// revealed it.
    pub fn corruption(
        what: impl Into<String>,
        source: impl Into<Box<dyn Error + Send + Sync>>,
    ) -> Self {
        Self::Corruption {
            what: what.into(),
            source: Some(source.into()),
        }
    }
}
