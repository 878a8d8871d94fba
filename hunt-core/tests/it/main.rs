//! The integration tests of `hunt-core`, one binary with a module per area.

mod checkpoints;
mod clock;
mod definitions;
mod engine_batch;
mod engine_cancel;
mod engine_follow;
mod engine_handle;
mod events;
mod formulas;
mod lazy_ranking;
mod log_time;
mod memory_store;
mod multi_engine;
mod oracle;
mod registration;
mod reveal;
mod rules;
mod rules_oracle;
mod schedule;
mod secret;
mod verdicts;
