//! The demo hunt: loads `examples/hunts/hackathon.toml` into a fresh sled store (the embedded,
//! durable default), registers teams, plays a scripted sequence of submissions (right, wrong,
//! partial, locked, duplicate) through the engine, and prints the standings after each solve.
//!
//! Run it with `cargo run -p examples --bin demo`.

use std::sync::Arc;

use hunt_core::engine::Engine;
use hunt_core::state::Row;
use hunt_core::{IdempotencyKey, Span, TeamId, Verdict, Window};
use hunt_store_sled::SledStore;

const HUNT: &str = include_str!("../hunts/hackathon.toml");

/// One scripted submission: minutes after the start, team, challenge, answer.
const SCRIPT: &[(i64, usize, &str, &str)] = &[
    (-5, 0, "welcome", "anchors"),
    (3, 0, "welcome", "Anchors"),
    (4, 1, "welcome", "  ANCHORS "),
    (6, 2, "lighthouse", "lamp"),
    (7, 2, "lighthouse", "fog"),
    (9, 2, "lighthouse", "Light"),
    (11, 0, "harbour-meta", "al dock"),
    (12, 0, "lighthouse", "light"),
    (15, 0, "harbour-meta", "AL DOCK"),
    (18, 1, "compass", "N-O-N-E!"),
    (21, 0, "kraken", "Octopus!"),
    (22, 3, "treasure", "skull island"),
    (25, 0, "compass", "none"),
    (30, 0, "sea-meta", "none octopus"),
    (41, 0, "treasure", "Skull Island"),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = Arc::new(SledStore::open(dir.path())?);
    let engine = Engine::create(store, HUNT, None).await?;
    println!(
        "(sled store in {}; every verdict below is on disk before it is printed)",
        dir.path().display()
    );
    let start = engine.snapshot().hunt().start;
    let at = |minutes: i64| start.saturating_add(Span::from_secs(minutes * 60));
    println!("{}\n", engine.snapshot().hunt().title);

    let mut teams = Vec::new();
    for name in ["Sea Otters", "Null Pointers", "Rust Buckets", "The Krakens"] {
        teams.push(engine.register(name, None, at(-30)).await?);
    }

    for (i, &(minute, team, challenge, answer)) in SCRIPT.iter().enumerate() {
        let key = IdempotencyKey(i as u128);
        let verdict = engine
            .submit(teams[team], challenge, answer, key, at(minute))
            .await?;
        report(&engine, teams[team], minute, challenge, answer, &verdict);
        if verdict.is_correct() {
            print_board(&engine.snapshot().standings());
        }
        // A client that lost the answer retries with the same key: nothing is recorded twice.
        if i == 2 {
            let retry = engine
                .submit(teams[team], challenge, answer, key, at(minute + 1))
                .await?;
            report(&engine, teams[team], minute + 1, challenge, answer, &retry);
        }
    }
    println!("Final standings at {}:", at(60));
    print_board(&engine.snapshot().standings());
    Ok(())
}

fn report(
    engine: &Engine,
    team: TeamId,
    minute: i64,
    challenge: &str,
    answer: &str,
    verdict: &Verdict,
) {
    let snapshot = engine.snapshot();
    let name = snapshot.team(team).map_or("?", |t| t.name.as_str());
    let answer = format!("{answer:?}");
    println!(
        "[{minute:>+4} min] {name:<14} {challenge:<13} {answer:<16} => {}",
        describe(verdict)
    );
}

fn describe(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Correct {
            points,
            first_solve: true,
        } => format!("Correct! +{points} points, first solve"),
        Verdict::Correct { points, .. } => format!("Correct! +{points} points"),
        Verdict::Incorrect { repeated: true, .. } => {
            "Incorrect (already tried, not counted)".into()
        }
        Verdict::Incorrect {
            attempts_left: Some(left),
            ..
        } => format!("Incorrect ({left} attempts left)"),
        Verdict::Incorrect { .. } => "Incorrect".into(),
        Verdict::Partial { reply } => format!("Keep going: {reply}"),
        Verdict::AlreadySolved => "Already solved".into(),
        Verdict::Locked => "Locked".into(),
        Verdict::NotOpen(Window::BeforeStart { opens_at }) => {
            format!("Not open yet: the hunt starts at {opens_at}")
        }
        Verdict::NotOpen(Window::AfterEnd { closed_at }) => {
            format!("Closed: the hunt ended at {closed_at}")
        }
        Verdict::AttemptsExhausted => "No attempts left".into(),
        Verdict::Duplicate { original } => {
            format!("Duplicate of an earlier request: {}", describe(original))
        }
        Verdict::KeyConflict => "Rejected: idempotency key reused".into(),
        other => format!("{other:?}"),
    }
}

fn print_board(rows: &[Row]) {
    println!(
        "    {:>4}  {:<14} {:>6} {:>6}",
        "rank", "team", "score", "solves"
    );
    for row in rows {
        println!(
            "    {:>4}  {:<14} {:>6} {:>6}",
            row.place, row.name, row.score, row.solves
        );
    }
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_hunt_is_valid() {
        let hunt =
            hunt_core::definition::load(HUNT).expect("examples/hunts/hackathon.toml is valid");
        assert_eq!(hunt.challenges.len(), 7);
    }
}
