//! Load harness for `hunt serve` (not a timed test): starts the service on a fresh sled store
//! over loopback, opens many SSE clients on the public stream and has teams submit a mix of
//! right, wrong and repeated answers, then reports submissions per second, submit latency,
//! the delay from an acknowledged solve to its arrival at SSE clients, and memory per SSE
//! client. With `SERVE_LOAD_PG=postgres://…` it runs two services on a fresh schema of that
//! server instead, submissions going to one and the SSE clients following the other, so the
//! delay is the one across processes. `SERVE_LOAD_BOARD_INTERVAL=MS` sets the services'
//! `--board-interval` (default 250: a stream sends at most four boards a second, and first
//! bloods wait for the next board).
//!
//! Besides the load, a probe team solves a challenge of its own every second (each one a first
//! blood, announced to every stream at once), so the solve-to-SSE delay is sampled all through
//! the run, not only in its first seconds when the load teams take the first bloods; with
//! `TEAMS` 0 the probe runs alone and the delay is the one of an idle service.
//!
//! `SERVE_LOAD_RATE=N` has each team offer N submissions a second on a fixed schedule instead
//! of one right after another, and counts each latency from when its submission was due, so
//! the figures are those of a service at that load rather than at saturation.
//!
//! `cargo run --release -p benches --bin serve_load -- HUNT_BINARY [SSE_CLIENTS] [TEAMS]
//! [SECONDS]` (defaults 5000, 500, 20). Both processes need more open files than the usual
//! soft limit of 1,024: the harness raises its own and the service's to the hard limit (by
//! re-running itself under `sh -c 'ulimit -n …'`, which needs no unsafe code) and says so
//! when that is not enough.

use std::collections::HashMap;
use std::io::Write as _;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Challenges of the generated hunt; team `t` answers challenge `c` with `answer-c`.
const CHALLENGES: usize = 20;

/// One SSE client in this many records arrival times (all of them read everything).
const SAMPLE_EVERY: usize = 25;

/// The probe's challenges (`p0`, `p1`, …, answered `probe-N`), solved only by the probe team.
const PROBES: usize = 1_000;

/// The probe team solves its next challenge this often: a first blood each time, which every
/// stream announces at once, so far more often than a real hunt has them would measure the
/// fan-out of announcements rather than the delay.
const PROBE_EVERY: Duration = Duration::from_millis(1_000);

type Arrivals = Arc<Mutex<Vec<(String, Instant)>>>;

/// What the SSE clients read: bytes, by all of them, and per event name the events the
/// sampled clients saw (how many, their data's bytes in all, the largest).
#[derive(Debug, Default)]
struct Read {
    bytes: std::sync::atomic::AtomicU64,
    events: Mutex<HashMap<String, (u64, u64, u64)>>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(hunt) = args.get(1).cloned() else {
        eprintln!("usage: serve_load HUNT_BINARY [SSE_CLIENTS] [TEAMS] [SECONDS]");
        std::process::exit(2);
    };
    let number =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (sse, teams, seconds) = (number(2, 5000), number(3, 500), number(4, 20));
    let needed = sse + teams + 256;
    let soft = open_files_limit("-n");
    if soft < needed as u64 && std::env::var_os("SERVE_LOAD_RAISED").is_none() {
        let hard = open_files_limit("-Hn");
        eprintln!("raising the open-files limit from {soft} to the hard limit {hard}");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -n \"$(ulimit -Hn)\" && exec \"$0\" \"$@\"")
            .args(&args)
            .env("SERVE_LOAD_RAISED", "1")
            .status()
            .expect("sh runs");
        std::process::exit(status.code().unwrap_or(1));
    }
    if soft < needed as u64 {
        eprintln!(
            "warning: {soft} open files allowed, {needed} needed: expect refused connections"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run(hunt, sse, teams, Duration::from_secs(seconds as u64)));
}

/// `ulimit FLAG` as the shell reports it.
fn open_files_limit(flag: &str) -> u64 {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit {flag}"))
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(u64::MAX)
}

fn iso(offset: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    // RFC 3339 by hand: days from the civil calendar (Howard Hinnant's algorithm).
    let t = now + offset;
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

async fn run(hunt: String, sse: usize, teams: usize, duration: Duration) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("store");
    let mut file = format!(
        "id = \"load\"\ntitle = \"Load\"\nstart = \"{}\"\nend = \"{}\"\n",
        iso(-600),
        iso(7200)
    );
    for c in 0..CHALLENGES {
        file.push_str(&format!(
            "\n[[challenge]]\nid = \"c{c}\"\ntitle = \"Challenge {c}\"\npoints = {}\nanswers = [\"answer-{c}\"]\n",
            100 + c
        ));
    }
    for p in 0..PROBES {
        file.push_str(&format!(
            "\n[[challenge]]\nid = \"p{p}\"\ntitle = \"Probe {p}\"\npoints = 1\nanswers = [\"probe-{p}\"]\n"
        ));
    }
    let path = dir.path().join("load.toml");
    std::fs::write(&path, file).expect("hunt file");
    // On PostgreSQL (SERVE_LOAD_PG names the server), two services share a fresh schema:
    // teams submit to the first and the SSE clients follow the second, so the delay below is
    // the one across processes. On sled, one service does both.
    let pg = std::env::var("SERVE_LOAD_PG").ok();
    let store: Vec<String> = match &pg {
        Some(url) => vec![
            "--store".to_owned(),
            url.clone(),
            "--schema".to_owned(),
            format!("serve_load_{}", std::process::id()),
        ],
        None => vec![
            "--data".to_owned(),
            data.to_str().expect("UTF-8").to_owned(),
        ],
    };
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(&hunt)
            .args(&store)
            .args(args)
            .output()
            .expect("hunt runs");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    cli(&["init", path.to_str().expect("UTF-8")]);
    let admin = cli(&["admin", "token"])
        .split("Admin token: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("a token")
        .to_owned();
    let mut services = Vec::new();
    for _ in 0..if pg.is_some() { 2 } else { 1 } {
        services.push(start_service(&hunt, &store, &admin).await);
    }
    let addr = services[0].1.clone();
    let watched = services.last().expect("a service");
    let (pid, watched_addr) = (watched.0.id().expect("a pid"), watched.1.clone());
    if pg.is_some() {
        println!("2 services on PostgreSQL: submissions to {addr}, SSE clients on {watched_addr}");
    }

    // Teams, registered through the admin API; the last one is the probe.
    let mut tokens = Vec::new();
    for t in 0..=teams {
        let body = format!("{{\"name\":\"Team {t}\"}}");
        let (_, reply) = request(&addr, "POST", "/api/admin/team", &admin, &body).await;
        let token = reply
            .split("\"token\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a token")
            .to_owned();
        tokens.push(token);
    }

    let rss_before = rss_kib(pid);
    let arrivals: Vec<Arrivals> = (0..sse.div_ceil(SAMPLE_EVERY))
        .map(|_| Arrivals::default())
        .collect();
    let mut readers = Vec::new();
    let read = Arc::new(Read::default());
    let mut opened = 0;
    for i in 0..sse {
        let Ok(stream) = TcpStream::connect(&watched_addr).await else {
            continue;
        };
        opened += 1;
        let sample = (i % SAMPLE_EVERY == 0).then(|| arrivals[i / SAMPLE_EVERY].clone());
        readers.push(tokio::spawn(follow(stream, sample, read.clone())));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss_kib(pid);
    let read_before = read.bytes.load(std::sync::atomic::Ordering::Relaxed);
    read.events.lock().expect("unpoisoned").clear();

    // Submitters: each team guesses wrong, right and repeats, as fast as it is answered.
    let acks: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let started = Instant::now();
    let period = offered_rate().map(|rate| Duration::from_secs_f64(1.0 / rate));
    let probe_token = tokens.pop().expect("the probe's token");
    let probe_acks: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let probe = tokio::spawn(probe(
        addr.clone(),
        probe_token,
        format!("Team {teams}"),
        probe_acks.clone(),
        started,
        duration,
    ));
    let mut submitters = Vec::new();
    for (t, token) in tokens.into_iter().enumerate() {
        let (addr, acks, latencies) = (addr.clone(), acks.clone(), latencies.clone());
        submitters.push(tokio::spawn(async move {
            // One kept-alive connection per team, as a browser or API client would hold.
            let mut connection: Option<BufReader<TcpStream>> = None;
            let mut n = 0usize;
            let mut next = 0usize;
            // Spread the teams' schedules over one period, so they do not all send at once.
            let offset = period.map(|p| p.mul_f64(t as f64 / teams as f64));
            while started.elapsed() < duration {
                n += 1;
                // At an offered rate, the latency counts from when the submission was due,
                // so a service that falls behind shows its queue (no coordinated omission).
                let due = match (period, offset) {
                    (Some(period), Some(offset)) => {
                        let due = started + offset + period * (n as u32 - 1);
                        tokio::time::sleep_until(due.into()).await;
                        if started.elapsed() >= duration {
                            break;
                        }
                        Some(due)
                    }
                    _ => None,
                };
                let (challenge, answer, id) = match n % 10 {
                    0..=5 => (next % CHALLENGES, "wrong".to_owned(), format!("w{n}")),
                    6 | 7 => (
                        next % CHALLENGES,
                        format!("answer-{}", next % CHALLENGES),
                        format!("r{next}"),
                    ),
                    _ => (
                        next.saturating_sub(1) % CHALLENGES,
                        "again".to_owned(),
                        format!("w{}", n - 1),
                    ),
                };
                let body = format!(
                    "{{\"challenge\":\"c{challenge}\",\"answer\":\"{answer}\",\"id\":\"{id}\"}}"
                );
                let sent = due.unwrap_or_else(Instant::now);
                let Some((status, reply)) =
                    keep_alive(&mut connection, &addr, "/api/submit", &token, &body).await
                else {
                    connection = None;
                    continue;
                };
                let took = sent.elapsed();
                latencies.lock().expect("unpoisoned").push(took);
                if status == 200
                    && reply.contains("\"verdict\":\"correct\"")
                    && reply.contains("\"duplicate\":false")
                {
                    acks.lock()
                        .expect("unpoisoned")
                        .insert(format!("Team {t}|Challenge {challenge}"), Instant::now());
                    next += 1;
                }
            }
        }));
    }
    for s in submitters {
        let _ = s.await;
    }
    let _ = probe.await;
    let elapsed = started.elapsed();
    let read_during = read.bytes.load(std::sync::atomic::Ordering::Relaxed) - read_before;
    let events_during = read.events.lock().expect("unpoisoned").clone();
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut latencies = latencies.lock().expect("unpoisoned").clone();
    latencies.sort();
    let acks = acks.lock().expect("unpoisoned").clone();
    let mut delays: Vec<Duration> = Vec::new();
    // Which team solved a challenge first is the log's order, not the order the
    // acknowledgements arrived in (concurrent solves share a batch): a client misses a
    // first blood only when it saw no announcement at all for a challenge somebody solved.
    let probe_acks = probe_acks.lock().expect("unpoisoned").clone();
    let mut probe_delays: Vec<Duration> = Vec::new();
    let solved = solved_challenges(&acks);
    let mut missing = 0usize;
    for sample in &arrivals {
        let seen: HashMap<String, Instant> =
            sample.lock().expect("unpoisoned").iter().cloned().collect();
        for (key, at) in &seen {
            if let Some(ack) = acks.get(key) {
                delays.push(at.saturating_duration_since(*ack));
            }
            if let Some(ack) = probe_acks.get(key) {
                probe_delays.push(at.saturating_duration_since(*ack));
            }
        }
        missing += probe_acks.keys().filter(|k| !seen.contains_key(*k)).count();
        let announced: std::collections::HashSet<&str> =
            seen.keys().filter_map(|k| k.split('|').nth(1)).collect();
        missing += solved
            .iter()
            .filter(|c| !announced.contains(c.as_str()))
            .count();
    }
    delays.sort();
    probe_delays.sort();
    let pct = |v: &[Duration], p: f64| {
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "SSE clients: {opened} of {sse} opened; teams: {teams}, {}; {:.1} s",
        offered_rate().map_or_else(
            || "each as fast as it is answered".to_owned(),
            |r| format!("each offering {r} submissions/s")
        ),
        elapsed.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "submissions: {} ({:.0}/s), {} solves; submit latency p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        acks.len(),
        pct(&latencies, 0.5),
        pct(&latencies, 0.99)
    );
    let _ = writeln!(
        out,
        "first blood -> SSE delay, load teams' first bloods, over {} samples: p50 {:.2} ms, p99 {:.2} ms",
        delays.len(),
        pct(&delays, 0.5),
        pct(&delays, 0.99)
    );
    let _ = writeln!(
        out,
        "first blood -> SSE delay, probe's {} solves (one per {} ms), over {} samples: p50 {:.2} ms, p99 {:.2} ms; {missing} not seen (sampled clients)",
        probe_acks.len(),
        PROBE_EVERY.as_millis(),
        probe_delays.len(),
        pct(&probe_delays, 0.5),
        pct(&probe_delays, 0.99)
    );
    let _ = writeln!(
        out,
        "SSE bytes read during the run: {:.1} MB by all clients ({:.1} KB/s per client)",
        read_during as f64 / 1e6,
        read_during as f64 / 1e3 / elapsed.as_secs_f64() / opened.max(1) as f64
    );
    let mut names: Vec<_> = events_during.into_iter().collect();
    names.sort();
    for (name, (count, bytes, largest)) in names {
        let _ = writeln!(
            out,
            "  {name} events (sampled clients): {count}, data {:.0} bytes on average, {largest} at most",
            bytes as f64 / count.max(1) as f64
        );
    }
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        let _ = writeln!(
            out,
            "service RSS: {before} KiB before SSE, {after} KiB with them: {:.1} KiB per client",
            (after as f64 - before as f64) / opened.max(1) as f64
        );
    }
    for r in readers {
        r.abort();
    }
    for (mut service, _) in services {
        let _ = service.kill().await;
    }
}

/// The probe team: solves `p0`, `p1`, … one every [`PROBE_EVERY`] until `duration` has
/// passed since `started`, recording when each solve was acknowledged under the key the
/// streams announce it by (`team|challenge title`).
async fn probe(
    addr: String,
    token: String,
    name: String,
    acks: Arc<Mutex<HashMap<String, Instant>>>,
    started: Instant,
    duration: Duration,
) {
    let mut connection: Option<BufReader<TcpStream>> = None;
    let mut ticks = tokio::time::interval(PROBE_EVERY);
    for p in 0..PROBES {
        ticks.tick().await;
        if started.elapsed() >= duration {
            break;
        }
        let body = format!("{{\"challenge\":\"p{p}\",\"answer\":\"probe-{p}\",\"id\":\"p{p}\"}}");
        let Some((status, reply)) =
            keep_alive(&mut connection, &addr, "/api/submit", &token, &body).await
        else {
            connection = None;
            continue;
        };
        if status == 200 && reply.contains("\"verdict\":\"correct\"") {
            acks.lock()
                .expect("unpoisoned")
                .insert(format!("{name}|Probe {p}"), Instant::now());
        }
    }
}

/// Submissions per second each team offers (`SERVE_LOAD_RATE`); `None` (unset or 0): each
/// team sends its next submission as soon as the last one is answered, which measures the
/// most the service can take, and a latency that is mostly the queue of 500 teams waiting.
fn offered_rate() -> Option<f64> {
    std::env::var("SERVE_LOAD_RATE")
        .ok()
        .and_then(|r| r.parse::<f64>().ok())
        .filter(|r| *r > 0.0)
}

/// The services' `--board-interval` (least milliseconds between two boards on a stream):
/// `SERVE_LOAD_BOARD_INTERVAL`, else the service's default of 250.
fn board_interval() -> String {
    std::env::var("SERVE_LOAD_BOARD_INTERVAL").unwrap_or_else(|_| "250".to_owned())
}

/// Starts `hunt serve` on `store` with the admin token `admin`, its open-files limit raised;
/// returns it and the address it listens on.
async fn start_service(
    hunt: &str,
    store: &[String],
    admin: &str,
) -> (tokio::process::Child, String) {
    let mut server = tokio::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n \"$(ulimit -Hn)\"; exec \"$0\" \"$@\"")
        .arg(hunt)
        .args(store)
        .args(["serve", "--listen", "127.0.0.1:0", "--rate", "0"])
        .args(["--board-interval", &board_interval()])
        .env("HUNT_LOG", "warn")
        .env("HUNT_ADMIN_TOKEN", admin)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("hunt serve starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .await
        .expect("the address");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("an address")
        .to_owned();
    (server, addr)
}

/// The challenges somebody solved, from the acknowledgements' keys (`team|challenge`).
fn solved_challenges(acks: &HashMap<String, Instant>) -> std::collections::HashSet<String> {
    acks.keys()
        .filter_map(|key| key.split('|').nth(1))
        .map(str::to_owned)
        .collect()
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// One HTTP/1.0 request; returns the status and the body.
async fn request(addr: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return (0, String::new());
    };
    let head = format!(
        "{method} {path} HTTP/1.0\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return (0, String::new());
    }
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw).await;
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    (status, body)
}

/// One HTTP/1.1 request on a kept-alive connection (opened when `None`); `None` when the
/// connection failed (the caller opens a new one).
async fn keep_alive(
    connection: &mut Option<BufReader<TcpStream>>,
    addr: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Option<(u16, String)> {
    if connection.is_none() {
        *connection = Some(BufReader::new(TcpStream::connect(addr).await.ok()?));
    }
    let stream = connection.as_mut()?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: load\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.get_mut().write_all(head.as_bytes()).await.ok()?;
    let mut line = String::new();
    stream.read_line(&mut line).await.ok()?;
    let status = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line).await.ok()?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut reply = vec![0u8; length];
    stream.read_exact(&mut reply).await.ok()?;
    Some((status, String::from_utf8_lossy(&reply).into_owned()))
}

/// Reads the public stream, counting its bytes in `read`; a sampled client records when
/// each first blood arrives and the size of each event. The others only drain their
/// socket: parsing 5,000 copies of every board would make this harness, not the service,
/// the slower side of the measurement.
async fn follow(mut stream: TcpStream, sample: Option<Arrivals>, read: Arc<Read>) {
    use std::sync::atomic::Ordering::Relaxed;
    let request = "GET /events HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n";
    if stream.write_all(request.as_bytes()).await.is_err() {
        return;
    }
    let Some(sample) = sample else {
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(got) = stream.read(&mut buffer).await {
            if got == 0 {
                return;
            }
            read.bytes.fetch_add(got as u64, Relaxed);
        }
        return;
    };
    let mut lines = BufReader::new(stream).lines();
    let mut name = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        read.bytes.fetch_add(line.len() as u64 + 1, Relaxed);
        if let Some(data) = line.strip_prefix("data:") {
            let mut events = read.events.lock().expect("unpoisoned");
            let entry = events.entry(name.clone()).or_default();
            entry.0 += 1;
            entry.1 += data.len() as u64;
            entry.2 = entry.2.max(data.len() as u64);
        }
        if let Some(n) = line.strip_prefix("event:") {
            name = n.trim().to_owned();
        } else if let Some(data) = line.strip_prefix("data:")
            && name == "first_blood"
        {
            let field = |key: &str| {
                data.split(&format!("\"{key}\":\""))
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or("")
                    .to_owned()
            };
            let key = format!("{}|{}", field("team_name"), field("challenge"));
            sample
                .lock()
                .expect("unpoisoned")
                .push((key, Instant::now()));
        }
    }
}
