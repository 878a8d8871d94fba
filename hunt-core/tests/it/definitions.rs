//! Hunt definitions from files: `tests/definitions/valid/*.toml` must load, and each file in
//! `tests/definitions/invalid/` must report exactly the problems its header lists, as
//! `# expect: Kind at line:column` (or `# expect: Kind` for a problem without a location), and
//! `# expect-more: N` when N problems are found beyond those reported.

use std::fs;
use std::path::{Path, PathBuf};

use hunt_core::answer::Accepted;
use hunt_core::definition::{self, HuntSpec, Problem};
use hunt_core::hint::HintCharge;
use hunt_core::hunt::{Division, RankingOrder, UnlockRule};
use hunt_core::scoring::{Scoring, ValueMode, ValueRule};
use hunt_core::throttle::{Backoff, Lockout, RateWindow, Throttle};
use hunt_core::{ChallengeId, Span, Timestamp};

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
        let more: usize = source
            .lines()
            .find_map(|line| line.strip_prefix("# expect-more: "))
            .map_or(0, |n| n.trim().parse().unwrap());
        if error.more != more {
            failures.push(format!(
                "{}: expected {more} more problems, found {}",
                file_name(path),
                error.more
            ));
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

#[test]
fn the_example_hunts_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hunts");
    let mut names = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "toml") {
            continue;
        }
        let source = fs::read_to_string(&path).unwrap();
        if let Err(error) = definition::load(&source) {
            panic!("{}:\n{error}", path.display());
        }
        names.push(file_name(&path));
    }
    names.sort();
    for expected in ["ctf.toml", "treasure.toml"] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
    }
}

#[test]
fn the_example_ctf_scores_dynamically() {
    let source = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hunts/ctf.toml"),
    )
    .unwrap();
    let hunt = definition::load(&source).unwrap();
    assert_eq!(hunt.rounds, ["misc", "web", "crypto", "pwn"]);
    assert!(!hunt.division_affects_values(Some("open")));
    assert!(hunt.division_affects_values(Some("students")));
    assert_eq!(
        hunt.team_window,
        Some(RateWindow {
            attempts: 10,
            per: Span::from_secs(60)
        })
    );
    let inject = hunt.challenge_by_slug("inject-me").unwrap();
    assert_eq!(
        inject.scoring.rule,
        ValueRule::CtfdLog {
            initial: 400,
            minimum: 100,
            decay: 20
        }
    );
    assert_eq!(inject.scoring.first_blood, [5, 3, 1]);
    let lattice = hunt.challenge_by_slug("lattice").unwrap();
    assert_eq!(
        lattice.scoring.rule,
        ValueRule::Gzctf {
            original: 1000,
            min_ratio: 0.25,
            difficulty: 5.0
        }
    );
    let xor = hunt.challenge_by_slug("xor-party").unwrap();
    assert_eq!(
        xor.throttle.window,
        Some(RateWindow {
            attempts: 3,
            per: Span::from_secs(10)
        })
    );
    let cookie = hunt.challenge_by_slug("cookie-monster").unwrap();
    assert_eq!(cookie.hints[1].requires, Some(0));
    assert_eq!(cookie.hints[1].cost, 75);
}

#[test]
fn every_new_key_compiles_to_what_it_says() {
    let hunt = load("dynamic-scoring.toml");
    assert_eq!(hunt.hint_charge, HintCharge::OnSolve);
    assert_eq!(
        hunt.divisions,
        [
            Division {
                name: "students".to_owned(),
                affects_values: true
            },
            Division {
                name: "open".to_owned(),
                affects_values: false
            },
        ]
    );
    let log = hunt.challenge_by_slug("log").unwrap();
    assert_eq!(
        log.scoring,
        Scoring {
            rule: ValueRule::CtfdLog {
                initial: 300,
                minimum: 100,
                decay: 20
            },
            mode: ValueMode::CaptureTime,
            first_blood: vec![5, 3, 1],
        }
    );
    assert_eq!(
        log.throttle,
        Throttle {
            max_attempts: Some(20),
            lockout: Lockout::Timeout(Span::from_secs(300)),
            window: Some(RateWindow {
                attempts: 3,
                per: Span::from_secs(10)
            }),
            backoff: Some(Backoff::Quadratic {
                step: Span::from_secs(40)
            }),
        }
    );
    assert_eq!(
        log.hints
            .iter()
            .map(|h| (h.slug.as_str(), h.cost, h.requires))
            .collect::<Vec<_>>(),
        [("nudge", 50, None), ("shove", 100, Some(0))]
    );
    let linear = hunt.challenge_by_slug("linear").unwrap();
    assert_eq!(
        linear.scoring,
        Scoring {
            rule: ValueRule::CtfdLinear {
                initial: 400,
                minimum: 50,
                decay: 25
            },
            mode: ValueMode::Retroactive,
            first_blood: vec![],
        }
    );
    assert_eq!(
        linear.throttle.backoff,
        Some(Backoff::Linear {
            free: 5,
            step: Span::from_secs(120)
        })
    );
    assert_eq!(linear.throttle.window, None);
    let rctf = hunt.challenge_by_slug("rctf").unwrap();
    assert_eq!(rctf.scoring.rule, ValueRule::Rctf { max: 500, min: 100 });
    assert_eq!(rctf.throttle, Throttle::default());
    let gzctf = hunt.challenge_by_slug("gzctf").unwrap();
    assert_eq!(
        gzctf.scoring.rule,
        ValueRule::Gzctf {
            original: 1000,
            min_ratio: 0.5,
            difficulty: 3.0
        }
    );
    assert_eq!(gzctf.scoring.first_blood, [10]);
    let static_ = hunt.challenge_by_slug("static").unwrap();
    assert_eq!(static_.scoring.rule, ValueRule::Static { points: 50 });
    let meta = hunt.challenge_by_slug("meta").unwrap();
    let Accepted::Template(template) = &meta.answers.accepted else {
        panic!("{:?}", meta.answers.accepted);
    };
    assert_eq!(
        template.feeders().collect::<Vec<_>>(),
        [ChallengeId(0), ChallengeId(1)]
    );
}

fn load(name: &str) -> hunt_core::Hunt {
    let (_, source) = files("valid")
        .into_iter()
        .find(|(path, _)| file_name(path) == name)
        .unwrap();
    definition::load(&source).unwrap()
}

#[test]
fn an_instant_out_of_range_says_so() {
    let source = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/definitions/invalid/time-out-of-range.toml"),
    )
    .unwrap();
    let error = definition::load(&source).unwrap_err();
    assert_eq!(error.problems.len(), 2, "{error}");
    for problem in &error.problems {
        assert!(
            problem.message.contains("is outside the supported range"),
            "{}",
            problem.message
        );
    }
    // A malformed instant still reads as one.
    let malformed = source.replace("99999-11-28T09:00:00Z", "2026-13-28T09:00:00Z");
    let error = definition::load(&malformed).unwrap_err();
    assert!(
        error.problems[0]
            .message
            .contains("must be a date and time with a UTC offset"),
        "{error}"
    );
    assert_eq!(
        hunt_core::Timestamp::parse_instant("9999-12-30T22:00:00Z"),
        Ok(hunt_core::Timestamp::from_millis(253_402_207_200_000))
    );
    assert_eq!(
        hunt_core::Timestamp::parse_instant("-009999-01-02T01:59:59Z").map(|t| t.to_string()),
        Ok("-009999-01-02T01:59:59Z".to_owned())
    );
    assert_eq!(
        hunt_core::Timestamp::parse_instant("1969-07-20T20:17:00Z"),
        Ok(hunt_core::Timestamp::from_millis(-14_182_980_000))
    );
}
