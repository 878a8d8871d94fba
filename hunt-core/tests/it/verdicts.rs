//! Verdicts, command errors, unlocks, standings, progress and replay, through the pure
//! `HuntState`: every outcome a team or an admin can get, decided and applied without I/O.
//!
//! Each area has one `check` helper that plays a table of commands against a small TOML hunt
//! and compares what comes out with what the table expects.

use std::sync::Arc;

use hunt_core::answer::AnswerError;
use hunt_core::hunt::Hunt;
use hunt_core::state::{ChallengeView, CommandError, HuntState, Outcome, Progress, SolvedView};
use hunt_core::{Command, IdempotencyKey, Recorded, TeamId, Timestamp, Verdict, Window};

// `min(m)`: `m` minutes after the start of every test hunt.
use crate::clock::{START, at as min};

const END: &str = "2026-11-28T21:00:00Z";

fn instant(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("a valid RFC 3339 instant")
}

/// `millis` milliseconds after `at` (before it, if negative).
fn plus(at: Timestamp, millis: i64) -> Timestamp {
    Timestamp::from_millis(at.as_millis() + millis)
}

fn load(source: &str) -> Arc<Hunt> {
    match hunt_core::definition::load(source) {
        Ok(hunt) => Arc::new(hunt),
        Err(error) => panic!("invalid test hunt:\n{error}"),
    }
}

/// A hunt being played: its state and the log of every event applied to it.
struct Game {
    state: HuntState,
    log: Vec<Recorded>,
}

impl Game {
    /// A fresh game with teams "Team 0", "Team 1", … registered an hour before the start.
    fn new(source: &str, teams: usize) -> Self {
        let state = HuntState::new(load(source), None).expect("test hunts have no sealed answers");
        let mut game = Self {
            state,
            log: Vec::new(),
        };
        for i in 0..teams {
            game.register(&format!("Team {i}"));
        }
        game
    }

    /// Decides `command` at `now` and applies its events, as the engine does once a store
    /// has accepted them; the events are also kept in the log for replay.
    fn run(&mut self, command: &Command, now: Timestamp) -> Result<Outcome, CommandError> {
        let decision = self.state.decide(command, now)?;
        self.state
            .apply_all(&decision.events)
            .expect("events decided against a state apply to it");
        for event in decision.events {
            let seq = self.log.len() as u64 + 1;
            self.log.push(Recorded { seq, event });
        }
        assert_eq!(self.state.seq(), self.log.len() as u64);
        Ok(decision.outcome)
    }

    fn register(&mut self, name: &str) -> TeamId {
        let command = Command::Register {
            name: name.to_owned(),
            division: None,
        };
        match self.run(&command, min(-60)) {
            Ok(Outcome::Registered(team)) => team,
            other => panic!("registering {name:?} gave {other:?}"),
        }
    }

    fn submit(
        &mut self,
        team: TeamId,
        challenge: &str,
        answer: &str,
        key: u128,
        now: Timestamp,
    ) -> Result<Verdict, CommandError> {
        match self.run(&submit(team, challenge, answer, key), now)? {
            Outcome::Verdict(verdict) => Ok(verdict),
            other => panic!("a submission gave {other:?}"),
        }
    }

    /// Runs an admin command that must succeed, and checks that its outcome says what it did.
    fn admin(&mut self, command: Command, now: Timestamp) {
        let outcome = self.run(&command, now);
        let says = match (&command, &outcome) {
            (Command::Adjust { team, delta, .. }, Ok(Outcome::Adjusted { team: t, delta: d })) => {
                t == team && d == delta
            }
            (
                Command::SetHidden { team, hidden },
                Ok(Outcome::Hidden {
                    team: t, hidden: h, ..
                }),
            ) => t == team && h == hidden,
            (
                Command::GrantAttempts {
                    team,
                    challenge,
                    extra,
                },
                Ok(Outcome::Granted {
                    team: t,
                    challenge: c,
                    extra: e,
                    ..
                }),
            ) => t == team && c == challenge && e == extra,
            (Command::RevealBoard { .. }, Ok(Outcome::Revealed { .. })) => true,
            _ => false,
        };
        assert!(says, "{command:?} gave {outcome:?}");
    }

    fn score(&self, team: u32) -> i64 {
        self.state
            .team(TeamId(team))
            .expect("a registered team")
            .score
    }

    fn solves(&self, team: u32) -> usize {
        self.state
            .team(TeamId(team))
            .expect("a registered team")
            .solve_count()
    }

    fn challenge_id(&self, slug: &str) -> hunt_core::ChallengeId {
        self.state
            .hunt()
            .challenge_by_slug(slug)
            .expect("a challenge of the hunt")
            .id
    }
}

fn submit(team: TeamId, challenge: &str, answer: &str, key: u128) -> Command {
    Command::Submit {
        team,
        challenge: challenge.to_owned(),
        answer: answer.to_owned(),
        key: IdempotencyKey(key),
    }
}

fn correct(points: i64, first_solve: bool) -> Verdict {
    Verdict::Correct {
        points,
        first_solve,
    }
}

fn incorrect(repeated: bool, attempts_left: Option<u32>) -> Verdict {
    Verdict::Incorrect {
        repeated,
        attempts_left,
    }
}

fn duplicate(original: Verdict) -> Verdict {
    Verdict::Duplicate {
        original: Box::new(original),
    }
}

// ---------------------------------------------------------------------------------------------
// Verdicts

/// Two challenges: a warm-up with a partial answer and three attempts, and a cipher that the
/// warm-up unlocks.
const VERDICTS: &str = r#"
id = "verdicts"
title = "Verdicts"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "warmup"
title = "Warm-up"
content = "Say hello."
points = 100
answers = ["hello world"]
partial = [{ answer = "hello", reply = "Keep going!" }]
max_attempts = 3

[[challenge]]
id = "cipher"
title = "Cipher"
content = "The cipher text."
points = 200
answers = ["rosebud"]
unlock = "warmup"
"#;

/// One submission of a verdict table: team number, challenge, answer, idempotency key, when,
/// and the verdict it must get.
type Step<'a> = (u32, &'a str, &'a str, u128, Timestamp, Verdict);

/// Plays `steps` in order and checks each verdict, and that exactly the judged submissions
/// (correct, wrong, partial) are recorded: one event each, and none for a refusal.
fn check(game: &mut Game, steps: &[Step<'_>]) {
    for (i, (team, challenge, answer, key, at, expected)) in steps.iter().enumerate() {
        let shown: String = answer.chars().take(20).collect();
        let before = game.state.seq();
        let got = game.submit(TeamId(*team), challenge, answer, *key, *at);
        assert_eq!(
            got.as_ref(),
            Ok(expected),
            "step {i}: team {team} submits {shown:?} to {challenge:?} with key {key} at {at}"
        );
        let judged = matches!(
            expected,
            Verdict::Correct { .. } | Verdict::Incorrect { .. } | Verdict::Partial { .. }
        );
        assert_eq!(
            game.state.seq(),
            before + u64::from(judged),
            "step {i}: a judged submission records one event, a refusal none"
        );
    }
}

#[test]
fn correct_scores_and_the_first_visible_solver_gets_first_solve() {
    let mut game = Game::new(VERDICTS, 3);
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "Hello World", 1, min(10), correct(100, true)),
        (1, "warmup", "  hello world ", 2, min(20), correct(100, false)),
        (0, "cipher", "ROSEBUD", 3, min(30), correct(200, true)),
    ];
    check(&mut game, steps);
    assert_eq!((game.score(0), game.score(1), game.score(2)), (300, 100, 0));
    assert_eq!(game.state.solve_count(game.challenge_id("warmup")), 2);

    // A hidden team's solve is not a first solve, and does not take it from the next team.
    let mut game = Game::new(VERDICTS, 2);
    game.admin(
        Command::SetHidden {
            team: TeamId(0),
            hidden: true,
        },
        min(0),
    );
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "hello world", 1, min(10), correct(100, false)),
        (1, "warmup", "hello world", 2, min(20), correct(100, true)),
    ];
    check(&mut game, steps);
    assert_eq!(game.score(0), 100);
}

#[test]
fn incorrect_counts_down_attempts_and_a_repeated_guess_is_free() {
    let mut game = Game::new(VERDICTS, 2);
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "apple", 1, min(1), incorrect(false, Some(2))),
        // The same guess after normalization: free.
        (0, "warmup", " APPLE ", 2, min(2), incorrect(true, Some(2))),
        (0, "warmup", "apple", 3, min(3), incorrect(true, Some(2))),
        (0, "warmup", "banana", 4, min(4), incorrect(false, Some(1))),
        // Attempts are counted per team.
        (1, "warmup", "apple", 5, min(5), incorrect(false, Some(2))),
        // Unlimited attempts have no count.
        (1, "warmup", "hello world", 6, min(6), correct(100, true)),
        (1, "cipher", "tulip", 7, min(7), incorrect(false, None)),
        (1, "cipher", "tulip", 8, min(8), incorrect(true, None)),
    ];
    check(&mut game, steps);
    let warmup = game.challenge_id("warmup");
    let team = game.state.team(TeamId(0)).expect("team 0");
    assert_eq!(
        team.attempts_left(game.state.hunt(), warmup, min(9)),
        Some(1)
    );
    assert_eq!(team.guesses_at(warmup).map(|g| g.counted()), Some(2));
    assert_eq!(game.score(0), 0);
}

#[test]
fn partial_replies_and_costs_no_attempt() {
    let mut game = Game::new(VERDICTS, 1);
    let keep_going = || Verdict::Partial {
        reply: "Keep going!".to_owned(),
    };
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "hello", 1, min(1), keep_going()),
        (0, "warmup", " HELLO ", 2, min(2), keep_going()),
        (0, "warmup", "hello", 3, min(3), keep_going()),
        // Three partials later, all three attempts are still there.
        (0, "warmup", "goodbye", 4, min(4), incorrect(false, Some(2))),
        (0, "warmup", "hello world", 5, min(5), correct(100, true)),
    ];
    check(&mut game, steps);
}

#[test]
fn already_solved_is_not_judged_again() {
    let mut game = Game::new(VERDICTS, 1);
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "hello world", 1, min(1), correct(100, true)),
        (0, "warmup", "hello world", 2, min(2), Verdict::AlreadySolved),
        (0, "warmup", "wrong", 3, min(3), Verdict::AlreadySolved),
        (0, "warmup", "hello", 4, min(4), Verdict::AlreadySolved),
    ];
    check(&mut game, steps);
    assert_eq!((game.score(0), game.solves(0)), (100, 1));
    let warmup = game.challenge_id("warmup");
    assert_eq!(
        game.state
            .team(TeamId(0))
            .expect("team 0")
            .guesses_at(warmup),
        None
    );
}

#[test]
fn locked_looks_like_unknown_and_is_never_judged() {
    let mut game = Game::new(VERDICTS, 1);
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        // The right answer to a locked challenge is refused like any other.
        (0, "cipher", "rosebud", 1, min(1), Verdict::Locked),
        (0, "cipher", "tulip", 2, min(2), Verdict::Locked),
        (0, "no-such-challenge", "rosebud", 3, min(3), Verdict::Locked),
        (0, "Cipher", "rosebud", 4, min(4), Verdict::Locked),
        (0, "", "rosebud", 5, min(5), Verdict::Locked),
        (0, "warmup", "hello world", 6, min(6), correct(100, true)),
        // Refusals record nothing, not even their key: key 1 is still free.
        (0, "cipher", "rosebud", 1, min(7), correct(200, true)),
    ];
    check(&mut game, steps);
    let cipher = game.challenge_id("cipher");
    assert_eq!(
        game.state
            .team(TeamId(0))
            .expect("team 0")
            .guesses_at(cipher),
        None
    );
}

#[test]
fn not_open_before_the_start_and_from_the_end() {
    let start = instant(START);
    let end = instant(END);
    let before = Verdict::NotOpen(Window::BeforeStart { opens_at: start });
    let after = Verdict::NotOpen(Window::AfterEnd { closed_at: end });
    let mut game = Game::new(VERDICTS, 1);
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "hello world", 1, plus(start, -1), before.clone()),
        (0, "warmup", "hello world", 2, min(-600), before),
        // The start is inclusive…
        (0, "warmup", "apple", 3, start, incorrect(false, Some(2))),
        // …and the end exclusive.
        (0, "warmup", "hello world", 4, end, after.clone()),
        (0, "warmup", "hello world", 5, plus(end, 3_600_000), after.clone()),
        (0, "no-such-challenge", "x", 6, end, after),
        (0, "warmup", "hello world", 7, plus(end, -1), correct(100, true)),
    ];
    check(&mut game, steps);
}

#[test]
fn attempts_exhausted_refuses_even_the_right_answer() {
    let mut game = Game::new(VERDICTS, 2);
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "a", 1, min(1), incorrect(false, Some(2))),
        (0, "warmup", "b", 2, min(2), incorrect(false, Some(1))),
        (0, "warmup", "c", 3, min(3), incorrect(false, Some(0))),
        (0, "warmup", "d", 4, min(4), Verdict::AttemptsExhausted),
        (0, "warmup", "a", 5, min(5), Verdict::AttemptsExhausted),
        (0, "warmup", "hello", 6, min(6), Verdict::AttemptsExhausted),
        (0, "warmup", "hello world", 7, min(7), Verdict::AttemptsExhausted),
        // Another team is not affected.
        (1, "warmup", "hello world", 8, min(8), correct(100, true)),
    ];
    check(&mut game, steps);
    assert_eq!((game.score(0), game.solves(0)), (0, 0));
}

#[test]
fn duplicate_key_returns_the_original_verdict_and_records_nothing() {
    let mut game = Game::new(VERDICTS, 2);
    let first = correct(100, true);
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "hello world", 7, min(10), first.clone()),
        (0, "warmup", "hello world", 7, min(11), duplicate(first.clone())),
        // The key decides, not the answer.
        (0, "warmup", "something else", 7, min(12), duplicate(first.clone())),
        (1, "warmup", "hello world", 8, min(13), correct(100, false)),
        // Still the original, after another team solved and after the end.
        (0, "warmup", "hello world", 7, instant(END), duplicate(first)),
        (1, "cipher", "tulip", 9, min(14), incorrect(false, None)),
        (1, "cipher", "tulip", 9, min(15), duplicate(incorrect(false, None))),
        (1, "cipher", "tulip", 10, min(16), incorrect(true, None)),
        (0, "warmup", "apple", 11, min(17), Verdict::AlreadySolved),
    ];
    check(&mut game, steps);
    assert_eq!((game.score(0), game.solves(0)), (100, 1));
    assert_eq!(game.state.solve_count(game.challenge_id("warmup")), 2);
}

#[test]
fn key_conflict_reveals_nothing_and_records_nothing() {
    let mut game = Game::new(VERDICTS, 2);
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "hello world", 1, min(1), correct(100, true)),
        (1, "warmup", "wrong", 2, min(2), incorrect(false, Some(2))),
        // Another team reusing a key: the same verdict whether the original was right or
        // wrong, and whatever the new answer is.
        (1, "warmup", "hello world", 1, min(3), Verdict::KeyConflict),
        (1, "warmup", "wrong", 1, min(4), Verdict::KeyConflict),
        (0, "warmup", "hello world", 2, min(5), Verdict::KeyConflict),
        (0, "warmup", "wrong", 2, min(6), Verdict::KeyConflict),
        // The same team reusing a key for another challenge.
        (0, "cipher", "rosebud", 1, min(7), Verdict::KeyConflict),
        (0, "no-such-challenge", "rosebud", 1, min(8), Verdict::KeyConflict),
        (1, "cipher", "rosebud", 2, min(9), Verdict::KeyConflict),
        (1, "warmup", "hello world", 3, min(10), correct(100, false)),
    ];
    check(&mut game, steps);
    assert_eq!((game.score(0), game.solves(0)), (100, 1));
    assert_eq!((game.score(1), game.solves(1)), (100, 1));
    let warmup = game.challenge_id("warmup");
    let guesses = game
        .state
        .team(TeamId(1))
        .and_then(|t| t.guesses_at(warmup));
    assert_eq!(guesses.map(|g| g.counted()), Some(1));
}

// ---------------------------------------------------------------------------------------------
// Command errors

/// Runs each command against `game` and checks it is rejected with exactly `expected`,
/// changing nothing.
fn check_errors(game: &mut Game, cases: &[(Command, CommandError)]) {
    for (command, expected) in cases {
        let before = game.state.seq();
        let shown: String = format!("{command:?}").chars().take(120).collect();
        assert_eq!(game.run(command, min(1)), Err(expected.clone()), "{shown}");
        assert_eq!(game.state.seq(), before, "{shown} changed the state");
    }
}

#[test]
fn unknown_teams_are_rejected() {
    let mut game = Game::new(VERDICTS, 1);
    let nobody = TeamId(7);
    check_errors(
        &mut game,
        &[
            (
                submit(nobody, "warmup", "hello world", 1),
                CommandError::UnknownTeam(nobody),
            ),
            (
                Command::Adjust {
                    team: nobody,
                    delta: 10,
                    reason: "bonus".to_owned(),
                },
                CommandError::UnknownTeam(nobody),
            ),
            (
                Command::SetHidden {
                    team: nobody,
                    hidden: true,
                },
                CommandError::UnknownTeam(nobody),
            ),
        ],
    );
}

#[test]
fn answers_that_cannot_be_judged_are_rejected() {
    let mut game = Game::new(VERDICTS, 1);
    let team = TeamId(0);
    let too_long = "a".repeat(1025);
    let answer = CommandError::Answer;
    check_errors(
        &mut game,
        &[
            (submit(team, "warmup", "", 1), answer(AnswerError::Empty)),
            (
                submit(team, "warmup", " \u{3000} ", 1),
                answer(AnswerError::Empty),
            ),
            (
                submit(team, "warmup", &too_long, 1),
                answer(AnswerError::TooLong {
                    len: 1025,
                    max: 1024,
                }),
            ),
            (
                submit(team, "warmup", "hello\0world", 1),
                answer(AnswerError::ControlCharacter { code: 0, offset: 5 }),
            ),
            (
                submit(team, "warmup", "hello\nworld", 1),
                answer(AnswerError::ControlCharacter {
                    code: 0x0A,
                    offset: 5,
                }),
            ),
            // Input is checked before keys, windows and locks.
            (
                submit(team, "no-such-challenge", "", 1),
                answer(AnswerError::Empty),
            ),
        ],
    );
    // The rejected submissions used up neither key 1 nor any attempt, and an answer of
    // exactly the limit is judged.
    let longest = "b".repeat(1024);
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (0, "warmup", "apple", 1, min(2), incorrect(false, Some(2))),
        (0, "warmup", &longest, 2, min(3), incorrect(false, Some(1))),
    ];
    check(&mut game, steps);
}

#[test]
fn taken_and_invalid_team_names_are_rejected() {
    let mut game = Game::new(VERDICTS, 0);
    game.register("Team Rocket");
    let register = |name: &str| Command::Register {
        name: name.to_owned(),
        division: None,
    };
    check_errors(
        &mut game,
        &[
            (
                register("  team rocket "),
                CommandError::NameTaken("  team rocket ".to_owned()),
            ),
            (
                register("TEAM ROCKET"),
                CommandError::NameTaken("TEAM ROCKET".to_owned()),
            ),
            (register("   "), CommandError::InvalidName("empty")),
            (
                register("rocket\0"),
                CommandError::InvalidName("contains control characters"),
            ),
            (
                register(&"r".repeat(129)),
                CommandError::InvalidName("too long"),
            ),
            (
                Command::Register {
                    name: "Team Magma".to_owned(),
                    division: Some(" ".to_owned()),
                },
                CommandError::InvalidDivision("empty"),
            ),
        ],
    );
    assert_eq!(game.state.team_by_name(" TEAM rocket"), Some(TeamId(0)));
    assert_eq!(game.register("Team Magma"), TeamId(1));
}

#[test]
fn invalid_adjustments_are_rejected() {
    let mut game = Game::new(VERDICTS, 1);
    let adjust = |delta: i64, reason: &str| Command::Adjust {
        team: TeamId(0),
        delta,
        reason: reason.to_owned(),
    };
    check_errors(
        &mut game,
        &[
            (adjust(0, "nothing"), CommandError::InvalidAdjustment(0)),
            (
                adjust(i64::MIN, "all"),
                CommandError::InvalidAdjustment(i64::MIN),
            ),
            (
                adjust(i64::MAX, "all"),
                CommandError::InvalidAdjustment(i64::MAX),
            ),
            (
                adjust(1_000_000_000_001, "too much"),
                CommandError::InvalidAdjustment(1_000_000_000_001),
            ),
            (
                adjust(10, &"x".repeat(1025)),
                CommandError::ReasonTooLong { max: 1024 },
            ),
        ],
    );
    game.admin(adjust(1_000_000_000_000, "the most"), min(2));
    game.admin(adjust(-1_000_000_000_000, "and back"), min(3));
    assert_eq!(game.score(0), 0);
}

// ---------------------------------------------------------------------------------------------
// Unlocks

/// A small puzzle hunt: two rounds, their metas, a final meta that needs both, and challenges
/// unlocked by score, by time and by solves in a round. Every answer is the challenge's id.
const UNLOCKS: &str = r#"
id = "unlocks"
title = "Unlocks"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "a"
title = "A"
round = "R1"
points = 100
answers = ["a"]

[[challenge]]
id = "b"
title = "B"
round = "R1"
points = 100
answers = ["b"]
unlock = { solved = "a" }

[[challenge]]
id = "c"
title = "C"
round = "R2"
points = 100
answers = ["c"]

[[challenge]]
id = "meta-1"
title = "Meta 1"
round = "R1"
meta = true
points = 200
answers = ["meta-1"]
unlock = { at_least = { n = 2, of = ["a", "b", "c"] } }

[[challenge]]
id = "meta-2"
title = "Meta 2"
round = "R2"
meta = true
points = 200
answers = ["meta-2"]
unlock = "c"

[[challenge]]
id = "finale"
title = "Finale"
meta = true
points = 500
answers = ["finale"]
unlock = { all_of = ["meta-1", "meta-2"] }

[[challenge]]
id = "rich"
title = "Rich"
points = 50
answers = ["rich"]
unlock = { score_at_least = 400 }

[[challenge]]
id = "late"
title = "Late"
points = 50
answers = ["late"]
unlock = { after = "2h" }

[[challenge]]
id = "round"
title = "Round"
points = 50
answers = ["round"]
unlock = { solves_in_round = { round = "R1", n = 2 } }
"#;

/// A step of an unlock table: the challenge solved (if any), when, and the challenges open
/// then, in definition order.
type UnlockStep<'a> = (Option<&'a str>, Timestamp, &'a [&'a str]);

/// Plays `steps` for one team: solve a challenge (if any) at a time, then check which
/// challenges are open at that time, and that every other one refuses its right answer as
/// locked.
fn check_unlocks(steps: &[UnlockStep<'_>]) {
    let mut game = Game::new(UNLOCKS, 1);
    let team = TeamId(0);
    for (i, (solve, at, open)) in steps.iter().enumerate() {
        let key = i as u128;
        if let Some(slug) = solve {
            assert_eq!(
                game.submit(team, slug, slug, key, *at)
                    .map(|v| v.is_correct()),
                Ok(true),
                "step {i}: solving {slug}"
            );
        }
        let progress = game.state.progress(team, *at).expect("a registered team");
        let shown: Vec<&str> = progress
            .challenges
            .iter()
            .map(|view| match view {
                ChallengeView::Open { slug, .. } => slug.as_str(),
                other => panic!("step {i}: no challenge has a preview, got {other:?}"),
            })
            .collect();
        assert_eq!(shown, *open, "step {i}: open challenges at {at}");
        for challenge in &game.state.hunt().challenges {
            if !open.contains(&challenge.slug.as_str()) {
                let command = submit(team, &challenge.slug, &challenge.slug, 1000);
                let decision = game
                    .state
                    .decide(&command, *at)
                    .expect("a valid submission");
                assert_eq!(
                    decision.outcome,
                    Outcome::Verdict(Verdict::Locked),
                    "step {i}: {} must be locked",
                    challenge.slug
                );
                assert!(decision.events.is_empty());
            }
        }
    }
}

#[test]
fn unlock_rules_open_challenges_in_a_chain() {
    #[rustfmt::skip]
    let steps: &[UnlockStep<'_>] = &[
        (None, min(0), &["a", "c"]),
        // Solving A unlocks B.
        (Some("a"), min(10), &["a", "b", "c"]),
        // Two of A, B and C unlock meta 1; C unlocks meta 2.
        (Some("c"), min(20), &["a", "b", "c", "meta-1", "meta-2"]),
        // 400 points unlock Rich; the final meta needs both metas.
        (Some("meta-2"), min(30), &["a", "b", "c", "meta-1", "meta-2", "rich"]),
        // Two solves in R1 unlock Round.
        (Some("b"), min(40), &["a", "b", "c", "meta-1", "meta-2", "rich", "round"]),
        (None, plus(min(120), -1), &["a", "b", "c", "meta-1", "meta-2", "rich", "round"]),
        // Two hours after the start, Late opens.
        (None, min(120), &["a", "b", "c", "meta-1", "meta-2", "rich", "late", "round"]),
        (Some("meta-1"), min(130), &["a", "b", "c", "meta-1", "meta-2", "finale", "rich", "late", "round"]),
    ];
    check_unlocks(steps);
}

// ---------------------------------------------------------------------------------------------
// Standings

fn standings_hunt(ranking: &str, shared_ranks: &str) -> String {
    format!(
        r#"
id = "standings"
title = "Standings"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z
ranking = "{ranking}"
shared_ranks = "{shared_ranks}"
final_meta = "finale"

[[challenge]]
id = "x"
title = "X"
points = 100
answers = ["x"]

[[challenge]]
id = "y"
title = "Y"
points = 200
answers = ["y"]

[[challenge]]
id = "z"
title = "Z"
points = 300
answers = ["z"]

[[challenge]]
id = "finale"
title = "Finale"
meta = true
points = 500
answers = ["finale"]
"#
    )
}

/// Something that happens to a team (by registration index) at a minute of the hunt.
#[derive(Debug, Clone, Copy)]
enum Act {
    Solve(u32, &'static str, i64),
    Award(u32, i64, i64),
    Hide(u32, bool),
}

const NAMES: [&str; 6] = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"];

/// Plays `acts` with `teams` teams named from [`NAMES`].
fn play(source: &str, teams: usize, acts: &[Act]) -> Game {
    let mut game = Game::new(source, 0);
    for name in &NAMES[..teams] {
        game.register(name);
    }
    // The tables list acts team by team; a log takes them in time order, as log time is
    // monotonic (a command earlier than the log's time is decided at the log's time).
    let mut acts: Vec<&Act> = acts.iter().collect();
    acts.sort_by_key(|act| match **act {
        Act::Solve(_, _, at) | Act::Award(_, _, at) => at,
        Act::Hide(..) => 300,
    });
    for (i, act) in acts.into_iter().enumerate() {
        let key = 10_000 + i as u128;
        match *act {
            Act::Solve(team, slug, at) => {
                let verdict = game.submit(TeamId(team), slug, slug, key, min(at));
                assert_eq!(verdict.map(|v| v.is_correct()), Ok(true), "{act:?}");
            }
            Act::Award(team, delta, at) => game.admin(
                Command::Adjust {
                    team: TeamId(team),
                    delta,
                    reason: "award".to_owned(),
                },
                min(at),
            ),
            Act::Hide(team, hidden) => game.admin(
                Command::SetHidden {
                    team: TeamId(team),
                    hidden,
                },
                min(300),
            ),
        }
    }
    game
}

/// A row as the tables write it: name, place, score, solves.
type Line = (&'static str, u32, i64, u32);

/// Checks the whole board, and that `top`, `page` and each team's `team_row` agree with it.
fn check_standings(game: &Game, expected: &[Line]) {
    let rows = game.state.standings();
    let got: Vec<(&str, u32, i64, u32)> = rows
        .iter()
        .map(|r| (r.name.as_str(), r.place, r.score, r.solves))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(game.state.board_len(), expected.len());
    assert_eq!(game.state.top(2), rows[..2.min(rows.len())].to_vec());
    assert_eq!(
        game.state.page(1, 2),
        rows[1.min(rows.len())..3.min(rows.len())].to_vec()
    );
    assert_eq!(game.state.page(rows.len(), 5), Vec::new());
    for row in &rows {
        assert_eq!(game.state.team_row(row.team).as_ref(), Some(row));
    }
}

#[test]
fn points_rank_by_score_then_by_when_it_was_reached_and_awards_count() {
    use Act::{Award, Hide, Solve};
    let source = standings_hunt("points", "standard");
    let mut acts = vec![
        Solve(0, "x", 10),
        Solve(0, "y", 20),
        Solve(1, "y", 5),
        Solve(1, "x", 15),
        Solve(2, "x", 30),
        Award(2, 200, 40),
        Solve(3, "x", 50),
        Award(3, -100, 60),
    ];
    let game = play(&source, 5, &acts);
    check_standings(
        &game,
        &[
            ("Bravo", 1, 300, 2),
            ("Alpha", 2, 300, 2),
            ("Charlie", 3, 300, 1),
            // A deduction moves the time too: Delta reached 0 points, Echo never scored.
            ("Delta", 4, 0, 1),
            ("Echo", 5, 0, 0),
        ],
    );
    let around = |team: u32, k: usize| -> Vec<&'static str> {
        let rows = game.state.neighbourhood(TeamId(team), k);
        rows.iter().map(|r| NAMES[r.team.index()]).collect()
    };
    assert_eq!(around(2, 1), ["Alpha", "Charlie", "Delta"]);
    assert_eq!(around(1, 2), ["Bravo", "Alpha", "Charlie"]);
    assert_eq!(around(4, 1), ["Delta", "Echo"]);

    // A hidden team leaves the board but still sees the place it would have.
    acts.push(Hide(1, true));
    let game = play(&source, 5, &acts);
    check_standings(
        &game,
        &[
            ("Alpha", 1, 300, 2),
            ("Charlie", 2, 300, 1),
            ("Delta", 3, 0, 1),
            ("Echo", 4, 0, 0),
        ],
    );
    let hidden = game.state.team_row(TeamId(1)).expect("a registered team");
    assert_eq!(
        (hidden.name.as_str(), hidden.place, hidden.score),
        ("Bravo", 1, 300)
    );
    assert_eq!(
        game.state.progress(TeamId(1), min(300)).map(|p| p.place),
        Some(1)
    );
    assert_eq!(game.state.neighbourhood(TeamId(1), 2), Vec::new());

    acts.push(Hide(1, false));
    let game = play(&source, 5, &acts);
    assert_eq!(game.state.standings()[0].name, "Bravo");
    assert_eq!(game.state.team_row(TeamId(9)), None);
}

#[test]
fn exactly_tied_teams_share_places_by_policy() {
    use Act::{Hide, Solve};
    // Alpha and Bravo tie exactly, as do Echo and Foxtrot.
    let acts = [
        Solve(2, "y", 5),
        Solve(0, "x", 10),
        Solve(1, "x", 10),
        Solve(3, "x", 20),
    ];
    let cases: [(&str, [u32; 6], u32); 3] = [
        ("standard", [1, 2, 2, 4, 5, 5], 2),
        ("dense", [1, 2, 2, 3, 4, 4], 2),
        ("ordinal", [1, 2, 3, 4, 5, 6], 2),
    ];
    for (policy, places, hidden_place) in cases {
        let source = standings_hunt("points", policy);
        let game = play(&source, 6, &acts);
        let got: Vec<(&str, u32)> = game
            .state
            .standings()
            .iter()
            .map(|r| (NAMES[r.team.index()], r.place))
            .collect();
        let order = ["Charlie", "Alpha", "Bravo", "Delta", "Echo", "Foxtrot"];
        let expected: Vec<(&str, u32)> = order.into_iter().zip(places).collect();
        assert_eq!(got, expected, "{policy}");

        let mut with_hidden = acts.to_vec();
        with_hidden.push(Hide(0, true));
        let game = play(&source, 6, &with_hidden);
        let row = game.state.team_row(TeamId(0)).expect("a registered team");
        assert_eq!(
            row.place, hidden_place,
            "{policy}: the hidden team's own place"
        );
        assert_eq!(game.state.board_len(), 5, "{policy}");
    }
}

#[test]
fn puzzle_hunt_ranks_by_final_meta_time_first() {
    use Act::Solve;
    let source = standings_hunt("puzzle-hunt", "standard");
    let game = play(
        &source,
        5,
        &[
            Solve(0, "x", 10),
            Solve(0, "y", 20),
            Solve(0, "finale", 100),
            Solve(1, "x", 5),
            Solve(1, "finale", 90),
            Solve(2, "x", 10),
            Solve(2, "y", 20),
            Solve(2, "z", 50),
            Solve(3, "z", 10),
            Solve(3, "y", 20),
            Solve(3, "x", 60),
            Solve(4, "x", 1),
        ],
    );
    check_standings(
        &game,
        &[
            // The earlier final meta wins, whatever the score or number of solves.
            ("Bravo", 1, 600, 2),
            ("Alpha", 2, 800, 3),
            // Without it: more solves first, then the earlier last solve.
            ("Charlie", 3, 600, 3),
            ("Delta", 4, 600, 3),
            ("Echo", 5, 100, 1),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Progress

const PROGRESS: &str = r#"
id = "progress"
title = "Progress"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "open"
title = "Open"
content = "Open content."
round = "Round 1"
points = 10
answers = ["open sesame"]
max_attempts = 5

[[challenge]]
id = "peek"
title = "Peek"
content = "Peek content."
round = "Round 1"
points = 20
answers = ["peekaboo"]
unlock = "open"
locked_view = "preview"

[[challenge]]
id = "secret"
title = "Secret"
content = "Secret content."
points = 30
answers = ["hush"]
unlock = "open"
"#;

fn open_view(
    slug: &str,
    content: &str,
    round: Option<&str>,
    points: i64,
    attempts_left: Option<u32>,
    solved: Option<SolvedView>,
) -> ChallengeView {
    let mut title = slug.to_owned();
    title[..1].make_ascii_uppercase();
    ChallengeView::Open {
        slug: slug.to_owned(),
        title,
        content: content.to_owned(),
        round: round.map(str::to_owned),
        meta: false,
        points,
        solves: u32::from(solved.is_some()),
        attempts_left,
        retry_at: None,
        hints: Vec::new(),
        solved,
    }
}

/// Checks what team 0 sees at `at`, and that nothing it must not see is anywhere in it.
fn check_progress(game: &Game, at: Timestamp, expected: &[ChallengeView], never: &[&str]) {
    let progress: Progress = game
        .state
        .progress(TeamId(0), at)
        .expect("a registered team");
    assert_eq!(progress.challenges, expected);
    let json = serde_json::to_string(&progress).expect("progress serializes");
    for text in never {
        assert!(!json.contains(text), "progress shows {text:?}: {json}");
    }
}

#[test]
fn progress_shows_only_what_the_team_has_unlocked() {
    let mut game = Game::new(PROGRESS, 2);
    let preview = ChallengeView::Preview {
        slug: "peek".to_owned(),
        title: "Peek".to_owned(),
        round: Some("Round 1".to_owned()),
    };
    let secrets = [
        "Peek content",
        "Secret",
        "secret",
        "open sesame",
        "peekaboo",
        "hush",
    ];
    check_progress(
        &game,
        min(0),
        &[
            open_view("open", "Open content.", Some("Round 1"), 10, Some(5), None),
            preview.clone(),
        ],
        &secrets,
    );

    check(
        &mut game,
        &[(0, "open", "nope", 1, min(5), incorrect(false, Some(4)))],
    );
    check_progress(
        &game,
        min(5),
        &[
            open_view("open", "Open content.", Some("Round 1"), 10, Some(4), None),
            preview.clone(),
        ],
        &secrets,
    );

    check(
        &mut game,
        &[(0, "open", "  Open Sesame ", 2, min(10), correct(10, true))],
    );
    let solved = SolvedView {
        at: min(10),
        answer: "  Open Sesame ".to_owned(),
        points: 10,
    };
    check_progress(
        &game,
        min(10),
        &[
            open_view(
                "open",
                "Open content.",
                Some("Round 1"),
                10,
                Some(4),
                Some(solved),
            ),
            open_view("peek", "Peek content.", Some("Round 1"), 20, None, None),
            open_view("secret", "Secret content.", None, 30, None, None),
        ],
        &["peekaboo", "hush"],
    );
    let progress = game.state.progress(TeamId(0), min(10)).expect("team 0");
    assert_eq!((progress.score, progress.place), (10, 1));

    // The other team still sees only what it has unlocked.
    let other = game.state.progress(TeamId(1), min(10)).expect("team 1");
    assert_eq!(other.challenges.len(), 2);
    assert_eq!(other.challenges[1], preview);
    assert_eq!(game.state.progress(TeamId(2), min(10)), None);
}

// ---------------------------------------------------------------------------------------------
// Replay

#[test]
fn replaying_the_log_gives_the_live_state() {
    let source = standings_hunt("points", "dense");
    let mut game = play(
        &source,
        4,
        &[
            Act::Solve(0, "x", 10),
            Act::Solve(1, "x", 10),
            Act::Award(2, 250, 20),
            Act::Solve(3, "z", 30),
            Act::Hide(3, true),
            Act::Solve(3, "y", 40),
            Act::Hide(3, false),
            Act::Award(0, -50, 50),
        ],
    );
    #[rustfmt::skip]
    let steps: &[Step<'_>] = &[
        (2, "y", "wrong", 1, min(60), incorrect(false, None)),
        (2, "y", "WRONG", 2, min(61), incorrect(true, None)),
        // Delta solved Y while hidden, but is shown again: its solve counts, and it holds
        // the first solve (un-hiding reprices, CTFd#1177).
        (2, "y", "y", 3, min(62), correct(200, false)),
        (2, "y", "y", 3, min(63), duplicate(correct(200, false))),
        (1, "finale", "finale", 4, min(64), correct(500, true)),
        (1, "z", "nope", 5, min(65), incorrect(false, None)),
    ];
    check(&mut game, steps);
    let live = &game.state;
    let replayed =
        HuntState::replay(live.hunt().clone(), None, &game.log).expect("the log replays");
    assert_eq!(replayed.seq(), live.seq());
    assert_eq!(replayed.standings(), live.standings());
    for (team, state) in live.teams() {
        assert_eq!(replayed.team(team), Some(state));
        assert_eq!(replayed.team_row(team), live.team_row(team));
        assert_eq!(
            replayed.progress(team, min(70)),
            live.progress(team, min(70))
        );
    }
    for challenge in &live.hunt().challenges {
        assert_eq!(
            replayed.solve_count(challenge.id),
            live.solve_count(challenge.id)
        );
    }
    // Keys and guesses survive too: the replayed state decides retries the same way.
    let probes = [
        submit(TeamId(2), "y", "y", 3),
        submit(TeamId(1), "y", "y", 3),
        submit(TeamId(2), "y", "wrong", 99),
        submit(TeamId(1), "z", " NOPE ", 100),
        submit(TeamId(1), "x", "x", 101),
    ];
    for probe in &probes {
        assert_eq!(
            replayed.decide(probe, min(70)),
            live.decide(probe, min(70)),
            "{probe:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile input

const HOSTILE: &str = r#"
id = "hostile"
title = "Hostile"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[limits]
max_answer_bytes = 65536

[[challenge]]
id = "caseless"
title = "Caseless"
points = 1
answers = ["x"]

[[challenge]]
id = "letters"
title = "Letters"
points = 1
answers = ["x"]
normalization = "letters"

[[challenge]]
id = "regex"
title = "Regex"
points = 1
answers = ['flag\{[0-9]+\}']
normalization = "regex"
"#;

/// Submits each answer to each challenge and checks the exact outcome; a rejection changes
/// nothing, a judged answer records exactly one event.
fn check_hostile(source: &str, cases: &[(&str, &str, Result<Verdict, CommandError>)]) {
    let mut game = Game::new(source, 1);
    for (i, (challenge, answer, expected)) in cases.iter().enumerate() {
        let shown: String = answer.chars().take(8).collect();
        let before = game.state.seq();
        let got = game.submit(TeamId(0), challenge, answer, i as u128, min(1));
        assert_eq!(
            got,
            *expected,
            "{challenge}: {shown:?}… ({} bytes)",
            answer.len()
        );
        let recorded = u64::from(expected.is_ok());
        assert_eq!(
            game.state.seq(),
            before + recorded,
            "{challenge}: {shown:?}…"
        );
    }
    assert_eq!(game.score(0), 0);
}

#[test]
fn hostile_answers_get_a_typed_error_under_the_default_limit() {
    let mib = "a".repeat(1 << 20);
    let marks = format!("a{}", "\u{301}".repeat(10_000));
    let expanding = "\u{FDFA}".repeat(1000);
    let nuls = "\0".repeat(1 << 20);
    let too_long = |len| {
        Err(CommandError::Answer(AnswerError::TooLong {
            len,
            max: 1024,
        }))
    };
    check_hostile(
        VERDICTS,
        &[
            ("warmup", &mib, too_long(1 << 20)),
            ("warmup", &marks, too_long(20_001)),
            ("warmup", &expanding, too_long(3000)),
            ("warmup", &nuls, too_long(1 << 20)),
            (
                "warmup",
                "\0",
                Err(CommandError::Answer(AnswerError::ControlCharacter {
                    code: 0,
                    offset: 0,
                })),
            ),
            ("no-such-challenge", &mib, too_long(1 << 20)),
        ],
    );
}

#[test]
fn hostile_answers_within_the_limit_are_judged() {
    let mib = "a".repeat(1 << 20);
    let marks = format!("a{}", "\u{301}".repeat(10_000));
    let only_marks = "\u{301}".repeat(10_000);
    let expanding = "\u{FDFA}".repeat(10_000);
    let wrong = Ok(incorrect(false, None));
    check_hostile(
        HOSTILE,
        &[
            (
                "caseless",
                &mib,
                Err(CommandError::Answer(AnswerError::TooLong {
                    len: 1 << 20,
                    max: 65536,
                })),
            ),
            ("caseless", &marks, wrong.clone()),
            ("letters", &marks, wrong.clone()),
            ("regex", &marks, wrong.clone()),
            ("caseless", &only_marks, wrong.clone()),
            (
                "letters",
                &only_marks,
                Err(CommandError::Answer(AnswerError::NormalizesToNothing)),
            ),
            ("caseless", &expanding, wrong.clone()),
            ("letters", &expanding, wrong.clone()),
            ("regex", &expanding, wrong),
            (
                "regex",
                "\0flag{1}",
                Err(CommandError::Answer(AnswerError::ControlCharacter {
                    code: 0,
                    offset: 0,
                })),
            ),
        ],
    );
}
