//! Sealed answers (to be implemented).

use super::Normalization;

/// The secret key of sealed answers, supplied at run time and never stored.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// Wraps secret key bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }
}

/// An HMAC-SHA256 digest of a normalized answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SealedDigest(pub [u8; 32]);

/// Seals a normalized answer of a challenge.
pub fn seal(secret: &Secret, challenge: &str, normalization: Normalization, normalized: &str) -> SealedDigest {
    let _ = (secret, challenge, normalization, normalized);
    todo!()
}
