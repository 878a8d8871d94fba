//! Applying events: the fold that builds the state from the log.

use crate::event::{Event, JudgedAs, Recorded};
use crate::hint::HintCharge;
use crate::ids::{ChallengeId, TeamId};
use crate::time::Timestamp;

use super::team::{Item, Solve, TakenHint, TeamState, insert_sorted};
use super::{CommandUse, HuntState, Key, KeyOutcome, KeyUse, ReplayError};

impl HuntState {
    /// Applies the next event of the log.
    ///
    /// Total over logs that fit the definition: a second solve of the same challenge by the
    /// same team (which a correct store never records) counts nothing, so a correct answer
    /// counts exactly once whatever the log holds. On error nothing is changed.
    pub fn apply(&mut self, recorded: &Recorded) -> Result<(), ReplayError> {
        let expected = self.seq + 1;
        if recorded.seq != expected {
            return Err(ReplayError::OutOfOrder {
                expected,
                got: recorded.seq,
            });
        }
        self.apply_event(&recorded.event)?;
        self.seq = expected;
        Ok(())
    }

    /// Applies events decided against this state, numbering them from the current position.
    pub fn apply_all(&mut self, events: &[Event]) -> Result<(), ReplayError> {
        for event in events {
            self.apply_event(event)?;
            self.seq += 1;
        }
        Ok(())
    }

    /// Applies one event to the live state and, if it happened before the freeze, to the
    /// frozen board as well.
    fn apply_event(&mut self, event: &Event) -> Result<(), ReplayError> {
        let before_freeze = self.before_freeze(event.at());
        if !before_freeze {
            self.fork_frozen_board();
        }
        self.apply_live(event)?;
        let at = event.at();
        self.last_at = Some(self.last_at.map_or(at, |last| last.max(at)));
        if before_freeze && let Some(frozen) = &mut self.frozen {
            // The frozen board is derived from events the live state accepted; an event it
            // cannot place (a team registered after the freeze, with a clock that went
            // back) is simply not part of it.
            let _ = frozen.apply_live(event);
        }
        Ok(())
    }

    fn apply_live(&mut self, event: &Event) -> Result<(), ReplayError> {
        self.apply_fact(event)?;
        if let Some(key) = event.key()
            && let Some(used) = self.command_use(event)
        {
            self.commands.entry(Key::from(key)).or_insert(used);
        }
        Ok(())
    }

    /// What the command behind `event` did, for its id; `None` for a submission, whose key
    /// is kept with its verdict.
    fn command_use(&self, event: &Event) -> Option<CommandUse> {
        Some(match event {
            Event::SubmissionJudged { .. } => return None,
            Event::TeamRegistered { team, .. } => CommandUse::Registered(*team),
            Event::PointsAdjusted { team, .. } => CommandUse::Adjusted(*team),
            Event::TeamHidden { team, .. } => CommandUse::Hidden(*team),
            Event::AttemptsGranted { team, .. } => CommandUse::Granted(*team),
            Event::BoardRevealed { .. } => CommandUse::Revealed,
            Event::HintTaken {
                team,
                challenge,
                hint,
                at,
                ..
            } => {
                let (challenge, index) = resolve_hint(&self.hunt, challenge, hint).ok()?;
                let cost = self.hunt.challenge(challenge).hints[index as usize].cost;
                let solved = self.team(*team).is_some_and(|t| t.has_solved(challenge));
                CommandUse::Hint {
                    team: *team,
                    challenge,
                    hint: index,
                    cost: if *at >= self.hunt.end { 0 } else { cost },
                    charged: super::hints::charged_when(self.hunt.hint_charge, solved),
                }
            }
        })
    }

    fn apply_fact(&mut self, event: &Event) -> Result<(), ReplayError> {
        match event {
            Event::TeamRegistered {
                team,
                name,
                division,
                at,
                ..
            } => {
                if team.index() != self.teams.len() {
                    return Err(ReplayError::UnknownTeam(*team));
                }
                let mut state =
                    TeamState::new(name.clone(), division.clone(), *at, self.hunt.rounds.len());
                if let Some(division) = division {
                    state.division_index = Some(self.division_index(division));
                    state.affects_values = self.hunt.division_affects_values(Some(division));
                }
                if let Some(staged) = &mut self.staged {
                    staged.push_team(state.counts_for_values());
                }
                self.teams.push(state);
                self.names.insert(&self.teams, *team, name);
                self.rerank(*team);
            }
            Event::SubmissionJudged {
                team,
                challenge,
                key,
                answer,
                judged,
                at,
            } => {
                if *judged == JudgedAs::Correct && self.staged.is_some() {
                    return self.stage_solve(*team, challenge, *key, answer, *at);
                }
                let hunt = self.hunt.clone();
                let challenge = hunt
                    .challenge_by_slug(challenge)
                    .ok_or_else(|| ReplayError::UnknownChallenge(challenge.clone()))?;
                let state = self
                    .teams
                    .get_mut(team.index())
                    .ok_or(ReplayError::UnknownTeam(*team))?;
                let outcome = match judged {
                    // A wrong guess's outcome is read after recording it: whether it was new,
                    // and what is left, in one lookup of the team's guesses.
                    JudgedAs::Incorrect { guess } => {
                        let timed = challenge.throttle.looks_at_time().then_some(*at);
                        let new = state.guesses_mut(challenge.id).insert(guess, timed);
                        if new && hunt.team_window.is_some() {
                            insert_sorted(&mut state.wrong_times, *at);
                        }
                        KeyOutcome::Incorrect {
                            repeated: !new,
                            attempts_left: state.attempts_left(&hunt, challenge.id, *at),
                        }
                    }
                    _ => self.outcome_for(&self.teams[team.index()], challenge, judged, *at),
                };
                self.record_key(
                    Key::from(*key),
                    KeyUse {
                        team: *team,
                        challenge: challenge.id,
                        outcome,
                    },
                );
                if *judged == JudgedAs::Correct {
                    let keep_peak = self.tracks_peak;
                    let state = &mut self.teams[team.index()];
                    if !record_solve(&hunt, state, challenge, *at, answer.clone(), 0, keep_peak) {
                        return Ok(());
                    }
                    self.add_solver(challenge.id, *team);
                    self.rerank(*team);
                }
            }
            Event::PointsAdjusted {
                team, delta, at, ..
            } => {
                // Timeline items keep log order: the team's staged solves go in first.
                self.write_staged_team(*team);
                let keep_peak = self.tracks_peak;
                let state = self.team_mut(*team)?;
                state.change_score(*delta, keep_peak);
                if *delta != 0 {
                    state.touch_reached(*at);
                }
                state.items.push((*at, Item::Adjust(*delta)));
                self.rerank(*team);
            }
            Event::TeamHidden { team, hidden, .. } => {
                // Recounting walks the team's solves: every one of them must be written.
                self.write_staged_team(*team);
                let state = self.team_mut(*team)?;
                if state.hidden != *hidden {
                    state.hidden = *hidden;
                    let counted = state.counts_for_values();
                    if let Some(staged) = &mut self.staged {
                        staged.set_counted(*team, counted);
                    }
                    self.recount_team(*team);
                }
                self.rerank(*team);
            }
            Event::HintTaken {
                team,
                challenge,
                hint,
                at,
                ..
            } => {
                let hunt = self.hunt.clone();
                let (challenge, index) = resolve_hint(&hunt, challenge, hint)?;
                // Charging on solve reads the team's solves and the solves read its hints.
                self.write_staged_team(*team);
                let keep_peak = self.tracks_peak;
                let state = self.team_mut(*team)?;
                if state.took_hint(challenge, index) {
                    return Ok(());
                }
                let cost = hunt.challenge(challenge).hints[index as usize].cost;
                let charged = if *at >= hunt.end {
                    0
                } else {
                    match hunt.hint_charge {
                        HintCharge::OnSolve if !state.has_solved(challenge) => 0,
                        _ => cost,
                    }
                };
                state.hints.push(TakenHint {
                    challenge,
                    hint: index,
                    at: *at,
                    charged,
                });
                if charged != 0 {
                    state.change_score(-charged, keep_peak);
                    state.touch_reached(*at);
                    state.items.push((*at, Item::HintCost(challenge, charged)));
                    self.rerank(*team);
                }
            }
            Event::AttemptsGranted {
                team,
                challenge,
                extra,
                ..
            } => {
                let id = self
                    .hunt
                    .challenge_by_slug(challenge)
                    .ok_or_else(|| ReplayError::UnknownChallenge(challenge.clone()))?
                    .id;
                self.team_mut(*team)?.guesses_mut(id).grant(*extra);
            }
            Event::BoardRevealed { .. } => {
                self.revealed = true;
                self.frozen = None;
            }
        }
        Ok(())
    }

    fn team_mut(&mut self, team: TeamId) -> Result<&mut TeamState, ReplayError> {
        self.teams
            .get_mut(team.index())
            .ok_or(ReplayError::UnknownTeam(team))
    }

    /// The index of `division`'s standings, created on first use.
    fn division_index(&mut self, division: &str) -> u32 {
        if let Some(index) = self.division_ids.get(division) {
            return *index;
        }
        let index = self.division_names.len() as u32;
        self.division_ids.insert(division.to_owned(), index);
        self.division_names.push(division.to_owned());
        self.ranking.add_division(self.hunt.shared_ranks);
        index
    }

    /// Whether an event at `at` belongs to the frozen board as well as the live one.
    fn before_freeze(&self, at: Timestamp) -> bool {
        self.hunt.freeze.is_none_or(|freeze| at < freeze) || self.revealed
    }
}

/// The challenge and hint index an event names.
fn resolve_hint(
    hunt: &crate::hunt::Hunt,
    challenge: &str,
    hint: &str,
) -> Result<(ChallengeId, u32), ReplayError> {
    let c = hunt
        .challenge_by_slug(challenge)
        .ok_or_else(|| ReplayError::UnknownChallenge(challenge.to_owned()))?;
    let index =
        c.hints
            .iter()
            .position(|h| h.slug == hint)
            .ok_or_else(|| ReplayError::UnknownHint {
                challenge: challenge.to_owned(),
                hint: hint.to_owned(),
            })?;
    Ok((c.id, index as u32))
}

/// Records `state`'s solve of `challenge` at `at`, worth `points`, and everything derived
/// from it in the team (times, rounds, the timeline, hints charged on solve); returns false
/// (and changes nothing) if the team had solved it. The challenge's solver list is the
/// caller's.
pub(super) fn record_solve(
    hunt: &crate::hunt::Hunt,
    state: &mut TeamState,
    challenge: &crate::hunt::Challenge,
    at: Timestamp,
    answer: String,
    points: i64,
    keep_peak: bool,
) -> bool {
    if !state.add_solve(Solve {
        challenge: challenge.id,
        at,
        answer,
        points,
    }) {
        return false;
    }
    if points != 0 {
        state.change_score(points, keep_peak);
    }
    state.last_solve_at = Some(state.last_solve_at.map_or(at, |t| t.max(at)));
    if challenge.tie_break && challenge.scoring.rule.initial() != 0 {
        state.touch_reached(at);
    }
    if let Some(round) = challenge.round {
        state.round_solves[round.index()] += 1;
    }
    if hunt.final_meta == Some(challenge.id) {
        state.final_meta_at = Some(at);
    }
    state.items.push((at, Item::Solve(challenge.id)));
    if hunt.hint_charge == HintCharge::OnSolve {
        charge_hints_on_solve(hunt, state, challenge.id, at, keep_peak);
    }
    true
}

/// Charges the hints of `challenge` the team took before solving it (hint charge on solve).
fn charge_hints_on_solve(
    hunt: &crate::hunt::Hunt,
    state: &mut TeamState,
    challenge: ChallengeId,
    at: Timestamp,
    keep_peak: bool,
) {
    let hints = &hunt.challenge(challenge).hints;
    let mut total = 0i64;
    for taken in state
        .hints
        .iter_mut()
        .filter(|h| h.challenge == challenge && h.charged == 0 && h.at < hunt.end)
    {
        taken.charged = hints[taken.hint as usize].cost;
        total = total.saturating_add(taken.charged);
    }
    if total != 0 {
        state.change_score(-total, keep_peak);
        // A charge is a negative award: it moves the tie-break time like one.
        state.touch_reached(at);
        state.items.push((at, Item::HintCost(challenge, total)));
    }
}
