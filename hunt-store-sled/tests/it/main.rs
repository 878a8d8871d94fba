//! The integration tests of `hunt-store-sled`, one binary with a module per area.
//!
//! The locking and crash tests run this same binary again as a child process (see
//! `child.rs`).

mod checkpoints;
mod child;
mod concurrency;
mod conformance;
mod crash;
mod errors;
mod locking;
mod support;
