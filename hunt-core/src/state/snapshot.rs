//! Snapshots of the derived state: [`HuntState::encode_snapshot`] and
//! [`HuntState::decode_snapshot`], so that reopening a long log need not replay all of it.
//!
//! A snapshot holds what the fold derived (the position, every team, the display-name index,
//! the idempotency keys and the per-challenge counters), and the compiled hunt it was derived
//! with (so that [`HuntState::decode_snapshot_compiled`] can open a hunt without parsing its
//! definition again); not the secret, nor the standings, which are rebuilt once from the teams
//! as after a bulk replay. The bytes are:
//!
//! ```text
//! "HUNTSNAP" | format (u32, little-endian) | payload (postcard) | SHA-256 of all before it
//! ```
//!
//! The payload names the version of `hunt-core` that wrote it and the hunt it belongs to. A
//! snapshot is only ever an optimisation: any doubt (another format, another version of the
//! core, a checksum that does not match, data that does not fit the hunt) is an error, and the
//! caller replays the log instead. Decoding never panics on hostile bytes.
//!
//! Bump [`FORMAT`] whenever the payload's shape or the meaning of the fold changes:
//! `the_format_is_pinned` fails as a reminder when the bytes of a sample state change.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::answer::Secret;
use crate::hunt::Hunt;
use crate::ids::{IdempotencyKey, TeamId};
use crate::time::Timestamp;

use super::names::NameIndex;
use super::team::TeamState;
use super::{ChallengeStats, CommandUse, FastMap, HuntState, Key, KeyUse, SecretError};

/// The first bytes of every snapshot.
const MAGIC: &[u8; 8] = b"HUNTSNAP";

/// The layout and meaning of the payload this version writes and reads.
pub(crate) const FORMAT: u32 = 8;

/// The version of `hunt-core` that wrote a snapshot: the fold may change between versions
/// without the payload's shape changing, so a snapshot is only trusted by the version that
/// wrote it.
const CORE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Length of the SHA-256 trailer.
const CHECKSUM_LEN: usize = 32;

/// Why snapshot bytes were not turned into a state. Callers replay the log instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The bytes do not start like a snapshot, or are too short to be one.
    #[error("not a hunt state snapshot")]
    NotASnapshot,
    /// The snapshot was written in another format.
    #[error("snapshot format {found}, but this version reads format {expected}")]
    Format {
        /// The format in the bytes.
        found: u32,
        /// The format this version reads and writes.
        expected: u32,
    },
    /// The bytes were damaged (torn or altered) after they were written.
    #[error("the snapshot's checksum does not match its contents")]
    Checksum,
    /// The payload does not decode.
    #[error("the snapshot does not decode: {0}")]
    Decode(String),
    /// Another version of `hunt-core` wrote it.
    #[error("the snapshot was written by hunt-core {found}, not {}", CORE_VERSION)]
    CoreVersion {
        /// The version that wrote it.
        found: String,
    },
    /// The snapshot belongs to another hunt.
    #[error("the snapshot belongs to hunt {found:?}")]
    OtherHunt {
        /// The hunt named in the snapshot.
        found: String,
    },
    /// The snapshot decodes but does not fit the hunt's definition.
    #[error("the snapshot does not fit the hunt: {0}")]
    Inconsistent(String),
    /// The hunt has sealed answers and no secret was supplied.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// One board as written: the live state's derived data, or the frozen board's. Maps are
/// sorted lists so that the same state always gives the same bytes.
#[derive(Serialize)]
struct BoardRef<'a> {
    seq: u64,
    last_at: Option<Timestamp>,
    teams: &'a [TeamState],
    names: NamesRef<'a>,
    stats: &'a [ChallengeStats],
    /// Division names by index, as teams refer to them.
    divisions: Vec<&'a str>,
}

/// One board as read.
#[derive(Deserialize)]
struct Board {
    seq: u64,
    last_at: Option<Timestamp>,
    teams: Vec<TeamState>,
    names: Names,
    stats: Vec<ChallengeStats>,
    divisions: Vec<String>,
}

/// The display-name index as written: fingerprints sorted, so the bytes are deterministic.
#[derive(Serialize)]
struct NamesRef<'a> {
    keys: Vec<(u64, TeamId)>,
    lookalikes: Vec<(u64, TeamId)>,
    spilled: &'a [TeamId],
}

/// The display-name index as read.
#[derive(Deserialize)]
struct Names {
    keys: Vec<(u64, TeamId)>,
    lookalikes: Vec<(u64, TeamId)>,
    spilled: Vec<TeamId>,
}

impl Names {
    fn into_index(self) -> NameIndex {
        NameIndex {
            keys: self.keys.into_iter().collect(),
            lookalikes: self.lookalikes.into_iter().collect(),
            spilled: self.spilled,
        }
    }
}

/// The payload as written, borrowed from the state.
#[derive(Serialize)]
struct PayloadRef<'a> {
    core: &'a str,
    hunt: &'a str,
    live: BoardRef<'a>,
    keys: Vec<(u128, KeyUse)>,
    commands: Vec<(u128, CommandUse)>,
    revealed: bool,
    frozen: Option<BoardRef<'a>>,
    /// The compiled hunt, in the `definition::compiled` form.
    definition: &'a [u8],
}

/// The payload as read, borrowing the compiled hunt's bytes (megabytes on a large hunt).
#[derive(Deserialize)]
struct Payload<'a> {
    core: String,
    hunt: String,
    live: Board,
    keys: Vec<(u128, KeyUse)>,
    commands: Vec<(u128, CommandUse)>,
    revealed: bool,
    frozen: Option<Board>,
    #[serde(borrow)]
    definition: &'a [u8],
}

impl HuntState {
    /// The state's derived data as snapshot bytes (the `state::snapshot` module docs say what
    /// it holds): compact, deterministic, checksummed. The compiled hunt is included; neither
    /// the secret nor the standings are; the frozen board is, since its events cannot be told
    /// apart later without replaying.
    ///
    /// Takes time in proportion to the state (keys are sorted): encode a published snapshot
    /// off the hot path.
    pub fn encode_snapshot(&self) -> Vec<u8> {
        let mut keys: Vec<(u128, KeyUse)> = self
            .keys
            .iter()
            .map(|(k, u)| (IdempotencyKey::from(*k).0, *u))
            .collect();
        keys.sort_unstable_by_key(|(k, _)| *k);
        let mut commands: Vec<(u128, CommandUse)> = self
            .commands
            .iter()
            .map(|(k, u)| (IdempotencyKey::from(*k).0, *u))
            .collect();
        commands.sort_unstable_by_key(|(k, _)| *k);
        let definition = crate::definition::compiled::encode(&self.hunt);
        let payload = PayloadRef {
            core: CORE_VERSION,
            hunt: self.hunt.id.as_str(),
            live: self.board_ref(),
            keys,
            commands,
            revealed: self.revealed,
            frozen: self.frozen.as_deref().map(HuntState::board_ref),
            definition: &definition,
        };
        let mut bytes =
            Vec::with_capacity(MAGIC.len() + 4 + self.keys.len() * 24 + definition.len() + 4096);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        let mut bytes = postcard::to_extend(&payload, bytes)
            .expect("postcard serializes every state: it has no maps with non-string keys");
        let checksum = Sha256::digest(&bytes);
        bytes.extend_from_slice(&checksum);
        bytes
    }

    fn board_ref(&self) -> BoardRef<'_> {
        let sorted = |map: &FastMap<u64, TeamId>| {
            let mut pairs: Vec<(u64, TeamId)> = map.iter().map(|(k, t)| (*k, *t)).collect();
            pairs.sort_unstable();
            pairs
        };
        let names = NamesRef {
            keys: sorted(&self.names.keys),
            lookalikes: sorted(&self.names.lookalikes),
            spilled: &self.names.spilled,
        };
        BoardRef {
            seq: self.seq,
            last_at: self.last_at,
            teams: &self.teams,
            names,
            stats: &self.stats,
            divisions: self.division_names.iter().map(String::as_str).collect(),
        }
    }

    /// The state that [`encode_snapshot`](Self::encode_snapshot) wrote into `bytes`, for the
    /// hunt `hunt` (compiled from the same definition) with its `secret` (required when the
    /// hunt has sealed answers).
    ///
    /// Checks the format, the version of the core that wrote it, the checksum, the hunt, and
    /// that every id in it fits the hunt, then rebuilds the standings once. The result equals
    /// a replay of the log up to the snapshot's position, provided the snapshot was written
    /// from that log: checking that is the caller's part (see
    /// [`Checkpoint`](crate::store::Checkpoint)).
    pub fn decode_snapshot(
        hunt: Arc<Hunt>,
        secret: Option<Secret>,
        bytes: &[u8],
    ) -> Result<HuntState, SnapshotError> {
        Self::from_payload(hunt, secret, open(bytes)?)
    }

    /// The state that [`encode_snapshot`](Self::encode_snapshot) wrote into `bytes`, with the
    /// compiled hunt the snapshot carries (so no definition is parsed), and its `secret`
    /// (required when the hunt has sealed answers). Checks as
    /// [`decode_snapshot`](Self::decode_snapshot) does.
    ///
    /// The hunt is the one the state was derived with: that it is the one compiled from the
    /// definition the caller means is the caller's to check, as the engine does with the
    /// [`Checkpoint`](crate::store::Checkpoint)'s definition digest.
    pub fn decode_snapshot_compiled(
        secret: Option<Secret>,
        bytes: &[u8],
    ) -> Result<HuntState, SnapshotError> {
        let payload = open(bytes)?;
        if payload.core != CORE_VERSION {
            return Err(SnapshotError::CoreVersion {
                found: payload.core,
            });
        }
        let hunt = crate::definition::compiled::decode(payload.definition)
            .map_err(|e| SnapshotError::Decode(format!("the compiled hunt: {e}")))?;
        Self::from_payload(Arc::new(hunt), secret, payload)
    }

    fn from_payload(
        hunt: Arc<Hunt>,
        secret: Option<Secret>,
        payload: Payload<'_>,
    ) -> Result<HuntState, SnapshotError> {
        if payload.core != CORE_VERSION {
            return Err(SnapshotError::CoreVersion {
                found: payload.core,
            });
        }
        if payload.hunt != hunt.id.as_str() {
            return Err(SnapshotError::OtherHunt {
                found: payload.hunt,
            });
        }
        check_fits(&hunt, &payload.live, "")?;
        if let Some(frozen) = &payload.frozen {
            check_fits(&hunt, frozen, "the frozen board: ")?;
        }
        let teams = payload.live.teams.len();
        if let Some((key, _)) = payload.keys.iter().find(|(_, used)| {
            used.team.index() >= teams || used.challenge.index() >= hunt.challenges.len()
        }) {
            return Err(SnapshotError::Inconsistent(format!(
                "idempotency key {} names an unknown team or challenge",
                IdempotencyKey(*key)
            )));
        }
        let fits = |used: &CommandUse| match *used {
            CommandUse::Hint {
                challenge, hint, ..
            } => hunt
                .challenges
                .get(challenge.index())
                .is_some_and(|c| (hint as usize) < c.hints.len()),
            _ => used.team().is_none_or(|team| team.index() < teams),
        };
        if let Some((key, _)) = payload.commands.iter().find(|(_, used)| !fits(used)) {
            return Err(SnapshotError::Inconsistent(format!(
                "command id {} names an unknown team, challenge or hint",
                IdempotencyKey(*key)
            )));
        }
        let mut state = HuntState::new(hunt, secret)?;
        let frozen = payload
            .frozen
            .map(|board| {
                let mut frozen = HuntState::new(state.hunt.clone(), None)?;
                frozen.restore_board(board);
                Ok::<_, SnapshotError>(Box::new(frozen))
            })
            .transpose()?;
        state.restore_board(payload.live);
        let mut keys = FastMap::default();
        keys.reserve(payload.keys.len());
        keys.extend(
            payload
                .keys
                .into_iter()
                .map(|(key, used)| (Key::from(IdempotencyKey(key)), used)),
        );
        state.keys = keys;
        state.commands = payload
            .commands
            .into_iter()
            .map(|(key, used)| (Key::from(IdempotencyKey(key)), used))
            .collect();
        state.revealed = payload.revealed;
        state.frozen = frozen;
        state.rebuild_ranking();
        if let Some(frozen) = &mut state.frozen {
            frozen.rebuild_ranking();
        }
        Ok(state)
    }

    /// Puts a decoded (and checked) board into this fresh state; standings are rebuilt by
    /// the caller.
    fn restore_board(&mut self, board: Board) {
        self.seq = board.seq;
        self.last_at = board.last_at;
        self.teams = board.teams;
        for team in &mut self.teams {
            team.solved = super::solved::SolvedSet::of(team.solves.iter().map(|s| s.challenge));
        }
        self.names = board.names.into_index();
        self.stats = board.stats;
        self.max_solves = self.stats.iter().map(|s| s.counted).max().unwrap_or(0);
        self.division_ids = board
            .divisions
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i as u32))
            .collect();
        self.division_names = board.divisions;
    }
}

/// Checks the frame of `bytes` and decodes the payload.
fn open(bytes: &[u8]) -> Result<Payload<'_>, SnapshotError> {
    let header = MAGIC.len() + 4;
    if bytes.len() < header + CHECKSUM_LEN || !bytes.starts_with(MAGIC) {
        return Err(SnapshotError::NotASnapshot);
    }
    let mut format = [0; 4];
    format.copy_from_slice(&bytes[MAGIC.len()..header]);
    let format = u32::from_le_bytes(format);
    if format != FORMAT {
        return Err(SnapshotError::Format {
            found: format,
            expected: FORMAT,
        });
    }
    let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if Sha256::digest(body).as_slice() != checksum {
        return Err(SnapshotError::Checksum);
    }
    match postcard::take_from_bytes::<Payload<'_>>(&body[header..]) {
        Ok((payload, [])) => Ok(payload),
        Ok((_, rest)) => Err(SnapshotError::Decode(format!(
            "{} bytes left over after the payload",
            rest.len()
        ))),
        Err(e) => Err(SnapshotError::Decode(e.to_string())),
    }
}

/// Checks that every id and table size in `board` fits `hunt`, so that no later lookup can
/// go out of bounds, and that sorted lists are sorted, so that lookups find what is there.
fn check_fits(hunt: &Hunt, board: &Board, which: &str) -> Result<(), SnapshotError> {
    let bad = |what: String| Err(SnapshotError::Inconsistent(format!("{which}{what}")));
    let challenges = hunt.challenges.len();
    let teams = board.teams.len();
    if board.stats.len() != challenges {
        return bad(format!(
            "counters for {} challenges, but the hunt has {challenges}",
            board.stats.len()
        ));
    }
    if u32::try_from(teams).is_err() || u32::try_from(board.divisions.len()).is_err() {
        return bad(format!("{teams} teams"));
    }
    for (i, team) in board.teams.iter().enumerate() {
        if team.round_solves.len() != hunt.rounds.len() {
            return bad(format!(
                "team {i} counts solves in {} rounds, but the hunt has {}",
                team.round_solves.len(),
                hunt.rounds.len()
            ));
        }
        let solves_sorted = team.solves.is_sorted_by(|a, b| a.challenge < b.challenge);
        let solves_fit = team.solves.iter().all(|s| s.challenge.index() < challenges);
        if !solves_sorted || !solves_fit {
            return bad(format!("team {i}'s solves"));
        }
        let guesses_sorted = team.guesses.is_sorted_by(|a, b| a.0 < b.0);
        let guesses_fit = team
            .guesses
            .iter()
            .all(|(c, g)| c.index() < challenges && g.is_well_formed());
        if !guesses_sorted || !guesses_fit || !team.wrong_times.is_sorted() {
            return bad(format!("team {i}'s wrong guesses"));
        }
        let hints_fit = team.hints.iter().all(|h| {
            h.challenge.index() < challenges
                && (h.hint as usize) < hunt.challenge(h.challenge).hints.len()
        });
        if !hints_fit {
            return bad(format!("team {i}'s hints"));
        }
        let items_fit = team.items.iter().all(|(_, item)| match item {
            super::team::Item::Solve(c) | super::team::Item::HintCost(c, _) => {
                c.index() < challenges
            }
            super::team::Item::Adjust(_) => true,
        });
        if !items_fit {
            return bad(format!("team {i}'s timeline"));
        }
        if team
            .division_index
            .is_some_and(|d| d as usize >= board.divisions.len())
        {
            return bad(format!("team {i}'s division"));
        }
    }
    for (c, stats) in board.stats.iter().enumerate() {
        let solvers_fit = stats.solvers.iter().all(|s| {
            board
                .teams
                .get(s.team.index())
                // The teams' solved sets are rebuilt only once the board fits: search.
                .is_some_and(|t| {
                    t.solves
                        .binary_search_by_key(&crate::ids::ChallengeId(c as u32), |s| s.challenge)
                        .is_ok()
                })
        });
        let counted = stats.solvers.iter().filter(|s| s.counted).count();
        if !solvers_fit || counted != stats.counted as usize {
            return bad(format!("the solvers of challenge {c}"));
        }
    }
    let names = &board.names;
    if let Some(team) = names
        .keys
        .iter()
        .chain(&names.lookalikes)
        .map(|(_, t)| t)
        .chain(&names.spilled)
        .find(|t| t.index() >= teams)
    {
        return bad(format!("the name index points at {team}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::time::Timestamp;

    const HUNT: &str = r#"
        id = "snap"
        title = "Snapshots"
        start = 2026-11-28T09:00:00Z
        end = 2026-11-28T21:00:00Z
        freeze = 2026-11-28T15:00:00Z
        scoring = { rule = "ctfd-linear", initial = 500, minimum = 100, decay = 50 }
        first_blood = [10]

        [[challenge]]
        id = "one"
        title = "One"
        round = "first"
        points = 100
        answers = ["right"]
        partial = [{ answer = "almost", reply = "Keep going" }]

        [[challenge.hint]]
        id = "nudge"
        content = "Look again."
        cost = 10

        [[challenge]]
        id = "two"
        title = "Two"
        round = "second"
        points = 250
        answers = ["also right"]
        max_attempts = 3
    "#;

    fn hunt(source: &str) -> Arc<Hunt> {
        Arc::new(crate::definition::load(source).expect("a valid hunt"))
    }

    /// A state with every kind of derived data: teams (one hidden, one with a division),
    /// repriced solves, wrong and partial guesses, a hint, an adjustment, and a solve after
    /// the freeze so that the frozen board differs from the live one.
    fn sample() -> HuntState {
        let mut state = HuntState::new(hunt(HUNT), None).expect("no sealed answers");
        let now = Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("an instant");
        let mut key = 0;
        let run = |state: &mut HuntState, command: Command| {
            let decision = state.decide(&command, now).expect("a valid command");
            state.apply_all(&decision.events).expect("applies");
        };
        let late = Timestamp::parse_rfc3339("2026-11-28T16:00:00Z").expect("an instant");
        for (name, division) in [("Otters", None), ("Ravens", Some("pro")), ("Moles", None)] {
            run(
                &mut state,
                Command::Register {
                    name: name.into(),
                    division: division.map(Into::into),
                },
            );
        }
        for (team, challenge, answer) in [
            (0, "one", "right"),
            (1, "one", "wrong"),
            (1, "one", "almost"),
            (1, "two", "nope"),
            (1, "two", "also right"),
            (2, "two", "nope"),
        ] {
            key += 1;
            run(
                &mut state,
                Command::Submit {
                    team: TeamId(team),
                    challenge: challenge.into(),
                    answer: answer.into(),
                    key: IdempotencyKey(key << 100 | key),
                },
            );
        }
        run(
            &mut state,
            Command::Adjust {
                team: TeamId(2),
                delta: 40,
                reason: "bonus".into(),
            },
        );
        run(
            &mut state,
            Command::TakeHint {
                team: TeamId(2),
                challenge: "one".into(),
                hint: "nudge".into(),
            },
        );
        run(
            &mut state,
            Command::SetHidden {
                team: TeamId(0),
                hidden: true,
            },
        );
        let after_freeze = Command::Submit {
            team: TeamId(2),
            challenge: "one".into(),
            answer: "right".into(),
            key: IdempotencyKey(99),
        };
        let decision = state.decide(&after_freeze, late).expect("a valid command");
        state.apply_all(&decision.events).expect("applies");
        assert!(state.is_frozen());
        state
    }

    fn check_equal(decoded: &HuntState, original: &HuntState) {
        assert_eq!(decoded.seq(), original.seq());
        assert_eq!(decoded.standings(), original.standings());
        assert_eq!(decoded.team_count(), original.team_count());
        for (team, state) in original.teams() {
            assert_eq!(decoded.team(team), Some(state));
            assert_eq!(decoded.team_by_name(&state.name), Some(team));
        }
        assert_eq!(decoded.keys, original.keys);
        assert_eq!(decoded.stats, original.stats);
        assert_eq!(decoded.names, original.names);
        assert_eq!(decoded.max_solves, original.max_solves);
        assert_eq!(decoded.is_frozen(), original.is_frozen());
        assert_eq!(decoded.public().standings(), original.public().standings());
        assert_eq!(decoded.public().seq(), original.public().seq());
        for division in original.divisions() {
            assert_eq!(
                decoded.division_page(division, 0, 10),
                original.division_page(division, 0, 10)
            );
        }
        for (team, _) in original.teams() {
            assert_eq!(decoded.timeline(team), original.timeline(team));
            assert_eq!(decoded.public().team(team), original.public().team(team));
        }
    }

    #[test]
    fn a_snapshot_round_trips() {
        let state = sample();
        let bytes = state.encode_snapshot();
        let decoded = HuntState::decode_snapshot(state.hunt().clone(), None, &bytes)
            .expect("a fresh snapshot decodes");
        check_equal(&decoded, &state);
        assert_eq!(
            decoded.encode_snapshot(),
            bytes,
            "encoding is deterministic"
        );
        // With the compiled hunt it carries instead of one given.
        let compiled =
            HuntState::decode_snapshot_compiled(None, &bytes).expect("it carries its hunt");
        check_equal(&compiled, &state);
        assert_eq!(
            compiled.hunt().challenges.len(),
            state.hunt().challenges.len()
        );
        assert_eq!(compiled.encode_snapshot(), bytes);
    }

    #[test]
    fn an_empty_state_round_trips() {
        let state = HuntState::new(hunt(HUNT), None).expect("no sealed answers");
        let decoded =
            HuntState::decode_snapshot(state.hunt().clone(), None, &state.encode_snapshot())
                .expect("decodes");
        check_equal(&decoded, &state);
    }

    #[test]
    fn the_format_is_pinned() {
        // If this fails, the snapshot's bytes changed: bump `FORMAT` (old snapshots must not
        // be read as new ones), then update the digest here.
        let bytes = sample().encode_snapshot();
        let body = &bytes[..bytes.len() - CHECKSUM_LEN];
        let version_free: Vec<u8> = {
            // The core's version (and its one-byte length) is in the payload; keep the pin
            // independent of it.
            let text = CORE_VERSION.as_bytes();
            let at = body
                .windows(text.len())
                .position(|w| w == text)
                .expect("the version is in the payload");
            [&body[..at - 1], &body[at + text.len()..]].concat()
        };
        assert_eq!(
            (FORMAT, hex::encode(Sha256::digest(&version_free))),
            (
                FORMAT,
                "f326e9f9f4a37a6f27ca4d4680a31ed6889ffea2d37508e5209ab822c6f27171".to_owned()
            )
        );
    }

    #[test]
    fn damaged_or_foreign_bytes_are_errors() {
        let state = sample();
        let hunt = state.hunt().clone();
        let bytes = state.encode_snapshot();
        let decode = |bytes: &[u8]| HuntState::decode_snapshot(hunt.clone(), None, bytes).err();
        assert_eq!(decode(b""), Some(SnapshotError::NotASnapshot));
        assert_eq!(decode(&bytes[..20]), Some(SnapshotError::NotASnapshot));
        let mut other = bytes.clone();
        other[0] = b'X';
        assert_eq!(decode(&other), Some(SnapshotError::NotASnapshot));
        let mut other = bytes.clone();
        other[8] = 9;
        assert_eq!(
            decode(&other),
            Some(SnapshotError::Format {
                found: 9,
                expected: FORMAT
            })
        );
        // A torn write and a flipped bit anywhere in the payload or the checksum.
        assert_eq!(
            decode(&bytes[..bytes.len() - 1]),
            Some(SnapshotError::Checksum)
        );
        for at in [12, bytes.len() / 2, bytes.len() - 1] {
            let mut other = bytes.clone();
            other[at] ^= 0x10;
            assert_eq!(decode(&other), Some(SnapshotError::Checksum), "bit at {at}");
        }
        // Garbage with a valid frame decodes as an error, never a panic.
        for len in [0, 1, 7, 100, 5_000] {
            let garbage: Vec<u8> = (0..len).map(|i| (i * 131 % 251) as u8).collect();
            let framed = frame(&garbage);
            assert!(
                matches!(decode(&framed), Some(SnapshotError::Decode(_))),
                "{len} bytes of garbage: {:?}",
                decode(&framed)
            );
        }
    }

    /// `payload` in a valid frame with a valid checksum.
    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        bytes.extend_from_slice(payload);
        let checksum = Sha256::digest(&bytes);
        bytes.extend_from_slice(&checksum);
        bytes
    }

    #[test]
    fn a_snapshot_that_does_not_fit_is_refused() {
        let state = sample();
        let bytes = state.encode_snapshot();
        // Another hunt.
        let other = hunt(&HUNT.replace("id = \"snap\"", "id = \"other\""));
        assert!(matches!(
            HuntState::decode_snapshot(other, None, &bytes),
            Err(SnapshotError::OtherHunt { found }) if found == "snap"
        ));
        // The same hunt id with a challenge fewer: ids would point past the end.
        let fewer = HUNT
            .split("[[challenge]]\n        id = \"two\"")
            .next()
            .unwrap();
        let result = HuntState::decode_snapshot(hunt(fewer), None, &bytes);
        assert!(
            matches!(result, Err(SnapshotError::Inconsistent(_))),
            "{result:?}"
        );
        // Another version of the core.
        let empty = |seq| BoardRef {
            seq,
            last_at: None,
            teams: &[],
            names: NamesRef {
                keys: Vec::new(),
                lookalikes: Vec::new(),
                spilled: &[],
            },
            stats: &state.stats,
            divisions: Vec::new(),
        };
        let payload = PayloadRef {
            core: "0.0.0-other",
            hunt: "snap",
            live: empty(0),
            keys: Vec::new(),
            commands: Vec::new(),
            revealed: false,
            frozen: None,
            definition: &[],
        };
        let foreign = frame(&postcard::to_stdvec(&payload).unwrap());
        assert_eq!(
            HuntState::decode_snapshot(state.hunt().clone(), None, &foreign).err(),
            Some(SnapshotError::CoreVersion {
                found: "0.0.0-other".into()
            })
        );
        // A key naming a team that does not exist.
        let payload = PayloadRef {
            core: CORE_VERSION,
            hunt: "snap",
            live: empty(1),
            keys: vec![(1, state.keys[&Key::from(IdempotencyKey(1 << 100 | 1))])],
            commands: Vec::new(),
            revealed: false,
            frozen: None,
            definition: &[],
        };
        let dangling = frame(&postcard::to_stdvec(&payload).unwrap());
        assert!(matches!(
            HuntState::decode_snapshot(state.hunt().clone(), None, &dangling),
            Err(SnapshotError::Inconsistent(_))
        ));
        // A compiled hunt that does not decode.
        let payload = PayloadRef {
            core: CORE_VERSION,
            hunt: "snap",
            live: empty(0),
            keys: Vec::new(),
            commands: Vec::new(),
            revealed: false,
            frozen: None,
            definition: b"not a hunt",
        };
        let garbled = frame(&postcard::to_stdvec(&payload).unwrap());
        assert!(matches!(
            HuntState::decode_snapshot_compiled(None, &garbled),
            Err(SnapshotError::Decode(_))
        ));
    }
}
