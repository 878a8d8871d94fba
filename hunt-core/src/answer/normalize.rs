//! Answer normalizations (to be implemented).

use serde::{Deserialize, Serialize};

/// Version of the normalization pipeline; sealed digests depend on it.
pub const NORMALIZATION_VERSION: u32 = 1;

/// How a raw answer is turned into the form that is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Normalization {
    /// Compared exactly as typed.
    Exact,
    /// CTFd: trimmed, compared with full Unicode compatibility caseless matching.
    #[default]
    Caseless,
    /// spoilr / MIT Mystery Hunt: transliterated to ASCII, uppercased, only `A-Z0-9` kept.
    Alphanumeric,
    /// gph-site: compatibility-decomposed, letters only, uppercased (digits dropped).
    Letters,
    /// The trimmed submission must match a whole-string regex.
    Regex,
}

impl Normalization {
    /// The normalized form of `raw`.
    pub fn apply(self, raw: &str) -> String {
        let _ = raw;
        todo!()
    }
}
