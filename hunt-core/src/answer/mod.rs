//! Answer checking: normalization, sealed (HMAC) answers, regex answers, and judging a raw
//! submission.

mod checker;
mod normalize;
mod pattern;
mod seal;
mod template;

pub use checker::{Accepted, AnswerChecker, AnswerError, Judgement, check_raw};
pub use normalize::{NORMALIZATION_VERSION, Normalization};
pub(crate) use pattern::rebuild as rebuild_regex;
pub use pattern::{
    MAX_PATTERN_BYTES, MAX_REGEXES_PER_CHALLENGE, MAX_REGEXES_PER_HUNT, REGEX_BUDGET_PER_CHALLENGE,
    REGEX_BUDGET_PER_HUNT, REGEX_NEST_LIMIT, REGEX_SIZE_LIMIT, RegexProblem, compile_regex,
    compile_regex_within,
};
pub use seal::{InvalidDigest, SealedDigest, Secret, seal};
pub use template::{AnswerTemplate, TemplateError, TemplatePart};
