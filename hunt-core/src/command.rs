//! Commands: what callers ask the engine to do.

use serde::{Deserialize, Serialize};

use crate::ids::{IdempotencyKey, TeamId};

/// A request to the engine. Each is decided against the current state at a given `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Command {
    /// Register a team; its display name must be unique after normalization.
    Register {
        /// Display name.
        name: String,
        /// Division, if any.
        division: Option<String>,
    },
    /// Submit an answer on behalf of a team.
    Submit {
        /// The team.
        team: TeamId,
        /// The challenge's slug.
        challenge: String,
        /// The raw answer.
        answer: String,
        /// The caller's idempotency key for this submission.
        key: IdempotencyKey,
    },
    /// Admin: award (positive) or deduct (negative) points.
    Adjust {
        /// The team.
        team: TeamId,
        /// Points added; non-zero.
        delta: i64,
        /// Why; shown in the log.
        reason: String,
    },
    /// Admin: hide or unhide a team.
    SetHidden {
        /// The team.
        team: TeamId,
        /// Hidden or not.
        hidden: bool,
    },
    /// Take a hint of a challenge on behalf of a team.
    TakeHint {
        /// The team.
        team: TeamId,
        /// The challenge's slug.
        challenge: String,
        /// The hint's slug.
        hint: String,
    },
    /// Admin: grant a team extra counted guesses at a challenge (gph-site).
    GrantAttempts {
        /// The team.
        team: TeamId,
        /// The challenge's slug.
        challenge: String,
        /// Extra guesses; at least 1.
        extra: u32,
    },
    /// Admin: reveal the final board after a freeze: public views show the live board from
    /// then on, for good.
    ///
    /// Refused before the freeze time, and in a hunt without a freeze, unless `force`d
    /// ([`CommandError::NotFrozen`](crate::state::CommandError::NotFrozen)): revealing then
    /// would publish the live board for the rest of the hunt and cannot be undone.
    RevealBoard {
        /// Reveal even though the board is not frozen yet. Absent in commands written before
        /// it existed: not forced.
        #[serde(default)]
        force: bool,
    },
}

impl Command {
    /// The team the command acts for or on, if it names one (all but registering and
    /// revealing the board).
    pub fn team(&self) -> Option<TeamId> {
        match self {
            Self::Submit { team, .. }
            | Self::Adjust { team, .. }
            | Self::SetHidden { team, .. }
            | Self::TakeHint { team, .. }
            | Self::GrantAttempts { team, .. } => Some(*team),
            Self::Register { .. } | Self::RevealBoard { .. } => None,
        }
    }
}
