//! Registering teams: declared divisions are enforced, and display names are unique under a
//! key that ignores case, spacing and look-alike characters.

use std::path::Path;
use std::sync::Arc;

use hunt_core::state::{CommandError, HuntState, Outcome};
use hunt_core::{Command, Event, Recorded, TeamId, Timestamp};

/// A state of the sample CTF (`examples/hunts/ctf.toml`: divisions `students` and `open`).
fn ctf() -> HuntState {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hunts/ctf.toml");
    let source = std::fs::read_to_string(&path).expect("the sample CTF");
    let hunt = hunt_core::definition::load(&source).unwrap_or_else(|e| panic!("{e}"));
    HuntState::new(Arc::new(hunt), None).expect("no sealed answers")
}

/// Decides a registration at the hunt's start and applies it; returns what it came to.
fn register(
    state: &mut HuntState,
    name: &str,
    division: Option<&str>,
) -> Result<TeamId, CommandError> {
    let command = Command::Register {
        name: name.into(),
        division: division.map(str::to_owned),
    };
    let now: Timestamp = state.hunt().start;
    let decision = state.decide(&command, now)?;
    for event in &decision.events {
        let recorded = Recorded {
            seq: state.seq() + 1,
            event: event.clone(),
        };
        state.apply(&recorded).expect("applies");
    }
    match decision.outcome {
        Outcome::Registered(team) => Ok(team),
        other => panic!("{other:?}"),
    }
}

fn known() -> Vec<String> {
    vec!["students".to_owned(), "open".to_owned()]
}

#[test]
fn a_hunt_with_divisions_refuses_an_undeclared_or_missing_one_with_the_list() {
    let mut state = ctf();
    assert_eq!(
        register(&mut state, "A", Some("Nope")),
        Err(CommandError::UnknownDivision {
            given: "Nope".into(),
            known: known(),
        })
    );
    assert_eq!(
        register(&mut state, "A", None),
        Err(CommandError::DivisionRequired { known: known() })
    );
    let message = CommandError::UnknownDivision {
        given: "Nope".into(),
        known: known(),
    }
    .to_string();
    assert!(message.contains("students, open"), "{message}");
    assert_eq!(state.team_count(), 0);
}

#[test]
fn a_division_is_matched_like_ids_and_recorded_by_its_declared_id() {
    let mut state = ctf();
    for (name, given) in [
        ("A", "STUDENTS"),
        ("B", " students "),
        ("C", "Open"),
        ("D", "open"),
    ] {
        let team = register(&mut state, name, Some(given)).expect("a declared division");
        let division = state.team(team).and_then(|t| t.division.clone());
        assert_eq!(
            division.as_deref(),
            Some(if name < "C" { "students" } else { "open" })
        );
    }
    // One board per declared division, not one per spelling.
    assert_eq!(state.divisions().collect::<Vec<_>>(), ["students", "open"]);
    assert_eq!(state.division_page("students", 0, 10).len(), 2);
    // The event carries the canonical id.
    let decision = state
        .decide(
            &Command::Register {
                name: "E".into(),
                division: Some("STUDENTS".into()),
            },
            state.hunt().start,
        )
        .expect("registers");
    assert!(
        matches!(&decision.events[..], [Event::TeamRegistered { division: Some(d), .. }] if d == "students"),
        "{:?}",
        decision.events
    );
}
