//! When views change with no new event: `HuntState::next_change` walks the hunt's clock
//! (start, timed unlocks, freeze, end) and `next_change_for` adds a team's throttles.

use crate::clock::at;
use std::sync::Arc;

use hunt_core::state::HuntState;
use hunt_core::{Command, IdempotencyKey, TeamId, Timestamp, Verdict};

const HUNT: &str = r#"
id = "schedule"
title = "Schedule"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z
freeze = 2026-11-28T19:00:00Z

[[challenge]]
id = "open"
title = "Open"
points = 100
answers = ["open"]

[[challenge]]
id = "later"
title = "Later"
points = 100
answers = ["later"]
unlock = { after = "2h" }

[[challenge]]
id = "either"
title = "Either"
points = 100
answers = ["either"]
unlock = { any_of = ["open", { all_of = ["later", { after = "3h30m" }] }] }

[[challenge]]
id = "reset"
title = "Reset"
points = 100
answers = ["reset"]
max_attempts = 2
attempts_reset = "5m"

[[challenge]]
id = "window"
title = "Window"
points = 100
answers = ["window"]
throttle = { window = { attempts = 1, per = "30s" } }
"#;

fn state() -> HuntState {
    let hunt = hunt_core::definition::load(HUNT).unwrap_or_else(|e| panic!("{e}"));
    HuntState::new(Arc::new(hunt), None).expect("no sealed answers")
}

fn run(state: &mut HuntState, command: &Command, now: Timestamp) -> hunt_core::state::Outcome {
    let decision = state.decide(command, now).expect("a valid command");
    state.apply_all(&decision.events).expect("applies");
    decision.outcome
}

/// Registers "Sea Otters" before the start.
fn register(state: &mut HuntState) -> TeamId {
    let command = Command::Register {
        name: "Sea Otters".into(),
        division: None,
    };
    match run(state, &command, at(-5)) {
        hunt_core::state::Outcome::Registered(team) => team,
        other => panic!("{other:?}"),
    }
}

fn guess(state: &mut HuntState, team: TeamId, challenge: &str, key: u128, now: Timestamp) {
    let command = Command::Submit {
        team,
        challenge: challenge.into(),
        answer: "wrong".into(),
        key: IdempotencyKey(key),
    };
    let outcome = run(state, &command, now);
    assert!(
        matches!(
            outcome,
            hunt_core::state::Outcome::Verdict(Verdict::Incorrect { .. })
        ),
        "{outcome:?}"
    );
}

#[test]
fn the_hunt_clock_is_walked_instant_by_instant() {
    let state = state();
    let mut now = at(-60);
    let mut seen = Vec::new();
    while let Some(next) = state.next_change(now) {
        assert!(next > now, "always later than now");
        seen.push(next);
        now = next;
    }
    // The start, both timed unlocks (the one inside a combination too), the freeze, the end.
    let minutes = [0, 120, 210, 600, 720];
    assert_eq!(seen, minutes.map(at).to_vec());
    assert_eq!(state.next_change(at(720)), None, "nothing after the end");
    assert_eq!(
        state.next_change(at(119)),
        Some(at(120)),
        "from any instant, the next one"
    );
}

#[test]
fn a_timed_unlock_opens_the_challenge_at_the_instant_reported() {
    let mut state = state();
    let team = register(&mut state);
    let sees_later = |state: &HuntState, now| {
        let progress = state.progress(team, now).expect("a team");
        progress.challenges.iter().any(
            |c| matches!(c, hunt_core::state::ChallengeView::Open { slug, .. } if slug == "later"),
        )
    };
    let opens = state.next_change(at(30)).expect("an instant left");
    assert!(!sees_later(
        &state,
        Timestamp::from_millis(opens.as_millis() - 1)
    ));
    assert!(sees_later(&state, opens), "the view changed at the instant");
}

#[test]
fn a_team_also_wakes_when_its_throttles_run_out() {
    let mut state = state();
    let team = register(&mut state);
    let now = at(10);
    assert_eq!(
        state.next_change_for(team, now),
        Some(at(120)),
        "the hunt clock alone"
    );

    // One wrong guess at `window`: the next may come 30 s later.
    guess(&mut state, team, "window", 1, now);
    let retry = Timestamp::from_millis(now.as_millis() + 30_000);
    assert_eq!(state.next_change_for(team, now), Some(retry));
    assert_eq!(
        state.next_change(now),
        Some(at(120)),
        "the public board does not wake for a team's throttle"
    );

    // A guess at `reset` (2 attempts per 5 minutes) comes back to the count 5 minutes later.
    let later = Timestamp::from_millis(retry.as_millis() + 1);
    guess(&mut state, team, "reset", 2, later);
    let back = Timestamp::from_millis(later.as_millis() + 5 * 60_000);
    assert_eq!(state.next_change_for(team, later), Some(back));
    assert_eq!(
        state.team(team).unwrap().attempts_left(
            state.hunt(),
            state.hunt().challenge_by_slug("reset").unwrap().id,
            later
        ),
        Some(1)
    );
    assert_eq!(
        state.team(team).unwrap().attempts_left(
            state.hunt(),
            state.hunt().challenge_by_slug("reset").unwrap().id,
            back
        ),
        Some(2),
        "the attempts left went up at the instant reported"
    );
    assert_eq!(
        state.next_change_for(TeamId(99), now),
        Some(at(120)),
        "an unknown team has the hunt clock only"
    );
}
