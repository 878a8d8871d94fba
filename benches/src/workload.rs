//! Event-shaped workloads: a whole competition, generated from a seed.
//!
//! The CTF shape is the one of a large public CTF (issue 12): `teams` teams, 50 challenges,
//! 48 hours, popularity skewed (challenge `c0`, a sanity check, solved by about 97 % of the
//! teams, the median by about 30 %, the hardest by about 15 %), solves per team geometric
//! with mean about 19, every team at least one. Its values are static points or CTFd's
//! "logarithmic" decay (initial 500, minimum 100, decay = teams / 5, retroactive).
//!
//! The puzzle-hunt shape is five rounds of eight puzzles chained one after the other, a meta
//! per round that opens after its round's sixth puzzle and opens the next round, and a final
//! meta that opens once every meta is solved; teams rank by the final meta. Each team works
//! through that chain in order as far as its geometric number of solves takes it, so every
//! solve is of an unlocked puzzle.
//!
//! Every team registers an hour before the start; each team's solves are spread at random
//! over the 48 hours, easier (or earlier in the chain) first; the solves of all teams are in
//! time order. The same seed gives the same workload, byte for byte.

use std::sync::Arc;

use hunt_core::{Command, Event, Hunt, IdempotencyKey, JudgedAs, Recorded, Span, TeamId};

use crate::XorShift;

/// Challenges of the CTF shape.
pub const CTF_CHALLENGES: u32 = 50;

/// Rounds of the puzzle-hunt shape, each with [`ROUND_PUZZLES`] puzzles and a meta.
pub const ROUNDS: u32 = 5;

/// Puzzles per round of the puzzle-hunt shape.
pub const ROUND_PUZZLES: u32 = 8;

/// Puzzles of a round solved before its meta opens.
const META_AFTER: u32 = 6;

/// Length of the event, in milliseconds: 48 hours.
pub const DURATION_MS: i64 = 48 * 3_600_000;

/// Mean of the geometric number of solves per team (before capping at the challenge count;
/// the cap brings the mean down to about 18.5).
const MEAN_SOLVES: f64 = 20.0;

/// Share of the teams that solve the sanity check `c0` first.
const SANITY_SHARE: u64 = 97;

/// How fast the popularity of `c1` … `c49` falls with their index, and its floor: the
/// weights of a weighted sampling without replacement, tuned so that the shares come out
/// as described in the module docs.
const POPULARITY_FALL: f64 = 0.12;
const POPULARITY_FLOOR: f64 = 0.01;

/// Which competition is generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A jeopardy CTF of 50 challenges.
    Ctf,
    /// A puzzle hunt of chained rounds, metas and a final meta.
    PuzzleHunt,
}

/// What the CTF's challenges are worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Static points, 100 to 541.
    Static,
    /// CTFd's "logarithmic" decay: initial 500, minimum 100, decay = teams / 5, retroactive.
    CtfdDecay,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The shape of the competition.
    pub shape: Shape,
    /// The values (the puzzle hunt is always static: it ranks by the final meta).
    pub values: Values,
    /// Number of teams.
    pub teams: u32,
    /// The seed of every random choice.
    pub seed: u64,
}

/// One correct solve of the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenSolve {
    /// The team.
    pub team: u32,
    /// The challenge's index (its slug is [`slug`]).
    pub challenge: u32,
    /// When, in milliseconds after the start.
    pub at: i64,
}

/// A generated competition: its hunt and every solve in time order.
#[derive(Debug, Clone)]
pub struct Workload {
    /// What was generated.
    pub spec: Spec,
    /// The hunt's TOML source.
    pub source: String,
    /// The compiled hunt.
    pub hunt: Arc<Hunt>,
    /// Every correct solve, in time order (ties by team, then challenge).
    pub solves: Vec<GenSolve>,
}

/// The slug of challenge `i`.
pub fn slug(i: u32) -> String {
    format!("c{i}")
}

/// The accepted answer of challenge `i`.
pub fn answer(i: u32) -> String {
    format!("flag{i}")
}

impl Workload {
    /// Generates the workload `spec` describes.
    pub fn generate(spec: Spec) -> Self {
        let source = match spec.shape {
            Shape::Ctf => ctf_source(spec),
            Shape::PuzzleHunt => puzzle_source(),
        };
        let hunt = Arc::new(
            hunt_core::definition::load(&source).expect("the generated workload hunt is valid"),
        );
        let challenges = hunt.challenges.len() as u32;
        let mut rng = XorShift::new(spec.seed);
        let weights: Vec<f64> = (0..challenges)
            .map(|i| (-POPULARITY_FALL * f64::from(i)).exp() + POPULARITY_FLOOR)
            .collect();
        let mut solves = Vec::new();
        let mut chosen = Vec::new();
        let mut times = Vec::new();
        for team in 0..spec.teams {
            let count = geometric(&mut rng, MEAN_SOLVES).min(challenges);
            chosen.clear();
            match spec.shape {
                // The chain, in order, as far as the team gets.
                Shape::PuzzleHunt => chosen.extend(0..count),
                Shape::Ctf => pick_ctf(&mut rng, &weights, count, &mut chosen),
            }
            times.clear();
            times.extend((0..chosen.len()).map(|_| rng.below(DURATION_MS as u64) as i64));
            times.sort_unstable();
            solves.extend(chosen.iter().zip(&times).map(|(&challenge, &at)| GenSolve {
                team,
                challenge,
                at,
            }));
        }
        solves.sort_unstable_by_key(|s| (s.at, s.team, s.challenge));
        Self {
            spec,
            source,
            hunt,
            solves,
        }
    }

    /// Events in the log: every registration, then every solve.
    pub fn len(&self) -> usize {
        self.spec.teams as usize + self.solves.len()
    }

    /// Whether the log is empty (never: a workload has at least one team).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The registration event of `team`, an hour before the start.
    pub fn registration(&self, team: u32) -> Event {
        Event::TeamRegistered {
            team: TeamId(team),
            name: format!("team-{team}"),
            division: None,
            key: None,
            at: self.at(-3_600_000),
        }
    }

    /// The event of solve `i`, as the engine records it (key `i + 1`).
    pub fn solve_event(&self, i: usize) -> Event {
        let solve = self.solves[i];
        Event::SubmissionJudged {
            team: TeamId(solve.team),
            challenge: slug(solve.challenge),
            key: IdempotencyKey(i as u128 + 1),
            answer: answer(solve.challenge),
            judged: JudgedAs::Correct,
            at: self.at(solve.at),
        }
    }

    /// The submission of solve `i` (key `i + 1`), to decide.
    pub fn submission(&self, i: usize) -> Command {
        let solve = self.solves[i];
        Command::Submit {
            team: TeamId(solve.team),
            challenge: slug(solve.challenge),
            answer: answer(solve.challenge),
            key: IdempotencyKey(i as u128 + 1),
        }
    }

    /// The whole log, numbered from 1, built as it is consumed (a 1M-team log does not fit
    /// in memory as events).
    pub fn log(&self) -> impl Iterator<Item = Recorded> + '_ {
        let registrations = (0..self.spec.teams).map(|team| self.registration(team));
        let solves = (0..self.solves.len()).map(|i| self.solve_event(i));
        registrations
            .chain(solves)
            .zip(1..)
            .map(|(event, seq)| Recorded { seq, event })
    }

    /// The instant `millis` after the start.
    pub fn at(&self, millis: i64) -> hunt_core::Timestamp {
        self.hunt.start.saturating_add(Span::from_millis(millis))
    }

    /// Solves of each challenge.
    pub fn solves_per_challenge(&self) -> Vec<u32> {
        let mut counts = vec![0u32; self.hunt.challenges.len()];
        for solve in &self.solves {
            counts[solve.challenge as usize] += 1;
        }
        counts
    }
}

/// A geometric number of trials (at least 1) with mean `mean`, by inversion.
fn geometric(rng: &mut XorShift, mean: f64) -> u32 {
    // Uniform in (0, 1]: never 0, so the logarithm is finite.
    let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let u = 1.0 - u;
    let trials = 1.0 + (u.ln() / (1.0 - 1.0 / mean).ln()).floor();
    trials.min(f64::from(u32::MAX)) as u32
}

/// Picks `count` distinct CTF challenges for one team, easiest first: `c0` for most teams,
/// the rest by weighted sampling without replacement (Efraimidis–Spirakis keys).
fn pick_ctf(rng: &mut XorShift, weights: &[f64], count: u32, chosen: &mut Vec<u32>) {
    let sanity = rng.below(100) < SANITY_SHARE;
    let first = u32::from(sanity);
    if sanity {
        chosen.push(0);
    }
    let mut keyed: Vec<(f64, u32)> = (first..weights.len() as u32)
        .map(|c| {
            let u = ((rng.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
            (u.ln() / weights[c as usize], c)
        })
        .collect();
    // The largest keys win: sort descending (keys are finite, so the order is total).
    keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let wanted = (count as usize).saturating_sub(chosen.len());
    let mut picked: Vec<u32> = keyed.iter().take(wanted).map(|(_, c)| *c).collect();
    picked.sort_unstable();
    chosen.extend(picked);
}

fn header(id: &str, title: &str) -> String {
    format!(
        "id = \"{id}\"\ntitle = \"{title}\"\nstart = 2026-01-01T00:00:00Z\n\
         end = 2026-01-03T00:00:00Z\nshared_ranks = \"standard\"\nnormalization = \"exact\"\n"
    )
}

/// The CTF's TOML source.
fn ctf_source(spec: Spec) -> String {
    let mut toml = header("workload-ctf", "Workload CTF");
    toml.push_str("ranking = \"points\"\n");
    if spec.values == Values::CtfdDecay {
        let decay = (spec.teams / 5).max(1);
        toml.push_str(&format!(
            "scoring = {{ rule = \"ctfd-log\", initial = 500, minimum = 100, decay = {decay} }}\n"
        ));
    }
    for i in 0..CTF_CHALLENGES {
        toml.push_str(&format!(
            "\n[[challenge]]\nid = \"{}\"\ntitle = \"Challenge {i}\"\nanswers = [\"{}\"]\n",
            slug(i),
            answer(i)
        ));
        if spec.values == Values::Static {
            toml.push_str(&format!("points = {}\n", 100 + 9 * i));
        }
    }
    toml
}

/// The puzzle hunt's TOML source: challenge `r * 9 + j` is puzzle `j` of round `r` (`j` < 8)
/// or its meta (`j` = 8); the last challenge is the final meta.
fn puzzle_source() -> String {
    let mut toml = header("workload-puzzles", "Workload Puzzle Hunt");
    let last = ROUNDS * (ROUND_PUZZLES + 1);
    toml.push_str(&format!(
        "ranking = \"puzzle-hunt\"\nfinal_meta = \"{}\"\n",
        slug(last)
    ));
    for round in 0..ROUNDS {
        let base = round * (ROUND_PUZZLES + 1);
        for j in 0..=ROUND_PUZZLES {
            let i = base + j;
            let meta = j == ROUND_PUZZLES;
            toml.push_str(&format!(
                "\n[[challenge]]\nid = \"{}\"\ntitle = \"{} {j} of round {round}\"\n\
                 round = \"r{round}\"\npoints = {}\nanswers = [\"{}\"]\n",
                slug(i),
                if meta { "Meta" } else { "Puzzle" },
                if meta { 30 } else { 10 },
                answer(i)
            ));
            if meta {
                toml.push_str(&format!(
                    "meta = true\nunlock = \"{}\"\n",
                    slug(base + META_AFTER - 1)
                ));
            } else if j > 0 {
                toml.push_str(&format!("unlock = \"{}\"\n", slug(i - 1)));
            } else if round > 0 {
                toml.push_str(&format!("unlock = \"{}\"\n", slug(base - 1)));
            }
        }
    }
    let metas: Vec<String> = (0..ROUNDS)
        .map(|r| format!("\"{}\"", slug(r * (ROUND_PUZZLES + 1) + ROUND_PUZZLES)))
        .collect();
    toml.push_str(&format!(
        "\n[[challenge]]\nid = \"{}\"\ntitle = \"Final meta\"\npoints = 100\nmeta = true\n\
         answers = [\"{}\"]\nunlock = {{ all_of = [{}] }}\n",
        slug(last),
        answer(last),
        metas.join(", ")
    ));
    toml
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(shape: Shape, values: Values, teams: u32) -> Spec {
        Spec {
            shape,
            values,
            teams,
            seed: 12,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_workload() {
        let a = Workload::generate(spec(Shape::Ctf, Values::CtfdDecay, 300));
        let b = Workload::generate(spec(Shape::Ctf, Values::CtfdDecay, 300));
        assert_eq!(a.solves, b.solves);
        assert_eq!(a.source, b.source);
        let other = Workload::generate(Spec {
            seed: 13,
            ..spec(Shape::Ctf, Values::CtfdDecay, 300)
        });
        assert_ne!(a.solves, other.solves);
    }

    #[test]
    fn the_ctf_has_the_shape_of_a_large_public_ctf() {
        let teams = 4_000;
        let w = Workload::generate(spec(Shape::Ctf, Values::Static, teams));
        let mut per_team = vec![0u32; teams as usize];
        let mut seen = std::collections::HashSet::new();
        for s in &w.solves {
            per_team[s.team as usize] += 1;
            assert!(seen.insert((s.team, s.challenge)), "{s:?} twice");
            assert!((0..DURATION_MS).contains(&s.at));
        }
        assert!(per_team.iter().all(|&n| n >= 1), "every team solves");
        assert!(w.solves.windows(2).all(|p| p[0].at <= p[1].at));
        let mean = w.solves.len() as f64 / f64::from(teams);
        assert!((16.0..21.0).contains(&mean), "mean solves per team {mean}");
        let mut shares: Vec<f64> = w
            .solves_per_challenge()
            .iter()
            .map(|&n| f64::from(n) / f64::from(teams))
            .collect();
        shares.sort_by(|a, b| b.total_cmp(a));
        let (easiest, median, hardest) = (shares[0], shares[24], shares[49]);
        assert!((0.95..1.0).contains(&easiest), "easiest {easiest}");
        assert!((0.22..0.36).contains(&median), "median {median}");
        assert!((0.08..0.22).contains(&hardest), "hardest {hardest}");
    }

    #[test]
    fn the_puzzle_hunt_replays_and_every_solve_was_unlocked() {
        let w = Workload::generate(spec(Shape::PuzzleHunt, Values::Static, 200));
        let log: Vec<Recorded> = w.log().collect();
        assert_eq!(log.len(), w.len());
        // Deciding every submission in order: each one is correct, so none was locked.
        let mut state = hunt_core::state::HuntState::new(w.hunt.clone(), None).unwrap();
        for recorded in &log[..200] {
            state.apply(recorded).unwrap();
        }
        for i in 0..w.solves.len() {
            let now = w.at(w.solves[i].at);
            let decision = state.decide(&w.submission(i), now).unwrap();
            assert!(
                matches!(
                    decision.outcome,
                    hunt_core::state::Outcome::Verdict(hunt_core::Verdict::Correct { .. })
                ),
                "solve {i}: {:?}",
                decision.outcome
            );
            state.apply_all(&decision.events).unwrap();
        }
        assert!(state.top(1)[0].team.0 < 200);
    }
}
