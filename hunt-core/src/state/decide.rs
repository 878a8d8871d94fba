//! Deciding a command: validation, the verdict, and the events to append. Never mutates.

use crate::answer::{Judgement, check_raw};
use crate::command::Command;
use crate::event::{Event, JudgedAs};
use crate::ids::{IdempotencyKey, TeamId};
use crate::throttle::Refusal;
use crate::time::Timestamp;
use crate::verdict::{Verdict, Window};

use super::names::Clash;
use super::{CommandError, CommandUse, HuntState, Key, KeyOutcome, name_key, unlock};

/// Largest adjustment accepted either way, so scores cannot overflow.
const MAX_ADJUSTMENT: i64 = 1_000_000_000_000;

/// Longest division name, in bytes.
const MAX_DIVISION_BYTES: usize = 64;

/// What a command came to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// A team was registered with this id.
    Registered(TeamId),
    /// A submission's verdict.
    Verdict(Verdict),
    /// The reply to taking a hint.
    Hint(super::HintReply),
    /// Admin: `delta` points were awarded (positive) or deducted (negative) to `team`.
    Adjusted {
        /// The team.
        team: TeamId,
        /// The points added to its score.
        delta: i64,
    },
    /// Admin: `team` is now hidden from the standings, or shown.
    Hidden {
        /// The team.
        team: TeamId,
        /// Whether it is hidden now.
        hidden: bool,
        /// Whether this changed anything: `false` when it already was.
        changed: bool,
    },
    /// Admin: `team` got `extra` more counted guesses at a challenge.
    Granted {
        /// The team.
        team: TeamId,
        /// The challenge's slug.
        challenge: String,
        /// The guesses added.
        extra: u32,
        /// Whether the challenge caps attempts at all: without a cap the grant is recorded
        /// but changes nothing the team can do.
        capped: bool,
    },
    /// Admin: the final board is revealed (the public board shows the live standings).
    Revealed {
        /// Whether this changed anything: `false` when it already was revealed.
        changed: bool,
    },
}

/// The result of deciding a command: its outcome and the events that make it so.
///
/// The outcome holds only once the events are durably appended and applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// What the caller is told.
    pub outcome: Outcome,
    /// Events to append (none for refusals that change nothing).
    pub events: Vec<Event>,
}

impl Decision {
    pub(super) fn only(outcome: Outcome) -> Self {
        Self {
            outcome,
            events: Vec::new(),
        }
    }

    fn verdict(verdict: Verdict) -> Self {
        Self::only(Outcome::Verdict(verdict))
    }
}

impl HuntState {
    /// Decides `command` at `now` against the current state.
    ///
    /// Bad input is a [`CommandError`]; domain outcomes (a wrong answer, a locked challenge)
    /// are verdicts. Deciding changes nothing: apply the returned events to make it so.
    ///
    /// **Log time is monotonic.** A command whose `now` is earlier than the log's time (the
    /// latest event's, [`HuntState::log_time`]) is decided at the log's time instead, and its
    /// events are stamped with it: `now.max(log_time)`. So the log is in time order, and
    /// everything that reads times agrees with everything that reads log order: first bloods,
    /// the frozen board, throttles, unlocks by time, the tie-break. Several processes with
    /// clocks slightly apart, or a script's `--at` in the past, cannot record a solve before
    /// the one that came before it in the log, nor a submission before its team registered.
    ///
    /// Commands other than submissions are decided without an id, so a retry is applied
    /// again: services use [`decide_with_key`](Self::decide_with_key), as the engine does.
    pub fn decide(&self, command: &Command, now: Timestamp) -> Result<Decision, CommandError> {
        self.decide_keyed(command, None, now)
    }

    /// Decides `command` at `now`, with `key` as its id (a submission uses its own
    /// idempotency key instead): the events record it, and a command whose id already
    /// changed the state is answered with its original outcome and changes nothing (a
    /// submission's retry gets [`Verdict::Duplicate`] with the original verdict). An id
    /// used by another command is refused with [`CommandError::KeyReused`] (a submission
    /// gets [`Verdict::KeyConflict`]).
    pub fn decide_with_key(
        &self,
        command: &Command,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<Decision, CommandError> {
        self.decide_keyed(command, Some(key), now)
    }

    fn decide_keyed(
        &self,
        command: &Command,
        key: Option<IdempotencyKey>,
        now: Timestamp,
    ) -> Result<Decision, CommandError> {
        let now = self.last_at.map_or(now, |last| now.max(last));
        if let Some(key) = key
            && !matches!(command, Command::Submit { .. })
        {
            let bits = Key::from(key);
            if self.keys.contains_key(&bits) {
                return Err(CommandError::KeyReused(key));
            }
            if let Some(used) = self.commands.get(&bits) {
                return self
                    .original_outcome(command, *used)
                    .map(Decision::only)
                    .ok_or(CommandError::KeyReused(key));
            }
        }
        match command {
            Command::Register { name, division } => {
                self.decide_register(name, division.as_deref(), key, now)
            }
            Command::Submit {
                team,
                challenge,
                answer,
                key,
            } => self.decide_submit(*team, challenge, answer, *key, now),
            Command::Adjust {
                team,
                delta,
                reason,
            } => {
                self.team_or_err(*team)?;
                if *delta == 0 || delta.unsigned_abs() > MAX_ADJUSTMENT as u64 {
                    return Err(CommandError::InvalidAdjustment(*delta));
                }
                let max = self.hunt.limits.max_reason_bytes;
                if reason.len() > max {
                    return Err(CommandError::ReasonTooLong { max });
                }
                Ok(Decision {
                    outcome: Outcome::Adjusted {
                        team: *team,
                        delta: *delta,
                    },
                    events: vec![Event::PointsAdjusted {
                        team: *team,
                        delta: *delta,
                        reason: reason.clone(),
                        key,
                        at: now,
                    }],
                })
            }
            Command::TakeHint {
                team,
                challenge,
                hint,
            } => self.decide_take_hint(*team, challenge, hint, key, now),
            Command::GrantAttempts {
                team,
                challenge,
                extra,
            } => {
                self.team_or_err(*team)?;
                let Some(found) = self.hunt.challenge_by_slug(challenge) else {
                    return Err(CommandError::UnknownChallenge(challenge.clone()));
                };
                if *extra == 0 {
                    return Err(CommandError::NothingGranted);
                }
                Ok(Decision {
                    outcome: Outcome::Granted {
                        team: *team,
                        challenge: challenge.clone(),
                        extra: *extra,
                        capped: found.throttle.max_attempts.is_some(),
                    },
                    events: vec![Event::AttemptsGranted {
                        team: *team,
                        challenge: challenge.clone(),
                        extra: *extra,
                        key,
                        at: now,
                    }],
                })
            }
            Command::RevealBoard { force } => {
                if self.revealed {
                    return Ok(Decision::only(Outcome::Revealed { changed: false }));
                }
                // Revealing ends the freeze for good: refused while there is nothing frozen
                // to reveal, since the public board would then follow the live one from now on.
                let frozen = self.hunt.freeze.is_some_and(|freeze| now >= freeze);
                if !frozen && !force {
                    return Err(CommandError::NotFrozen {
                        freeze: self.hunt.freeze,
                    });
                }
                Ok(Decision {
                    outcome: Outcome::Revealed { changed: true },
                    events: vec![Event::BoardRevealed { at: now, key }],
                })
            }
            Command::SetHidden { team, hidden } => {
                let state = self.team_or_err(*team)?;
                let events = if state.hidden == *hidden {
                    Vec::new()
                } else {
                    vec![Event::TeamHidden {
                        team: *team,
                        hidden: *hidden,
                        key,
                        at: now,
                    }]
                };
                Ok(Decision {
                    outcome: Outcome::Hidden {
                        team: *team,
                        hidden: *hidden,
                        changed: !events.is_empty(),
                    },
                    events,
                })
            }
        }
    }

    /// The outcome a judgement gets against the current state. Deciding and applying both use
    /// it, so the verdict stored for an idempotency key is the one the caller was given.
    pub(crate) fn outcome_for(
        &self,
        state: &super::TeamState,
        challenge: &crate::hunt::Challenge,
        judged: &JudgedAs,
        at: Timestamp,
    ) -> KeyOutcome {
        match judged {
            JudgedAs::Correct => {
                // Priced as the solve about to be added: the newest solver of the challenge.
                let counted = state.counts_for_values();
                let total = self.solve_count(challenge.id);
                let after = total + u32::from(counted);
                KeyOutcome::Correct {
                    points: challenge.scoring.points(
                        total,
                        counted,
                        after,
                        self.max_solves.max(after),
                    ),
                    first_solve: counted && total == 0,
                }
            }
            JudgedAs::Partial { reply } => KeyOutcome::Partial { reply: *reply },
            JudgedAs::Incorrect { guess } => {
                let guesses = state.guesses_at(challenge.id);
                let repeated = guesses.is_some_and(|g| g.contains(guess));
                let attempts_left = state
                    .attempts_left(&self.hunt, challenge.id, at)
                    .map(|left| left.saturating_sub(u32::from(!repeated)));
                KeyOutcome::Incorrect {
                    repeated,
                    attempts_left,
                }
            }
        }
    }

    fn team_or_err(&self, team: TeamId) -> Result<&super::TeamState, CommandError> {
        self.team(team).ok_or(CommandError::UnknownTeam(team))
    }

    /// The outcome a command got the first time its id was used, if `command` is that
    /// command (same kind, same team; same name or hint); `None` if the id was used by
    /// another.
    fn original_outcome(&self, command: &Command, used: CommandUse) -> Option<Outcome> {
        let same_team = |team: &TeamId| used.team() == Some(*team);
        match (command, used) {
            (Command::Register { name, .. }, CommandUse::Registered(team)) => {
                let registered = self.team(team)?;
                (name_key(&registered.name) == name_key(name)).then_some(Outcome::Registered(team))
            }
            (Command::Adjust { team, delta, .. }, CommandUse::Adjusted(_)) => same_team(team)
                .then_some(Outcome::Adjusted {
                    team: *team,
                    delta: *delta,
                }),
            // An id is kept only for a command that wrote its event: it changed something.
            (Command::SetHidden { team, hidden }, CommandUse::Hidden(_)) => same_team(team)
                .then_some(Outcome::Hidden {
                    team: *team,
                    hidden: *hidden,
                    changed: true,
                }),
            (
                Command::GrantAttempts {
                    team,
                    challenge,
                    extra,
                },
                CommandUse::Granted(_),
            ) => {
                let found = self.hunt.challenge_by_slug(challenge)?;
                same_team(team).then(|| Outcome::Granted {
                    team: *team,
                    challenge: challenge.clone(),
                    extra: *extra,
                    capped: found.throttle.max_attempts.is_some(),
                })
            }
            (Command::RevealBoard { .. }, CommandUse::Revealed) => {
                Some(Outcome::Revealed { changed: true })
            }
            (
                Command::TakeHint {
                    team,
                    challenge,
                    hint,
                },
                CommandUse::Hint {
                    challenge: id,
                    hint: index,
                    cost,
                    charged,
                    ..
                },
            ) => {
                let c = self.hunt.challenge(id);
                let taken = &c.hints[index as usize];
                (same_team(team) && c.slug == *challenge && taken.slug == *hint).then(|| {
                    Outcome::Hint(super::HintReply::Revealed {
                        content: taken.content.clone(),
                        cost,
                        charged,
                    })
                })
            }
            _ => None,
        }
    }

    fn decide_register(
        &self,
        name: &str,
        division: Option<&str>,
        key: Option<IdempotencyKey>,
        now: Timestamp,
    ) -> Result<Decision, CommandError> {
        let max = self.hunt.limits.max_team_name_bytes;
        if name.len() > max {
            return Err(CommandError::InvalidName("too long"));
        }
        if name.chars().any(char::is_control) {
            return Err(CommandError::InvalidName("contains control characters"));
        }
        if let Some(found) = super::names::invisible_character(name) {
            return Err(CommandError::InvisibleCharacter(found));
        }
        let normalized = name_key(name);
        if normalized.is_empty() {
            return Err(CommandError::InvalidName("empty"));
        }
        if let Some(division) = division {
            if division.trim().is_empty() {
                return Err(CommandError::InvalidDivision("empty"));
            }
            if division.len() > MAX_DIVISION_BYTES {
                return Err(CommandError::InvalidDivision("too long"));
            }
            if division.chars().any(char::is_control) {
                return Err(CommandError::InvalidDivision("contains control characters"));
            }
        }
        let division = self.registered_division(division)?;
        match self.names.clash(&self.teams, name) {
            Some(Clash::Taken(_)) => return Err(CommandError::NameTaken(name.to_owned())),
            Some(Clash::LooksLike(team)) => {
                return Err(CommandError::NameLooksLike {
                    name: name.trim().to_owned(),
                    existing: self.teams[team.index()].name.clone(),
                });
            }
            None => {}
        }
        let team = TeamId(
            u32::try_from(self.teams.len())
                .map_err(|_| CommandError::InvalidName("no ids left"))?,
        );
        Ok(Decision {
            outcome: Outcome::Registered(team),
            events: vec![Event::TeamRegistered {
                team,
                name: name.trim().to_owned(),
                division,
                key,
                at: now,
            }],
        })
    }

    /// The division a registration is recorded with: when the hunt declares divisions, the
    /// declared id that `division` names (matched as ids are), and one is required;
    /// otherwise `division` as given, trimmed.
    fn registered_division(&self, division: Option<&str>) -> Result<Option<String>, CommandError> {
        let declared = &self.hunt.divisions;
        if declared.is_empty() {
            return Ok(division.map(|d| d.trim().to_owned()));
        }
        let known = || declared.iter().map(|d| d.name.clone()).collect();
        let Some(given) = division else {
            return Err(CommandError::DivisionRequired { known: known() });
        };
        match self.hunt.division(given) {
            Some(found) => Ok(Some(found.name.clone())),
            None => Err(CommandError::UnknownDivision {
                given: given.trim().to_owned(),
                known: known(),
            }),
        }
    }

    fn decide_submit(
        &self,
        team: TeamId,
        slug: &str,
        answer: &str,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<Decision, CommandError> {
        let state = self.team_or_err(team)?;
        check_raw(answer, self.hunt.limits.max_answer_bytes)?;

        // A retry must get its original verdict even after the window closed, so keys come
        // before every other check.
        if self.commands.contains_key(&Key::from(key)) {
            return Ok(Decision::verdict(Verdict::KeyConflict));
        }
        if let Some(used) = self.keys.get(&Key::from(key)) {
            let same = used.team == team && self.hunt.challenge(used.challenge).slug == slug;
            return Ok(Decision::verdict(if same {
                Verdict::Duplicate {
                    original: Box::new(used.outcome.verdict(&self.hunt, used.challenge)),
                }
            } else {
                Verdict::KeyConflict
            }));
        }
        if now < self.hunt.start {
            return Ok(Decision::verdict(Verdict::NotOpen(Window::BeforeStart {
                opens_at: self.hunt.start,
            })));
        }
        if now >= self.hunt.end {
            return Ok(Decision::verdict(Verdict::NotOpen(Window::AfterEnd {
                closed_at: self.hunt.end,
            })));
        }
        // An unknown slug and a locked challenge get the same verdict, so teams cannot probe
        // for the names of challenges they have not reached.
        let Some(challenge) = self.hunt.challenge_by_slug(slug) else {
            return Ok(Decision::verdict(Verdict::Locked));
        };
        if state.has_solved(challenge.id) {
            return Ok(Decision::verdict(Verdict::AlreadySolved));
        }
        if !unlock::holds(&self.hunt, state, &challenge.unlock, now) {
            return Ok(Decision::verdict(Verdict::Locked));
        }
        // Throttling comes before judging, so it cannot be used to probe for the answer.
        match state.throttled(&self.hunt, challenge.id, now) {
            Some(Refusal::Exhausted) => {
                return Ok(Decision::verdict(Verdict::AttemptsExhausted));
            }
            Some(Refusal::Until(retry_at)) => {
                return Ok(Decision::verdict(Verdict::Throttled { retry_at }));
            }
            None => {}
        }

        let feeder_answer = |feeder| state.solve_of(feeder).map(|s| s.answer.as_str());
        let judged = match challenge.answers.judge_for_team(
            &challenge.slug,
            answer,
            self.secret.as_deref(),
            feeder_answer,
        )? {
            Judgement::Accepted => JudgedAs::Correct,
            Judgement::Partial(i) => JudgedAs::Partial { reply: i as u32 },
            Judgement::Wrong(guess) => JudgedAs::Incorrect { guess },
        };
        let verdict = self
            .outcome_for(state, challenge, &judged, now)
            .verdict(&self.hunt, challenge.id);
        Ok(Decision {
            outcome: Outcome::Verdict(verdict),
            events: vec![Event::SubmissionJudged {
                team,
                challenge: challenge.slug.clone(),
                key,
                answer: answer.to_owned(),
                judged,
                at: now,
            }],
        })
    }
}
