//! `hunt team add | list | show`.

use crate::{DURING, Hunt, Store};

on_each_store!(
    teams_are_added_listed_and_shown,
    a_taken_name_and_an_unknown_team_are_one_line_errors,
    a_hunt_with_divisions_takes_only_its_own_in_any_case,
    names_that_differ_only_in_spacing_invisibles_or_look_alikes_are_refused,
);

fn teams_are_added_listed_and_shown(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    let list = hunt.ok(&["team", "list"]);
    assert!(
        list.contains("Sea Otters") && list.contains("Null Pointers"),
        "{list}"
    );
    assert!(list.contains("Students"), "{list}");

    hunt.submit("Sea Otters", "welcome", "anchors");
    hunt.submit("Sea Otters", "lighthouse", "fog");
    let show = hunt.ok(&["team", "show", "sea otters", "--at", DURING]);
    assert!(
        show.contains("Sea Otters (division Students): 100 points"),
        "{show}"
    );
    // Solved with its answer, open with attempts left (10 allowed, 1 used), locked metas.
    assert!(show.contains("anchors"), "{show}");
    assert!(show.contains("solved") && show.contains("open") && show.contains("locked"));
    assert!(show.contains(" 9 "), "{show}");
}

fn a_taken_name_and_an_unknown_team_are_one_line_errors(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.run(&["team", "add", "SEA OTTERS", "--at", DURING])
        .fails(1, "taken");
    let run = hunt.run(&["team", "show", "Nobody", "--at", DURING]);
    run.fails(1, "no team named \"Nobody\"");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
}

fn a_hunt_with_divisions_takes_only_its_own_in_any_case(store: Store) {
    let hunt = Hunt::empty_on(store);
    hunt.ok(&["init", crate::sample("ctf.toml").to_str().expect("UTF-8")]);
    let at = "2026-10-03T12:00:00Z";
    let run = hunt.run(&["team", "add", "A", "--division", "Nope", "--at", at]);
    run.fails(1, "no division \"Nope\"");
    assert!(run.stderr.contains("students, open"), "{run:#?}");
    hunt.run(&["team", "add", "A", "--at", at])
        .fails(1, "students, open");
    let added = hunt.ok(&["team", "add", "A", "--division", "STUDENTS", "--at", at]);
    assert!(added.contains("in division \"students\""), "{added}");
    // One students board, not a second one spelled differently.
    let board = hunt.ok(&["board", "--division", "students"]);
    assert!(board.contains('A'), "{board}");
    let list = hunt.ok(&["team", "list"]);
    assert!(!list.contains("STUDENTS"), "{list}");
}

fn names_that_differ_only_in_spacing_invisibles_or_look_alikes_are_refused(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.run(&["team", "add", "Sea   Otters", "--at", DURING])
        .fails(1, "taken");
    hunt.run(&["team", "add", "Sea\u{200B}Otters", "--at", DURING])
        .fails(1, "U+200B");
    hunt.run(&["team", "add", "\u{202E}sretto aeS", "--at", DURING])
        .fails(1, "U+202E");
    hunt.run(&["team", "add", "Sea 0tters", "--at", DURING])
        .fails(1, "looks like that of the team \"Sea Otters\"");
    // Found by its name with any spacing.
    let show = hunt.ok(&["team", "show", "sea   otters", "--at", DURING]);
    assert!(show.contains("Sea Otters"), "{show}");
    let list = hunt.ok(&["team", "list"]);
    assert_eq!(list.matches("Otters").count(), 1, "{list}");
}
