//! Order-statistic index (to be implemented).

use crate::ids::TeamId;

/// A team's sort key: smaller sorts first.
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
#[derive(Debug, Clone, Default)]
pub struct RankIndex;
