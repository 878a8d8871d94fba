//! A loopback TCP proxy between the store and PostgreSQL that cuts connections where a
//! commit's answer is in flight: right after it forwards the message that commits an
//! append (the server then commits, and its answer is lost), or just before (the server
//! never commits). Both directions are closed at once, as a network failure would.
//!
//! It reads the frontend protocol: the untyped startup messages, then typed messages (one
//! type byte, a 4-byte length). An append is recognised by its statement: sqlx prepares it
//! once per connection (`Parse`, whose text holds `INSERT INTO events`) and then binds that
//! statement by name (`Bind`) and ends each execution with `Sync`, which in autocommit is
//! where PostgreSQL commits. An append in a transaction (a turn: `BEGIN`, the locks and the
//! read in one simple query, the append and `COMMIT` in another) commits at its `COMMIT`
//! instead, and the message holding that is the one cut around.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The codes of the untyped requests that come before the startup message.
const SSL_REQUEST: u32 = 80_877_103;
const GSSENC_REQUEST: u32 = 80_877_104;

/// What the proxy counts.
#[derive(Debug, Default)]
pub struct Counts {
    /// Whether appends are being cut.
    armed: AtomicBool,
    /// Appends seen (their `Sync`, or their transaction's `COMMIT`), armed or not.
    pub appends: AtomicU64,
    /// Connections cut right after an append's commit point was forwarded.
    pub cut_after: AtomicU64,
    /// Connections cut right before an append's commit point was forwarded.
    pub cut_before: AtomicU64,
}

impl Counts {
    /// Cuts made so far.
    pub fn cuts(&self) -> u64 {
        self.cut_after.load(Ordering::Relaxed) + self.cut_before.load(Ordering::Relaxed)
    }

    /// Starts or stops cutting.
    pub fn arm(&self, armed: bool) {
        self.armed.store(armed, Ordering::Relaxed);
    }
}

/// A proxy listening on a free loopback port; stops when dropped.
#[derive(Debug)]
pub struct Proxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    /// What it counted.
    pub counts: Arc<Counts>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// A proxy to the server at `upstream`, not cutting until [`Counts::arm`].
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let addr = listener.local_addr().expect("the proxy's address");
        let counts = Arc::new(Counts::default());
        let task = tokio::spawn({
            let counts = counts.clone();
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    tokio::spawn(serve(client, upstream, counts.clone()));
                }
            }
        });
        Self { addr, counts, task }
    }
}

/// What to do with a message.
#[derive(Debug, PartialEq, Eq)]
enum Action {
    Forward,
    CutBefore,
    CutAfter,
}

/// The client's side of one connection, parsed.
#[derive(Debug, Default)]
struct Frontend {
    buffer: Vec<u8>,
    started: bool,
    /// Prepared statements by name: what each is.
    statements: HashMap<Vec<u8>, Kind>,
    /// What the last `Bind` bound.
    bound: Kind,
    /// Inside a transaction (after `BEGIN`, before `COMMIT` or `ROLLBACK`).
    in_transaction: bool,
    /// An append was executed in the open transaction: its `COMMIT` commits it.
    appended: bool,
}

/// What a statement does, as far as the proxy cares.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Kind {
    #[default]
    Other,
    Begin,
    Append,
    Commit,
    Rollback,
}

impl Kind {
    fn of(query: &[u8]) -> Self {
        let text = String::from_utf8_lossy(query);
        let text = text.trim().to_ascii_uppercase();
        if text.contains("INSERT INTO EVENTS") {
            Self::Append
        } else if text.starts_with("BEGIN") {
            Self::Begin
        } else if text.starts_with("COMMIT") {
            Self::Commit
        } else if text.starts_with("ROLLBACK") {
            Self::Rollback
        } else {
            Self::Other
        }
    }
}

impl Frontend {
    /// The next whole message in the buffer, if there is one.
    fn next(&mut self) -> Option<Vec<u8>> {
        let (offset, header) = if self.started { (1, 5) } else { (0, 4) };
        if self.buffer.len() < header {
            return None;
        }
        let len = u32::from_be_bytes(self.buffer[offset..offset + 4].try_into().ok()?) as usize;
        let total = offset + len;
        if self.buffer.len() < total {
            return None;
        }
        let message: Vec<u8> = self.buffer.drain(..total).collect();
        if !self.started {
            let code = message
                .get(4..8)
                .map_or(0, |c| u32::from_be_bytes(c.try_into().unwrap_or_default()));
            self.started = code != SSL_REQUEST && code != GSSENC_REQUEST;
        }
        Some(message)
    }

    /// Notes what `message` does, and whether this one is an append's commit point to cut.
    fn inspect(&mut self, message: &[u8], counts: &Counts) -> Action {
        if message.len() < 5 || !self.started {
            return Action::Forward;
        }
        let body = &message[5..];
        let mut strings = body.split(|b| *b == 0);
        let executed: Vec<Kind> = match message[0] {
            b'P' => {
                let name = strings.next().unwrap_or_default().to_vec();
                let query = strings.next().unwrap_or_default();
                self.statements.insert(name, Kind::of(query));
                Vec::new()
            }
            b'B' => {
                let _portal = strings.next();
                let statement = strings.next().unwrap_or_default();
                self.bound = self.statements.get(statement).copied().unwrap_or_default();
                Vec::new()
            }
            b'S' => vec![std::mem::take(&mut self.bound)],
            // A simple query (sqlx sends `BEGIN` and `COMMIT` so; a turn sends `BEGIN`, its
            // locks and its read in one, and its append with `COMMIT` in another), of one
            // or more statements. No statement of the store holds a `;` of its own (event
            // bodies go as hex).
            b'Q' => strings
                .next()
                .unwrap_or_default()
                .split(|b| *b == b';')
                .map(Kind::of)
                .collect(),
            _ => Vec::new(),
        };
        let mut commits_an_append = false;
        for kind in executed {
            commits_an_append |= self.step(kind);
        }
        if commits_an_append {
            let seen = counts.appends.fetch_add(1, Ordering::Relaxed);
            // Every other append is cut, three in four of those after the commit point.
            if counts.armed.load(Ordering::Relaxed) && seen.is_multiple_of(2) {
                return if (seen / 2) % 4 == 3 {
                    Action::CutBefore
                } else {
                    Action::CutAfter
                };
            }
        }
        Action::Forward
    }

    /// Notes that a statement of `kind` was executed: whether it is an append's commit point.
    fn step(&mut self, kind: Kind) -> bool {
        match kind {
            Kind::Begin => {
                self.in_transaction = true;
                false
            }
            Kind::Append if self.in_transaction => {
                self.appended = true;
                false
            }
            Kind::Append => true,
            Kind::Commit => {
                let appended = self.appended;
                (self.in_transaction, self.appended) = (false, false);
                appended
            }
            Kind::Rollback => {
                (self.in_transaction, self.appended) = (false, false);
                false
            }
            Kind::Other => false,
        }
    }
}

async fn serve(client: TcpStream, upstream: SocketAddr, counts: Arc<Counts>) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let back = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
    });
    let mut frontend = Frontend::default();
    let mut chunk = vec![0; 64 * 1024];
    'connection: while let Ok(read) = from_client.read(&mut chunk).await {
        if read == 0 {
            break;
        }
        frontend.buffer.extend_from_slice(&chunk[..read]);
        while let Some(message) = frontend.next() {
            let action = frontend.inspect(&message, &counts);
            if action == Action::CutBefore {
                counts.cut_before.fetch_add(1, Ordering::Relaxed);
                break 'connection;
            }
            if to_server.write_all(&message).await.is_err() {
                break 'connection;
            }
            if action == Action::CutAfter {
                let _ = to_server.flush().await;
                counts.cut_after.fetch_add(1, Ordering::Relaxed);
                break 'connection;
            }
        }
    }
    // Both directions close together: the answer in flight never reaches the client.
    back.abort();
    let _ = back.await;
}
