//! The store conformance suite: one set of cases that every [`Store`] must pass.
//!
//! An adapter implements [`StoreBuilder`] (a fresh, empty store per call, plus a guard such
//! as a temporary directory) and expands [`store_conformance_tests!`](crate::store_conformance_tests)
//! in its tests, which gives one named test per case, each on a multi-threaded runtime so that
//! the concurrent cases really run in parallel:
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use async_trait::async_trait;
//! use hunt_core::store::{MemoryStore, Store};
//! use hunt_core::testing::StoreBuilder;
//!
//! struct MemoryBuilder;
//!
//! #[async_trait]
//! impl StoreBuilder for MemoryBuilder {
//!     type Guard = ();
//!
//!     async fn build(&self) -> (Arc<dyn Store>, ()) {
//!         (Arc::new(MemoryStore::new()), ())
//!     }
//! }
//!
//! hunt_core::store_conformance_tests!(MemoryBuilder);
//! ```
//!
//! Each case is also a public `async fn` taking the builder, for adapters that run cases
//! their own way. A case panics, naming the broken promise of the [`Store`] contract, when
//! the store does not keep it.
//!
//! Available with the `testing` feature only.

mod batches;
mod cases;
mod check;
mod checkpoints;
mod multi_writer;
mod on_append;
mod sample;
mod turns;
mod unknown_outcome;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::store::Store;

pub use batches::{
    a_batch_decides_as_its_commands_one_by_one, batches_of_two_handles_keep_their_order,
};
pub use cases::{
    append_then_read_back_in_order, concurrent_appends_lose_and_duplicate_nothing,
    concurrent_appends_to_several_hunts_stay_apart, definitions_save_replace_load_list,
    empty_append_checks_expectation, expectation_ahead_conflicts_and_writes_nothing,
    hunts_are_kept_apart, large_answer_round_trips, large_batch_appends_whole,
    positions_start_at_one_without_gaps, read_from_every_position_with_limits,
    reopen_keeps_everything, stale_expectation_conflicts_and_writes_nothing,
    unknown_hunt_reads_empty_and_loads_none,
};
pub use checkpoints::{checkpoints_are_kept_per_hunt, checkpoints_save_replace_load};
pub use multi_writer::{
    WAKE_LIMIT, a_waiter_after_the_append_returns_at_once, checkpoint_order_holds_across_handles,
    definitions_are_replaced_by_compare_and_set, end_and_positions_read_in_one_call,
    notifications_cross_handles, two_handles_append_concurrently_and_lose_nothing,
};
pub use on_append::{AppendHook, OnAppend};
pub use sample::{sample_event, sample_events};
pub use turns::{TURN_LIMIT, a_turn_holds_back_other_writers};
pub use unknown_outcome::unknown_outcomes_are_settled_without_a_double_apply;

/// How long one case may run before [`run_case`] fails it as hung.
pub const CASE_TIME_LIMIT: Duration = Duration::from_secs(300);

/// Makes the stores the suite tests.
#[async_trait]
pub trait StoreBuilder: Send + Sync {
    /// Keeps the store's backing resources alive while the case runs, e.g. a temporary
    /// directory for a disk store, a database schema for PostgreSQL, `()` for memory. Dropped
    /// at the end of the case.
    type Guard: Send + Sync;

    /// A fresh, empty store (no logs, no definitions) and its guard.
    ///
    /// Panics, with a message saying what to set up, if the backend cannot be reached.
    async fn build(&self) -> (Arc<dyn Store>, Self::Guard);

    /// The store built with `guard`, opened again, for durable stores; `None` (the default)
    /// for stores that keep nothing once dropped, whose reopen case is then skipped.
    ///
    /// The suite has dropped every handle to the first store before calling this, so a store
    /// that takes an exclusive lock on its files can open them again.
    async fn reopen(&self, guard: &Self::Guard) -> Option<Arc<dyn Store>> {
        let _ = guard;
        None
    }

    /// A second live handle on the same backend as `store` (built with `guard`), as another
    /// engine or process would hold it: for the memory store a clone sharing its log, for
    /// sled a second `Arc` of the one open database (a directory is held by one process),
    /// for PostgreSQL a second pool on the same schema. Both handles stay in use together.
    ///
    /// The default returns `store` itself, which is right only for stores whose one handle
    /// is all a process can have.
    async fn second_handle(&self, store: &Arc<dyn Store>, guard: &Self::Guard) -> Arc<dyn Store> {
        let _ = guard;
        store.clone()
    }

    /// Whether the store pushes notifications ([`Store::wait_past`] waits for an append
    /// rather than returning [`Wait::Unsupported`](crate::store::Wait::Unsupported)). The
    /// notification cases check the push when it does, and the polling answer when not.
    fn pushes_notifications(&self) -> bool {
        true
    }
}

/// Runs one case to completion on a multi-threaded runtime with 4 workers, failing it if it
/// takes longer than [`CASE_TIME_LIMIT`] (a deadlock or a lost wake-up in the store).
///
/// This is what each test made by
/// [`store_conformance_tests!`](crate::store_conformance_tests) does, so an adapter's test
/// crate needs no runtime of its own.
pub fn run_case(case: impl Future<Output = ()>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("cannot start a tokio runtime for the store conformance suite");
    runtime.block_on(async {
        if tokio::time::timeout(CASE_TIME_LIMIT, case).await.is_err() {
            panic!(
                "the case did not finish within {CASE_TIME_LIMIT:?}: \
                 a deadlock or a lost wake-up in the store?"
            );
        }
    });
}

/// Expands to one `#[test]` per case of the store conformance suite, named after the case,
/// each building its stores with the given [`StoreBuilder`](crate::testing::StoreBuilder)
/// expression and running on a multi-threaded runtime (see
/// [`run_case`](crate::testing::run_case)).
///
/// The expression is evaluated once per case, inside the runtime. Expand the macro in a module
/// of its own if the test names could clash with others. See the [module](crate::testing)
/// docs for an example.
#[macro_export]
macro_rules! store_conformance_tests {
    ($builder:expr $(,)?) => {
        $crate::store_conformance_tests!(@cases ($builder)
            append_then_read_back_in_order
            positions_start_at_one_without_gaps
            read_from_every_position_with_limits
            empty_append_checks_expectation
            stale_expectation_conflicts_and_writes_nothing
            expectation_ahead_conflicts_and_writes_nothing
            concurrent_appends_lose_and_duplicate_nothing
            concurrent_appends_to_several_hunts_stay_apart
            hunts_are_kept_apart
            definitions_save_replace_load_list
            large_answer_round_trips
            large_batch_appends_whole
            unknown_hunt_reads_empty_and_loads_none
            reopen_keeps_everything
            checkpoints_save_replace_load
            checkpoints_are_kept_per_hunt
            end_and_positions_read_in_one_call
            definitions_are_replaced_by_compare_and_set
            two_handles_append_concurrently_and_lose_nothing
            notifications_cross_handles
            a_waiter_after_the_append_returns_at_once
            checkpoint_order_holds_across_handles
            unknown_outcomes_are_settled_without_a_double_apply
            a_turn_holds_back_other_writers
            a_batch_decides_as_its_commands_one_by_one
            batches_of_two_handles_keep_their_order
        );
    };
    (@cases ($builder:expr) $($case:ident)*) => {
        $(
            #[test]
            fn $case() {
                $crate::testing::run_case(async {
                    let builder = $builder;
                    $crate::testing::$case(&builder).await;
                });
            }
        )*
    };
}
