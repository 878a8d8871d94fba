//! An unlock rule as written, and its serde form: a table with one rule key, or in a list a
//! bare challenge id.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::super::keys::{self, Key};
use super::forms::format_span;
use crate::time::Span;

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
        /// How many solves it takes (1 to [`MAX_COUNT`](crate::definition::MAX_COUNT)).
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
            UnlockSpec::Always => map.serialize_entry(Key::Always.name(), &true)?,
            UnlockSpec::Solved(id) => map.serialize_entry(Key::Solved.name(), id)?,
            UnlockSpec::AllOf(rules) => map.serialize_entry(Key::AllOf.name(), &List(rules))?,
            UnlockSpec::AnyOf(rules) => map.serialize_entry(Key::AnyOf.name(), &List(rules))?,
            UnlockSpec::AtLeast { n, of } => {
                map.serialize_entry(
                    Key::AtLeast.name(),
                    &AtLeast {
                        n: *n,
                        of: List(of),
                    },
                )?;
            }
            UnlockSpec::ScoreAtLeast(score) => {
                map.serialize_entry(Key::ScoreAtLeast.name(), score)?
            }
            UnlockSpec::After(span) => {
                map.serialize_entry(Key::After.name(), &format_span(*span))?
            }
            UnlockSpec::SolvesInRound { round, n } => {
                map.serialize_entry(Key::SolvesInRound.name(), &SolvesInRound { round, n: *n })?;
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
pub(super) fn deserialize_top_rule<'de, D: Deserializer<'de>>(
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
        Ok(if self.top && v == Key::Always.name() {
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
        let rule = match keys::RULE.iter().copied().find(|k| k.name() == key) {
            Some(Key::Always) => {
                if !map.next_value::<bool>()? {
                    return Err(de::Error::custom("`always` must be true"));
                }
                UnlockSpec::Always
            }
            Some(Key::Solved) => UnlockSpec::Solved(map.next_value()?),
            Some(Key::AllOf) => UnlockSpec::AllOf(map.next_value()?),
            Some(Key::AnyOf) => UnlockSpec::AnyOf(map.next_value()?),
            Some(Key::AtLeast) => {
                let AtLeast { n, of } = map.next_value()?;
                UnlockSpec::AtLeast { n, of }
            }
            Some(Key::ScoreAtLeast) => UnlockSpec::ScoreAtLeast(map.next_value()?),
            Some(Key::After) => {
                let text: String = map.next_value()?;
                let span = Span::parse(&text).ok_or_else(|| {
                    de::Error::invalid_value(de::Unexpected::Str(&text), &"a duration such as 2h")
                })?;
                UnlockSpec::After(span)
            }
            Some(Key::SolvesInRound) => {
                let SolvesInRound { round, n } = map.next_value()?;
                UnlockSpec::SolvesInRound { round, n }
            }
            _ => return Err(de::Error::unknown_field(&key, keys::RULE_NAMES)),
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
