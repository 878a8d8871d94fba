//! Checkpoints from the engine's side: writing one from the published state, and deciding
//! whether the store's checkpoint can be trusted at open. The store only keeps the bytes
//! ([`Checkpoint`]); what they mean and when to use them is decided here.
//!
//! A checkpoint is never trusted blindly. Before its state is used it is **verified**:
//! - it names the hunt being opened;
//! - the digest of the stored definition equals [`Checkpoint::definition_digest`] (a changed
//!   definition can change what every event means);
//! - the log reaches [`Checkpoint::seq`], and the digest of its events at the
//!   [sample positions](Checkpoint::sample_positions) (`seq`, `seq − 1`, `seq − 2`,
//!   `seq − 4`, … and 1) equals [`Checkpoint::log_digest`], so the checkpoint was written
//!   from this log, not from another one, nor from a log that was since cut short and grew
//!   again differently. Sampling about log₂(seq) events, not one, means that two logs must
//!   agree at every one of those positions to be mistaken for each other (one event alone
//!   can coincide: two logs may both end with the same admin adjustment);
//! - its state decodes, fits the hunt and is at that position (see
//!   [`HuntState::decode_snapshot`]).
//!
//! Anything else and the checkpoint is ignored ([`CheckpointIgnored`] says why, in
//! [`Opened::ignored`](super::Opened::ignored)): the state is replayed from the log.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::answer::Secret;
use crate::event::Recorded;
use crate::hunt::Hunt;
use crate::ids::HuntId;
use crate::state::{HuntState, ReplayError, SnapshotError};
use crate::store::{Checkpoint, Digest, Store, StoreError};

use super::{Engine, EngineError};

/// Why a checkpoint was not used; the state was replayed from the log instead.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointIgnored {
    /// The store failed to load it, or holds bytes that are not a checkpoint.
    #[error("the checkpoint could not be loaded: {0}")]
    Unreadable(#[source] Arc<StoreError>),
    /// It belongs to another hunt.
    #[error("the checkpoint belongs to hunt {0}")]
    OtherHunt(HuntId),
    /// It is at position 0, which no event has.
    #[error("the checkpoint is at position 0")]
    Empty,
    /// The definition changed since it was written.
    #[error("the definition changed since the checkpoint was written")]
    DefinitionChanged,
    /// The log ends before its position.
    #[error("the checkpoint is at position {0}, but the log ends before it")]
    LogTooShort(u64),
    /// The log's events up to its position are not the ones it was written after.
    #[error("the log up to position {0} is not the one the checkpoint was written after")]
    EventMismatch(u64),
    /// Its state does not decode, or does not fit the hunt or its position.
    #[error("the checkpoint's state is unusable: {0}")]
    Undecodable(#[source] SnapshotError),
    /// The log after its position does not apply to its state.
    #[error("the log after the checkpoint does not apply to its state: {0}")]
    CatchUp(#[source] ReplayError),
}

impl Engine {
    /// Saves a checkpoint of the current state to the store and returns its position (or
    /// that of the last checkpoint, if the state has not moved since; 0 for an empty log).
    ///
    /// Encodes the published snapshot, so writers and readers never wait for it; it takes
    /// time (and memory) in proportion to the state, so run it off latency-sensitive threads.
    /// While it holds the snapshot, the next batch clones the state once instead of reusing
    /// its spare copy. Checkpoints are written one at a time, in position order.
    pub async fn checkpoint(&self) -> Result<u64, EngineError> {
        let _one_at_a_time = self.checkpointing.lock().await;
        let last = self.checkpointed.load(Ordering::Acquire);
        let state = self.snapshot();
        let seq = state.seq();
        if seq <= last {
            return Ok(last);
        }
        let sample = read_sample(&*self.store, &self.hunt, seq).await?;
        let checkpoint = capture(&state, self.definition_digest, &sample).ok_or_else(|| {
            StoreError::Corruption {
                what: format!(
                    "the log of hunt `{}` ends before position {seq}, which the engine has \
                     applied",
                    self.hunt
                ),
                source: None,
            }
        })?;
        drop(state);
        self.store.save_checkpoint(&self.hunt, &checkpoint).await?;
        self.checkpointed.store(seq, Ordering::Release);
        Ok(seq)
    }

    /// Whether at least `every` events (at least 1) were applied since the last checkpoint
    /// saved or opened from: a cheap test for a service that checkpoints every N events.
    pub fn checkpoint_due(&self, every: u64) -> bool {
        let last = self.checkpointed.load(Ordering::Acquire);
        self.published.load().seq() >= last.saturating_add(every.max(1))
    }

    /// The position of the last checkpoint this engine saved or opened from (0 if none).
    pub fn last_checkpoint(&self) -> u64 {
        self.checkpointed.load(Ordering::Acquire)
    }
}

/// The checkpoint of `state`, derived with the definition whose
/// [`Checkpoint::digest_definition`] is `definition_digest` from a log whose events at the
/// [`Checkpoint::sample_positions`] of `state.seq()` are `sample`. Encodes the whole state:
/// takes time in proportion to it. `None` if `sample` is not at those positions, or the state
/// has no events.
fn capture(
    state: &HuntState,
    definition_digest: Digest,
    sample: &[Recorded],
) -> Option<Checkpoint> {
    let seq = state.seq();
    if seq == 0 || !Checkpoint::is_sample_of(seq, sample) {
        return None;
    }
    Some(Checkpoint {
        hunt: state.hunt().id.clone(),
        seq,
        log_digest: Checkpoint::digest_events(sample),
        definition_digest,
        state: state.encode_snapshot(),
    })
}

/// Checks that `checkpoint` belongs to `hunt`, was derived with the definition whose digest
/// is `definition`, and was written from a log whose events at the
/// [`Checkpoint::sample_positions`] of its position are `sample`: what the log holds at those
/// positions (fewer events if it ends before).
fn verify(
    checkpoint: &Checkpoint,
    hunt: &HuntId,
    definition: Digest,
    sample: &[Recorded],
) -> Result<(), CheckpointIgnored> {
    if checkpoint.hunt != *hunt {
        return Err(CheckpointIgnored::OtherHunt(checkpoint.hunt.clone()));
    }
    if checkpoint.seq == 0 {
        return Err(CheckpointIgnored::Empty);
    }
    if checkpoint.definition_digest != definition {
        return Err(CheckpointIgnored::DefinitionChanged);
    }
    if !Checkpoint::is_sample_of(checkpoint.seq, sample) {
        return Err(CheckpointIgnored::LogTooShort(checkpoint.seq));
    }
    if Checkpoint::digest_events(sample) != checkpoint.log_digest {
        return Err(CheckpointIgnored::EventMismatch(checkpoint.seq));
    }
    Ok(())
}

/// Decodes the state of `checkpoint`, for `hunt` compiled from the verified definition or,
/// without it, for the compiled hunt the checkpoint carries, and checks that it is at the
/// checkpoint's position.
fn restore(
    checkpoint: &Checkpoint,
    hunt: Option<&Arc<Hunt>>,
    secret: Option<Secret>,
) -> Result<HuntState, SnapshotError> {
    let state = match hunt {
        Some(hunt) => HuntState::decode_snapshot(hunt.clone(), secret, &checkpoint.state)?,
        None => HuntState::decode_snapshot_compiled(secret, &checkpoint.state)?,
    };
    if state.seq() != checkpoint.seq {
        return Err(SnapshotError::Inconsistent(format!(
            "the state is at position {}, the checkpoint at {}",
            state.seq(),
            checkpoint.seq
        )));
    }
    Ok(state)
}

/// The state in the checkpoint of the hunt `id`, if the store has one and it verifies
/// against the definition whose digest is `definition`. Its hunt is `hunt` when given, else
/// the compiled hunt the checkpoint carries (compiled from that same definition).
pub(super) async fn restore_checkpoint(
    store: &dyn Store,
    id: &HuntId,
    hunt: Option<&Arc<Hunt>>,
    definition: Digest,
    secret: Option<Secret>,
) -> Result<Option<HuntState>, CheckpointIgnored> {
    let unreadable = |e| CheckpointIgnored::Unreadable(Arc::new(e));
    let Some(checkpoint) = store.load_checkpoint(id).await.map_err(unreadable)? else {
        return Ok(None);
    };
    let sample = read_sample(store, id, checkpoint.seq)
        .await
        .map_err(unreadable)?;
    verify(&checkpoint, id, definition, &sample)?;
    restore(&checkpoint, hunt, secret)
        .map(Some)
        .map_err(CheckpointIgnored::Undecodable)
}

/// The events of `hunt` at the [`Checkpoint::sample_positions`] of `seq` that the log holds.
async fn read_sample(
    store: &dyn Store,
    hunt: &HuntId,
    seq: u64,
) -> Result<Vec<Recorded>, StoreError> {
    store
        .read_positions(hunt, &Checkpoint::sample_positions(seq))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::ids::TeamId;
    use crate::time::Timestamp;

    fn event(seq: u64, hidden: bool) -> Recorded {
        Recorded {
            seq,
            event: Event::TeamHidden {
                team: TeamId(1),
                hidden,
                key: None,
                at: Timestamp::from_millis(5),
            },
        }
    }

    #[test]
    fn verification_checks_hunt_definition_and_events() {
        let log: Vec<Recorded> = (1..=50).map(|seq| event(seq, seq % 3 == 0)).collect();
        let sample_at = |log: &[Recorded], seq: u64| -> Vec<Recorded> {
            Checkpoint::sample_positions(seq)
                .iter()
                .filter_map(|p| log.get(*p as usize - 1).cloned())
                .collect()
        };
        let tied = sample_at(&log, 42);
        let checkpoint = Checkpoint {
            log_digest: Checkpoint::digest_events(&tied),
            definition_digest: Checkpoint::digest_definition("source"),
            hunt: HuntId::new("finals").unwrap(),
            seq: 42,
            state: Vec::new(),
        };
        let finals = HuntId::new("finals").unwrap();
        let source = Checkpoint::digest_definition("source");
        assert!(verify(&checkpoint, &finals, source, &tied).is_ok());
        let other = HuntId::new("other").unwrap();
        assert!(matches!(
            verify(&checkpoint, &other, source, &tied),
            Err(CheckpointIgnored::OtherHunt(_))
        ));
        assert!(matches!(
            verify(
                &checkpoint,
                &finals,
                Checkpoint::digest_definition("source "),
                &tied
            ),
            Err(CheckpointIgnored::DefinitionChanged)
        ));
        assert!(matches!(
            verify(&checkpoint, &finals, source, &sample_at(&log[..41], 42)),
            Err(CheckpointIgnored::LogTooShort(42))
        ));
        assert!(matches!(
            verify(&checkpoint, &finals, source, &sample_at(&log, 41)),
            Err(CheckpointIgnored::LogTooShort(42))
        ));
        // A log that differs at one sampled position only.
        let mut changed = log.clone();
        changed[25] = event(26, true);
        assert!(matches!(
            verify(&checkpoint, &finals, source, &sample_at(&changed, 42)),
            Err(CheckpointIgnored::EventMismatch(42))
        ));
    }
}
