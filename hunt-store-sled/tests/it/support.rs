//! What the engine-level tests share: the test hunt, a seeded random source, the workload's
//! submissions, and the checks of a store's log against an oracle.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hunt_core::state::HuntState;
use hunt_core::store::Store;
use hunt_core::{Event, HuntId, IdempotencyKey, JudgedAs, Recorded, TeamId, Timestamp, Verdict};

/// The test hunt's challenges: slug, points, accepted answer. `c1` also has a partial answer,
/// `c2` an attempt limit, `c5` and `c7` unlock rules, so every kind of verdict shows up.
pub const CHALLENGES: [(&str, i64, &str); 8] = [
    ("c0", 100, "anchor"),
    ("c1", 150, "lighthouse"),
    ("c2", 200, "compass"),
    ("c3", 250, "octopus"),
    ("c4", 300, "treasure"),
    ("c5", 350, "skull island"),
    ("c6", 400, "kraken"),
    ("c7", 1000, "x marks the spot"),
];

/// Wrong answers, with repeats between tasks so that some guesses are repeated (and free).
pub const WRONG: [&str; 6] = ["rope", "sail", "mast", "keel", "lamp", "hull"];

/// The definition of a test hunt with id `id`.
pub fn definition(id: &str) -> String {
    let mut toml = format!(
        "id = \"{id}\"\ntitle = \"Sled test {id}\"\nstart = 2026-11-28T09:00:00Z\n\
         end = 2026-11-28T21:00:00Z\n"
    );
    for (slug, points, answer) in CHALLENGES {
        toml.push_str(&format!(
            "\n[[challenge]]\nid = \"{slug}\"\ntitle = \"Challenge {slug}\"\npoints = {points}\n\
             answers = [\"{answer}\"]\n"
        ));
        match slug {
            "c1" => toml.push_str("partial = [{ answer = \"light\", reply = \"Keep going!\" }]\n"),
            "c2" => toml.push_str("max_attempts = 4\n"),
            "c5" => toml.push_str("unlock = \"c4\"\n"),
            "c7" => toml.push_str("unlock = { all_of = [\"c0\", \"c1\"] }\n"),
            _ => {}
        }
    }
    toml
}

/// A valid hunt id.
pub fn hunt_id(id: &str) -> HuntId {
    HuntId::new(id).expect("a valid hunt id")
}

/// `millis` milliseconds after the start of the test hunts (which last 12 hours).
pub fn at(millis: i64) -> Timestamp {
    let start = Timestamp::parse_rfc3339("2026-11-28T09:00:00Z").expect("a valid instant");
    Timestamp::from_millis(start.as_millis() + millis)
}

/// The name of test team `i`.
pub fn team_name(i: u32) -> String {
    format!("team {i}")
}

/// SplitMix64: a small, seeded, reproducible random source (no dependency for it).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A source seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// One submission of the workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The submitting team.
    pub team: TeamId,
    /// Index into [`CHALLENGES`].
    pub challenge: usize,
    /// The answer: [`CHALLENGES`]' accepted one, the partial one, or one of [`WRONG`].
    pub answer: String,
    /// The idempotency key.
    pub key: IdempotencyKey,
}

impl Submission {
    /// A fresh random submission with key `key` by one of `teams` teams: right `right`% of
    /// the time, partial 5% (on the challenge that has a partial answer), wrong otherwise.
    pub fn random(rng: &mut Rng, teams: u32, right: u64, key: IdempotencyKey) -> Self {
        let challenge = rng.below(CHALLENGES.len() as u64) as usize;
        let roll = rng.below(100);
        let answer = if roll < right {
            CHALLENGES[challenge].2.to_owned()
        } else if roll < right + 5 && challenge == 1 {
            "light".to_owned()
        } else {
            WRONG[rng.below(WRONG.len() as u64) as usize].to_owned()
        };
        Self {
            team: TeamId(rng.below(u64::from(teams)) as u32),
            challenge,
            answer,
            key,
        }
    }

    /// The challenge's slug.
    pub fn slug(&self) -> &'static str {
        CHALLENGES[self.challenge].0
    }
}

/// Whether a verdict recorded an event, so that a resubmission of its key must get it back
/// as `Duplicate { original }`.
pub fn recorded(verdict: &Verdict) -> bool {
    matches!(
        verdict,
        Verdict::Correct { .. } | Verdict::Incorrect { .. } | Verdict::Partial { .. }
    )
}

/// The whole log of `hunt`.
pub async fn read_log(store: &dyn Store, hunt: &HuntId) -> Vec<Recorded> {
    store
        .read(hunt, 0, usize::MAX)
        .await
        .expect("the log reads back")
}

/// Checks `state` (an engine's snapshot) against the log it was built from:
/// - positions run from 1 without gaps and the state is at the end of the log;
/// - no team solved a challenge twice, and no idempotency key was recorded twice;
/// - a from-scratch replay gives the same standings and team states;
/// - every team's score is, by a separate sum over the log, the points of its solves plus
///   its adjustments, and its solve count is its number of solves.
///
/// Returns, for each key recorded in the log, the team, challenge slug and judgement.
pub fn check_against_log(
    state: &HuntState,
    log: &[Recorded],
) -> HashMap<IdempotencyKey, (TeamId, String, JudgedAs)> {
    assert_eq!(
        state.seq(),
        log.len() as u64,
        "the state is at the end of the log"
    );
    let points: HashMap<&str, i64> = CHALLENGES.iter().map(|(s, p, _)| (*s, *p)).collect();
    let mut solves = HashSet::new();
    let mut keys = HashMap::new();
    let mut scores: HashMap<TeamId, (i64, u32)> = HashMap::new();
    for (i, recorded) in log.iter().enumerate() {
        assert_eq!(recorded.seq, i as u64 + 1, "positions have no gaps");
        match &recorded.event {
            Event::SubmissionJudged {
                team,
                challenge,
                key,
                judged,
                ..
            } => {
                let previous = keys.insert(*key, (*team, challenge.clone(), judged.clone()));
                assert!(
                    previous.is_none(),
                    "idempotency key {key} recorded twice (position {})",
                    recorded.seq
                );
                if *judged == JudgedAs::Correct {
                    assert!(
                        solves.insert((*team, challenge.clone())),
                        "{team} solved {challenge} twice (again at position {})",
                        recorded.seq
                    );
                    let entry = scores.entry(*team).or_default();
                    entry.0 += points[challenge.as_str()];
                    entry.1 += 1;
                }
            }
            Event::PointsAdjusted { team, delta, .. } => {
                scores.entry(*team).or_default().0 += delta;
            }
            _ => {}
        }
    }
    let replayed = HuntState::replay(state.hunt().clone(), None, log).expect("the log replays");
    assert_eq!(
        replayed.standings(),
        state.standings(),
        "standings differ from a replay"
    );
    assert_eq!(replayed.team_count(), state.team_count());
    for (team, team_state) in state.teams() {
        assert_eq!(
            replayed.team(team),
            Some(team_state),
            "{team} differs from a replay"
        );
        let (score, solved) = scores.get(&team).copied().unwrap_or_default();
        assert_eq!(
            team_state.score, score,
            "{team}'s score is its solves plus its awards"
        );
        assert_eq!(
            team_state.solve_count(),
            solved as usize,
            "{team}'s solve count"
        );
    }
    keys
}

/// Opens a store on `dir` as an `Arc<dyn Store>`.
pub fn open_store(dir: &std::path::Path) -> Arc<dyn Store> {
    Arc::new(hunt_store_sled::SledStore::open(dir).expect("the store opens"))
}

/// Changes sled's files in the store directory `dir` behind the store's back: `change` gets
/// the raw database. Returns once sled has let go of its files again, so the store opens at
/// once afterwards.
pub fn tamper(dir: &std::path::Path, change: impl FnOnce(&sled::Db)) {
    // "db" is where SledStore keeps sled's files inside its directory.
    let db = sled::open(dir.join("db")).expect("sled opens the database");
    change(&db);
    db.flush().expect("sled flushes");
    drop(db);
    // sled's threads release its `flock` on the database file a moment after the last
    // handle is dropped; a lock of our own succeeds once they have.
    let file = std::fs::File::open(dir.join("db").join("db")).expect("sled's database file");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while file.try_lock().is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "sled still holds its database 30 s after the handle was dropped"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
