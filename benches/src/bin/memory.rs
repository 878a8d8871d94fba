//! Memory per team and per solve of a `HuntState`, measured as resident-set growth.
//!
//! The workspace forbids `unsafe` code, and a counting `#[global_allocator]` needs an
//! `unsafe impl GlobalAlloc`, so this reads `VmRSS` from `/proc/self/status` (Linux) instead:
//! before and after registering 100,000 teams with no solves, then after adding 1,000,000
//! solves (10 per team). Events are generated and applied one at a time, so the log itself is
//! not counted. RSS counts pages, and includes allocator slack and the spare capacity of
//! grown vectors and hash maps: the figures are what a process pays, not the sum of
//! `size_of`s.
//!
//! Run with `cargo run --release -p benches --bin memory [TEAMS] [SOLVES_PER_TEAM]`.

use std::mem::size_of;
use std::slice;

use benches::{OPEN, at, registration, rss, solve};
use hunt_core::Verdict;
use hunt_core::state::{HuntState, Solve, TeamState};

/// Teams registered unless the first argument says otherwise.
const TEAMS: u32 = 100_000;

/// Solves per team unless the second argument says otherwise.
const SOLVES_PER_TEAM: u32 = 10;

fn arg(position: usize, default: u32) -> u32 {
    std::env::args()
        .nth(position)
        .map_or(default, |text| text.parse().expect("arguments are counts"))
}

fn main() {
    let teams = arg(1, TEAMS);
    let per_team = arg(2, SOLVES_PER_TEAM).min(OPEN);
    let hunt = benches::hunt();
    let mut state =
        HuntState::new(hunt.clone(), None).expect("the bench hunt has no sealed answers");

    let before = rss();
    for team in 0..teams {
        let event = registration(&hunt, team);
        state
            .apply_all(slice::from_ref(&event))
            .expect("registrations apply");
    }
    let registered = rss();

    // Round-major order, as in a real hunt: every team's solve list grows a little at a time.
    // Challenge `(team + 9 * round) % OPEN` is distinct for each of a team's rounds.
    let mut key = 0u128;
    for round in 0..per_team {
        for team in 0..teams {
            key += 1;
            let challenge = (team + 9 * round) % OPEN;
            let when = at(&hunt, i64::from(round) * 60_000 + i64::from(team % 60_000));
            let event = solve(team, challenge, key, when);
            state
                .apply_all(slice::from_ref(&event))
                .expect("solves apply");
        }
    }
    let solved = rss();

    let solves = u64::from(teams) * u64::from(per_team);
    assert_eq!(state.seq(), u64::from(teams) + solves);
    let per_team_bytes = (registered - before) as f64 / f64::from(teams.max(1));
    let per_solve_bytes = (solved - registered) as f64 / solves.max(1) as f64;
    println!(
        "teams: {teams}, solves: {solves} ({per_team} per team), events applied: {}",
        state.seq()
    );
    println!("RSS: {before} B empty, {registered} B after registering, {solved} B after solving");
    println!("bytes per team (0 solves): {per_team_bytes:.0}");
    println!("bytes per solve: {per_solve_bytes:.0}");
    println!(
        "for reference, size_of: TeamState {} B, Solve {} B, Verdict {} B",
        size_of::<TeamState>(),
        size_of::<Solve>(),
        size_of::<Verdict>()
    );
    // Keep the state alive until after the last measurement.
    drop(state);
}
