//! Hints: extra help on a challenge, bought with points.

use serde::{Deserialize, Serialize};

/// When a hint's cost is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum HintCharge {
    /// Deducted when taken, like a negative award (CTFd): it also moves the tie-break time.
    #[default]
    Taken,
    /// Charged only if the team solves the challenge, at the solve (CTFd#1018); taken after
    /// the solve, it is charged at once.
    OnSolve,
}

/// One hint of a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Slug, unique within its challenge.
    pub slug: String,
    /// What the team is told.
    pub content: String,
    /// Points it costs; 0 for a free hint. Hints are free after the hunt ends.
    pub cost: i64,
    /// A hint of the same challenge (its index) that must be taken first.
    pub requires: Option<usize>,
}
