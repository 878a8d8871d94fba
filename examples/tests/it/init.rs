//! `hunt init`: loading, refusing to replace, replacing when the log still fits.

use crate::{Hunt, Store, sample};

on_each_store!(
    init_loads_and_refuses_to_replace_unless_asked,
    replacing_with_a_definition_the_log_does_not_fit_changes_nothing,
    several_hunts_need_the_hunt_flag,
);

fn init_loads_and_refuses_to_replace_unless_asked(store: Store) {
    let hunt = Hunt::empty_on(store);
    let file = sample("hackathon.toml");
    let file = file.to_str().expect("UTF-8 path");
    let out = hunt.ok(&["init", file]);
    assert!(out.contains("Loaded hunt `hackathon-2026`"), "{out}");
    hunt.run(&["init", file]).fails(1, "--replace");
    let out = hunt.ok(&["init", file, "--replace"]);
    assert!(out.contains("unchanged"), "{out}");
}

fn replacing_with_a_definition_the_log_does_not_fit_changes_nothing(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.submit("Sea Otters", "welcome", "anchors");
    // The same hunt without the `welcome` challenge, which the log names.
    let source = std::fs::read_to_string(sample("hackathon.toml")).expect("readable");
    let edited = source
        .replace(
            "[[challenge]]\nid = \"welcome\"",
            "[[challenge]]\nid = \"greeting\"",
        )
        .replace(
            "\"welcome\", \"lighthouse\"",
            "\"greeting\", \"lighthouse\"",
        );
    assert_ne!(edited, source);
    let file = hunt.scratch("edited.toml");
    std::fs::write(&file, edited).expect("written");
    let file = file.to_str().expect("UTF-8 path");
    hunt.ok(&["check", file]);
    hunt.run(&["init", file, "--replace"])
        .fails(1, "does not fit");
    // The old definition still serves: the solve is there and `welcome` still exists.
    let out = hunt.ok(&["team", "show", "Sea Otters", "--at", crate::DURING]);
    assert!(out.contains("welcome"), "{out}");
    assert!(out.contains("solved"), "{out}");
}

#[test]
fn an_invalid_file_writes_nothing() {
    let hunt = Hunt::empty();
    let file = hunt.scratch("bad.toml");
    std::fs::write(&file, "id = \"x\"\n").expect("written");
    hunt.run(&["init", file.to_str().expect("UTF-8 path")])
        .fails(1, "is not a valid hunt definition");
    assert!(!hunt.data().join("store").exists());
}

#[test]
fn commands_on_a_missing_store_say_how_to_start() {
    let hunt = Hunt::empty();
    hunt.run(&["board"]).fails(1, "hunt init");
    assert!(!hunt.data().join("store").exists());
}

fn several_hunts_need_the_hunt_flag(store: Store) {
    let hunt = Hunt::hackathon_on(store);
    hunt.ok(&[
        "init",
        sample("puzzlehunt.toml").to_str().expect("UTF-8 path"),
    ]);
    hunt.run(&["board"]).fails(1, "--hunt");
    hunt.ok(&["--hunt", "lost-expedition-2026", "board"]);
    hunt.run(&["--hunt", "nope", "board"])
        .fails(1, "no hunt `nope`");
}

#[test]
fn a_damaged_store_exits_3_with_one_line() {
    let hunt = Hunt::hackathon();
    std::fs::write(
        hunt.data().join("store").join("hunt-store.marks"),
        "garbage",
    )
    .expect("written");
    let run = hunt.run(&["board"]);
    run.fails(3, "damaged");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
}
