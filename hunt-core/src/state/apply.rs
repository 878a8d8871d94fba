//! Applying events: the fold that builds the state from the log.

use crate::event::{Event, JudgedAs, Recorded};
use crate::ids::TeamId;

use super::team::{Solve, TeamState};
use super::{HuntState, KeyUse, ReplayError, name_key};

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

    fn apply_event(&mut self, event: &Event) -> Result<(), ReplayError> {
        match event {
            Event::TeamRegistered {
                team,
                name,
                division,
                at,
            } => {
                if team.index() != self.teams.len() {
                    return Err(ReplayError::UnknownTeam(*team));
                }
                self.names.insert(name_key(name), *team);
                let state =
                    TeamState::new(name.clone(), division.clone(), *at, self.hunt.rounds.len());
                self.teams.push(state);
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
                let hunt = self.hunt.clone();
                let challenge = hunt
                    .challenge_by_slug(challenge)
                    .ok_or_else(|| ReplayError::UnknownChallenge(challenge.clone()))?;
                let state = self
                    .teams
                    .get(team.index())
                    .ok_or(ReplayError::UnknownTeam(*team))?;
                let outcome = self.outcome_for(state, challenge, judged);
                self.keys.entry(*key).or_insert(KeyUse {
                    team: *team,
                    challenge: challenge.id,
                    outcome,
                });
                let visible = !state.hidden;
                let state = &mut self.teams[team.index()];
                match judged {
                    JudgedAs::Correct => {
                        let points = challenge.scoring.rule.initial();
                        if !state.add_solve(Solve {
                            challenge: challenge.id,
                            at: *at,
                            answer: answer.clone(),
                            points,
                        }) {
                            return Ok(());
                        }
                        state.score = state.score.saturating_add(points);
                        state.last_solve_at = Some(state.last_solve_at.map_or(*at, |t| t.max(*at)));
                        if challenge.tie_break && points != 0 {
                            state.touch_reached(*at);
                        }
                        if let Some(round) = challenge.round {
                            state.round_solves[round.index()] += 1;
                        }
                        if hunt.final_meta == Some(challenge.id) {
                            state.final_meta_at = Some(*at);
                        }
                        if visible {
                            self.stats[challenge.id.index()].visible_solves += 1;
                        }
                        self.rerank(*team);
                    }
                    JudgedAs::Incorrect { guess } => {
                        state.guesses_mut(challenge.id).insert(guess);
                    }
                    JudgedAs::Partial { .. } => {}
                }
            }
            Event::PointsAdjusted {
                team, delta, at, ..
            } => {
                let state = self
                    .teams
                    .get_mut(team.index())
                    .ok_or(ReplayError::UnknownTeam(*team))?;
                state.score = state.score.saturating_add(*delta);
                if *delta != 0 {
                    state.touch_reached(*at);
                }
                self.rerank(*team);
            }
            Event::TeamHidden { team, hidden, .. } => {
                let state = self
                    .teams
                    .get_mut(team.index())
                    .ok_or(ReplayError::UnknownTeam(*team))?;
                state.hidden = *hidden;
                self.rerank(*team);
            }
        }
        Ok(())
    }

    /// Puts a team at its current place, or takes it off the board while it is hidden.
    fn rerank(&mut self, team: TeamId) {
        if self.ranking_deferred {
            return;
        }
        let state = &self.teams[team.index()];
        if state.hidden {
            self.standings.remove(team);
        } else {
            self.standings
                .upsert(team, state.sort_key(self.hunt.ranking));
        }
    }
}
