//! Shared fixtures for hunt's benches: a generated hunt of static-points challenges, states
//! with many teams and a few prior solves each, fresh correct submissions, and judged logs;
//! and [`workload`], whole competitions shaped like real events for the event harness.
//!
//! Everything is deterministic: randomness comes from a seeded [`XorShift`], time from fixed
//! instants inside the hunt's window. Setup builds events directly where it can (no answer
//! normalization), so even a 100,000-team state builds in seconds without optimizations.
#![deny(missing_docs)]

pub mod workload;

use std::sync::Arc;
use std::time::Duration;

use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;

use hunt_core::state::{HuntState, Outcome};
use hunt_core::{
    Command, Event, Hunt, IdempotencyKey, JudgedAs, Recorded, Span, TeamId, Timestamp, Verdict,
};

/// Team counts every sized bench runs at.
pub const SIZES: [u32; 3] = [1_000, 10_000, 100_000];

/// Challenges in the generated hunt: `c0` … `c99`, answers `ans0` … `ans99`.
pub const CHALLENGES: u32 = 100;

/// Challenges `c0` … `c94` are open from the start; the rest form a chain after `c94`.
pub const OPEN: u32 = 95;

/// Prior solves per team in a [`Fixture`]: from 1 to this many.
pub const MAX_PRIOR_SOLVES: u64 = 6;

/// Fresh solves handed out per team before a [`FreshSolves`] runs dry, so that a random
/// pick is unsolved at least about half of the time.
const FRESH_PER_TEAM: usize = 40;

/// Whether the running bench binary is in criterion's test mode (`cargo test --benches`,
/// or `cargo bench -- --test`): each benchmark body then runs once, unoptimized under
/// `cargo test`.
pub fn test_mode() -> bool {
    let mut bench = false;
    let mut test = false;
    for arg in std::env::args() {
        bench |= arg == "--bench";
        test |= arg == "--test";
    }
    !bench || test
}

/// A tiny xorshift64 generator: deterministic, dependency-free, good enough to spread picks.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from `seed` (any value; zero is remapped, as xorshift would stay at zero).
    pub fn new(seed: u64) -> Self {
        // One splitmix64 step spreads small seeds over the whole state.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self(if z == 0 { 1 } else { z })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `0..n` (`n` > 0), by multiply-shift.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A random index in `0..n`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
}

/// The TOML source of the bench hunt: one week, points ranking, 100 static-points challenges
/// with one partial answer each; `c95` … `c99` unlock in a chain after `c94`.
pub fn hunt_source() -> String {
    let mut toml = String::from(
        "id = \"bench\"\n\
         title = \"Bench Hunt\"\n\
         start = 2026-01-01T00:00:00Z\n\
         end = 2026-01-08T00:00:00Z\n\
         ranking = \"points\"\n\
         shared_ranks = \"standard\"\n",
    );
    for i in 0..CHALLENGES {
        toml.push_str(&format!(
            "\n[[challenge]]\nid = \"c{i}\"\ntitle = \"Challenge {i}\"\npoints = {}\n\
             answers = [\"ans{i}\"]\npartial = [{{ answer = \"part{i}\", reply = \"Keep going\" }}]\n",
            points(i)
        ));
        if i >= OPEN {
            toml.push_str(&format!("unlock = \"c{}\"\n", i - 1));
        }
    }
    toml
}

/// Points of challenge `i`: spread out so that few teams tie.
fn points(i: u32) -> u32 {
    50 + (i * 37) % 451
}

/// The compiled bench hunt.
pub fn hunt() -> Arc<Hunt> {
    Arc::new(
        hunt_core::definition::load(&hunt_source()).expect("the generated bench hunt is valid"),
    )
}

/// The slug of challenge `i`.
pub fn slug(i: u32) -> String {
    format!("c{i}")
}

/// The accepted answer of challenge `i`.
pub fn answer(i: u32) -> String {
    format!("ans{i}")
}

/// The instant `millis` after the start of `hunt`.
pub fn at(hunt: &Hunt, millis: i64) -> Timestamp {
    hunt.start.saturating_add(Span::from_millis(millis))
}

/// The registration event of team `team`, an hour before the start.
pub fn registration(hunt: &Hunt, team: u32) -> Event {
    Event::TeamRegistered {
        team: TeamId(team),
        name: format!("team-{team}"),
        division: None,
        key: None,
        at: at(hunt, -3_600_000),
    }
}

/// A correct submission event of challenge `challenge` by `team`, as the engine records it.
pub fn solve(team: u32, challenge: u32, key: u128, at: Timestamp) -> Event {
    Event::SubmissionJudged {
        team: TeamId(team),
        challenge: slug(challenge),
        key: IdempotencyKey(key),
        answer: answer(challenge),
        judged: JudgedAs::Correct,
        at,
    }
}

/// A hunt state with `teams` teams, each with 1 to [`MAX_PRIOR_SOLVES`] random prior solves
/// of open challenges in the first day, and the log that built it.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The hunt's TOML source.
    pub source: String,
    /// The compiled hunt.
    pub hunt: Arc<Hunt>,
    /// Registrations, then every prior solve.
    pub log: Vec<Event>,
    /// The state after `log`.
    pub state: HuntState,
    /// Each team's solved challenges, one bit per challenge id.
    pub solved: Vec<u128>,
    /// The next unused idempotency key.
    pub next_key: u128,
}

impl Fixture {
    /// The fixture for `teams` (one of [`SIZES`]), built on first use and shared by every bench
    /// of the process, so each size is built once.
    pub fn shared(teams: u32) -> &'static Fixture {
        static FIXTURES: [std::sync::OnceLock<Fixture>; SIZES.len()] =
            [const { std::sync::OnceLock::new() }; SIZES.len()];
        let slot = SIZES
            .iter()
            .position(|&n| n == teams)
            .expect("a bench size");
        FIXTURES[slot].get_or_init(|| Fixture::build(teams, u64::from(teams)))
    }

    /// Builds the fixture for `teams` teams from `seed`.
    pub fn build(teams: u32, seed: u64) -> Self {
        let source = hunt_source();
        let hunt = hunt();
        let mut rng = XorShift::new(seed);
        let mut log: Vec<Event> = (0..teams).map(|t| registration(&hunt, t)).collect();
        let mut solved = vec![0u128; teams as usize];
        let mut key = 0u128;
        for (team, mask) in (0..teams).zip(&mut solved) {
            let count = 1 + rng.below(MAX_PRIOR_SOLVES);
            for _ in 0..count {
                let challenge = rng.below(u64::from(OPEN)) as u32;
                if *mask & (1 << challenge) != 0 {
                    continue;
                }
                *mask |= 1 << challenge;
                key += 1;
                let when = at(&hunt, rng.below(86_400_000) as i64);
                log.push(solve(team, challenge, key, when));
            }
        }
        let mut state =
            HuntState::new(hunt.clone(), None).expect("the bench hunt has no sealed answers");
        state
            .apply_all(&log)
            .expect("the fixture log fits the hunt");
        Self {
            source,
            hunt,
            log,
            state,
            solved,
            next_key: key + 1,
        }
    }

    /// The instant fresh submissions are made at: the second day of the hunt.
    pub fn now(&self) -> Timestamp {
        at(&self.hunt, 2 * 86_400_000)
    }

    /// A source of correct submissions that are not yet solved in [`Fixture::state`].
    pub fn fresh_solves(&self, seed: u64) -> FreshSolves {
        FreshSolves {
            solved: self.solved.clone(),
            rng: XorShift::new(seed),
            next_key: self.next_key,
            left: self.solved.len() * FRESH_PER_TEAM,
        }
    }

    /// `n` random team ids.
    pub fn random_teams(&self, n: usize, seed: u64) -> Vec<TeamId> {
        let mut rng = XorShift::new(seed);
        (0..n)
            .map(|_| TeamId(rng.below(self.solved.len() as u64) as u32))
            .collect()
    }
}

/// Random correct submissions of open challenges that the team has not solved, each with a
/// fresh key: every one of them, applied in order, is a new solve.
#[derive(Debug, Clone)]
pub struct FreshSolves {
    solved: Vec<u128>,
    rng: XorShift,
    next_key: u128,
    left: usize,
}

impl FreshSolves {
    /// How many more it hands out before it runs dry; then start again from the fixture.
    pub fn remaining(&self) -> usize {
        self.left
    }

    /// The next fresh pair: team, challenge and key.
    pub fn next_pair(&mut self) -> Option<(TeamId, u32, IdempotencyKey)> {
        self.left = self.left.checked_sub(1)?;
        loop {
            let team = self.rng.index(self.solved.len());
            let challenge = self.rng.below(u64::from(OPEN)) as u32;
            let bit = 1u128 << challenge;
            if self.solved[team] & bit == 0 {
                self.solved[team] |= bit;
                self.next_key += 1;
                return Some((
                    TeamId(team as u32),
                    challenge,
                    IdempotencyKey(self.next_key),
                ));
            }
        }
    }

    /// The next fresh correct submission, as a command.
    pub fn next_command(&mut self) -> Option<Command> {
        let (team, challenge, key) = self.next_pair()?;
        Some(Command::Submit {
            team,
            challenge: slug(challenge),
            answer: answer(challenge),
            key,
        })
    }
}

/// How many events of each kind a judged log holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogMix {
    /// Team registrations.
    pub registered: usize,
    /// Correct submissions.
    pub correct: usize,
    /// Wrong submissions.
    pub wrong: usize,
    /// Partial answers.
    pub partial: usize,
    /// Admin adjustments.
    pub adjusted: usize,
}

/// A log of exactly `events` events, made by deciding commands against a live state: `teams`
/// registrations, then submissions (about 40% correct, 10% partial, the rest wrong, some
/// wrong guesses repeated) and one adjustment per thousand, in time order over the first
/// six days.
///
/// Teams never solve `c0` … `c9`, so they always have somewhere to guess wrong. A team that
/// has solved everything else gets a wrong guess instead of a correct one, so logs with few
/// teams per event hold more wrong guesses; the returned [`LogMix`] tells.
pub fn judged_log(teams: u32, events: usize, seed: u64) -> (Vec<Recorded>, LogMix) {
    assert!(
        events >= teams as usize,
        "a log of {events} events cannot register {teams} teams"
    );
    let hunt = hunt();
    let mut rng = XorShift::new(seed);
    let mut state =
        HuntState::new(hunt.clone(), None).expect("the bench hunt has no sealed answers");
    let mut log = Vec::with_capacity(events);
    let mut mix = LogMix::default();
    let mut solved = vec![0u128; teams as usize];
    let mut key = 0u128;
    let before_start = at(&hunt, -3_600_000);
    let span = 6 * 86_400_000 / events as i64;
    for t in 0..teams {
        let command = Command::Register {
            name: format!("team-{t}"),
            division: None,
        };
        record(&mut state, &mut log, &command, before_start);
        mix.registered += 1;
    }
    while log.len() < events {
        let now = at(&hunt, log.len() as i64 * span);
        let team = rng.index(teams as usize);
        let roll = rng.below(1000);
        let command = if roll == 0 {
            mix.adjusted += 1;
            let delta = rng.below(200) as i64 - 100;
            Command::Adjust {
                team: TeamId(team as u32),
                delta: if delta == 0 { 1 } else { delta },
                reason: "bench adjustment".to_owned(),
            }
        } else {
            key += 1;
            let unsolved = !solved[team];
            let solvable = unsolved & SOLVABLE;
            let kind = if roll < 400 && solvable != 0 {
                Kind::Correct
            } else if (400..500).contains(&roll) {
                Kind::Partial
            } else {
                Kind::Wrong
            };
            // Partial and wrong answers go to open challenges, of which the reserved ones are
            // never solved. A chain challenge whose predecessor is unsolved is locked and
            // records nothing.
            let pool = if kind == Kind::Correct {
                solvable
            } else {
                unsolved & OPEN_MASK
            };
            let challenge = pick(pool, &mut rng);
            let answer = match kind {
                Kind::Correct => answer(challenge),
                Kind::Partial => format!("part{challenge}"),
                Kind::Wrong => format!("wrong{}", rng.below(50)),
            };
            Command::Submit {
                team: TeamId(team as u32),
                challenge: slug(challenge),
                answer,
                key: IdempotencyKey(key),
            }
        };
        match record(&mut state, &mut log, &command, now) {
            Some(Verdict::Correct { .. }) => {
                mix.correct += 1;
                if let Command::Submit { challenge, .. } = &command {
                    let id = hunt
                        .challenge_by_slug(challenge)
                        .expect("generated slug")
                        .id;
                    solved[team] |= 1 << id.0;
                }
            }
            Some(Verdict::Partial { .. }) => mix.partial += 1,
            Some(Verdict::Incorrect { .. }) => mix.wrong += 1,
            _ => {}
        }
    }
    (log, mix)
}

/// Challenges `c0` … `c9`: never solved in a judged log, so every team always has open
/// challenges left to guess wrong at.
const RESERVED: u32 = 10;

/// Challenges a judged log may solve: all but the reserved ones.
const SOLVABLE: u128 = ((1u128 << CHALLENGES) - 1) & !((1u128 << RESERVED) - 1);

/// Challenges open from the start.
const OPEN_MASK: u128 = (1u128 << OPEN) - 1;

/// What a generated submission is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Correct,
    Partial,
    Wrong,
}

/// The first challenge of `pool` (non-empty) at or after a random one, wrapping around.
fn pick(pool: u128, rng: &mut XorShift) -> u32 {
    let from = rng.below(u64::from(CHALLENGES)) as u32;
    let above = pool >> from;
    if above != 0 {
        from + above.trailing_zeros()
    } else {
        pool.trailing_zeros()
    }
}

/// Decides `command`, applies and logs its events, and returns the verdict of a submission
/// that recorded something.
fn record(
    state: &mut HuntState,
    log: &mut Vec<Recorded>,
    command: &Command,
    now: Timestamp,
) -> Option<Verdict> {
    let decision = state
        .decide(command, now)
        .expect("generated commands are valid");
    if decision.events.is_empty() {
        return None;
    }
    state
        .apply_all(&decision.events)
        .expect("decided events apply");
    let first = log.len() as u64 + 1;
    log.extend(
        decision
            .events
            .into_iter()
            .zip(first..)
            .map(|(event, seq)| Recorded { seq, event }),
    );
    match decision.outcome {
        Outcome::Verdict(verdict) => Some(verdict),
        _ => None,
    }
}

/// Resident set size of this process, in bytes, read from `/proc/self/status` (Linux).
///
/// The workspace forbids `unsafe`, so no counting allocator: RSS counts pages, including
/// allocator slack and spare capacity, which is what a process pays.
pub fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status")
        .expect("/proc/self/status is readable (Linux)");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .expect("/proc/self/status has VmRSS");
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("VmRSS is a number of kB");
    kib * 1024
}

/// The total size of the files under `path`, in bytes.
pub fn directory_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.metadata() {
                    Ok(meta) if meta.is_dir() => directory_size(&entry.path()),
                    Ok(meta) => meta.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Short warm-up and measurement, so that the whole suite stays within a few minutes.
pub fn quick(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_solves_are_correct_and_new() {
        let fixture = Fixture::build(50, 1);
        assert_eq!(fixture.state.team_count(), 50);
        let mut state = fixture.state.clone();
        let mut fresh = fixture.fresh_solves(2);
        let now = fixture.now();
        while let Some(command) = fresh.next_command() {
            let decision = state.decide(&command, now).unwrap();
            assert!(
                matches!(decision.outcome, Outcome::Verdict(Verdict::Correct { .. })),
                "{command:?} gave {:?}",
                decision.outcome
            );
            state.apply_all(&decision.events).unwrap();
        }
        assert_eq!(
            state.seq(),
            fixture.log.len() as u64 + 50 * FRESH_PER_TEAM as u64
        );
    }

    #[test]
    fn judged_logs_have_the_length_asked_for() {
        for teams in [3, 40] {
            let (log, mix) = judged_log(teams, 2_000, 5);
            assert_eq!(log.len(), 2_000);
            assert!(
                log.iter()
                    .zip(1..)
                    .all(|(recorded, seq)| recorded.seq == seq)
            );
            let total = mix.registered + mix.correct + mix.wrong + mix.partial + mix.adjusted;
            assert_eq!(total, 2_000);
            assert_eq!(mix.registered, teams as usize);
            assert!(mix.correct > 0 && mix.partial > 0 && mix.wrong > 0);
        }
    }
}
