//! Judging a raw submission against a challenge's accepted and partial answers.
//!
//! The engine first calls [`check_raw`] with the hunt's length limit, which rejects input that
//! is not an answer at all (empty, too long, control characters); then
//! [`AnswerChecker::judge`] turns an acceptable submission into a [`Judgement`]. A wrong answer
//! is a judgement, not an error: errors are for input that cannot be judged.

use std::borrow::Cow;

use subtle::{Choice, ConstantTimeEq};

use super::{AnswerTemplate, Normalization, SealedDigest, Secret, seal};
use crate::hunt::PartialAnswer;
use crate::ids::ChallengeId;

/// The accepted answers of a challenge.
#[derive(Debug, Clone)]
pub enum Accepted {
    /// Plain answers, already normalized with the checker's normalization.
    Plain(Vec<String>),
    /// Digests of normalized answers (see [`seal`]).
    Sealed(Vec<SealedDigest>),
    /// Whole-string regexes, built with [`compile_regex`](super::compile_regex) so they are
    /// anchored; matched against the normalized submission (for
    /// [`Normalization::Regex`], the trimmed submission).
    Regex(Vec<regex::Regex>),
    /// A meta's answer built from the team's own feeder answers (see [`AnswerTemplate`]).
    Template(AnswerTemplate),
}

impl Accepted {
    /// Plain answers from their raw spellings, normalized with `normalization`.
    pub fn plain<S: AsRef<str>>(
        normalization: Normalization,
        answers: impl IntoIterator<Item = S>,
    ) -> Self {
        Accepted::Plain(
            answers
                .into_iter()
                .map(|answer| normalization.apply(answer.as_ref()))
                .collect(),
        )
    }

    /// Sealed answers from their raw spellings, normalized with `normalization`.
    pub fn sealed<S: AsRef<str>>(
        secret: &Secret,
        challenge: &str,
        normalization: Normalization,
        answers: impl IntoIterator<Item = S>,
    ) -> Self {
        Accepted::Sealed(
            answers
                .into_iter()
                .map(|answer| {
                    seal(
                        secret,
                        challenge,
                        normalization,
                        &normalization.apply(answer.as_ref()),
                    )
                })
                .collect(),
        )
    }
}

/// A challenge's answer checker.
#[derive(Debug, Clone)]
pub struct AnswerChecker {
    /// The normalization applied to submissions.
    pub normalization: Normalization,
    /// Accepted answers.
    pub accepted: Accepted,
    /// Partial ("keep going") answers, normalized with
    /// [`Normalization::partial_normalization`] of `normalization`.
    pub partials: Vec<PartialAnswer>,
}

/// The outcome of judging one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// An accepted answer.
    Accepted,
    /// The partial answer at this index of [`AnswerChecker::partials`].
    Partial(usize),
    /// Wrong; the normalized guess, so a repeated wrong guess can be recognised.
    Wrong(String),
}

/// Why a raw answer cannot be judged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// Empty, or only whitespace.
    #[error("empty answer")]
    Empty,
    /// Longer than the hunt allows.
    #[error("the answer is {len} bytes long; at most {max} are allowed")]
    TooLong {
        /// Length of the answer, in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Contains a control character (C0, DEL or C1, including NUL, tab and newline).
    #[error("the answer contains the control character U+{code:04X} at byte {offset}")]
    ControlCharacter {
        /// The code point of the first control character.
        code: u32,
        /// Its byte offset in the answer.
        offset: usize,
    },
    /// Nothing is left after normalization (for example "!!!" when only letters count).
    #[error("the answer has no characters that count")]
    NormalizesToNothing,
    /// The accepted answers are sealed and no secret was supplied.
    #[error("the challenge's answers are sealed and no secret was supplied")]
    SecretMissing,
}

/// Checks a raw answer before judging: not longer than `max_bytes`, not empty or blank, no
/// control characters.
///
/// The length is checked first, in O(1), so an oversized submission costs nothing more.
pub fn check_raw(raw: &str, max_bytes: usize) -> Result<(), AnswerError> {
    if raw.len() > max_bytes {
        return Err(AnswerError::TooLong {
            len: raw.len(),
            max: max_bytes,
        });
    }
    if raw.trim().is_empty() {
        return Err(AnswerError::Empty);
    }
    if let Some((offset, c)) = raw.char_indices().find(|(_, c)| c.is_control()) {
        return Err(AnswerError::ControlCharacter {
            code: u32::from(c),
            offset,
        });
    }
    Ok(())
}

impl AnswerChecker {
    /// Judges a raw answer (which the caller has passed through [`check_raw`]).
    ///
    /// The submission is normalized once. It is accepted if it equals a plain answer, if its
    /// seal equals a sealed digest (both compared in constant time, against every answer), or
    /// if a regex matches it. Otherwise, if it equals a partial answer, the first such partial
    /// is returned; regex challenges compare partials against the
    /// [`Caseless`](Normalization::Caseless) form of the submission. Otherwise it is wrong.
    ///
    /// `secret` is needed only when the answers are sealed. A template never matches here:
    /// it needs the team's feeder answers, see [`AnswerChecker::judge_for_team`].
    pub fn judge(
        &self,
        challenge: &str,
        raw: &str,
        secret: Option<&Secret>,
    ) -> Result<Judgement, AnswerError> {
        self.judge_for_team(challenge, raw, secret, |_| None)
    }

    /// [`AnswerChecker::judge`] for one team: `feeder_answer` gives the team's answer to a
    /// feeder it solved, which an answer template is expanded with.
    pub fn judge_for_team<'a>(
        &self,
        challenge: &str,
        raw: &str,
        secret: Option<&Secret>,
        feeder_answer: impl Fn(ChallengeId) -> Option<&'a str>,
    ) -> Result<Judgement, AnswerError> {
        let normalized = self.normalization.apply(raw);
        let accepted = match &self.accepted {
            Accepted::Plain(answers) => any_ct(
                answers
                    .iter()
                    .map(|answer| answer.as_bytes().ct_eq(normalized.as_bytes())),
            ),
            Accepted::Sealed(digests) => {
                let secret = secret.ok_or(AnswerError::SecretMissing)?;
                let digest = seal(secret, challenge, self.normalization, &normalized);
                any_ct(digests.iter().map(|sealed| sealed.ct_eq(&digest)))
            }
            Accepted::Regex(regexes) => regexes.iter().any(|regex| regex.is_match(&normalized)),
            Accepted::Template(template) => template
                .expand(self.normalization, feeder_answer)
                .is_some_and(|expected| {
                    bool::from(expected.as_bytes().ct_eq(normalized.as_bytes()))
                }),
        };
        // After the match on purpose: a missing secret is a configuration error and is
        // reported whatever the submission.
        if normalized.is_empty() {
            return Err(AnswerError::NormalizesToNothing);
        }
        if accepted {
            return Ok(Judgement::Accepted);
        }
        let partial_normalization = self.normalization.partial_normalization();
        let key = if partial_normalization == self.normalization {
            Cow::Borrowed(normalized.as_str())
        } else {
            Cow::Owned(partial_normalization.apply(raw))
        };
        if !key.is_empty()
            && let Some(index) = self.partials.iter().position(|p| p.normalized == *key)
        {
            return Ok(Judgement::Partial(index));
        }
        Ok(Judgement::Wrong(normalized))
    }
}

/// Whether any comparison matched, looking at all of them so the time does not reveal which.
fn any_ct(choices: impl Iterator<Item = Choice>) -> bool {
    choices
        .fold(Choice::from(0), |any, choice| any | choice)
        .into()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::answer::compile_regex;

    const MAX: usize = 1 << 16;

    #[test]
    fn raw_checks() {
        let huge = "a".repeat(1 << 20);
        let cases: &[(&str, Result<(), AnswerError>)] = &[
            ("flag{x}", Ok(())),
            ("  padded  ", Ok(())),
            ("Crème brûlée", Ok(())),
            ("", Err(AnswerError::Empty)),
            (" \u{3000}\u{A0} ", Err(AnswerError::Empty)),
            ("\t\n", Err(AnswerError::Empty)),
            (
                "a\0b",
                Err(AnswerError::ControlCharacter { code: 0, offset: 1 }),
            ),
            (
                "a\nb",
                Err(AnswerError::ControlCharacter {
                    code: 0x0A,
                    offset: 1,
                }),
            ),
            (
                "é\u{7F}",
                Err(AnswerError::ControlCharacter {
                    code: 0x7F,
                    offset: 2,
                }),
            ),
            (
                "x\u{85}",
                Err(AnswerError::ControlCharacter {
                    code: 0x85,
                    offset: 1,
                }),
            ),
            (
                &huge,
                Err(AnswerError::TooLong {
                    len: 1 << 20,
                    max: MAX,
                }),
            ),
        ];
        for (raw, expected) in cases {
            let shown: String = raw.chars().take(20).collect();
            assert_eq!(check_raw(raw, MAX), *expected, "{shown:?}");
        }
    }

    #[test]
    fn length_is_checked_first() {
        // Oversized input is rejected as too long whatever else is wrong with it.
        let nul = "\0".repeat(1 << 20);
        let err = check_raw(&nul, 100);
        assert_eq!(
            err,
            Err(AnswerError::TooLong {
                len: 1 << 20,
                max: 100
            })
        );
        assert_eq!(
            check_raw("   ", 2),
            Err(AnswerError::TooLong { len: 3, max: 2 })
        );
    }

    fn partials(normalized: &[&str]) -> Vec<PartialAnswer> {
        normalized
            .iter()
            .map(|n| PartialAnswer {
                normalized: (*n).to_owned(),
                reply: format!("keep going ({n})"),
            })
            .collect()
    }

    fn secret() -> Secret {
        Secret::new(*b"a test secret that is long enough")
    }

    fn checkers() -> Vec<(&'static str, AnswerChecker)> {
        use Normalization::{Alphanumeric, Caseless, Letters, Regex};
        let plain = |normalization, answers: &[&str], partial: &[&str]| AnswerChecker {
            normalization,
            accepted: Accepted::plain(normalization, answers),
            partials: partials(partial),
        };
        let regex = AnswerChecker {
            normalization: Regex,
            accepted: Accepted::Regex(vec![
                compile_regex(r"flag\{[0-9]+\}").expect("valid"),
                compile_regex(r"(?i)other").expect("valid"),
            ]),
            partials: partials(&["flag{"]),
        };
        let sealed = AnswerChecker {
            normalization: Caseless,
            accepted: Accepted::sealed(&secret(), "sealed", Caseless, ["Secret Answer", "Alt"]),
            partials: partials(&["secret"]),
        };
        vec![
            (
                "caseless",
                plain(Caseless, &["Flag{Hello}", "ﬁnal"], &["flag{"]),
            ),
            ("letters", plain(Letters, &["Crème Brûlée"], &["CREME"])),
            ("alnum", plain(Alphanumeric, &["Ω-42"], &["O"])),
            ("regex", regex),
            ("sealed", sealed),
        ]
    }

    fn check(cases: &[(&str, &str, Result<Judgement, AnswerError>)]) {
        let checkers = checkers();
        for (name, raw, expected) in cases {
            let (_, checker) = checkers
                .iter()
                .find(|(n, _)| n == name)
                .expect("a known checker");
            let got = checker.judge(name, raw, Some(&secret()));
            assert_eq!(got, *expected, "{name}: {raw:?}");
        }
    }

    #[test]
    fn judgements() {
        use Judgement::{Accepted, Partial, Wrong};
        let wrong = |s: &str| Ok(Wrong(s.to_owned()));
        check(&[
            ("caseless", "  FLAG{hello} ", Ok(Accepted)),
            ("caseless", "FINAL", Ok(Accepted)),
            ("caseless", "Flag{", Ok(Partial(0))),
            ("caseless", "Flag{Bye}", wrong("flag{bye}")),
            ("letters", "creme-brulee", Ok(Accepted)),
            ("letters", "Crème", Ok(Partial(0))),
            ("letters", "tart", wrong("TART")),
            ("letters", "42", Err(AnswerError::NormalizesToNothing)),
            ("alnum", "o 42", Ok(Accepted)),
            ("alnum", "ω", Ok(Partial(0))),
            ("alnum", "!!!", Err(AnswerError::NormalizesToNothing)),
            ("regex", " flag{123} ", Ok(Accepted)),
            ("regex", "OTHER", Ok(Accepted)),
            ("regex", "flag{12a}", wrong("flag{12a}")),
            ("regex", "xflag{1}", wrong("xflag{1}")),
            // Regex partials use the caseless form.
            ("regex", "FLAG{", Ok(Partial(0))),
            ("sealed", "secret answer", Ok(Accepted)),
            ("sealed", " ALT ", Ok(Accepted)),
            ("sealed", "Secret", Ok(Partial(0))),
            ("sealed", "nope", wrong("nope")),
            ("sealed", "   ", Err(AnswerError::NormalizesToNothing)),
        ]);
    }

    #[test]
    fn sealed_needs_the_right_secret() {
        let checkers = checkers();
        let (_, sealed) = checkers
            .iter()
            .find(|(n, _)| *n == "sealed")
            .expect("sealed");
        assert_eq!(
            sealed.judge("sealed", "secret answer", None),
            Err(AnswerError::SecretMissing)
        );
        let wrong_secret = Secret::new(*b"another secret");
        assert_eq!(
            sealed.judge("sealed", "secret answer", Some(&wrong_secret)),
            Ok(Judgement::Wrong("secret answer".to_owned()))
        );
        // The digest is bound to the challenge id.
        assert_eq!(
            sealed.judge("other", "secret answer", Some(&secret())),
            Ok(Judgement::Wrong("secret answer".to_owned()))
        );
        // Plain answers ignore the secret.
        let (_, plain) = checkers
            .iter()
            .find(|(n, _)| *n == "caseless")
            .expect("plain");
        assert_eq!(
            plain.judge("caseless", "flag{hello}", None),
            Ok(Judgement::Accepted)
        );
    }

    #[test]
    fn constant_time_any() {
        let cases: &[(&[u8], bool)] = &[
            (&[], false),
            (&[0, 0], false),
            (&[0, 1, 0], true),
            (&[1, 1], true),
        ];
        for (choices, expected) in cases {
            let got = any_ct(choices.iter().map(|&c| Choice::from(c)));
            assert_eq!(got, *expected, "{choices:?}");
        }
    }

    /// Judges hostile input with every checker, within a generous time budget (debug builds).
    fn assert_survives(raw: &str) {
        let start = Instant::now();
        for (name, checker) in checkers() {
            if check_raw(raw, 1 << 20).is_ok() {
                let _ = checker.judge(name, raw, Some(&secret()));
            }
        }
        let elapsed = start.elapsed();
        assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    }

    #[test]
    fn hostile_input() {
        let marks = format!("a{}", "\u{301}\u{316}\u{345}".repeat(10_000 / 3));
        assert_eq!(check_raw(&marks, 1 << 20), Ok(()));
        assert_survives(&marks);
        let expanding = "\u{FDFA}".repeat(1000);
        assert_eq!(check_raw(&expanding, 1 << 20), Ok(()));
        assert_survives(&expanding);
        let ligatures = "ﬃ".repeat(10_000);
        assert_survives(&ligatures);
    }

    #[test]
    fn typical_answer_is_fast() {
        // A loose bound: release builds take about a microsecond; debug builds are slower and
        // CI machines are shared.
        let checkers = checkers();
        let secret = secret();
        let rounds = 2_000;
        let start = Instant::now();
        for (name, checker) in &checkers {
            for _ in 0..rounds {
                let _ = checker.judge(name, "the quick brown fox!", Some(&secret));
            }
        }
        let per_judgement = start.elapsed() / (rounds * checkers.len() as u32);
        assert!(
            per_judgement < Duration::from_micros(100),
            "{per_judgement:?}"
        );
    }
}
