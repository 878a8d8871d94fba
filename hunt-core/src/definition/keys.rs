//! The format's key names, written once: the keys of each table, which the parser reads and
//! reports unknown keys against, and which validation finds spans by and names in messages.
//!
//! A [`Key`] is a key of one table, or the dotted path to a key of a table nested in a hunt or
//! a challenge (`scoring.initial`, `throttle.window.per`): it names a value's
//! [`Site`](super::location::Site), so the parser and validation cannot disagree on a name.

use std::fmt;

macro_rules! keys {
    ($($variant:ident = $path:literal,)*) => {
        /// A key of the format, or the dotted path to a key of a nested table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub(crate) enum Key {
            $(#[doc = concat!("`", $path, "`")] $variant,)*
        }

        impl Key {
            /// The path from the hunt or challenge table: `scoring.initial`.
            pub(crate) const fn path(self) -> &'static str {
                match self {
                    $(Key::$variant => $path,)*
                }
            }

            /// The key as its own table writes it: `initial` for `scoring.initial`.
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $(Key::$variant => const { last_segment($path) },)*
                }
            }
        }
    };
}

keys! {
    Id = "id",
    Title = "title",
    Start = "start",
    End = "end",
    Freeze = "freeze",
    Ranking = "ranking",
    SharedRanks = "shared_ranks",
    FinalMeta = "final_meta",
    Normalization = "normalization",
    LockedView = "locked_view",
    Scoring = "scoring",
    FirstBlood = "first_blood",
    HintCharge = "hint_charge",
    TeamThrottle = "team_throttle",
    Throttle = "throttle",
    Limits = "limits",
    SecretFingerprint = "secret_fingerprint",
    Division = "division",
    Challenge = "challenge",
    MaxAnswerBytes = "max_answer_bytes",
    MaxTeamNameBytes = "max_team_name_bytes",
    MaxReasonBytes = "max_reason_bytes",
    AffectsValues = "affects_values",
    Content = "content",
    Round = "round",
    Meta = "meta",
    Points = "points",
    Answers = "answers",
    Sealed = "sealed",
    AnswerTemplate = "answer_template",
    Partial = "partial",
    Hint = "hint",
    Unlock = "unlock",
    TieBreak = "tie_break",
    MaxAttempts = "max_attempts",
    AttemptsReset = "attempts_reset",
    Answer = "answer",
    Reply = "reply",
    Cost = "cost",
    Requires = "requires",
    ScoringRule = "scoring.rule",
    ScoringPoints = "scoring.points",
    ScoringInitial = "scoring.initial",
    ScoringMinimum = "scoring.minimum",
    ScoringDecay = "scoring.decay",
    ScoringMax = "scoring.max",
    ScoringMin = "scoring.min",
    ScoringOriginal = "scoring.original",
    ScoringMinRatio = "scoring.min_ratio",
    ScoringDifficulty = "scoring.difficulty",
    ScoringMode = "scoring.mode",
    TeamThrottleAttempts = "team_throttle.attempts",
    TeamThrottlePer = "team_throttle.per",
    ThrottleWindow = "throttle.window",
    ThrottleWindowAttempts = "throttle.window.attempts",
    ThrottleWindowPer = "throttle.window.per",
    ThrottleBackoff = "throttle.backoff",
    ThrottleBackoffKind = "throttle.backoff.kind",
    ThrottleBackoffStep = "throttle.backoff.step",
    ThrottleBackoffFree = "throttle.backoff.free",
    Always = "always",
    Solved = "solved",
    AllOf = "all_of",
    AnyOf = "any_of",
    AtLeast = "at_least",
    ScoreAtLeast = "score_at_least",
    After = "after",
    SolvesInRound = "solves_in_round",
    N = "n",
    Of = "of",
}

/// Writes the key as its table does, quoted: `` `initial` ``.
impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.name())
    }
}

/// What follows the last `.` of a path.
const fn last_segment(path: &'static str) -> &'static str {
    let bytes = path.as_bytes();
    let mut start = bytes.len();
    while start > 0 && bytes[start - 1] != b'.' {
        start -= 1;
    }
    match std::str::from_utf8(bytes.split_at(start).1) {
        Ok(name) => name,
        Err(_) => panic!("a key path is ASCII"),
    }
}

use Key::*;

/// The top level.
pub(crate) const HUNT: &[Key] = &[
    Id,
    Title,
    Start,
    End,
    Freeze,
    Ranking,
    SharedRanks,
    FinalMeta,
    Normalization,
    LockedView,
    Scoring,
    FirstBlood,
    HintCharge,
    TeamThrottle,
    Throttle,
    Limits,
    SecretFingerprint,
    Division,
    Challenge,
];

/// `[limits]`.
pub(crate) const LIMITS: &[Key] = &[MaxAnswerBytes, MaxTeamNameBytes, MaxReasonBytes];

/// `[[division]]`.
pub(crate) const DIVISION: &[Key] = &[Id, AffectsValues];

/// `[[challenge]]`.
pub(crate) const CHALLENGE: &[Key] = &[
    Id,
    Title,
    Content,
    Round,
    Meta,
    Points,
    Scoring,
    FirstBlood,
    Answers,
    Sealed,
    AnswerTemplate,
    Normalization,
    Partial,
    Hint,
    Unlock,
    TieBreak,
    MaxAttempts,
    AttemptsReset,
    Throttle,
    LockedView,
];

/// Each entry of a challenge's `partial`.
pub(crate) const PARTIAL: &[Key] = &[Answer, Reply];

/// `[[challenge.hint]]`.
pub(crate) const HINT: &[Key] = &[Id, Content, Cost, Requires];

/// A `scoring` table, of the hunt or of a challenge.
pub(crate) const SCORING: &[Key] = &[
    ScoringRule,
    ScoringPoints,
    ScoringInitial,
    ScoringMinimum,
    ScoringDecay,
    ScoringMax,
    ScoringMin,
    ScoringOriginal,
    ScoringMinRatio,
    ScoringDifficulty,
    ScoringMode,
];

/// A `throttle` table, of the hunt or of a challenge.
pub(crate) const THROTTLE: &[Key] = &[ThrottleWindow, ThrottleBackoff];

/// The `backoff` of a `throttle` table.
pub(crate) const BACKOFF: &[Key] = &[
    ThrottleBackoffKind,
    ThrottleBackoffStep,
    ThrottleBackoffFree,
];

/// A rate window: the key of the table, then of its `attempts` and its `per`.
pub(crate) type WindowKeys = [Key; 3];

/// The hunt's `team_throttle`.
pub(crate) const TEAM_WINDOW: WindowKeys = [TeamThrottle, TeamThrottleAttempts, TeamThrottlePer];

/// The `window` of a `throttle` table.
pub(crate) const THROTTLE_WINDOW: WindowKeys =
    [ThrottleWindow, ThrottleWindowAttempts, ThrottleWindowPer];

/// The keys of an unlock rule table, one of which it holds.
pub(crate) const RULE: &[Key] = &[
    Always,
    Solved,
    AllOf,
    AnyOf,
    AtLeast,
    ScoreAtLeast,
    After,
    SolvesInRound,
];

/// The names of [`RULE`], for serde's unknown-field error.
pub(crate) const RULE_NAMES: &[&str] = &[
    Always.name(),
    Solved.name(),
    AllOf.name(),
    AnyOf.name(),
    AtLeast.name(),
    ScoreAtLeast.name(),
    After.name(),
    SolvesInRound.name(),
];

/// `{ n = …, of = […] }` of `at_least`.
pub(crate) const AT_LEAST: &[Key] = &[N, Of];

/// `{ round = "…", n = … }` of `solves_in_round`.
pub(crate) const SOLVES_IN_ROUND: &[Key] = &[Round, N];

/// The names of `keys`, for messages and suggestions.
pub(crate) fn names(keys: &[Key]) -> Vec<&'static str> {
    keys.iter().map(|key| key.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_last_segment_of_the_path() {
        assert_eq!(ScoringInitial.path(), "scoring.initial");
        assert_eq!(ScoringInitial.name(), "initial");
        assert_eq!(ThrottleBackoffFree.name(), "free");
        assert_eq!(Id.name(), "id");
        assert_eq!(Points.to_string(), "`points`");
        assert_eq!(RULE_NAMES, names(RULE));
    }
}
