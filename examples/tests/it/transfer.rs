//! `hunt export` and `hunt import`: exact round trips, and refusals that write nothing.

use crate::{Hunt, Store};

on_each_store!(export_import_export_is_byte_identical,);

fn export_import_export_is_byte_identical(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.submit("Sea Otters", "welcome", "anchors");
    hunt.submit("Sea Otters", "lighthouse", "lamp");
    hunt.submit("Null Pointers", "welcome", "sails");
    let first = hunt.ok(&["export"]);
    assert_eq!(first.lines().count(), 1 + 5, "{first}");

    let file = hunt.scratch("hunt.jsonl");
    std::fs::write(&file, &first).expect("written");
    let file = file.to_str().expect("UTF-8 path");
    let other = Hunt::empty_on(store);
    let out = other.ok(&["import", file]);
    assert!(out.contains("5 events, 2 teams"), "{out}");
    assert_eq!(other.ok(&["export"]), first);

    // Exporting to a file gives the same bytes.
    let copy = other.scratch("copy.jsonl");
    other.ok(&["export", "--out", copy.to_str().expect("UTF-8 path")]);
    assert_eq!(std::fs::read_to_string(&copy).expect("written"), first);

    // The imported hunt works: the board and a further submission.
    assert!(other.ok(&["board"]).contains("Sea Otters"));
    assert!(
        other
            .submit("Null Pointers", "welcome", "anchors")
            .starts_with("Correct!")
    );

    // A second import into the same store is refused.
    other.run(&["import", file]).fails(1, "already has hunt");
}

#[test]
fn a_damaged_export_is_refused_and_writes_nothing() {
    let hunt = Hunt::with_teams();
    hunt.submit("Sea Otters", "welcome", "anchors");
    let export = hunt.ok(&["export"]);
    let cases = [
        (
            "truncated",
            export.lines().take(2).collect::<Vec<_>>().join("\n"),
            "announces",
        ),
        (
            "garbage",
            export.replace("\"seq\":2", "\"seq\":7"),
            "expected 2",
        ),
        ("not json", "hello\n".to_owned(), ":1: not a hunt export"),
        (
            "unknown challenge",
            export.replace("\"challenge\":\"welcome\"", "\"challenge\":\"nope\""),
            "do not replay",
        ),
    ];
    for (name, text, words) in cases {
        let file = hunt.scratch(&format!("{}.jsonl", name.replace(' ', "-")));
        std::fs::write(&file, text).expect("written");
        let fresh = Hunt::empty();
        fresh
            .run(&["import", file.to_str().expect("UTF-8 path")])
            .fails(1, words);
        assert!(
            !fresh.data().join("store").exists(),
            "{name}: something was written"
        );
    }
}

on_each_store!(a_large_import_registers_every_team_with_dense_ids,);

/// Teams of the large import: twenty writes' worth of the engine's batch entry.
const LARGE: u64 = 20_000;

fn a_large_import_registers_every_team_with_dense_ids(store: Store) {
    let hunt = Hunt::with_teams_on(store);
    hunt.submit("Sea Otters", "welcome", "anchors");
    let small = hunt.ok(&["export"]);
    let lines: Vec<&str> = small.lines().collect();
    assert_eq!(lines.len(), 4, "a header, two teams and a solve: {small}");
    // Registrations made like the second team's (no division, a key, the same time),
    // between the teams and the solve.
    let template = lines[2];
    let parsed: serde_json::Value = serde_json::from_str(template).expect("an event line");
    let key = parsed["event"]["key"].as_str().expect("the team has a key");
    let mut text = lines[0].replace("\"events\":3}", &format!("\"events\":{}}}", LARGE + 3));
    assert_ne!(text, lines[0], "the header announces 3 events");
    text.push('\n');
    for line in &lines[1..3] {
        text.push_str(line);
        text.push('\n');
    }
    for team in 2..LARGE + 2 {
        let line = template
            .replace("\"seq\":2,", &format!("\"seq\":{},", team + 1))
            .replace("\"team\":1,", &format!("\"team\":{team},"))
            .replace("\"Null Pointers\"", &format!("\"team {team}\""))
            .replace(key, &format!("{:032x}", team));
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&lines[3].replace("\"seq\":3,", &format!("\"seq\":{},", LARGE + 3)));
    text.push('\n');
    let file = hunt.scratch("large.jsonl");
    std::fs::write(&file, &text).expect("written");

    let other = Hunt::empty_on(store);
    let out = other.ok(&["import", file.to_str().expect("UTF-8 path")]);
    assert!(
        out.contains(&format!("{} events, {} teams", LARGE + 3, LARGE + 2)),
        "{out}"
    );
    // The export is the file, byte for byte: every team, under its dense id, in order.
    let exported = other.ok(&["export"]);
    assert!(exported == text, "the imported hunt exports otherwise");
    let listed = other.ok(&["team", "list"]);
    for team in [2, LARGE / 2, LARGE + 1] {
        assert!(
            listed.contains(&format!("team {team}")),
            "team {team} is not listed"
        );
    }
    assert!(
        other
            .submit(&format!("team {}", LARGE + 1), "welcome", "anchors")
            .starts_with("Correct!")
    );
}

#[test]
fn a_log_the_engine_would_decide_otherwise_is_imported_as_recorded() {
    let hunt = Hunt::with_teams();
    hunt.submit("Sea Otters", "welcome", "anchors");
    let export = hunt.ok(&["export"]);
    // As if the answer had been added to the definition after this guess was judged wrong:
    // the log replays, but deciding the submission again would not give its event.
    let edited = export.replace(
        "\"judged\":{\"kind\":\"correct\"}",
        "\"judged\":{\"kind\":\"incorrect\",\"guess\":\"anchors\"}",
    );
    assert_ne!(edited, export, "the export holds a correct submission");
    let file = hunt.scratch("edited.jsonl");
    std::fs::write(&file, &edited).expect("written");
    let other = Hunt::empty();
    let out = other.ok(&["import", file.to_str().expect("UTF-8 path")]);
    assert!(out.contains("3 events, 2 teams"), "{out}");
    assert_eq!(other.ok(&["export"]), edited);
}
