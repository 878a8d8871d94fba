//! `hunt board`: the standings, top N, per division, and the public view's note.

use crate::Hunt;

#[test]
fn board_top_and_division() {
    let hunt = Hunt::with_teams();
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
    hunt.run(&["board", "--division", "Pros"])
        .fails(1, "no team is in division \"Pros\"");
}

#[test]
fn the_public_board_is_the_live_one_for_now_with_a_note() {
    let hunt = Hunt::with_teams();
    let run = hunt.run(&["board", "--public"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.contains("Sea Otters"), "{run:#?}");
    assert!(run.stderr.contains("note:"), "{run:#?}");
}
