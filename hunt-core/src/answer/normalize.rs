//! Answer normalizations: how a raw submission becomes the string that is compared.
//!
//! Every normalization is idempotent (`apply(apply(x)) == apply(x)`), so an accepted answer
//! written in a hunt definition can be normalized once at load time and a normalized guess can
//! be stored and compared again later. Sealed digests are computed over the normalized form, so
//! any change to a pipeline below must bump [`NORMALIZATION_VERSION`].
//!
//! Each pipeline has an ASCII fast path: almost every real submission is short ASCII, and for
//! ASCII the Unicode steps reduce to trimming and case mapping. The tests check that both paths
//! agree on every ASCII string.

use caseless::Caseless as _;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization as _;

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
    ///
    /// The pipeline is trim, then `NFKC(fold(NFKD(fold(NFD(s)))))` (Unicode §3.13,
    /// compatibility caseless matching, with a composed final form), then trim again: a few
    /// characters decompose to a leading space (U+00A8 DIAERESIS is `U+0020 U+0308`), and
    /// the second trim keeps the normalization idempotent.
    #[default]
    Caseless,
    /// spoilr / MIT Mystery Hunt: transliterated to ASCII, uppercased, only `A-Z0-9` kept.
    Alphanumeric,
    /// gph-site: compatibility-decomposed, case-folded, letters only, uppercased (digits
    /// dropped).
    ///
    /// "Letters" are characters with the Unicode `Alphabetic` property, so the vowel signs of
    /// Indic scripts survive, while accents (combining marks that are not alphabetic) go.
    Letters,
    /// The trimmed submission must match a whole-string regex.
    ///
    /// Partial answers of a regex challenge are compared against the
    /// [`Caseless`](Normalization::Caseless) form instead; see
    /// [`Normalization::partial_normalization`].
    Regex,
}

impl Normalization {
    /// Every normalization, in declaration order.
    pub const ALL: [Normalization; 5] = [
        Normalization::Exact,
        Normalization::Caseless,
        Normalization::Alphanumeric,
        Normalization::Letters,
        Normalization::Regex,
    ];

    /// The kebab-case name, as written in hunt definitions and fed into sealed digests.
    pub fn as_str(self) -> &'static str {
        match self {
            Normalization::Exact => "exact",
            Normalization::Caseless => "caseless",
            Normalization::Alphanumeric => "alphanumeric",
            Normalization::Letters => "letters",
            Normalization::Regex => "regex",
        }
    }

    /// The normalization that partial ("keep going") answers of a challenge are written in.
    ///
    /// A regex cannot be the key of a partial answer, so regex challenges compare partials
    /// against the [`Caseless`](Normalization::Caseless) form of the submission; every other
    /// normalization uses itself.
    pub fn partial_normalization(self) -> Normalization {
        match self {
            Normalization::Regex => Normalization::Caseless,
            other => other,
        }
    }

    /// The normalized form of `raw`.
    pub fn apply(self, raw: &str) -> String {
        match self {
            Normalization::Exact => raw.to_owned(),
            Normalization::Caseless => caseless(raw),
            Normalization::Alphanumeric => alphanumeric(raw),
            Normalization::Letters => letters(raw),
            Normalization::Regex => raw.trim().to_owned(),
        }
    }
}

impl std::fmt::Display for Normalization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn caseless(raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.is_ascii() {
        // NFD, NFKD and NFKC leave ASCII alone and full case folding of ASCII is lowercasing.
        return trimmed.to_ascii_lowercase();
    }
    caseless_unicode(trimmed)
}

/// The Unicode pipeline of [`Normalization::Caseless`], without the ASCII fast path.
fn caseless_unicode(raw: &str) -> String {
    let folded: String = raw
        .trim()
        .chars()
        .nfd()
        .default_case_fold()
        .nfkd()
        .default_case_fold()
        .nfkc()
        .collect();
    trim_owned(folded)
}

fn alphanumeric(raw: &str) -> String {
    if raw.is_ascii() {
        // deunicode maps ASCII to itself, so only the filter and the case mapping remain.
        return keep_ascii_alphanumeric(raw);
    }
    alphanumeric_unicode(raw)
}

/// The Unicode pipeline of [`Normalization::Alphanumeric`], without the ASCII fast path.
fn alphanumeric_unicode(raw: &str) -> String {
    // Characters deunicode does not know become "[?]", which the filter then removes.
    keep_ascii_alphanumeric(&deunicode::deunicode(raw))
}

fn keep_ascii_alphanumeric(ascii: &str) -> String {
    ascii
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn letters(raw: &str) -> String {
    if raw.is_ascii() {
        return raw
            .chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_uppercase())
            .collect();
    }
    letters_unicode(raw)
}

/// The Unicode pipeline of [`Normalization::Letters`], without the ASCII fast path.
fn letters_unicode(raw: &str) -> String {
    // Folding before filtering makes "ß" and "ẞ" both "SS"; decomposing again after folding
    // matters because a fold can produce a character with a decomposition, and the filter
    // must see the accents separately to drop them. Filtering can remove a starter that
    // separated two runs of alphabetic combining marks (U+1E023 '¡' U+16FF0), leaving them
    // out of canonical order, so the last step decomposes once more: without it a second
    // pass would reorder them.
    raw.chars()
        .nfkd()
        .default_case_fold()
        .nfkd()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_uppercase)
        .nfkd()
        .collect()
}

/// Trims without reallocating when there is nothing to trim.
fn trim_owned(s: String) -> String {
    let trimmed = s.trim();
    if trimmed.len() == s.len() {
        s
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(cases: &[(Normalization, &str, &str)]) {
        for &(normalization, raw, expected) in cases {
            let got = normalization.apply(raw);
            assert_eq!(got, expected, "{normalization} of {raw:?}");
            let again = normalization.apply(&got);
            assert_eq!(again, got, "{normalization} is not idempotent on {raw:?}");
        }
    }

    #[test]
    fn exact() {
        use Normalization::Exact;
        check(&[
            (Exact, "Flag{X}", "Flag{X}"),
            (Exact, "  padded ", "  padded "),
            (Exact, "ﬁ", "ﬁ"),
        ]);
    }

    #[test]
    fn caseless() {
        use Normalization::Caseless;
        check(&[
            // CTFd: trimmed, case-insensitive.
            (Caseless, "  Flag{Hello_World}\t\n", "flag{hello_world}"),
            (Caseless, "MiXeD", "mixed"),
            (Caseless, "inner  spaces", "inner  spaces"),
            // Full folding, not to_lowercase: "ß" folds to "ss".
            (Caseless, "Straße", "strasse"),
            (Caseless, "STRASSE", "strasse"),
            (Caseless, "ẞ", "ss"),
            // Compatibility: ligatures, fullwidth forms, the Kelvin sign, superscripts.
            (Caseless, "ﬁnal", "final"),
            (Caseless, "ＦＬＡＧ", "flag"),
            (Caseless, "\u{212A}elvin", "kelvin"),
            (Caseless, "x²", "x2"),
            (Caseless, "ǅ", "dž"),
            // Composed and decomposed spellings are the same answer.
            (Caseless, "Cre\u{300}me", "crème"),
            (Caseless, "CRÈME", "crème"),
            (Caseless, "ΐ", "\u{390}"),
            (Caseless, "ΣΊΣΥΦΟΣ", "σίσυφοσ"),
            // Unicode whitespace is trimmed too.
            (Caseless, "\u{3000}answer\u{2003}", "answer"),
            // U+00A8 decomposes to a space and a combining mark; the space is trimmed.
            (Caseless, "\u{A8}", "\u{308}"),
            (Caseless, "", ""),
        ]);
    }

    #[test]
    fn alphanumeric() {
        use Normalization::Alphanumeric;
        check(&[
            (Alphanumeric, "Crème Brûlée!", "CREMEBRULEE"),
            (Alphanumeric, "Ω-42", "O42"),
            (Alphanumeric, "the answer is 42", "THEANSWERIS42"),
            (Alphanumeric, "ＦＬＡＧ", "FLAG"),
            (Alphanumeric, "Straße", "STRASSE"),
            (Alphanumeric, "!!!", ""),
        ]);
    }

    #[test]
    fn letters() {
        use Normalization::Letters;
        check(&[
            // gph-site: letters only, uppercased, digits dropped.
            (Letters, "Hello, World 2!", "HELLOWORLD"),
            (Letters, "ﬁnal", "FINAL"),
            (Letters, "Straße", "STRASSE"),
            (Letters, "Crème Brûlée", "CREMEBRULEE"),
            (Letters, "ǅ", "DZ"),
            (Letters, "ΐ", "Ι"),
            (Letters, "ﬃ", "FFI"),
            (Letters, "ＦＬＡＧ", "FLAG"),
            (
                Letters,
                "한글",
                "\u{1112}\u{1161}\u{11AB}\u{1100}\u{1173}\u{11AF}",
            ),
            (Letters, "1234", ""),
            // Removing '¡' joins two runs of alphabetic marks, which must be reordered.
            (Letters, "\u{1E023}¡\u{16FF0}", "\u{16FF0}\u{1E023}"),
        ]);
    }

    #[test]
    fn regex() {
        use Normalization::Regex;
        check(&[
            (Regex, "  Flag{1}  ", "Flag{1}"),
            (Regex, "Ünïcode", "Ünïcode"),
        ]);
    }

    #[test]
    fn names_match_serde() {
        for normalization in Normalization::ALL {
            let json = serde_json::to_string(&normalization).expect("serializes");
            assert_eq!(json, format!("\"{}\"", normalization.as_str()));
        }
    }

    #[test]
    fn u_fdfa_expands() {
        // U+FDFA is a single character whose compatibility decomposition has 18.
        let raw = "\u{FDFA}";
        for normalization in Normalization::ALL {
            let once = normalization.apply(raw);
            assert_eq!(normalization.apply(&once), once, "{normalization}");
        }
        assert_eq!(Normalization::Caseless.apply(raw).chars().count(), 18);
    }

    #[test]
    fn every_single_character_is_idempotent() {
        // Cheap enough to be exhaustive over the planes that have assigned characters.
        let planes = (0..=0x3FFFF_u32).chain(0xE0000..=0xE0FFF);
        let mut buf = [0_u8; 4];
        for c in planes.filter_map(char::from_u32) {
            let raw = c.encode_utf8(&mut buf);
            for normalization in Normalization::ALL {
                let once = normalization.apply(raw);
                assert_eq!(
                    normalization.apply(&once),
                    once,
                    "{normalization} of U+{:04X}",
                    c as u32
                );
            }
        }
    }

    /// Strings biased towards the characters that make normalization hard.
    fn tricky() -> impl Strategy<Value = String> {
        let tricky_char = prop_oneof![
            prop::char::range('a', 'z'),
            prop::char::range('A', 'Z'),
            Just(' '),
            prop::char::range('\u{300}', '\u{36F}'),
            prop::char::range('\u{FB00}', '\u{FB06}'),
            prop::char::range('\u{AC00}', '\u{D7A3}'),
            prop::char::range('\u{1100}', '\u{11FF}'),
            prop::char::range('\u{370}', '\u{3FF}'),
            prop::char::range('\u{1F00}', '\u{1FFF}'),
            prop::char::range('\u{FF01}', '\u{FF5E}'),
            prop::sample::select(vec![
                'ΐ',
                'ǅ',
                'Ǆ',
                'ǆ',
                'ß',
                'ẞ',
                'ﬃ',
                '\u{FDFA}',
                '\u{345}',
                '\u{A8}',
                '\u{3000}',
                '\u{212A}',
                'İ',
                'ı',
                'ŉ',
                'ǰ',
                '\u{1E9B}',
                '\u{2126}',
                'Å',
                '\u{A0}',
                '¡',
                '\u{1E023}',
                '\u{16FF0}',
                '\u{93F}',
                '\u{5B0}',
                '\u{1FED}',
                '\u{FE4D}',
            ]),
            any::<char>(),
        ];
        prop::collection::vec(tricky_char, 0..24).prop_map(|chars| chars.into_iter().collect())
    }

    fn assert_idempotent(raw: &str) -> Result<(), TestCaseError> {
        for normalization in Normalization::ALL {
            let once = normalization.apply(raw);
            prop_assert_eq!(
                normalization.apply(&once),
                once,
                "{} of {:?}",
                normalization,
                raw
            );
        }
        Ok(())
    }

    proptest! {
        // Regressions are pinned in the tables above instead of a file outside this module.
        #![proptest_config(ProptestConfig {
            cases: 4000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn idempotent_on_any_string(raw in any::<String>()) {
            assert_idempotent(&raw)?;
        }

        #[test]
        fn idempotent_on_tricky_unicode(raw in tricky()) {
            assert_idempotent(&raw)?;
        }

        #[test]
        fn ascii_fast_paths_agree(raw in "[\\x00-\\x7F]{0,40}") {
            prop_assert_eq!(super::caseless(&raw), caseless_unicode(&raw));
            prop_assert_eq!(super::alphanumeric(&raw), alphanumeric_unicode(&raw));
            prop_assert_eq!(super::letters(&raw), letters_unicode(&raw));
        }
    }
}
