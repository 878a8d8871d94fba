//! Challenge ids, checked unique after folding case, `-` and `_`, and the rounds in order of
//! first appearance.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::super::keys::Key;
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::{ChallengeSpec, HuntSpec};
use super::{Validator, to_u32};
use crate::ids::fold_id as fold;

/// The round of each challenge, and the round names in order of first appearance.
pub(super) fn rounds(spec: &HuntSpec) -> (Vec<Option<u32>>, RoundNames<'_>) {
    let mut names = RoundNames::default();
    let rounds = spec
        .challenges
        .iter()
        .map(|challenge| {
            let name = challenge.round.as_deref()?;
            let next = to_u32(names.len());
            Some(*names.index.entry(name).or_insert_with(|| {
                names.order.push(name);
                next
            }))
        })
        .collect();
    (rounds, names)
}

#[derive(Default)]
pub(super) struct RoundNames<'a> {
    index: HashMap<&'a str, u32>,
    order: Vec<&'a str>,
}

impl<'a> RoundNames<'a> {
    pub(super) fn len(&self) -> usize {
        self.order.len()
    }

    pub(super) fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    pub(super) fn into_iter(self) -> impl Iterator<Item = (&'a str, u32)> {
        self.order.into_iter().zip(0..)
    }
}

impl Validator<'_, '_, '_> {
    /// Checks every challenge id and returns the index of ids.
    pub(super) fn ids<'a>(&mut self, spec: &'a HuntSpec) -> Ids<'a> {
        let mut ids = Ids {
            challenges: &spec.challenges,
            folded: HashMap::with_capacity(spec.challenges.len()),
            rejected: HashMap::new(),
        };
        for (i, challenge) in spec.challenges.iter().enumerate() {
            let i = to_u32(i);
            let site = Site::Field(i, Key::Id);
            if !self.ok(site) {
                continue;
            }
            let id = challenge.id.as_str();
            self.check_id(id, site, "challenge id");
            let first = match ids.folded.entry(fold(id)) {
                Entry::Occupied(first) => *first.get(),
                Entry::Vacant(entry) => {
                    entry.insert(i);
                    continue;
                }
            };
            let first_id = spec.challenges[first as usize].id.as_str();
            let first_line = self.map.line_suffix(Site::Field(first, Key::Id));
            let message = if first_id == id {
                format!(
                    "duplicate challenge id `{id}`, already used by challenge #{}{first_line}",
                    first + 1
                )
            } else {
                // Still resolve references to it, so they are not reported as unknown too.
                ids.rejected.entry(id).or_insert(i);
                format!(
                    "challenge id `{id}` differs from `{first_id}`{first_line} only in case, `-` or `_`"
                )
            };
            self.report(
                ProblemKind::DuplicateId,
                &[site, Site::Challenge(i)],
                message,
            );
        }
        ids
    }
}

/// Challenge ids, indexed by their folded form so that near-duplicates meet.
pub(super) struct Ids<'a> {
    challenges: &'a [ChallengeSpec],
    /// Folded id → the first challenge with it.
    folded: HashMap<Cow<'a, str>, u32>,
    /// Ids reported as near-duplicates of an earlier one.
    rejected: HashMap<&'a str, u32>,
}

impl Ids<'_> {
    /// The challenge with exactly this id.
    pub(super) fn get(&self, id: &str) -> Option<u32> {
        self.folded
            .get(fold(id).as_ref())
            .copied()
            .filter(|&c| self.challenges[c as usize].id == id)
            .or_else(|| self.rejected.get(id).copied())
    }
}
