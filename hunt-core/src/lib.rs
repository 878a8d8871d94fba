//! The pure, deterministic core of hunt.
#![deny(missing_docs)]

pub mod answer;
pub mod command;
pub mod definition;
pub mod event;
pub mod hunt;
pub mod ids;
pub mod standings;
pub mod store;
pub mod time;
pub mod verdict;

pub use command::Command;
pub use event::{Event, JudgedAs, Recorded};
pub use hunt::Hunt;
pub use ids::{ChallengeId, HuntId, IdempotencyKey, RoundId, TeamId};
pub use time::{Span, Timestamp};
pub use verdict::{Verdict, Window};
