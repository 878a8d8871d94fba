//! Errors of deciding commands and replaying events.

use crate::answer::AnswerError;
use crate::ids::TeamId;

/// Why a command was rejected. Nothing was changed or recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// No team has this id.
    #[error("unknown team {0}")]
    UnknownTeam(TeamId),
    /// The answer cannot be judged (empty, too long, control characters, …).
    #[error("answer rejected: {0}")]
    Answer(#[from] AnswerError),
    /// Another team already has this display name (after normalization).
    #[error("the team name {0:?} is taken")]
    NameTaken(String),
    /// The display name is empty, too long or contains control characters.
    #[error("invalid team name: {0}")]
    InvalidName(&'static str),
    /// The display name holds an invisible or text-reordering character (a zero-width space,
    /// a bidirectional override, …), which would let it pass for another name or reverse
    /// what follows it on every board.
    #[error(
        "invalid team name: it contains the invisible or bidirectional control character U+{:04X}",
        u32::from(*.0)
    )]
    InvisibleCharacter(char),
    /// The display name looks like a registered team's (the same UTS #39 confusable skeleton,
    /// such as `Sea 0tters` beside `Sea Otters`), so teams could pass for each other.
    #[error("the team name {name:?} looks like that of the team {existing:?}: choose another")]
    NameLooksLike {
        /// The name given.
        name: String,
        /// The registered team's name.
        existing: String,
    },
    /// The division name is empty, too long or contains control characters.
    #[error("invalid division: {0}")]
    InvalidDivision(&'static str),
    /// The hunt declares divisions and the registration names none of them.
    #[error("this hunt has divisions: name one of {}", Known(known))]
    DivisionRequired {
        /// The declared divisions' ids.
        known: Vec<String>,
    },
    /// The hunt declares divisions and the registration names another one (ids are matched
    /// folded: `STUDENTS` is `students`).
    #[error("no division {given:?} in this hunt: name one of {}", Known(known))]
    UnknownDivision {
        /// The division as given.
        given: String,
        /// The declared divisions' ids.
        known: Vec<String>,
    },
    /// An adjustment of zero points, or beyond ±10¹².
    #[error("an adjustment must be non-zero and at most 10^12 points either way, not {0}")]
    InvalidAdjustment(i64),
    /// The adjustment's reason is longer than the hunt allows.
    #[error("the reason is longer than {max} bytes")]
    ReasonTooLong {
        /// The limit.
        max: usize,
    },
    /// The challenge (which the team can see) has no hint with this slug.
    #[error("no hint {0:?} on this challenge")]
    UnknownHint(String),
    /// No challenge has this slug (admin commands only; teams get a locked verdict).
    #[error("no challenge {0:?}")]
    UnknownChallenge(String),
    /// Revealing the final board before the freeze (or in a hunt without one) without
    /// forcing it: the public board would show the live one for good.
    #[error("{}", not_frozen(*.freeze))]
    NotFrozen {
        /// When the board freezes; `None` if the hunt has no freeze.
        freeze: Option<crate::time::Timestamp>,
    },
    /// Granting zero extra attempts.
    #[error("grant at least one extra attempt")]
    NothingGranted,
    /// The command's id was already used by another command (of another kind, or for
    /// another team, name or hint); nothing changed. Use a fresh id for each command.
    #[error("the command id {0} was already used by another command")]
    KeyReused(crate::ids::IdempotencyKey),
}

/// Why an event could not be applied: the log does not fit the definition or is out of order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The event's position is not the next one.
    #[error("expected the event at position {expected}, got {got}")]
    OutOfOrder {
        /// The next position.
        expected: u64,
        /// The position received.
        got: u64,
    },
    /// The event names a team that was never registered (or registers one out of order).
    #[error("the log names {0}, which is not the next or an existing team")]
    UnknownTeam(TeamId),
    /// The event names a challenge the definition does not have.
    #[error("the log names challenge {0:?}, which the definition does not have")]
    UnknownChallenge(String),
    /// The event names a hint its challenge does not have.
    #[error("the log names hint {hint:?} of {challenge:?}, which the definition does not have")]
    UnknownHint {
        /// The challenge's slug.
        challenge: String,
        /// The hint's slug.
        hint: String,
    },
}

/// A list of division ids, as an error message says it: `students, open`.
struct Known<'a>(&'a [String]);

impl std::fmt::Display for Known<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, id) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(id)?;
        }
        Ok(())
    }
}

fn not_frozen(freeze: Option<crate::time::Timestamp>) -> String {
    match freeze {
        Some(at) => format!(
            "the board is not frozen yet (it freezes at {at}): revealing it now would show the \
             live board to everyone for the rest of the hunt; force it to reveal anyway"
        ),
        None => "this hunt has no freeze, so there is no frozen board to reveal: the public \
                 board already is the live one; force it to record a reveal anyway"
            .to_owned(),
    }
}
