//! Answer checking: normalization, sealed (HMAC) answers, regex answers, and judging a raw
//! submission.

mod checker;
mod normalize;
mod pattern;
mod seal;
mod template;

pub use checker::{Accepted, AnswerChecker, AnswerError, Judgement, check_raw};
pub use normalize::{NORMALIZATION_VERSION, Normalization};
pub use pattern::{
    MAX_PATTERN_BYTES, REGEX_NEST_LIMIT, REGEX_SIZE_LIMIT, RegexProblem, compile_regex,
};
pub use seal::{InvalidDigest, SealedDigest, Secret, seal};
pub use template::{AnswerTemplate, TemplateError, TemplatePart};
