//! Standings: the order-statistic index behind every ranked view.

mod rank_index;

pub use rank_index::{Placed, RankIndex, SortKey};
