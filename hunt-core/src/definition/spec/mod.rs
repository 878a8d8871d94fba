//! The uncompiled definition: plain data, as written in a file or built in code.
//!
//! These types hold what the author wrote, unchecked: numbers are `i64` and ids are strings, so
//! [`compile`](super::compile) can report every out-of-range value and bad reference instead of
//! the type system refusing the first. Their serde form is the TOML format of the module docs,
//! so `toml::to_string(&spec)` writes a file that [`load`](super::load) reads back.

mod forms;
mod unlock;

pub(crate) use forms::format_span;
pub use unlock::UnlockSpec;

use serde::{Deserialize, Serialize};

use crate::answer::Normalization;
use crate::hint::HintCharge;
use crate::hunt::{Limits, LockedView, RankingOrder, SharedRanks};
use crate::scoring::ValueMode;
use crate::time::{Span, Timestamp};
use forms::{datetime, optional_datetime, optional_span, span};
use unlock::deserialize_top_rule;

/// A whole hunt definition.
///
/// Not `Eq`: the GZCTF parameters of a [`ScoringSpec`] are floating point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuntSpec {
    /// The hunt's id, a slug (see [`crate::ids::HuntId`]).
    pub id: String,
    /// Title, at most 200 bytes.
    pub title: String,
    /// Submissions open (inclusive).
    #[serde(with = "datetime")]
    pub start: Timestamp,
    /// Submissions close (exclusive); after `start`.
    #[serde(with = "datetime")]
    pub end: Timestamp,
    /// When the public board freezes; strictly between `start` and `end`.
    #[serde(
        default,
        with = "optional_datetime",
        skip_serializing_if = "Option::is_none"
    )]
    pub freeze: Option<Timestamp>,
    /// How teams are ranked.
    #[serde(default)]
    pub ranking: RankingOrder,
    /// How tied teams share places.
    #[serde(default)]
    pub shared_ranks: SharedRanks,
    /// The final meta: required by [`RankingOrder::PuzzleHunt`]; must be a meta challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_meta: Option<String>,
    /// Normalization of challenges that do not choose one.
    #[serde(default)]
    pub normalization: Normalization,
    /// Locked view of challenges that do not choose one.
    #[serde(default)]
    pub locked_view: LockedView,
    /// The scoring of challenges that do not choose their own; static points when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<ScoringSpec>,
    /// First-blood bonuses, in percent, of challenges that do not choose their own; none
    /// when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_blood: Vec<i64>,
    /// When hint costs are charged.
    #[serde(default)]
    pub hint_charge: HintCharge,
    /// A rate limit on each team's wrong guesses across all challenges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_throttle: Option<RateWindowSpec>,
    /// The throttle of challenges that do not choose their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<ThrottleSpec>,
    /// Input limits; absent ones take [`Limits::default`].
    #[serde(default)]
    pub limits: LimitsSpec,
    /// The fingerprint of the secret the sealed answers were sealed with, 64 hexadecimal
    /// digits (see [`Secret::fingerprint`](crate::answer::Secret::fingerprint)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_fingerprint: Option<String>,
    /// Declared divisions; when empty, any division name is accepted.
    #[serde(default, rename = "division", skip_serializing_if = "Vec::is_empty")]
    pub divisions: Vec<DivisionSpec>,
    /// The challenges, in order; their dense ids follow this order.
    #[serde(default, rename = "challenge")]
    pub challenges: Vec<ChallengeSpec>,
}

impl HuntSpec {
    /// A hunt with the given id, title and window, default settings and no challenges.
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        start: Timestamp,
        end: Timestamp,
    ) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            start,
            end,
            freeze: None,
            ranking: RankingOrder::default(),
            shared_ranks: SharedRanks::default(),
            final_meta: None,
            normalization: Normalization::default(),
            locked_view: LockedView::default(),
            scoring: None,
            first_blood: Vec::new(),
            hint_charge: HintCharge::default(),
            team_throttle: None,
            throttle: None,
            limits: LimitsSpec::default(),
            secret_fingerprint: None,
            divisions: Vec::new(),
            challenges: Vec::new(),
        }
    }
}

/// The `[limits]` table: each limit is optional and defaults to [`Limits::default`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// See [`Limits::max_answer_bytes`]; 1 to [`MAX_LIMIT`](super::MAX_LIMIT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_answer_bytes: Option<i64>,
    /// See [`Limits::max_team_name_bytes`]; 1 to [`MAX_LIMIT`](super::MAX_LIMIT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_team_name_bytes: Option<i64>,
    /// See [`Limits::max_reason_bytes`]; 1 to [`MAX_LIMIT`](super::MAX_LIMIT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_reason_bytes: Option<i64>,
}

impl LimitsSpec {
    /// The limits with defaults filled in, ignoring values out of range (which `compile`
    /// reports).
    pub(crate) fn resolve(&self) -> Limits {
        let defaults = Limits::default();
        let pick = |value: Option<i64>, default: usize| {
            value
                .filter(|v| (1..=super::MAX_LIMIT).contains(v))
                .and_then(|v| usize::try_from(v).ok())
                .unwrap_or(default)
        };
        Limits {
            max_answer_bytes: pick(self.max_answer_bytes, defaults.max_answer_bytes),
            max_team_name_bytes: pick(self.max_team_name_bytes, defaults.max_team_name_bytes),
            max_reason_bytes: pick(self.max_reason_bytes, defaults.max_reason_bytes),
        }
    }
}

/// One `[[challenge]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeSpec {
    /// A slug, unique in the hunt, also after folding case, `-` and `_`.
    pub id: String,
    /// Title, at most 200 bytes.
    pub title: String,
    /// Content, shown once unlocked; at most 1 MiB.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// Round (category) name, at most 100 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<String>,
    /// Whether this is a meta challenge.
    #[serde(default, skip_serializing_if = "is_false")]
    pub meta: bool,
    /// Points for solving it, 0 to [`MAX_POINTS`](super::MAX_POINTS): the static points, or,
    /// under a dynamic rule, its top value (`initial`, `max` or `original`). Required when the
    /// scoring gives no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// The challenge's own scoring, replacing the hunt's entirely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<ScoringSpec>,
    /// First-blood bonuses in percent, replacing the hunt's (`Some(vec![])` for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_blood: Option<Vec<i64>>,
    /// Accepted answers as written (or regex patterns, under `normalization = "regex"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<String>,
    /// Accepted answers as sealed digests, 64 hexadecimal digits each (see
    /// [`crate::answer::seal`]). Exactly one of `answers`, `sealed` and `answer_template`
    /// is given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sealed: Vec<String>,
    /// The answer built from the team's own answers to feeders, such as `"{alpha}-{beta}"`
    /// (see [`crate::answer::AnswerTemplate`]); every feeder must be solved before this
    /// challenge can unlock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_template: Option<String>,
    /// Normalization; the hunt's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalization: Option<Normalization>,
    /// Whether solving it moves the team's tie-break time.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub tie_break: bool,
    /// Counted wrong guesses allowed, 1 to [`MAX_ATTEMPTS`](super::MAX_ATTEMPTS); unlimited
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<i64>,
    /// With `max_attempts`: the cap holds in any window of this length (CTFd's "timeout")
    /// instead of locking the challenge for good.
    #[serde(
        default,
        with = "optional_span",
        skip_serializing_if = "Option::is_none"
    )]
    pub attempts_reset: Option<Span>,
    /// The challenge's own rate window and back-off, replacing the hunt's `throttle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<ThrottleSpec>,
    /// Locked view; the hunt's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_view: Option<LockedView>,
    /// "Keep going" answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial: Vec<PartialSpec>,
    /// Hints, in order.
    #[serde(default, rename = "hint", skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<HintSpec>,
    /// When it unlocks; always when absent.
    #[serde(
        default,
        deserialize_with = "deserialize_top_rule",
        skip_serializing_if = "UnlockSpec::is_always"
    )]
    pub unlock: UnlockSpec,
}

impl ChallengeSpec {
    /// A challenge unlocked from the start, with the hunt's normalization and these plain
    /// answers.
    pub fn new<A: Into<String>>(
        id: impl Into<String>,
        title: impl Into<String>,
        points: i64,
        answers: impl IntoIterator<Item = A>,
    ) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            content: String::new(),
            round: None,
            meta: false,
            points: Some(points),
            scoring: None,
            first_blood: None,
            answers: answers.into_iter().map(Into::into).collect(),
            sealed: Vec::new(),
            answer_template: None,
            normalization: None,
            tie_break: true,
            max_attempts: None,
            attempts_reset: None,
            throttle: None,
            locked_view: None,
            partial: Vec::new(),
            hints: Vec::new(),
            unlock: UnlockSpec::Always,
        }
    }
}

/// A partial answer and its reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialSpec {
    /// The partial answer as written, normalized like the challenge's answers (caseless for
    /// regex challenges).
    pub answer: String,
    /// What the team is told, at most 4096 bytes.
    pub reply: String,
}

/// The name of a value rule, as `rule` of a `scoring` table writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ScoringKind {
    /// `"static"`: `points`.
    #[default]
    Static,
    /// `"ctfd-linear"`: `initial`, `minimum`, `decay`.
    CtfdLinear,
    /// `"ctfd-log"`: `initial`, `minimum`, `decay`.
    CtfdLog,
    /// `"rctf"`: `max`, `min`.
    Rctf,
    /// `"gzctf"`: `original`, `min_ratio` (0.25 by default), `difficulty` (5.0 by default).
    Gzctf,
}

impl ScoringKind {
    /// Every rule, with its name in the format.
    pub const ALL: [(&'static str, ScoringKind); 5] = [
        ("static", ScoringKind::Static),
        ("ctfd-linear", ScoringKind::CtfdLinear),
        ("ctfd-log", ScoringKind::CtfdLog),
        ("rctf", ScoringKind::Rctf),
        ("gzctf", ScoringKind::Gzctf),
    ];

    /// The name in the format.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, kind)| *kind == self)
            .map_or("static", |(name, _)| name)
    }
}

/// A `scoring` table: a rule and its parameters, as written. Which parameters a rule takes
/// is checked by [`compile`](super::compile), so every missing or extra one is reported.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringSpec {
    /// The value rule.
    pub rule: ScoringKind,
    /// `static`: the points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// `ctfd-linear`, `ctfd-log`: the value of the first solve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<i64>,
    /// `ctfd-linear`, `ctfd-log`: the floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<i64>,
    /// `ctfd-linear`: points lost per solve; `ctfd-log`: solves until the floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay: Option<i64>,
    /// `rctf`: the value with no solves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// `rctf`: the value of the most-solved challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// `gzctf`: the value of the first solve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<i64>,
    /// `gzctf`: the fraction of `original` approached with many solves, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ratio: Option<f64>,
    /// `gzctf`: how slowly the value falls; positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<f64>,
    /// Which solve count each solver is priced at.
    #[serde(default)]
    pub mode: ValueMode,
}

/// `{ attempts = 10, per = "1m" }`: at most `attempts` wrong guesses in any `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateWindowSpec {
    /// Wrong guesses allowed per window, 1 to [`MAX_ATTEMPTS`](super::MAX_ATTEMPTS).
    pub attempts: i64,
    /// The window's length; positive.
    #[serde(with = "span")]
    pub per: Span,
}

/// The kind of a back-off, as `kind` of a `backoff` table writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BackoffKind {
    /// `"quadratic"`: the i-th most recent wrong guess blocks for `i² × step` (tph-site).
    Quadratic,
    /// `"linear"`: after `free` wrong guesses, `(wrong - free) × step` (PuzzleServer).
    Linear,
}

/// A `backoff` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackoffSpec {
    /// The kind.
    pub kind: BackoffKind,
    /// The unit of waiting; positive.
    #[serde(with = "span")]
    pub step: Span,
    /// `linear` only: wrong guesses without a wait, 0 (the default) to
    /// [`MAX_ATTEMPTS`](super::MAX_ATTEMPTS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<i64>,
}

/// A `throttle` table: a rate window and a back-off on one challenge's wrong guesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSpec {
    /// The rate window, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<RateWindowSpec>,
    /// The back-off, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<BackoffSpec>,
}

/// One `[[challenge.hint]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HintSpec {
    /// A slug, unique within the challenge.
    pub id: String,
    /// What the team is told; at most [`MAX_CONTENT_BYTES`](super::MAX_CONTENT_BYTES).
    pub content: String,
    /// Points it costs, 0 (the default) to [`MAX_POINTS`](super::MAX_POINTS).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cost: i64,
    /// The id of an earlier hint of the same challenge that must be taken first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

/// One `[[division]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DivisionSpec {
    /// The name teams register with: a slug, unique in the hunt.
    pub id: String,
    /// Whether its teams' solves count towards dynamic values and first bloods.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub affects_values: bool,
}

fn yes() -> bool {
    true
}

// Serde's `skip_serializing_if` passes a reference.
fn is_true(value: &bool) -> bool {
    *value
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}
