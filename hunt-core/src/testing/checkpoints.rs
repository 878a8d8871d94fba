//! The conformance cases of checkpoints: saved, replaced only by one at the same or a later
//! position, loaded exactly, kept per hunt.

use super::StoreBuilder;
use super::check::{
    append_ok, check_definition, check_hunts, check_whole_log, error_chain, hunt, read_all, save_ok,
};
use super::sample::sample_events;
use crate::ids::HuntId;
use crate::store::{Checkpoint, Store};

/// One mebibyte.
const MIB: usize = 1 << 20;

/// A checkpoint is absent at first, loads back exactly as saved (with an empty state, and with
/// a 3 MiB one), and a save replaces the previous one at the same or a later position, never
/// at an earlier one (that save returns `false` and writes nothing).
pub async fn checkpoints_save_replace_load<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let finals = hunt("finals");
    check_checkpoint(&*store, &finals, None).await;
    let events = sample_events(1_100, 5);
    append_ok(&*store, &finals, 0, &events).await;
    save_ok(&*store, &finals, "title = \"finals\"\n").await;
    check_checkpoint(&*store, &finals, None).await;

    let first = checkpoint(&finals, 2, 1, 0);
    save_checkpoint_ok(&*store, &finals, &first).await;
    check_checkpoint(&*store, &finals, Some(&first)).await;
    let large = checkpoint(&finals, 3, 2, 3 * MIB);
    save_checkpoint_ok(&*store, &finals, &large).await;
    check_checkpoint(&*store, &finals, Some(&large)).await;
    // Same position, other contents: replaced.
    let same = checkpoint(&finals, 3, 4, 100);
    save_checkpoint_ok(&*store, &finals, &same).await;
    check_checkpoint(&*store, &finals, Some(&same)).await;
    let earlier = checkpoint(&finals, 2, 5, 100);
    save_checkpoint_refused(&*store, &finals, &earlier).await;
    check_checkpoint(&*store, &finals, Some(&same)).await;
    let small = checkpoint(&finals, 4, 3, 100);
    save_checkpoint_ok(&*store, &finals, &small).await;
    check_checkpoint(&*store, &finals, Some(&small)).await;
    // Saving the same one again is harmless.
    save_checkpoint_ok(&*store, &finals, &small).await;
    check_checkpoint(&*store, &finals, Some(&small)).await;
    check_whole_log(&*store, &finals, &events).await;
    check_definition(&*store, &finals, Some("title = \"finals\"\n")).await;
}

/// Each hunt has its own checkpoint; saving one neither lists its hunt in `hunts()` nor
/// touches any log or definition.
pub async fn checkpoints_are_kept_per_hunt<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let ids = ["finals", "qualifiers", "finals-2", "f"].map(hunt);
    let events = sample_events(1_200, 3);
    append_ok(&*store, &ids[0], 0, &events).await;
    save_ok(&*store, &ids[1], "title = \"qualifiers\"\n").await;
    let saved: Vec<Checkpoint> = ids
        .iter()
        .zip(1..)
        .map(|(id, n)| checkpoint(id, n, n as u8, 1_000 * n as usize))
        .collect();
    for (id, checkpoint) in ids.iter().zip(&saved).take(3) {
        save_checkpoint_ok(&*store, id, checkpoint).await;
    }
    for (id, checkpoint) in ids.iter().zip(&saved).take(3) {
        check_checkpoint(&*store, id, Some(checkpoint)).await;
    }
    check_checkpoint(&*store, &ids[3], None).await;
    let replaced = checkpoint(&ids[1], 9, 9, 10);
    save_checkpoint_ok(&*store, &ids[1], &replaced).await;
    check_checkpoint(&*store, &ids[1], Some(&replaced)).await;
    check_checkpoint(&*store, &ids[0], Some(&saved[0])).await;
    check_checkpoint(&*store, &ids[2], Some(&saved[2])).await;
    check_hunts(&*store, vec![ids[1].clone()]).await;
    check_whole_log(&*store, &ids[0], &events).await;
    for id in &ids[1..] {
        assert!(
            read_all(&*store, id).await.is_empty(),
            "saving a checkpoint of hunt `{id}` wrote to its log"
        );
    }
    check_definition(&*store, &ids[0], None).await;
    check_definition(&*store, &ids[2], None).await;
}

/// A checkpoint of `hunt` at `seq` whose digests are filled with `tag` and whose state is
/// `len` bytes of a pattern (stores keep it opaque).
pub(crate) fn checkpoint(hunt: &HuntId, seq: u64, tag: u8, len: usize) -> Checkpoint {
    Checkpoint {
        hunt: hunt.clone(),
        seq,
        log_digest: [tag; 32],
        definition_digest: [tag.wrapping_add(100); 32],
        state: (0..len).map(|i| (i * 7 + usize::from(tag)) as u8).collect(),
    }
}

/// Saves a checkpoint at an earlier position than the stored one, expecting `Ok(false)`.
pub(crate) async fn save_checkpoint_refused(
    store: &dyn Store,
    hunt: &HuntId,
    checkpoint: &Checkpoint,
) {
    match store.save_checkpoint(hunt, checkpoint).await {
        Ok(false) => {}
        Ok(true) => panic!(
            "saving a checkpoint of hunt `{hunt}` at {}, earlier than the stored one, replaced \
             it; a checkpoint must never be replaced by one at an earlier position",
            checkpoint.seq
        ),
        Err(e) => panic!(
            "saving a checkpoint of hunt `{hunt}` at {}, earlier than the stored one, failed \
             with `{}`; it must return Ok(false)",
            checkpoint.seq,
            error_chain(&e)
        ),
    }
}

/// Saves a checkpoint, expecting success.
pub(crate) async fn save_checkpoint_ok(store: &dyn Store, hunt: &HuntId, checkpoint: &Checkpoint) {
    let saved = store.save_checkpoint(hunt, checkpoint).await;
    if let Ok(false) = saved {
        panic!(
            "saving a checkpoint of hunt `{hunt}` at {} returned false (refused), though no \
             later one was stored",
            checkpoint.seq
        );
    }
    if let Err(e) = saved {
        panic!(
            "saving a checkpoint of hunt `{hunt}` at {} ({} bytes of state) failed: {}",
            checkpoint.seq,
            checkpoint.state.len(),
            error_chain(&e)
        );
    }
}

/// Loads the checkpoint of `hunt`, expecting exactly `expected`.
pub(crate) async fn check_checkpoint(
    store: &dyn Store,
    hunt: &HuntId,
    expected: Option<&Checkpoint>,
) {
    let loaded = store.load_checkpoint(hunt).await.unwrap_or_else(|e| {
        panic!(
            "loading the checkpoint of hunt `{hunt}` failed: {}",
            error_chain(&e)
        )
    });
    let summary = |c: Option<&Checkpoint>| {
        c.map(|c| (c.hunt.to_string(), c.seq, c.log_digest[0], c.state.len()))
    };
    assert_eq!(
        summary(loaded.as_ref()),
        summary(expected),
        "the checkpoint of hunt `{hunt}` (hunt, position, digest tag, state length)"
    );
    assert!(
        loaded.as_ref() == expected,
        "the checkpoint of hunt `{hunt}` did not load back exactly as saved"
    );
}
