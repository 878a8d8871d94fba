//! The on-disk encoding of events: the core's own serde form as JSON, readable with any JSON
//! tool.
//!
//! The shape is `hunt_core::Event`'s: a `type` tag, snake_case fields, idempotency keys as 32
//! hex digits. A change to that shape would change the meaning of bytes already on disk, so
//! `hunt-core` pins it (next to `Event`), and the layout version in `lib.rs` moves with it.

use hunt_core::Event;

/// Why an event could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct CodecError(#[from] serde_json::Error);

pub(crate) fn encode(event: &Event) -> Result<Vec<u8>, CodecError> {
    Ok(serde_json::to_vec(event)?)
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Event, CodecError> {
    Ok(serde_json::from_slice(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_event_round_trips() {
        for i in 0..600 {
            let event = hunt_core::testing::sample_event(i);
            let bytes = encode(&event).expect("every sample event encodes");
            assert_eq!(decode(&bytes).expect("what was encoded decodes"), event);
        }
    }
}
