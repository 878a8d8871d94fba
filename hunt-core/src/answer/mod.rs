//! Answer checking: normalization, sealed (HMAC) answers, and judging a raw submission.

mod checker;
mod normalize;
mod seal;

pub use checker::{Accepted, AnswerChecker, AnswerError, Judgement, check_raw};
pub use normalize::{NORMALIZATION_VERSION, Normalization};
pub use seal::{SealedDigest, Secret, seal};
