//! `hunt submit`: verdicts as sentences, and errors for what an operator mistypes.

use crate::{DURING, Hunt, Store};

on_each_store!(
    verdicts_read_as_sentences,
    outside_the_window_and_retries_with_a_key,
    unknown_team_or_challenge_exit_1_with_one_line,
    a_submission_dated_before_the_log_is_recorded_at_the_logs_time,
);

fn verdicts_read_as_sentences(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    let verdict = hunt.submit("Sea Otters", "welcome", "  ANCHORS ");
    assert!(
        verdict.starts_with("Correct! +100 points, first blood"),
        "{verdict}"
    );
    let verdict = hunt.submit("Null Pointers", "welcome", "anchors");
    assert!(verdict.starts_with("Correct! +100 points\n"), "{verdict}");
    let verdict = hunt.submit("Sea Otters", "welcome", "anchors");
    assert!(verdict.starts_with("Already solved"), "{verdict}");
    let verdict = hunt.submit("Sea Otters", "lighthouse", "fog");
    assert!(
        verdict.starts_with("Incorrect. 9 attempts left"),
        "{verdict}"
    );
    let verdict = hunt.submit("Sea Otters", "lighthouse", "FOG");
    assert!(verdict.starts_with("Already tried that one"), "{verdict}");
    let verdict = hunt.submit("Sea Otters", "lighthouse", "lamp");
    assert!(verdict.starts_with("Keep going: "), "{verdict}");
    let verdict = hunt.submit("Sea Otters", "treasure", "skull island");
    assert!(verdict.starts_with("That challenge is locked"), "{verdict}");
}

fn outside_the_window_and_retries_with_a_key(store: Store) {
    // Registered before the start: a submission dated before the log's last event would be
    // decided at the log's time instead.
    let hunt = Hunt::hackathon_on(store);
    hunt.ok(&["team", "add", "Sea Otters", "--at", "2026-11-28T07:00:00Z"]);
    let early = hunt.ok(&[
        "submit",
        "Sea Otters",
        "welcome",
        "anchors",
        "--at",
        "2026-11-28T08:00:00Z",
    ]);
    assert!(
        early.starts_with("The hunt opens at 2026-11-28T09:00:00Z"),
        "{early}"
    );
    let key = "0123456789abcdef0123456789abcdef";
    let args = [
        "submit",
        "Sea Otters",
        "welcome",
        "anchors",
        "--key",
        key,
        "--at",
        DURING,
    ];
    assert!(hunt.ok(&args).starts_with("Correct!"));
    let again = hunt.ok(&args);
    assert!(
        again.starts_with("Already received (same key): Correct!"),
        "{again}"
    );
}

fn unknown_team_or_challenge_exit_1_with_one_line(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    let run = hunt.run(&["submit", "Nobody", "welcome", "anchors", "--at", DURING]);
    run.fails(1, "no team named \"Nobody\"");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    assert!(run.stdout.is_empty());
    hunt.run(&["submit", "Sea Otters", "nope", "x", "--at", DURING])
        .fails(1, "no challenge `nope`");
    // A malformed --at is a usage error.
    assert_eq!(
        hunt.run(&["submit", "Sea Otters", "welcome", "x", "--at", "tomorrow"])
            .code,
        2
    );
}

fn a_submission_dated_before_the_log_is_recorded_at_the_logs_time(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.submit("Sea Otters", "welcome", "anchors");
    // `--at` before the team registered (and before the start): decided at the log's time,
    // so it is judged, and the log stays in time order.
    let verdict = hunt.ok(&[
        "submit",
        "Null Pointers",
        "welcome",
        "anchors",
        "--at",
        "2026-11-28T08:00:00Z",
    ]);
    assert!(verdict.starts_with("Correct!"), "{verdict}");
    let log = hunt.ok(&["log"]);
    assert!(!log.contains("08:00"), "{log}");
}
