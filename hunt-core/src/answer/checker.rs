//! Judging a raw submission (to be implemented).

use super::{Normalization, SealedDigest, Secret};
use crate::hunt::PartialAnswer;

/// The accepted answers of a challenge.
#[derive(Debug, Clone)]
pub enum Accepted {
    /// Normalized plain answers.
    Plain(Vec<String>),
    /// Digests of normalized answers.
    Sealed(Vec<SealedDigest>),
    /// Whole-string regexes.
    Regex(Vec<regex::Regex>),
}

/// A challenge's answer checker.
#[derive(Debug, Clone)]
pub struct AnswerChecker {
    /// The normalization applied to submissions.
    pub normalization: Normalization,
    /// Accepted answers.
    pub accepted: Accepted,
    /// Partial answers.
    pub partials: Vec<PartialAnswer>,
}

/// The outcome of judging one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// An accepted answer.
    Accepted,
    /// The partial answer at this index.
    Partial(usize),
    /// Wrong; the normalized guess.
    Wrong(String),
}

/// Why a raw answer cannot be judged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// Empty.
    #[error("empty answer")]
    Empty,
}

/// Checks a raw answer before judging.
pub fn check_raw(raw: &str, max_bytes: usize) -> Result<(), AnswerError> {
    let _ = (raw, max_bytes);
    todo!()
}

impl AnswerChecker {
    /// Judges a raw answer.
    pub fn judge(&self, challenge: &str, raw: &str, secret: Option<&Secret>) -> Result<Judgement, AnswerError> {
        let _ = (challenge, raw, secret);
        todo!()
    }
}
