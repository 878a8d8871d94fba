//! A real crash test: a child process runs the engine on a sled directory with many
//! concurrent submitters and prints each verdict once the engine has acknowledged it; the
//! parent kills it with SIGKILL at random moments (some while it is still opening and
//! recovering), reopens the directory and checks that nothing acknowledged was lost or
//! changed, nothing was counted twice, and the standings equal a replay of the log.
//!
//! The child also writes a checkpoint every [`CHECKPOINT_EVERY`] events from a background
//! [`Checkpointer`], so kills land during checkpoint writes too, and most reopens start from
//! a checkpoint, which must verify and then give the same state as the replay.
//!
//! Cycles accumulate on one directory. `HUNT_CRASH_CYCLES` sets their number (200 by
//! default) and `HUNT_CRASH_SEED` the seed of the kill times.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use hunt_core::command::Command;
use hunt_core::engine::Engine;
use hunt_core::state::Outcome;
use hunt_core::{HuntId, IdempotencyKey, TeamId, Verdict};
use hunt_store_sled::{CheckpointPolicy, Checkpointer, SledStore};

use crate::child::Child;
use crate::support::{
    Rng, Submission, at, check_against_log, definition, hunt_id, read_log, recorded, team_name,
};

/// Kill cycles unless `HUNT_CRASH_CYCLES` says otherwise.
const DEFAULT_CYCLES: u64 = 200;

/// Seed of the kill times unless `HUNT_CRASH_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x00c0_ffee;

/// Cycles spent on one hunt before the next cycle starts another in the same directory, so
/// each log stays small enough to replay twice per cycle while the directory keeps growing.
const CYCLES_PER_HUNT: u64 = 25;

/// Submitting tasks in the child.
const CHILD_TASKS: u64 = 16;

/// Teams in each hunt.
const TEAMS: u32 = 500;

/// How often, in percent, a fresh submission has the right answer.
const RIGHT: u64 = 10;

/// The child's checkpointer writes a checkpoint once this many events were applied.
const CHECKPOINT_EVERY: u64 = 100;

/// Percent of cycles whose kill comes 0 to [`EARLY_KILL_MS`] after the spawn, whatever the
/// child is doing: starting, opening sled, replaying the log or registering teams.
const EARLY_KILLS: u64 = 20;

/// The latest an early kill comes after the spawn.
const EARLY_KILL_MS: u64 = 30;

/// The other kills come this long after the child says it has opened the hunt.
const LATE_KILL_MS: std::ops::RangeInclusive<u64> = 5..=150;

/// Environment of a crash child: the hunt, the cycle (which keeps keys unique across
/// cycles) and its seed.
const HUNT_VAR: &str = "HUNT_SLED_TEST_HUNT";
const CYCLE_VAR: &str = "HUNT_SLED_TEST_CYCLE";
const SEED_VAR: &str = "HUNT_SLED_TEST_SEED";

/// How long a child may live: it is always killed long before, but must not outlive a parent
/// that died without killing it.
const CHILD_LIFETIME: Duration = Duration::from_secs(120);

/// How long the parent waits for a child to open its hunt.
const OPEN_TIMEOUT: Duration = Duration::from_secs(60);

/// Reads a numeric environment variable, or `default`.
fn env_or(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a number")),
        Err(_) => default,
    }
}

/// Child role: says "opening", runs the engine on the hunt named by [`HUNT_VAR`] in `dir`
/// (creating it if needed), says "opened", registers any missing teams, then submits from [`CHILD_TASKS`] tasks until killed,
/// printing one "ack" line per acknowledged verdict.
pub fn child(dir: &Path) {
    // A parent that died cannot kill us: end with its pipe, or after a while regardless.
    std::thread::spawn(|| {
        for line in std::io::stdin().lines() {
            if line.is_err() {
                break;
            }
        }
        std::process::exit(0);
    });
    std::thread::spawn(|| {
        std::thread::sleep(CHILD_LIFETIME);
        std::process::exit(0);
    });
    let hunt = hunt_id(&std::env::var(HUNT_VAR).expect("the child is given its hunt"));
    let cycle = env_or(CYCLE_VAR, 0);
    let seed = env_or(SEED_VAR, 0);
    // Timers for the checkpointer.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        say("opening");
        let store: Arc<dyn hunt_core::store::Store> =
            Arc::new(SledStore::open(dir).unwrap_or_else(|e| fail(&format!("open: {e}"))));
        let engine = match store.load_definition(&hunt).await {
            Ok(Some(_)) => Engine::open(store, &hunt, None).await,
            Ok(None) => Engine::create(store, &definition(hunt.as_str()), None).await,
            Err(e) => fail(&format!("load_definition: {e}")),
        }
        .unwrap_or_else(|e| fail(&format!("opening the engine: {e}")));
        say(&format!("opened {}", engine.snapshot().seq()));
        let engine = Arc::new(engine);
        let policy = CheckpointPolicy {
            every_events: CHECKPOINT_EVERY,
            every: Duration::from_secs(3600),
            poll: Duration::from_millis(5),
        };
        let _checkpointer = Checkpointer::spawn(engine.clone(), policy);
        let clock = Arc::new(AtomicI64::new((cycle % CYCLES_PER_HUNT) as i64 * 1_000_000));
        // Teams killed halfway through registering are registered by the next child.
        let mut registering = tokio::task::JoinSet::new();
        for i in 0..TEAMS {
            if engine.snapshot().team_by_name(&team_name(i)).is_none() {
                let engine = engine.clone();
                registering.spawn(async move { engine.register(&team_name(i), None, at(0)).await });
            }
        }
        while let Some(done) = registering.join_next().await {
            if let Err(e) = done.expect("no task panics") {
                fail(&format!("registering: {e}"));
            }
        }
        let mut tasks = tokio::task::JoinSet::new();
        for task in 0..CHILD_TASKS {
            let engine = engine.clone();
            let clock = clock.clone();
            let mut rng = Rng::new(seed ^ (task << 48));
            tasks.spawn(async move {
                let mut mine: Vec<Submission> = Vec::new();
                for n in 0_u64.. {
                    let submission = if rng.below(100) < 10 && !mine.is_empty() {
                        mine[rng.below(mine.len() as u64) as usize].clone()
                    } else {
                        let key = IdempotencyKey(
                            u128::from(cycle) << 64 | u128::from(task) << 40 | u128::from(n),
                        );
                        Submission::random(&mut rng, TEAMS, RIGHT, key)
                    };
                    let now = at(clock.fetch_add(1, Ordering::Relaxed));
                    let verdict = engine
                        .submit(
                            submission.team,
                            submission.slug(),
                            &submission.answer,
                            submission.key,
                            now,
                        )
                        .await
                        .unwrap_or_else(|e| fail(&format!("submitting: {e}")));
                    // Printed only now that the engine has acknowledged it.
                    say(&format!(
                        "ack\t{:032x}\t{}\t{}\t{}\t{}",
                        submission.key.0,
                        submission.team.0,
                        submission.challenge,
                        submission.answer,
                        serde_json::to_string(&verdict).expect("verdicts serialize")
                    ));
                    mine.push(submission);
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("no task panics");
        }
    });
}

/// Prints one line to the parent, flushed at once.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .expect("the parent reads our stdout");
}

/// Ends the child with a message: a failure the parent reports from the exit status.
fn fail(what: &str) -> ! {
    eprintln!("crash child failed: {what}");
    std::process::exit(3);
}

/// One acknowledged submission, as the parent read it.
#[derive(Debug, Clone)]
struct Ack {
    submission: Submission,
    verdict: Verdict,
}

/// Parses an "ack" line.
fn parse_ack(line: &str) -> Ack {
    let fields: Vec<&str> = line.split('\t').collect();
    let [_, key, team, challenge, answer, verdict] = fields[..] else {
        panic!("a malformed ack line: {line:?}");
    };
    let parse = |what: &str, text: &str| -> u64 {
        text.parse()
            .unwrap_or_else(|_| panic!("{what} {text:?} in {line:?}"))
    };
    Ack {
        submission: Submission {
            team: TeamId(parse("team", team) as u32),
            challenge: parse("challenge", challenge) as usize,
            answer: answer.to_owned(),
            key: IdempotencyKey(
                u128::from_str_radix(key, 16).unwrap_or_else(|_| panic!("key in {line:?}")),
            ),
        },
        verdict: serde_json::from_str(verdict)
            .unwrap_or_else(|e| panic!("verdict in {line:?}: {e}")),
    }
}

/// What the parent counted.
#[derive(Debug, Default)]
struct Counts {
    cycles: u64,
    /// Kills before the child began to open the store (while the process was starting).
    kills_before_start: u64,
    /// Kills while the child was opening the store, replaying the log or creating the hunt.
    kills_during_open: u64,
    acks: u64,
    recorded_checked: u64,
    others_checked: u64,
    /// Reopens that started from a checkpoint (verified, and then checked against a replay).
    from_checkpoint: u64,
    slowest_open: Duration,
}

/// The hunt of cycle `cycle`.
fn hunt_of(cycle: u64) -> HuntId {
    hunt_id(&format!("crash-{}", cycle / CYCLES_PER_HUNT))
}

/// After a kill: opens the directory and checks this cycle's acknowledged submissions
/// against it (and the whole log against the oracle). `recorded` holds every recorded
/// verdict acknowledged so far, by key, and gains this cycle's.
async fn check_cycle(
    dir: &Path,
    hunt: &HuntId,
    acks: &[Ack],
    recorded_so_far: &mut HashMap<IdempotencyKey, Ack>,
    counts: &mut Counts,
) {
    let started = Instant::now();
    let store: Arc<dyn hunt_core::store::Store> = Arc::new(
        SledStore::open(dir).unwrap_or_else(|e| panic!("reopening after a kill failed: {e}")),
    );
    let definition = store.load_definition(hunt).await.expect("loads");
    if definition.is_none() {
        assert!(
            acks.is_empty(),
            "acknowledged submissions of a hunt that was not saved"
        );
        return;
    }
    let engine = Engine::open(store.clone(), hunt, None)
        .await
        .unwrap_or_else(|e| panic!("the engine did not reopen after a kill: {e}"));
    counts.slowest_open = counts.slowest_open.max(started.elapsed());
    counts.from_checkpoint += u64::from(engine.opened().checkpoint.is_some());
    // A checkpoint is saved whole or not at all, after the events it covers are durable, and
    // the log only grows: one that a kill left behind always verifies.
    if let Some(ignored) = &engine.opened().ignored {
        panic!("after a kill, the checkpoint was ignored: {ignored}");
    }
    let state = engine.snapshot();
    let keys = check_against_log(&state, &read_log(&*store, hunt).await);
    for ack in acks {
        let Ack {
            submission,
            verdict,
        } = ack;
        let original = match verdict {
            Verdict::Duplicate { original } => {
                if let Some(first) = recorded_so_far.get(&submission.key) {
                    assert_eq!(**original, first.verdict, "a replay of {submission:?}");
                }
                original.as_ref()
            }
            other => other,
        };
        if recorded(original) {
            let (team, slug, _) = keys.get(&submission.key).unwrap_or_else(|| {
                panic!("{submission:?} got {verdict:?}, acknowledged, but is not in the log")
            });
            assert_eq!((*team, slug.as_str()), (submission.team, submission.slug()));
            // A client's retry with the same key gets the acknowledged verdict back.
            let again = engine
                .submit(
                    submission.team,
                    submission.slug(),
                    &submission.answer,
                    submission.key,
                    at(0),
                )
                .await
                .expect("a retry is answered");
            assert_eq!(
                again,
                Verdict::Duplicate {
                    original: Box::new(original.clone())
                },
                "after a kill, a retry of {submission:?}"
            );
            recorded_so_far
                .entry(submission.key)
                .or_insert_with(|| Ack {
                    submission: submission.clone(),
                    verdict: original.clone(),
                });
            counts.recorded_checked += 1;
        } else if *original == Verdict::AlreadySolved {
            // The solve it was refused for had been acknowledged, so it must have survived.
            let challenge = state
                .hunt()
                .challenge_by_slug(submission.slug())
                .expect("a known challenge")
                .id;
            let team = state.team(submission.team).expect("a registered team");
            assert!(
                team.has_solved(challenge),
                "{submission:?} was refused as already solved, but the solve is gone"
            );
            counts.others_checked += 1;
        }
    }
    let end = state.seq();
    drop((state, engine, store));
    // The checks' own retries record nothing.
    let store = SledStore::open(dir).expect("reopens");
    assert_eq!(read_log(&store, hunt).await.len() as u64, end);
}

/// After the last cycle: every recorded verdict acknowledged in any cycle, of every hunt, is
/// still what a retry gets.
async fn check_everything(dir: &Path, recorded_so_far: &HashMap<IdempotencyKey, Ack>) {
    let store: Arc<dyn hunt_core::store::Store> = Arc::new(SledStore::open(dir).expect("opens"));
    let hunts = store.hunts().await.expect("lists hunts");
    let mut by_key = HashMap::new();
    for hunt in &hunts {
        let engine = Engine::open(store.clone(), hunt, None)
            .await
            .expect("reopens");
        let state = engine.snapshot();
        check_against_log(&state, &read_log(&*store, hunt).await);
        by_key.insert(hunt.clone(), state);
    }
    for ack in recorded_so_far.values() {
        let cycle = (ack.submission.key.0 >> 64) as u64;
        let state = by_key
            .get(&hunt_of(cycle))
            .expect("the hunt of an acknowledged submission is listed");
        let command = Command::Submit {
            team: ack.submission.team,
            challenge: ack.submission.slug().to_owned(),
            answer: ack.submission.answer.clone(),
            key: ack.submission.key,
        };
        let decision = state.decide(&command, at(0)).expect("a valid command");
        assert_eq!(
            decision.outcome,
            Outcome::Verdict(Verdict::Duplicate {
                original: Box::new(ack.verdict.clone())
            }),
            "at the end, a retry of {:?}",
            ack.submission
        );
    }
}

#[test]
fn acknowledged_submissions_survive_sigkill() {
    let cycles = env_or("HUNT_CRASH_CYCLES", DEFAULT_CYCLES);
    let seed = env_or("HUNT_CRASH_SEED", DEFAULT_SEED);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a runtime");
    let mut rng = Rng::new(seed);
    let mut counts = Counts::default();
    let mut recorded_so_far = HashMap::new();
    let started = Instant::now();
    for cycle in 0..cycles {
        let hunt = hunt_of(cycle);
        let env = [
            (HUNT_VAR, hunt.to_string()),
            (CYCLE_VAR, cycle.to_string()),
            (SEED_VAR, rng.next_u64().to_string()),
        ];
        let early = rng.below(100) < EARLY_KILLS;
        let delay = if early {
            rng.below(EARLY_KILL_MS + 1)
        } else {
            LATE_KILL_MS.start() + rng.below(LATE_KILL_MS.end() - LATE_KILL_MS.start() + 1)
        };
        let mut child = Child::spawn("crash", dir.path(), &env);
        let opened = if early {
            std::thread::sleep(Duration::from_millis(delay));
            None
        } else {
            let opened = child.wait_for("opened", OPEN_TIMEOUT);
            if opened.is_none() {
                panic!(
                    "cycle {cycle}: the child did not open: {:?}",
                    child.finish().0
                );
            }
            std::thread::sleep(Duration::from_millis(delay));
            opened
        };
        let (status, lines) = child.kill();
        assert_eq!(
            status.signal(),
            Some(9),
            "cycle {cycle}: the child ended by itself ({status}) before it was killed"
        );
        if opened.is_none() && !lines.iter().any(|l| l.starts_with("opened")) {
            if lines.iter().any(|l| l.starts_with("opening")) {
                counts.kills_during_open += 1;
            } else {
                counts.kills_before_start += 1;
            }
        }
        let acks: Vec<Ack> = lines
            .iter()
            .filter(|l| l.starts_with("ack\t"))
            .map(|l| parse_ack(l))
            .collect();
        counts.acks += acks.len() as u64;
        counts.cycles += 1;
        runtime.block_on(check_cycle(
            dir.path(),
            &hunt,
            &acks,
            &mut recorded_so_far,
            &mut counts,
        ));
    }
    runtime.block_on(check_everything(dir.path(), &recorded_so_far));
    let size: u64 = walk_size(dir.path());
    eprintln!(
        "crash: {} kill cycles (seed {seed:#x}) in {:?}: {} kills while the child was opening \
         the store and its hunt (and {} before it began to), {} acknowledged submissions read, {} recorded verdicts checked by retry \
         after their kill and again at the end, {} \"already solved\" verdicts checked; \
         {} reopens from a checkpoint; slowest reopen {:?}; directory {} KiB",
        counts.cycles,
        started.elapsed(),
        counts.kills_during_open,
        counts.kills_before_start,
        counts.acks,
        counts.recorded_checked,
        counts.others_checked,
        counts.from_checkpoint,
        counts.slowest_open,
        size / 1024
    );
}

/// The total size of the files under `path`.
fn walk_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.metadata() {
                    Ok(meta) if meta.is_dir() => walk_size(&entry.path()),
                    Ok(meta) => meta.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}
