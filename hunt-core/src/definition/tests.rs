//! Unit tests of compiling definitions; the file-driven tests are in `tests/it/definitions.rs`.

use super::*;
use crate::answer::{Accepted, Normalization, TemplatePart};
use crate::hint::HintCharge;
use crate::hunt::UnlockRule;
use crate::ids::{ChallengeId, RoundId};
use crate::scoring::{ValueMode, ValueRule};
use crate::throttle::{Backoff, Lockout, RateWindow};
use crate::time::{Span, Timestamp};

const START: &str = "2026-11-28T09:00:00Z";
const END: &str = "2026-11-28T21:00:00Z";

fn hunt(challenges: Vec<ChallengeSpec>) -> HuntSpec {
    let at = |text| Timestamp::parse_rfc3339(text).unwrap();
    let mut spec = HuntSpec::new("test-hunt", "Test hunt", at(START), at(END));
    spec.challenges = challenges;
    spec
}

fn challenge(id: &str, points: i64, unlock: UnlockSpec) -> ChallengeSpec {
    let mut challenge = ChallengeSpec::new(id, id.to_uppercase(), points, [format!("{id}-answer")]);
    challenge.unlock = unlock;
    challenge
}

/// The problems of a spec, as (kind, message).
fn problems(spec: &HuntSpec) -> Vec<(ProblemKind, String)> {
    match compile(spec) {
        Ok(_) => Vec::new(),
        Err(error) => {
            assert!(error.problems.iter().all(|p| p.location.is_none()));
            error
                .problems
                .into_iter()
                .map(|p| (p.kind, p.message))
                .collect()
        }
    }
}

fn solved(id: &str) -> UnlockSpec {
    UnlockSpec::solved(id)
}

#[test]
fn a_chain_of_a_million_challenges_compiles() {
    const N: usize = 1_000_000;
    let mut challenges = Vec::with_capacity(N);
    for i in 0..N {
        let unlock = if i == 0 {
            UnlockSpec::Always
        } else {
            UnlockSpec::Solved(format!("c{}", i - 1))
        };
        challenges.push(challenge(&format!("c{i}"), 1, unlock));
    }
    // The last one also needs a score only the whole chain before it reaches.
    challenges[N - 1].unlock = UnlockSpec::AllOf(vec![
        solved(&format!("c{}", N - 2)),
        UnlockSpec::ScoreAtLeast(i64::try_from(N - 1).unwrap()),
    ]);
    let spec = hunt(challenges);
    // No time limit asserted (these machines are shared): a quadratic pass would still be
    // caught, as a test that does not end; the bench `large_open` measures the time.
    let hunt = compile(&spec).unwrap();
    assert_eq!(hunt.challenges.len(), N);
    assert_eq!(
        hunt.challenge_by_slug("c500000").unwrap().unlock,
        UnlockRule::Solved(ChallengeId(499_999))
    );

    let mut spec = spec;
    // Closing the chain into a cycle names all of it, in unlock order.
    spec.challenges[0].unlock = solved(&format!("c{}", N - 1));
    spec.challenges[N - 1].unlock = solved(&format!("c{}", N - 2));
    let found = problems(&spec);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, ProblemKind::UnlockCycle);
    assert!(found[0].1.starts_with("unlock cycle: c0 → c1 → c2 → "));
    assert!(
        found[0]
            .1
            .contains(" → c15 → … (999968 more) … → c999984 → ")
    );
    assert!(found[0].1.contains(" → c999999 → c0 "));
}

#[test]
fn cycles_are_named_in_unlock_order() {
    let spec = hunt(vec![
        challenge("start", 10, UnlockSpec::Always),
        challenge(
            "a",
            10,
            UnlockSpec::AllOf(vec![solved("start"), solved("c")]),
        ),
        challenge("b", 10, solved("a")),
        challenge("c", 10, UnlockSpec::AnyOf(vec![solved("b")])),
        challenge("after-cycle", 10, solved("c")),
        challenge(
            "self",
            10,
            UnlockSpec::AnyOf(vec![UnlockSpec::Always, solved("self")]),
        ),
    ]);
    assert_eq!(
        problems(&spec),
        [
            (
                ProblemKind::UnlockCycle,
                "unlock cycle: a → b → c → a (each unlocks only after the one before it is solved)"
                    .to_owned()
            ),
            (
                ProblemKind::UnlockCycle,
                "unlock cycle: self → self (each unlocks only after the one before it is solved)"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn never_unlocks_by_score_round_and_time() {
    let mut spec = hunt(vec![
        challenge("one", 100, UnlockSpec::Always),
        challenge("two", 200, solved("one")),
        challenge("rich", 10, UnlockSpec::ScoreAtLeast(321)),
        challenge("needs-rich", 10, solved("rich")),
        challenge(
            "round",
            10,
            UnlockSpec::SolvesInRound {
                round: "Act I".to_owned(),
                n: 2,
            },
        ),
        challenge(
            "combo",
            10,
            UnlockSpec::AllOf(vec![
                UnlockSpec::After(Span::from_secs(3600)),
                UnlockSpec::ScoreAtLeast(1_000_000),
            ]),
        ),
        challenge(
            "in-time",
            10,
            UnlockSpec::After(Span::from_secs(12 * 3600 - 1)),
        ),
        challenge(
            "too-late",
            10,
            UnlockSpec::After(Span::from_secs(12 * 3600)),
        ),
    ]);
    spec.challenges[0].round = Some("Act I".to_owned());
    spec.challenges[2].round = Some("Act I".to_owned());
    spec.challenges[4].round = Some("Act I".to_owned());
    let found = problems(&spec);
    let kinds: Vec<ProblemKind> = found.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(kinds, [ProblemKind::NeverUnlocks; 4], "{found:?}");
    // The `after` rule is reported where it is, and then taken to hold, so `too-late` counts
    // towards the score below: 100 + 200 + 10 + 10.
    assert_eq!(
        found[0].1,
        "`after = \"12h\"` in the unlock rule of challenge `too-late` never holds: the hunt lasts 12h"
    );
    assert_eq!(
        found[1].1,
        "challenge `rich` can never unlock: it needs a score of 321, but the challenges that can \
         unlock before it are worth 320 points in all"
    );
    // `needs-rich` is not reported: it fails only because `rich` does.
    assert_eq!(
        found[2].1,
        "challenge `round` can never unlock: it needs 2 solves in round `Act I`, but only 1 of \
         its challenges can unlock before it"
    );
    assert_eq!(
        found[3].1,
        "challenge `combo` can never unlock: its rule cannot hold even with every challenge that \
         can unlock solved"
    );
}

#[test]
fn a_round_cannot_count_the_challenge_it_unlocks() {
    let mut spec = hunt(vec![
        challenge("one", 1, UnlockSpec::Always),
        challenge(
            "two",
            1,
            UnlockSpec::SolvesInRound {
                round: "R".to_owned(),
                n: 2,
            },
        ),
    ]);
    for challenge in &mut spec.challenges {
        challenge.round = Some("R".to_owned());
    }
    assert_eq!(problems(&spec)[0].0, ProblemKind::NeverUnlocks);
    spec.challenges[1].unlock = UnlockSpec::SolvesInRound {
        round: "R".to_owned(),
        n: 1,
    };
    assert_eq!(problems(&spec), []);
}

#[test]
fn compiled_output_has_dense_ids_rounds_and_normalized_answers() {
    let mut spec = hunt(vec![
        challenge("intro", 10, UnlockSpec::Always),
        challenge("regex", 20, solved("intro")),
        challenge("sealed", 30, solved("intro")),
        challenge(
            "meta",
            40,
            UnlockSpec::AllOf(vec![solved("regex"), solved("sealed")]),
        ),
    ]);
    spec.normalization = Normalization::Alphanumeric;
    spec.final_meta = Some("meta".to_owned());
    let [intro, regex, sealed, meta] = &mut spec.challenges[..] else {
        unreachable!()
    };
    intro.answers = vec!["Hello, World!".to_owned()];
    intro.round = Some("B".to_owned());
    intro.partial = vec![PartialSpec {
        answer: "hello".to_owned(),
        reply: "Keep going".to_owned(),
    }];
    regex.round = Some("A".to_owned());
    regex.normalization = Some(Normalization::Regex);
    regex.answers = vec!["flag\\{[0-9]+\\}".to_owned()];
    regex.partial = vec![PartialSpec {
        answer: "FLAG".to_owned(),
        reply: "Close".to_owned(),
    }];
    sealed.round = Some("B".to_owned());
    sealed.answers = Vec::new();
    sealed.sealed = vec!["AB".repeat(32)];
    meta.meta = true;
    meta.max_attempts = Some(5);

    let hunt = compile(&spec).unwrap();
    assert_eq!(hunt.rounds, ["B", "A"]);
    assert_eq!(hunt.final_meta, Some(ChallengeId(3)));
    let slugs: Vec<&str> = hunt.challenges.iter().map(|c| c.slug.as_str()).collect();
    assert_eq!(slugs, ["intro", "regex", "sealed", "meta"]);
    for (i, c) in hunt.challenges.iter().enumerate() {
        assert_eq!(c.id, ChallengeId(u32::try_from(i).unwrap()));
        assert_eq!(hunt.by_slug[&c.slug], c.id);
    }
    let [intro, regex, sealed, meta] = &hunt.challenges[..] else {
        unreachable!()
    };
    assert_eq!(intro.round, Some(RoundId(0)));
    assert_eq!(regex.round, Some(RoundId(1)));
    assert!(matches!(&intro.answers.accepted, Accepted::Plain(a) if a == &["HELLOWORLD"]));
    assert_eq!(intro.answers.partials[0].normalized, "HELLO");
    assert!(
        matches!(&regex.answers.accepted, Accepted::Regex(r) if r[0].is_match("flag{42}") && !r[0].is_match("xflag{42}"))
    );
    // Partial answers of regex challenges are compared caseless.
    assert_eq!(regex.answers.partials[0].normalized, "flag");
    assert!(matches!(&sealed.answers.accepted, Accepted::Sealed(d) if d[0].0 == [0xAB; 32]));
    assert_eq!(
        meta.unlock,
        UnlockRule::AllOf(vec![
            UnlockRule::Solved(ChallengeId(1)),
            UnlockRule::Solved(ChallengeId(2))
        ])
    );
    assert_eq!(meta.throttle.max_attempts, Some(5));
    assert!(meta.tie_break);
}

#[test]
fn ids_are_unique_after_folding() {
    let spec = hunt(vec![
        challenge("warm-up", 1, UnlockSpec::Always),
        challenge("warm_up", 1, UnlockSpec::Always),
        challenge("Warm-Up", 1, UnlockSpec::Always),
        challenge("warm-up", 1, UnlockSpec::Always),
    ]);
    let kinds: Vec<ProblemKind> = problems(&spec).into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(
        kinds,
        [
            ProblemKind::DuplicateId,
            ProblemKind::BadId,
            ProblemKind::DuplicateId,
            ProblemKind::DuplicateId,
        ]
    );
}

#[test]
fn deep_rules_built_in_code_are_cut_off() {
    let mut rule = UnlockSpec::Always;
    for _ in 0..10_000 {
        rule = UnlockSpec::AllOf(vec![rule]);
    }
    let spec = hunt(vec![challenge("deep", 1, rule)]);
    let found = problems(&spec);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, ProblemKind::TooDeep);
    // Dropping a 10,000-deep rule recurses; do it on a thread with room for it.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || drop(spec))
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn display_is_one_problem_per_line_with_locations() {
    let source = "\
id = \"hunt\"
title = \"Hunt\"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = \"bar\"
title = \"Bar\"
points = 1
answers = [\"x\"]
unlock = { solved = \"foo\" }
";
    let error = load(source).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 11, column 21: unknown challenge `foo` in the unlock rule of challenge `bar`"
    );
    let error =
        load("id = \"hunt\"\ntitel = \"Hunt\"\nstart = 2026-11-28T09:00:00Z\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        // `title` is not also reported missing: the typo's message names it.
        "missing key `end` at the top level\n\
         line 2, column 1: unknown key `titel` at the top level (did you mean `title`?)"
    );
}

/// A spec that sets every key of the format at least once.
fn full_spec() -> HuntSpec {
    let mut spec = hunt(vec![
        challenge("one", 100, UnlockSpec::Always),
        challenge(
            "two",
            200,
            UnlockSpec::AnyOf(vec![
                solved("one"),
                UnlockSpec::After(Span::from_secs(5400)),
                UnlockSpec::AtLeast {
                    n: 1,
                    of: vec![solved("one"), UnlockSpec::ScoreAtLeast(50)],
                },
                UnlockSpec::SolvesInRound {
                    round: "R".to_owned(),
                    n: 1,
                },
            ]),
        ),
    ]);
    spec.freeze = Timestamp::parse_rfc3339("2026-11-28T20:00:00Z");
    spec.limits.max_answer_bytes = Some(100);
    spec.challenges[0].round = Some("R".to_owned());
    spec.challenges[0].partial = vec![PartialSpec {
        answer: "one".to_owned(),
        reply: "Nearly".to_owned(),
    }];
    spec.challenges[1].tie_break = false;
    spec.scoring = Some(ScoringSpec {
        rule: ScoringKind::CtfdLog,
        initial: Some(500),
        minimum: Some(100),
        decay: Some(20),
        mode: ValueMode::CaptureTime,
        ..ScoringSpec::default()
    });
    spec.first_blood = vec![5, 3, 1];
    spec.hint_charge = HintCharge::OnSolve;
    spec.team_throttle = Some(RateWindowSpec {
        attempts: 10,
        per: Span::from_secs(60),
    });
    spec.throttle = Some(ThrottleSpec {
        window: Some(RateWindowSpec {
            attempts: 3,
            per: Span::from_secs(10),
        }),
        backoff: Some(BackoffSpec {
            kind: BackoffKind::Quadratic,
            step: Span::from_secs(40),
            free: None,
        }),
    });
    spec.divisions = vec![
        DivisionSpec {
            id: "students".to_owned(),
            affects_values: true,
        },
        DivisionSpec {
            id: "open".to_owned(),
            affects_values: false,
        },
    ];
    spec.challenges[0].points = None;
    spec.challenges[0].max_attempts = Some(5);
    spec.challenges[0].attempts_reset = Some(Span::from_secs(300));
    spec.challenges[0].first_blood = Some(Vec::new());
    spec.challenges[0].hints = vec![
        HintSpec {
            id: "nudge".to_owned(),
            content: "Look up".to_owned(),
            cost: 0,
            requires: None,
        },
        HintSpec {
            id: "shove".to_owned(),
            content: "Look further up".to_owned(),
            cost: 50,
            requires: Some("nudge".to_owned()),
        },
    ];
    spec.challenges[1].points = None;
    spec.challenges[1].scoring = Some(ScoringSpec {
        rule: ScoringKind::Gzctf,
        original: Some(1000),
        min_ratio: Some(0.5),
        difficulty: Some(2.5),
        ..ScoringSpec::default()
    });
    spec.challenges[1].throttle = Some(ThrottleSpec {
        window: None,
        backoff: Some(BackoffSpec {
            kind: BackoffKind::Linear,
            step: Span::from_secs(120),
            free: Some(5),
        }),
    });
    let mut meta = challenge(
        "meta",
        200,
        UnlockSpec::AllOf(vec![solved("one"), solved("two")]),
    );
    meta.answers = Vec::new();
    meta.answer_template = Some("{one}-{two}".to_owned());
    spec.challenges.push(meta);
    spec
}

#[test]
fn specs_round_trip_through_toml() {
    let spec = full_spec();
    let text = toml::to_string(&spec).unwrap();
    assert_eq!(parse(&text).unwrap(), spec, "{text}");
    assert_eq!(toml::from_str::<HuntSpec>(&text).unwrap(), spec);
    compile(&spec).unwrap();
}

fn ctfd_log() -> ScoringSpec {
    ScoringSpec {
        rule: ScoringKind::CtfdLog,
        initial: Some(500),
        minimum: Some(100),
        decay: Some(20),
        ..ScoringSpec::default()
    }
}

#[test]
fn challenge_points_replace_the_top_value_of_the_hunt_rule() {
    let mut spec = hunt(vec![
        challenge("priced", 300, UnlockSpec::Always),
        challenge("default", 0, UnlockSpec::Always),
    ]);
    spec.scoring = Some(ctfd_log());
    spec.first_blood = vec![5, 3, 1];
    spec.challenges[1].points = None;
    let hunt = compile(&spec).unwrap();
    let [priced, default] = &hunt.challenges[..] else {
        unreachable!()
    };
    assert_eq!(
        priced.scoring.rule,
        ValueRule::CtfdLog {
            initial: 300,
            minimum: 100,
            decay: 20
        }
    );
    assert_eq!(priced.scoring.first_blood, [5, 3, 1]);
    assert_eq!(priced.scoring.mode, ValueMode::Retroactive);
    assert_eq!(default.scoring.rule.initial(), 500);
}

#[test]
fn a_challenge_rule_replaces_the_hunts_entirely() {
    let mut spec = hunt(vec![challenge("rctf", 0, UnlockSpec::Always)]);
    spec.scoring = Some(ScoringSpec {
        mode: ValueMode::CaptureTime,
        ..ctfd_log()
    });
    spec.challenges[0].points = None;
    spec.challenges[0].scoring = Some(ScoringSpec {
        rule: ScoringKind::Rctf,
        max: Some(500),
        min: Some(50),
        ..ScoringSpec::default()
    });
    let hunt = compile(&spec).unwrap();
    let scoring = &hunt.challenges[0].scoring;
    assert_eq!(scoring.rule, ValueRule::Rctf { max: 500, min: 50 });
    // The hunt's capture-time mode is not inherited: rCTF could not use it.
    assert_eq!(scoring.mode, ValueMode::Retroactive);
    // Without a scoring table, points stay static.
    spec.scoring = None;
    spec.challenges[0].scoring = None;
    spec.challenges[0].points = Some(42);
    let hunt = compile(&spec).unwrap();
    assert_eq!(
        hunt.challenges[0].scoring,
        crate::scoring::Scoring::fixed(42)
    );
}

#[test]
fn scoring_problems_are_all_reported() {
    let mut spec = hunt(vec![challenge("a", 10, UnlockSpec::Always)]);
    spec.scoring = Some(ScoringSpec {
        rule: ScoringKind::CtfdLinear,
        initial: Some(500),
        minimum: Some(600),
        max: Some(3),
        ..ScoringSpec::default()
    });
    spec.first_blood = vec![101, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let found = problems(&spec);
    let kinds: Vec<ProblemKind> = found.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(
        kinds,
        [
            ProblemKind::UnknownKey,
            ProblemKind::MissingKey,
            ProblemKind::OutOfRange,
            ProblemKind::OutOfRange,
        ],
        "{found:?}"
    );
    assert_eq!(
        found[0].1,
        "`max` is not a parameter of the `ctfd-linear` rule in the hunt's `scoring`; it takes \
         `initial`, `minimum` and `decay`"
    );
    assert_eq!(
        found[1].1,
        "missing key `decay` in the hunt's `scoring`: the `ctfd-linear` rule needs it"
    );
    assert_eq!(
        found[2].1,
        "the hunt has 11 first-blood bonuses; at most 10 are allowed"
    );
    assert_eq!(
        found[3].1,
        "first-blood bonus 1 (in percent) of the hunt is 101; it must be from 0 to 100"
    );
    // The floor above the top is reported once the parameters are right.
    spec.scoring = Some(ScoringSpec {
        minimum: Some(600),
        ..ctfd_log()
    });
    spec.first_blood = Vec::new();
    spec.challenges[0].points = None;
    assert_eq!(
        problems(&spec),
        [(
            ProblemKind::OutOfRange,
            "`minimum` in the hunt's `scoring` is 600, above `initial` (500)".to_owned()
        )]
    );
}

#[test]
fn capture_time_rctf_is_refused() {
    let mut spec = hunt(vec![challenge("a", 10, UnlockSpec::Always)]);
    spec.challenges[0].points = None;
    spec.challenges[0].scoring = Some(ScoringSpec {
        rule: ScoringKind::Rctf,
        max: Some(500),
        min: Some(100),
        mode: ValueMode::CaptureTime,
        ..ScoringSpec::default()
    });
    let found = problems(&spec);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, ProblemKind::BadValue);
    assert!(found[0].1.contains("cannot be used with the `rctf` rule"));
}

#[test]
fn throttles_compile_from_the_hunt_default_or_the_challenge() {
    let mut spec = hunt(vec![
        challenge("default", 10, UnlockSpec::Always),
        challenge("own", 10, UnlockSpec::Always),
        challenge("none", 10, UnlockSpec::Always),
    ]);
    spec.team_throttle = Some(RateWindowSpec {
        attempts: 10,
        per: Span::from_secs(60),
    });
    spec.throttle = Some(ThrottleSpec {
        window: Some(RateWindowSpec {
            attempts: 3,
            per: Span::from_secs(10),
        }),
        backoff: None,
    });
    spec.challenges[0].max_attempts = Some(5);
    spec.challenges[0].attempts_reset = Some(Span::from_secs(300));
    spec.challenges[1].max_attempts = Some(20);
    spec.challenges[1].throttle = Some(ThrottleSpec {
        window: None,
        backoff: Some(BackoffSpec {
            kind: BackoffKind::Linear,
            step: Span::from_secs(120),
            free: None,
        }),
    });
    spec.challenges[2].throttle = Some(ThrottleSpec::default());
    let hunt = compile(&spec).unwrap();
    assert_eq!(
        hunt.team_window,
        Some(RateWindow {
            attempts: 10,
            per: Span::from_secs(60)
        })
    );
    let [default, own, none] = &hunt.challenges[..] else {
        unreachable!()
    };
    assert_eq!(default.throttle.max_attempts, Some(5));
    assert_eq!(
        default.throttle.lockout,
        Lockout::Timeout(Span::from_secs(300))
    );
    assert_eq!(
        default.throttle.window,
        Some(RateWindow {
            attempts: 3,
            per: Span::from_secs(10)
        })
    );
    assert_eq!(own.throttle.lockout, Lockout::Forever);
    assert_eq!(own.throttle.window, None);
    // `free` defaults to 0.
    assert_eq!(
        own.throttle.backoff,
        Some(Backoff::Linear {
            free: 0,
            step: Span::from_secs(120)
        })
    );
    assert_eq!(none.throttle, crate::throttle::Throttle::default());
}

#[test]
fn hints_compile_with_indices_and_their_content_is_limited() {
    let mut spec = hunt(vec![challenge("a", 10, UnlockSpec::Always)]);
    let hint = |id: &str, requires: Option<&str>| HintSpec {
        id: id.to_owned(),
        content: format!("about {id}"),
        cost: 10,
        requires: requires.map(str::to_owned),
    };
    spec.challenges[0].hints = vec![
        hint("one", None),
        hint("two", Some("one")),
        hint("three", Some("one")),
    ];
    let hunt = compile(&spec).unwrap();
    let requires: Vec<Option<usize>> = hunt.challenges[0]
        .hints
        .iter()
        .map(|h| h.requires)
        .collect();
    assert_eq!(requires, [None, Some(0), Some(0)]);
    assert_eq!(hunt.challenges[0].hints[2].content, "about three");

    spec.challenges[0].hints[0].content = "x".repeat(MAX_CONTENT_BYTES + 1);
    spec.challenges[0].hints[2].cost = MAX_POINTS + 1;
    let kinds: Vec<ProblemKind> = problems(&spec).into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(kinds, [ProblemKind::TooLong, ProblemKind::OutOfRange]);
}

#[test]
fn templates_compile_to_their_feeders() {
    let mut meta = challenge(
        "meta",
        10,
        UnlockSpec::AllOf(vec![solved("alpha"), solved("beta")]),
    );
    meta.answers = Vec::new();
    meta.answer_template = Some("{alpha}-{beta}".to_owned());
    let spec = hunt(vec![
        challenge("alpha", 10, UnlockSpec::Always),
        challenge("beta", 10, UnlockSpec::Always),
        meta,
    ]);
    let hunt = compile(&spec).unwrap();
    let Accepted::Template(template) = &hunt.challenges[2].answers.accepted else {
        panic!("{:?}", hunt.challenges[2].answers.accepted);
    };
    assert_eq!(
        template.parts,
        [
            TemplatePart::Feeder(ChallengeId(0)),
            TemplatePart::Literal("-".to_owned()),
            TemplatePart::Feeder(ChallengeId(1)),
        ]
    );
}

#[test]
fn a_feeder_must_be_required_by_the_unlock_rule() {
    let feeders = ["a", "b", "c"];
    let check = |unlock: UnlockSpec| -> Vec<String> {
        let mut challenges: Vec<ChallengeSpec> = feeders
            .iter()
            .map(|id| challenge(id, 10, UnlockSpec::Always))
            .collect();
        // `chain` requires `a` through its own rule.
        challenges.push(challenge("chain", 10, solved("a")));
        let mut meta = challenge("meta", 10, unlock);
        meta.answers = Vec::new();
        meta.answer_template = Some("{a} {b} {c}".to_owned());
        challenges.push(meta);
        problems(&hunt(challenges))
            .into_iter()
            .map(|(kind, message)| {
                assert_eq!(kind, ProblemKind::FeederNotRequired, "{message}");
                message.split('`').nth(5).unwrap_or_default().to_owned()
            })
            .collect()
    };
    let list = |ids: &[&str]| ids.iter().map(|id| solved(id)).collect::<Vec<_>>();
    assert_eq!(
        check(UnlockSpec::AllOf(list(&["chain", "b", "c"]))),
        Vec::<String>::new()
    );
    assert_eq!(check(UnlockSpec::Always), ["a", "b", "c"]);
    assert_eq!(
        check(UnlockSpec::AnyOf(vec![
            UnlockSpec::AllOf(list(&["a", "b", "c"])),
            UnlockSpec::AllOf(list(&["chain", "b"])),
        ])),
        ["c"]
    );
    // At least 2 of 3: a solve left out of the 2 is not required, unless it is in all 3.
    assert_eq!(
        check(UnlockSpec::AllOf(vec![
            solved("c"),
            UnlockSpec::AtLeast {
                n: 2,
                of: list(&["a", "chain", "b"]),
            },
        ])),
        ["b"]
    );
    assert_eq!(
        check(UnlockSpec::AtLeast {
            n: 3,
            of: list(&["a", "b", "c"]),
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        check(UnlockSpec::AllOf(vec![
            UnlockSpec::ScoreAtLeast(30),
            UnlockSpec::After(Span::from_secs(60)),
            solved("b"),
        ])),
        ["a", "c"]
    );
}

#[test]
fn score_thresholds_count_dynamic_values_at_their_most() {
    let mut spec = hunt(vec![
        challenge("one", 300, UnlockSpec::Always),
        challenge("rich", 10, UnlockSpec::ScoreAtLeast(315)),
    ]);
    spec.scoring = Some(ctfd_log());
    spec.first_blood = vec![5];
    spec.challenges[1].points = None;
    assert_eq!(problems(&spec), []);
    spec.challenges[1].unlock = UnlockSpec::ScoreAtLeast(316);
    let found = problems(&spec);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, ProblemKind::NeverUnlocks);
}

#[test]
fn divisions_compile_and_are_checked() {
    let mut spec = hunt(vec![challenge("a", 10, UnlockSpec::Always)]);
    spec.divisions = (0..3)
        .map(|k| DivisionSpec {
            id: format!("d{k}"),
            affects_values: k != 1,
        })
        .collect();
    let hunt = compile(&spec).unwrap();
    assert!(hunt.division_affects_values(Some("d0")));
    assert!(!hunt.division_affects_values(Some("d1")));
    assert_eq!(hunt.divisions.len(), 3);

    spec.divisions = (0..=MAX_DIVISIONS)
        .map(|k| DivisionSpec {
            id: format!("d{k}"),
            affects_values: true,
        })
        .collect();
    spec.divisions[1].id = "d0".to_owned();
    let kinds: Vec<ProblemKind> = problems(&spec).into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(kinds, [ProblemKind::OutOfRange, ProblemKind::DuplicateId]);
}

/// The serde form of a spec writes only the keys that `keys` lists for each table, which
/// the parser reads: the two forms of the format cannot drift apart.
#[test]
fn the_serde_form_writes_the_keys_the_parser_reads() {
    use keys::{Key, names};
    use toml::{Table, Value};

    fn check(table: &Table, known: &[Key], what: &str, seen: &mut Vec<String>) {
        let known = names(known);
        for (key, value) in table {
            assert!(known.contains(&key.as_str()), "`{key}` in {what}");
            seen.push(format!("{what}.{key}"));
            let tables: Vec<&Table> = match value {
                Value::Table(inner) => vec![inner],
                Value::Array(items) => items.iter().filter_map(Value::as_table).collect(),
                _ => Vec::new(),
            };
            let inner: &[Key] = match (what, key.as_str()) {
                (_, "limits") => keys::LIMITS,
                (_, "division") => keys::DIVISION,
                (_, "challenge") => keys::CHALLENGE,
                (_, "partial") => keys::PARTIAL,
                (_, "hint") => keys::HINT,
                (_, "scoring") => keys::SCORING,
                (_, "throttle") => keys::THROTTLE,
                (_, "team_throttle" | "window") => &keys::TEAM_WINDOW[1..],
                (_, "backoff") => keys::BACKOFF,
                (_, "unlock" | "all_of" | "any_of" | "of") => keys::RULE,
                (_, "at_least") => keys::AT_LEAST,
                (_, "solves_in_round") => keys::SOLVES_IN_ROUND,
                _ => &[],
            };
            for inner_table in tables {
                check(inner_table, inner, key, seen);
            }
        }
    }

    let text = toml::to_string(&full_spec()).unwrap();
    let document: Table = toml::from_str(&text).unwrap();
    let mut seen = Vec::new();
    check(&document, keys::HUNT, "the hunt", &mut seen);
    // The check saw every kind of table.
    for path in [
        "the hunt.limits",
        "limits.max_answer_bytes",
        "division.affects_values",
        "challenge.partial",
        "partial.reply",
        "hint.requires",
        "scoring.difficulty",
        "throttle.backoff",
        "backoff.free",
        "window.per",
        "team_throttle.attempts",
        "unlock.any_of",
        "at_least.of",
        "solves_in_round.round",
    ] {
        assert!(
            seen.iter().any(|s| s == path),
            "{path} not written: {seen:?}"
        );
    }
}
