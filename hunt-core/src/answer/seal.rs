//! Sealed answers: HMAC-SHA256 digests of normalized answers, so a published hunt definition
//! does not reveal its answers.
//!
//! A plain SHA-256 of a short answer falls to a dictionary; a keyed HMAC does not, as long as
//! the secret stays out of the definition. The digest covers the challenge id, the
//! normalization version and name and the normalized answer:
//!
//! ```text
//! HMAC-SHA256(secret, challenge ‖ 0x00 ‖ NORMALIZATION_VERSION (u32, big-endian)
//!                     ‖ normalization name (kebab-case) ‖ 0x00 ‖ normalized answer)
//! ```
//!
//! Binding the challenge stops a digest from being copied to another challenge; binding the
//! normalization and its version makes a pipeline change invalidate old digests instead of
//! silently rejecting every correct answer.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use super::{NORMALIZATION_VERSION, Normalization};

type HmacSha256 = Hmac<Sha256>;

/// The secret key of sealed answers, supplied at run time and never stored.
///
/// It holds the keyed HMAC state rather than the key bytes, so sealing does not rehash the
/// key for every submission.
#[derive(Clone)]
pub struct Secret(HmacSha256);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// Wraps secret key bytes. HMAC accepts a key of any length; use at least 32 random bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        let key = bytes.into();
        // HMAC hashes long keys and pads short ones, so no key length is invalid.
        let mac = HmacSha256::new_from_slice(&key).expect("HMAC accepts keys of any length");
        Self(mac)
    }
}

/// The label whose HMAC under the secret is the secret's fingerprint.
pub(crate) const FINGERPRINT_LABEL: &[u8] = b"hunt secret fingerprint v1";

impl Secret {
    /// The secret's fingerprint: `HMAC-SHA256(secret, "hunt secret fingerprint v1")`. A hunt
    /// file keeps it (`secret_fingerprint`) so that a wrong secret is refused at open instead
    /// of silently judging every sealed answer wrong; it reveals nothing of the secret.
    pub fn fingerprint(&self) -> SealedDigest {
        let mut mac = self.0.clone();
        mac.update(FINGERPRINT_LABEL);
        SealedDigest(mac.finalize().into_bytes().into())
    }
}

/// An HMAC-SHA256 digest of a normalized answer.
///
/// `==` compares in constant time. Written as 64 hexadecimal digits, in lowercase on output
/// ([`Display`](fmt::Display), serde); either case is accepted on input.
#[derive(Clone, Copy)]
pub struct SealedDigest(pub [u8; 32]);

impl SealedDigest {
    /// Parses 64 hexadecimal digits; `None` for any other input.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let mut bytes = [0_u8; 32];
        hex::decode_to_slice(hex, &mut bytes).ok()?;
        Some(Self(bytes))
    }
}

impl ConstantTimeEq for SealedDigest {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for SealedDigest {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SealedDigest {}

impl std::hash::Hash for SealedDigest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Display for SealedDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SealedDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedDigest({self})")
    }
}

/// A string that is not 64 hexadecimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sealed answer must be 64 hexadecimal digits (an HMAC-SHA256 digest)")]
pub struct InvalidDigest;

impl FromStr for SealedDigest {
    type Err = InvalidDigest;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s).ok_or(InvalidDigest)
    }
}

impl Serialize for SealedDigest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SealedDigest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Seals a normalized answer of a challenge.
///
/// `normalized` must already be `normalization.apply(answer)`; `challenge` is the challenge id
/// (a slug, so it holds no NUL byte and the encoding above is unambiguous).
pub fn seal(
    secret: &Secret,
    challenge: &str,
    normalization: Normalization,
    normalized: &str,
) -> SealedDigest {
    let mut mac = secret.0.clone();
    mac.update(challenge.as_bytes());
    mac.update(&[0]);
    mac.update(&NORMALIZATION_VERSION.to_be_bytes());
    mac.update(normalization.as_str().as_bytes());
    mac.update(&[0]);
    mac.update(normalized.as_bytes());
    SealedDigest(mac.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new(b"correct horse battery staple, 32+ bytes".to_vec())
    }

    #[test]
    fn matches_a_hand_built_message() {
        // The message layout is part of the stored format; pin it against an independent
        // construction.
        let mut message = b"chal\0".to_vec();
        message.extend_from_slice(&1_u32.to_be_bytes());
        message.extend_from_slice(b"caseless\0answer");
        let mut mac = HmacSha256::new_from_slice(b"k").expect("any key length");
        mac.update(&message);
        let expected = SealedDigest(mac.finalize().into_bytes().into());
        let got = seal(
            &Secret::new(*b"k"),
            "chal",
            Normalization::Caseless,
            "answer",
        );
        assert_eq!(got, expected);
    }

    #[test]
    fn round_trip_and_separation() {
        use Normalization::{Caseless, Letters};
        let base = seal(&secret(), "c1", Caseless, "answer");
        // (description, digest, same as base?)
        let cases = [
            (
                "same inputs",
                seal(&secret(), "c1", Caseless, "answer"),
                true,
            ),
            (
                "wrong secret",
                seal(&Secret::new(*b"other"), "c1", Caseless, "answer"),
                false,
            ),
            (
                "other challenge",
                seal(&secret(), "c2", Caseless, "answer"),
                false,
            ),
            (
                "other normalization",
                seal(&secret(), "c1", Letters, "answer"),
                false,
            ),
            (
                "other answer",
                seal(&secret(), "c1", Caseless, "answers"),
                false,
            ),
            // The separator stops bytes moving between fields.
            (
                "shifted boundary",
                seal(&secret(), "c1\0", Caseless, "answer"),
                false,
            ),
        ];
        for (what, digest, same) in cases {
            assert_eq!(digest == base, same, "{what}");
            assert_eq!(bool::from(digest.ct_eq(&base)), same, "{what}");
        }
    }

    #[test]
    fn hex_round_trip() {
        let digest = seal(&secret(), "c1", Normalization::Caseless, "answer");
        let hex = digest.to_string();
        assert_eq!(hex.len(), 64);
        assert_eq!(hex, hex.to_lowercase());
        assert_eq!(SealedDigest::from_hex(&hex), Some(digest));
        assert_eq!(SealedDigest::from_hex(&hex.to_uppercase()), Some(digest));
        assert_eq!(hex.parse::<SealedDigest>(), Ok(digest));
        let json = serde_json::to_string(&digest).expect("serializes");
        assert_eq!(json, format!("\"{hex}\""));
        let back: SealedDigest = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, digest);
        assert_eq!(format!("{digest:?}"), format!("SealedDigest({hex})"));
    }

    #[test]
    fn bad_hex() {
        let cases = [
            "",
            "00",
            &"0".repeat(63),
            &"0".repeat(65),
            &"g".repeat(64),
            "é",
        ];
        for hex in cases {
            assert_eq!(SealedDigest::from_hex(hex), None, "{hex:?}");
            assert_eq!(hex.parse::<SealedDigest>(), Err(InvalidDigest), "{hex:?}");
        }
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", Secret::new(*b"hunter2")), "Secret(..)");
    }
}
