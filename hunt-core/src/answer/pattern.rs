//! Compiling the regexes of regex answers, with limits, since patterns come from hunt
//! definitions that may be written by many authors.

use regex::{Regex, RegexBuilder};

/// The longest pattern accepted, in bytes.
pub const MAX_PATTERN_BYTES: usize = 1024;

/// The compiled size limit of a regex answer, in bytes.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// How deeply a regex answer may nest groups and repetitions.
pub const REGEX_NEST_LIMIT: u32 = 64;

/// How many regex answers one challenge may have.
pub const MAX_REGEXES_PER_CHALLENGE: usize = 64;

/// How many regex answers a hunt may have in all.
pub const MAX_REGEXES_PER_HUNT: usize = 2_000;

/// The compiled size (see [`compile_regex_within`]) all regex answers of one challenge may
/// take together, in bytes.
pub const REGEX_BUDGET_PER_CHALLENGE: usize = 2 << 20;

/// The compiled size all regex answers of a hunt may take together, in bytes. Compiling
/// takes time and memory in proportion to it, so a hostile file cannot make loading slow.
pub const REGEX_BUDGET_PER_HUNT: usize = 8 << 20;

/// Why a pattern cannot be a regex answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RegexProblem {
    /// The pattern is longer than [`MAX_PATTERN_BYTES`].
    #[error("the regex is {len} bytes long; at most {max} are allowed")]
    TooLong {
        /// Length of the pattern, in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The pattern is not a valid regex, nests too deeply, or compiles too big.
    #[error("invalid regex: {0}")]
    Invalid(#[source] regex::Error),
    /// The pattern is valid alone but not inside the anchoring group; in practice it ends in
    /// an `(?x)` comment, which swallows the closing parenthesis.
    #[error(
        "the regex cannot be anchored to the whole answer; if it ends in an (?x) comment, end it with a newline"
    )]
    Unanchorable,
    /// The anchored pattern matches the empty string, so it would accept an empty answer.
    #[error("the regex matches the empty string")]
    MatchesEmpty,
    /// The pattern compiles bigger than what is left of its budget.
    #[error("the regex compiles to more than the {left} bytes left of the regex answers' budget")]
    OverBudget {
        /// What was left of the budget, in bytes.
        left: usize,
    },
}

/// Compiles a regex answer that must match the whole (trimmed) submission.
///
/// The pattern is wrapped as `^(?:pattern)$`. It is first compiled alone, so an unbalanced
/// pattern such as `a)|(b` cannot break out of the group and drop the anchors; flags set inside
/// the pattern (`(?m)`, `(?x)`) end with the group and leave the anchors alone.
pub fn compile_regex(pattern: &str) -> Result<Regex, RegexProblem> {
    compile_checked(pattern)
}

/// Compiles a regex answer as [`compile_regex`] does, within `left` bytes of a budget: returns
/// the regex and its compiled size (the memory of its anchored Thompson NFA, which bounds
/// the time and memory compiling it takes), or [`RegexProblem::OverBudget`] before building
/// more than `left` bytes.
pub fn compile_regex_within(pattern: &str, left: usize) -> Result<(Regex, usize), RegexProblem> {
    if pattern.len() > MAX_PATTERN_BYTES {
        return Err(RegexProblem::TooLong {
            len: pattern.len(),
            max: MAX_PATTERN_BYTES,
        });
    }
    let limit = left.min(REGEX_SIZE_LIMIT);
    let nfa = regex_automata::nfa::thompson::Compiler::new()
        .syntax(regex_automata::util::syntax::Config::new().nest_limit(REGEX_NEST_LIMIT))
        .configure(regex_automata::nfa::thompson::Config::new().nfa_size_limit(Some(limit)))
        .build(&format!("^(?:{pattern})$"));
    let size = match nfa {
        Ok(nfa) => nfa.memory_usage(),
        // Too big for what is left of the budget (but not for a regex alone).
        Err(error) if error.size_limit().is_some() && limit < REGEX_SIZE_LIMIT => {
            return Err(RegexProblem::OverBudget { left });
        }
        // Every other mistake is reported by the regex crate, as for any regex.
        Err(_) => 0,
    };
    if size > left {
        return Err(RegexProblem::OverBudget { left });
    }
    compile_checked(pattern).map(|regex| (regex, size))
}

fn compile_checked(pattern: &str) -> Result<Regex, RegexProblem> {
    if pattern.len() > MAX_PATTERN_BYTES {
        return Err(RegexProblem::TooLong {
            len: pattern.len(),
            max: MAX_PATTERN_BYTES,
        });
    }
    build(pattern).map_err(RegexProblem::Invalid)?;
    let anchored = build(&format!("^(?:{pattern})$")).map_err(|error| match error {
        // Adding a group and two anchors can push a pattern over a limit.
        regex::Error::CompiledTooBig(_) => RegexProblem::Invalid(error),
        _ => RegexProblem::Unanchorable,
    })?;
    if anchored.is_match("") {
        return Err(RegexProblem::MatchesEmpty);
    }
    Ok(anchored)
}

/// The regex [`compile_regex`] built, from its anchored pattern ([`Regex::as_str`]), with the
/// same limits: for compiled hunts read back from bytes, whose patterns were checked when the
/// hunt was validated.
pub(crate) fn rebuild(anchored: &str) -> Result<Regex, regex::Error> {
    build(anchored)
}

fn build(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `pattern` compiles, and if so which inputs it must accept and reject.
    enum Expect<'a> {
        Matches {
            yes: &'a [&'a str],
            no: &'a [&'a str],
        },
        Fails(fn(&RegexProblem) -> bool),
    }

    fn check(cases: &[(&str, Expect<'_>)]) {
        for (pattern, expect) in cases {
            let result = compile_regex(pattern);
            match (expect, result) {
                (Expect::Matches { yes, no }, Ok(regex)) => {
                    for input in *yes {
                        assert!(regex.is_match(input), "{pattern:?} should match {input:?}");
                    }
                    for input in *no {
                        assert!(
                            !regex.is_match(input),
                            "{pattern:?} should not match {input:?}"
                        );
                    }
                }
                (Expect::Fails(is), Err(problem)) => {
                    assert!(is(&problem), "{pattern:?}: unexpected {problem:?}");
                }
                (_, result) => panic!("{pattern:?}: unexpected {result:?}"),
            }
        }
    }

    #[test]
    fn patterns() {
        let long = "a".repeat(MAX_PATTERN_BYTES + 1);
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        check(&[
            (
                "flag\\{[a-z]+\\}",
                Expect::Matches {
                    yes: &["flag{abc}"],
                    no: &["xflag{abc}", "flag{abc}x", "flag{}"],
                },
            ),
            // Alternation is anchored as a whole.
            (
                "a|b",
                Expect::Matches {
                    yes: &["a", "b"],
                    no: &["ab", "xa", "bx"],
                },
            ),
            // A shorter alternative first must not stop a whole-string match.
            (
                "a|ab",
                Expect::Matches {
                    yes: &["a", "ab"],
                    no: &["abc"],
                },
            ),
            (
                "(?i)hello",
                Expect::Matches {
                    yes: &["HeLLo"],
                    no: &["hello!"],
                },
            ),
            // (?m) stays inside the group, so the anchors still mean the whole string.
            (
                "(?m)a",
                Expect::Matches {
                    yes: &["a"],
                    no: &["a\nb", "b\na"],
                },
            ),
            (
                "(?x) a b # comment\n",
                Expect::Matches {
                    yes: &["ab"],
                    no: &["a b"],
                },
            ),
            // Breaking out of the group is a syntax error, not an unanchored regex.
            (
                "a)|(b",
                Expect::Fails(|p| matches!(p, RegexProblem::Invalid(_))),
            ),
            (
                "(?x)ab # comment",
                Expect::Fails(|p| *p == RegexProblem::Unanchorable),
            ),
            (
                "[",
                Expect::Fails(|p| matches!(p, RegexProblem::Invalid(_))),
            ),
            (
                &deep,
                Expect::Fails(|p| matches!(p, RegexProblem::Invalid(_))),
            ),
            (
                "a{1000}{1000}",
                Expect::Fails(|p| matches!(p, RegexProblem::Invalid(_))),
            ),
            (
                &long,
                Expect::Fails(|p| {
                    matches!(
                        p,
                        RegexProblem::TooLong {
                            len: 1025,
                            max: 1024
                        }
                    )
                }),
            ),
            ("a*", Expect::Fails(|p| *p == RegexProblem::MatchesEmpty)),
            ("", Expect::Fails(|p| *p == RegexProblem::MatchesEmpty)),
            ("(a|)", Expect::Fails(|p| *p == RegexProblem::MatchesEmpty)),
        ]);
    }
}
