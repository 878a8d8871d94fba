//! Property tests of the scoring rules against a from-scratch oracle.
//!
//! Random hunts mix every rule of the rules issue: static and dynamic values (CTFd linear
//! and parabola, rCTF, GZCTF) retroactive or at capture time, first-blood bonuses, hints
//! charged when taken or on solve (some requiring others), attempt caps with lockout or
//! timeout, rate windows, back-offs, a team-wide window, admin grants, awards, hidden
//! teams, divisions that do or do not affect values, a freeze with a reveal, and a meta
//! whose answer is built from the team's own feeder answers. Random command sequences (in
//! time order, as one clock gives them) run through the incremental state, and the oracle
//! recomputes everything from the log alone: scores, places, division boards, the frozen
//! public board, timelines, and whether each throttled or judged submission was right to be.
//! A replay of the log and a snapshot of the state must both give the same state back.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use hunt_core::answer::{Accepted, AnswerTemplate, Normalization};
use hunt_core::event::{Event, JudgedAs, Recorded};
use hunt_core::hint::{Hint, HintCharge};
use hunt_core::hunt::{Division, Hunt, SharedRanks, UnlockRule};
use hunt_core::scoring::{Scoring, ValueMode, ValueRule};
use hunt_core::state::{HuntState, Outcome};
use hunt_core::throttle::{Backoff, Lockout, RateWindow, Throttle};
use hunt_core::{ChallengeId, Command, IdempotencyKey, Span, TeamId, Timestamp, Verdict};
use proptest::prelude::*;

const MINUTE: i64 = 60_000;
/// The hunt runs for 600 minutes; the freeze, when there is one, is at minute 300.
const FREEZE_MINUTE: i64 = 300;
const DIVISIONS: [&str; 2] = ["students", "pros"];

#[derive(Debug, Clone)]
struct GenChallenge {
    scoring: Scoring,
    throttle: Throttle,
    hints: Vec<(i64, bool)>,
    /// Unlocked from the start, or by solving the previous challenge.
    after_previous: bool,
}

#[derive(Debug, Clone)]
struct GenRules {
    challenges: Vec<GenChallenge>,
    /// Whether the last challenge is a meta built from the first two.
    template_meta: bool,
    shared: SharedRanks,
    hint_charge: HintCharge,
    team_window: Option<RateWindow>,
    students_affect_values: bool,
    freeze: bool,
}

fn gen_rule() -> impl Strategy<Value = ValueRule> {
    prop_oneof![
        prop_oneof![Just(0i64), Just(50), Just(100), Just(300)]
            .prop_map(|points| ValueRule::Static { points }),
        (100..600i64, 0..100i64, 0..60i64).prop_map(|(initial, minimum, decay)| {
            ValueRule::CtfdLinear {
                initial,
                minimum,
                decay,
            }
        }),
        (100..600i64, 0..100i64, 0..6i64).prop_map(|(initial, minimum, decay)| {
            ValueRule::CtfdLog {
                initial,
                minimum,
                decay,
            }
        }),
        (200..600i64, 0..200i64).prop_map(|(max, min)| ValueRule::Rctf { max, min }),
        (100..1000i64, 0..=100u32, 1..10u32).prop_map(|(original, ratio, difficulty)| {
            ValueRule::Gzctf {
                original,
                min_ratio: f64::from(ratio) / 100.0,
                difficulty: f64::from(difficulty),
            }
        }),
    ]
}

fn gen_scoring() -> impl Strategy<Value = Scoring> {
    let mode = prop_oneof![Just(ValueMode::Retroactive), Just(ValueMode::CaptureTime)];
    let first_blood = prop_oneof![Just(vec![]), Just(vec![5, 3, 1]), Just(vec![50])];
    (gen_rule(), mode, first_blood).prop_map(|(rule, mode, first_blood)| Scoring {
        // rCTF depends on other challenges' counts: capture time is refused for it.
        mode: if rule.depends_on_max_solves() {
            ValueMode::Retroactive
        } else {
            mode
        },
        rule,
        first_blood,
    })
}

fn gen_throttle() -> impl Strategy<Value = Throttle> {
    let lockout = prop_oneof![
        Just(Lockout::Forever),
        Just(Lockout::Timeout(Span::from_secs(600)))
    ];
    let window = prop::option::of((1..3u32).prop_map(|attempts| RateWindow {
        attempts,
        per: Span::from_secs(300),
    }));
    let backoff = prop::option::of(prop_oneof![
        Just(Backoff::Quadratic {
            step: Span::from_secs(60)
        }),
        (1..3u32).prop_map(|free| Backoff::Linear {
            free,
            step: Span::from_secs(120)
        }),
    ]);
    (prop::option::of(1..4u32), lockout, window, backoff).prop_map(
        |(max_attempts, lockout, window, backoff)| Throttle {
            max_attempts,
            lockout,
            window,
            backoff,
        },
    )
}

fn gen_rules() -> impl Strategy<Value = GenRules> {
    let challenge = (
        gen_scoring(),
        prop_oneof![1 => Just(Throttle::default()), 2 => gen_throttle()],
        prop::collection::vec(
            (prop_oneof![Just(0i64), Just(10), Just(40)], any::<bool>()),
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(|(scoring, throttle, hints, after_previous)| GenChallenge {
            scoring,
            throttle,
            hints,
            after_previous,
        });
    (
        prop::collection::vec(challenge, 2..6),
        any::<bool>(),
        prop_oneof![
            Just(SharedRanks::Standard),
            Just(SharedRanks::Dense),
            Just(SharedRanks::Ordinal)
        ],
        prop_oneof![Just(HintCharge::Taken), Just(HintCharge::OnSolve)],
        prop::option::of((2..5u32).prop_map(|attempts| RateWindow {
            attempts,
            per: Span::from_secs(120),
        })),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(challenges, template_meta, shared, hint_charge, team_window, affect, freeze)| {
                GenRules {
                    challenges,
                    template_meta,
                    shared,
                    hint_charge,
                    team_window,
                    students_affect_values: affect,
                    freeze,
                }
            },
        )
}

/// Compiles a plain hunt from TOML, then sets the rules on the compiled form.
fn build(rules: &GenRules) -> Arc<Hunt> {
    let mut source = String::from(
        "id = \"rules\"\ntitle = \"Rules\"\nstart = 2026-01-01T00:00:00Z\nend = 2026-01-01T10:00:00Z\n",
    );
    if rules.freeze {
        source.push_str("freeze = 2026-01-01T05:00:00Z\n");
    }
    for i in 0..rules.challenges.len() {
        source.push_str(&format!(
            "\n[[challenge]]\nid = \"c{i}\"\ntitle = \"C{i}\"\npoints = 1\nanswers = [\"ans{i}\", \"alt{i}\"]\npartial = [{{ answer = \"part{i}\", reply = \"keep going\" }}]\n"
        ));
    }
    let mut hunt = hunt_core::definition::load(&source).expect("valid hunt");
    hunt.shared_ranks = rules.shared;
    hunt.hint_charge = rules.hint_charge;
    hunt.team_window = rules.team_window;
    hunt.divisions = vec![
        Division {
            name: "students".into(),
            affects_values: rules.students_affect_values,
        },
        Division {
            name: "pros".into(),
            affects_values: true,
        },
    ];
    let last = rules.challenges.len() - 1;
    for (i, (c, spec)) in hunt
        .challenges
        .iter_mut()
        .zip(&rules.challenges)
        .enumerate()
    {
        c.scoring = spec.scoring.clone();
        c.throttle = spec.throttle;
        c.hints = spec
            .hints
            .iter()
            .enumerate()
            .map(|(k, (cost, requires_previous))| Hint {
                slug: format!("h{k}"),
                content: format!("hint {k} of c{i}"),
                cost: *cost,
                requires: (*requires_previous && k > 0).then(|| k - 1),
            })
            .collect();
        if i > 0 && spec.after_previous {
            c.unlock = UnlockRule::Solved(ChallengeId(i as u32 - 1));
        }
    }
    if rules.template_meta && last >= 2 {
        let meta = &mut hunt.challenges[last];
        meta.unlock = UnlockRule::AllOf(vec![
            UnlockRule::Solved(ChallengeId(0)),
            UnlockRule::Solved(ChallengeId(1)),
        ]);
        meta.answers.accepted = Accepted::Template(
            AnswerTemplate::parse("{c0}+{c1}", |slug| match slug {
                "c0" => Some(ChallengeId(0)),
                "c1" => Some(ChallengeId(1)),
                _ => None,
            })
            .expect("valid template"),
        );
        meta.answers.partials.clear();
    }
    Arc::new(hunt)
}

fn is_template(hunt: &Hunt, challenge: usize) -> bool {
    matches!(
        hunt.challenges[challenge].answers.accepted,
        Accepted::Template(_)
    )
}

/// A generated command; answers of the template meta are filled in at run time from the
/// team's own feeder answers.
#[derive(Debug, Clone)]
enum Act {
    Register(&'static str, Option<&'static str>),
    Submit(u32, usize, u8, u128),
    Adjust(u32, i64),
    Hide(u32, bool),
    Hint(u32, usize, usize),
    Grant(u32, usize),
    Reveal,
}

fn gen_act(challenges: usize) -> impl Strategy<Value = Act> {
    let names = prop_oneof![
        Just("alpha"),
        Just("beta"),
        Just("gamma"),
        Just("delta"),
        Just("epsilon")
    ];
    // The hunt declares divisions, so a registration names one: in any case, as ids match.
    let division = prop_oneof![Just("students"), Just("pros"), Just("PROS")].prop_map(Some);
    prop_oneof![
        4 => (names, division).prop_map(|(n, d)| Act::Register(n, d)),
        14 => (0..5u32, 0..challenges, 0..8u8, 0..40u128)
            .prop_map(|(t, c, kind, key)| Act::Submit(t, c, kind, key)),
        2 => (0..6u32, prop_oneof![Just(-30i64), Just(25), Just(100)])
            .prop_map(|(t, d)| Act::Adjust(t, d)),
        1 => (0..6u32, any::<bool>()).prop_map(|(t, h)| Act::Hide(t, h)),
        3 => (0..6u32, 0..challenges, 0..3usize).prop_map(|(t, c, h)| Act::Hint(t, c, h)),
        1 => (0..6u32, 0..challenges).prop_map(|(t, c)| Act::Grant(t, c)),
        1 => Just(Act::Reveal),
    ]
}

/// Minutes in time order (one clock), from a little before the start to after the end.
fn gen_timed(challenges: usize, min: i64, max: i64) -> impl Strategy<Value = Vec<(i64, Act)>> {
    prop::collection::vec((min..max, gen_act(challenges)), 1..100).prop_map(|mut acts| {
        acts.sort_by_key(|(minute, _)| *minute);
        acts
    })
}

fn at(hunt: &Hunt, minute: i64) -> Timestamp {
    hunt.start
        .saturating_add(Span::from_millis(minute * MINUTE))
}

fn command(state: &HuntState, act: &Act) -> Command {
    match act {
        Act::Register(name, division) => Command::Register {
            name: (*name).to_owned(),
            division: division.map(str::to_owned),
        },
        Act::Submit(team, c, kind, key) => {
            let answer = if is_template(state.hunt(), *c) && *kind < 3 {
                // The team's own feeder answers, as the template builds them.
                let feeder = |f: u32| {
                    state
                        .team(TeamId(*team))
                        .and_then(|t| t.solve_of(ChallengeId(f)))
                        .map_or("none".to_owned(), |s| s.answer.trim().to_owned())
                };
                format!("{}+{}", feeder(0), feeder(1))
            } else {
                match kind {
                    0 | 1 => format!("ans{c}"),
                    2 => format!(" ALT{c} "),
                    3 => format!("part{c}"),
                    _ => format!("wrong{}", key % 6),
                }
            };
            Command::Submit {
                team: TeamId(*team),
                challenge: format!("c{c}"),
                answer,
                key: IdempotencyKey(*key),
            }
        }
        Act::Adjust(team, delta) => Command::Adjust {
            team: TeamId(*team),
            delta: *delta,
            reason: "manual".into(),
        },
        Act::Hide(team, hidden) => Command::SetHidden {
            team: TeamId(*team),
            hidden: *hidden,
        },
        Act::Hint(team, c, h) => Command::TakeHint {
            team: TeamId(*team),
            challenge: format!("c{c}"),
            hint: format!("h{h}"),
        },
        Act::Grant(team, c) => Command::GrantAttempts {
            team: TeamId(*team),
            challenge: format!("c{c}"),
            extra: 1,
        },
        Act::Reveal => Command::RevealBoard { force: true },
    }
}

/// A submission refused without judging, with the log length when it was decided.
#[derive(Debug, Clone)]
struct Refused {
    log_len: usize,
    team: TeamId,
    challenge: usize,
    now: i64,
    verdict: Verdict,
}

fn run(hunt: &Arc<Hunt>, acts: &[(i64, Act)]) -> (HuntState, Vec<Recorded>, Vec<Refused>) {
    let mut state = HuntState::new(hunt.clone(), None).expect("no sealed answers");
    let mut log = Vec::new();
    let mut refused = Vec::new();
    for (minute, act) in acts {
        let now = at(hunt, *minute);
        let command = command(&state, act);
        let Ok(decision) = state.decide(&command, now) else {
            continue;
        };
        if let (
            Act::Submit(team, c, ..),
            Outcome::Verdict(v @ (Verdict::Throttled { .. } | Verdict::AttemptsExhausted)),
        ) = (act, &decision.outcome)
        {
            refused.push(Refused {
                log_len: log.len(),
                team: TeamId(*team),
                challenge: *c,
                now: now.as_millis(),
                verdict: v.clone(),
            });
        }
        let judged = !decision.events.is_empty() && matches!(act, Act::Submit(..));
        for event in decision.events {
            let recorded = Recorded {
                seq: state.seq() + 1,
                event,
            };
            state.apply(&recorded).expect("decided events apply");
            log.push(recorded);
        }
        // A retry with the same key gets exactly the verdict the caller was given: the
        // outcome `apply` stored equals the one `decide` returned.
        if judged && let Outcome::Verdict(verdict) = decision.outcome {
            let retry = state.decide(&command, now).expect("a valid retry");
            assert_eq!(
                retry.outcome,
                Outcome::Verdict(Verdict::Duplicate {
                    original: Box::new(verdict)
                })
            );
        }
    }
    (state, log, refused)
}

/// What the oracle knows of one team.
#[derive(Debug, Clone, Default)]
struct OTeam {
    hidden: bool,
    division: Option<String>,
    /// Solves: challenge → (time, answer), plus the order of solves of each challenge is
    /// kept in `OBoard::solvers`.
    solves: BTreeMap<usize, (i64, String)>,
    /// (time, delta) of adjustments.
    adjustments: Vec<(i64, i64)>,
    /// (challenge, hint, time) of hints taken, first take only.
    hints: Vec<(usize, usize, i64)>,
    score: i64,
    reached_at: Option<i64>,
}

#[derive(Debug, Clone, Default)]
struct OBoard {
    teams: Vec<OTeam>,
    /// Solvers of each challenge in log order.
    solvers: Vec<Vec<usize>>,
    revealed: bool,
}

fn affects(hunt: &Hunt, t: &OTeam) -> bool {
    !t.hidden
        && t.division
            .as_deref()
            .and_then(|d| hunt.divisions.iter().find(|x| x.name == d))
            .is_none_or(|d| d.affects_values)
}

/// Folds events from scratch into scores: values from the final solver lists and flags.
fn oracle_board<'a>(hunt: &Hunt, events: impl IntoIterator<Item = &'a Event>) -> OBoard {
    let mut b = OBoard {
        solvers: vec![Vec::new(); hunt.challenges.len()],
        ..OBoard::default()
    };
    for event in events {
        match event {
            Event::TeamRegistered { team, division, .. } => {
                assert_eq!(team.index(), b.teams.len());
                b.teams.push(OTeam {
                    division: division.clone(),
                    ..OTeam::default()
                });
            }
            Event::SubmissionJudged {
                team,
                challenge,
                answer,
                judged: JudgedAs::Correct,
                at,
                ..
            } => {
                let c = hunt.challenge_by_slug(challenge).expect("known").id.index();
                let t = &mut b.teams[team.index()];
                assert!(
                    !t.solves.contains_key(&c),
                    "{team} solved {challenge} twice"
                );
                t.solves.insert(c, (at.as_millis(), answer.clone()));
                b.solvers[c].push(team.index());
            }
            Event::PointsAdjusted {
                team, delta, at, ..
            } => b.teams[team.index()]
                .adjustments
                .push((at.as_millis(), *delta)),
            Event::TeamHidden { team, hidden, .. } => b.teams[team.index()].hidden = *hidden,
            Event::HintTaken {
                team,
                challenge,
                hint,
                at,
                ..
            } => {
                let c = hunt.challenge_by_slug(challenge).expect("known");
                let h = c.hints.iter().position(|x| &x.slug == hint).expect("known");
                let t = &mut b.teams[team.index()];
                if !t
                    .hints
                    .iter()
                    .any(|(hc, hh, _)| *hc == c.id.index() && *hh == h)
                {
                    t.hints.push((c.id.index(), h, at.as_millis()));
                }
            }
            Event::BoardRevealed { .. } => b.revealed = true,
            _ => {}
        }
    }
    // Counted solvers and the most-solved count.
    let counted: Vec<Vec<bool>> = b
        .solvers
        .iter()
        .map(|s| s.iter().map(|t| affects(hunt, &b.teams[*t])).collect())
        .collect();
    let max_solves = counted
        .iter()
        .map(|c| c.iter().filter(|x| **x).count() as u32)
        .max()
        .unwrap_or(0);
    let mut points = vec![BTreeMap::new(); b.teams.len()];
    for (c, solvers) in b.solvers.iter().enumerate() {
        let scoring = &hunt.challenges[c].scoring;
        let total = counted[c].iter().filter(|x| **x).count() as u32;
        let mut before = 0u32;
        for (k, team) in solvers.iter().enumerate() {
            let is_counted = counted[c][k];
            let n = match scoring.mode {
                ValueMode::CaptureTime => before + 1,
                _ => total,
            };
            let value = scoring.rule.value(n, max_solves);
            let bonus = if is_counted && (before as usize) < scoring.first_blood.len() {
                value * i64::from(scoring.first_blood[before as usize]) / 100
            } else {
                0
            };
            points[*team].insert(c, value + bonus);
            before += u32::from(is_counted);
        }
    }
    let end = hunt.end.as_millis();
    for (i, t) in b.teams.iter_mut().enumerate() {
        let mut score = 0;
        let mut reached: Option<i64> = None;
        let mut touch = |at: i64| reached = Some(reached.map_or(at, |r| r.max(at)));
        for (c, (at, _)) in &t.solves {
            score += points[i][c];
            let ch = &hunt.challenges[*c];
            if ch.tie_break && ch.scoring.rule.initial() != 0 {
                touch(*at);
            }
        }
        for (at, delta) in &t.adjustments {
            score += delta;
            touch(*at);
        }
        for (c, h, at) in &t.hints {
            let cost = hunt.challenges[*c].hints[*h].cost;
            if *at >= end || cost == 0 {
                continue;
            }
            let charged_at = match hunt.hint_charge {
                HintCharge::OnSolve => t.solves.get(c).map(|(solved, _)| (*solved).max(*at)),
                _ => Some(*at),
            };
            if let Some(charged_at) = charged_at {
                score -= cost;
                touch(charged_at);
            }
        }
        t.score = score;
        t.reached_at = reached;
    }
    b
}

/// (place, team, score) rows of the visible teams matching `keep`, places counted among them.
fn oracle_rows(hunt: &Hunt, b: &OBoard, keep: impl Fn(&OTeam) -> bool) -> Vec<(u32, TeamId, i64)> {
    let mut keyed: Vec<((i64, i64), usize)> = b
        .teams
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.hidden && keep(t))
        .map(|(i, t)| ((-t.score, t.reached_at.unwrap_or(i64::MAX)), i))
        .collect();
    keyed.sort();
    let keys: Vec<(i64, i64)> = keyed.iter().map(|(k, _)| *k).collect();
    keyed
        .iter()
        .enumerate()
        .map(|(pos, (key, i))| {
            let better = keys.iter().filter(|k| *k < key).count();
            let distinct = keys
                .iter()
                .filter(|k| *k < key)
                .collect::<BTreeSet<_>>()
                .len();
            let place = match hunt.shared_ranks {
                SharedRanks::Dense => distinct,
                SharedRanks::Ordinal => pos,
                _ => better,
            } as u32
                + 1;
            (place, TeamId(*i as u32), b.teams[*i].score)
        })
        .collect()
}

fn rows(state: &HuntState) -> Vec<(u32, TeamId, i64)> {
    state
        .standings()
        .into_iter()
        .map(|r| (r.place, r.team, r.score))
        .collect()
}

fn division_rows(state: &HuntState, division: &str) -> Vec<(u32, TeamId, i64)> {
    state
        .division_page(division, 0, usize::MAX)
        .into_iter()
        .map(|r| (r.place, r.team, r.score))
        .collect()
}

/// The oracle's throttle: the simplest reading of each policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Free,
    Exhausted,
    Until(i64),
}

fn window(attempts: u32, per: i64, times: &[i64], now: i64) -> Option<i64> {
    let inside: Vec<i64> = times
        .iter()
        .copied()
        .filter(|t| *t > now - per && *t <= now)
        .collect();
    (inside.len() >= attempts as usize).then(|| inside[inside.len() - attempts as usize] + per)
}

fn expect_throttle(
    throttle: &Throttle,
    team_window: Option<RateWindow>,
    times: &[i64],
    extra: u32,
    team_times: &[i64],
    now: i64,
) -> Expect {
    let mut until: Vec<i64> = Vec::new();
    if let Some(max) = throttle.max_attempts {
        match throttle.lockout {
            Lockout::Timeout(per) => until.extend(window(max + extra, per.as_millis(), times, now)),
            _ if times.len() >= (max + extra) as usize => return Expect::Exhausted,
            _ => {}
        }
    }
    if let Some(w) = throttle.window {
        until.extend(window(w.attempts, w.per.as_millis(), times, now));
    }
    match throttle.backoff {
        Some(Backoff::Quadratic { step }) => {
            let newest_first: Vec<i64> = times.iter().rev().copied().collect();
            for (i, t) in newest_first.iter().enumerate() {
                let blocked = t + (i * i) as i64 * step.as_millis();
                if now < blocked {
                    until.push(blocked);
                }
            }
        }
        Some(Backoff::Linear { free, step }) if times.len() > free as usize => {
            let blocked = times.last().expect("non-empty")
                + (times.len() as i64 - i64::from(free)) * step.as_millis();
            if now < blocked {
                until.push(blocked);
            }
        }
        _ => {}
    }
    if let Some(w) = team_window {
        until.extend(window(w.attempts, w.per.as_millis(), team_times, now));
    }
    until.into_iter().max().map_or(Expect::Free, Expect::Until)
}

/// The oracle's record of wrong guesses and grants, folded from the log.
#[derive(Default)]
struct Guessing {
    /// (team, challenge) → distinct normalized guesses and their times.
    guesses: BTreeMap<(usize, usize), (BTreeSet<String>, Vec<i64>)>,
    /// team → times of all its counted wrong guesses.
    team_times: BTreeMap<usize, Vec<i64>>,
    /// (team, challenge) → extra attempts granted.
    extra: BTreeMap<(usize, usize), u32>,
}

impl Guessing {
    fn expect(&self, hunt: &Hunt, team: usize, c: usize, now: i64) -> Expect {
        expect_throttle(
            &hunt.challenges[c].throttle,
            hunt.team_window,
            self.guesses.get(&(team, c)).map_or(&[][..], |g| &g.1[..]),
            self.extra.get(&(team, c)).copied().unwrap_or(0),
            self.team_times.get(&team).map_or(&[][..], |t| &t[..]),
            now,
        )
    }

    fn check(&self, hunt: &Hunt, r: &Refused) -> Result<(), String> {
        let got = self.expect(hunt, r.team.index(), r.challenge, r.now);
        let want = match r.verdict {
            Verdict::AttemptsExhausted => Expect::Exhausted,
            Verdict::Throttled { retry_at } => Expect::Until(retry_at.as_millis()),
            _ => unreachable!("only refusals are recorded"),
        };
        if got == want {
            Ok(())
        } else {
            Err(format!("refusal {r:?}: the oracle expects {got:?}"))
        }
    }
}

/// Walks the log checking every judged submission was allowed and every refusal was right,
/// and that template metas were judged against the team's own feeder answers.
fn check_submissions(hunt: &Hunt, log: &[Recorded], refused: &[Refused]) -> Result<(), String> {
    let mut seen = Guessing::default();
    let mut answers: BTreeMap<(usize, usize), String> = BTreeMap::new();
    let mut pending = refused.iter().peekable();
    for (position, recorded) in log.iter().enumerate() {
        while let Some(r) = pending.next_if(|r| r.log_len == position) {
            seen.check(hunt, r)?;
        }
        match &recorded.event {
            Event::SubmissionJudged {
                team,
                challenge,
                answer,
                judged,
                at,
                ..
            } => {
                let c = hunt.challenge_by_slug(challenge).expect("known").id.index();
                let (team, now) = (team.index(), at.as_millis());
                let e = seen.expect(hunt, team, c, now);
                if e != Expect::Free {
                    return Err(format!("event {} was judged while {e:?}", recorded.seq));
                }
                if is_template(hunt, c) {
                    let caseless = |s: &str| Normalization::Caseless.apply(s);
                    let feeder = |f: usize| answers.get(&(team, f)).map(|a| caseless(a));
                    let expected = match (feeder(0), feeder(1)) {
                        (Some(a), Some(b)) => Some(caseless(&format!("{a}+{b}"))),
                        _ => None,
                    };
                    let right = expected.as_deref() == Some(caseless(answer).as_str());
                    if right != matches!(judged, JudgedAs::Correct) {
                        return Err(format!(
                            "event {}: template judged {judged:?}",
                            recorded.seq
                        ));
                    }
                }
                match judged {
                    JudgedAs::Correct => {
                        answers.insert((team, c), answer.clone());
                    }
                    JudgedAs::Incorrect { guess } => {
                        let entry = seen.guesses.entry((team, c)).or_default();
                        if entry.0.insert(guess.clone()) {
                            entry.1.push(now);
                            seen.team_times.entry(team).or_default().push(now);
                        }
                    }
                    _ => {}
                }
            }
            Event::AttemptsGranted {
                team,
                challenge,
                extra,
                ..
            } => {
                let c = hunt.challenge_by_slug(challenge).expect("known").id.index();
                *seen.extra.entry((team.index(), c)).or_default() += extra;
            }
            _ => {}
        }
    }
    pending.try_for_each(|r| seen.check(hunt, r))
}

/// Everything a public view shows, as JSON: equal JSON means byte-identical views.
fn public_json(state: &HuntState) -> String {
    let public = state.public();
    let mut views = serde_json::json!({
        "board": public.standings(),
        "timelines": public.top_timelines(10),
        "divisions": DIVISIONS.map(|d| public.division_page(d, 0, usize::MAX)),
    });
    let challenges: Vec<_> = public
        .hunt()
        .challenges
        .iter()
        .map(|c| (public.solve_count(c.id), public.current_value(c.id)))
        .collect();
    views["challenges"] = serde_json::json!(challenges);
    views.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_rule_mixed_equals_the_oracle(
        (rules, acts) in gen_rules().prop_flat_map(|r| {
            let n = r.challenges.len();
            // The whole hunt and more, or a burst of 30 minutes where throttles bite.
            let acts = prop_oneof![gen_timed(n, -10, 640), gen_timed(n, 280, 310)];
            (Just(r), acts)
        })
    ) {
        let hunt = build(&rules);
        let (state, log, refused) = run(&hunt, &acts);

        let live = oracle_board(&hunt, log.iter().map(|r| &r.event));
        prop_assert_eq!(rows(&state), oracle_rows(&hunt, &live, |_| true));
        for d in DIVISIONS {
            prop_assert_eq!(
                division_rows(&state, d),
                oracle_rows(&hunt, &live, |t| t.division.as_deref() == Some(d))
            );
        }
        for (i, t) in live.teams.iter().enumerate() {
            let team = TeamId(i as u32);
            prop_assert_eq!(state.team_row(team).map(|r| r.score), Some(t.score));
            let timeline = state.timeline(team);
            prop_assert_eq!(timeline.last().map_or(0, |p| p.score), t.score);
            prop_assert!(timeline.windows(2).all(|w| w[0].at <= w[1].at));
        }

        // The public board: as of the freeze until the reveal.
        let freeze = hunt.freeze.map(Timestamp::as_millis);
        let public = if live.revealed || freeze.is_none() {
            live.clone()
        } else {
            let freeze = freeze.expect("a freeze");
            oracle_board(&hunt, log.iter().map(|r| &r.event).filter(|e| e.at().as_millis() < freeze))
        };
        prop_assert_eq!(rows(state.public()), oracle_rows(&hunt, &public, |_| true));
        for (i, t) in public.teams.iter().enumerate() {
            let team = TeamId(i as u32);
            let timeline = state.public().timeline(team);
            prop_assert_eq!(timeline.last().map_or(0, |p| p.score), t.score);
        }

        check_submissions(&hunt, &log, &refused).map_err(TestCaseError::fail)?;

        // Replaying the log gives the same state, public board included.
        let replayed = HuntState::replay(hunt.clone(), None, &log).expect("the log replays");
        prop_assert_eq!(rows(&replayed), rows(&state));
        prop_assert_eq!(public_json(&replayed), public_json(&state));
        // And so does a snapshot of it.
        let restored = HuntState::decode_snapshot(hunt.clone(), None, &state.encode_snapshot())
            .expect("a fresh snapshot decodes");
        prop_assert_eq!(rows(&restored), rows(&state));
        prop_assert_eq!(public_json(&restored), public_json(&state));
        for i in 0..state.team_count() {
            let team = TeamId(i as u32);
            prop_assert_eq!(replayed.team(team), state.team(team));
            prop_assert_eq!(restored.team(team), state.team(team));
            prop_assert_eq!(replayed.progress(team, hunt.end), state.progress(team, hunt.end));
            prop_assert_eq!(restored.progress(team, hunt.end), state.progress(team, hunt.end));
        }
    }

    #[test]
    fn logs_equal_up_to_the_freeze_give_identical_public_views(
        (rules, before, after_a, after_b) in gen_rules().prop_flat_map(|r| {
            let n = r.challenges.len();
            (
                Just(GenRules { freeze: true, ..r }),
                gen_timed(n, -10, FREEZE_MINUTE),
                gen_timed(n, FREEZE_MINUTE, 640),
                gen_timed(n, FREEZE_MINUTE, 640),
            )
        })
    ) {
        let hunt = build(&rules);
        let without_reveal = |acts: &[(i64, Act)]| -> Vec<(i64, Act)> {
            acts.iter().filter(|(_, a)| !matches!(a, Act::Reveal)).cloned().collect()
        };
        let before = without_reveal(&before);
        let a: Vec<_> = before.iter().cloned().chain(without_reveal(&after_a)).collect();
        let b: Vec<_> = before.iter().cloned().chain(without_reveal(&after_b)).collect();
        let (state_a, ..) = run(&hunt, &a);
        let (state_b, ..) = run(&hunt, &b);
        prop_assert_eq!(public_json(&state_a), public_json(&state_b));

        // And they are the board of the log before the freeze alone.
        let (frozen, ..) = run(&hunt, &before);
        prop_assert_eq!(public_json(&state_a), public_json(&frozen));
    }
}

/// Applies `log` to a fresh state in three runs: bulk up to `cut.0`, event by event up to
/// `cut.1`, bulk to the end; a live state catching up with bulk reads does this.
fn mixed_replay(hunt: &Arc<Hunt>, log: &[Recorded], cut: (f64, f64)) -> HuntState {
    let at = |f: f64| (log.len() as f64 * f) as usize;
    let (first, second) = (at(cut.0.min(cut.1)), at(cut.0.max(cut.1)));
    let mut state = HuntState::new(hunt.clone(), None).expect("no sealed answers");
    let mut bulk = state.bulk();
    for recorded in &log[..first] {
        bulk.apply(recorded).expect("the log replays");
    }
    drop(bulk);
    for recorded in &log[first..second] {
        state.apply(recorded).expect("the log replays");
    }
    let mut bulk = state.bulk();
    for recorded in &log[second..] {
        bulk.apply(recorded).expect("the log replays");
    }
    drop(bulk);
    state
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Bulk replay prices each stale challenge once at its end and ranks once: it must give
    /// the very bytes the live state, priced and ranked event by event, gives, for every
    /// rule, hidden teams toggled, with and without a score-threshold unlock (which keeps
    /// peak scores, and so prices as it goes).
    #[test]
    fn live_and_bulk_replay_give_byte_identical_snapshots(
        (rules, acts, threshold, cut) in gen_rules().prop_flat_map(|r| {
            let n = r.challenges.len();
            let acts = prop_oneof![gen_timed(n, -10, 640), gen_timed(n, 280, 310)];
            (Just(r), acts, prop::option::of(50..400i64), (0.0..1.0f64, 0.0..1.0f64))
        })
    ) {
        let mut hunt = build(&rules);
        if let Some(min) = threshold {
            let mut edited = (*hunt).clone();
            let last = edited.challenges.len() - 1;
            edited.challenges[last].unlock = UnlockRule::ScoreAtLeast(min);
            hunt = Arc::new(edited);
        }
        let (live, log, _) = run(&hunt, &acts);
        let bulk = HuntState::replay(hunt.clone(), None, &log).expect("the log replays");
        let mixed = mixed_replay(&hunt, &log, cut);
        for other in [&bulk, &mixed] {
            prop_assert!(live.encode_snapshot() == other.encode_snapshot());
            prop_assert_eq!(rows(other), rows(&live));
            prop_assert_eq!(public_json(other), public_json(&live));
            for d in DIVISIONS {
                prop_assert_eq!(division_rows(other, d), division_rows(&live, d));
            }
        }
        if threshold.is_none() {
            prop_assert!(live.teams().all(|(_, t)| t.peak_score == 0));
        }
    }
}

/// The oracle must catch a wrong price, or the property proves nothing: a capture-time
/// challenge priced retroactively gives other scores.
#[test]
fn the_oracle_notices_a_mispriced_solve() {
    let mut rules = GenRules {
        challenges: vec![
            GenChallenge {
                scoring: Scoring {
                    rule: ValueRule::CtfdLinear {
                        initial: 500,
                        minimum: 100,
                        decay: 100,
                    },
                    mode: ValueMode::CaptureTime,
                    first_blood: vec![],
                },
                throttle: Throttle::default(),
                hints: vec![],
                after_previous: false,
            };
            2
        ],
        template_meta: false,
        shared: SharedRanks::Standard,
        hint_charge: HintCharge::Taken,
        team_window: None,
        students_affect_values: true,
        freeze: false,
    };
    let acts = vec![
        (1, Act::Register("alpha", Some("pros"))),
        (2, Act::Register("beta", Some("pros"))),
        (3, Act::Submit(0, 0, 0, 1)),
        (4, Act::Submit(1, 0, 0, 2)),
    ];
    let (state, log, _) = run(&build(&rules), &acts);
    assert_eq!(rows(&state)[0].2, 500);
    assert_eq!(rows(&state)[1].2, 400);
    // The same log judged by an oracle that believes the challenge is retroactive.
    rules.challenges[0].scoring.mode = ValueMode::Retroactive;
    let retro = build(&rules);
    let board = oracle_board(&retro, log.iter().map(|r| &r.event));
    assert_ne!(rows(&state), oracle_rows(&retro, &board, |_| true));
}
