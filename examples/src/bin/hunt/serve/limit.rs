//! The HTTP-level rate limit, in front of the engine's own throttles: each client (its
//! token, or its IP address without one) may send so many writes (submissions, hints,
//! forms) per second, with bursts of twice that. Past it: 429 with `Retry-After` and a JSON
//! error, before the engine is asked anything. Reads are not limited: they cost a snapshot.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// Clients remembered before idle ones are forgotten.
const MAX_CLIENTS: usize = 100_000;

/// Token buckets per client.
#[derive(Debug)]
pub struct Limiter {
    /// Writes per second per client (0: no limit).
    rate: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limiter {
    /// A limit of `rate` writes per second per client, bursts of `2 × rate`; 0 for none.
    pub fn new(rate: u32) -> Self {
        Self {
            rate: f64::from(rate),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one write for `client` at `now`: `Ok`, or the seconds until one is allowed.
    fn take(&self, client: &str, now: Instant) -> Result<(), u64> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let burst = self.rate * 2.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(client) {
            // Forget clients whose buckets are full again: they lose nothing by it.
            let rate = self.rate;
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let bucket = buckets.entry(client.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refill = now.duration_since(bucket.at).as_secs_f64() * self.rate;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

/// Who a request counts against: its bearer header or cookie (as sent), else its address.
fn client(request: &Request) -> String {
    let headers = request.headers();
    let shown = headers
        .get(header::AUTHORIZATION)
        .or_else(|| headers.get(header::COOKIE))
        .and_then(|v| v.to_str().ok());
    match shown {
        Some(shown) => format!("t:{shown}"),
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| format!("ip:{}", c.0.ip())),
    }
}

/// The middleware: limits POSTs, to whichever hunt, passes everything else through.
pub async fn limit(State(limiter): State<Arc<Limiter>>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    match limiter.take(&client(&request), Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests: retry in {wait} s"),
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_then_refills_per_client() {
        let limiter = Limiter::new(2);
        let t = Instant::now();
        for _ in 0..4 {
            assert_eq!(limiter.take("a", t), Ok(()));
        }
        assert_eq!(limiter.take("a", t), Err(1));
        assert_eq!(
            limiter.take("b", t),
            Ok(()),
            "another client has its own bucket"
        );
        assert_eq!(limiter.take("a", t + Duration::from_millis(500)), Ok(()));
        assert_eq!(Limiter::new(0).take("a", t), Ok(()), "0: no limit");
    }
}
