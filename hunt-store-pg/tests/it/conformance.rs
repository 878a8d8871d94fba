//! The whole store conformance suite of `hunt-core`, in a fresh schema per case; `reopen`
//! and `second_handle` open new stores (pools of their own) on the same schema, as another
//! process would.

use std::sync::Arc;

use async_trait::async_trait;
use hunt_core::store::Store;
use hunt_core::testing::StoreBuilder;

use crate::support::Schema;

struct PgBuilder;

#[async_trait]
impl StoreBuilder for PgBuilder {
    type Guard = Schema;

    async fn build(&self) -> (Arc<dyn Store>, Schema) {
        let schema = Schema::fresh().await;
        let store = schema.open().await;
        (Arc::new(store), schema)
    }

    async fn reopen(&self, guard: &Schema) -> Option<Arc<dyn Store>> {
        Some(Arc::new(guard.open().await))
    }

    async fn second_handle(&self, _store: &Arc<dyn Store>, guard: &Schema) -> Arc<dyn Store> {
        Arc::new(guard.open().await)
    }

    fn pushes_notifications(&self) -> bool {
        true
    }
}

hunt_core::store_conformance_tests!(PgBuilder);
