//! The lazily settled standings against a from-scratch sort: many teams on a few dynamic
//! challenges (so one solve moves many solvers at once), coarse times and equal solve sets
//! (so ties are common), hidden teams, divisions, and reads at random points between events
//! (so the board is settled sometimes by moving the teams marked since the last read, and
//! sometimes by a rebuild). Every read, on the state and on a clone of it taken while
//! unsettled, must equal the visible teams sorted from scratch, and a fresh replay of the
//! log so far.

use std::sync::Arc;

use hunt_core::event::Recorded;
use hunt_core::hunt::{Division, Hunt, SharedRanks};
use hunt_core::scoring::{Scoring, ValueMode, ValueRule};
use hunt_core::state::{HuntState, Row};
use hunt_core::{Command, IdempotencyKey, Span, TeamId};
use proptest::prelude::*;

const TEAMS: u32 = 60;
const CHALLENGES: usize = 4;

#[derive(Debug, Clone)]
enum Act {
    Solve(u32, usize),
    Hide(u32, bool),
    Adjust(u32, i64),
    /// Read the board (and a clone of the unsettled state) and check it.
    Read,
}

fn gen_act() -> impl Strategy<Value = Act> {
    prop_oneof![
        12 => (0..TEAMS, 0..CHALLENGES).prop_map(|(t, c)| Act::Solve(t, c)),
        1 => (0..TEAMS, any::<bool>()).prop_map(|(t, h)| Act::Hide(t, h)),
        1 => (0..TEAMS, -2i64..=2).prop_map(|(t, d)| Act::Adjust(t, d * 50)),
        3 => Just(Act::Read),
    ]
}

fn build(shared: SharedRanks, first_blood: Vec<u32>) -> Arc<Hunt> {
    let mut source = String::from(
        "id = \"lazy\"\ntitle = \"Lazy\"\nstart = 2026-01-01T00:00:00Z\nend = 2026-01-01T10:00:00Z\n",
    );
    for i in 0..CHALLENGES {
        source.push_str(&format!(
            "\n[[challenge]]\nid = \"c{i}\"\ntitle = \"C{i}\"\npoints = 1\nanswers = [\"ans{i}\"]\n"
        ));
    }
    let mut hunt = hunt_core::definition::load(&source).expect("valid hunt");
    hunt.shared_ranks = shared;
    hunt.divisions = vec![
        Division {
            name: "students".into(),
            affects_values: false,
        },
        Division {
            name: "pros".into(),
            affects_values: true,
        },
    ];
    let rules = [
        ValueRule::CtfdLinear {
            initial: 500,
            minimum: 50,
            decay: 5,
        },
        ValueRule::CtfdLog {
            initial: 400,
            minimum: 100,
            decay: 40,
        },
        ValueRule::Static { points: 100 },
        ValueRule::Rctf { max: 500, min: 100 },
    ];
    for (c, rule) in hunt.challenges.iter_mut().zip(rules) {
        c.scoring = Scoring {
            rule,
            mode: ValueMode::Retroactive,
            first_blood: first_blood.clone(),
        };
    }
    Arc::new(hunt)
}

/// The visible teams sorted from scratch by (key, id), as (team, score).
fn sorted(state: &HuntState, division: Option<&str>) -> Vec<(TeamId, i64)> {
    let order = state.hunt().ranking;
    let mut keyed: Vec<_> = state
        .teams()
        .filter(|(_, t)| !t.hidden && division.is_none_or(|d| t.division.as_deref() == Some(d)))
        .map(|(id, t)| (t.sort_key(order), id, t.score))
        .collect();
    keyed.sort();
    keyed
        .into_iter()
        .map(|(_, id, score)| (id, score))
        .collect()
}

fn teams_of(rows: &[Row]) -> Vec<(TeamId, i64)> {
    rows.iter().map(|r| (r.team, r.score)).collect()
}

/// Everything a read shows of the standings.
fn board(state: &HuntState) -> Vec<Vec<Row>> {
    let mut views = vec![state.standings(), state.top(7)];
    for division in ["students", "pros"] {
        views.push(state.division_page(division, 0, usize::MAX));
    }
    views.push(
        (0..TEAMS)
            .filter_map(|t| state.team_row(TeamId(t)))
            .collect(),
    );
    views
}

fn check(state: &HuntState, log: &[Recorded]) -> Result<(), TestCaseError> {
    prop_assert_eq!(teams_of(&state.standings()), sorted(state, None));
    for division in ["students", "pros"] {
        prop_assert_eq!(
            teams_of(&state.division_page(division, 0, usize::MAX)),
            sorted(state, Some(division))
        );
    }
    let fresh = HuntState::replay(state.hunt().clone(), None, log).expect("the log replays");
    prop_assert_eq!(board(state), board(&fresh));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn lazily_settled_standings_equal_a_sort_from_scratch(
        shared in prop::sample::select(vec![
            SharedRanks::Standard,
            SharedRanks::Dense,
            SharedRanks::Ordinal,
        ]),
        first_blood in prop_oneof![Just(vec![]), Just(vec![30, 10])],
        acts in prop::collection::vec(gen_act(), 1..300),
    ) {
        let hunt = build(shared, first_blood);
        let mut state = HuntState::new(hunt.clone(), None).expect("no sealed answers");
        let mut log = Vec::new();
        let apply = |state: &mut HuntState, command: Command, minute: i64, log: &mut Vec<Recorded>| {
            let now = hunt.start.saturating_add(Span::from_millis(minute * 60_000));
            if let Ok(decision) = state.decide(&command, now) {
                for event in decision.events {
                    let recorded = Recorded { seq: state.seq() + 1, event };
                    state.apply(&recorded).expect("decided events apply");
                    log.push(recorded);
                }
            }
        };
        for t in 0..TEAMS {
            let division = ["students", "pros", ""][t as usize % 3];
            let command = Command::Register {
                name: format!("team {t}"),
                division: (!division.is_empty()).then(|| division.to_owned()),
            };
            apply(&mut state, command, 0, &mut log);
        }
        for (i, act) in acts.iter().enumerate() {
            // Coarse times: many solves share a minute, so reach times tie too.
            let minute = 1 + i as i64 / 20;
            let command = match act {
                Act::Solve(team, c) => Command::Submit {
                    team: TeamId(*team),
                    challenge: format!("c{c}"),
                    answer: format!("ans{c}"),
                    key: IdempotencyKey(i as u128 + 1),
                },
                Act::Hide(team, hidden) => Command::SetHidden { team: TeamId(*team), hidden: *hidden },
                Act::Adjust(team, delta) => Command::Adjust {
                    team: TeamId(*team),
                    delta: *delta,
                    reason: "manual".into(),
                },
                Act::Read => {
                    // A clone taken while unsettled settles on its own, like the original.
                    let copy = state.clone();
                    check(&copy, &log)?;
                    check(&state, &log)?;
                    continue;
                }
            };
            apply(&mut state, command, minute, &mut log);
        }
        check(&state, &log)?;
    }
}
