//! Problems found in a hunt definition, and the error that carries all of them.

use std::fmt;
use std::ops::Range;

use super::location::SourceMap;

/// A position in a definition file, both 1-based; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in characters.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// What is wrong, for callers and tests that branch on it; [`Problem::message`] says it to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file is not valid TOML.
    Syntax,
    /// A key the format does not know, usually a typo; or a parameter the chosen scoring rule
    /// or back-off does not take.
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A value of the wrong TOML type.
    WrongType,
    /// A value of the right type that is not one of the allowed ones (an unknown ranking, an
    /// empty round name, an answer with a control character, `always = false`).
    BadValue,
    /// A date-time that is not an RFC 3339 instant with a UTC offset.
    BadTime,
    /// A challenge id used twice, also after folding case, `-` and `_`.
    DuplicateId,
    /// A hunt or challenge id that is not a slug.
    BadId,
    /// A reference to a challenge or round that does not exist.
    UnknownReference,
    /// Challenges whose unlock rules need each other.
    UnlockCycle,
    /// A challenge (or an `after` rule) that can never unlock during the hunt.
    NeverUnlocks,
    /// An unlock rule table without exactly one rule key.
    BadRule,
    /// Unlock rules nested deeper than [`MAX_RULE_DEPTH`](super::MAX_RULE_DEPTH).
    TooDeep,
    /// An `after` value that is not a duration.
    BadDuration,
    /// An accepted or partial answer with nothing left after normalization.
    EmptyAnswer,
    /// A partial answer that is also an accepted answer, so its reply can never be seen.
    PartialIsAnswer,
    /// A regex answer that does not compile, or is unsafe to run.
    InvalidRegex,
    /// Regex answers beyond a challenge's or the hunt's count or compiled-size budget.
    RegexBudget,
    /// Sealed answers on a challenge normalized with `regex`.
    SealedRegex,
    /// A sealed answer that is not 64 hexadecimal digits.
    BadDigest,
    /// A challenge without accepted answers.
    NoAnswers,
    /// A challenge with both plain and sealed answers.
    MixedAnswers,
    /// `end` not after `start`.
    BadWindow,
    /// `freeze` not strictly between `start` and `end`.
    FreezeOutsideWindow,
    /// A number outside its allowed range.
    OutOfRange,
    /// A string longer than allowed.
    TooLong,
    /// `ranking = "puzzle-hunt"` without a `final_meta`.
    MissingFinalMeta,
    /// A `final_meta` that is not a meta challenge.
    NotMeta,
    /// A feeder of an `answer_template` that the challenge's unlock rule does not require
    /// solved, so a team could reach the challenge without the answer it is built from.
    FeederNotRequired,
}

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong.
    pub kind: ProblemKind,
    /// Where, when the definition came from source text and the problem has a place in it.
    pub location: Option<Location>,
    /// A sentence for people.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(location) => write!(f, "{location}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// How many problems a [`DefinitionError`] reports; the rest are only counted, so a file with
/// a million mistakes costs no more to report than one with a hundred.
pub const MAX_REPORTED_PROBLEMS: usize = 100;

/// Every problem found in a definition, in source order (problems without a location first):
/// the first [`MAX_REPORTED_PROBLEMS`] of them, and how many more there were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// The first problems, at most [`MAX_REPORTED_PROBLEMS`]; never empty.
    pub problems: Vec<Problem>,
    /// How many problems were found after those in `problems` (0 when all are there).
    pub more: usize,
}

impl DefinitionError {
    /// How many problems were found in all, reported or not.
    pub fn total(&self) -> usize {
        self.problems.len() + self.more
    }

    /// "and N more problems", for the line after the reported ones, when some were left out.
    pub fn more_line(&self) -> Option<String> {
        match self.more {
            0 => None,
            1 => Some("and 1 more problem".to_owned()),
            n => Some(format!("and {n} more problems")),
        }
    }
}

impl fmt::Display for DefinitionError {
    /// One problem per line, like a compiler, then how many more there were.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        if let Some(line) = self.more_line() {
            write!(f, "\n{line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DefinitionError {}

/// Problems as they are found: located by byte span until the end, when the spans become
/// lines and columns (only if there is source text to count them in).
#[derive(Debug, Default)]
pub(crate) struct Problems {
    found: Vec<(ProblemKind, Option<Range<usize>>, String)>,
}

impl Problems {
    pub(crate) fn push(
        &mut self,
        kind: ProblemKind,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) {
        let mut message = message.into();
        // Display promises one problem per line.
        if message.contains('\n') {
            message = message.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        self.found.push((kind, span, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// How many problems were found so far.
    pub(crate) fn len(&self) -> usize {
        self.found.len()
    }

    /// The error, with spans turned into locations (when the definition came from text):
    /// the first [`MAX_REPORTED_PROBLEMS`] in source order, located in one pass over the text.
    pub(crate) fn into_error(mut self, map: &SourceMap<'_>) -> DefinitionError {
        // Stable, so problems at the same place keep the order they were found in. Offsets
        // map to locations in order, so this is also location order (unlocated first).
        self.found
            .sort_by_key(|(_, span, _)| span.as_ref().map(|span| span.start));
        let more = self.found.len().saturating_sub(MAX_REPORTED_PROBLEMS);
        self.found.truncate(MAX_REPORTED_PROBLEMS);
        let mut locator = map.locator();
        let problems = self
            .found
            .into_iter()
            .map(|(kind, span, message)| Problem {
                kind,
                location: span.and_then(|span| locator.locate(span.start)),
                message,
            })
            .collect();
        DefinitionError { problems, more }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_problem_per_line() {
        let source = "titel = 1\n\nunlock = \"foo\"\n";
        let mut problems = Problems::default();
        problems.push(
            ProblemKind::UnknownReference,
            Some(20..25),
            "unknown challenge `foo` in the unlock rule of `bar`",
        );
        problems.push(ProblemKind::MissingKey, None, "missing key `title`");
        problems.push(ProblemKind::UnknownKey, Some(0..5), "unknown key `titel`");
        let error = problems.into_error(&SourceMap::new(Some(source)));
        assert_eq!(
            error.to_string(),
            "missing key `title`\n\
             line 1, column 1: unknown key `titel`\n\
             line 3, column 10: unknown challenge `foo` in the unlock rule of `bar`"
        );
    }

    #[test]
    fn only_the_first_problems_are_reported_then_counted() {
        let source = "answers = [".to_owned() + &"\"é\", ".repeat(250) + "]\n";
        let mut problems = Problems::default();
        // Found out of order, as validation may.
        for i in (0..250).rev() {
            let start = 11 + i * 6;
            problems.push(
                ProblemKind::EmptyAnswer,
                Some(start..start + 4),
                format!("{i}"),
            );
        }
        let error = problems.into_error(&SourceMap::new(Some(&source)));
        assert_eq!(error.problems.len(), MAX_REPORTED_PROBLEMS);
        assert_eq!((error.more, error.total()), (150, 250));
        for (i, problem) in error.problems.iter().enumerate() {
            assert_eq!(problem.message, i.to_string());
            // Each entry `"é", ` is five characters.
            let column = u32::try_from(12 + i * 5).unwrap();
            assert_eq!(problem.location, Some(Location { line: 1, column }));
        }
        assert!(error.to_string().ends_with("\nand 150 more problems"));
    }
}
