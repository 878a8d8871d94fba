//! `hunt admin grant | adjust | hide | unhide` (reveal is in `board.rs`, with the freeze).

use crate::{DURING, Hunt, Store};

on_each_store!(
    grant_gives_a_team_more_attempts,
    adjust_awards_and_deducts_points_with_a_reason,
    hidden_teams_leave_the_board_until_unhidden,
    grant_on_a_challenge_without_a_cap_says_it_changes_nothing,
    hiding_a_hidden_team_says_nothing_changed,
);

fn grant_gives_a_team_more_attempts(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    // The sample's lighthouse allows 10 counted wrong guesses.
    for i in 0..10 {
        hunt.submit("Sea Otters", "lighthouse", &format!("wrong {i}"));
    }
    let verdict = hunt.submit("Sea Otters", "lighthouse", "light");
    assert!(
        verdict.starts_with("No attempts left for that challenge"),
        "{verdict}"
    );
    let granted = hunt.ok(&[
        "admin",
        "grant",
        "Sea Otters",
        "lighthouse",
        "2",
        "--at",
        DURING,
    ]);
    assert!(
        granted.contains("Granted \"Sea Otters\" 2 more attempts at `lighthouse`"),
        "{granted}"
    );
    let verdict = hunt.submit("Sea Otters", "lighthouse", "wrong again");
    assert!(
        verdict.starts_with("Incorrect. 1 attempt left"),
        "{verdict}"
    );
    let log = hunt.ok(&["log"]);
    assert!(log.contains("lighthouse: granted 2 more attempts"), "{log}");
    // Nothing granted, an unknown challenge: one-line errors.
    assert_eq!(
        hunt.run(&["admin", "grant", "Sea Otters", "lighthouse", "0"])
            .code,
        2
    );
    hunt.run(&["admin", "grant", "Sea Otters", "nope", "1", "--at", DURING])
        .fails(1, "no challenge `nope`");
}

fn adjust_awards_and_deducts_points_with_a_reason(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.submit("Sea Otters", "welcome", "anchors");
    let out = hunt.ok(&[
        "admin",
        "adjust",
        "Sea Otters",
        "-30",
        "shared an answer",
        "--at",
        DURING,
    ]);
    assert!(
        out.contains("-30 points for \"Sea Otters\": shared an answer"),
        "{out}"
    );
    assert!(out.contains("now has 70 points, place 1 of 2"), "{out}");
    hunt.ok(&[
        "admin",
        "adjust",
        "Null Pointers",
        "+100",
        "bug bounty",
        "--at",
        DURING,
    ]);
    let board = hunt.ok(&["board"]);
    let first = board
        .lines()
        .find(|l| l.contains("Null Pointers"))
        .expect("listed");
    assert!(first.contains("100"), "{board}");
    let log = hunt.ok(&["log"]);
    assert!(log.contains("-30 points: shared an answer"), "{log}");
    hunt.run(&[
        "admin",
        "adjust",
        "Sea Otters",
        "0",
        "nothing",
        "--at",
        DURING,
    ])
    .fails(1, "non-zero");
}

fn hidden_teams_leave_the_board_until_unhidden(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    let out = hunt.ok(&["admin", "hide", "Null Pointers", "--at", DURING]);
    assert!(out.contains("\"Null Pointers\" is hidden"), "{out}");
    let board = hunt.ok(&["board"]);
    assert!(!board.contains("Null Pointers"), "{board}");
    let list = hunt.ok(&["team", "list"]);
    assert!(list.contains("hidden"), "{list}");
    let out = hunt.ok(&["admin", "unhide", "Null Pointers", "--at", DURING]);
    assert!(out.contains("shown on the board again"), "{out}");
    assert!(hunt.ok(&["board"]).contains("Null Pointers"));
    hunt.run(&["admin", "hide", "Nobody", "--at", DURING])
        .fails(1, "no team named \"Nobody\"");
}

#[test]
fn every_admin_command_has_help() {
    let hunt = Hunt::empty();
    for command in ["reveal", "grant", "adjust", "hide", "unhide"] {
        let help = hunt.ok(&["admin", command, "--help"]);
        assert!(help.contains("Usage: hunt admin"), "{help}");
    }
}

fn grant_on_a_challenge_without_a_cap_says_it_changes_nothing(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    // The sample's welcome has no attempt cap.
    let granted = hunt.ok(&[
        "admin",
        "grant",
        "Sea Otters",
        "welcome",
        "3",
        "--at",
        DURING,
    ]);
    assert!(
        granted.contains("`welcome` has no attempt cap, so this changes nothing"),
        "{granted}"
    );
}

fn hiding_a_hidden_team_says_nothing_changed(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    let first = hunt.ok(&["admin", "hide", "Sea Otters", "--at", DURING]);
    assert!(
        first.contains("\"Sea Otters\" is hidden from the board"),
        "{first}"
    );
    let again = hunt.ok(&["admin", "hide", "Sea Otters", "--at", DURING]);
    assert!(
        again.contains("\"Sea Otters\" was already hidden: nothing changed"),
        "{again}"
    );
}
