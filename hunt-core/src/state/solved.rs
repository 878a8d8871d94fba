//! Which challenges one team solved, as a bitset over challenge ids.
//!
//! A team's solves are kept sorted by challenge id, so the position of a solve is the number
//! of solved ids below it: one popcount per 64 challenges. Repricing a challenge walks its
//! solvers and reaches each one's solve directly instead of binary-searching the team's
//! solves, whose cache misses were most of the cost of a dynamic value change (each step of
//! the search lands on another line of a 48-byte-per-solve array).

use smallvec::SmallVec;

use crate::ids::ChallengeId;

/// The solved challenge ids of one team. Derived from the team's solves (never encoded in a
/// snapshot: [`SolvedSet::of`] rebuilds it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SolvedSet {
    /// Bit `c % 64` of word `c / 64` is set when challenge `c` is solved. One word inline
    /// covers hunts of up to 64 challenges without an allocation.
    words: SmallVec<[u64; 1]>,
}

impl SolvedSet {
    /// The set of the challenges in `solved`.
    pub(crate) fn of(solved: impl IntoIterator<Item = ChallengeId>) -> Self {
        let mut set = Self::default();
        for challenge in solved {
            set.insert(challenge);
        }
        set
    }

    /// Adds `challenge`.
    pub(crate) fn insert(&mut self, challenge: ChallengeId) {
        let (word, bit) = split(challenge);
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= bit;
    }

    /// The set as words: bit `c % 64` of word `c / 64` is challenge `c` (missing words are
    /// zero).
    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    /// Whether `challenge` is in the set.
    pub(crate) fn contains(&self, challenge: ChallengeId) -> bool {
        let (word, bit) = split(challenge);
        self.words.get(word).is_some_and(|w| w & bit != 0)
    }

    /// How many members are below `challenge`, if `challenge` is one: its position in the
    /// team's sorted solves.
    pub(crate) fn position(&self, challenge: ChallengeId) -> Option<usize> {
        self.contains(challenge).then(|| self.below(challenge))
    }

    /// How many members are below `challenge`: where it goes in the team's sorted solves.
    pub(crate) fn below(&self, challenge: ChallengeId) -> usize {
        let (word, bit) = split(challenge);
        let full: u32 = self.words.iter().take(word).map(|w| w.count_ones()).sum();
        let part = self
            .words
            .get(word)
            .map_or(0, |w| (w & (bit - 1)).count_ones());
        (full + part) as usize
    }
}

/// The word index and bit mask of `challenge`.
fn split(challenge: ChallengeId) -> (usize, u64) {
    let index = challenge.index();
    (index / 64, 1 << (index % 64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The oracle: the position in the sorted list of members.
    fn check(members: &[u32]) {
        let set = SolvedSet::of(members.iter().map(|&c| ChallengeId(c)));
        let mut sorted = members.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for probe in 0..200 {
            let expected = sorted.binary_search(&probe).ok();
            assert_eq!(
                set.position(ChallengeId(probe)),
                expected,
                "{members:?} {probe}"
            );
            assert_eq!(set.contains(ChallengeId(probe)), expected.is_some());
            let below = sorted.partition_point(|&c| c < probe);
            assert_eq!(set.below(ChallengeId(probe)), below, "{members:?} {probe}");
        }
    }

    #[test]
    fn positions_are_ranks_in_the_sorted_members() {
        check(&[]);
        check(&[0]);
        check(&[63]);
        check(&[64]);
        check(&[5, 3, 0, 63, 64, 65, 127, 128, 199]);
        check(&[190, 2, 70, 2]);
        check(&(0..150).step_by(3).collect::<Vec<_>>());
    }
}
