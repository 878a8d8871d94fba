//! The whole store conformance suite of `hunt-core`, on a fresh directory per case.

use std::sync::Arc;

use async_trait::async_trait;
use hunt_core::store::Store;
use hunt_core::testing::StoreBuilder;
use hunt_store_sled::SledStore;
use tempfile::TempDir;

/// Stores in a temporary directory that lives, as the guard, as long as the case.
struct SledBuilder;

#[async_trait]
impl StoreBuilder for SledBuilder {
    type Guard = TempDir;

    async fn build(&self) -> (Arc<dyn Store>, TempDir) {
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let store = SledStore::open(dir.path()).expect("a fresh directory opens");
        (Arc::new(store), dir)
    }

    async fn reopen(&self, guard: &TempDir) -> Option<Arc<dyn Store>> {
        let store = SledStore::open(guard.path()).expect("the directory opens again");
        Some(Arc::new(store))
    }
}

hunt_core::store_conformance_tests!(SledBuilder);
