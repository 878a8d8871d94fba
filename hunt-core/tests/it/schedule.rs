//! When views change with no new event: `HuntState::next_change` walks the hunt's clock
//! (start, timed unlocks, freeze, end) and `next_change_for` adds a team's throttles. The
//! instants are sorted once per state; a property test checks them against a walk of every
//! challenge's unlock rule, as `next_change` used to do on every call.

use crate::clock::at;
use std::sync::Arc;

use hunt_core::hunt::{Hunt, UnlockRule};
use hunt_core::state::HuntState;
use hunt_core::{Command, IdempotencyKey, TeamId, Timestamp, Verdict};
use proptest::prelude::*;

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

/// The first instant after `now` among the hunt's start, freeze, end and every timed unlock
/// inside every challenge's rule: the walk `next_change` did before its instants were
/// sorted once.
fn walked(hunt: &Hunt, now: Timestamp) -> Option<Timestamp> {
    fn offsets(rule: &UnlockRule, found: &mut Vec<hunt_core::Span>) {
        match rule {
            UnlockRule::After(offset) => found.push(*offset),
            UnlockRule::AllOf(rules) | UnlockRule::AnyOf(rules) => {
                rules.iter().for_each(|r| offsets(r, found));
            }
            UnlockRule::AtLeast { of, .. } => of.iter().for_each(|r| offsets(r, found)),
            _ => {}
        }
    }
    let mut all = vec![hunt.start, hunt.end];
    all.extend(hunt.freeze);
    for challenge in &hunt.challenges {
        let mut found = Vec::new();
        offsets(&challenge.unlock, &mut found);
        all.extend(found.into_iter().map(|o| hunt.start.saturating_add(o)));
    }
    all.into_iter().filter(|at| *at > now).min()
}

/// An unlock rule of challenge `i` (in TOML): timed unlocks alone and inside combinations,
/// with solves of earlier challenges, all within a hunt of `minutes`.
fn rule(i: usize, minutes: i64) -> impl Strategy<Value = String> {
    let after = (1..minutes).prop_map(|m| format!("{{ after = \"{m}m\" }}"));
    let leaf = if i == 0 {
        after.boxed()
    } else {
        prop_oneof![after, (0..i).prop_map(|c| format!("\"c{c}\""))].boxed()
    };
    leaf.prop_recursive(2, 6, 3, |inner| {
        prop::collection::vec(inner, 1..4).prop_flat_map(|rules| {
            let list = rules.join(", ");
            let n = rules.len();
            prop_oneof![
                Just(format!("{{ all_of = [{list}] }}")),
                Just(format!("{{ any_of = [{list}] }}")),
                (1..=n).prop_map(move |k| format!("{{ at_least = {{ n = {k}, of = [{list}] }} }}")),
            ]
        })
    })
}

/// A hunt of 2 to 48 hours, with or without a freeze, whose challenges open at random
/// times or by random combinations of times and solves; `None` marks an open challenge.
fn definition() -> impl Strategy<Value = String> {
    (120i64..2880, prop::option::of(1i64..100)).prop_flat_map(|(minutes, freeze)| {
        let rules: Vec<_> = (0..6).map(|i| prop::option::of(rule(i, minutes))).collect();
        rules.prop_map(move |rules| {
            let mut source = format!(
                "id = \"random\"\ntitle = \"Random\"\nstart = {}\nend = {}\n",
                crate::clock::START,
                at(minutes)
            );
            if let Some(percent) = freeze {
                source.push_str(&format!("freeze = {}\n", at(minutes * percent / 100)));
            }
            for (i, unlock) in rules.iter().enumerate() {
                source.push_str(&format!(
                    "\n[[challenge]]\nid = \"c{i}\"\ntitle = \"C{i}\"\npoints = 10\n\
                     answers = [\"a\"]\n"
                ));
                if let Some(unlock) = unlock {
                    source.push_str(&format!("unlock = {unlock}\n"));
                }
            }
            source
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// From every instant of the hunt (and just before and after each), the sorted
    /// instants give what the walk of every unlock rule gives.
    #[test]
    fn the_sorted_instants_agree_with_a_walk_of_every_unlock_rule(source in definition()) {
        let hunt = hunt_core::definition::load(&source).unwrap_or_else(|e| panic!("{e}\n{source}"));
        let state = HuntState::new(Arc::new(hunt.clone()), None).expect("no sealed answers");
        let mut probes = vec![Timestamp::from_millis(i64::MIN), at(-1), at(0)];
        let mut now = at(-1);
        while let Some(next) = walked(&hunt, now) {
            probes.extend([next.as_millis() - 1, next.as_millis(), next.as_millis() + 1].map(Timestamp::from_millis));
            now = next;
        }
        probes.push(Timestamp::from_millis(i64::MAX));
        for now in probes {
            prop_assert_eq!(state.next_change(now), walked(&hunt, now), "from {:?} in\n{}", now, source);
        }
    }
}
