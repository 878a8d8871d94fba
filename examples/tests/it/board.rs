//! `hunt board`: the standings, top N, per division, and the public (frozen) board.

use crate::{DURING, Hunt, Store};

on_each_store!(
    board_top_and_division,
    the_public_board_freezes_until_the_reveal,
    revealing_before_the_freeze_needs_force,
);

fn board_top_and_division(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.ok(&[
        "team",
        "add",
        "Rust Buckets",
        "--division",
        "Students",
        "--at",
        crate::DURING,
    ]);
    hunt.submit("Null Pointers", "welcome", "anchors");
    hunt.submit("Null Pointers", "lighthouse", "light");
    hunt.submit("Rust Buckets", "welcome", "anchors");

    let board = hunt.ok(&["board"]);
    for word in [
        "rank",
        "team",
        "score",
        "solves",
        "last solve",
        "Null Pointers",
        "250",
    ] {
        assert!(board.contains(word), "{word:?} not in {board}");
    }
    let top = hunt.ok(&["board", "--top", "1"]);
    assert!(
        top.contains("Null Pointers") && !top.contains("Rust Buckets"),
        "{top}"
    );

    // Within the division, Rust Buckets (100) is first and Sea Otters (0) second.
    let students = hunt.ok(&["board", "--division", "students"]);
    assert!(!students.contains("Null Pointers"), "{students}");
    let rust = students
        .lines()
        .find(|l| l.contains("Rust Buckets"))
        .expect("listed");
    assert!(
        rust.trim_start_matches(['│', '|', ' ']).starts_with('1'),
        "{students}"
    );
    let run = hunt.run(&["board", "--division", "Pros"]);
    run.fails(1, "no division \"Pros\"");
    assert!(run.stderr.contains("divisions: Students"), "{run:#?}");
    let top = hunt.ok(&["board", "--division", "Students", "--top", "1"]);
    assert!(
        top.contains("Rust Buckets") && !top.contains("Sea Otters"),
        "{top}"
    );
}

fn the_public_board_freezes_until_the_reveal(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.submit("Sea Otters", "welcome", "anchors");
    // The sample hunt freezes at 20:00: Null Pointers' solves after it stay off the public
    // board.
    for (challenge, answer) in [("welcome", "anchors"), ("lighthouse", "light")] {
        hunt.ok(&[
            "submit",
            "Null Pointers",
            challenge,
            answer,
            "--at",
            "2026-11-28T20:30:00Z",
        ]);
    }
    let live = hunt.ok(&["board"]);
    assert_eq!(place_of(&live, "Null Pointers"), 1, "{live}");
    assert!(!live.contains("frozen"), "{live}");
    let public = hunt.ok(&["board", "--public"]);
    assert!(
        public.starts_with("Public board, frozen at 2026-11-28 20:00:00Z"),
        "{public}"
    );
    assert_eq!(place_of(&public, "Sea Otters"), 1, "{public}");
    assert_eq!(score_of(&public, "Null Pointers"), 0, "{public}");
    // A team sees its live score but its public place.
    let show = hunt.ok(&[
        "team",
        "show",
        "Null Pointers",
        "--at",
        "2026-11-28T20:40:00Z",
    ]);
    assert!(
        show.contains("Null Pointers: 250 points, place 2 of 2 (public board frozen"),
        "{show}"
    );
    assert!(show.contains("live place 1"), "{show}");

    let revealed = hunt.ok(&["admin", "reveal", "--at", "2026-11-28T21:30:00Z"]);
    assert!(revealed.contains("Revealed the final board"), "{revealed}");
    assert!(
        revealed.contains("now shows the live standings")
            && revealed.contains("led by \"Null Pointers\""),
        "{revealed}"
    );
    let public = hunt.ok(&["board", "--public"]);
    assert!(!public.contains("frozen"), "{public}");
    assert_eq!(place_of(&public, "Null Pointers"), 1, "{public}");
    let again = hunt.ok(&["admin", "reveal", "--at", "2026-11-28T21:31:00Z"]);
    assert!(again.contains("already revealed"), "{again}");
}

/// The cells of `team`'s row in a board table.
fn cells<'a>(board: &'a str, team: &str) -> Vec<&'a str> {
    let line = board
        .lines()
        .find(|l| l.contains(team))
        .unwrap_or_else(|| panic!("{team} not in {board}"));
    line.split(['│', '┆'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

fn place_of(board: &str, team: &str) -> u32 {
    cells(board, team)[0].parse().expect("a place")
}

fn score_of(board: &str, team: &str) -> i64 {
    // rank, team, [division,] score, solves, last solve.
    let cells = cells(board, team);
    cells[cells.len() - 3].parse().expect("a score")
}

fn revealing_before_the_freeze_needs_force(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.submit("Sea Otters", "welcome", "anchors");
    // The sample hunt freezes at 20:00.
    let run = hunt.run(&["admin", "reveal", "--at", DURING]);
    run.fails(1, "not frozen yet: it freezes at 2026-11-28 20:00:00Z");
    assert!(run.stderr.contains("--force"), "{run:#?}");
    assert!(!hunt.ok(&["log"]).contains("revealed"));
    let forced = hunt.ok(&["admin", "reveal", "--force", "--at", DURING]);
    assert!(
        forced.contains("Revealed the final board")
            && forced.contains("led by \"Sea Otters\" with 100 points"),
        "{forced}"
    );
    assert!(hunt.ok(&["log"]).contains("revealed the final board"));
}

#[test]
fn the_puzzle_hunt_order_explains_fewer_points_above_more() {
    let hunt = Hunt::empty();
    hunt.ok(&[
        "init",
        crate::sample("treasure.toml").to_str().expect("UTF-8 path"),
    ]);
    for team in ["Early Birds", "Late Owls"] {
        hunt.ok(&["team", "add", team, "--at", "2026-11-28T08:30:00Z"]);
    }
    // The early team takes a hint (charged on solve) and so has fewer points for as many
    // solves, reached sooner.
    hunt.ok(&[
        "hint",
        "Early Birds",
        "cafeteria",
        "menu",
        "--at",
        "2026-11-28T09:30:00Z",
    ]);
    for (team, minute) in [("Early Birds", 40), ("Late Owls", 50)] {
        let at = |offset: u32| format!("2026-11-28T09:{:02}:00Z", minute + offset);
        hunt.ok(&["submit", team, "lobby", "twelve", "--at", &at(0)]);
        hunt.ok(&["submit", team, "cafeteria", "tomato", "--at", &at(5)]);
    }
    let board = hunt.ok(&["board"]);
    let early = board.find("Early Birds").expect("on the board");
    let late = board.find("Late Owls").expect("on the board");
    assert!(early < late, "{board}");
    assert!(
        board.contains(
            "Early Birds (18 points) is above Late Owls (20 points) because it reached its \
             2 solves first"
        ),
        "{board}"
    );
    // Under the points order there is nothing to explain.
    let points = Hunt::with_teams();
    points.submit("Null Pointers", "welcome", "anchors");
    let board = points.ok(&["board"]);
    assert!(!board.contains("Puzzle-hunt order"), "{board}");
}
