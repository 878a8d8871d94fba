//! Property tests of the state machine against a from-scratch oracle.
//!
//! For random hunts (chained unlock rules of every kind, both ranking orders, every
//! shared-rank policy) and random command sequences, the incremental state must equal what a
//! plain recomputation from the log gives: same standings and places, at most one solve per
//! team and challenge, no solve of a challenge whose unlock rule was unmet at that point of the
//! log, and a replay of the log equal to the live state.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use hunt_core::event::{Event, JudgedAs, Recorded};
use hunt_core::hunt::{Hunt, RankingOrder, SharedRanks, UnlockRule};
use hunt_core::state::HuntState;
use hunt_core::{Command, IdempotencyKey, Span, TeamId, Timestamp};
use proptest::prelude::*;

const START: &str = "2026-01-01T00:00:00Z";
const END: &str = "2026-01-01T10:00:00Z";
const MINUTE: i64 = 60_000;

/// A generated unlock rule over earlier challenges (so the graph is acyclic and every
/// challenge can unlock).
#[derive(Debug, Clone)]
enum GenRule {
    Always,
    Solved(usize),
    AllOf(Vec<usize>),
    AnyOf(Vec<usize>),
    AtLeast(u32, Vec<usize>),
    Score(i64),
    AfterMinutes(i64),
    InRound(usize, u32),
}

#[derive(Debug, Clone)]
struct GenChallenge {
    points: i64,
    round: usize,
    tie_break: bool,
    max_attempts: Option<u32>,
    rule: GenRule,
}

#[derive(Debug, Clone)]
pub(crate) struct GenHunt {
    ranking: RankingOrder,
    shared: SharedRanks,
    challenges: Vec<GenChallenge>,
}

fn points() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0i64), Just(50), Just(100), Just(300)]
}

fn gen_hunt() -> impl Strategy<Value = GenHunt> {
    let ranking = prop_oneof![Just(RankingOrder::Points), Just(RankingOrder::PuzzleHunt)];
    let shared = prop_oneof![
        Just(SharedRanks::Standard),
        Just(SharedRanks::Dense),
        Just(SharedRanks::Ordinal)
    ];
    let raw = prop::collection::vec(
        (
            points(),
            0..2usize,
            any::<bool>(),
            prop::option::of(1..4u32),
            any::<u64>(),
        ),
        1..7,
    );
    (ranking, shared, raw).prop_map(|(ranking, shared, raw)| {
        let mut challenges: Vec<GenChallenge> = Vec::new();
        for (points, round, tie_break, max_attempts, seed) in raw {
            let earlier = challenges.len();
            let pick = |k: u64| (k % earlier.max(1) as u64) as usize;
            let subset = |seed: u64| -> Vec<usize> {
                let mut set: Vec<usize> =
                    (0..earlier).filter(|i| seed >> (i + 8) & 1 == 1).collect();
                if set.is_empty() && earlier > 0 {
                    set.push(pick(seed >> 20));
                }
                set
            };
            let rule = if earlier == 0 {
                match seed % 3 {
                    0 => GenRule::AfterMinutes((seed >> 4) as i64 % 120),
                    _ => GenRule::Always,
                }
            } else {
                match seed % 8 {
                    0 => GenRule::Always,
                    1 => GenRule::Solved(pick(seed >> 3)),
                    2 => GenRule::AllOf(subset(seed)),
                    3 => GenRule::AnyOf(subset(seed)),
                    4 => {
                        let set = subset(seed);
                        let n = 1 + (seed >> 30) as u32 % set.len() as u32;
                        GenRule::AtLeast(n, set)
                    }
                    5 => {
                        let reachable: i64 = challenges.iter().map(|c| c.points).sum();
                        GenRule::Score(if reachable == 0 {
                            0
                        } else {
                            (seed >> 5) as i64 % (reachable + 1)
                        })
                    }
                    6 => GenRule::AfterMinutes((seed >> 4) as i64 % 300),
                    _ => {
                        let round = (seed >> 3) as usize % 2;
                        let in_round =
                            challenges.iter().filter(|c| c.round == round).count() as u32;
                        if in_round == 0 {
                            GenRule::Always
                        } else {
                            GenRule::InRound(round, 1 + (seed >> 9) as u32 % in_round)
                        }
                    }
                }
            };
            challenges.push(GenChallenge {
                points,
                round,
                tie_break,
                max_attempts,
                rule,
            });
        }
        GenHunt {
            ranking,
            shared,
            challenges,
        }
    })
}

fn ids(set: &[usize]) -> String {
    set.iter()
        .map(|i| format!("\"c{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rule_toml(rule: &GenRule) -> String {
    match rule {
        GenRule::Always => "\"always\"".into(),
        GenRule::Solved(i) => format!("{{ solved = \"c{i}\" }}"),
        GenRule::AllOf(set) => format!("{{ all_of = [{}] }}", ids(set)),
        GenRule::AnyOf(set) => format!("{{ any_of = [{}] }}", ids(set)),
        GenRule::AtLeast(n, set) => format!("{{ at_least = {{ n = {n}, of = [{}] }} }}", ids(set)),
        GenRule::Score(n) => format!("{{ score_at_least = {n} }}"),
        GenRule::AfterMinutes(m) => format!("{{ after = \"{m}m\" }}"),
        GenRule::InRound(r, n) => {
            format!("{{ solves_in_round = {{ round = \"r{r}\", n = {n} }} }}")
        }
    }
}

pub(crate) fn to_toml(hunt: &GenHunt) -> String {
    let ranking = match hunt.ranking {
        RankingOrder::PuzzleHunt => "puzzle-hunt",
        _ => "points",
    };
    let shared = match hunt.shared {
        SharedRanks::Dense => "dense",
        SharedRanks::Ordinal => "ordinal",
        _ => "standard",
    };
    let last = hunt.challenges.len() - 1;
    let mut s = format!(
        "id = \"prop\"\ntitle = \"Property hunt\"\nstart = {START}\nend = {END}\nranking = \"{ranking}\"\nshared_ranks = \"{shared}\"\n"
    );
    if hunt.ranking == RankingOrder::PuzzleHunt {
        writeln!(s, "final_meta = \"c{last}\"").unwrap();
    }
    for (i, c) in hunt.challenges.iter().enumerate() {
        write!(
            s,
            "\n[[challenge]]\nid = \"c{i}\"\ntitle = \"Challenge {i}\"\ncontent = \"secret content {i}\"\nround = \"r{}\"\npoints = {}\nanswers = [\"ans{i}\"]\npartial = [{{ answer = \"part{i}\", reply = \"keep going {i}\" }}]\ntie_break = {}\nunlock = {}\n",
            c.round,
            c.points,
            c.tie_break,
            rule_toml(&c.rule)
        )
        .unwrap();
        if let Some(max) = c.max_attempts {
            writeln!(s, "max_attempts = {max}").unwrap();
        }
        if i == last && hunt.ranking == RankingOrder::PuzzleHunt {
            writeln!(s, "meta = true").unwrap();
        }
    }
    s
}

fn gen_command(challenges: usize) -> impl Strategy<Value = (i64, Command)> {
    let names = prop_oneof![
        Just("alpha"),
        Just("beta"),
        Just("gamma"),
        Just("delta"),
        Just("epsilon"),
        Just(" ALPHA ")
    ];
    let register = (
        names,
        prop::option::of(prop_oneof![Just("students"), Just("pros")]),
    )
        .prop_map(|(name, division)| Command::Register {
            name: name.to_owned(),
            division: division.map(str::to_owned),
        });
    let submit =
        (0..7u32, 0..=challenges, 0..6u8, 0..24u128).prop_map(move |(team, c, kind, key)| {
            let answer = match kind {
                0 | 1 => format!("ans{c}"),
                2 => format!("  ANS{c} "),
                3 => format!("part{c}"),
                4 => "wrong1".to_owned(),
                _ => "wrong2".to_owned(),
            };
            Command::Submit {
                team: TeamId(team),
                challenge: format!("c{c}"),
                answer,
                key: IdempotencyKey(key),
            }
        });
    let adjust = (
        0..7u32,
        prop_oneof![Just(-50i64), Just(0), Just(25), Just(100)],
    )
        .prop_map(|(team, delta)| Command::Adjust {
            team: TeamId(team),
            delta,
            reason: "manual".to_owned(),
        });
    let hide = (0..7u32, any::<bool>()).prop_map(|(team, hidden)| Command::SetHidden {
        team: TeamId(team),
        hidden,
    });
    let command = prop_oneof![3 => register, 10 => submit, 3 => adjust, 1 => hide];
    // Minutes since the start; a little before the start and after the end (600 minutes).
    (-10i64..640, command)
}

pub(crate) fn scenario() -> impl Strategy<Value = (GenHunt, Vec<(i64, Command)>)> {
    gen_hunt().prop_flat_map(|hunt| {
        let n = hunt.challenges.len();
        (Just(hunt), prop::collection::vec(gen_command(n), 1..120))
    })
}

/// What the oracle knows of one team, recomputed from the log alone.
#[derive(Debug, Clone, Default)]
pub(crate) struct OracleTeam {
    registered_at: i64,
    hidden: bool,
    score: i64,
    /// The highest score so far: unlocks by score are never taken back.
    peak: i64,
    reached_at: Option<i64>,
    last_solve_at: Option<i64>,
    final_meta_at: Option<i64>,
    solved: BTreeSet<usize>,
}

fn oracle_holds(hunt: &Hunt, team: &OracleTeam, rule: &UnlockRule, now: i64) -> bool {
    match rule {
        UnlockRule::Always => true,
        UnlockRule::Solved(c) => team.solved.contains(&c.index()),
        UnlockRule::AllOf(rules) => rules.iter().all(|r| oracle_holds(hunt, team, r, now)),
        UnlockRule::AnyOf(rules) => rules.iter().any(|r| oracle_holds(hunt, team, r, now)),
        UnlockRule::AtLeast { n, of } => {
            of.iter()
                .filter(|r| oracle_holds(hunt, team, r, now))
                .count()
                >= *n as usize
        }
        UnlockRule::ScoreAtLeast(min) => team.peak >= *min,
        UnlockRule::After(span) => now >= hunt.start.as_millis() + span.as_millis(),
        UnlockRule::SolvesInRound { round, n } => {
            team.solved
                .iter()
                .filter(|c| hunt.challenges[**c].round == Some(*round))
                .count()
                >= *n as usize
        }
        other => panic!("the oracle does not know {other:?}"),
    }
}

/// Folds the log from scratch, checking the log-level invariants on the way: at most one
/// solve per team and challenge, and no solve of a locked challenge.
pub(crate) fn oracle(hunt: &Hunt, log: &[Recorded]) -> Result<Vec<OracleTeam>, String> {
    let mut teams: Vec<OracleTeam> = Vec::new();
    for recorded in log {
        match &recorded.event {
            Event::TeamRegistered { team, at, .. } => {
                if team.index() != teams.len() {
                    return Err(format!("{team} registered out of order"));
                }
                teams.push(OracleTeam {
                    registered_at: at.as_millis(),
                    ..OracleTeam::default()
                });
            }
            Event::SubmissionJudged {
                team,
                challenge,
                judged: JudgedAs::Correct,
                at,
                ..
            } => {
                let c = hunt
                    .challenge_by_slug(challenge)
                    .expect("the log names known challenges");
                let t = &mut teams[team.index()];
                if t.solved.contains(&c.id.index()) {
                    return Err(format!(
                        "{team} solved {challenge} twice (event {})",
                        recorded.seq
                    ));
                }
                if !oracle_holds(hunt, t, &c.unlock, at.as_millis()) {
                    return Err(format!(
                        "{team} solved {challenge} while locked (event {})",
                        recorded.seq
                    ));
                }
                t.solved.insert(c.id.index());
                t.score += c.scoring.rule.initial();
                t.peak = t.peak.max(t.score);
                let at = at.as_millis();
                t.last_solve_at = Some(t.last_solve_at.map_or(at, |x| x.max(at)));
                if c.tie_break && c.scoring.rule.initial() != 0 {
                    t.reached_at = Some(t.reached_at.map_or(at, |x| x.max(at)));
                }
                if hunt.final_meta == Some(c.id) {
                    t.final_meta_at = Some(at);
                }
            }
            Event::SubmissionJudged { .. } => {}
            Event::PointsAdjusted {
                team, delta, at, ..
            } => {
                let t = &mut teams[team.index()];
                t.score += delta;
                t.peak = t.peak.max(t.score);
                if *delta != 0 {
                    let at = at.as_millis();
                    t.reached_at = Some(t.reached_at.map_or(at, |x| x.max(at)));
                }
            }
            Event::TeamHidden { team, hidden, .. } => teams[team.index()].hidden = *hidden,
            other => return Err(format!("the oracle does not know {other:?}")),
        }
    }
    Ok(teams)
}

fn oracle_key(hunt: &Hunt, t: &OracleTeam) -> [i64; 3] {
    match hunt.ranking {
        RankingOrder::PuzzleHunt => [
            t.final_meta_at.unwrap_or(i64::MAX),
            -(t.solved.len() as i64),
            t.last_solve_at.unwrap_or(t.registered_at),
        ],
        _ => [-t.score, t.reached_at.unwrap_or(i64::MAX), 0],
    }
}

/// The board from scratch: sort, then number places naively.
pub(crate) fn oracle_board(hunt: &Hunt, teams: &[OracleTeam]) -> Vec<(u32, TeamId, i64, u32)> {
    let mut visible: Vec<([i64; 3], usize)> = teams
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.hidden)
        .map(|(i, t)| (oracle_key(hunt, t), i))
        .collect();
    visible.sort();
    let keys: Vec<[i64; 3]> = visible.iter().map(|(k, _)| *k).collect();
    visible
        .iter()
        .enumerate()
        .map(|(pos, (key, i))| {
            let place = oracle_place(hunt.shared_ranks, &keys, pos, key);
            (
                place,
                TeamId(*i as u32),
                teams[*i].score,
                teams[*i].solved.len() as u32,
            )
        })
        .collect()
}

fn oracle_place(shared: SharedRanks, sorted_keys: &[[i64; 3]], pos: usize, key: &[i64; 3]) -> u32 {
    let better = sorted_keys.iter().filter(|k| *k < key).count();
    let distinct_better = sorted_keys
        .iter()
        .filter(|k| *k < key)
        .collect::<BTreeSet<_>>()
        .len();
    (match shared {
        SharedRanks::Dense => distinct_better,
        SharedRanks::Ordinal => pos,
        _ => better,
    }) as u32
        + 1
}

fn run(hunt: &Arc<Hunt>, commands: &[(i64, Command)]) -> (HuntState, Vec<Recorded>) {
    let mut state = HuntState::new(hunt.clone(), None).expect("no sealed answers");
    let mut log = Vec::new();
    for (minute, command) in commands {
        let now = hunt
            .start
            .saturating_add(Span::from_millis(minute * MINUTE));
        let before = state.seq();
        let Ok(decision) = state.decide(command, now) else {
            assert_eq!(state.seq(), before, "a rejected command changes nothing");
            continue;
        };
        for event in decision.events {
            let recorded = Recorded {
                seq: state.seq() + 1,
                event,
            };
            state.apply(&recorded).expect("decided events apply");
            log.push(recorded);
        }
    }
    (state, log)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn incremental_state_equals_the_oracle((spec, commands) in scenario()) {
        let source = to_toml(&spec);
        let hunt = Arc::new(hunt_core::definition::load(&source).unwrap_or_else(|e| panic!("{e}\n{source}")));
        let (state, log) = run(&hunt, &commands);

        let teams = oracle(&hunt, &log).map_err(TestCaseError::fail)?;
        let board: Vec<(u32, TeamId, i64, u32)> = state
            .standings()
            .into_iter()
            .map(|r| (r.place, r.team, r.score, r.solves))
            .collect();
        prop_assert_eq!(&board, &oracle_board(&hunt, &teams));

        // Every team's own row, hidden ones included (they see the place they would have).
        let visible_keys: Vec<[i64; 3]> = {
            let mut k: Vec<_> = teams.iter().filter(|t| !t.hidden).map(|t| oracle_key(&hunt, t)).collect();
            k.sort();
            k
        };
        for (i, t) in teams.iter().enumerate() {
            let row = state.team_row(TeamId(i as u32)).expect("registered");
            prop_assert_eq!(row.score, t.score);
            if !t.hidden {
                let from_board = board.iter().find(|b| b.1 == TeamId(i as u32)).map(|b| b.0);
                prop_assert_eq!(Some(row.place), from_board);
            } else if hunt.shared_ranks != SharedRanks::Ordinal {
                let key = oracle_key(&hunt, t);
                let pos = visible_keys.iter().filter(|k| **k < key).count();
                prop_assert_eq!(row.place, oracle_place(hunt.shared_ranks, &visible_keys, pos, &key));
            }
        }

        // Replaying the log gives the same state.
        let replayed = HuntState::replay(hunt.clone(), None, &log).expect("the log replays");
        prop_assert_eq!(replayed.seq(), state.seq());
        prop_assert_eq!(replayed.standings(), state.standings());
        let end = hunt.end;
        for i in 0..state.team_count() {
            let team = TeamId(i as u32);
            prop_assert_eq!(replayed.progress(team, end), state.progress(team, end));
        }
    }
}

/// The oracle itself must notice a double solve, or the property above proves nothing.
#[test]
fn the_oracle_rejects_a_double_solve() {
    let hunt = Arc::new(
        hunt_core::definition::load(&to_toml(&GenHunt {
            ranking: RankingOrder::Points,
            shared: SharedRanks::Standard,
            challenges: vec![GenChallenge {
                points: 100,
                round: 0,
                tie_break: true,
                max_attempts: None,
                rule: GenRule::Always,
            }],
        }))
        .expect("valid"),
    );
    let at = Timestamp::parse_rfc3339(START).expect("valid time");
    let solve = |seq: u64| Recorded {
        seq,
        event: Event::SubmissionJudged {
            team: TeamId(0),
            challenge: "c0".into(),
            key: IdempotencyKey(seq as u128),
            answer: "ans0".into(),
            judged: JudgedAs::Correct,
            at,
        },
    };
    let register = Recorded {
        seq: 1,
        event: Event::TeamRegistered {
            team: TeamId(0),
            name: "alpha".into(),
            division: None,
            key: None,
            at,
        },
    };
    let log = vec![register, solve(2), solve(3)];
    assert_eq!(
        oracle(&hunt, &log).map(|_| ()),
        Err("team#0 solved c0 twice (event 3)".to_owned())
    );
    // The engine itself counts the solve once even when a damaged log holds it twice.
    let state = HuntState::replay(hunt.clone(), None, &log).expect("replays");
    assert_eq!(state.team(TeamId(0)).map(|t| t.score), Some(100));
}
