//! The pure, deterministic core of hunt: hunt definitions, answer checking, unlock rules,
//! scoring, ranking, the event log and the storage traits.
//!
//! The core does no I/O and reads no clock: every command takes `now`. [`state::HuntState`]
//! decides commands into verdicts and events and folds events into standings;
//! [`engine::Engine`] is the async handle a service holds, appending events to a
//! [`store::Store`] before they count.
//!
//! ```
//! use std::sync::Arc;
//!
//! use hunt_core::state::HuntState;
//! use hunt_core::{Command, IdempotencyKey, Timestamp, Verdict};
//!
//! let hunt = hunt_core::definition::load(r#"
//!     id = "tiny"
//!     title = "A tiny hunt"
//!     start = 2026-11-28T09:00:00Z
//!     end = 2026-11-28T21:00:00Z
//!
//!     [[challenge]]
//!     id = "first"
//!     title = "First"
//!     points = 100
//!     answers = ["treasure"]
//! "#).unwrap();
//! let mut state = HuntState::new(Arc::new(hunt), None).unwrap();
//! let now = Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").unwrap();
//!
//! // Decide, then apply: in a service the engine appends the events to a store in between.
//! let mut run = |command: Command| {
//!     let decision = state.decide(&command, now).unwrap();
//!     state.apply_all(&decision.events).unwrap();
//!     decision.outcome
//! };
//! run(Command::Register { name: "Sea Otters".into(), division: None });
//! let outcome = run(Command::Submit {
//!     team: hunt_core::TeamId(0),
//!     challenge: "first".into(),
//!     answer: "TREASURE".into(),
//!     key: IdempotencyKey(1),
//! });
//! assert_eq!(
//!     outcome,
//!     hunt_core::state::Outcome::Verdict(Verdict::Correct { points: 100, first_solve: true })
//! );
//! assert_eq!(state.top(1)[0].score, 100);
//! ```
#![deny(missing_docs)]
#![warn(unreachable_pub)]

/// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub mod answer;
pub mod command;
pub mod definition;
pub mod engine;
pub mod event;
pub mod hint;
pub mod hunt;
pub mod ids;
pub mod notify;
pub mod scoring;
pub mod standings;
pub mod state;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
pub mod time;
pub mod verdict;

pub use answer::Secret;
pub use command::Command;
pub use engine::{Engine, EngineError};
pub use event::{Event, JudgedAs, Recorded};
pub use hunt::Hunt;
pub use ids::{ChallengeId, HuntId, IdempotencyKey, RoundId, TeamId};
pub use state::{HuntState, Outcome};
pub use store::{Store, StoreError};
pub use time::{Span, TimeError, Timestamp};
pub use verdict::{Verdict, Window};
