//! Team display names: the key under which they are unique, the characters they may not hold,
//! and the index that finds a team by name and refuses look-alikes.
//!
//! Two keys are derived from a name. Its *key* ignores case (full caseless matching) and
//! spacing (trimmed, every inner run of whitespace one space): a name whose key is taken is
//! taken. Its *look-alike key* is the UTS #39 confusable skeleton of the spaced name, folded
//! the same way: `Sea 0tters` and `Sea Otters` share one (the skeleton of `0` is `O`), so the
//! second to register is refused, and teams cannot pass for each other on the board.
//!
//! The index keeps 64-bit fingerprints of both keys, not the strings (the names are in the
//! teams), so a team costs two small map entries. A lookup by name checks the team's own name,
//! so a fingerprint shared by two different keys never finds the wrong team.

use sha2::{Digest as _, Sha256};

use crate::ids::TeamId;

use super::FastMap;
use super::team::TeamState;

/// The key under which display names must be unique: caseless, trimmed, and with every inner
/// run of whitespace one space, so `Sea   Otters` is `sea otters`.
pub(crate) fn name_key(name: &str) -> String {
    collapse_spaces(&crate::answer::Normalization::Caseless.apply(name))
}

/// The key under which names must not look alike: the confusable skeleton (UTS #39) of the
/// name, folded like [`name_key`], and the skeleton of that, folded again. Skeletons are case
/// sensitive while names are compared ignoring case: the skeleton of `0` is `O`, which must
/// meet the `o` of a lower-case name, and that of `I` is `l`, whose own look-alike `1` must
/// meet it whatever the case around it.
pub(crate) fn lookalike_key(name: &str) -> String {
    name_key(&skeleton(&name_key(&skeleton(&collapse_spaces(name)))))
}

/// The confusable skeleton (UTS #39) of `text`.
///
/// Almost every name is ASCII, where the skeleton is one table lookup a character: the
/// skeleton maps each character to its prototype between two NFDs, NFD leaves ASCII alone,
/// and the prototype of every ASCII character is ASCII (checked when the table is built; a
/// character whose prototype is not takes the full pipeline). Registering a team costs a few
/// of these, which was most of what a bulk replay spent on a registration.
fn skeleton(text: &str) -> String {
    if text.is_ascii() {
        let table = ascii_skeletons();
        if text.bytes().all(|b| table[usize::from(b)].is_some()) {
            let mut out = String::with_capacity(text.len());
            for b in text.bytes() {
                out.push_str(table[usize::from(b)].as_deref().unwrap_or_default());
            }
            return out;
        }
    }
    unicode_security::skeleton(text).collect()
}

/// The skeleton of each ASCII character, where it is ASCII (`None` where it is not).
fn ascii_skeletons() -> &'static [Option<Box<str>>; 128] {
    static TABLE: std::sync::LazyLock<[Option<Box<str>>; 128]> = std::sync::LazyLock::new(|| {
        std::array::from_fn(|b| {
            let c = char::from(b as u8);
            let skeleton: String = unicode_security::skeleton(c.encode_utf8(&mut [0; 4])).collect();
            skeleton.is_ascii().then(|| skeleton.into_boxed_str())
        })
    });
    &TABLE
}

fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The first character of `name` that is invisible or reorders text, if any: a format
/// character (general category Cf: zero-width spaces and joiners, marks, bidirectional
/// embeddings, overrides and isolates) or another default-ignorable code point (variation
/// selectors, Hangul fillers). Such characters make a name look like another, or reverse
/// what follows it on every board.
pub(crate) fn invisible_character(name: &str) -> Option<char> {
    name.chars().find(|c| is_invisible(*c))
}

/// Inclusive ranges of general category Cf (Unicode 15.1).
const FORMAT: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Inclusive ranges of the default-ignorable code points (`DerivedCoreProperties.txt`) that
/// are not Cf: invisible all the same.
const OTHER_IGNORABLE: &[(u32, u32)] = &[
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180D),
    (0x180F, 0x180F),
    (0x2065, 0x2065),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0000),
    (0xE0002, 0xE001F),
    (0xE0080, 0xE0FFF),
];

fn is_invisible(c: char) -> bool {
    let c = u32::from(c);
    let within = |table: &[(u32, u32)]| {
        let i = table.partition_point(|(_, last)| *last < c);
        table.get(i).is_some_and(|(first, _)| *first <= c)
    };
    // Almost every name is ASCII, and no ASCII character is in either table.
    c > 0x7F && (within(FORMAT) || within(OTHER_IGNORABLE))
}

/// A 64-bit fingerprint of a key: the first 8 bytes of its SHA-256, the same in every process
/// and version (snapshots hold them), and not something a team can aim a collision at.
fn fingerprint(key: &str) -> u64 {
    let digest = Sha256::digest(key.as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Why a name cannot be registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clash {
    /// A team has the same key.
    Taken(TeamId),
    /// A team has the same look-alike key.
    LooksLike(TeamId),
}

/// Finds teams by display name and refuses names that clash with a registered one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NameIndex {
    /// Fingerprint of a key → the first team registered under it.
    pub(super) keys: FastMap<u64, TeamId>,
    /// Fingerprint of a look-alike key → the first team registered with it.
    pub(super) lookalikes: FastMap<u64, TeamId>,
    /// Teams whose key's fingerprint was already held by another key: found by a scan. Empty
    /// unless two keys ever share 64 bits of SHA-256.
    pub(super) spilled: Vec<TeamId>,
}

impl NameIndex {
    /// Records `team`, registered as `name`. Total: a log from before look-alikes were
    /// refused may hold names that clash; the first keeps the look-alike key, and every team
    /// stays findable by its own name.
    pub(crate) fn insert(&mut self, teams: &[TeamState], team: TeamId, name: &str) {
        let key = name_key(name);
        match self.keys.entry(fingerprint(&key)) {
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(team);
            }
            std::collections::hash_map::Entry::Occupied(entry) => {
                let holder = &teams[entry.get().index()].name;
                if name_key(holder) != key {
                    self.spilled.push(team);
                }
            }
        }
        self.lookalikes
            .entry(fingerprint(&lookalike_key(name)))
            .or_insert(team);
    }

    /// The team registered under `name` (compared by key), given every team's state.
    pub(crate) fn find(&self, teams: &[TeamState], name: &str) -> Option<TeamId> {
        let key = name_key(name);
        let named = |team: &TeamId| {
            teams
                .get(team.index())
                .is_some_and(|t| name_key(&t.name) == key)
        };
        self.keys
            .get(&fingerprint(&key))
            .filter(|team| named(team))
            .or_else(|| self.spilled.iter().find(|team| named(team)))
            .copied()
    }

    /// Whether `name` clashes with a registered team's name.
    pub(crate) fn clash(&self, teams: &[TeamState], name: &str) -> Option<Clash> {
        if let Some(team) = self.find(teams, name) {
            return Some(Clash::Taken(team));
        }
        self.lookalikes
            .get(&fingerprint(&lookalike_key(name)))
            .map(|team| Clash::LooksLike(*team))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_spacing() {
        for (name, key) in [
            ("Sea Otters", "sea otters"),
            ("  Sea   Otters ", "sea otters"),
            ("Sea\u{3000}\tOtters", "sea otters"),
            ("STRASSE", "strasse"),
            ("Straße", "strasse"),
        ] {
            assert_eq!(name_key(name), key, "{name:?}");
        }
    }

    #[test]
    fn the_ascii_skeleton_is_the_full_pipelines() {
        let full = |text: &str| -> String { unicode_security::skeleton(text).collect() };
        let mut texts: Vec<String> = (0..128u8).map(|b| char::from(b).to_string()).collect();
        for a in 0..128u8 {
            for b in (0..128u8).step_by(7) {
                texts.push(format!("{}{}", char::from(a), char::from(b)));
            }
        }
        texts.extend(
            [
                "Team1",
                "TEAMI",
                "Tearn",
                "Sea 0tters",
                "rn m l1I|",
                "team-42",
                "Ünïcode",
            ]
            .map(String::from),
        );
        for text in &texts {
            assert_eq!(skeleton(text), full(text), "{text:?}");
        }
    }

    #[test]
    fn lookalike_keys_meet_for_confusable_names() {
        let same = |a: &str, b: &str| lookalike_key(a) == lookalike_key(b);
        assert!(same("Sea Otters", "Sea 0tters"));
        assert!(same("Sea Otters", "Ѕеа Оttеrs"), "Cyrillic look-alikes");
        assert!(same("Team1", "Teaml"));
        assert!(same("Team1", "TEAMI"));
        assert!(same("Team", "Tearn"));
        assert!(same("Sea Otters", "sea   otters"));
        assert!(!same("Sea Otters", "Sea Lions"));
    }

    #[test]
    fn invisible_and_bidi_characters_are_found() {
        for c in [
            '\u{200B}',
            '\u{200E}',
            '\u{200F}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{202A}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{00AD}',
            '\u{3164}',
            '\u{FE0F}',
            '\u{E0041}',
        ] {
            let name = format!("Sea{c}Otters");
            assert_eq!(
                invisible_character(&name),
                Some(c),
                "U+{:04X}",
                u32::from(c)
            );
        }
        for name in ["Sea Otters", "Équipe Ω", "海獺", "Café ☕"] {
            assert_eq!(invisible_character(name), None, "{name}");
        }
    }

    #[test]
    fn the_tables_are_sorted_and_disjoint() {
        for table in [FORMAT, OTHER_IGNORABLE] {
            assert!(table.iter().all(|(a, b)| a <= b));
            assert!(table.windows(2).all(|w| w[0].1 < w[1].0));
        }
        assert!(
            FORMAT
                .iter()
                .all(|(a, b)| { OTHER_IGNORABLE.iter().all(|(c, d)| b < c || d < a) })
        );
    }
}
