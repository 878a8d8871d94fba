//! Checkpoints: a snapshot of a hunt's derived state, tied to the log position and the
//! definition it was derived from, so that reopening a long log need not replay all of it.
//!
//! The store keeps a checkpoint as bytes ([`Checkpoint::to_bytes`], or its fields as
//! columns) and nothing more: the engine writes it from the published state, and verifies it
//! against the log and the definition before it trusts it at open (see
//! [`engine::CheckpointIgnored`](crate::engine::CheckpointIgnored) for what it checks).

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::event::Recorded;
use crate::ids::HuntId;
use crate::state::SnapshotError;

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// The first bytes of a checkpoint in [`Checkpoint::to_bytes`] form.
const MAGIC: &[u8; 8] = b"HUNTCKPT";

/// The version of the [`Checkpoint::to_bytes`] frame.
const FRAME: u32 = 1;

/// A snapshot of one hunt's derived state at a position of its log, with what it takes to
/// verify it against the log and the definition before use (the `store::checkpoint` module docs say how).
///
/// Stores keep one per hunt, opaquely: [`Checkpoint::to_bytes`] is a compact frame for stores
/// that keep bytes, and the fields are public for stores that keep columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The hunt.
    pub hunt: HuntId,
    /// The position of the last event folded into the state (at least 1).
    pub seq: u64,
    /// [`Checkpoint::digest_events`] of the log's events at the
    /// [`sample_positions`](Checkpoint::sample_positions) of `seq`.
    pub log_digest: Digest,
    /// [`Checkpoint::digest_definition`] of the definition source the state was derived with.
    pub definition_digest: Digest,
    /// The state, as [`HuntState::encode_snapshot`](crate::HuntState::encode_snapshot) wrote it.
    pub state: Vec<u8>,
}

/// The fixed part of the [`Checkpoint::to_bytes`] frame.
#[derive(Serialize, Deserialize)]
struct Header<'a> {
    hunt: &'a str,
    seq: u64,
    log_digest: Digest,
    definition_digest: Digest,
}

impl Checkpoint {
    /// The positions whose events a checkpoint at `seq` is tied to, in increasing order:
    /// `seq`, `seq − 1`, `seq − 2`, `seq − 4`, … while positive, and 1. Empty for 0.
    pub fn sample_positions(seq: u64) -> Vec<u64> {
        let mut positions = Vec::new();
        if seq == 0 {
            return positions;
        }
        positions.push(seq);
        let mut back = 1_u64;
        while back < seq {
            positions.push(seq - back);
            back = back.saturating_mul(2);
        }
        if positions.last() != Some(&1) {
            positions.push(1);
        }
        positions.reverse();
        positions
    }

    /// Whether `sample` holds exactly the events at the sample positions of `seq`.
    pub(crate) fn is_sample_of(seq: u64, sample: &[Recorded]) -> bool {
        let positions = Self::sample_positions(seq);
        positions.len() == sample.len() && positions.iter().zip(sample).all(|(p, r)| *p == r.seq)
    }

    /// SHA-256 of the core's canonical serde JSON of each of `events` (position and event),
    /// one after the other.
    pub fn digest_events(events: &[Recorded]) -> Digest {
        let mut hasher = Sha256::new();
        for recorded in events {
            let json = serde_json::to_vec(recorded).expect("events serialize to JSON");
            hasher.update(&json);
        }
        hasher.finalize().into()
    }

    /// SHA-256 of a definition's source, byte for byte.
    pub fn digest_definition(source: &str) -> Digest {
        super::definition_digest(source)
    }

    /// The checkpoint as one byte string: a magic number, a frame version, the fields, and
    /// the state's bytes as they are (they carry their own checksum).
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            hunt: self.hunt.as_str(),
            seq: self.seq,
            log_digest: self.log_digest,
            definition_digest: self.definition_digest,
        };
        let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + 128 + self.state.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FRAME.to_le_bytes());
        let mut bytes =
            postcard::to_extend(&header, bytes).expect("postcard serializes the header");
        bytes.extend_from_slice(&self.state);
        bytes
    }

    /// Reads what [`Checkpoint::to_bytes`] wrote. The state's bytes are not decoded here.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SnapshotError> {
        let fixed = MAGIC.len() + 4;
        if bytes.len() < fixed || !bytes.starts_with(MAGIC) {
            return Err(SnapshotError::NotASnapshot);
        }
        let mut frame = [0; 4];
        frame.copy_from_slice(&bytes[MAGIC.len()..fixed]);
        let frame = u32::from_le_bytes(frame);
        if frame != FRAME {
            return Err(SnapshotError::Format {
                found: frame,
                expected: FRAME,
            });
        }
        let (header, state) = postcard::take_from_bytes::<Header<'_>>(&bytes[fixed..])
            .map_err(|e| SnapshotError::Decode(e.to_string()))?;
        let hunt = HuntId::new(header.hunt)
            .map_err(|e| SnapshotError::Decode(format!("the checkpoint's hunt: {e}")))?;
        Ok(Self {
            hunt,
            seq: header.seq,
            log_digest: header.log_digest,
            definition_digest: header.definition_digest,
            state: state.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            hunt: HuntId::new("finals").unwrap(),
            seq: 42,
            log_digest: [7; 32],
            definition_digest: [9; 32],
            state: (0..1000).map(|i| (i % 256) as u8).collect(),
        }
    }

    #[test]
    fn the_frame_round_trips() {
        let checkpoint = sample();
        let bytes = checkpoint.to_bytes();
        assert_eq!(Checkpoint::from_bytes(&bytes), Ok(checkpoint));
        let empty = Checkpoint {
            state: Vec::new(),
            ..sample()
        };
        assert_eq!(Checkpoint::from_bytes(&empty.to_bytes()), Ok(empty));
    }

    #[test]
    fn garbage_is_an_error() {
        let bytes = sample().to_bytes();
        assert_eq!(
            Checkpoint::from_bytes(b"nope"),
            Err(SnapshotError::NotASnapshot)
        );
        assert!(matches!(
            Checkpoint::from_bytes(&bytes[..20]),
            Err(SnapshotError::Decode(_))
        ));
        let mut other = bytes.clone();
        other[8] = 2;
        assert!(matches!(
            Checkpoint::from_bytes(&other),
            Err(SnapshotError::Format { found: 2, .. })
        ));
        let mut bad_hunt = bytes;
        bad_hunt[13] = b'!';
        assert!(matches!(
            Checkpoint::from_bytes(&bad_hunt),
            Err(SnapshotError::Decode(_))
        ));
    }

    #[test]
    fn sample_positions_halve_back_to_the_start() {
        assert_eq!(Checkpoint::sample_positions(0), Vec::<u64>::new());
        assert_eq!(Checkpoint::sample_positions(1), [1]);
        assert_eq!(Checkpoint::sample_positions(2), [1, 2]);
        assert_eq!(Checkpoint::sample_positions(3), [1, 2, 3]);
        assert_eq!(Checkpoint::sample_positions(10), [1, 2, 6, 8, 9, 10]);
        assert_eq!(Checkpoint::sample_positions(1_000_000).len(), 22);
        let far = Checkpoint::sample_positions(u64::MAX);
        assert_eq!((far[0], far[far.len() - 1], far.len()), (1, u64::MAX, 66));
    }
}
