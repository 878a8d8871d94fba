//! The uncompiled definition: plain data, as written in a file or built in code.
//!
//! These types hold what the author wrote, unchecked: numbers are `i64` and ids are strings, so
//! [`compile`](super::compile) can report every out-of-range value and bad reference instead of
//! the type system refusing the first. Their serde form is the TOML format of the module docs,
//! so `toml::to_string(&spec)` writes a file that [`load`](super::load) reads back.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::answer::Normalization;
use crate::hunt::{Limits, LockedView, RankingOrder, SharedRanks};
use crate::time::{Span, Timestamp};

/// A whole hunt definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Input limits; absent ones take [`Limits::default`].
    #[serde(default)]
    pub limits: LimitsSpec,
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
            limits: LimitsSpec::default(),
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Points for solving it, 0 to [`MAX_POINTS`](super::MAX_POINTS).
    pub points: i64,
    /// Accepted answers as written (or regex patterns, under `normalization = "regex"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<String>,
    /// Accepted answers as sealed digests, 64 hexadecimal digits each (see
    /// [`crate::answer::seal`]). Exactly one of `answers` and `sealed` is non-empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sealed: Vec<String>,
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
    /// Locked view; the hunt's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_view: Option<LockedView>,
    /// "Keep going" answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial: Vec<PartialSpec>,
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
            points,
            answers: answers.into_iter().map(Into::into).collect(),
            sealed: Vec::new(),
            normalization: None,
            tie_break: true,
            max_attempts: None,
            locked_view: None,
            partial: Vec::new(),
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

/// An unlock rule as written.
///
/// In TOML a rule is a table with exactly one key (`{ solved = "intro" }`); inside `all_of`,
/// `any_of` and `at_least.of` a bare string names a challenge and means `solved`. The `unlock`
/// key of a challenge also takes a bare string: `"always"`, or a challenge id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum UnlockSpec {
    /// `{ always = true }` or `"always"`.
    #[default]
    Always,
    /// `{ solved = "id" }`, or `"id"`.
    Solved(String),
    /// `{ all_of = [...] }`: every rule holds (an empty list holds).
    AllOf(Vec<UnlockSpec>),
    /// `{ any_of = [...] }`: at least one rule holds (an empty list never does).
    AnyOf(Vec<UnlockSpec>),
    /// `{ at_least = { n = 2, of = [...] } }`: at least `n` (1 to the number of rules) hold.
    AtLeast {
        /// How many must hold.
        n: i64,
        /// The rules counted.
        of: Vec<UnlockSpec>,
    },
    /// `{ score_at_least = 300 }`: the team's score is at least this (not negative).
    ScoreAtLeast(i64),
    /// `{ after = "2h" }`: this long after the start, and before the end.
    After(Span),
    /// `{ solves_in_round = { round = "Act I", n = 3 } }`: at least `n` solves in the round.
    SolvesInRound {
        /// The round's name.
        round: String,
        /// How many solves it takes (1 to [`MAX_COUNT`](super::MAX_COUNT)).
        n: i64,
    },
}

impl UnlockSpec {
    /// `{ solved = "id" }`.
    pub fn solved(id: impl Into<String>) -> Self {
        Self::Solved(id.into())
    }

    /// Whether this is [`UnlockSpec::Always`].
    pub fn is_always(&self) -> bool {
        matches!(self, Self::Always)
    }
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

/// The names of the rule keys, for messages and suggestions.
pub(crate) const RULE_KEYS: &[&str] = &[
    "always",
    "solved",
    "all_of",
    "any_of",
    "at_least",
    "score_at_least",
    "after",
    "solves_in_round",
];

/// Formats a span the way `Span::parse` reads it back: friendly units, such as `2h 30m`.
pub(crate) fn format_span(span: Span) -> String {
    let duration = jiff::SignedDuration::from_millis(span.as_millis());
    // jiff writes negative spans as "1h ago", which `Span::parse` reads but a rule never says.
    if duration.is_negative() {
        format!("-{:#}", duration.abs())
    } else {
        format!("{duration:#}")
    }
}

impl Serialize for UnlockSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// A rule inside a list, where a bare id means `solved`.
        struct Item<'a>(&'a UnlockSpec);
        impl Serialize for Item<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self.0 {
                    UnlockSpec::Solved(id) => serializer.serialize_str(id),
                    rule => rule.serialize(serializer),
                }
            }
        }
        struct List<'a>(&'a [UnlockSpec]);
        impl Serialize for List<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for rule in self.0 {
                    seq.serialize_element(&Item(rule))?;
                }
                seq.end()
            }
        }
        #[derive(Serialize)]
        struct AtLeast<'a> {
            n: i64,
            of: List<'a>,
        }
        #[derive(Serialize)]
        struct SolvesInRound<'a> {
            round: &'a str,
            n: i64,
        }

        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            UnlockSpec::Always => map.serialize_entry("always", &true)?,
            UnlockSpec::Solved(id) => map.serialize_entry("solved", id)?,
            UnlockSpec::AllOf(rules) => map.serialize_entry("all_of", &List(rules))?,
            UnlockSpec::AnyOf(rules) => map.serialize_entry("any_of", &List(rules))?,
            UnlockSpec::AtLeast { n, of } => {
                map.serialize_entry(
                    "at_least",
                    &AtLeast {
                        n: *n,
                        of: List(of),
                    },
                )?;
            }
            UnlockSpec::ScoreAtLeast(score) => map.serialize_entry("score_at_least", score)?,
            UnlockSpec::After(span) => map.serialize_entry("after", &format_span(*span))?,
            UnlockSpec::SolvesInRound { round, n } => {
                map.serialize_entry("solves_in_round", &SolvesInRound { round, n: *n })?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for UnlockSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RuleVisitor { top: false })
    }
}

/// The `unlock` key itself, where the bare string `"always"` means always.
fn deserialize_top_rule<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<UnlockSpec, D::Error> {
    deserializer.deserialize_any(RuleVisitor { top: true })
}

struct RuleVisitor {
    top: bool,
}

impl<'de> Visitor<'de> for RuleVisitor {
    type Value = UnlockSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an unlock rule: a challenge id or a table with one rule key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<UnlockSpec, E> {
        Ok(if self.top && v == "always" {
            UnlockSpec::Always
        } else {
            UnlockSpec::Solved(v.to_owned())
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UnlockSpec, A::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct AtLeast {
            n: i64,
            of: Vec<UnlockSpec>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct SolvesInRound {
            round: String,
            n: i64,
        }

        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom("an unlock rule needs one rule key"));
        };
        let rule = match key.as_str() {
            "always" => {
                if !map.next_value::<bool>()? {
                    return Err(de::Error::custom("`always` must be true"));
                }
                UnlockSpec::Always
            }
            "solved" => UnlockSpec::Solved(map.next_value()?),
            "all_of" => UnlockSpec::AllOf(map.next_value()?),
            "any_of" => UnlockSpec::AnyOf(map.next_value()?),
            "at_least" => {
                let AtLeast { n, of } = map.next_value()?;
                UnlockSpec::AtLeast { n, of }
            }
            "score_at_least" => UnlockSpec::ScoreAtLeast(map.next_value()?),
            "after" => {
                let text: String = map.next_value()?;
                let span = Span::parse(&text).ok_or_else(|| {
                    de::Error::invalid_value(de::Unexpected::Str(&text), &"a duration such as 2h")
                })?;
                UnlockSpec::After(span)
            }
            "solves_in_round" => {
                let SolvesInRound { round, n } = map.next_value()?;
                UnlockSpec::SolvesInRound { round, n }
            }
            other => return Err(de::Error::unknown_field(other, RULE_KEYS)),
        };
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("an unlock rule has exactly one rule key"));
        }
        Ok(rule)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<UnlockSpec, A::Error> {
        Err(de::Error::invalid_type(de::Unexpected::Seq, &self))
    }
}

/// Instants as RFC 3339 strings; TOML date-times are accepted too.
mod datetime {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        ts: &Timestamp,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(ts)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Timestamp, D::Error> {
        deserializer.deserialize_any(TimestampVisitor)
    }

    pub(super) struct TimestampVisitor;

    impl<'de> Visitor<'de> for TimestampVisitor {
        type Value = Timestamp;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an RFC 3339 date-time with an offset, such as 2026-11-28T09:00:00Z")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
            Timestamp::parse_rfc3339(v)
                .ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(v), &self))
        }

        /// The toml crate hands a date-time over as a one-entry map holding its text.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Timestamp, A::Error> {
            let Some((_, text)) = map.next_entry::<de::IgnoredAny, String>()? else {
                return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
            };
            self.visit_str(&text)
        }
    }
}

mod optional_datetime {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        ts: &Option<Timestamp>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => serializer.collect_str(ts),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        struct Present(Timestamp);
        impl<'de> Deserialize<'de> for Present {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                datetime::deserialize(deserializer).map(Present)
            }
        }
        Ok(Option::<Present>::deserialize(deserializer)?.map(|Present(ts)| ts))
    }
}
