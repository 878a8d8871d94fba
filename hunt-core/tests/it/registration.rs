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

/// A state of a hunt without divisions.
fn plain() -> HuntState {
    let source = r#"
id = "names"
title = "Names"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z
[[challenge]]
id = "a"
title = "A"
points = 1
answers = ["a"]
"#;
    let hunt = hunt_core::definition::load(source).unwrap_or_else(|e| panic!("{e}"));
    HuntState::new(Arc::new(hunt), None).expect("no sealed answers")
}

#[test]
fn names_are_unique_ignoring_case_and_inner_spacing() {
    let mut state = plain();
    let otters = register(&mut state, "Sea Otters", None).expect("registers");
    for taken in [
        "Sea   Otters",
        " SEA OTTERS ",
        "sea \u{2003} otters",
        "Sea\u{3000}Otters",
    ] {
        assert_eq!(
            register(&mut state, taken, None),
            Err(CommandError::NameTaken(taken.to_owned())),
            "{taken:?}"
        );
        assert_eq!(state.team_by_name(taken), Some(otters), "{taken:?}");
    }
    assert_eq!(state.team_count(), 1);
}

#[test]
fn invisible_and_bidi_control_characters_are_refused() {
    let mut state = plain();
    for c in [
        '\u{200B}', '\u{200E}', '\u{200F}', '\u{2060}', '\u{FEFF}', '\u{202A}', '\u{202E}',
        '\u{2066}', '\u{2069}',
    ] {
        let name = format!("Sea{c}Otters");
        assert_eq!(
            register(&mut state, &name, None),
            Err(CommandError::InvisibleCharacter(c)),
            "U+{:04X}",
            u32::from(c)
        );
    }
    let reversed = "\u{202E}sretto aeS";
    let message = register(&mut state, reversed, None)
        .expect_err("refused")
        .to_string();
    assert!(message.contains("U+202E"), "{message}");
    assert_eq!(state.team_count(), 0);
}

#[test]
fn a_name_that_looks_like_a_registered_one_is_refused() {
    let mut state = plain();
    register(&mut state, "Sea Otters", None).expect("registers");
    register(&mut state, "Team1", None).expect("registers");
    for (name, existing) in [
        ("Sea 0tters", "Sea Otters"),
        // Cyrillic Ѕ, е, а, О.
        ("\u{405}\u{435}\u{430} \u{41E}tt\u{435}rs", "Sea Otters"),
        ("Teaml", "Team1"),
        ("TEAMI", "Team1"),
    ] {
        assert_eq!(
            register(&mut state, name, None),
            Err(CommandError::NameLooksLike {
                name: name.to_owned(),
                existing: existing.to_owned(),
            }),
            "{name}"
        );
    }
    // Different names are still welcome, and each is found by its own name only.
    let lions = register(&mut state, "Sea Lions", None).expect("registers");
    assert_eq!(state.team_by_name("sea lions"), Some(lions));
    assert_eq!(state.team_by_name("Sea 0tters"), None);
    assert_eq!(state.team_count(), 3);
}

#[test]
fn a_log_with_clashing_names_from_before_still_replays_and_finds_every_team() {
    // Logs written before look-alikes and inner spacing were refused may hold both.
    let hunt = plain().hunt().clone();
    let at = hunt.start;
    let log: Vec<Recorded> = ["Sea Otters", "Sea 0tters", "Sea   Otters"]
        .into_iter()
        .enumerate()
        .map(|(i, name)| Recorded {
            seq: i as u64 + 1,
            event: Event::TeamRegistered {
                team: TeamId(i as u32),
                name: name.into(),
                division: None,
                key: None,
                at,
            },
        })
        .collect();
    let state = HuntState::replay(hunt, None, &log).expect("replays");
    assert_eq!(state.team_count(), 3);
    assert_eq!(state.team_by_name("Sea Otters"), Some(TeamId(0)));
    assert_eq!(state.team_by_name("sea 0tters"), Some(TeamId(1)));
    // A snapshot of it decodes to the same index.
    let decoded = HuntState::decode_snapshot(state.hunt().clone(), None, &state.encode_snapshot())
        .expect("decodes");
    assert_eq!(decoded.team_by_name("Sea 0tters"), Some(TeamId(1)));
}
