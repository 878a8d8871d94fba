//! Board deltas: what changed from one public board to the next, so the public stream sends
//! a client the few rows and graph points that moved instead of the whole board each time.
//!
//! Rows change by position, not by team: the page's table is a list of positions, a solve
//! that moves a team up `k` places changes exactly the `k + 1` positions it crosses (as many
//! rows as a by-team delta would send, since each crossed team's place changes too), and the
//! client applies it by assigning rows at indices, with no sorting of its own that could
//! disagree with the engine's ranking order. A graph line is matched to the old line of the
//! same team and sends only the points past the prefix both share (under dynamic scoring a
//! line's past can change, and then more of it is sent).

use hunt_core::state::Row;
use serde::Serialize;

use super::snapshot::{Board, Series};

/// What turns one public board into the next. Applying it to the board before gives exactly
/// the board after; the fields a hunt never changes (title, start, end, freeze time) are not
/// in it, and boards that differ in them get no delta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delta {
    /// The new board's log position.
    pub seq: u64,
    /// Whether the new board is frozen.
    pub frozen: bool,
    /// Teams on the new board.
    pub total: usize,
    /// How many rows the new board has: rows at later positions are gone.
    pub len: usize,
    /// The rows that differ, as `[position, row]` (positions from 0), in position order.
    pub rows: Vec<(usize, Row)>,
    /// The divisions, when they changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub divisions: Option<Vec<String>>,
    /// The graph's lines, when any changed: every line of the new board, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<Vec<Line>>,
}

/// One line of the new board's graph, from a line of the old one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The old board's line (its index) this one continues, `None` for a team new to the
    /// graph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<usize>,
    /// The team's name, for a team new to the graph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// How many of the old line's points are kept.
    pub keep: usize,
    /// The points that follow them.
    pub points: Vec<(i64, i64)>,
}

/// The delta from `old` to `new`, `None` when they differ in what a delta does not carry.
pub fn between(old: &Board, new: &Board) -> Option<Delta> {
    fn fixed(b: &Board) -> (&str, i64, i64, Option<i64>) {
        (&b.title, b.start, b.end, b.freeze_at)
    }
    if fixed(old) != fixed(new) {
        return None;
    }
    let rows = new
        .rows
        .iter()
        .enumerate()
        .filter(|(i, row)| old.rows.get(*i) != Some(row))
        .map(|(i, row)| (i, row.clone()))
        .collect();
    let series = (old.series != new.series).then(|| lines(&old.series, &new.series));
    Some(Delta {
        seq: new.seq,
        frozen: new.frozen,
        total: new.total,
        len: new.rows.len(),
        rows,
        divisions: (old.divisions != new.divisions).then(|| new.divisions.clone()),
        series,
    })
}

/// The new graph's lines, each from the old line of its team if there is one.
fn lines(old: &[Series], new: &[Series]) -> Vec<Line> {
    new.iter()
        .map(|series| {
            let Some(from) = old.iter().position(|o| o.team == series.team) else {
                return Line {
                    from: None,
                    team: Some(series.team.clone()),
                    keep: 0,
                    points: series.points.clone(),
                };
            };
            let before = &old[from].points;
            let keep = before
                .iter()
                .zip(&series.points)
                .take_while(|(a, b)| a == b)
                .count();
            Line {
                from: Some(from),
                team: None,
                keep,
                points: series.points[keep..].to_vec(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Applying every delta to the first board gives exactly the latest full board, for
    //! random hunts played by random solve sequences (with dynamic scoring, so graph lines'
    //! pasts change, ties, new divisions, teams entering and leaving the top rows and the
    //! graph, and the freeze). The deltas are applied to the boards' JSON, as the board page's
    //! script applies them, so the test checks the wire format too.

    use std::sync::Arc;

    use hunt_core::event::{Event, JudgedAs};
    use hunt_core::state::HuntState;
    use hunt_core::{IdempotencyKey, Recorded, TeamId, Timestamp};
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    /// `delta` applied to `board` (both JSON), as the board page's script does it.
    fn apply(board: &mut Value, delta: &Value) {
        for key in ["seq", "frozen", "total"] {
            board[key] = delta[key].clone();
        }
        if let Some(divisions) = delta.get("divisions") {
            board["divisions"] = divisions.clone();
        }
        let rows = board["rows"].as_array_mut().expect("rows");
        let len = delta["len"].as_u64().expect("len") as usize;
        rows.truncate(len);
        for change in delta["rows"].as_array().expect("changed rows") {
            let at = change[0].as_u64().expect("a position") as usize;
            if at < rows.len() {
                rows[at] = change[1].clone();
            } else {
                assert_eq!(at, rows.len(), "rows come in position order");
                rows.push(change[1].clone());
            }
        }
        assert_eq!(rows.len(), len);
        if let Some(lines) = delta.get("series") {
            let old = board["series"].as_array().expect("series").clone();
            let new = lines
                .as_array()
                .expect("lines")
                .iter()
                .map(|line| {
                    let (team, mut points) = match line.get("from") {
                        Some(from) => {
                            let was = &old[from.as_u64().expect("an index") as usize];
                            let keep = line["keep"].as_u64().expect("keep") as usize;
                            let points = was["points"].as_array().expect("points");
                            (was["team"].clone(), points[..keep].to_vec())
                        }
                        None => (line["team"].clone(), Vec::new()),
                    };
                    points.extend(line["points"].as_array().expect("points").iter().cloned());
                    serde_json::json!({ "team": team, "points": points })
                })
                .collect();
            board["series"] = Value::Array(new);
        }
    }

    const START: i64 = 1_796_029_200_000;
    const MINUTE: i64 = 60_000;

    /// A hunt of `challenges` dynamically scored challenges, frozen after 100 minutes.
    fn hunt(challenges: usize) -> Arc<hunt_core::Hunt> {
        let mut source = format!(
            "id = \"d\"\ntitle = \"D\"\nstart = {}\nend = {}\nfreeze = {}\n",
            Timestamp::from_millis(START),
            Timestamp::from_millis(START + 200 * MINUTE),
            Timestamp::from_millis(START + 100 * MINUTE)
        );
        for c in 0..challenges {
            source.push_str(&format!(
                "\n[[challenge]]\nid = \"c{c}\"\ntitle = \"C{c}\"\nanswers = [\"x\"]\n\
                 scoring = {{ rule = \"ctfd-linear\", initial = 500, minimum = 100, decay = 4, \
                 mode = \"retroactive\" }}\n"
            ));
        }
        Arc::new(hunt_core::definition::load(&source).unwrap_or_else(|e| panic!("{e}")))
    }

    /// What happens next: a team registers (in one of a few divisions or none) or solves.
    #[derive(Debug, Clone)]
    enum Step {
        Register(Option<u8>),
        Solve { team: u8, challenge: u8 },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            1 => prop::option::of(0u8..3).prop_map(Step::Register),
            4 => (any::<u8>(), any::<u8>()).prop_map(|(team, challenge)| Step::Solve { team, challenge }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn every_delta_applied_to_the_first_board_gives_the_latest_board(
            challenges in 1usize..6,
            steps in prop::collection::vec((step(), 0i64..4), 1..160),
        ) {
            let hunt = hunt(challenges);
            let mut state = HuntState::new(hunt, None).expect("a state");
            let mut now = START + MINUTE;
            let mut teams = 0u32;
            let mut shown = Board::of(&state, Timestamp::from_millis(now));
            let mut client = serde_json::to_value(&shown).expect("JSON");
            let mut seq = 0;
            let mut solved = std::collections::HashSet::new();
            for (step, minutes) in steps {
                now += minutes * MINUTE;
                let at = Timestamp::from_millis(now);
                let event = match step {
                    Step::Register(division) => {
                        teams += 1;
                        Event::TeamRegistered {
                            team: TeamId(teams - 1),
                            name: format!("Team {teams}"),
                            division: division.map(|d| format!("D{d}")),
                            key: None,
                            at,
                        }
                    }
                    Step::Solve { .. } if teams == 0 => continue,
                    Step::Solve { team, challenge } => {
                        let team = TeamId(u32::from(team) % teams);
                        let challenge = format!("c{}", usize::from(challenge) % challenges);
                        if !solved.insert((team, challenge.clone())) {
                            continue;
                        }
                        Event::SubmissionJudged {
                            team,
                            challenge,
                            key: IdempotencyKey(u128::from(seq)),
                            answer: "x".to_owned(),
                            judged: JudgedAs::Correct,
                            at,
                        }
                    }
                };
                seq += 1;
                state.apply(&Recorded { seq, event }).expect("applies");
                let board = Board::of(&state, at);
                let delta = between(&shown, &board).expect("same hunt, so a delta");
                let json = serde_json::to_value(&delta).expect("JSON");
                apply(&mut client, &json);
                prop_assert_eq!(&client, &serde_json::to_value(&board).expect("JSON"));
                shown = board;
            }
        }
    }

    /// The leader's next solve changes its row alone and adds one point to its line: the
    /// delta says only that, and is far smaller than the board.
    #[test]
    fn the_leaders_solve_sends_its_row_and_its_new_point() {
        let hunt = hunt(2);
        let mut state = HuntState::new(hunt, None).expect("a state");
        let at = Timestamp::from_millis(START + MINUTE);
        let mut seq = 0;
        let mut apply = |state: &mut HuntState, event| {
            seq += 1;
            state.apply(&Recorded { seq, event }).expect("applies");
        };
        for t in 0..30u32 {
            let event = Event::TeamRegistered {
                team: TeamId(t),
                name: format!("Team {t}"),
                division: None,
                key: None,
                at,
            };
            apply(&mut state, event);
        }
        let solve = |challenge: &str, key| Event::SubmissionJudged {
            team: TeamId(7),
            challenge: challenge.to_owned(),
            key: IdempotencyKey(key),
            answer: "x".to_owned(),
            judged: JudgedAs::Correct,
            at,
        };
        apply(&mut state, solve("c0", 1));
        let before = Board::of(&state, at);
        assert_eq!(before.rows[0].name, "Team 7");
        apply(&mut state, solve("c1", 2));
        let after = Board::of(&state, at);
        let delta = between(&before, &after).expect("a delta");
        assert_eq!(delta.seq, 32);
        assert_eq!(delta.len, 30);
        let moved: Vec<_> = delta
            .rows
            .iter()
            .map(|(i, r)| (*i, r.name.as_str(), r.score))
            .collect();
        assert_eq!(moved, [(0, "Team 7", 1000)]);
        let lines = delta.series.as_ref().expect("the graph moved");
        assert_eq!(lines.len(), 10);
        assert_eq!(lines[0].from, Some(0));
        assert_eq!(lines[0].points.len(), 1, "{lines:#?}");
        assert!(lines[1..].iter().all(|l| l.points.is_empty()), "{lines:#?}");
        let board = serde_json::to_string(&after).expect("JSON");
        let small = serde_json::to_string(&delta).expect("JSON");
        assert!(small.len() * 4 < board.len(), "{small} vs {board}");
    }
}
