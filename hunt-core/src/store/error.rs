//! Store errors (to be completed).

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The log did not end where the caller expected; nothing was written.
    #[error("the log ends at {actual}, not at the expected {expected}; nothing was written")]
    Conflict {
        /// The end the caller expected.
        expected: u64,
        /// The actual end of the log.
        actual: u64,
    },
}
