//! Hunt definitions from files: `tests/definitions/valid/*.toml` must load, and each file in
//! `tests/definitions/invalid/` must report exactly the problems its header lists, as
//! `# expect: Kind at line:column` (or `# expect: Kind` for a problem without a location).

use std::fs;
use std::path::{Path, PathBuf};

use hunt_core::answer::Accepted;
use hunt_core::definition::{self, HuntSpec, Problem};
use hunt_core::hunt::{RankingOrder, UnlockRule};
use hunt_core::{ChallengeId, Timestamp};

fn files(kind: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/definitions")
        .join(kind);
    let mut files: Vec<(PathBuf, String)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// "Kind at line:column" or "Kind", as written in the headers.
fn describe(problem: &Problem) -> String {
    match problem.location {
        Some(at) => format!("{:?} at {}:{}", problem.kind, at.line, at.column),
        None => format!("{:?}", problem.kind),
    }
}

#[test]
fn invalid_definitions_report_exactly_the_expected_problems() {
    let files = files("invalid");
    assert!(
        files.len() >= 30,
        "only {} invalid definitions",
        files.len()
    );
    let mut failures = Vec::new();
    for (path, source) in &files {
        let mut expected: Vec<String> = source
            .lines()
            .filter_map(|line| line.strip_prefix("# expect: "))
            .map(|line| line.trim().to_owned())
            .collect();
        assert!(!expected.is_empty(), "{} expects nothing", file_name(path));
        let error = match definition::load(source) {
            Ok(_) => {
                failures.push(format!("{}: loaded without problems", file_name(path)));
                continue;
            }
            Err(error) => error,
        };
        for problem in &error.problems {
            assert!(
                !problem.message.is_empty(),
                "{}: {problem:?}",
                file_name(path)
            );
        }
        let mut found: Vec<String> = error.problems.iter().map(describe).collect();
        expected.sort();
        found.sort();
        if found != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  found    {found:?}\n{error}",
                file_name(path)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn valid_definitions_load_and_round_trip() {
    let files = files("valid");
    assert!(files.len() >= 3);
    for (path, source) in &files {
        let name = file_name(path);
        if let Err(error) = definition::load(source) {
            panic!("{name}:\n{error}");
        }
        // The hand-written reader and serde agree, and serializing gives a file that reads
        // back to the same spec.
        let spec = definition::parse(source).unwrap();
        let via_serde: HuntSpec = toml::from_str(source).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(via_serde, spec, "{name}");
        let written = toml::to_string(&spec).unwrap();
        assert_eq!(
            definition::parse(&written).unwrap(),
            spec,
            "{name}:\n{written}"
        );
    }
}

#[test]
fn the_hackathon_compiles_to_what_it_says() {
    let hunt = load("hackathon.toml");
    assert_eq!(hunt.id.as_str(), "hackathon-2026");
    assert_eq!(
        hunt.freeze,
        Timestamp::parse_rfc3339("2026-11-28T20:00:00Z")
    );
    assert_eq!(hunt.limits.max_answer_bytes, 256);
    assert_eq!(hunt.limits.max_team_name_bytes, 128);
    let treasure = hunt.challenge_by_slug("treasure").unwrap();
    assert!(treasure.meta);
    assert_eq!(
        treasure.unlock,
        UnlockRule::AllOf(vec![
            UnlockRule::Solved(ChallengeId(0)),
            UnlockRule::Solved(ChallengeId(1)),
            UnlockRule::Solved(ChallengeId(2)),
            UnlockRule::ScoreAtLeast(300),
        ])
    );
    let map = hunt.challenge_by_slug("map").unwrap();
    assert!(matches!(&map.answers.accepted, Accepted::Plain(answers) if answers == &["B204"]));
    let survey = hunt.challenge_by_slug("survey").unwrap();
    assert!(!survey.tie_break);
    assert_eq!(
        survey.unlock,
        UnlockRule::After(hunt_core::Span::from_secs(10 * 3600))
    );
}

#[test]
fn the_puzzle_hunt_has_rounds_and_a_final_meta() {
    let hunt = load("puzzle-hunt.toml");
    assert_eq!(hunt.ranking, RankingOrder::PuzzleHunt);
    assert_eq!(hunt.rounds, ["Act I", "Act II"]);
    assert_eq!(hunt.final_meta, Some(ChallengeId(7)));
    // String date-times with an offset are instants.
    assert_eq!(
        hunt.start,
        Timestamp::parse_rfc3339("2027-01-15T16:00:00Z").unwrap()
    );
    let crossword = hunt.challenge_by_slug("act-1-crossword").unwrap();
    assert!(
        matches!(&crossword.answers.accepted, Accepted::Plain(answers) if answers == &["CREMEBRULEE"])
    );
    assert_eq!(crossword.answers.partials[0].normalized, "CREME");
}

fn load(name: &str) -> hunt_core::Hunt {
    let (_, source) = files("valid")
        .into_iter()
        .find(|(path, _)| file_name(path) == name)
        .unwrap();
    definition::load(&source).unwrap()
}
