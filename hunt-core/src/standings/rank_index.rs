//! The order-statistic index behind every ranked view.
//!
//! [`RankIndex`] keeps every listed team in one total order (sort key, then team id) and answers
//! "what is this team's place", "who is at positions `offset..offset + limit`" and "what place
//! would this key get" in logarithmic time, under any [`SharedRanks`] policy. Scores change one
//! team at a time (dynamic scoring changes many teams, each by one [`RankIndex::upsert`]), so the
//! index is updated in place and never re-sorted.

use std::collections::HashMap;

use indexset::BTreeSet;

use crate::hunt::SharedRanks;
use crate::ids::TeamId;

/// A team's sort key: smaller sorts first.
///
/// The engine encodes its ranking order into the three components, e.g.
/// `(-score, reach_time, 0)`. Teams with equal keys are tied and share a place unless the policy
/// is [`SharedRanks::Ordinal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortKey(pub [i64; 3]);

/// One team at its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// 1-based place under the shared-rank policy.
    pub place: u32,
    /// The team.
    pub team: TeamId,
    /// Its key.
    pub key: SortKey,
}

/// Order-statistic index of teams by key.
///
/// Teams are ordered by [`SortKey`], then by [`TeamId`] ascending; that total order defines
/// positions (0-based) and, through the [`SharedRanks`] policy chosen at construction, places
/// (1-based).
#[derive(Debug, Clone)]
pub struct RankIndex {
    /// Every listed team, in ranking order.
    order: BTreeSet<(SortKey, TeamId)>,
    /// Each team's current key, indexed by [`TeamId::index`], so lookups by team are O(1) and the
    /// old entry of `order` can be found when a team moves.
    keys: Vec<Option<SortKey>>,
    policy: Policy,
}

/// The shared-rank policy, with the extra state only dense ranking needs.
#[derive(Debug, Clone)]
enum Policy {
    Standard,
    Ordinal,
    // Only dense ranking counts distinct keys; the other policies skip the cost of maintaining
    // them on every update.
    Dense(DistinctKeys),
}

/// The distinct keys present in the index, with how many teams hold each.
#[derive(Debug, Clone)]
struct DistinctKeys {
    set: BTreeSet<SortKey>,
    count: HashMap<SortKey, u32>,
}

/// Items per node of the underlying sets. Measured on a quiet machine
/// (`cargo bench -p benches --bench core -- rank_upsert`), a move at 10k / 100k teams takes
/// 194 / 221 ns at 64, 196 / 220 ns at 128 and 215 / 241 ns at 256; a rank at 100k teams
/// 183 / 160 / 181 ns. 128 is as fast as 64 to move a team, faster to rank one, and moves
/// half as much memory per insert as 256.
const NODE_CAPACITY: usize = 128;

impl RankIndex {
    /// Makes an empty index that assigns places under `shared`.
    pub fn new(shared: SharedRanks) -> Self {
        Self::with_node_capacity(shared, NODE_CAPACITY)
    }

    // Tests use tiny nodes so that a few dozen teams already exercise node splits and merges.
    fn with_node_capacity(shared: SharedRanks, node_capacity: usize) -> Self {
        let policy = match shared {
            SharedRanks::Standard => Policy::Standard,
            SharedRanks::Ordinal => Policy::Ordinal,
            SharedRanks::Dense => Policy::Dense(DistinctKeys {
                set: BTreeSet::with_maximum_node_size(node_capacity),
                count: HashMap::new(),
            }),
        };
        Self {
            order: BTreeSet::with_maximum_node_size(node_capacity),
            keys: Vec::new(),
            policy,
        }
    }

    /// The shared-rank policy this index assigns places under.
    pub fn shared_ranks(&self) -> SharedRanks {
        match self.policy {
            Policy::Standard => SharedRanks::Standard,
            Policy::Ordinal => SharedRanks::Ordinal,
            Policy::Dense(_) => SharedRanks::Dense,
        }
    }

    /// Inserts the team or moves it to a new key. O(log n).
    ///
    /// Upserting a team with the key it already has changes nothing.
    pub fn upsert(&mut self, team: TeamId, key: SortKey) {
        let index = team.index();
        if self.keys.len() <= index {
            self.keys.resize(index + 1, None);
        }
        match self.keys[index].replace(key) {
            Some(old) if old == key => return,
            Some(old) => self.unlist(team, old),
            None => {}
        }
        self.order.insert((key, team));
        if let Policy::Dense(distinct) = &mut self.policy {
            distinct.acquire(key);
        }
    }

    /// Removes the team (e.g. hidden); returns whether it was present. O(log n).
    pub fn remove(&mut self, team: TeamId) -> bool {
        match self.keys.get_mut(team.index()).and_then(Option::take) {
            Some(old) => {
                self.unlist(team, old);
                true
            }
            None => false,
        }
    }

    /// Removes `team`'s entry under `old` from the ordered sets (not from `keys`).
    fn unlist(&mut self, team: TeamId, old: SortKey) {
        self.order.remove(&(old, team));
        if let Policy::Dense(distinct) = &mut self.policy {
            distinct.release(old);
        }
    }

    /// The number of teams in the index. O(1).
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the index holds no team. O(1).
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The team's key, if it is in the index. O(1).
    pub fn key_of(&self, team: TeamId) -> Option<SortKey> {
        self.keys.get(team.index()).copied().flatten()
    }

    /// 0-based position in the total order (key, then team id). O(log n).
    pub fn position_of(&self, team: TeamId) -> Option<usize> {
        let key = self.key_of(team)?;
        Some(self.order.rank(&(key, team)))
    }

    /// 1-based place under the shared-rank policy. O(log n).
    pub fn place_of(&self, team: TeamId) -> Option<u32> {
        let key = self.key_of(team)?;
        Some(self.place_for_key(team, key))
    }

    /// The place `team` would have if it were in the index with `key`, every other team staying
    /// where it is. O(log n).
    ///
    /// This shows a hidden team its own place. For a team already in the index it is the place
    /// the team would get after `upsert(team, key)`, so `place_for_key(t, key_of(t)?)` equals
    /// `place_of(t)`.
    pub fn place_for_key(&self, team: TeamId, key: SortKey) -> u32 {
        let current = self.key_of(team);
        // Each branch counts what sorts strictly before the hypothetical entry, then discounts
        // the team's own current entry if it is among them, since the team would move away.
        let before = match &self.policy {
            Policy::Ordinal => {
                let below = self.order.rank(&(key, team));
                below - usize::from(current.is_some_and(|old| old < key))
            }
            Policy::Standard => {
                let below = self.teams_below(key);
                below - usize::from(current.is_some_and(|old| old < key))
            }
            Policy::Dense(distinct) => {
                let below = distinct.set.rank(&key);
                let vacated = current.is_some_and(|old| old < key && distinct.count[&old] == 1);
                below - usize::from(vacated)
            }
        };
        place_after(before)
    }

    /// Up to `limit` teams starting at 0-based position `offset`, with their places.
    /// O(log n + limit).
    ///
    /// An `offset` at or beyond [`len`](Self::len) yields nothing.
    pub fn range(&self, offset: usize, limit: usize) -> impl Iterator<Item = Placed> + '_ {
        let end = offset.saturating_add(limit);
        let mut previous: Option<Placed> = None;
        self.order
            .range_idx(offset..end)
            .zip(offset..)
            .map(move |(&(key, team), position)| {
                // Only the first entry needs an O(log n) query; each later place follows from
                // the one before it, which keeps a page O(limit) after the initial seek.
                let place = match (&self.policy, previous) {
                    (Policy::Ordinal, _) => place_after(position),
                    (_, Some(prev)) if prev.key == key => prev.place,
                    (Policy::Standard, Some(_)) => place_after(position),
                    (Policy::Dense(_), Some(prev)) => prev.place.saturating_add(1),
                    (Policy::Standard, None) => place_after(self.teams_below(key)),
                    (Policy::Dense(distinct), None) => place_after(distinct.set.rank(&key)),
                };
                let placed = Placed { place, team, key };
                previous = Some(placed);
                placed
            })
    }

    /// The number of teams whose key is strictly smaller than `key`. O(log n).
    fn teams_below(&self, key: SortKey) -> usize {
        // `TeamId(0)` is the smallest id, so every entry with `key` sorts at or after it.
        self.order.rank(&(key, TeamId(0)))
    }
}

impl DistinctKeys {
    /// Counts one more team at `key`.
    fn acquire(&mut self, key: SortKey) {
        let count = self.count.entry(key).or_insert(0);
        if *count == 0 {
            self.set.insert(key);
        }
        *count += 1;
    }

    /// Counts one team fewer at `key`, which must have been acquired.
    fn release(&mut self, key: SortKey) {
        if let Some(count) = self.count.get_mut(&key) {
            *count -= 1;
            if *count == 0 {
                self.count.remove(&key);
                self.set.remove(&key);
            }
        }
    }
}

/// The 1-based place after `before` entries.
fn place_after(before: usize) -> u32 {
    // Team ids are `u32`, so at most 2^32 teams exist; only the very last of them could overflow,
    // and saturating there beats panicking inside the engine.
    u32::try_from(before).map_or(u32::MAX, |before| before.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;

    use super::*;

    const POLICIES: [SharedRanks; 3] = [
        SharedRanks::Standard,
        SharedRanks::Dense,
        SharedRanks::Ordinal,
    ];

    /// An obviously correct model: sort everything from scratch and count for each place.
    #[derive(Debug, Clone)]
    struct Oracle {
        shared: SharedRanks,
        keys: BTreeMap<u32, SortKey>,
    }

    impl Oracle {
        fn placed(&self) -> Vec<Placed> {
            let mut sorted: Vec<(SortKey, TeamId)> = self
                .keys
                .iter()
                .map(|(&team, &key)| (key, TeamId(team)))
                .collect();
            sorted.sort();
            let distinct: BTreeSet<SortKey> = sorted.iter().map(|&(key, _)| key).collect();
            sorted
                .iter()
                .enumerate()
                .map(|(position, &(key, team))| {
                    let before = match self.shared {
                        SharedRanks::Ordinal => position,
                        SharedRanks::Standard => sorted.iter().filter(|(k, _)| *k < key).count(),
                        SharedRanks::Dense => distinct.iter().filter(|k| **k < key).count(),
                    };
                    Placed {
                        place: u32::try_from(before + 1).unwrap(),
                        team,
                        key,
                    }
                })
                .collect()
        }

        fn place_for_key(&self, team: TeamId, key: SortKey) -> u32 {
            let mut moved = self.clone();
            moved.keys.insert(team.0, key);
            moved
                .placed()
                .into_iter()
                .find(|p| p.team == team)
                .unwrap()
                .place
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Upsert(u32, SortKey),
        Remove(u32),
    }

    /// One step: an update, then the random queries to check after it.
    #[derive(Debug, Clone)]
    struct Step {
        op: Op,
        probe: (u32, SortKey),
        window: (usize, usize),
    }

    const TEAMS: u32 = 50;

    // Narrow components so that equal keys, and therefore ties, are common.
    fn key() -> impl Strategy<Value = SortKey> {
        (-3i64..=0, 0i64..3, 0i64..2).prop_map(|(a, b, c)| SortKey([a, b, c]))
    }

    fn step() -> impl Strategy<Value = Step> {
        let op = prop_oneof![
            3 => (0..TEAMS, key()).prop_map(|(team, key)| Op::Upsert(team, key)),
            1 => (0..TEAMS).prop_map(Op::Remove),
        ];
        let offset = prop_oneof![0usize..60, Just(usize::MAX)];
        let limit = prop_oneof![0usize..60, Just(usize::MAX)];
        (op, (0..TEAMS + 5, key()), (offset, limit)).prop_map(|(op, probe, window)| Step {
            op,
            probe,
            window,
        })
    }

    fn policy() -> impl Strategy<Value = SharedRanks> {
        prop::sample::select(POLICIES.to_vec())
    }

    fn check_against(index: &RankIndex, oracle: &Oracle, step: &Step) {
        let expected = oracle.placed();
        assert_eq!(index.len(), expected.len());
        assert_eq!(index.is_empty(), expected.is_empty());
        // Ids past the last upserted one must read as absent, not panic.
        for team in (0..TEAMS + 5).map(TeamId) {
            let at = expected.iter().position(|p| p.team == team);
            assert_eq!(
                index.key_of(team),
                oracle.keys.get(&team.0).copied(),
                "{team:?}"
            );
            assert_eq!(index.position_of(team), at, "{team:?}");
            assert_eq!(
                index.place_of(team),
                at.map(|i| expected[i].place),
                "{team:?}"
            );
        }
        let (team, key) = (TeamId(step.probe.0), step.probe.1);
        assert_eq!(
            index.place_for_key(team, key),
            oracle.place_for_key(team, key)
        );
        let (offset, limit) = step.window;
        let want: Vec<Placed> = expected.iter().copied().skip(offset).take(limit).collect();
        assert_eq!(
            index.range(offset, limit).collect::<Vec<_>>(),
            want,
            "range({offset}, {limit})"
        );
        assert_eq!(index.range(0, usize::MAX).collect::<Vec<_>>(), expected);
    }

    proptest! {
        #[test]
        fn matches_oracle(
            shared in policy(),
            node_capacity in prop_oneof![Just(2usize), Just(4), Just(NODE_CAPACITY)],
            steps in prop::collection::vec(step(), 1..120),
        ) {
            let mut index = RankIndex::with_node_capacity(shared, node_capacity);
            let mut oracle = Oracle { shared, keys: BTreeMap::new() };
            prop_assert_eq!(index.shared_ranks(), shared);
            for step in &steps {
                match step.op {
                    Op::Upsert(team, key) => {
                        index.upsert(TeamId(team), key);
                        oracle.keys.insert(team, key);
                    }
                    Op::Remove(team) => {
                        let was = oracle.keys.remove(&team).is_some();
                        prop_assert_eq!(index.remove(TeamId(team)), was);
                    }
                }
                check_against(&index, &oracle, step);
            }
        }
    }

    /// Renders a ranked list as `place:team` pairs, e.g. `1:t0 1:t1 3:t2`.
    fn render(placed: impl Iterator<Item = Placed>) -> String {
        placed
            .map(|p| format!("{}:t{}", p.place, p.team.0))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Fills an index with `(team, score, time)` rows under `shared` and checks the full list,
    /// and that every team's own `place_of` agrees with it.
    fn check(shared: SharedRanks, rows: &[(u32, i64, i64)], expected: &str) {
        let mut index = RankIndex::new(shared);
        for &(team, score, time) in rows {
            index.upsert(TeamId(team), SortKey([-score, time, 0]));
        }
        let listed: Vec<Placed> = index.range(0, usize::MAX).collect();
        assert_eq!(render(listed.iter().copied()), expected, "{shared:?}");
        for p in listed {
            assert_eq!(
                index.place_of(p.team),
                Some(p.place),
                "{shared:?} {:?}",
                p.team
            );
        }
    }

    #[test]
    fn shared_rank_policies() {
        // Teams 0 and 1 tie exactly, as do 3 and 4; team 2 has their score but reached it later.
        // Rows are scrambled so the order comes from the keys, not from insertion.
        let ties = [
            (4, 80, 9),
            (2, 100, 7),
            (5, 50, 1),
            (1, 100, 5),
            (3, 80, 9),
            (0, 100, 5),
        ];
        let all_tied = [(2, 10, 1), (0, 10, 1), (1, 10, 1)];
        let none_tied = [(2, 30, 1), (0, 10, 1), (1, 20, 1)];
        /// (team, first key part, second key part) of each inserted team.
        type Teams<'a> = &'a [(u32, i64, i64)];
        let table: [(SharedRanks, Teams<'_>, &str); 9] = [
            (
                SharedRanks::Standard,
                &ties,
                "1:t0 1:t1 3:t2 4:t3 4:t4 6:t5",
            ),
            (SharedRanks::Dense, &ties, "1:t0 1:t1 2:t2 3:t3 3:t4 4:t5"),
            (SharedRanks::Ordinal, &ties, "1:t0 2:t1 3:t2 4:t3 5:t4 6:t5"),
            (SharedRanks::Standard, &all_tied, "1:t0 1:t1 1:t2"),
            (SharedRanks::Dense, &all_tied, "1:t0 1:t1 1:t2"),
            (SharedRanks::Ordinal, &all_tied, "1:t0 2:t1 3:t2"),
            (SharedRanks::Standard, &none_tied, "1:t2 2:t1 3:t0"),
            (SharedRanks::Dense, &none_tied, "1:t2 2:t1 3:t0"),
            (SharedRanks::Ordinal, &none_tied, "1:t2 2:t1 3:t0"),
        ];
        for (shared, rows, expected) in table {
            check(shared, rows, expected);
        }
        for shared in POLICIES {
            check(shared, &[], "");
        }
    }

    #[test]
    fn pages_start_mid_tie() {
        // A page that starts inside a tie must still give the tie's shared place.
        let table: [(SharedRanks, &str); 3] = [
            (SharedRanks::Standard, "2:t2 2:t3 5:t4"),
            (SharedRanks::Dense, "2:t2 2:t3 3:t4"),
            (SharedRanks::Ordinal, "3:t2 4:t3 5:t4"),
        ];
        for (shared, expected) in table {
            let mut index = RankIndex::new(shared);
            for (team, score) in [(0, 9), (1, 5), (2, 5), (3, 5), (4, 1)] {
                index.upsert(TeamId(team), SortKey([-score, 0, 0]));
            }
            assert_eq!(render(index.range(2, 10)), expected, "{shared:?}");
        }
    }

    #[test]
    fn hidden_team_sees_its_place() {
        // Team 9 is hidden (never listed); it is shown where its key would put it.
        let table: [(SharedRanks, u32); 3] = [
            (SharedRanks::Standard, 2),
            (SharedRanks::Dense, 2),
            (SharedRanks::Ordinal, 4),
        ];
        for (shared, expected) in table {
            let mut index = RankIndex::new(shared);
            for (team, score) in [(0, 9), (1, 5), (2, 5)] {
                index.upsert(TeamId(team), SortKey([-score, 0, 0]));
            }
            assert_eq!(
                index.place_for_key(TeamId(9), SortKey([-5, 0, 0])),
                expected,
                "{shared:?}"
            );
            assert_eq!(index.place_of(TeamId(9)), None);
            assert_eq!(index.len(), 3);
        }
    }
}
