//! In-memory store (to be implemented).

/// An in-memory store.
#[derive(Debug, Default)]
pub struct MemoryStore;
