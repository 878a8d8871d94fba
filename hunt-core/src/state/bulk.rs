//! Bulk application ([`HuntState::bulk`]): a long run of events, a replay above all, applied
//! with per event only the work the next event depends on.
//!
//! Applied one by one, a solve lands on its team's state, its team's solves and timeline, and
//! the idempotency-key map: on a large event those are a handful of cache and TLB misses in
//! memory far larger than the caches, and they were most of a replay's time. Inside a bulk
//! application (when pricing may wait, see below) a correct submission touches only what fits
//! in the caches: a compact copy of each team's solved challenges and whether its solves
//! count ([`Staged`]), the challenge's solver list, and two logs appended in order (the
//! staged solves with their answers, and the staged keys). The staged solves are written
//! into their teams later, team by team, each team's in log order and with its vectors
//! grown once; the keys are inserted in the order of their place in the map, so the writes
//! sweep the map instead of landing at random.
//!
//! Staged solves are written when an event reads or orders what they change (an adjustment,
//! a hint, hiding a team: that team's only; the freeze forking the public board: all of
//! them), when enough are waiting (to bound memory), and when the bulk application ends. At
//! its end every challenge whose value changed during it is priced once, and the standings
//! are built once. The result is the state applying the events one by one gives, byte for
//! byte; `live_and_bulk_replay_give_byte_identical_snapshots` checks it.
//!
//! In a hunt with a score-threshold unlock rule, solves are priced as they come (each team's
//! peak score depends on the prices along the way), so nothing is staged there and only the
//! ranking waits for the end.

use crate::ids::{ChallengeId, IdempotencyKey, TeamId};
use crate::scoring::ValueMode;
use crate::time::Timestamp;

use super::apply::record_solve;
use super::team::TeamState;
use super::{FastMap, HuntState, Key, KeyOutcome, KeyUse, ReplayError};

/// Staged solves and keys are written into the state once this many wait. Fresh memory is
/// dear (every new page is zeroed by the kernel: on the event harness that was a third of
/// a replay when the whole log was staged at once), so the staging buffers stay small and
/// are reused from one batch to the next. Debug builds (the tests) write them every few
/// events, so the property tests go through writes in the middle of a replay.
const STAGE_LIMIT: usize = if cfg!(debug_assertions) { 5 } else { 1 << 18 };

/// Below this many staged keys they are inserted as they come: ordering them costs more than
/// it saves on a map that fits in the caches.
const ORDERED_KEYS: usize = 1 << 14;

/// "No staged solve" in a chain of them.
const NONE: u32 = u32::MAX;

/// A correct solve applied to the solver lists but not yet to its team.
#[derive(Debug, Clone)]
struct StagedSolve {
    at: Timestamp,
    /// The team, or `None` once written to it (out of turn, when the team was touched).
    team: Option<TeamId>,
    challenge: ChallengeId,
    /// The answer as submitted (the solve's own, moved into it when written).
    answer: String,
    /// Counted solvers of the challenge before this one.
    before: u32,
    /// Whether this solve counts.
    counted: bool,
    /// The team's previous staged solve not yet written, or [`NONE`].
    prev: u32,
}

/// What is left where a staged solve was moved out: written, so no team's.
impl Default for StagedSolve {
    fn default() -> Self {
        Self {
            at: Timestamp(0),
            team: None,
            challenge: ChallengeId(0),
            answer: String::new(),
            before: 0,
            counted: false,
            prev: NONE,
        }
    }
}

/// What a bulk application keeps while solves wait to be written into their teams.
#[derive(Debug, Clone, Default)]
pub(crate) struct Staged {
    /// Words of `teams` per team: the team's solved challenges as bits (staged ones
    /// included), then one word holding its latest staged solve not yet written (low half,
    /// [`NONE`] if none) and whether its solves count (bit 32), as
    /// [`TeamState::counts_for_values`]. One team's words share a cache line: a staged solve
    /// reads and writes them all, and on a large event they are its only miss.
    stride: usize,
    teams: Vec<u64>,
    /// Staged solves, in log order.
    solves: Vec<StagedSolve>,
    /// Idempotency keys and their uses, in log order.
    keys: Vec<(Key, KeyUse)>,
    /// Buffers reused by every write of the staged solves and keys.
    scratch: Scratch,
}

/// Buffers of [`HuntState::write_staged`], kept between writes so that each batch reuses
/// memory instead of faulting in new pages.
#[derive(Debug, Clone, Default)]
struct Scratch {
    /// Keys in the order they are inserted.
    keys: Vec<(Key, KeyUse)>,
    /// Each staged key's group.
    groups: Vec<u16>,
    /// Counting-sort offsets.
    starts: Vec<u32>,
    /// Staged solves sorted by team.
    sorted: Vec<StagedSolve>,
}

/// The bit of a team's last word that says its solves count.
const COUNTED: u64 = 1 << 32;

impl Staged {
    /// The compact copy of `teams` in a hunt of `challenges` challenges, nothing staged.
    fn of(teams: &[TeamState], challenges: usize) -> Self {
        let words = challenges.div_ceil(64).max(1);
        let mut staged = Self {
            stride: words + 1,
            teams: Vec::with_capacity(teams.len() * (words + 1)),
            ..Self::default()
        };
        for team in teams {
            let bits = team.solved.words();
            staged
                .teams
                .extend((0..words).map(|w| bits.get(w).copied().unwrap_or(0)));
            staged.teams.push(tail(NONE, team.counts_for_values()));
        }
        staged
    }

    /// The same compact copy with nothing staged, for the frozen board forked from a state
    /// whose staged solves were all written.
    fn fork(&self) -> Self {
        Self {
            stride: self.stride,
            teams: self.teams.clone(),
            ..Self::default()
        }
    }

    /// Adds a newly registered team.
    pub(crate) fn push_team(&mut self, counted: bool) {
        self.teams.extend(std::iter::repeat_n(0, self.stride - 1));
        self.teams.push(tail(NONE, counted));
    }

    /// The words of `team`.
    fn words(&mut self, team: TeamId) -> &mut [u64] {
        let start = team.index() * self.stride;
        &mut self.teams[start..start + self.stride]
    }

    /// Records whether `team`'s solves count, after it was hidden or shown.
    pub(crate) fn set_counted(&mut self, team: TeamId, counted: bool) {
        if let Some(last) = self.words(team).last_mut() {
            *last = tail(*last as u32, counted);
        }
    }

    /// Takes `team`'s latest staged solve not yet written ([`NONE`] if none), leaving none.
    fn take_last(&mut self, team: TeamId) -> u32 {
        let Some(last) = self.words(team).last_mut() else {
            return NONE;
        };
        let found = *last as u32;
        *last = tail(NONE, *last & COUNTED != 0);
        found
    }

    /// Whether enough is staged to write it now.
    fn full(&self) -> bool {
        self.solves.len() >= STAGE_LIMIT || self.keys.len() >= STAGE_LIMIT
    }
}

/// A team's last word: its latest staged solve and whether its solves count.
fn tail(last: u32, counted: bool) -> u64 {
    u64::from(last) | if counted { COUNTED } else { 0 }
}

impl HuntState {
    /// Opens a bulk application: events applied through it skip the per-event standings
    /// update and the repricing of earlier solvers, and solves wait to be written into their
    /// teams (see the `state::bulk` module docs); when it is dropped, every challenge whose
    /// value changed is priced once and the standings are rebuilt once (O(n log n) in
    /// teams). Much faster for replaying a long log; the result is the same as applying one
    /// by one, byte for byte.
    ///
    /// In a hunt with a score-threshold unlock rule, solves are still priced as they come:
    /// the teams' peak scores depend on the prices along the way.
    pub fn bulk(&mut self) -> BulkApply<'_> {
        self.bulk_if(true)
    }

    /// A [`BulkApply`] that defers only if `defer`; otherwise it applies events one by one
    /// like [`HuntState::apply`], so callers can choose at run time.
    pub fn bulk_if(&mut self, defer: bool) -> BulkApply<'_> {
        self.deferred = defer;
        if defer && !self.tracks_peak {
            self.staged = Some(Box::new(Staged::of(
                &self.teams,
                self.hunt.challenges.len(),
            )));
        }
        BulkApply { state: self }
    }

    /// Whether repricing waits for the end of a bulk application.
    pub(super) fn pricing_deferred(&self) -> bool {
        self.deferred && !self.tracks_peak
    }

    /// Records what an idempotency key was used for (its first use wins).
    pub(super) fn record_key(&mut self, key: Key, used: KeyUse) {
        match &mut self.staged {
            Some(staged) => {
                staged.keys.push((key, used));
                if staged.full() {
                    self.write_staged();
                }
            }
            None => {
                self.keys.entry(key).or_insert(used);
            }
        }
    }

    /// Applies a correct submission inside a bulk application: its key, and the solve to
    /// the challenge's solvers and the team's compact copy; the team's own state waits.
    pub(super) fn stage_solve(
        &mut self,
        team: TeamId,
        slug: &str,
        key: IdempotencyKey,
        answer: &str,
        at: Timestamp,
    ) -> Result<(), ReplayError> {
        let challenge = self
            .hunt
            .challenge_by_slug(slug)
            .ok_or_else(|| ReplayError::UnknownChallenge(slug.to_owned()))?;
        let id = challenge.id;
        if team.index() >= self.teams.len() {
            return Err(ReplayError::UnknownTeam(team));
        }
        let Some(staged) = self.staged.as_deref_mut() else {
            return Ok(());
        };
        let next = staged.solves.len() as u32;
        let words = staged.words(team);
        let Some((&mut last, solved)) = words.split_last_mut() else {
            return Ok(());
        };
        let counted = last & COUNTED != 0;
        let word = &mut solved[id.index() / 64];
        let bit = 1u64 << (id.index() % 64);
        let new = *word & bit == 0;
        if new {
            *word |= bit;
            if let Some(tail_word) = words.last_mut() {
                *tail_word = tail(next, counted);
            }
        }
        // Priced as the newest solver, as `outcome_for` does for a solve applied live.
        let before = self.stats[id.index()].counted;
        let after = before + u32::from(counted);
        let outcome = KeyOutcome::Correct {
            points: challenge
                .scoring
                .points(before, counted, after, self.max_solves.max(after)),
            first_solve: counted && before == 0,
        };
        staged.keys.push((
            Key::from(key),
            KeyUse {
                team,
                challenge: id,
                outcome,
            },
        ));
        if new {
            staged.solves.push(StagedSolve {
                at,
                team: Some(team),
                challenge: id,
                answer: answer.to_owned(),
                before,
                counted,
                prev: last as u32,
            });
            // The solve is priced when written; a value that moves marks the challenge.
            self.push_solver(id, team, counted);
        }
        if self.staged.as_deref().is_some_and(Staged::full) {
            self.write_staged();
        }
        Ok(())
    }

    /// Reads the compact words a correct submission in `event` would stage into (the
    /// value is of no use: the read starts the cache miss early).
    fn read_ahead(&self, event: &crate::event::Event) -> u64 {
        match (&self.staged, event) {
            (Some(staged), crate::event::Event::SubmissionJudged { team, .. }) => staged
                .teams
                .get(team.index() * staged.stride)
                .copied()
                .unwrap_or(0),
            _ => 0,
        }
    }

    /// Writes `team`'s staged solves into its state, before an event that reads or orders
    /// them.
    pub(super) fn write_staged_team(&mut self, team: TeamId) {
        let Some(staged) = self.staged.as_deref_mut() else {
            return;
        };
        if team.index() >= self.teams.len() {
            return;
        }
        let mut chain = Vec::new();
        let mut next = staged.take_last(team);
        while next != NONE {
            let solve = &mut staged.solves[next as usize];
            solve.team = None;
            next = solve.prev;
            chain.push(std::mem::take(solve));
        }
        chain.reverse();
        self.write_solves(team, chain);
    }

    /// Writes every staged solve into its team, team by team, and every staged key into the
    /// map.
    pub(super) fn write_staged(&mut self) {
        let Some(mut staged) = self.staged.take() else {
            return;
        };
        let Staged {
            solves,
            keys,
            scratch,
            ..
        } = &mut *staged;
        insert_keys(&mut self.keys, keys, scratch);
        by_team(
            solves,
            self.teams.len(),
            &mut scratch.starts,
            &mut scratch.sorted,
        );
        let mut sorted = std::mem::take(&mut scratch.sorted);
        let mut rest = &mut sorted[..];
        while let Some(first) = rest.first() {
            let Some(team) = first.team else {
                break;
            };
            let end = rest
                .iter()
                .position(|s| s.team != Some(team))
                .unwrap_or(rest.len());
            let (run, tail_runs) = rest.split_at_mut(end);
            staged.take_last(team);
            self.write_solves_from(team, run);
            rest = tail_runs;
        }
        sorted.clear();
        staged.scratch.sorted = sorted;
        staged.solves.clear();
        self.staged = Some(staged);
    }

    /// Writes `solves` (staged by `team`, in log order) into the team.
    fn write_solves(&mut self, team: TeamId, mut solves: Vec<StagedSolve>) {
        self.write_solves_from(team, &mut solves);
    }

    /// Writes `solves` (staged by `team`, in log order) into the team, each priced against
    /// the challenge's solvers now, taking their answers.
    fn write_solves_from(&mut self, team: TeamId, solves: &mut [StagedSolve]) {
        let hunt = &*self.hunt;
        let state = &mut self.teams[team.index()];
        state.solves.reserve(solves.len());
        state.items.reserve(solves.len());
        for solve in solves {
            let challenge = hunt.challenge(solve.challenge);
            let points = challenge.scoring.points(
                solve.before,
                solve.counted,
                self.stats[solve.challenge.index()].counted,
                self.max_solves,
            );
            let answer = std::mem::take(&mut solve.answer);
            record_solve(hunt, state, challenge, solve.at, answer, points, false);
        }
    }

    /// Ends a bulk application: writes what is staged, prices the stale challenges, then
    /// ranks everyone once; the same for the frozen board if it was forked during it.
    fn finish_bulk(&mut self) {
        if !self.deferred {
            return;
        }
        self.write_staged();
        self.staged = None;
        self.reprice_stale();
        self.deferred = false;
        self.rebuild_ranking();
        if let Some(frozen) = &mut self.frozen {
            frozen.finish_bulk();
        }
    }

    /// Prices every challenge marked stale during the bulk application again.
    ///
    /// Under retroactive values every solver holds the challenge's one current value (plus
    /// a first-blood bonus for the first few counted solvers): that is set team by team, in
    /// one pass over the teams in memory order, then the bonuses along the head of each
    /// solver list. Capture-time values depend on each solver's position: those challenges
    /// walk their solvers.
    fn reprice_stale(&mut self) {
        let hunt = self.hunt.clone();
        let mut shared: Vec<Option<i64>> = vec![None; hunt.challenges.len()];
        let mut any_shared = false;
        for challenge in &hunt.challenges {
            if !std::mem::take(&mut self.stale[challenge.id.index()]) {
                continue;
            }
            let scoring = &challenge.scoring;
            if scoring.mode == ValueMode::CaptureTime {
                self.reprice(challenge.id);
            } else {
                let total = self.stats[challenge.id.index()].counted;
                shared[challenge.id.index()] = Some(scoring.value_at(0, total, self.max_solves));
                any_shared = true;
            }
        }
        if !any_shared {
            return;
        }
        for team in &mut self.teams {
            let mut delta = 0i64;
            for solve in &mut team.solves {
                if let Some(value) = shared[solve.challenge.index()] {
                    delta = delta.saturating_add(value - solve.points);
                    solve.points = value;
                }
            }
            if delta != 0 {
                team.change_score(delta, false);
            }
        }
        for challenge in &hunt.challenges {
            let Some(value) = shared[challenge.id.index()] else {
                continue;
            };
            let bonuses = challenge.scoring.first_blood.len() as u32;
            let mut before = 0;
            for solver in &self.stats[challenge.id.index()].solvers {
                if before >= bonuses {
                    break;
                }
                let points =
                    value.saturating_add(challenge.scoring.bonus(value, before, solver.counted));
                before += u32::from(solver.counted);
                let team = &mut self.teams[solver.team.index()];
                if let Some(solve) = team.solve_mut(challenge.id) {
                    let delta = points - solve.points;
                    solve.points = points;
                    team.change_score(delta, false);
                }
            }
        }
    }

    /// Writes what is staged before the frozen board is forked, and gives the fork its own
    /// (empty) staging.
    pub(super) fn staged_for_fork(&mut self) -> Option<Box<Staged>> {
        self.write_staged();
        self.staged.as_deref().map(|staged| Box::new(staged.fork()))
    }
}

/// The staged `solves` not yet written, sorted by team into `sorted` (stably, emptying
/// their answers from `solves`), written ones left out: a counting sort over the `teams`
/// teams, O(solves + teams), that reads the solves in order and writes each once.
fn by_team(
    solves: &mut [StagedSolve],
    teams: usize,
    starts: &mut Vec<u32>,
    sorted: &mut Vec<StagedSolve>,
) {
    starts.clear();
    starts.resize(teams + 1, 0);
    let mut live = 0;
    for solve in solves.iter() {
        if let Some(team) = solve.team {
            starts[team.index() + 1] += 1;
            live += 1;
        }
    }
    for t in 0..teams {
        starts[t + 1] += starts[t];
    }
    sorted.clear();
    sorted.resize_with(live, StagedSolve::default);
    for solve in solves.iter_mut() {
        if let Some(team) = solve.team {
            let slot = &mut starts[team.index()];
            sorted[*slot as usize] = std::mem::take(solve);
            *slot += 1;
        }
    }
}

/// Inserts `staged` keys into `map` (a key's first use wins), emptying `staged`.
///
/// A large batch is inserted in the order of the keys' home buckets, so the writes sweep the
/// table from one end to the other instead of each landing on a cold line of a table far
/// larger than the caches: the keys are grouped (stably, so a repeated key's first use is
/// still inserted first) by the top bits of their bucket. `HashMap` sizes its table to a
/// power of two, at most 7/8 full, and a key's home bucket is its hash modulo that size; were
/// that to change, the order would only be less useful, never wrong.
fn insert_keys(
    map: &mut FastMap<Key, KeyUse>,
    staged: &mut Vec<(Key, KeyUse)>,
    scratch: &mut Scratch,
) {
    const GROUP_BITS: u32 = 10;
    if staged.len() < ORDERED_KEYS {
        for (key, used) in staged.drain(..) {
            map.entry(key).or_insert(used);
        }
        return;
    }
    map.reserve(staged.len());
    let buckets = (map.capacity() / 7 * 8).next_power_of_two().max(1);
    let shift = buckets.trailing_zeros().saturating_sub(GROUP_BITS);
    let hasher = map.hasher().clone();
    let groups = &mut scratch.groups;
    groups.clear();
    groups.extend(staged.iter().map(|(key, _)| {
        use std::hash::BuildHasher as _;
        ((hasher.hash_one(key) as usize & (buckets - 1)) >> shift) as u16
    }));
    let starts = &mut scratch.starts;
    starts.clear();
    starts.resize((1 << GROUP_BITS) + 1, 0);
    for &g in groups.iter() {
        starts[usize::from(g) + 1] += 1;
    }
    for g in 0..1 << GROUP_BITS {
        starts[g + 1] += starts[g];
    }
    let ordered = &mut scratch.keys;
    ordered.clear();
    ordered.extend_from_slice(staged);
    for (entry, &g) in staged.iter().zip(groups.iter()) {
        let slot = &mut starts[usize::from(g)];
        ordered[*slot as usize] = *entry;
        *slot += 1;
    }
    for &(key, used) in ordered.iter() {
        map.entry(key).or_insert(used);
    }
    staged.clear();
}

/// A run of events applied with one standings rebuild at the end; see [`HuntState::bulk`].
#[derive(Debug)]
pub struct BulkApply<'a> {
    state: &'a mut HuntState,
}

impl BulkApply<'_> {
    /// Applies the next event of the log, as [`HuntState::apply`] does.
    pub fn apply(&mut self, recorded: &crate::event::Recorded) -> Result<(), ReplayError> {
        self.state.apply(recorded)
    }

    /// Position of the last applied event.
    pub fn seq(&self) -> u64 {
        self.state.seq
    }

    /// Applies every event of `log`, in order, as [`BulkApply::apply`] does, stopping at the
    /// first that does not fit.
    ///
    /// Faster than applying them one by one: it reads a few events ahead and touches the
    /// compact words of the team each will stage a solve for, so that the cache miss on them
    /// (on a large event, most of what staging a solve costs) overlaps the work on the
    /// events before it instead of stalling its own.
    pub fn apply_all<'a>(
        &mut self,
        log: impl IntoIterator<Item = &'a crate::event::Recorded>,
    ) -> Result<(), ReplayError> {
        const AHEAD: usize = 8;
        let mut log = log.into_iter();
        let mut window: std::collections::VecDeque<&crate::event::Recorded> =
            log.by_ref().take(AHEAD).collect();
        let mut touched = 0u64;
        while let Some(recorded) = window.pop_front() {
            if let Some(next) = log.next() {
                touched ^= self.state.read_ahead(&next.event);
                window.push_back(next);
            }
            self.state.apply(recorded)?;
        }
        std::hint::black_box(touched);
        Ok(())
    }
}

impl Drop for BulkApply<'_> {
    fn drop(&mut self) {
        self.state.finish_bulk();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch large enough to be inserted in bucket order, with repeated keys: the map
    /// must be the one inserting in log order gives, each key's first use kept.
    #[test]
    fn keys_inserted_in_bucket_order_keep_each_keys_first_use() {
        let count = ORDERED_KEYS * 3;
        let staged: Vec<(Key, KeyUse)> = (0..count)
            .map(|i| {
                // Every seventh entry repeats an earlier key with another use.
                let key = if i % 7 == 6 { i / 2 } else { i };
                (
                    Key::from(IdempotencyKey(key as u128 * 0x9e37_79b9_7f4a_7c15)),
                    KeyUse {
                        team: TeamId(i as u32),
                        challenge: ChallengeId((i % 50) as u32),
                        outcome: KeyOutcome::Partial { reply: i as u32 },
                    },
                )
            })
            .collect();
        let mut expected = FastMap::default();
        for (key, used) in &staged {
            expected.entry(*key).or_insert(*used);
        }
        // Into an empty map, and into one that already holds some of the keys.
        for prefilled in [0, 1000] {
            let mut map = FastMap::default();
            for (key, used) in &staged[..prefilled] {
                map.entry(*key).or_insert(*used);
            }
            let mut batch = staged[prefilled..].to_vec();
            insert_keys(&mut map, &mut batch, &mut Scratch::default());
            assert!(batch.is_empty());
            assert_eq!(map, expected, "prefilled with {prefilled}");
        }
    }
}
