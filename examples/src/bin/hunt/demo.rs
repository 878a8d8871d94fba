//! `hunt demo`: simulates a whole hunt on the sample hackathon hunt, on a real sled store.
//!
//! Time is an input to the engine, so the simulation runs on a simulated clock: each simulated
//! minute, every team may make one submission at a time inside that minute, and the minute's
//! submissions go to the engine together (so the store flushes once per minute, by group
//! commit). Teams differ in skill; they type right answers in messy ways, make wrong guesses
//! (and repeat some, which is free), hit partial answers, try locked challenges, and retry
//! submissions with the same idempotency key as a flaky network would. The chained metas
//! unlock as their feeders are solved.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use hunt_core::engine::Engine;
use hunt_core::state::{ChallengeView, HuntState};
use hunt_core::{IdempotencyKey, Span, TeamId, Timestamp, Verdict};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinSet;

use crate::failure::Failure;
use crate::rng::Rng;
use crate::store::{self, Selection};
use crate::{board, graph, render};

/// The sample hunt the demo runs.
const HUNT: &str = include_str!("../../../hunts/hackathon.toml");

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

/// How a simulated team answers one challenge of the sample hunt.
struct Sheet {
    slug: &'static str,
    /// How hard it is, from 0 (everyone gets it) to 1.
    difficulty: f64,
    /// Right answers as people type them (the normalizations accept all of them).
    right: &'static [&'static str],
    /// Plausible wrong guesses; picked at random, so some get repeated.
    wrong: &'static [&'static str],
    /// Partial answers, if the challenge has any.
    partial: &'static [&'static str],
}

/// The solutions of `examples/hunts/hackathon.toml`, and the mistakes teams make.
const SHEETS: &[Sheet] = &[
    Sheet {
        slug: "welcome",
        difficulty: 0.1,
        right: &["anchors", "Anchors", "  ANCHORS "],
        wrong: &["sails", "motto", "hold"],
        partial: &[],
    },
    Sheet {
        slug: "lighthouse",
        difficulty: 0.4,
        right: &["light", "Light", "LIGHT"],
        wrong: &["fog", "ships", "keepers", "seven"],
        partial: &["lamp", "Lamp"],
    },
    Sheet {
        slug: "harbour-meta",
        difficulty: 0.6,
        right: &["AL DOCK", "al dock", "aldock"],
        wrong: &["dock", "wl dock", "harbour"],
        partial: &[],
    },
    Sheet {
        slug: "compass",
        difficulty: 0.35,
        right: &["none", "N-O-N-E!", "None."],
        wrong: &["north", "east", "west"],
        partial: &[],
    },
    Sheet {
        slug: "kraken",
        difficulty: 0.3,
        right: &["octopus", "Octopus!", "OCTOPUS"],
        wrong: &["squid", "kraken", "cuttlefish"],
        partial: &[],
    },
    Sheet {
        slug: "sea-meta",
        difficulty: 0.65,
        right: &["none octopus", "None Octopus"],
        wrong: &["octopus none", "kraken none", "sea"],
        partial: &[],
    },
    Sheet {
        slug: "treasure",
        difficulty: 0.75,
        right: &["skull island", "Skull Island"],
        wrong: &["treasure island", "tortuga", "x"],
        partial: &[],
    },
];

/// Arguments of `hunt demo`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Runs on a fresh temporary store (its path is printed, so you can \
    explore it afterwards with `hunt --data DIR board`, `team show`, `log`...) unless --data \
    names a directory, which must not hold the sample hunt yet. The simulation runs on a \
    simulated clock: 300 minutes take seconds."
)]
pub struct Args {
    /// Number of teams
    #[arg(long, value_name = "N", default_value_t = 24,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub teams: u32,

    /// Simulated minutes from the hunt's start (the sample hunt lasts 720)
    #[arg(long, value_name = "M", default_value_t = 300,
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub minutes: u32,

    /// Seed of the simulation: the same seed plays the same hunt
    #[arg(long, value_name = "S", default_value_t = 2026)]
    pub seed: u64,
}

/// A simulated team.
struct Player {
    id: TeamId,
    skill: f64,
}

/// One submission planned for the current minute.
struct Planned {
    player: usize,
    slug: &'static str,
    answer: &'static str,
    key: IdempotencyKey,
    at: Timestamp,
}

/// Verdicts counted over the simulation.
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
    other: u64,
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
            _ => self.other += 1,
        }
    }
}

/// Runs `hunt demo`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let started = Instant::now();
    let dir = data_dir(selection)?;
    let store: Arc<dyn hunt_core::store::Store> = Arc::new(store::open_sled(&dir).await?);
    let hunt = hunt_core::definition::load(HUNT).map_err(|error| Failure::Definition {
        origin: "examples/hunts/hackathon.toml".to_owned(),
        error,
    })?;
    if store.load_definition(&hunt.id).await?.is_some() {
        return Err(Failure::user(format!(
            "{} already holds the sample hunt `{}`: give a new directory with --data, or \
             leave --data out for a fresh temporary one",
            dir.display(),
            hunt.id
        )));
    }
    let engine = Arc::new(Engine::create(store.clone(), HUNT, None).await?);
    let start = engine.snapshot().hunt().start;
    writeln!(
        out,
        "{}: {} teams, {} simulated minutes, seed {}",
        engine.snapshot().hunt().title,
        args.teams,
        args.minutes,
        args.seed
    )?;
    writeln!(out, "Store: {}", dir.display())?;

    let mut rng = Rng::new(args.seed);
    let players = register(&engine, args.teams, start, &mut rng).await?;
    let progress = progress_bar(u64::from(args.minutes));
    let mut tally = Tally::default();
    let mut keys = 0u128;
    for minute in 0..i64::from(args.minutes) {
        let at = start.saturating_add(Span::from_secs(minute * 60));
        let plans = plan_minute(&engine.snapshot(), &players, at, &mut rng, &mut keys);
        let mut batch = JoinSet::new();
        for plan in plans {
            let engine = engine.clone();
            let team = players[plan.player].id;
            batch.spawn(async move {
                let verdict = engine
                    .submit(team, plan.slug, plan.answer, plan.key, plan.at)
                    .await;
                (plan, verdict)
            });
        }
        while let Some(joined) = batch.join_next().await {
            let (plan, verdict) =
                joined.map_err(|e| Failure::user(format!("a simulated team failed: {e}")))?;
            let verdict = verdict?;
            tally.count(&verdict);
            if let Verdict::Correct {
                first_solve: true, ..
            } = verdict
            {
                let state = engine.snapshot();
                let name = state.team(players[plan.player].id).map_or("?", |t| &t.name);
                let title = state
                    .hunt()
                    .challenge_by_slug(plan.slug)
                    .map_or(plan.slug, |c| &c.title);
                let line = format!(
                    "{}  first solve of \"{title}\" by {name}",
                    render::time(plan.at)
                );
                progress.suspend(|| writeln!(out, "{line}"))?;
            }
        }
        if let Some(leader) = engine.snapshot().top(1).first() {
            progress.set_message(format!("leader: {} ({})", leader.name, leader.score));
        }
        progress.inc(1);
    }
    progress.finish_and_clear();

    let state = engine.snapshot();
    writeln!(
        out,
        "\n{} submissions: {} correct, {} incorrect ({} of them repeats, free), {} partial, \
         {} locked, {} already solved, {} duplicate retries{}",
        tally.submissions,
        tally.correct,
        tally.incorrect,
        tally.repeats,
        tally.partial,
        tally.locked,
        tally.already_solved,
        tally.duplicates,
        if tally.other > 0 {
            format!(", {} other", tally.other)
        } else {
            String::new()
        }
    )?;
    let end = start.saturating_add(Span::from_secs(i64::from(args.minutes) * 60));
    writeln!(
        out,
        "\nStandings at {} (top 10 of {}):",
        render::time(end),
        state.board_len()
    )?;
    board::write_board(&state.top(10), out)?;

    let series = graph::series(&state, 10);
    let graph_path = dir.join("score-graph.svg");
    graph::draw(&state, &series, &graph_path)?;
    writeln!(out, "\nScore graph: {}", graph_path.display())?;
    writeln!(
        out,
        "Explore the hunt: hunt --data {} board | team show \"{}\" | log",
        dir.display(),
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
    Ok(())
}

/// `--data`, or a fresh temporary directory that is kept after the demo.
fn data_dir(selection: &Selection) -> Result<PathBuf, Failure> {
    match &selection.data {
        Some(dir) => Ok(dir.clone()),
        None => tempfile::Builder::new()
            .prefix("hunt-demo-")
            .tempdir()
            .map(tempfile::TempDir::keep)
            .map_err(|e| Failure::user(format!("cannot create a temporary directory: {e}"))),
    }
}

/// Registers the teams half an hour before the start, with skills spread by the seed and
/// every third team in the "Students" division.
async fn register(
    engine: &Arc<Engine>,
    teams: u32,
    start: Timestamp,
    rng: &mut Rng,
) -> Result<Vec<Player>, Failure> {
    let at = start.saturating_add(Span::from_secs(-30 * 60));
    let mut batch = JoinSet::new();
    for i in 0..teams as usize {
        let name = match i / NAMES.len() {
            0 => NAMES[i].to_owned(),
            round => format!("{} {}", NAMES[i % NAMES.len()], round + 1),
        };
        let division = if i % 3 == 2 { "Students" } else { "Open" };
        let engine = engine.clone();
        batch.spawn(async move { engine.register(&name, Some(division), at).await });
    }
    let mut players = Vec::with_capacity(teams as usize);
    while let Some(joined) = batch.join_next().await {
        let id = joined.map_err(|e| Failure::user(format!("registering failed: {e}")))??;
        players.push(Player { id, skill: 0.0 });
    }
    players.sort_by_key(|p| p.id);
    for player in &mut players {
        player.skill = 0.2 + 0.75 * rng.unit();
    }
    Ok(players)
}

/// What each team submits this minute, decided on the state at its start.
fn plan_minute(
    state: &HuntState,
    players: &[Player],
    at: Timestamp,
    rng: &mut Rng,
    keys: &mut u128,
) -> Vec<Planned> {
    let mut plans = Vec::new();
    for (index, player) in players.iter().enumerate() {
        // Stronger teams submit more often.
        if !rng.chance(0.02 + 0.06 * player.skill) {
            continue;
        }
        let Some(progress) = state.progress(player.id, at) else {
            continue;
        };
        let open: Vec<&str> = progress
            .challenges
            .iter()
            .filter_map(|view| match view {
                ChallengeView::Open {
                    slug, solved: None, ..
                } => Some(slug.as_str()),
                _ => None,
            })
            .collect();
        let solved_all = state
            .team(player.id)
            .is_some_and(|t| t.solve_count() == state.hunt().challenges.len());
        if solved_all {
            continue;
        }
        let sheet = if open.is_empty() || rng.chance(0.02) {
            // Now and then a team guesses at a challenge it cannot see yet.
            rng.pick(SHEETS)
        } else {
            let slug = *rng.pick(&open);
            match SHEETS.iter().find(|s| s.slug == slug) {
                Some(sheet) => sheet,
                None => continue,
            }
        };
        let roll = rng.unit();
        let p_right = 0.03 + 0.85 * player.skill * (1.0 - sheet.difficulty);
        let answer = if roll < p_right {
            *rng.pick(sheet.right)
        } else if !sheet.partial.is_empty() && rng.chance(0.4) {
            *rng.pick(sheet.partial)
        } else {
            *rng.pick(sheet.wrong)
        };
        *keys += 1;
        // Spread the minute's submissions over its 60 seconds.
        let second = i64::try_from(rng.below(60)).unwrap_or(0);
        let plan = Planned {
            player: index,
            slug: sheet.slug,
            answer,
            key: IdempotencyKey(*keys),
            at: at.saturating_add(Span::from_secs(second)),
        };
        // A flaky connection: the client sends the same submission again with the same key.
        let retry = rng.chance(0.03).then(|| Planned {
            player: plan.player,
            slug: plan.slug,
            answer: plan.answer,
            key: plan.key,
            at: plan.at.saturating_add(Span::from_secs(1)),
        });
        plans.push(plan);
        plans.extend(retry);
    }
    plans
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
