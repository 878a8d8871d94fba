//! The integration tests of `hunt-store-pg`, one binary with a module per area, against the
//! PostgreSQL server named by `HUNT_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
//! Each test works in a fresh schema of its own, so tests run in parallel; a server that does
//! not answer fails them, saying what to set up.

mod cluster;
mod commit_cut;
mod conformance;
mod errors;
mod follower;
mod killed;
mod latency;
mod naive;
mod processes;
mod proxy;
mod support;
mod turns;
