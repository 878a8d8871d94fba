//! `hunt demo`: simulates a whole hunt on a sample hunt, on a real store: a fresh sled
//! directory by default, or a fresh schema of the PostgreSQL server `--store` names.
//!
//! Time is an input to the engine, so the simulation runs on a simulated clock: each simulated
//! minute, every team may act at some second inside that minute, and the minute's submissions
//! and hints go to the engine together (so the store flushes once per minute, by group
//! commit). Teams differ in skill; they type right answers in messy ways, make wrong guesses
//! (and repeat some, which is free), hit partial answers, try locked challenges, and retry
//! submissions with the same idempotency key as a flaky network would. Weaker teams take
//! hints (sometimes one that needs another first), one team hammers wrong answers and gets
//! throttled, metas built from their feeders' answers unlock as the feeders are solved, and a
//! hunt with a freeze ends with its frozen public board, the live one, and the reveal.
//!
//! The simulation reads its answers from the compiled hunt (plain answers, answer templates
//! expanded with the team's own feeder answers, partial answers), so it runs any hunt file
//! whose answers are not regexes or sealed; those challenges only ever get wrong guesses.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use hunt_core::answer::{Accepted, Judgement};
use hunt_core::engine::Engine;
use hunt_core::hunt::{Challenge, Hunt};
use hunt_core::state::{ChallengeView, HintReply, HuntState, Outcome};
use hunt_core::{Command, IdempotencyKey, Span, TeamId, Timestamp, Verdict};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinSet;

mod ending;
mod live;
mod place;

use crate::failure::Failure;
use crate::rng::Rng;
use crate::store::Selection;
use crate::{graph, render};
use place::Place;

/// The sample hunt the demo runs by default, and where it comes from.
const HUNT: &str = include_str!("../../../hunts/treasure.toml");
const HUNT_ORIGIN: &str = "examples/hunts/treasure.toml";

/// Team names; past the end of the list they repeat with a number.
const NAMES: &[&str] = &[
    "Sea Otters",
    "Null Pointers",
    "Rust Buckets",
    "The Krakens",
    "Bit Flippers",
    "Off By One",
    "Segfault Sailors",
    "Lambda Lions",
    "Heap Pirates",
    "Borrow Checkers",
    "Stack Smashers",
    "Tidal Hackers",
    "Compass Roses",
    "Deep Divers",
    "Salty Sysadmins",
    "Anchor Team",
    "Cache Misses",
    "Fog Horns",
    "Lighthouse Keepers",
    "Mutable Mermaids",
    "Unsafe Harbour",
    "The Shipwrights",
    "Port Authority",
    "Byte Buccaneers",
];

/// Wrong guesses teams make, whatever the hunt; those a challenge would accept or take as
/// partial are left out for it.
const WRONG: &[&str] = &[
    "north",
    "fog",
    "seven",
    "anchor",
    "kraken",
    "tortuga",
    "lamp post",
    "blue",
    "eleven",
    "flag{nope}",
    "flag{admin}",
    "password",
];

/// Arguments of `hunt demo`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Runs on a fresh temporary store (its path is printed, so you can \
    explore it afterwards with `hunt --data DIR board`, `team show`, `log`...) unless --data \
    names a directory, which must not hold the hunt yet. With --store postgres://... it runs \
    on a fresh schema of that server (printed too) unless --schema or ?schema= names one, \
    which must not hold the hunt yet. The simulation runs on a simulated \
    clock: a 12-hour hunt takes about a second. The sample hunts in examples/hunts/ all run \
    with --hunt-file."
)]
pub struct Args {
    /// Number of teams
    #[arg(long, value_name = "N", default_value_t = 24,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub teams: u32,

    /// Simulated minutes from the hunt's start [default: the whole hunt]
    #[arg(long, value_name = "M", value_parser = clap::value_parser!(u32).range(1..))]
    pub minutes: Option<u32>,

    /// Seed of the simulation: the same seed plays the same hunt
    #[arg(long, value_name = "S", default_value_t = 2026)]
    pub seed: u64,

    /// The hunt to simulate [default: the sample treasure hunt, examples/hunts/treasure.toml]
    #[arg(long, value_name = "FILE")]
    pub hunt_file: Option<PathBuf>,

    /// Play the hunt live against the service (`hunt serve`) instead: open the printed
    /// board URL and watch it move; you can play too, with the printed join link
    #[arg(long)]
    pub serve: bool,

    /// With --serve: the address the service listens on (port 0: any free port)
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        requires = "serve"
    )]
    pub listen: std::net::SocketAddr,

    /// With --serve: how many times faster than real time the hunt plays (120: the
    /// 12-hour sample hunt in 6 minutes)
    #[arg(long, value_name = "N", default_value_t = 120, requires = "serve",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub speed: u32,
}

/// A simulated team.
struct Player {
    id: TeamId,
    skill: f64,
    /// Hammers wrong answers, and gets throttled.
    hammers: bool,
}

/// What the simulation knows about answering one challenge.
struct Sheet {
    /// How hard it is, from 0 (everyone gets it) to 1.
    difficulty: f64,
    /// Right answers as people type them; empty for templates, regexes and sealed answers.
    right: Vec<String>,
    /// Partial answers.
    partial: Vec<String>,
    /// Wrong guesses.
    wrong: Vec<&'static str>,
}

/// One action planned for the current minute.
enum Action {
    Submit {
        slug: String,
        answer: String,
        key: IdempotencyKey,
    },
    Hint {
        slug: String,
        hint: String,
    },
}

struct Planned {
    player: usize,
    at: Timestamp,
    action: Action,
}

/// Verdicts and hint replies counted over the simulation.
#[derive(Default)]
struct Tally {
    submissions: u64,
    correct: u64,
    incorrect: u64,
    repeats: u64,
    partial: u64,
    locked: u64,
    already_solved: u64,
    duplicates: u64,
    throttled: u64,
    exhausted: u64,
    other: u64,
    hints: u64,
    hint_points: i64,
    hints_needing_another: u64,
}

impl Tally {
    fn count(&mut self, verdict: &Verdict) {
        self.submissions += 1;
        match verdict {
            Verdict::Correct { .. } => self.correct += 1,
            Verdict::Incorrect { repeated, .. } => {
                self.incorrect += 1;
                self.repeats += u64::from(*repeated);
            }
            Verdict::Partial { .. } => self.partial += 1,
            Verdict::Locked => self.locked += 1,
            Verdict::AlreadySolved => self.already_solved += 1,
            Verdict::Duplicate { .. } => self.duplicates += 1,
            Verdict::Throttled { .. } => self.throttled += 1,
            Verdict::AttemptsExhausted => self.exhausted += 1,
            _ => self.other += 1,
        }
    }

    fn count_hint(&mut self, reply: &HintReply) {
        match reply {
            HintReply::Revealed { cost, .. } => {
                self.hints += 1;
                self.hint_points += cost;
            }
            HintReply::RequiresHint { .. } => self.hints_needing_another += 1,
            _ => {}
        }
    }

    fn summary(&self) -> String {
        let mut line = format!(
            "{} submissions: {} correct, {} incorrect ({} of them repeats, free), {} partial, \
             {} locked, {} already solved, {} duplicate retries, {} throttled, {} with no \
             attempts left",
            self.submissions,
            self.correct,
            self.incorrect,
            self.repeats,
            self.partial,
            self.locked,
            self.already_solved,
            self.duplicates,
            self.throttled,
            self.exhausted,
        );
        if self.other > 0 {
            line.push_str(&format!(", {} other", self.other));
        }
        line.push_str(&format!(
            "\n{} hints taken, costing {} points in all; {} refused until the hint they \
             require was taken",
            self.hints, self.hint_points, self.hints_needing_another
        ));
        line
    }
}

/// Runs `hunt demo`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let started = Instant::now();
    let (source, origin) = match &args.hunt_file {
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| Failure::user(format!("cannot read {}: {e}", path.display())))?,
            path.display().to_string(),
        ),
        None => (HUNT.to_owned(), HUNT_ORIGIN.to_owned()),
    };
    let hunt = hunt_core::definition::load(&source)
        .map_err(|error| Failure::Definition { origin, error })?;
    let length = u32::try_from(hunt.end.since(hunt.start).as_millis() / 60_000).unwrap_or(u32::MAX);
    let minutes = args.minutes.unwrap_or(length);
    if minutes > length {
        return Err(Failure::user(format!(
            "hunt `{}` lasts {length} minutes: --minutes can be at most {length}",
            hunt.id
        )));
    }
    let place = Place::choose(selection)?;
    let store = place.open().await?;
    if store.load_definition(&hunt.id).await?.is_some() {
        return Err(Failure::user(format!(
            "{} already holds the hunt `{}`: {}",
            place.shown(),
            hunt.id,
            place.fresh_advice()
        )));
    }
    let engine = Arc::new(Engine::create(store.clone(), &source, None).await?);
    let start = hunt.start;
    writeln!(
        out,
        "{}: {} teams, {minutes} simulated minutes, seed {}",
        hunt.title, args.teams, args.seed
    )?;
    writeln!(out, "Store: {}", place.shown())?;

    let sheets = sheets(&hunt);
    let mut rng = Rng::new(args.seed);
    let players = register(&engine, &hunt, args.teams, &mut rng).await?;
    let live = if args.serve {
        let files = place.files()?;
        Some(live::Live::start(&engine, &store, files, args.listen, args.speed, out).await?)
    } else {
        None
    };
    let progress = progress_bar(u64::from(minutes));
    let mut tally = Tally::default();
    let mut keys = 0u128;
    for minute in 0..i64::from(minutes) {
        let at = start.saturating_add(Span::from_secs(minute * 60));
        if let Some(live) = &live
            && !live.wait_until(at).await
        {
            break;
        }
        let plans = plan_minute(
            &engine.snapshot(),
            &sheets,
            &players,
            minute,
            at,
            &mut rng,
            &mut keys,
        );
        let mut batch = JoinSet::new();
        for plan in plans {
            let engine = engine.clone();
            let team = players[plan.player].id;
            batch.spawn(async move {
                let command = match &plan.action {
                    Action::Submit { slug, answer, key } => Command::Submit {
                        team,
                        challenge: slug.clone(),
                        answer: answer.clone(),
                        key: *key,
                    },
                    Action::Hint { slug, hint } => Command::TakeHint {
                        team,
                        challenge: slug.clone(),
                        hint: hint.clone(),
                    },
                };
                let outcome = engine.execute(command, plan.at).await;
                (plan, outcome)
            });
        }
        while let Some(joined) = batch.join_next().await {
            let (plan, outcome) =
                joined.map_err(|e| Failure::user(format!("a simulated team failed: {e}")))?;
            match outcome? {
                Outcome::Verdict(verdict) => {
                    tally.count(&verdict);
                    if let (
                        Verdict::Correct {
                            first_solve: true, ..
                        },
                        Action::Submit { slug, .. },
                    ) = (&verdict, &plan.action)
                    {
                        let line =
                            first_blood(&engine.snapshot(), &players[plan.player], slug, plan.at);
                        progress.suspend(|| writeln!(out, "{line}"))?;
                    }
                }
                Outcome::Hint(reply) => tally.count_hint(&reply),
                _ => {}
            }
        }
        if let Some(leader) = engine.snapshot().top(1).first() {
            progress.set_message(format!("leader: {} ({})", leader.name, leader.score));
        }
        progress.inc(1);
    }
    progress.finish_and_clear();

    writeln!(out, "\n{}", tally.summary())?;
    let end = start.saturating_add(Span::from_secs(i64::from(minutes) * 60));
    ending::finish(&engine, end, out).await?;
    // A verified checkpoint of the final state, so exploring the hunt afterwards opens
    // without replaying it. Only an optimisation: a failure is not worth stopping for.
    let _ = engine.checkpoint().await;

    let state = engine.snapshot();
    let graph_path = place.files()?.join("score-graph.svg");
    graph::draw(&state, &graph::series(&state, 10), end, &graph_path)?;
    writeln!(out, "\nScore graph: {}", graph_path.display())?;
    writeln!(
        out,
        "Explore the hunt: hunt {} board | team show \"{}\" | log",
        place.flags(),
        state
            .top(1)
            .first()
            .map_or("Sea Otters", |r| r.name.as_str())
    )?;
    writeln!(
        out,
        "(simulated in {:.1} s)",
        started.elapsed().as_secs_f64()
    )?;
    if let Some(live) = live {
        live.keep_serving(out).await?;
    }
    Ok(())
}

/// The line announcing a first blood.
fn first_blood(state: &HuntState, player: &Player, slug: &str, at: Timestamp) -> String {
    let name = state.team(player.id).map_or("?", |t| &t.name);
    let title = state
        .hunt()
        .challenge_by_slug(slug)
        .map_or(slug, |c| &c.title);
    format!("{}  first blood on \"{title}\" by {name}", render::time(at))
}

/// What the simulation knows of each challenge, by challenge id: the answers read from the
/// compiled hunt, spelled the ways people type them (each spelling checked by the challenge's
/// own checker), and a difficulty growing along the hunt, higher for metas.
fn sheets(hunt: &Hunt) -> Vec<Sheet> {
    let count = hunt.challenges.len().max(1) as f64;
    hunt.challenges
        .iter()
        .map(|c| {
            let judge = |raw: &str| c.answers.judge(&c.slug, raw, None).ok();
            let right = match &c.answers.accepted {
                Accepted::Plain(answers) => answers
                    .iter()
                    .flat_map(|a| spellings(a))
                    .filter(|s| judge(s) == Some(Judgement::Accepted))
                    .collect(),
                _ => Vec::new(),
            };
            let partial = c
                .answers
                .partials
                .iter()
                .flat_map(|p| spellings(&p.normalized))
                .filter(|s| matches!(judge(s), Some(Judgement::Partial(_))))
                .collect();
            let wrong = WRONG
                .iter()
                .copied()
                .filter(|w| matches!(judge(w), Some(Judgement::Wrong(_))))
                .collect();
            let position = c.id.index() as f64 / count;
            let difficulty = (0.1 + 0.5 * position + if c.meta { 0.15 } else { 0.0 }).min(0.85);
            Sheet {
                difficulty,
                right,
                partial,
                wrong,
            }
        })
        .collect()
}

/// An answer as people type it: as is, shouted, capitalized, padded, with a "!".
fn spellings(answer: &str) -> Vec<String> {
    let mut capitalized = answer.chars();
    let capitalized = capitalized
        .next()
        .map(|first| first.to_uppercase().chain(capitalized).collect())
        .unwrap_or_default();
    vec![
        answer.to_owned(),
        answer.to_uppercase(),
        capitalized,
        format!("  {answer} "),
        format!("{answer}!"),
    ]
}

/// The right answer of `challenge` for the team `state` describes, as it might type it: a
/// template is expanded with the team's own feeder answers. `None` if the simulation cannot
/// know it (regexes, sealed answers, a template's feeder not solved).
fn right_answer(
    challenge: &Challenge,
    sheet: &Sheet,
    team: &hunt_core::state::TeamState,
    rng: &mut Rng,
) -> Option<String> {
    match &challenge.answers.accepted {
        Accepted::Template(template) => {
            let expanded = template.expand(challenge.answers.normalization, |feeder| {
                team.solve_of(feeder).map(|s| s.answer.as_str())
            })?;
            // Shouted half the time, when the normalization allows it.
            let shouted = expanded.to_uppercase();
            let accepts = |raw: &str| {
                challenge
                    .answers
                    .judge_for_team(&challenge.slug, raw, None, |feeder| {
                        team.solve_of(feeder).map(|s| s.answer.as_str())
                    })
                    .is_ok_and(|j| j == Judgement::Accepted)
            };
            Some(if rng.chance(0.5) && accepts(&shouted) {
                shouted
            } else {
                expanded
            })
        }
        _ if sheet.right.is_empty() => None,
        _ => Some(rng.pick(&sheet.right).clone()),
    }
}

/// Registers the teams half an hour before the start, with skills spread by the seed, in the
/// hunt's declared divisions in turn (or every third team in "Students", the rest in "Open").
/// The weakest team hammers wrong answers.
async fn register(
    engine: &Arc<Engine>,
    hunt: &Hunt,
    teams: u32,
    rng: &mut Rng,
) -> Result<Vec<Player>, Failure> {
    let at = hunt.start.saturating_add(Span::from_secs(-30 * 60));
    let mut batch = JoinSet::new();
    for i in 0..teams as usize {
        let name = match i / NAMES.len() {
            0 => NAMES[i].to_owned(),
            round => format!("{} {}", NAMES[i % NAMES.len()], round + 1),
        };
        let division = match hunt.divisions.as_slice() {
            [] if i % 3 == 2 => "Students".to_owned(),
            [] => "Open".to_owned(),
            declared => declared[i % declared.len()].name.clone(),
        };
        let engine = engine.clone();
        batch.spawn(async move { engine.register(&name, Some(&division), at).await });
    }
    let mut players = Vec::with_capacity(teams as usize);
    while let Some(joined) = batch.join_next().await {
        let id = joined.map_err(|e| Failure::user(format!("registering failed: {e}")))??;
        players.push(Player {
            id,
            skill: 0.0,
            hammers: false,
        });
    }
    players.sort_by_key(|p| p.id);
    for player in &mut players {
        player.skill = 0.2 + 0.75 * rng.unit();
    }
    if teams > 1
        && let Some(weakest) = players
            .iter_mut()
            .min_by(|a, b| a.skill.total_cmp(&b.skill))
    {
        weakest.hammers = true;
    }
    Ok(players)
}

/// What each team does this minute, decided on the state at its start.
fn plan_minute(
    state: &HuntState,
    sheets: &[Sheet],
    players: &[Player],
    minute: i64,
    at: Timestamp,
    rng: &mut Rng,
    keys: &mut u128,
) -> Vec<Planned> {
    let hunt = state.hunt();
    // Teams play a 5-hour hunt at full pace and a longer one more slowly, so that its end (and
    // the freeze) still sees solves. Once the board is frozen they push harder for the last
    // stretch, so what the frozen board hides is worth revealing.
    let length = hunt.end.since(hunt.start).as_millis() as f64 / 60_000.0;
    let rush = if hunt.freeze.is_some_and(|freeze| at >= freeze) {
        RUSH
    } else {
        1.0
    };
    let pace = (300.0 / length).clamp(0.25, 1.0) * rush;
    let mut plans = Vec::new();
    for (index, player) in players.iter().enumerate() {
        let (Some(team), Some(progress)) = (state.team(player.id), state.progress(player.id, at))
        else {
            continue;
        };
        if team.solve_count() == hunt.challenges.len() {
            continue;
        }
        // Open, unsolved challenges with attempts left: (slug, throttled, untaken hints,
        // hints taken).
        let open: Vec<(&str, bool, Vec<&str>, usize)> = progress
            .challenges
            .iter()
            .filter_map(|view| match view {
                ChallengeView::Open {
                    slug,
                    solved: None,
                    retry_at,
                    hints,
                    attempts_left,
                    ..
                } if *attempts_left != Some(0) => Some((
                    slug.as_str(),
                    retry_at.is_some(),
                    hints
                        .iter()
                        .filter(|h| h.content.is_none())
                        .map(|h| h.slug.as_str())
                        .collect(),
                    hints.iter().filter(|h| h.content.is_some()).count(),
                )),
                _ => None,
            })
            .collect();
        let second = |rng: &mut Rng| {
            at.saturating_add(Span::from_secs(i64::try_from(rng.below(60)).unwrap_or(0)))
        };

        // The hammering team: bursts of fresh wrong guesses at one challenge, a few seconds
        // apart, whatever the throttle says.
        if player.hammers && minute % 30 < 3 && !open.is_empty() {
            let (slug, ..) = *rng.pick(&open);
            for burst in 0..5 {
                let key = next_key(keys);
                plans.push(Planned {
                    player: index,
                    at: at.saturating_add(Span::from_secs(burst * 2)),
                    action: Action::Submit {
                        slug: slug.to_owned(),
                        answer: format!("nope {}", letters(key.0)),
                        key,
                    },
                });
            }
            continue;
        }

        // Weaker teams take hints, more readily on a challenge they keep getting wrong.
        // They pick any hint not taken yet, so now and then one that needs another first.
        if player.skill < 0.6 && rng.chance(0.03 * (1.0 - player.skill)) {
            let hinted: Vec<_> = open
                .iter()
                .filter(|(.., untaken, _)| !untaken.is_empty())
                .collect();
            if !hinted.is_empty() {
                let (slug, _, untaken, _) = *rng.pick(&hinted);
                plans.push(Planned {
                    player: index,
                    at: second(rng),
                    action: Action::Hint {
                        slug: (*slug).to_owned(),
                        hint: (*rng.pick(untaken)).to_owned(),
                    },
                });
                continue;
            }
        }

        // Stronger teams submit more often; longer hunts are played more slowly.
        if !rng.chance(pace * (0.004 + 0.05 * player.skill * player.skill)) {
            continue;
        }
        // Most teams wait out a throttle; a few guess again too early.
        let ready: Vec<_> = open
            .iter()
            .filter(|(_, throttled, ..)| !throttled || rng.chance(0.1))
            .collect();
        let (challenge, hints_taken) = if rng.chance(0.02) {
            // Now and then a team guesses at a challenge it cannot see yet.
            (rng.pick(&hunt.challenges), 0)
        } else if ready.is_empty() {
            continue;
        } else {
            let (slug, _, _, taken) = **rng.pick(&ready);
            match hunt.challenge_by_slug(slug) {
                Some(challenge) => (challenge, taken),
                None => continue,
            }
        };
        let sheet = &sheets[challenge.id.index()];
        let p_right =
            0.03 + 0.85 * player.skill * (1.0 - sheet.difficulty) + 0.15 * hints_taken as f64;
        let key = next_key(keys);
        let answer = if rng.unit() < p_right
            && let Some(right) = right_answer(challenge, sheet, team, rng)
        {
            right
        } else if !sheet.partial.is_empty() && rng.chance(0.4) {
            rng.pick(&sheet.partial).clone()
        } else if !sheet.wrong.is_empty() {
            (*rng.pick(&sheet.wrong)).to_owned()
        } else {
            format!("nope {}", letters(key.0))
        };
        let plan = Planned {
            player: index,
            at: second(rng),
            action: Action::Submit {
                slug: challenge.slug.clone(),
                answer,
                key,
            },
        };
        // A flaky connection: the client sends the same submission again with the same key.
        let retry = rng.chance(0.03).then(|| match &plan.action {
            Action::Submit { slug, answer, key } => Planned {
                player: index,
                at: plan.at.saturating_add(Span::from_secs(1)),
                action: Action::Submit {
                    slug: slug.clone(),
                    answer: answer.clone(),
                    key: *key,
                },
            },
            Action::Hint { .. } => unreachable!("planned as a submission"),
        });
        plans.push(plan);
        plans.extend(retry);
    }
    plans
}

/// How much more often teams submit once the board is frozen.
const RUSH: f64 = 4.0;

/// A fresh idempotency key.
fn next_key(keys: &mut u128) -> IdempotencyKey {
    *keys += 1;
    IdempotencyKey(*keys)
}

/// `n` spelled in letters ("a", "b", …, "ba", …), so made-up guesses stay distinct under
/// normalizations that keep only letters.
fn letters(mut n: u128) -> String {
    let mut word = Vec::new();
    loop {
        word.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    word.reverse();
    String::from_utf8(word).unwrap_or_default()
}

/// The progress bar, on stderr (hidden when stderr is not a terminal).
fn progress_bar(minutes: u64) -> ProgressBar {
    let bar = ProgressBar::new(minutes);
    let style = ProgressStyle::with_template("{spinner} [{bar:32}] minute {pos}/{len}  {msg}")
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
