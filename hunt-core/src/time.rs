//! Time as plain data: the core never reads a clock, callers pass `now`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An instant, in milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The instant `millis` milliseconds after the Unix epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// This instant moved by `span`, saturating at the ends of the range.
    pub const fn saturating_add(self, span: Span) -> Self {
        Self(self.0.saturating_add(span.0))
    }

    /// The span from `earlier` to `self` (negative if `earlier` is later).
    pub const fn since(self, earlier: Timestamp) -> Span {
        Span(self.0.saturating_sub(earlier.0))
    }

    /// Parses an RFC 3339 instant such as `2026-11-28T09:00:00Z`.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        Self::parse_instant(text).ok()
    }

    /// Parses an RFC 3339 instant such as `2026-11-28T09:00:00Z`, saying why a text is not
    /// one: [`TimeError::OutOfRange`] for a well-formed instant outside
    /// [`Timestamp::SUPPORTED`] (such as year 99999), [`TimeError::Malformed`] otherwise.
    pub fn parse_instant(text: &str) -> Result<Self, TimeError> {
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Ok(Self(ts.as_millisecond()));
        }
        // The same text with an ordinary year parses: only the instant is out of range.
        let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
        let year_len = digits.bytes().take_while(u8::is_ascii_digit).count();
        let rest = &digits[year_len..];
        if year_len >= 4
            && rest.starts_with('-')
            && format!("2000{rest}").parse::<jiff::Timestamp>().is_ok()
        {
            Err(TimeError::OutOfRange)
        } else {
            Err(TimeError::Malformed)
        }
    }

    /// The range of instants hunt files and `--at` accept, as written in messages.
    pub const SUPPORTED: &'static str = "-009999-01-02T01:59:59Z to 9999-12-30T22:00:00Z";
}

/// Why a text is not a [`Timestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// Not an RFC 3339 instant with a UTC offset.
    #[error("is not an RFC 3339 instant with an offset, such as 2026-11-28T09:00:00Z")]
    Malformed,
    /// A well-formed instant outside the supported range ([`Timestamp::SUPPORTED`]).
    #[error(
        "is outside the supported range of instants, -009999-01-02T01:59:59Z to 9999-12-30T22:00:00Z"
    )]
    OutOfRange,
}

impl fmt::Display for Timestamp {
    /// Formats as RFC 3339 in UTC, e.g. `2026-11-28T09:00:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(ts) => write!(f, "{ts}"),
            Err(_) => write!(f, "{}ms", self.0),
        }
    }
}

/// A signed length of time, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Span(pub i64);

impl Span {
    /// A span of `millis` milliseconds.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// A span of `secs` seconds.
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1000))
    }

    /// The span in milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Parses a friendly duration such as `90m`, `2h 30m` or `1d`, or an ISO 8601 one (`PT2H`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let duration = match text.parse::<jiff::SignedDuration>() {
            Ok(d) => d,
            // Durations with days (`1d 2h`) parse only as calendar spans; a hunt day is 24 hours.
            Err(_) => text
                .parse::<jiff::Span>()
                .ok()?
                .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
                .ok()?,
        };
        i64::try_from(duration.as_millis()).ok().map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_in_friendly_and_iso_forms() {
        let table = [
            ("90m", Some(90 * 60_000)),
            ("2h 30m", Some(150 * 60_000)),
            ("1d", Some(24 * 3_600_000)),
            ("1d 2h", Some(26 * 3_600_000)),
            ("PT2H", Some(2 * 3_600_000)),
            ("45s", Some(45_000)),
            ("soon", None),
            ("", None),
        ];
        for (text, expected) in table {
            assert_eq!(Span::parse(text).map(Span::as_millis), expected, "{text:?}");
        }
    }

    #[test]
    fn timestamps_round_trip_through_rfc3339() {
        let ts = Timestamp::parse_rfc3339("2026-11-28T09:00:00Z").expect("valid");
        assert_eq!(ts.as_millis(), 1_795_856_400_000);
        assert_eq!(ts.to_string(), "2026-11-28T09:00:00Z");
        assert_eq!(Timestamp::parse_rfc3339("2026-11-28 09:00"), None);
    }
}
