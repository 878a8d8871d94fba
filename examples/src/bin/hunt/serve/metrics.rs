//! `/metrics`: counters in the Prometheus text format, kept in atomics so that recording
//! costs a few nanoseconds and never takes a lock.
//!
//! Verdicts are counted by kind only: answers never reach a metric.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use hunt_core::Verdict;

use super::app::App;

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

/// The service's counters.
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

    /// The metrics in the Prometheus text exposition format.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str("# HELP hunt_submissions_total Submissions judged, by verdict.\n");
        out.push_str("# TYPE hunt_submissions_total counter\n");
        for (name, count) in KINDS.iter().zip(&self.verdicts) {
            let _ = writeln!(
                out,
                "hunt_submissions_total{{verdict=\"{name}\"}} {}",
                load(count)
            );
        }
        out.push_str("# HELP hunt_submit_seconds Time to a durable verdict.\n");
        out.push_str("# TYPE hunt_submit_seconds histogram\n");
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.latency) {
            cumulative += load(count);
            let _ = writeln!(
                out,
                "hunt_submit_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += load(&self.latency[BUCKETS.len()]);
        let _ = writeln!(
            out,
            "hunt_submit_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
        );
        let sum = load(&self.latency_micros) as f64 / 1e6;
        let _ = writeln!(out, "hunt_submit_seconds_sum {sum}");
        let _ = writeln!(out, "hunt_submit_seconds_count {cumulative}");
        out.push_str("# HELP hunt_sse_clients Open server-sent event streams.\n");
        out.push_str("# TYPE hunt_sse_clients gauge\n");
        let _ = writeln!(out, "hunt_sse_clients {}", load(&self.sse_clients));
        out.push_str("# HELP hunt_log_position The log position live views have reached.\n");
        out.push_str("# TYPE hunt_log_position gauge\n");
        let _ = writeln!(out, "hunt_log_position {}", load(&self.position));
        out
    }
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

/// `GET /metrics`.
pub async fn render(State(app): State<App>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.text(),
    )
}
