//! How soon a reader on another store handle (a pool and a listener of its own, as in
//! another process) sees an append: measured from just before the append is sent to the
//! reader's wake-up, over 1,000 appends, and printed (`--nocapture`). The test holds that
//! every append wakes the reader; the 50 ms median target is read from the printed figures,
//! not asserted, since these machines are shared and noisy.

use std::time::{Duration, Instant};

use hunt_core::HuntId;
use hunt_core::store::{Store, Wait};
use hunt_core::testing::sample_event;

use crate::support::Schema;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_elsewhere_is_woken_by_every_append() {
    let schema = Schema::fresh().await;
    let writer = schema.open().await;
    let reader = std::sync::Arc::new(schema.open().await);
    let hunt = HuntId::new("latency").expect("a valid id");
    let mut latencies = Vec::with_capacity(1_000);
    for position in 0..1_000_u64 {
        let waiting = tokio::spawn({
            let (reader, hunt) = (reader.clone(), hunt.clone());
            async move {
                let moved = reader.wait_past(&hunt, position).await;
                (Instant::now(), moved)
            }
        });
        // Let the waiter start waiting, so that the wake-up, not a first read, is measured.
        tokio::task::yield_now().await;
        let sent = Instant::now();
        writer
            .append(&hunt, position, &[sample_event(position)])
            .await
            .expect("an append");
        let (seen, moved) = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("the reader wakes")
            .expect("the reader does not panic");
        assert_eq!(moved.expect("the wait succeeds"), Wait::Moved(position + 1));
        latencies.push(seen.saturating_duration_since(sent));
    }
    latencies.sort();
    let p50 = latencies[latencies.len() / 2];
    let p99 = latencies[latencies.len() * 99 / 100];
    eprintln!("append to wake-up on another handle: p50 {p50:?}, p99 {p99:?} over 1,000");
}
