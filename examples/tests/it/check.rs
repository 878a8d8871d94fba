//! `hunt check`: valid samples pass, broken files report file:line:column.

use crate::{Hunt, sample};

#[test]
fn every_sample_hunt_checks_clean() {
    let hunt = Hunt::empty();
    let dir = sample("");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/hunts exists") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let out = hunt.ok(&["check", path.to_str().expect("UTF-8 path")]);
            assert!(out.contains(": ok: hunt `"), "{out}");
            checked += 1;
        }
    }
    assert!(checked >= 2, "only {checked} sample hunts");
    // `check` never creates a store.
    assert!(!hunt.data().join("store").exists());
}

#[test]
fn a_broken_file_reports_each_problem_with_its_location() {
    let hunt = Hunt::empty();
    let file = hunt.scratch("broken.toml");
    std::fs::write(
        &file,
        "id = \"broken\"\ntitle = \"Broken\"\nstart = 2026-11-28T09:00:00Z\n\
         end = 2026-11-28T21:00:00Z\n\n[[challenge]]\nid = \"a\"\ntitle = \"A\"\npoints = 10\n\
         answers = [\"x\"]\nunlock = \"nowhere\"\ncolour = \"red\"\n",
    )
    .expect("written");
    let path = file.to_str().expect("UTF-8 path");
    let run = hunt.run(&["check", path]);
    run.fails(1, "is not a valid hunt definition (2 problems)");
    assert!(run.stderr.contains(&format!("{path}:11:10: ")), "{run:#?}");
    assert!(run.stderr.contains("nowhere"), "{run:#?}");
    assert!(run.stderr.contains(&format!("{path}:12:1: ")), "{run:#?}");
    assert!(run.stderr.contains("colour"), "{run:#?}");
}

#[test]
fn a_missing_file_is_one_line() {
    let hunt = Hunt::empty();
    let run = hunt.run(&["check", "no-such-file.toml"]);
    run.fails(1, "cannot read no-such-file.toml");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
}

#[test]
fn usage_mistakes_exit_2_and_help_documents_exit_codes() {
    let hunt = Hunt::empty();
    assert_eq!(hunt.run(&["frobnicate"]).code, 2);
    assert_eq!(hunt.run(&["submit", "only-a-team"]).code, 2);
    let help = hunt.ok(&["--help"]);
    assert!(help.contains("Exit codes:"), "{help}");
    for command in [
        "check", "init", "team", "submit", "hint", "admin", "board", "log", "graph", "export",
        "import", "demo",
    ] {
        assert!(help.contains(command), "{command} missing from {help}");
        hunt.ok(&[command, "--help"]);
    }
}

#[test]
fn control_characters_in_text_are_located_and_never_printed_raw() {
    let hunt = Hunt::empty();
    let file = hunt.scratch("escape.toml");
    std::fs::write(
        &file,
        "id = \"escape\"\ntitle = \"Escape\"\nstart = 2026-11-28T09:00:00Z\n\
         end = 2026-11-28T21:00:00Z\n\n[[challenge]]\nid = \"a\"\ntitle = \"A\"\npoints = 10\n\
         answers = [\"x\"]\ncontent = \"\\u001b[2J gone\"\n",
    )
    .expect("written");
    let path = file.to_str().expect("UTF-8 path");
    let run = hunt.run(&["check", path]);
    run.fails(1, "is not a valid hunt definition (1 problem)");
    assert!(run.stderr.contains(&format!("{path}:11:11: ")), "{run:#?}");
    assert!(run.stderr.contains("U+001B (ESC)"), "{run:#?}");
    assert!(!run.stderr.contains('\u{1b}'), "{run:#?}");
}

#[test]
fn a_dash_reads_the_definition_from_standard_input() {
    use std::io::Write;
    use std::process::Stdio;

    let hunt = Hunt::empty();
    let check = |source: &[u8]| {
        let mut child = hunt
            .command(&["check", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the hunt binary runs");
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(source)
            .expect("written");
        crate::Run::from(child.wait_with_output().expect("it exits"))
    };
    let source = std::fs::read(sample("hackathon.toml")).expect("the sample exists");
    let run = check(&source);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.starts_with("<stdin>: ok: hunt `"), "{run:#?}");
    let run = check(b"id = \"broken\"\ntitle = 3\n");
    run.fails(1, "is not a valid hunt definition");
    assert!(run.stderr.contains("<stdin>:2:9: "), "{run:#?}");
}

#[test]
fn an_at_out_of_range_says_so() {
    let hunt = Hunt::empty();
    let run = hunt.run(&["team", "add", "Sea Otters", "--at", "99999-01-01T00:00:00Z"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("is outside the supported range"),
        "{run:#?}"
    );
    let run = hunt.run(&["team", "add", "Sea Otters", "--at", "yesterday"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("is not an RFC 3339 instant"),
        "{run:#?}"
    );
}

#[test]
fn many_problems_report_the_first_hundred_then_count_the_rest() {
    let hunt = Hunt::empty();
    let file = hunt.scratch("empty-answers.toml");
    let answers = vec!["\"\""; 130].join(", ");
    std::fs::write(
        &file,
        format!(
            "id = \"h\"\ntitle = \"H\"\nstart = 2026-11-28T09:00:00Z\n\
             end = 2026-11-28T21:00:00Z\n\n[[challenge]]\nid = \"a\"\ntitle = \"A\"\n\
             points = 10\nanswers = [{answers}]\n"
        ),
    )
    .expect("written");
    let path = file.to_str().expect("UTF-8 path");
    let run = hunt.run(&["check", path]);
    run.fails(1, "is not a valid hunt definition (130 problems)");
    // The header, 100 problems, and the count of the rest.
    assert_eq!(run.stderr.lines().count(), 102, "{run:#?}");
    assert!(run.stderr.contains(&format!("{path}:10:12: ")), "{run:#?}");
    assert!(
        run.stderr
            .ends_with(&format!("{path}: and 30 more problems\n")),
        "{run:#?}"
    );
}
