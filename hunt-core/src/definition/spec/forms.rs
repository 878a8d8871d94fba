//! The serde forms of instants and spans: RFC 3339 strings (TOML date-times accepted too) and
//! friendly durations such as `"2h 30m"`.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serializer};

use crate::time::{Span, Timestamp};

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

/// Instants as RFC 3339 strings; TOML date-times are accepted too.
pub(super) mod datetime {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        ts: &Timestamp,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(ts)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
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
            Timestamp::parse_instant(v).map_err(|e| match e {
                crate::time::TimeError::OutOfRange => de::Error::custom(format!("{v:?} {e}")),
                _ => de::Error::invalid_value(de::Unexpected::Str(v), &self),
            })
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

pub(super) mod optional_datetime {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        ts: &Option<Timestamp>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => serializer.collect_str(ts),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
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

/// Spans written the way `Span::parse` reads them, such as `"1m"` or `"2h 30m"`.
pub(super) mod span {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(span: &Span, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_span(*span))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Span, D::Error> {
        let text = String::deserialize(deserializer)?;
        Span::parse(&text).ok_or_else(|| {
            de::Error::invalid_value(de::Unexpected::Str(&text), &"a duration such as 5m")
        })
    }
}

pub(super) mod optional_span {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        span: &Option<Span>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match span {
            Some(span) => super::span::serialize(span, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Span>, D::Error> {
        struct Present(Span);
        impl<'de> Deserialize<'de> for Present {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                super::span::deserialize(deserializer).map(Present)
            }
        }
        Ok(Option::<Present>::deserialize(deserializer)?.map(|Present(span)| span))
    }
}
