//! `/metrics`: counters in the Prometheus text format, kept in atomics so that recording
//! costs a few nanoseconds and never takes a lock.
//!
//! Each hunt served has its own counters, and every series is labelled with its hunt (ids
//! are slugs, so they need no escaping in a label). Verdicts are counted by kind only:
//! answers never reach a metric.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hunt_core::Verdict;

/// Upper bounds, in seconds, of the submission latency histogram's buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The verdict kinds counted, in the order of [`kind`].
const KINDS: [&str; 11] = [
    "correct",
    "incorrect",
    "partial",
    "already_solved",
    "locked",
    "not_open",
    "attempts_exhausted",
    "throttled",
    "duplicate",
    "key_conflict",
    "other",
];

/// One hunt's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    verdicts: [AtomicU64; KINDS.len()],
    /// Per bucket of [`BUCKETS`], then one for larger latencies.
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_micros: AtomicU64,
    sse_clients: AtomicU64,
    position: AtomicU64,
}

/// Keeps a stream counted in the SSE client gauge while it lives.
#[derive(Debug)]
pub struct ClientGuard(std::sync::Arc<Metrics>);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.sse_clients.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// Counts a submission's verdict and how long it took to get it.
    pub fn submitted(&self, verdict: &Verdict, took: Duration) {
        self.verdicts[kind(verdict)].fetch_add(1, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.latency[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.latency_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts one more live stream until the guard is dropped.
    pub fn client(self: &std::sync::Arc<Self>) -> ClientGuard {
        self.sse_clients.fetch_add(1, Ordering::Relaxed);
        ClientGuard(self.clone())
    }

    /// Records the log position the live views have reached.
    pub fn set_position(&self, seq: u64) {
        self.position.store(seq, Ordering::Relaxed);
    }
}

/// The metrics of every hunt served, `(id, metrics)`, in the Prometheus text exposition
/// format: each series labelled with its hunt.
pub fn text(hunts: &[(&str, &Metrics)]) -> String {
    let mut out = String::new();
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    out.push_str("# HELP hunt_submissions_total Submissions judged, by hunt and verdict.\n");
    out.push_str("# TYPE hunt_submissions_total counter\n");
    for (hunt, metrics) in hunts {
        for (name, count) in KINDS.iter().zip(&metrics.verdicts) {
            let _ = writeln!(
                out,
                "hunt_submissions_total{{hunt=\"{hunt}\",verdict=\"{name}\"}} {}",
                load(count)
            );
        }
    }
    out.push_str("# HELP hunt_submit_seconds Time to a durable verdict, by hunt.\n");
    out.push_str("# TYPE hunt_submit_seconds histogram\n");
    for (hunt, metrics) in hunts {
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&metrics.latency) {
            cumulative += load(count);
            let _ = writeln!(
                out,
                "hunt_submit_seconds_bucket{{hunt=\"{hunt}\",le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += load(&metrics.latency[BUCKETS.len()]);
        let _ = writeln!(
            out,
            "hunt_submit_seconds_bucket{{hunt=\"{hunt}\",le=\"+Inf\"}} {cumulative}"
        );
        let sum = load(&metrics.latency_micros) as f64 / 1e6;
        let _ = writeln!(out, "hunt_submit_seconds_sum{{hunt=\"{hunt}\"}} {sum}");
        let _ = writeln!(
            out,
            "hunt_submit_seconds_count{{hunt=\"{hunt}\"}} {cumulative}"
        );
    }
    out.push_str("# HELP hunt_sse_clients Open server-sent event streams, by hunt.\n");
    out.push_str("# TYPE hunt_sse_clients gauge\n");
    for (hunt, metrics) in hunts {
        let clients = load(&metrics.sse_clients);
        let _ = writeln!(out, "hunt_sse_clients{{hunt=\"{hunt}\"}} {clients}");
    }
    out.push_str("# HELP hunt_log_position The log position live views have reached, by hunt.\n");
    out.push_str("# TYPE hunt_log_position gauge\n");
    for (hunt, metrics) in hunts {
        let position = load(&metrics.position);
        let _ = writeln!(out, "hunt_log_position{{hunt=\"{hunt}\"}} {position}");
    }
    out
}

/// The index of a verdict's kind in [`KINDS`].
fn kind(verdict: &Verdict) -> usize {
    match verdict {
        Verdict::Correct { .. } => 0,
        Verdict::Incorrect { .. } => 1,
        Verdict::Partial { .. } => 2,
        Verdict::AlreadySolved => 3,
        Verdict::Locked => 4,
        Verdict::NotOpen(_) => 5,
        Verdict::AttemptsExhausted => 6,
        Verdict::Throttled { .. } => 7,
        Verdict::Duplicate { .. } => 8,
        Verdict::KeyConflict => 9,
        _ => 10,
    }
}
