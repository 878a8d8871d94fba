//! The scoring rules one by one, with the reference numbers of the platforms they come from:
//! dynamic values, first blood, hidden teams, divisions, hints, the freeze, throttling,
//! answer templates and timelines.

use std::sync::Arc;

use hunt_core::state::{Cause, Charged, HintReply, HuntState, Outcome};
use hunt_core::{Command, Event, IdempotencyKey, Recorded, TeamId, Timestamp, Verdict};

const HEADER: &str = r#"
id = "rules"
title = "Rules"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z
"#;

/// A hunt played by hand: commands at minutes after the start.
struct Play {
    state: HuntState,
    key: u128,
    log: Vec<Recorded>,
}

impl Play {
    fn new(body: &str) -> Self {
        let source = format!("{HEADER}{body}");
        let hunt = hunt_core::definition::load(&source).unwrap_or_else(|e| panic!("{e}"));
        Self {
            state: HuntState::new(Arc::new(hunt), None).expect("no sealed answers"),
            key: 0,
            log: Vec::new(),
        }
    }

    fn record(&mut self, events: Vec<Event>) {
        for event in events {
            let recorded = Recorded {
                seq: self.state.seq() + 1,
                event,
            };
            self.state.apply(&recorded).expect("applies");
            self.log.push(recorded);
        }
    }

    fn at(&self, minute: i64) -> Timestamp {
        Timestamp::from_millis(self.state.hunt().start.as_millis() + minute * 60_000)
    }

    fn run(&mut self, command: Command, minute: i64) -> Outcome {
        let now = self.at(minute);
        let decision = self
            .state
            .decide(&command, now)
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        self.record(decision.events);
        decision.outcome
    }

    fn register(&mut self, name: &str, division: Option<&str>) -> TeamId {
        match self.run(
            Command::Register {
                name: name.into(),
                division: division.map(str::to_owned),
            },
            -10,
        ) {
            Outcome::Registered(team) => team,
            other => panic!("{other:?}"),
        }
    }

    fn submit_at(&mut self, team: TeamId, challenge: &str, answer: &str, at: Timestamp) -> Verdict {
        self.key += 1;
        let command = Command::Submit {
            team,
            challenge: challenge.into(),
            answer: answer.into(),
            key: IdempotencyKey(self.key),
        };
        let decision = self.state.decide(&command, at).expect("a valid submission");
        self.record(decision.events);
        match decision.outcome {
            Outcome::Verdict(verdict) => verdict,
            other => panic!("{other:?}"),
        }
    }

    fn submit(&mut self, team: TeamId, challenge: &str, answer: &str, minute: i64) -> Verdict {
        let at = self.at(minute);
        self.submit_at(team, challenge, answer, at)
    }

    fn hint(&mut self, team: TeamId, challenge: &str, hint: &str, minute: i64) -> HintReply {
        match self.run(
            Command::TakeHint {
                team,
                challenge: challenge.into(),
                hint: hint.into(),
            },
            minute,
        ) {
            Outcome::Hint(reply) => reply,
            other => panic!("{other:?}"),
        }
    }

    fn score(&self, team: TeamId) -> i64 {
        self.state.team(team).expect("registered").score
    }

    fn teams(&mut self, n: usize) -> Vec<TeamId> {
        (0..n)
            .map(|i| self.register(&format!("team {i}"), None))
            .collect()
    }
}

fn correct(points: i64, first_solve: bool) -> Verdict {
    Verdict::Correct {
        points,
        first_solve,
    }
}

#[test]
fn ctfd_log_decay_is_retroactive_and_matches_the_reference() {
    // REFERENCE.md: initial 500, minimum 100, decay 20: the 11th solver sees 400, the 21st
    // and later 100; every solver holds the current value.
    let mut play = Play::new(
        r#"
scoring = { rule = "ctfd-log", initial = 500, minimum = 100, decay = 20 }
[[challenge]]
id = "web"
title = "Web"
answers = ["flag"]
"#,
    );
    let teams = play.teams(22);
    let web = play.state.hunt().challenge_by_slug("web").expect("web").id;
    assert_eq!(play.state.current_value(web), 500);
    for (i, team) in teams.iter().enumerate().take(11) {
        let verdict = play.submit(*team, "web", "flag", i as i64);
        if i == 10 {
            assert_eq!(verdict, correct(400, false));
        }
    }
    assert!(teams[..11].iter().all(|t| play.score(*t) == 400));
    for (i, team) in teams.iter().enumerate().skip(11).take(10) {
        play.submit(*team, "web", "flag", i as i64);
    }
    assert!(teams[..21].iter().all(|t| play.score(*t) == 100));
    assert_eq!(play.state.current_value(web), 100);
    assert_eq!(
        play.submit(teams[21], "web", "flag", 30),
        correct(100, false)
    );
}

#[test]
fn capture_time_solvers_keep_the_value_at_their_solve() {
    let mut play = Play::new(
        r#"
scoring = { rule = "ctfd-linear", initial = 500, minimum = 100, decay = 100, mode = "capture-time" }
[[challenge]]
id = "pwn"
title = "Pwn"
answers = ["flag"]
"#,
    );
    let teams = play.teams(3);
    let verdicts: Vec<_> = teams
        .iter()
        .enumerate()
        .map(|(i, t)| play.submit(*t, "pwn", "flag", i as i64))
        .collect();
    assert_eq!(
        verdicts,
        [correct(500, true), correct(400, false), correct(300, false)]
    );
    let scores: Vec<_> = teams.iter().map(|t| play.score(*t)).collect();
    assert_eq!(scores, [500, 400, 300]);
}

#[test]
fn first_blood_bonuses_follow_gzctf() {
    let mut play = Play::new(
        r#"
first_blood = [5, 3, 1]
[[challenge]]
id = "misc"
title = "Misc"
points = 1000
answers = ["flag"]
"#,
    );
    let teams = play.teams(4);
    let verdicts: Vec<_> = teams
        .iter()
        .enumerate()
        .map(|(i, t)| play.submit(*t, "misc", "flag", i as i64))
        .collect();
    assert_eq!(
        verdicts,
        [
            correct(1050, true),
            correct(1030, false),
            correct(1010, false),
            correct(1000, false)
        ]
    );
}

#[test]
fn hidden_solvers_never_count_and_unhiding_reprices() {
    // CTFd#1177 and #1695: a hidden first solver took the first blood and lowered the value
    // for everyone; hiding or banning later did not reprice.
    let mut play = Play::new(
        r#"
scoring = { rule = "ctfd-linear", initial = 500, minimum = 100, decay = 100 }
first_blood = [10]
[[challenge]]
id = "rev"
title = "Rev"
answers = ["flag"]
"#,
    );
    let [cheater, honest] = play.teams(2)[..] else {
        unreachable!()
    };
    play.run(
        Command::SetHidden {
            team: cheater,
            hidden: true,
        },
        0,
    );
    // The hidden team's solve lowers nothing and takes no first blood.
    assert_eq!(play.submit(cheater, "rev", "flag", 1), correct(500, false));
    assert_eq!(play.submit(honest, "rev", "flag", 2), correct(550, true));
    assert_eq!(play.score(honest), 550);
    // Shown again: it solved first, so it holds the first blood and the value falls.
    play.run(
        Command::SetHidden {
            team: cheater,
            hidden: false,
        },
        3,
    );
    assert_eq!((play.score(cheater), play.score(honest)), (440, 400));
    // Hidden again: back as before.
    play.run(
        Command::SetHidden {
            team: cheater,
            hidden: true,
        },
        4,
    );
    assert_eq!(play.score(honest), 550);
    assert_eq!(play.state.board_len(), 1);
}

#[test]
fn divisions_rank_separately_and_may_not_affect_values() {
    let mut play = Play::new(
        r#"
scoring = { rule = "ctfd-linear", initial = 500, minimum = 100, decay = 100 }
[[division]]
id = "students"
[[division]]
id = "open"
affects_values = false
[[challenge]]
id = "a"
title = "A"
answers = ["flag"]
[[challenge]]
id = "b"
title = "B"
points = 200
answers = ["flag"]
"#,
    );
    let pro = play.register("pro", Some("open"));
    let s1 = play.register("s1", Some("students"));
    let s2 = play.register("s2", Some("students"));
    assert_eq!(play.submit(pro, "a", "flag", 1), correct(500, false));
    assert_eq!(play.submit(pro, "b", "flag", 1), correct(200, false));
    // The professional's solve did not lower the value nor take the first solve.
    assert_eq!(play.submit(s1, "a", "flag", 2), correct(500, true));
    assert_eq!(play.submit(s2, "a", "flag", 3), correct(400, false));
    let students: Vec<_> = play
        .state
        .division_page("students", 0, 10)
        .into_iter()
        .map(|r| (r.place, r.team, r.score))
        .collect();
    // Tied on score; s1 reached it first.
    assert_eq!(students, [(1, s1, 400), (2, s2, 400)]);
    let open: Vec<_> = play
        .state
        .division_page("open", 0, 10)
        .into_iter()
        .map(|r| (r.place, r.team))
        .collect();
    assert_eq!(open, [(1, pro)]);
    assert_eq!(play.state.division_place(s2), Some(2));
    // The global board has everyone.
    assert_eq!(play.state.team_row(pro).map(|r| r.place), Some(1));
    assert_eq!(play.state.team_row(s2).map(|r| r.place), Some(3));
}

const HINTS: &str = r#"
[[challenge]]
id = "warmup"
title = "Warm-up"
points = 100
answers = ["flag"]

[[challenge]]
id = "crypto"
title = "Crypto"
points = 300
answers = ["flag"]
unlock = "warmup"

[[challenge.hint]]
id = "look"
content = "Look at the exponent."
cost = 25

[[challenge.hint]]
id = "forge"
content = "e = 3 and no padding."
cost = 75
requires = "look"
"#;

#[test]
fn hints_cost_points_when_taken_and_need_their_prerequisites() {
    let mut play = Play::new(HINTS);
    let [team, other] = play.teams(2)[..] else {
        unreachable!()
    };
    // Locked challenges give no hints, exactly as unknown ones.
    assert_eq!(play.hint(team, "crypto", "look", 1), HintReply::Locked);
    assert_eq!(play.hint(team, "nothing", "look", 1), HintReply::Locked);
    play.submit(team, "warmup", "flag", 2);
    play.submit(other, "warmup", "flag", 3);
    assert_eq!(
        play.hint(team, "crypto", "forge", 4),
        HintReply::RequiresHint {
            hint: "look".into()
        }
    );
    assert_eq!(
        play.hint(team, "crypto", "look", 5),
        HintReply::Revealed {
            content: "Look at the exponent.".into(),
            cost: 25,
            charged: Charged::Now,
        }
    );
    assert_eq!(play.score(team), 75);
    // Taken again: shown, not charged twice.
    assert_eq!(
        play.hint(team, "crypto", "look", 6),
        HintReply::AlreadyTaken {
            content: "Look at the exponent.".into()
        }
    );
    assert_eq!(play.score(team), 75);
    // Like a negative award, the cost moves the tie-break: at 75 vs 100 no tie, but the
    // reached time is the hint's.
    assert_eq!(
        play.state.team(team).and_then(|t| t.reached_at),
        Some(play.at(5))
    );
    // An unknown hint of an open challenge is an error.
    let unknown = play.state.decide(
        &Command::TakeHint {
            team,
            challenge: "crypto".into(),
            hint: "nope".into(),
        },
        play.at(7),
    );
    assert!(unknown.is_err());
    // After the end, hints are free.
    assert_eq!(
        play.hint(other, "crypto", "look", 12 * 60 + 1),
        HintReply::Revealed {
            content: "Look at the exponent.".into(),
            cost: 0,
            charged: Charged::Now,
        }
    );
    assert_eq!(play.score(other), 100);
}

#[test]
fn a_hint_reply_says_when_it_is_charged_also_to_a_retry() {
    let mut play = Play::new(&format!("hint_charge = \"on-solve\"\n{HINTS}"));
    let [before, after] = play.teams(2)[..] else {
        unreachable!()
    };
    play.submit(before, "warmup", "flag", 1);
    play.submit(after, "warmup", "flag", 1);
    play.submit(after, "crypto", "flag", 2);
    let take = |team| Command::TakeHint {
        team,
        challenge: "crypto".into(),
        hint: "look".into(),
    };
    let reply = |charged| {
        Outcome::Hint(HintReply::Revealed {
            content: "Look at the exponent.".into(),
            cost: 25,
            charged,
        })
    };
    for (team, key, charged) in [(before, 900, Charged::OnSolve), (after, 901, Charged::Now)] {
        let decision = play
            .state
            .decide_with_key(&take(team), IdempotencyKey(key), play.at(3))
            .expect("a valid hint");
        assert_eq!(decision.outcome, reply(charged));
        play.record(decision.events);
        // A retry with the same id: the same reply, nothing charged again.
        let retry = play
            .state
            .decide_with_key(&take(team), IdempotencyKey(key), play.at(4))
            .expect("a retry is answered");
        assert_eq!(retry.outcome, reply(charged));
        assert!(retry.events.is_empty());
    }
    assert_eq!(
        play.score(after),
        100 + 300 - 25,
        "taken after the solve: charged at once"
    );
    assert_eq!(play.score(before), 100, "not solved: not charged yet");
}

#[test]
fn hints_charged_on_solve_cost_nothing_until_the_solve() {
    let mut play = Play::new(&format!("hint_charge = \"on-solve\"\n{HINTS}"));
    let team = play.register("solo", None);
    play.submit(team, "warmup", "flag", 1);
    let charged_on_solve = HintReply::Revealed {
        content: "Look at the exponent.".into(),
        cost: 25,
        charged: Charged::OnSolve,
    };
    assert_eq!(play.hint(team, "crypto", "look", 2), charged_on_solve);
    play.hint(team, "crypto", "forge", 3);
    assert_eq!(play.score(team), 100);
    play.submit(team, "crypto", "flag", 4);
    assert_eq!(play.score(team), 100 + 300 - 25 - 75);
    let causes: Vec<_> = play
        .state
        .timeline(team)
        .into_iter()
        .map(|p| (p.delta, p.score, p.cause))
        .collect();
    assert_eq!(
        causes,
        [
            (
                100,
                100,
                Cause::Solve {
                    challenge: "warmup".into()
                }
            ),
            (
                300,
                400,
                Cause::Solve {
                    challenge: "crypto".into()
                }
            ),
            (
                -100,
                300,
                Cause::Hint {
                    challenge: "crypto".into()
                }
            ),
        ]
    );
}

#[test]
fn the_public_board_freezes_and_a_team_sees_its_live_score_but_not_its_live_place() {
    let mut play = Play::new(
        r#"
freeze = 2026-11-28T19:00:00Z
scoring = { rule = "ctfd-linear", initial = 500, minimum = 100, decay = 100 }
[[challenge]]
id = "a"
title = "A"
answers = ["flag"]
[[challenge]]
id = "b"
title = "B"
points = 300
answers = ["flag"]
"#,
    );
    let [early, late] = play.teams(2)[..] else {
        unreachable!()
    };
    play.submit(early, "a", "flag", 60);
    // After the freeze (minute 600).
    play.submit(late, "a", "flag", 601);
    play.submit(late, "b", "flag", 602);
    let a = play.state.hunt().challenge_by_slug("a").expect("a").id;

    // Admins: the live board.
    let live: Vec<_> = play
        .state
        .standings()
        .iter()
        .map(|r| (r.team, r.score))
        .collect();
    assert_eq!(live, [(late, 700), (early, 400)]);
    // The public: as of the freeze, values included (CTFd#2320: they do not keep decaying).
    assert!(play.state.is_frozen());
    let public = play.state.public();
    let frozen: Vec<_> = public
        .standings()
        .iter()
        .map(|r| (r.team, r.score))
        .collect();
    assert_eq!(frozen, [(early, 500), (late, 0)]);
    assert_eq!((public.solve_count(a), public.current_value(a)), (1, 400));
    // A team sees its own live score and its public place.
    let own = play.state.own_row(late).expect("registered");
    assert_eq!((own.score, own.place), (700, 2));
    let progress = play.state.progress(late, play.at(603)).expect("registered");
    assert_eq!((progress.score, progress.place), (700, 2));

    // Revealing the final board is an admin event.
    play.run(Command::RevealBoard { force: false }, 700);
    assert!(!play.state.is_frozen() && play.state.is_revealed());
    assert_eq!(play.state.public().standings(), play.state.standings());
}

#[test]
fn a_team_window_throttles_wrong_guesses_and_never_judges_a_throttled_answer() {
    // CTFd: 10 wrong answers per minute per team, across challenges.
    let mut play = Play::new(
        r#"
team_throttle = { attempts = 10, per = "1m" }
[[challenge]]
id = "a"
title = "A"
points = 100
answers = ["flag"]
[[challenge]]
id = "b"
title = "B"
points = 100
answers = ["flag"]
"#,
    );
    let team = play.register("hammer", None);
    let start = play.at(10).as_millis();
    for i in 0..10 {
        let challenge = if i % 2 == 0 { "a" } else { "b" };
        let at = Timestamp::from_millis(start + i * 1000);
        assert!(matches!(
            play.submit_at(team, challenge, &format!("guess{i}"), at),
            Verdict::Incorrect { .. }
        ));
    }
    let seq = play.state.seq();
    let eleventh = Timestamp::from_millis(start + 10_000);
    // Even the right answer is not judged while throttled.
    assert_eq!(
        play.submit_at(team, "a", "flag", eleventh),
        Verdict::Throttled {
            retry_at: Timestamp::from_millis(start + 60_000)
        }
    );
    assert_eq!(
        play.state.seq(),
        seq,
        "a throttled submission records nothing"
    );
    // A repeated wrong guess is free, but still not judged while throttled.
    let free_again = Timestamp::from_millis(start + 60_000);
    assert_eq!(
        play.submit_at(team, "a", "flag", free_again),
        correct(100, true)
    );
}

#[test]
fn per_challenge_windows_backoffs_and_caps_say_when_to_try_again() {
    let mut play = Play::new(
        r#"
[[challenge]]
id = "rctf"
title = "rCTF window"
points = 100
answers = ["flag"]
throttle = { window = { attempts = 3, per = "10s" } }

[[challenge]]
id = "tph"
title = "tph back-off"
points = 100
answers = ["flag"]
throttle = { backoff = { kind = "quadratic", step = "40s" } }

[[challenge]]
id = "ctfd"
title = "CTFd timeout"
points = 100
answers = ["flag"]
max_attempts = 2
attempts_reset = "5m"

[[challenge]]
id = "gph"
title = "gph lockout"
points = 100
answers = ["flag"]
max_attempts = 1
"#,
    );
    let team = play.register("guesser", None);
    // Each throttle gets its own stretch of time, 1,000 s apart, so the log stays in time
    // order: seconds `s` of stretch `k`.
    let base = play.at(60).as_millis();
    let stretch = |k: i64| move |s: i64| Timestamp::from_millis(base + (k * 1000 + s) * 1000);

    // rCTF: 3 per 10 s.
    let t = stretch(0);
    let (t0, t1, t2, t3) = (t(0), t(1), t(2), t(3));
    for (i, at) in [t0, t1, t2].into_iter().enumerate() {
        play.submit_at(team, "rctf", &format!("w{i}"), at);
    }
    assert_eq!(
        play.submit_at(team, "rctf", "w3", t3),
        Verdict::Throttled { retry_at: t(10) }
    );

    // tph-site: the i-th newest wrong guess blocks for i² × 40 s.
    let t = stretch(1);
    let (t0, t1, t2) = (t(0), t(1), t(2));
    play.submit_at(team, "tph", "w0", t0);
    play.submit_at(team, "tph", "w1", t1);
    assert_eq!(
        play.submit_at(team, "tph", "w2", t2),
        Verdict::Throttled { retry_at: t(40) }
    );
    play.submit_at(team, "tph", "w2", t(40));
    assert_eq!(
        play.submit_at(team, "tph", "w3", t(41)),
        Verdict::Throttled { retry_at: t(160) }
    );

    // CTFd timeout: at most 2 wrong in any 5 minutes.
    let t = stretch(2);
    let (t0, t1, t2) = (t(0), t(1), t(2));
    play.submit_at(team, "ctfd", "w0", t0);
    assert_eq!(
        play.submit_at(team, "ctfd", "w1", t1),
        Verdict::Incorrect {
            repeated: false,
            attempts_left: Some(0)
        }
    );
    assert_eq!(
        play.submit_at(team, "ctfd", "w2", t2),
        Verdict::Throttled { retry_at: t(300) }
    );
    assert_eq!(
        play.submit_at(team, "ctfd", "flag", t(300)),
        correct(100, true)
    );

    // gph-site: a lockout, until an admin grants more guesses.
    let t = stretch(3);
    let (t0, t1) = (t(0), t(1));
    play.submit_at(team, "gph", "w0", t0);
    assert_eq!(
        play.submit_at(team, "gph", "flag", t1),
        Verdict::AttemptsExhausted
    );
    play.run(
        Command::GrantAttempts {
            team,
            challenge: "gph".into(),
            extra: 1,
        },
        120,
    );
    assert_eq!(play.submit(team, "gph", "flag", 121), correct(100, true));
}

#[test]
fn a_metas_answer_is_built_from_each_teams_own_feeder_answers() {
    let mut play = Play::new(
        r#"
normalization = "letters"
[[challenge]]
id = "animal"
title = "Animal"
points = 10
answers = ["otter", "seal"]
[[challenge]]
id = "place"
title = "Place"
points = 10
answers = ["sea", "bay"]
[[challenge]]
id = "meta"
title = "Meta"
meta = true
points = 100
answer_template = "{place} {animal}"
unlock = { all_of = ["animal", "place"] }
"#,
    );
    let [a, b] = play.teams(2)[..] else {
        unreachable!()
    };
    play.submit(a, "animal", "Otter", 1);
    play.submit(a, "place", "sea", 2);
    play.submit(b, "animal", "seal", 3);
    play.submit(b, "place", "Bay!", 4);
    // Each team's meta answer comes from what it answered.
    assert!(matches!(
        play.submit(a, "meta", "bay seal", 5),
        Verdict::Incorrect { .. }
    ));
    assert_eq!(play.submit(a, "meta", "Sea-Otter", 6), correct(100, true));
    assert_eq!(play.submit(b, "meta", "BAYSEAL", 7), correct(100, false));
}

#[test]
fn replaying_a_log_of_every_rule_gives_the_same_public_and_live_views() {
    let mut play = Play::new(&format!(
        "freeze = 2026-11-28T19:00:00Z\nhint_charge = \"on-solve\"\nfirst_blood = [5]\n{HINTS}"
    ));
    let [a, b] = play.teams(2)[..] else {
        unreachable!()
    };
    play.submit(a, "warmup", "flag", 1);
    play.hint(a, "crypto", "look", 2);
    play.submit(b, "warmup", "flag", 3);
    play.submit(a, "crypto", "flag", 601);
    play.run(
        Command::Adjust {
            team: b,
            delta: 50,
            reason: "bug report".into(),
        },
        602,
    );
    // First bloods on both (5 %), the hint charged at the solve.
    assert_eq!(play.score(a), 105 + 315 - 25);
    assert_eq!(play.state.public().team(a).map(|t| t.score), Some(105));

    let replayed =
        HuntState::replay(play.state.hunt().clone(), None, &play.log).expect("the log replays");
    assert_eq!(replayed.standings(), play.state.standings());
    assert_eq!(
        replayed.public().standings(),
        play.state.public().standings()
    );
    for team in [a, b] {
        assert_eq!(replayed.team(team), play.state.team(team));
        assert_eq!(replayed.timeline(team), play.state.timeline(team));
        assert_eq!(
            replayed.public().timeline(team),
            play.state.public().timeline(team)
        );
        let end = play.at(720);
        assert_eq!(replayed.progress(team, end), play.state.progress(team, end));
    }
}

#[test]
fn a_late_event_stamped_before_the_freeze_still_moves_the_frozen_board_after_a_replay() {
    // Two processes with slightly different clocks: an event stamped before the freeze can
    // reach the log after one stamped after it. It belongs to the frozen board, whether the
    // state was built event by event or by a bulk replay (which defers ranking).
    let play = Play::new(
        r#"
freeze = 2026-11-28T19:00:00Z
[[challenge]]
id = "a"
title = "A"
points = 100
answers = ["flag"]
"#,
    );
    let hunt = play.state.hunt().clone();
    let at = |minute| play.at(minute);
    let events = [
        Event::TeamRegistered {
            team: TeamId(0),
            name: "early".into(),
            division: None,
            key: None,
            at: at(0),
        },
        Event::TeamRegistered {
            team: TeamId(1),
            name: "skewed".into(),
            division: None,
            key: None,
            at: at(0),
        },
        Event::SubmissionJudged {
            team: TeamId(0),
            challenge: "a".into(),
            key: IdempotencyKey(1),
            answer: "flag".into(),
            judged: hunt_core::JudgedAs::Correct,
            at: at(601),
        },
        Event::SubmissionJudged {
            team: TeamId(1),
            challenge: "a".into(),
            key: IdempotencyKey(2),
            answer: "flag".into(),
            judged: hunt_core::JudgedAs::Correct,
            at: at(599),
        },
    ];
    let log: Vec<Recorded> = events
        .into_iter()
        .enumerate()
        .map(|(i, event)| Recorded {
            seq: i as u64 + 1,
            event,
        })
        .collect();
    let mut one_by_one = HuntState::new(hunt.clone(), None).expect("no secret");
    for recorded in &log {
        one_by_one.apply(recorded).expect("applies");
    }
    let mut replayed = HuntState::replay(hunt, None, &log[..3]).expect("replays");
    replayed.apply(&log[3]).expect("applies");
    let frozen: Vec<_> = one_by_one
        .public()
        .standings()
        .into_iter()
        .map(|r| (r.team, r.score))
        .collect();
    assert_eq!(frozen, [(TeamId(1), 100), (TeamId(0), 0)]);
    assert_eq!(
        replayed.public().standings(),
        one_by_one.public().standings()
    );
}

#[test]
fn a_score_unlock_is_never_taken_back_by_decay_or_penalties() {
    // gph-site: unlocks are never revoked. Here the value of `a` decays below the threshold
    // and an admin deducts points; `bonus` stays open for the team that reached 500.
    let mut play = Play::new(
        r#"
scoring = { rule = "ctfd-linear", initial = 500, minimum = 100, decay = 100 }
[[challenge]]
id = "a"
title = "A"
answers = ["flag"]
[[challenge]]
id = "bonus"
title = "Bonus"
scoring = { rule = "static", points = 50 }
answers = ["flag"]
unlock = { score_at_least = 500 }
"#,
    );
    let [first, second] = play.teams(2)[..] else {
        unreachable!()
    };
    assert_eq!(play.submit(first, "a", "flag", 1), correct(500, true));
    assert_eq!(play.submit(second, "a", "flag", 2), correct(400, false));
    play.run(
        Command::Adjust {
            team: first,
            delta: -200,
            reason: "penalty".into(),
        },
        3,
    );
    assert_eq!(play.score(first), 200);
    assert_eq!(play.state.team(first).map(|t| t.peak_score), Some(500));
    assert_eq!(play.submit(first, "bonus", "flag", 4), correct(50, true));
    // The second team never had 500.
    assert_eq!(play.submit(second, "bonus", "flag", 5), Verdict::Locked);
}
