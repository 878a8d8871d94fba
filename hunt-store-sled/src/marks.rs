//! High-water marks kept outside sled, so that damage sled hides is caught when the store
//! opens.
//!
//! sled 0.34.7 recovers its log up to the first message whose checksum fails and silently
//! drops the rest, as it would a write torn by a crash: a few damaged bytes early in its file
//! and it opens as an empty database, with no error (the test `errors.rs` shows it). The
//! store therefore records, in a small file beside sled's, how long each log was and which
//! definitions existed when it was last opened or closed cleanly. Logs only grow and
//! definitions are never removed, so those are lower bounds: a later open that finds less is
//! a damaged store, reported as [`StoreError::Corruption`](hunt_core::store::StoreError),
//! not a fresh one. Damage to events appended since the last open or clean close is not
//! caught this way; recording marks on every append would cost one more `fsync` each.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The marks file, in the store's directory.
pub(crate) const MARKS_FILE: &str = "hunt-store.marks";

/// Where the next marks are written before they replace the file.
const MARKS_TMP: &str = "hunt-store.marks.tmp";

/// What the store held at some moment: each log's end and every defined hunt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Marks {
    /// Each hunt's log end, by hunt id.
    pub(crate) ends: BTreeMap<String, u64>,
    /// Every hunt with a definition.
    pub(crate) definitions: Vec<String>,
}

impl Marks {
    /// The marks last saved in `dir`, if any. A file that does not parse is an
    /// [`io::ErrorKind::InvalidData`] error.
    pub(crate) fn load(dir: &Path) -> io::Result<Option<Self>> {
        match fs::read(dir.join(MARKS_FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Saves these marks in `dir`, whole or not at all: written beside, synced, renamed over
    /// the old file, and the directory synced so the rename lasts.
    pub(crate) fn save(&self, dir: &Path) -> io::Result<()> {
        let tmp = dir.join(MARKS_TMP);
        let mut file = File::create(&tmp)?;
        file.write_all(&serde_json::to_vec(self).map_err(io::Error::other)?)?;
        file.sync_all()?;
        fs::rename(&tmp, dir.join(MARKS_FILE))?;
        File::open(dir)?.sync_all()
    }

    /// What `self` (the marks saved earlier) had that `now` lacks, if anything.
    pub(crate) fn missing_from(&self, now: &Self) -> Option<String> {
        for (hunt, &end) in &self.ends {
            let found = now.ends.get(hunt).copied().unwrap_or(0);
            if found < end {
                return Some(format!(
                    "sled recovered {found} of the {end} events the log of hunt `{hunt}` had \
                     when the store was last opened or closed"
                ));
            }
        }
        self.definitions
            .iter()
            .find(|hunt| !now.definitions.contains(hunt))
            .map(|hunt| {
                format!(
                    "the definition of hunt `{hunt}`, there when the store was last opened or \
                     closed, is gone"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(ends: &[(&str, u64)], definitions: &[&str]) -> Marks {
        Marks {
            ends: ends.iter().map(|(h, e)| ((*h).to_owned(), *e)).collect(),
            definitions: definitions.iter().map(|h| (*h).to_owned()).collect(),
        }
    }

    #[test]
    fn growth_is_fine_and_loss_is_named() {
        let before = marks(&[("a", 5), ("b", 2)], &["a"]);
        assert_eq!(before.missing_from(&before), None);
        assert_eq!(
            before.missing_from(&marks(&[("a", 9), ("b", 2), ("c", 1)], &["a", "c"])),
            None
        );
        assert_eq!(
            before
                .missing_from(&marks(&[("a", 4), ("b", 2)], &["a"]))
                .as_deref(),
            Some(
                "sled recovered 4 of the 5 events the log of hunt `a` had when the store was \
                 last opened or closed"
            )
        );
        assert!(before.missing_from(&marks(&[("a", 5)], &["a"])).is_some());
        assert!(
            before
                .missing_from(&marks(&[("a", 5), ("b", 2)], &[]))
                .is_some()
        );
    }

    #[test]
    fn saved_marks_load_back() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        assert_eq!(Marks::load(dir.path()).expect("loads"), None);
        let saved = marks(&[("finals", 42)], &["finals"]);
        saved.save(dir.path()).expect("saves");
        assert_eq!(Marks::load(dir.path()).expect("loads"), Some(saved));
        fs::write(dir.path().join(MARKS_FILE), b"{").expect("writes");
        let error = Marks::load(dir.path()).expect_err("a damaged file");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }
}
