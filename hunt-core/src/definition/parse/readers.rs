//! The generic spanned readers the format walk is built on: a table's entries (unknown keys
//! reported with a suggestion), required and optional values, and values of each type, each
//! reporting a wrong type with what was expected and marking the value broken.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::super::keys::{Key, names};
use super::super::location::Site;
use super::super::problem::ProblemKind;
use crate::answer::Normalization;
use crate::time::{Span, TimeError, Timestamp};

use super::{Entries, Value, Walker};

impl Walker<'_> {
    /// The table's entries, reporting every key not in `known`.
    pub(super) fn entries<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        span: Option<Range<usize>>,
        known: &[Key],
        context: String,
    ) -> Entries<'t, 'i> {
        let mut items = Vec::with_capacity(table.len());
        let mut misspelled = Vec::new();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            if known.iter().any(|key| key.name() == name) {
                items.push((name, value));
                continue;
            }
            let likely = closest(name, &names(known));
            let hint = likely.map_or_else(String::new, |k| format!(" (did you mean `{k}`?)"));
            misspelled.extend(likely.map(str::to_owned));
            self.problems.push(
                ProblemKind::UnknownKey,
                Some(key.span()),
                format!("unknown key `{name}` {context}{hint}"),
            );
        }
        Entries {
            span,
            context,
            items,
            misspelled,
        }
    }

    /// Reads a key that must be present; `None` (reported, marked broken) if absent or bad.
    pub(super) fn required<T>(
        &mut self,
        e: &Entries<'_, '_>,
        key: Key,
        site: Site,
        read: impl FnOnce(&mut Self, &Value<'_>, Site, &str) -> Option<T>,
    ) -> Option<T> {
        if e.get(key).is_none() {
            if !e.misspelled.iter().any(|k| k == key.name()) {
                self.problems.push(
                    ProblemKind::MissingKey,
                    e.span.clone(),
                    format!("missing key {key} {}", e.context),
                );
            }
            self.map.mark_broken(site);
            return None;
        }
        self.optional(e, key, site, read)
    }

    /// Reads a key that may be absent; `None` if absent, or bad (reported, marked broken).
    pub(super) fn optional<T>(
        &mut self,
        e: &Entries<'_, '_>,
        key: Key,
        site: Site,
        read: impl FnOnce(&mut Self, &Value<'_>, Site, &str) -> Option<T>,
    ) -> Option<T> {
        let value = e.get(key)?;
        self.map.record(site, value.span());
        let what = format!("{key} {}", e.context);
        let result = read(self, value, site, &what);
        if result.is_none() {
            self.map.mark_broken(site);
        }
        result
    }

    pub(super) fn string(&mut self, value: &Value<'_>, site: Site, what: &str) -> Option<String> {
        self.map.record(site, value.span());
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(value, what, "a string");
                None
            }
        }
    }

    pub(super) fn integer(&mut self, value: &Value<'_>, site: Site, what: &str) -> Option<i64> {
        self.map.record(site, value.span());
        match value.get_ref() {
            DeValue::Integer(n) => {
                let parsed = i64::from_str_radix(n.as_str(), n.radix()).ok();
                if parsed.is_none() {
                    self.problems.push(
                        ProblemKind::OutOfRange,
                        Some(value.span()),
                        format!("{what}: {n} does not fit in 64 bits"),
                    );
                }
                parsed
            }
            _ => {
                self.wrong_type(value, what, "an integer");
                None
            }
        }
    }

    /// A float; integers are taken as floats too (`difficulty = 5`).
    pub(super) fn float(&mut self, value: &Value<'_>, site: Site, what: &str) -> Option<f64> {
        self.map.record(site, value.span());
        match value.get_ref() {
            DeValue::Float(f) => {
                let parsed = f.as_str().replace('_', "").parse::<f64>().ok();
                if parsed.is_none() {
                    self.problems.push(
                        ProblemKind::BadValue,
                        Some(value.span()),
                        format!("{what}: {f} is not a number"),
                    );
                }
                parsed
            }
            DeValue::Integer(_) => self.integer(value, site, what).map(|n| n as f64),
            _ => {
                self.wrong_type(value, what, "a number");
                None
            }
        }
    }

    /// A duration such as `"10s"` or `"2h 30m"`.
    pub(super) fn span(&mut self, value: &Value<'_>, site: Site, what: &str) -> Option<Span> {
        let text = self.string(value, site, what)?;
        let span = Span::parse(&text);
        if span.is_none() {
            self.problems.push(
                ProblemKind::BadDuration,
                Some(value.span()),
                format!("{what}: `{text}` is not a duration such as \"10s\", \"5m\" or \"2h 30m\""),
            );
        }
        span
    }

    pub(super) fn boolean(&mut self, value: &Value<'_>, site: Site, what: &str) -> Option<bool> {
        self.map.record(site, value.span());
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(value, what, "true or false");
                None
            }
        }
    }

    /// A TOML offset date-time, or a string holding an RFC 3339 one.
    pub(super) fn timestamp(
        &mut self,
        value: &Value<'_>,
        site: Site,
        what: &str,
    ) -> Option<Timestamp> {
        self.map.record(site, value.span());
        let parsed = match value.get_ref() {
            DeValue::Datetime(dt) if dt.offset.is_some() && dt.time.is_some() => {
                Timestamp::parse_instant(&dt.to_string())
            }
            DeValue::Datetime(_) => Err(TimeError::Malformed),
            DeValue::String(text) => Timestamp::parse_instant(text),
            _ => {
                self.wrong_type(value, what, "a date-time such as 2026-11-28T09:00:00Z");
                return None;
            }
        };
        match parsed {
            Ok(at) => Some(at),
            Err(TimeError::OutOfRange) => {
                self.problems.push(
                    ProblemKind::BadTime,
                    Some(value.span()),
                    format!(
                        "{what} is outside the supported range of instants, {}",
                        Timestamp::SUPPORTED
                    ),
                );
                None
            }
            Err(_) => {
                self.problems.push(
                    ProblemKind::BadTime,
                    Some(value.span()),
                    format!(
                        "{what} must be a date and time with a UTC offset, such as 2026-11-28T09:00:00Z"
                    ),
                );
                None
            }
        }
    }

    pub(super) fn normalization(
        &mut self,
        value: &Value<'_>,
        site: Site,
        what: &str,
    ) -> Option<Normalization> {
        let options = Normalization::ALL.map(|n| (n.as_str(), n));
        self.choice(value, site, what, &options)
    }

    /// A string naming one of `options`.
    pub(super) fn choice<T: Copy>(
        &mut self,
        value: &Value<'_>,
        site: Site,
        what: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let text = self.string(value, site, what)?;
        let found = options
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, t)| *t);
        if found.is_none() {
            let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
            self.problems.push(
                ProblemKind::BadValue,
                Some(value.span()),
                format!(
                    "{what}: unknown value `{text}`{}; expected one of {}",
                    suggestion(&text, &names),
                    quoted_list(&names)
                ),
            );
        }
        found
    }

    /// An array of strings; each string's span is recorded under `item(k)`, where `k` counts
    /// the strings kept (items of another type are reported and dropped).
    pub(super) fn strings(
        &mut self,
        value: &Value<'_>,
        site: Site,
        what: &str,
        item: impl Fn(u32) -> Site,
    ) -> Option<Vec<String>> {
        self.map.record(site, value.span());
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, what, "an array of strings");
            return None;
        };
        let mut strings = Vec::with_capacity(items.len());
        for value in items.iter() {
            match value.get_ref() {
                DeValue::String(s) => {
                    let k = u32::try_from(strings.len()).unwrap_or(u32::MAX);
                    self.map.record(item(k), value.span());
                    strings.push(s.to_string());
                }
                _ => self.wrong_type(value, &format!("each entry of {what}"), "a string"),
            }
        }
        Some(strings)
    }

    pub(super) fn wrong_type(&mut self, value: &Value<'_>, what: &str, expected: &str) {
        let found = value.get_ref().type_str();
        let article = if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        self.problems.push(
            ProblemKind::WrongType,
            Some(value.span()),
            format!("{what} must be {expected}, not {article} {found}"),
        );
    }
}

/// "`a`, `b` or `c`".
pub(super) fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// " (did you mean `title`?)" when a known name is within two edits of `name`.
pub(super) fn suggestion(name: &str, known: &[&str]) -> String {
    closest(name, known).map_or_else(String::new, |k| format!(" (did you mean `{k}`?)"))
}

/// The known name closest to `name`, if within two edits.
pub(super) fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, in characters.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::super::super::keys::{CHALLENGE, RULE_NAMES};
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggestion("tittle", &names(CHALLENGE)),
            " (did you mean `title`?)"
        );
        assert_eq!(suggestion("solvd", RULE_NAMES), " (did you mean `solved`?)");
        assert_eq!(suggestion("colour", &names(CHALLENGE)), "");
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn lists() {
        assert_eq!(quoted_list(&["a"]), "`a`");
        assert_eq!(quoted_list(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
