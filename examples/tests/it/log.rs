//! `hunt log` and `hunt graph`.

use std::process::Stdio;
use std::time::Duration;

use crate::{Hunt, Store, lines_of};

on_each_store!(
    the_log_shows_every_event,
    follow_prints_submissions_made_while_it_runs,
    graph_writes_an_svg_picture,
);

fn the_log_shows_every_event(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.submit("Sea Otters", "welcome", "anchors");
    hunt.submit("Sea Otters", "lighthouse", "fog");
    let log = hunt.ok(&["log"]);
    assert_eq!(log.lines().count(), 4, "{log}");
    assert!(log.contains("registered in division \"Students\""), "{log}");
    assert!(log.contains("welcome \"anchors\": correct"), "{log}");
    assert!(log.contains("incorrect"), "{log}");
    let json = hunt.ok(&["log", "--json"]);
    assert!(json.lines().all(|l| l.starts_with("{\"seq\":")), "{json}");
}

fn follow_prints_submissions_made_while_it_runs(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    let mut follower = hunt
        .command(&["log", "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hunt log --follow starts");
    let received = lines_of(&mut follower);
    let wait = Duration::from_secs(20);
    for _ in 0..2 {
        received.recv_timeout(wait).expect("the existing events");
    }
    // The follower holds the store only while it polls; a submission gets in between.
    let verdict = hunt.submit("Null Pointers", "welcome", "anchors");
    assert!(verdict.starts_with("Correct!"), "{verdict}");
    let line = received.recv_timeout(wait).expect("the new event, live");
    assert!(
        line.contains("Null Pointers") && line.contains("correct"),
        "{line}"
    );
    follower.kill().expect("killed");
    follower.wait().expect("reaped");
}

fn graph_writes_an_svg_picture(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.submit("Sea Otters", "welcome", "anchors");
    hunt.submit("Null Pointers", "welcome", "anchors");
    hunt.submit("Null Pointers", "lighthouse", "light");
    let svg = hunt.scratch("scores.svg");
    let out = hunt.ok(&["graph", "--out", svg.to_str().expect("UTF-8 path")]);
    assert!(out.contains("top 2 teams"), "{out}");
    // The core's timelines: Null Pointers' two solves are two steps of its line (100, 250).
    let picture = std::fs::read_to_string(&svg).expect("the SVG was written");
    assert!(
        picture.starts_with("<svg"),
        "{}",
        &picture[..100.min(picture.len())]
    );
    assert!(picture.contains("Null Pointers") && picture.contains("Sea Otters"));
    assert!(picture.trim_end().ends_with("</svg>"));
    // An unwritable place is a one-line error, and nothing is left behind.
    hunt.run(&["graph", "--out", "/nonexistent-dir/scores.svg"])
        .fails(1, "cannot write /nonexistent-dir/scores.svg");
}
