//! Where each part of a spec came from in the source text, kept beside the spec.
//!
//! The spec types stay plain data (equal whether parsed or built in code); the parser records
//! the byte span of every value it reads under a [`Site`] naming that value, and validation
//! looks spans up when it reports a problem. A spec built in code has an empty map, so its
//! problems have no location.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::keys::Key;
use super::problem::Location;

/// A value in a definition, named by its place in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Site {
    /// The value of a top-level key; keys of nested tables are dotted (`scoring.initial`,
    /// `throttle.window.per`).
    Hunt(Key),
    /// The value of a key of `[limits]`.
    Limit(Key),
    /// A `[[challenge]]` table, by index.
    Challenge(u32),
    /// The value of a key of a challenge; keys of nested tables are dotted, as in
    /// [`Site::Hunt`].
    Field(u32, Key),
    /// An entry of `first_blood`: the hunt's (`None`) or a challenge's.
    FirstBlood(Option<u32>, u32),
    /// A `[[challenge.hint]]` table: challenge, hint.
    Hint(u32, u32),
    /// The value of a key of a hint: challenge, hint, key.
    HintField(u32, u32, Key),
    /// A `[[division]]` table.
    Division(u32),
    /// The value of a key of a division.
    DivisionField(u32, Key),
    /// An entry of a challenge's `answers`.
    Answer(u32, u32),
    /// An entry of a challenge's `sealed`.
    Sealed(u32, u32),
    /// A `partial` entry (its table).
    Partial(u32, u32),
    /// The `answer` of a `partial` entry.
    PartialAnswer(u32, u32),
    /// The `reply` of a `partial` entry.
    PartialReply(u32, u32),
    /// A node of a challenge's unlock rule, numbered in pre-order from 0 (the `unlock` value).
    Rule(u32, u32),
    /// The argument of a rule node: the challenge id of `solved`, the score of
    /// `score_at_least`, the text of `after`, the round of `solves_in_round`.
    RuleArg(u32, u32),
    /// The `n` of an `at_least` or `solves_in_round` node.
    RuleN(u32, u32),
}

/// Spans of the values of one parsed definition, and which values were unusable.
#[derive(Debug, Default)]
pub(crate) struct SourceMap<'s> {
    source: Option<&'s str>,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    spans: HashMap<Site, Range<usize>>,
    /// Values the parser could not read and has already reported; validation takes them as
    /// fine, so one mistake is reported once.
    broken: HashSet<Site>,
}

impl<'s> SourceMap<'s> {
    /// An empty map for `source`, or for a spec built in code when `None`.
    pub(crate) fn new(source: Option<&'s str>) -> Self {
        let line_starts = source.map_or_else(Vec::new, |source| {
            std::iter::once(0)
                .chain(source.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        Self {
            source,
            line_starts,
            ..Self::default()
        }
    }

    pub(crate) fn record(&mut self, site: Site, span: Range<usize>) {
        self.spans.insert(site, span);
    }

    pub(crate) fn mark_broken(&mut self, site: Site) {
        self.broken.insert(site);
    }

    pub(crate) fn is_broken(&self, site: Site) -> bool {
        // Most checks run on valid values; skip hashing when nothing is broken.
        !self.broken.is_empty() && self.broken.contains(&site)
    }

    /// The span of the first of `sites` that has one.
    pub(crate) fn span(&self, sites: &[Site]) -> Option<Range<usize>> {
        sites.iter().find_map(|site| self.spans.get(site).cloned())
    }

    /// " (line N)" for a site with a known span, to point at a second place in a message.
    pub(crate) fn line_suffix(&self, site: Site) -> String {
        let Some(span) = self.span(&[site]) else {
            return String::new();
        };
        match self.source {
            Some(source) => format!(" (line {})", self.line_of(span.start.min(source.len())) + 1),
            None => String::new(),
        }
    }

    /// The line (from 0) holding a byte offset, by binary search over the line starts.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// A [`Locator`] over this map's source.
    pub(crate) fn locator(&self) -> Locator<'_, 's> {
        Locator {
            map: self,
            cursor: None,
        }
    }

    /// The line and column of a byte offset, if there is source text.
    #[cfg(test)]
    pub(crate) fn locate(&self, offset: usize) -> Option<Location> {
        self.locator().locate(offset)
    }
}

/// Turns byte offsets into lines and columns. It remembers where it last counted, so offsets
/// given in increasing order cost one pass over the text in all: many problems on one long
/// line do not each count the line's characters from its start.
#[derive(Debug)]
pub(crate) struct Locator<'m, 's> {
    map: &'m SourceMap<'s>,
    /// The last offset located: its line (from 0), the offset, and its column (from 0).
    cursor: Option<(usize, usize, usize)>,
}

impl Locator<'_, '_> {
    /// The line and column of a byte offset, if there is source text.
    pub(crate) fn locate(&mut self, offset: usize) -> Option<Location> {
        let source = self.map.source?;
        let offset = offset.min(source.len());
        let line = self.map.line_of(offset);
        let (from, before) = match self.cursor {
            Some((l, at, column)) if l == line && at <= offset => (at, column),
            _ => (self.map.line_starts[line], 0),
        };
        // Spans come from the parser and fall on character boundaries; `get` guards anyway.
        let column = before
            + source
                .get(from..offset)
                .map_or(offset - from, |text| text.chars().count());
        self.cursor = Some((line, offset, column));
        Some(Location {
            line: saturating_u32(line + 1),
            column: saturating_u32(column + 1),
        })
    }
}

impl Site {
    /// The value of `key` in the hunt (`None`) or in a challenge.
    pub(crate) fn key(owner: Option<u32>, key: Key) -> Site {
        match owner {
            None => Site::Hunt(key),
            Some(c) => Site::Field(c, key),
        }
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_lines_and_characters() {
        let map = SourceMap::new(Some("ab\né = 1\n\nx"));
        let at = |line, column| Some(Location { line, column });
        assert_eq!(map.locate(0), at(1, 1));
        assert_eq!(map.locate(2), at(1, 3));
        assert_eq!(map.locate(3), at(2, 1));
        // "é" is two bytes and one column.
        assert_eq!(map.locate(5), at(2, 2));
        assert_eq!(map.locate(10), at(3, 1));
        assert_eq!(map.locate(11), at(4, 1));
        assert_eq!(map.locate(99), at(4, 2));
        assert_eq!(SourceMap::new(None).locate(0), None);
    }
}
