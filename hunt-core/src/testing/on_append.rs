//! A store handle that changes only appends: the tool of cases and tests that count, hold
//! back or fail appends while every other call goes to the store underneath.

use std::sync::Arc;

use async_trait::async_trait;

use crate::event::{Event, Recorded};
use crate::ids::HuntId;
use crate::store::{Checkpoint, Digest, Store, StoreError};

/// What an [`OnAppend`] handle does with an append, given the store underneath.
#[async_trait]
pub trait AppendHook: Send + Sync {
    /// Appends `events` to `inner` (or not), as the test wants.
    async fn append(
        &self,
        inner: &dyn Store,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError>;
}

/// A [`Store`] that sends appends through its hook and every other call of the contract's
/// required methods to the store underneath. The optional capabilities (turns, positioned
/// reads, waits) keep their defaults, so the engine sees a store without them.
pub struct OnAppend<H> {
    inner: Arc<dyn Store>,
    hook: H,
}

impl<H> OnAppend<H> {
    /// A handle on `inner` whose appends go through `hook`.
    pub fn new(inner: Arc<dyn Store>, hook: H) -> Self {
        Self { inner, hook }
    }

    /// The hook, for what it recorded.
    pub fn hook(&self) -> &H {
        &self.hook
    }
}

impl<H> std::fmt::Debug for OnAppend<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnAppend")
            .field("hook", &std::any::type_name::<H>())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<H: AppendHook + 'static> Store for OnAppend<H> {
    async fn append(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        self.hook.append(&*self.inner, hunt, expected, events).await
    }

    async fn read(
        &self,
        hunt: &HuntId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError> {
        self.inner.read(hunt, after, limit).await
    }

    async fn end(&self, hunt: &HuntId) -> Result<u64, StoreError> {
        self.inner.end(hunt).await
    }

    async fn save_definition(
        &self,
        hunt: &HuntId,
        source: &str,
        replaces: Option<Digest>,
    ) -> Result<(), StoreError> {
        self.inner.save_definition(hunt, source, replaces).await
    }

    async fn load_definition(&self, hunt: &HuntId) -> Result<Option<String>, StoreError> {
        self.inner.load_definition(hunt).await
    }

    async fn hunts(&self) -> Result<Vec<HuntId>, StoreError> {
        self.inner.hunts().await
    }

    async fn save_checkpoint(
        &self,
        hunt: &HuntId,
        checkpoint: &Checkpoint,
    ) -> Result<bool, StoreError> {
        self.inner.save_checkpoint(hunt, checkpoint).await
    }

    async fn load_checkpoint(&self, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError> {
        self.inner.load_checkpoint(hunt).await
    }
}
