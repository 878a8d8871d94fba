//! Submissions, bad input, and the live streams: a retried submission gets its original
//! verdict, bad input gets a JSON 4xx and changes nothing, a solve reaches the board stream
//! and the team's stream, a stream resumed with `Last-Event-ID` gets what it missed, and
//! SIGTERM stops the service cleanly.

use std::time::Duration;

use super::http::Server;
use super::{Tokens, store};

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn a_retried_submission_gets_its_original_verdict_and_counts_once() {
    let (hunt, Tokens { a, .. }) = store(None, -60);
    let server = Server::start(&hunt);
    let body = r#"{"challenge":"door","answer":"hello","id":"try-1"}"#;
    let first = server.post_json("/api/submit", Some(&a), body).json();
    assert_eq!(first["duplicate"], false);
    assert_eq!(first["words"], "Correct! +110 points, first blood");
    let again = server.post_json("/api/submit", Some(&a), body).json();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["verdict"], first["verdict"]);
    assert_eq!(again["words"], first["words"]);
    let progress = server.get("/api/progress", Some(&a)).json();
    assert_eq!(progress["progress"]["score"], 110);
    // The same id for another answer is refused, and records nothing.
    let other = r#"{"challenge":"side","answer":"nope","id":"try-1"}"#;
    let conflict = server.post_json("/api/submit", Some(&a), other).json();
    assert_eq!(conflict["verdict"]["verdict"], "key_conflict", "{conflict}");
    let metrics = server.get("/metrics", None).body;
    assert!(
        metrics.contains("hunt_submissions_total{hunt=\"live\",verdict=\"correct\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hunt_submissions_total{hunt=\"live\",verdict=\"duplicate\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hunt_submit_seconds_count{hunt=\"live\"} 3"),
        "{metrics}"
    );
}

#[test]
fn bad_input_gets_a_json_4xx_and_changes_nothing() {
    let (hunt, Tokens { a, admin, .. }) = store(None, -60);
    let server = Server::start(&hunt);
    let seq = server.get("/health", None).json()["seq"].clone();
    let big = "x".repeat(20 * 1024);
    let long_answer = format!(
        r#"{{"challenge":"door","answer":"{}","id":"l"}}"#,
        "y".repeat(8000)
    );
    let cases: &[(&str, &str, u16)] = &[
        ("/api/submit", "{not json", 400),
        (
            "/api/submit",
            r#"{"challenge":"door","answer":"hello"}"#,
            422,
        ),
        (
            "/api/submit",
            r#"{"challenge":"door","answer":"hello","id":"u","extra":1}"#,
            422,
        ),
        (
            "/api/submit",
            r#"{"challenge":"door","answer":"hello","id":""}"#,
            400,
        ),
        (
            "/api/submit",
            r#"{"challenge":"door","answer":7,"id":"n"}"#,
            422,
        ),
        ("/api/submit", &long_answer, 422),
        ("/api/submit", &big, 413),
        (
            "/api/hint",
            r#"{"challenge":"door","hint":"nope","id":"h"}"#,
            422,
        ),
        ("/api/hint", r#"[]"#, 422),
    ];
    for (path, body, status) in cases {
        let message = server.post_json(path, Some(&a), body).error(*status);
        assert!(!message.is_empty());
    }
    let admin_cases: &[(&str, &str, u16)] = &[
        (
            "/api/admin/adjust",
            r#"{"team":99,"delta":5,"reason":"r","id":"a"}"#,
            404,
        ),
        (
            "/api/admin/adjust",
            r#"{"team":0,"delta":0,"reason":"r","id":"a"}"#,
            422,
        ),
        (
            "/api/admin/grant",
            r#"{"team":0,"challenge":"nope","extra":1,"id":"g"}"#,
            404,
        ),
        (
            "/api/admin/grant",
            r#"{"team":0,"challenge":"door","extra":0,"id":"g"}"#,
            400,
        ),
        ("/api/admin/team", r#"{"name":""}"#, 422),
        ("/api/admin/team", r#"{"name":"Sea Otters"}"#, 422),
    ];
    for (path, body, status) in admin_cases {
        server.post_json(path, Some(&admin), body).error(*status);
    }
    // A body that is not JSON at all, by its content type.
    let plain = server.request(
        "POST",
        "/api/submit",
        &[
            ("Authorization", &format!("Bearer {a}")),
            ("Content-Type", "text/plain"),
        ],
        Some("hello"),
    );
    plain.error(415);
    for path in [
        "/api/board?limit=lots",
        "/api/board?offset=-1",
        "/api/board?colour=red",
        "/api/board/team/abc",
        "/board?x=1",
    ] {
        let response = server.get(path, None);
        assert_eq!(response.status, 400, "{path}: {response:#?}");
        assert!(response.json()["error"].is_string(), "{path}");
    }
    server.get("/api/board/team/99", None).error(404);
    server.get("/no/such/page", None).error(404);
    assert_eq!(
        server.get("/health", None).json()["seq"],
        seq,
        "nothing changed"
    );
}

#[test]
fn streams_deliver_solves_and_resume_where_they_left_off() {
    let (hunt, Tokens { a, b, .. }) = store(None, -60);
    let server = Server::start(&hunt);
    let mut board = server.events("/events", None, None);
    let first = board.next(WAIT).expect("a snapshot on connect");
    assert_eq!(first.name, "board");
    let start = first.id.expect("an id");
    let mut own = server.events("/api/team/events", Some(&a), None);
    assert_eq!(own.next(WAIT).expect("a snapshot").name, "progress");

    // A's solve: the board stream announces the first blood, then the new board's delta.
    let body = r#"{"challenge":"door","answer":"hello","id":"s1"}"#;
    assert_eq!(server.post_json("/api/submit", Some(&a), body).status, 200);
    let seen = board.until_board(|b| b["rows"][0]["score"] == 110, WAIT);
    let solve = seen
        .iter()
        .find(|e| e.name == "first_blood")
        .expect("a solve event");
    assert_eq!(solve.json()["first_blood"], true);
    assert_eq!(solve.json()["team_name"], "Sea Otters");
    let moved = seen.last().expect("a board");
    assert_eq!(moved.name, "board_delta", "{seen:#?}");
    assert!(moved.id > Some(start), "{seen:#?}");
    assert!(moved.id >= solve.id, "ids only go up: {seen:#?}");
    // A's own stream: the verdict, the vault unlocking.
    let mine = own.until("changed", WAIT);
    let names: Vec<&str> = mine.iter().map(|e| e.name.as_str()).collect();
    assert!(
        names.contains(&"verdict") && names.contains(&"unlock"),
        "{mine:#?}"
    );
    assert!(
        !mine.iter().any(|e| e.data.contains("hello")),
        "no answer text: {mine:#?}"
    );
    // B's solve of `door` is no first blood: the client leaves at its board's delta.
    let body = r#"{"challenge":"door","answer":"hello","id":"s-b-door"}"#;
    assert_eq!(server.post_json("/api/submit", Some(&b), body).status, 200);
    let seen = board.until_board(|b| b["rows"][1]["score"] == 100, WAIT);
    assert!(!seen.iter().any(|e| e.name == "first_blood"), "{seen:#?}");
    let left = seen.last().expect("a delta");
    assert_eq!(left.name, "board_delta", "{seen:#?}");
    let left_at = left.id;
    let held = board.board().expect("a board").clone();
    drop(board);

    // B solves `side` while nobody watches (a first blood); a client resuming from where
    // it left gets the first blood it missed, then only the delta since its board.
    let body = r#"{"challenge":"side","answer":"sidequest","id":"s-side"}"#;
    assert_eq!(server.post_json("/api/submit", Some(&b), body).status, 200);
    let mut resumed = server.resume(left_at.expect("an id"), held);
    let seen = resumed.until_board(|b| b["rows"][0]["score"] == 155, WAIT);
    let missed: Vec<_> = seen.iter().filter(|e| e.name == "first_blood").collect();
    assert_eq!(missed.len(), 1, "{seen:#?}");
    assert_eq!(missed[0].json()["team_name"], "Null Pointers");
    assert_eq!(missed[0].json()["challenge"], "Side Quest");
    assert!(missed[0].id > left_at);
    assert!(
        seen.iter().all(|e| e.name != "board"),
        "deltas, not the whole board: {seen:#?}"
    );
    let board = resumed.board().expect("a board").clone();
    assert_eq!(board["rows"][0]["name"], "Null Pointers", "{board}");
    assert_eq!(board["rows"][0]["score"], 155);
    // A fresh client gets the snapshot alone: the very board the deltas made.
    let mut fresh = server.events("/events", None, None);
    let snapshot = fresh.next(WAIT).expect("a snapshot");
    assert_eq!(snapshot.name, "board");
    assert_eq!(
        snapshot.json(),
        board,
        "the deltas give exactly the full board"
    );
    let metrics = server.get("/metrics", None).body;
    assert!(
        metrics.contains("hunt_sse_clients{hunt=\"live\"} 3"),
        "{metrics}"
    );
    // A client resuming from an id no delta chain can serve gets a full board: a first
    // blood's (the board after it may have the same id, and the client may not have it),
    // or an id no board had.
    for last in [missed[0].id.expect("an id"), 1] {
        let mut again = server.events("/events", None, Some(last));
        let first = again.until_board(|_| true, WAIT);
        let first = first.last().expect("a board");
        assert_eq!(first.name, "board", "from {last}: {first:#?}");
        assert_eq!(first.json(), board, "from {last}");
    }

    // SIGTERM: open streams end, the service says it stopped, exit 0.
    let (code, rest) = server.terminate();
    assert_eq!(code, 0, "{rest}");
    assert!(rest.contains("Stopped"), "{rest}");
}

/// A first blood is announced as soon as it is learned, not with the next board: boards are
/// held to the board interval (here a minute, far longer than the test waits), and the
/// announcement used to wait for the next one.
#[test]
fn first_bloods_are_announced_at_once_while_boards_wait_for_their_interval() {
    let (hunt, Tokens { a, b, .. }) = store(None, -60);
    let server = Server::start_with(&hunt, &["--board-interval", "60000"]);
    let mut board = server.events("/events", None, None);
    assert_eq!(board.next(WAIT).expect("a snapshot").name, "board");
    // The first solve after a quiet spell moves the board at once…
    let body = r#"{"challenge":"door","answer":"hello","id":"s1"}"#;
    assert_eq!(server.post_json("/api/submit", Some(&a), body).status, 200);
    let seen = board.until_board(|b| b["rows"][0]["score"] == 110, WAIT);
    assert!(seen.iter().any(|e| e.name == "first_blood"), "{seen:#?}");
    // …and the next one, within the interval, is announced at once, its board held back.
    let body = r#"{"challenge":"side","answer":"sidequest","id":"s2"}"#;
    assert_eq!(server.post_json("/api/submit", Some(&b), body).status, 200);
    let next = board
        .next(WAIT)
        .expect("the first blood, before the next board");
    assert_eq!(next.name, "first_blood", "{next:#?}");
    assert_eq!(next.json()["team_name"], "Null Pointers");
    assert_eq!(next.json()["challenge"], "Side Quest");
}

#[test]
fn the_freeze_is_pushed_at_its_instant_and_the_board_stops_moving() {
    // Twenty seconds leave the setup (four runs of the binary and the server's start) time
    // on a loaded machine.
    let (hunt, Tokens { a, .. }) = store(Some(20), -60);
    let server = Server::start(&hunt);
    let mut board = server.events("/events", None, None);
    let first = board.next(WAIT).expect("a snapshot");
    assert_eq!(first.json()["frozen"], false);
    // Nothing is submitted: the clock alone freezes the board, and the stream says so.
    let frozen = board.until_board(|b| b["frozen"] == true, Duration::from_secs(60));
    let frozen = frozen.last().expect("a delta");
    assert_eq!(frozen.name, "board_delta", "{frozen:#?}");
    assert!(
        frozen.id > first.id,
        "the frozen board has an id of its own"
    );
    // A solve after the freeze: A sees its points, the public stream says nothing.
    let body = r#"{"challenge":"door","answer":"hello","id":"late"}"#;
    let verdict = server.post_json("/api/submit", Some(&a), body).json();
    assert_eq!(verdict["words"], "Correct! +110 points, first blood");
    assert_eq!(board.next(Duration::from_millis(1500)), None);
    assert_eq!(server.get("/api/board", None).json()["rows"][0]["score"], 0);
}

#[test]
fn a_client_past_the_rate_limit_gets_429_before_the_engine_is_asked() {
    let (hunt, Tokens { a, b, .. }) = store(None, -60);
    let server = Server::start_with(&hunt, &["--rate", "1"]);
    let seq = |server: &Server| server.get("/health", None).json()["seq"].clone();
    let guess = |token: &str, id: &str| {
        let body = format!(r#"{{"challenge":"door","answer":"nope","id":"{id}"}}"#);
        server.post_json("/api/submit", Some(token), &body)
    };
    // A burst of two, then refused until the bucket refills.
    assert_eq!(guess(&a, "g1").status, 200);
    assert_eq!(guess(&a, "g2").status, 200);
    let before = seq(&server);
    let refused = guess(&a, "g3");
    assert!(refused.error(429).contains("retry in"));
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(seq(&server), before, "the engine judged nothing");
    // Other clients and reads are not held back.
    assert_eq!(guess(&b, "g4").status, 200);
    assert_eq!(server.get("/api/progress", Some(&a)).status, 200);
}

#[test]
fn logs_never_contain_answers_or_tokens() {
    let (hunt, Tokens { a, .. }) = store(None, -60);
    let log = hunt.scratch("serve.log");
    let server = Server::start_logged(&hunt, "trace", &log);
    for (answer, id) in [("WRONG-GUESS-TEXT", "l1"), ("hello", "l2")] {
        let body = format!(r#"{{"challenge":"door","answer":"{answer}","id":"{id}"}}"#);
        assert_eq!(server.post_json("/api/submit", Some(&a), &body).status, 200);
    }
    assert_eq!(server.get(&format!("/join/{a}"), None).status, 303);
    let (code, _) = server.terminate();
    assert_eq!(code, 0);
    let logged = std::fs::read_to_string(&log).expect("the log");
    assert!(logged.contains("submission"), "{logged}");
    for secret in ["WRONG-GUESS-TEXT", "hello", a.as_str()] {
        assert!(!logged.contains(secret), "{secret:?} logged: {logged}");
    }
}

#[test]
fn the_openapi_document_describes_every_api_route() {
    let (hunt, _) = store(None, -60);
    let server = Server::start(&hunt);
    let doc = server.get("/openapi.json", None).json();
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{doc}"
    );
    let paths = doc["paths"].as_object().expect("paths");
    // Every hunt's routes, once, under /h/{hunt}; then the service's own.
    for (path, method) in [
        ("/api/submit", "post"),
        ("/api/hint", "post"),
        ("/api/progress", "get"),
        ("/api/board", "get"),
        ("/api/board/team/{id}", "get"),
        ("/api/ctftime", "get"),
        ("/api/admin/team", "post"),
        ("/api/admin/adjust", "post"),
        ("/api/admin/hide", "post"),
        ("/api/admin/grant", "post"),
        ("/api/admin/reveal", "post"),
        ("/api/admin/board", "get"),
        ("/health", "get"),
    ] {
        let operation = &paths[&format!("/h/{{hunt}}{path}")][method];
        assert!(operation.is_object(), "{method} {path} undocumented");
        let hunt = &operation["parameters"][0];
        assert_eq!(hunt["name"], "hunt", "{method} {path}: {operation}");
        assert_eq!(hunt["in"], "path");
        assert_eq!(hunt["schema"]["enum"], serde_json::json!(["live"]));
        assert!(
            operation["responses"]["404"].is_object(),
            "{method} {path}: an unknown hunt's 404 undocumented"
        );
    }
    for path in ["/health", "/api/hunts"] {
        assert!(paths[path]["get"].is_object(), "GET {path} undocumented");
    }
    let schemes = &doc["components"]["securitySchemes"]["token"];
    assert_eq!(schemes["scheme"], "bearer", "{doc}");
    // The request schemas come from the code: their required fields are the structs'.
    let submit = &doc["components"]["schemas"]["SubmitRequest"];
    assert_eq!(
        submit["required"],
        serde_json::json!(["challenge", "answer", "id"])
    );
}

/// `hunt demo --serve`: the simulated hunt plays against the service on a fast clock, the
/// board moves on the public stream with no request from the test, the printed join link
/// lets a person play as "You", and the service keeps serving after the simulation ends
/// until SIGTERM.
#[test]
fn the_live_demo_moves_the_board_and_lets_a_person_play_along() {
    let hunt = crate::Hunt::empty();
    // 40 simulated minutes at 300× take 8 s of wall time.
    let args = ["--teams", "6", "--minutes", "40", "--speed", "300"];
    let (mut server, printed) = Server::demo(&hunt, &args);
    let token = printed
        .split("/join/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no join link in {printed}"))
        .to_owned();
    let mut board = server.events("/events", None, None);
    let first = board.next(WAIT).expect("a snapshot").json();
    assert_eq!(first["total"], 7, "six simulated teams and You: {first}");
    // The simulated teams' solves reach the stream by themselves.
    let moved = loop {
        let event = board
            .next(Duration::from_secs(60))
            .expect("the board moves within a minute");
        let score = board.board().and_then(|b| b["rows"][0]["score"].as_i64());
        if event.name.starts_with("board") && score > Some(0) {
            break board.board().expect("a board").clone();
        }
    };
    assert_eq!(moved["frozen"], false, "{moved}");
    // The join link's token is a team's: "You".
    let progress = server.get("/api/progress", Some(&token)).json();
    assert_eq!(progress["name"], "You", "{progress}");
    let over = server.printed_until("The simulation is over");
    assert!(over.contains("submissions:"), "{over}");
    // Still serving after the simulation.
    assert_eq!(server.get("/health", None).json()["status"], "ok");
    let (code, rest) = server.terminate();
    assert_eq!(code, 0, "{rest}");
    assert!(rest.contains("Stopped"), "{rest}");
}

/// Two `hunt serve` processes on one PostgreSQL schema: a solve submitted to one reaches the
/// other's board stream with no command of the other's; killing the first loses nothing it
/// acknowledged, and the second keeps serving.
#[test]
fn two_services_on_one_postgres_share_the_live_board() {
    let (hunt, Tokens { a, b, admin }) = super::store_on(crate::Store::Postgres, None, -60);
    let first = Server::start_with_admin(&hunt, &admin);
    let second = Server::start_with_admin(&hunt, &admin);
    let mut board = second.events("/events", None, None);
    let snapshot = board.next(WAIT).expect("a snapshot").json();
    assert_eq!(snapshot["rows"][0]["score"], 0, "{snapshot}");
    let body = r#"{"challenge":"door","answer":"hello","id":"one"}"#;
    let verdict = first.post_json("/api/submit", Some(&a), body).json();
    assert_eq!(verdict["words"], "Correct! +110 points, first blood");
    board.until_board(|b| b["rows"][0]["score"] == 110, WAIT);
    let moved = board.board().expect("a board").clone();
    assert_eq!(moved["rows"][0]["name"], "Sea Otters", "{moved}");
    assert_eq!(moved["rows"][0]["score"], 110, "{moved}");
    // The first process dies; what it acknowledged is on the second, which still serves
    // both teams.
    drop(first);
    let board = second.get("/api/board", None).json();
    assert_eq!(board["rows"][0]["score"], 110, "{board}");
    let body = r#"{"challenge":"side","answer":"sidequest","id":"two"}"#;
    let verdict = second.post_json("/api/submit", Some(&b), body).json();
    assert_eq!(
        verdict["words"], "Correct! +55 points, first blood",
        "{verdict}"
    );
    // The admin, known to the process by HUNT_ADMIN_TOKEN, not by a file.
    assert_eq!(second.get("/api/admin/board", Some(&admin)).status, 200);
    assert_eq!(second.get("/api/admin/board", Some(&a)).status, 401);
}

/// A malformed `HUNT_ADMIN_TOKEN` stops the service before it listens, saying why, rather
/// than serving with no admin.
#[test]
fn a_malformed_admin_token_in_the_environment_is_refused() {
    let (hunt, _) = store(None, -60);
    let out = hunt
        .command(&["serve", "--listen", "127.0.0.1:0"])
        .env("HUNT_ADMIN_TOKEN", "not-a-token")
        .output()
        .expect("hunt runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("HUNT_ADMIN_TOKEN must be a token of 32 hex digits"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "it never served");
}
