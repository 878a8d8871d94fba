//! The stored encoding of events: the core's own serde form as JSON bytes, the same as
//! hunt-store-sled's, readable in SQL with `convert_from(body, 'UTF8')::jsonb`.

use hunt_core::Event;

/// Encodes an event. Events always serialize: the error cannot happen.
pub(crate) fn encode(event: &Event) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(event)
}

/// Decodes what [`encode`] wrote.
pub(crate) fn decode(bytes: &[u8]) -> Result<Event, serde_json::Error> {
    serde_json::from_slice(bytes)
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
        assert!(decode(b"{\"type\":\"nope\"}").is_err());
    }
}
