//! A running `hunt serve` and a tiny HTTP/1.0 client for it: plain requests, and server-sent
//! event streams read line by line. HTTP/1.0 keeps bodies unchunked, so a test can read
//! them (and a stream's events) straight off the socket, with no client library.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::Hunt;

/// A `hunt serve` process on a free port of 127.0.0.1, killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `host:port`.
    pub addr: String,
    /// What it printed first.
    stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    /// Starts the service on `hunt`'s store and waits until it listens.
    pub fn start(hunt: &Hunt) -> Self {
        Self::start_with(hunt, &[])
    }

    /// [`Server::start`], with more arguments for `hunt serve`.
    pub fn start_with(hunt: &Hunt, more: &[&str]) -> Self {
        Self::spawn(hunt, more, "warn", Stdio::inherit())
    }

    /// [`Server::start`], logging at `level` to the file `log`.
    pub fn start_logged(hunt: &Hunt, level: &str, log: &std::path::Path) -> Self {
        let file = std::fs::File::create(log).expect("a log file");
        Self::spawn(hunt, &[], level, Stdio::from(file))
    }

    /// [`Server::start`] with the admin token `admin` in `HUNT_ADMIN_TOKEN`.
    pub fn start_with_admin(hunt: &Hunt, admin: &str) -> Self {
        Self::spawn_with(hunt, &[], "warn", Stdio::inherit(), Some(admin))
    }

    fn spawn(hunt: &Hunt, more: &[&str], level: &str, stderr: Stdio) -> Self {
        Self::spawn_with(hunt, more, level, stderr, None)
    }

    fn spawn_with(
        hunt: &Hunt,
        more: &[&str],
        level: &str,
        stderr: Stdio,
        admin: Option<&str>,
    ) -> Self {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--keep-alive", "1"];
        args.extend_from_slice(more);
        let mut command = hunt.command(&args);
        if let Some(admin) = admin {
            command.env("HUNT_ADMIN_TOKEN", admin);
        }
        let mut child = command
            .env("HUNT_LOG", level)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("hunt serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("hunt serve prints its address");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Self {
            child,
            addr,
            stdout,
        }
    }

    /// `hunt demo --serve` with `more` arguments, on a free port: waits until the service
    /// listens; returns it and what the demo printed up to the line naming the board.
    pub fn demo(hunt: &Hunt, more: &[&str]) -> (Self, String) {
        let mut args = vec!["demo", "--serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(more);
        let mut child = hunt
            .command(&args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("hunt demo starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut printed = String::new();
        let addr = loop {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).expect("the demo prints");
            assert!(read > 0, "the demo ended before it served: {printed}");
            printed.push_str(&line);
            if let Some(rest) = line.split("the board is at http://").nth(1) {
                break rest.split('/').next().expect("an address").to_owned();
            }
        };
        let server = Self {
            child,
            addr,
            stdout,
        };
        (server, printed)
    }

    /// Reads what the process prints until a line containing `words`; returns it all.
    pub fn printed_until(&mut self, words: &str) -> String {
        let mut printed = String::new();
        loop {
            let mut line = String::new();
            let read = self
                .stdout
                .read_line(&mut line)
                .expect("the process prints");
            assert!(read > 0, "{words:?} never printed: {printed}");
            printed.push_str(&line);
            if line.contains(words) {
                return printed;
            }
        }
    }

    /// Sends `method path` with `headers` and `body`; returns the response.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        let mut stream = self.open(method, path, headers, body);
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("a response");
        Response::parse(&String::from_utf8_lossy(&raw))
    }

    /// `GET path` as the holder of `token` (None: anonymous), by bearer header.
    pub fn get(&self, path: &str, token: Option<&str>) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("Authorization", a)])
            .unwrap_or_default();
        self.request("GET", path, &headers, None)
    }

    /// `POST path` with a JSON body, as the holder of `token`.
    pub fn post_json(&self, path: &str, token: Option<&str>, body: &str) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(auth) = auth.as_deref() {
            headers.push(("Authorization", auth));
        }
        self.request("POST", path, &headers, Some(body))
    }

    /// Opens the public stream resuming after `last`, as a client that holds `board` (the
    /// board the stream it left had given it).
    pub fn resume(&self, last: u64, board: serde_json::Value) -> Events {
        let mut events = self.events("/events", None, Some(last));
        events.board = Some(board);
        events
    }

    /// Opens an event stream on `path`, as the holder of `token`, resuming after `last`.
    pub fn events(&self, path: &str, token: Option<&str>, last: Option<u64>) -> Events {
        let auth = token.map(|t| format!("Bearer {t}"));
        let last = last.map(|l| l.to_string());
        let mut headers = vec![("Accept", "text/event-stream")];
        if let Some(auth) = auth.as_deref() {
            headers.push(("Authorization", auth));
        }
        if let Some(last) = last.as_deref() {
            headers.push(("Last-Event-ID", last));
        }
        let stream = self.open("GET", path, &headers, None);
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("a timeout");
        let mut events = Events {
            reader: BufReader::new(stream),
            pending: Event::default(),
            status: 0,
            board: None,
        };
        events.headers();
        events
    }

    fn open(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> TcpStream {
        let mut stream = TcpStream::connect(&self.addr).expect("the service accepts");
        let mut request = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\n", self.addr);
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(body) = body {
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        request.push_str(body.unwrap_or(""));
        stream
            .write_all(request.as_bytes())
            .expect("the request is sent");
        stream
    }

    /// Sends SIGTERM and returns the exit code and the rest of stdout.
    pub fn terminate(mut self) -> (i32, String) {
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let status = self.child.wait().expect("the service exits");
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).expect("stdout");
        (status.code().unwrap_or(-1), rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Response {
    fn parse(raw: &str) -> Self {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {raw:?}"));
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Self {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:#?}"))
    }

    /// Asserts `status` and a JSON `{"error": …}` body; returns the message.
    #[track_caller]
    pub fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{self:#?}");
        let json = self.json();
        json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message: {self:#?}"))
            .to_owned()
    }
}

/// One server-sent event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    /// Its name.
    pub name: String,
    /// Its id.
    pub id: Option<u64>,
    /// Its data.
    pub data: String,
}

impl Event {
    /// The data as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).expect("JSON data")
    }
}

/// An open event stream. On the public stream it keeps the board as a client does: the
/// last `board` event with every `board_delta` since applied to it.
#[derive(Debug)]
pub struct Events {
    reader: BufReader<TcpStream>,
    pending: Event,
    /// The response's status code.
    pub status: u16,
    board: Option<serde_json::Value>,
}

/// `delta` applied to `board` as the board page's script applies it: the new scalars,
/// rows replaced or appended by position and cut at `len`, graph lines continued from old
/// ones (their first `keep` points) or new.
pub fn apply(board: &mut serde_json::Value, delta: &serde_json::Value) {
    for key in ["seq", "frozen", "total"] {
        board[key] = delta[key].clone();
    }
    if let Some(divisions) = delta.get("divisions") {
        board["divisions"] = divisions.clone();
    }
    let len = delta["len"].as_u64().expect("len") as usize;
    let rows = board["rows"].as_array_mut().expect("rows");
    rows.truncate(len);
    for change in delta["rows"].as_array().expect("changed rows") {
        let at = change[0].as_u64().expect("a position") as usize;
        if at < rows.len() {
            rows[at] = change[1].clone();
        } else {
            assert_eq!(at, rows.len(), "rows in position order: {delta}");
            rows.push(change[1].clone());
        }
    }
    if let Some(lines) = delta.get("series") {
        let old = board["series"].as_array().expect("series").clone();
        let new = lines.as_array().expect("lines").iter().map(|line| {
            let (team, mut points) = match line.get("from") {
                Some(from) => {
                    let was = &old[from.as_u64().expect("an index") as usize];
                    let keep = line["keep"].as_u64().expect("keep") as usize;
                    (
                        was["team"].clone(),
                        was["points"].as_array().expect("points")[..keep].to_vec(),
                    )
                }
                None => (line["team"].clone(), Vec::new()),
            };
            points.extend(line["points"].as_array().expect("points").iter().cloned());
            serde_json::json!({ "team": team, "points": points })
        });
        board["series"] = serde_json::Value::Array(new.collect());
    }
}

impl Events {
    fn headers(&mut self) {
        let mut line = String::new();
        loop {
            line.clear();
            self.line(&mut line, Instant::now() + Duration::from_secs(30));
            if self.status == 0 {
                self.status = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| panic!("no status in {line:?}"));
            }
            if line.trim().is_empty() {
                return;
            }
        }
    }

    /// Reads one line before `deadline` (false on timeout or end).
    fn line(&mut self, line: &mut String, deadline: Instant) -> bool {
        while Instant::now() < deadline {
            match self.reader.read_line(line) {
                Ok(0) => return false,
                Ok(_) if line.ends_with('\n') => return true,
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("reading the stream: {e}"),
            }
        }
        false
    }

    /// The next event, if one comes within `wait`.
    pub fn next(&mut self, wait: Duration) -> Option<Event> {
        let deadline = Instant::now() + wait;
        let mut line = String::new();
        loop {
            line.clear();
            if !self.line(&mut line, deadline) {
                return None;
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                let event = std::mem::take(&mut self.pending);
                if !event.name.is_empty() || !event.data.is_empty() {
                    self.keep(&event);
                    return Some(event);
                }
            } else if let Some(name) = line.strip_prefix("event:") {
                self.pending.name = name.trim().to_owned();
            } else if let Some(id) = line.strip_prefix("id:") {
                self.pending.id = id.trim().parse().ok();
            } else if let Some(data) = line.strip_prefix("data:") {
                self.pending.data.push_str(data.trim_start());
            }
        }
    }

    /// Applies a board or a delta to the board kept.
    #[track_caller]
    fn keep(&mut self, event: &Event) {
        match event.name.as_str() {
            "board" => self.board = Some(event.json()),
            "board_delta" => {
                let board = self
                    .board
                    .as_mut()
                    .unwrap_or_else(|| panic!("a delta before any board: {event:#?}"));
                apply(board, &event.json());
            }
            _ => {}
        }
    }

    /// The board as the events so far make it, if there is one.
    pub fn board(&self) -> Option<&serde_json::Value> {
        self.board.as_ref()
    }

    /// Events up to the first board or delta after which the board kept is one for which
    /// `wanted` holds (a stream shows the state it has learned, which may trail an
    /// acknowledged command by a moment: a board of the state before it can come first),
    /// within `wait`.
    #[track_caller]
    pub fn until_board(
        &mut self,
        wanted: impl Fn(&serde_json::Value) -> bool,
        wait: Duration,
    ) -> Vec<Event> {
        let deadline = Instant::now() + wait;
        let mut seen = Vec::new();
        while let Some(event) = self.next(deadline.saturating_duration_since(Instant::now())) {
            let boards = event.name == "board" || event.name == "board_delta";
            let done = boards && self.board.as_ref().is_some_and(&wanted);
            seen.push(event);
            if done {
                return seen;
            }
        }
        panic!("no such board within {wait:?}; got {seen:#?}");
    }

    /// Events until one named `name` (returned with those before it), within `wait`.
    #[track_caller]
    pub fn until(&mut self, name: &str, wait: Duration) -> Vec<Event> {
        let deadline = Instant::now() + wait;
        let mut seen = Vec::new();
        while let Some(event) = self.next(deadline.saturating_duration_since(Instant::now())) {
            let done = event.name == name;
            seen.push(event);
            if done {
                return seen;
            }
        }
        panic!("no {name:?} event within {wait:?}; got {seen:#?}");
    }
}
