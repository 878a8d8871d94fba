//! Revealing the final board: refused before the freeze (and without one) unless forced,
//! since it cannot be undone; the command's JSON from before `force` still reads.

use std::sync::Arc;

use hunt_core::state::{CommandError, HuntState, Outcome};
use hunt_core::{Command, Event, IdempotencyKey, Recorded, Timestamp};

use crate::clock::at;

fn state(freeze: &str) -> HuntState {
    let source = format!(
        r#"
id = "reveal"
title = "Reveal"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z
{freeze}
[[challenge]]
id = "a"
title = "A"
points = 100
answers = ["flag"]
"#
    );
    let hunt = hunt_core::definition::load(&source).unwrap_or_else(|e| panic!("{e}"));
    HuntState::new(Arc::new(hunt), None).expect("no sealed answers")
}

fn apply(state: &mut HuntState, events: Vec<Event>) {
    for event in events {
        let recorded = Recorded {
            seq: state.seq() + 1,
            event,
        };
        state.apply(&recorded).expect("applies");
    }
}

fn reveal(force: bool) -> Command {
    Command::RevealBoard { force }
}

#[test]
fn revealing_before_the_freeze_is_refused_unless_forced() {
    let mut state = state("freeze = 2026-11-28T19:00:00Z");
    let freeze = state.hunt().freeze;
    assert_eq!(freeze, Some(at(600)));
    assert_eq!(
        state.decide(&reveal(false), at(599)),
        Err(CommandError::NotFrozen { freeze })
    );
    let message = CommandError::NotFrozen { freeze }.to_string();
    assert!(message.contains("2026-11-28T19:00:00Z"), "{message}");
    // Forced: recorded, and the public board is the live one from then on.
    let decision = state
        .decide_with_key(&reveal(true), IdempotencyKey(7), at(100))
        .expect("forced");
    assert_eq!(decision.outcome, Outcome::Revealed { changed: true });
    assert!(matches!(
        &decision.events[..],
        [Event::BoardRevealed { at: t, .. }] if *t == at(100)
    ));
    apply(&mut state, decision.events);
    assert!(state.is_revealed());
    // Once revealed, asking again changes nothing, forced or not.
    let again = state
        .decide(&reveal(false), at(101))
        .expect("nothing to do");
    assert!(again.events.is_empty());
}

#[test]
fn revealing_at_or_after_the_freeze_needs_no_force() {
    let mut state = state("freeze = 2026-11-28T19:00:00Z");
    let decision = state.decide(&reveal(false), at(600)).expect("frozen");
    assert_eq!(decision.events.len(), 1);
    apply(&mut state, decision.events);
    assert!(state.is_revealed());
}

#[test]
fn a_hunt_without_a_freeze_has_nothing_to_reveal_unless_forced() {
    let state = state("");
    assert_eq!(
        state.decide(&reveal(false), at(700)),
        Err(CommandError::NotFrozen { freeze: None })
    );
    assert_eq!(
        state.decide(&reveal(true), at(700)).map(|d| d.events.len()),
        Ok(1)
    );
}

#[test]
fn a_reveal_command_written_before_force_existed_reads_as_not_forced() {
    let old: Command = serde_json::from_str(r#"{"command":"reveal_board"}"#).expect("reads");
    assert_eq!(old, reveal(false));
    // The event's JSON is unchanged.
    let event = Event::BoardRevealed {
        at: Timestamp::from_millis(5),
        key: None,
    };
    assert_eq!(
        serde_json::to_string(&event).expect("serializes"),
        r#"{"type":"board_revealed","at":5}"#
    );
}
