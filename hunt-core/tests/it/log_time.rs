//! Log time is monotonic: a command whose `now` is earlier than the log's latest event is
//! decided at the log's time, so first bloods (log order), the frozen board and throttles
//! (timestamps) always agree.

use std::sync::Arc;

use hunt_core::state::{HuntState, Outcome};
use hunt_core::{Command, Event, IdempotencyKey, Recorded, TeamId, Timestamp, Verdict};

use crate::clock::at;

const HUNT: &str = r#"
id = "clock"
title = "Clock"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z
freeze = 2026-11-28T19:00:00Z
scoring = { rule = "ctfd-linear", initial = 500, minimum = 100, decay = 100 }
first_blood = [10]

[[challenge]]
id = "a"
title = "A"
answers = ["flag"]
throttle = { window = { attempts = 2, per = "10m" } }
"#;

struct Log {
    state: HuntState,
    key: u128,
}

impl Log {
    fn new() -> Self {
        let hunt = hunt_core::definition::load(HUNT).unwrap_or_else(|e| panic!("{e}"));
        Self {
            state: HuntState::new(Arc::new(hunt), None).expect("no sealed answers"),
            key: 0,
        }
    }

    /// Decides and applies `command` at `now`; returns the outcome and the recorded events.
    fn run(&mut self, command: Command, now: Timestamp) -> (Outcome, Vec<Event>) {
        let decision = self
            .state
            .decide(&command, now)
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        for event in &decision.events {
            let recorded = Recorded {
                seq: self.state.seq() + 1,
                event: event.clone(),
            };
            self.state.apply(&recorded).expect("applies");
        }
        (decision.outcome, decision.events)
    }

    fn register(&mut self, name: &str, now: Timestamp) -> TeamId {
        let command = Command::Register {
            name: name.into(),
            division: None,
        };
        match self.run(command, now).0 {
            Outcome::Registered(team) => team,
            other => panic!("{other:?}"),
        }
    }

    fn submit(&mut self, team: TeamId, answer: &str, now: Timestamp) -> (Verdict, Vec<Event>) {
        self.key += 1;
        let command = Command::Submit {
            team,
            challenge: "a".into(),
            answer: answer.into(),
            key: IdempotencyKey(self.key),
        };
        match self.run(command, now) {
            (Outcome::Verdict(verdict), events) => (verdict, events),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_command_dated_before_the_log_is_decided_at_the_logs_time() {
    let mut log = Log::new();
    assert_eq!(log.state.log_time(), None);
    let early = log.register("early", at(0));
    let late = log.register("late", at(1));
    assert_eq!(log.state.log_time(), Some(at(1)));
    // After the freeze (minute 600), a solve; then one whose clock says before the freeze.
    let (verdict, _) = log.submit(late, "flag", at(602));
    assert_eq!(
        verdict,
        Verdict::Correct {
            points: 550,
            first_solve: true
        }
    );
    let (verdict, events) = log.submit(early, "flag", at(300));
    assert_eq!(
        verdict,
        Verdict::Correct {
            points: 400,
            first_solve: false
        }
    );
    // Recorded at the log's time, not at its own: after the freeze, like the first blood
    // before it in the log.
    assert_eq!(events[0].at(), at(602));
    let solve = log.state.team(early).expect("registered").solves()[0].at;
    assert_eq!(solve, at(602));
    // The frozen board agrees with first-blood order: neither solve is on it.
    let frozen: Vec<_> = log
        .state
        .public()
        .standings()
        .iter()
        .map(|r| (r.team, r.score))
        .collect();
    assert_eq!(frozen, [(early, 0), (late, 0)]);
}

#[test]
fn a_submission_before_its_teams_registration_is_impossible_by_construction() {
    let mut log = Log::new();
    let team = log.register("latecomer", at(120));
    // The submission claims minute 30, before the team existed: it is decided at minute 120.
    let (verdict, events) = log.submit(team, "flag", at(30));
    assert!(verdict.is_correct(), "{verdict:?}");
    let registered = log.state.team(team).expect("registered").registered_at;
    assert_eq!(registered, at(120));
    assert!(events.iter().all(|e| e.at() >= registered), "{events:?}");
}

#[test]
fn throttles_read_the_logs_time_not_a_clock_that_went_back() {
    let mut log = Log::new();
    let team = log.register("guesser", at(0));
    log.submit(team, "w1", at(60));
    log.submit(team, "w2", at(61));
    // A clock ten minutes behind cannot slip past the window (2 per 10 minutes) that the
    // log's time still keeps shut.
    let (verdict, events) = log.submit(team, "w3", at(52));
    assert_eq!(verdict, Verdict::Throttled { retry_at: at(70) });
    assert!(events.is_empty());
}
