//! Identifiers: dense integer ids used inside the engine, and the string ids people write.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A team's dense id, assigned by the engine in registration order (the first team is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TeamId(pub u32);

impl TeamId {
    /// The id as an index into dense per-team tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for TeamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "team#{}", self.0)
    }
}

/// A challenge's dense id inside one compiled hunt: its position in the definition.
///
/// Dense ids are never written to the event log (events name challenges by slug), so editing a
/// definition between runs cannot make old events point at the wrong challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChallengeId(pub u32);

impl ChallengeId {
    /// The id as an index into dense per-challenge tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A round's (category's) dense id inside one compiled hunt, in order of first appearance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoundId(pub u32);

impl RoundId {
    /// The id as an index into dense per-round tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The id of a hunt inside a store: a slug such as `hackathon-2026`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HuntId(String);

/// The longest hunt id accepted, in bytes.
pub const MAX_HUNT_ID_LEN: usize = 64;

/// A string that is not a valid hunt id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid hunt id {0:?}: use 1 to 64 characters from a-z, 0-9, '-' and '_', starting with a letter or digit"
)]
pub struct InvalidHuntId(pub String);

impl HuntId {
    /// Checks and wraps a hunt id: 1 to 64 of `a-z 0-9 - _`, starting with a letter or digit.
    pub fn new(id: impl Into<String>) -> Result<Self, InvalidHuntId> {
        let id = id.into();
        if is_slug(&id, MAX_HUNT_ID_LEN) {
            Ok(Self(id))
        } else {
            Err(InvalidHuntId(id))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `s` is a slug: 1 to `max_len` bytes of `a-z 0-9 - _`, starting with a letter or digit.
pub fn is_slug(s: &str, max_len: usize) -> bool {
    !s.is_empty()
        && s.len() <= max_len
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// An id as ids are compared: ASCII case ignored, `_` the same as `-`, so `Sea_Otters` and
/// `sea-otters` are one id. Challenge ids are unique under it, and a registration's division
/// is matched to the declared ones with it.
pub fn fold_id(id: &str) -> Cow<'_, str> {
    if id.bytes().any(|b| b.is_ascii_uppercase() || b == b'_') {
        Cow::Owned(
            id.chars()
                .map(|c| {
                    if c == '_' {
                        '-'
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(id)
    }
}

impl TryFrom<String> for HuntId {
    type Error = InvalidHuntId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<HuntId> for String {
    fn from(value: HuntId) -> Self {
        value.0
    }
}

impl fmt::Display for HuntId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A key chosen by the caller for one submission, so that a retry (after a timeout, or a
/// connection lost after commit) gets the original verdict instead of a second judgement.
///
/// Use a fresh UUID (v7 or v4) per submission, as its 128-bit value.
///
/// Serialized as 32 lowercase hex digits: JSON numbers lose precision past 2^53, and serde
/// cannot buffer 128-bit integers inside internally tagged enums such as [`crate::Event`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct IdempotencyKey(pub u128);

/// A string that is not 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid idempotency key {0:?}: expected 32 hex digits")]
pub struct InvalidIdempotencyKey(pub String);

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl std::str::FromStr for IdempotencyKey {
    type Err = InvalidIdempotencyKey;

    /// Parses 32 hex digits (either case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            u128::from_str_radix(s, 16)
                .map(Self)
                .map_err(|_| InvalidIdempotencyKey(s.to_owned()))
        } else {
            Err(InvalidIdempotencyKey(s.to_owned()))
        }
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> Self {
        key.to_string()
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = InvalidIdempotencyKey;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}
