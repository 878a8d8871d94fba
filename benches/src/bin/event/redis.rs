//! The same solves through Redis sorted sets, as a user would build a board on them: the
//! client keeps each team's total and last solve time and writes
//! `ZADD board (total · 2^28 + (2^28 - 1 - ms)) team` per solve, pipelined; the time
//! tie-break is in the score (48 hours are under 2^28 ms, and totals under 2^24, so the
//! score is an exact double). Only static values: a retroactive value in Redis is one
//! `ZINCRBY` per earlier solver, sent by the client.
//!
//! Spoken over plain RESP on one TCP connection (no client crate): a server that does not
//! answer is reported and the comparison skipped.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::Figures;
use benches::workload::Workload;

/// The sorted set the board is kept in; deleted before and after.
const KEY: &str = "hunt-bench-event-board";

/// Commands sent before their replies are read.
const PIPELINE: usize = 10_000;

/// A RESP reply, as much of it as the harness reads.
#[derive(Debug, Clone, PartialEq)]
enum Reply {
    Simple(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
    Error(String),
}

struct Connection {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Connection {
    fn open(address: &str) -> std::io::Result<Self> {
        let addr = address
            .parse()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        })
    }

    fn encode(buffer: &mut Vec<u8>, args: &[&[u8]]) {
        buffer.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for arg in args {
            buffer.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            buffer.extend_from_slice(arg);
            buffer.extend_from_slice(b"\r\n");
        }
    }

    fn call(&mut self, args: &[&[u8]]) -> std::io::Result<Reply> {
        let mut buffer = Vec::new();
        Self::encode(&mut buffer, args);
        self.writer.write_all(&buffer)?;
        self.read()
    }

    fn read(&mut self) -> std::io::Result<Reply> {
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let line = line.trim_end_matches("\r\n");
        let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not a RESP reply");
        let (kind, rest) = line.split_at_checked(1).ok_or_else(bad)?;
        Ok(match kind {
            "+" => Reply::Simple(rest.to_owned()),
            "-" => Reply::Error(rest.to_owned()),
            ":" => Reply::Integer(rest.parse().map_err(|_| bad())?),
            "$" => {
                let len: i64 = rest.parse().map_err(|_| bad())?;
                if len < 0 {
                    Reply::Bulk(None)
                } else {
                    let mut data = vec![0; len as usize + 2];
                    std::io::Read::read_exact(&mut self.reader, &mut data)?;
                    data.truncate(len as usize);
                    Reply::Bulk(Some(data))
                }
            }
            "*" => {
                let len: i64 = rest.parse().map_err(|_| bad())?;
                let mut items = Vec::with_capacity(len.max(0) as usize);
                for _ in 0..len.max(0) {
                    items.push(self.read()?);
                }
                Reply::Array(items)
            }
            _ => return Err(bad()),
        })
    }

    /// `used_memory` from `INFO memory`.
    fn used_memory(&mut self) -> std::io::Result<u64> {
        let Reply::Bulk(Some(info)) = self.call(&[b"INFO", b"memory"])? else {
            return Ok(0);
        };
        Ok(String::from_utf8_lossy(&info)
            .lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0))
    }
}

fn score(total: i64, at: i64) -> f64 {
    const SHIFT: i64 = 1 << 28;
    (total * SHIFT + (SHIFT - 1 - at)) as f64
}

/// Runs the comparison; `None` (after saying why) if Redis does not answer.
pub fn run(w: &Workload, hunt_top: &[(u32, i64)]) -> Option<Figures> {
    let address = std::env::var("REDIS_ADDR").unwrap_or_else(|_| "127.0.0.1:6379".to_owned());
    let mut redis = match Connection::open(&address)
        .and_then(|mut c| c.call(&[b"PING"]).map(|reply| (c, reply)))
    {
        Ok((c, Reply::Simple(pong))) if pong == "PONG" => c,
        Ok((_, reply)) => {
            println!("  Redis on {address} answered {reply:?} to PING: Redis comparison skipped");
            return None;
        }
        Err(error) => {
            println!(
                "  Redis does not answer on {address} ({error}): Redis comparison skipped \
                 (start it with `redis-server --daemonize yes`)"
            );
            return None;
        }
    };
    match run_on(&mut redis, w, hunt_top) {
        Ok(figures) => Some(figures),
        Err(error) => {
            println!("  Redis failed during the run ({error}): Redis comparison skipped");
            None
        }
    }
}

fn run_on(
    redis: &mut Connection,
    w: &Workload,
    hunt_top: &[(u32, i64)],
) -> std::io::Result<Figures> {
    redis.call(&[b"DEL", KEY.as_bytes()])?;
    let memory_before = redis.used_memory()?;
    let members: Vec<String> = (0..w.spec.teams).map(|t| format!("team-{t}")).collect();
    let mut total = vec![0i64; w.spec.teams as usize];
    let mut last = vec![0i64; w.spec.teams as usize];
    let mut buffer = Vec::with_capacity(PIPELINE * 64);
    let started = Instant::now();
    for chunk in w.solves.chunks(PIPELINE) {
        buffer.clear();
        for solve in chunk {
            let t = solve.team as usize;
            total[t] += w.hunt.challenges[solve.challenge as usize]
                .scoring
                .rule
                .initial();
            last[t] = last[t].max(solve.at);
            let value = score(total[t], last[t]).to_string();
            Connection::encode(
                &mut buffer,
                &[
                    b"ZADD",
                    KEY.as_bytes(),
                    value.as_bytes(),
                    members[t].as_bytes(),
                ],
            );
        }
        redis.writer.write_all(&buffer)?;
        for _ in chunk {
            if let Reply::Error(e) = redis.read()? {
                return Err(std::io::Error::other(e));
            }
        }
    }
    let took = started.elapsed();
    let per_solve = took.as_nanos() as f64 / w.solves.len().max(1) as f64;
    let memory = redis.used_memory()?.saturating_sub(memory_before);
    println!(
        "  Redis ZADD, pipelined by {PIPELINE}: whole event {took:.2?}, {:.2} µs per solve; \
         {:.1} MiB",
        per_solve / 1e3,
        memory as f64 / f64::from(1 << 20)
    );
    let top100 = super::median_of(200, |_| {
        let _ = redis.call(&[b"ZREVRANGE", KEY.as_bytes(), b"0", b"99", b"WITHSCORES"]);
    });
    let mut rng = benches::XorShift::new(7);
    let rank = super::median_of(2_000, |_| {
        let team = rng.index(members.len());
        let _ = redis.call(&[b"ZREVRANK", KEY.as_bytes(), members[team].as_bytes()]);
    });
    let board = super::median_of(3, |_| {
        let _ = redis.call(&[b"ZREVRANGE", KEY.as_bytes(), b"0", b"-1", b"WITHSCORES"]);
    });
    // The board Redis keeps must be hunt's: same teams, same scores, same order.
    let top = redis.call(&[b"ZREVRANGE", KEY.as_bytes(), b"0", b"99"])?;
    let teams: Vec<u32> = match top {
        Reply::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Reply::Bulk(Some(name)) => String::from_utf8_lossy(&name)
                    .strip_prefix("team-")
                    .and_then(|n| n.parse().ok()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let hunt_teams: Vec<u32> = hunt_top.iter().map(|(t, _)| *t).collect();
    println!(
        "  Redis reads (medians, one round trip each): top 100 {}, ZREVRANK {}, full board {}; \
         its top 100 {} hunt's",
        super::ns(top100),
        super::ns(rank),
        super::ns(board),
        if teams == hunt_teams { "is" } else { "is NOT" }
    );
    redis.call(&[b"DEL", KEY.as_bytes()])?;
    Ok(Figures {
        per_solve,
        top100,
        rank,
        board,
    })
}
