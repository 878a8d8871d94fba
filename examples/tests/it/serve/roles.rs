//! Every route with every role (anonymous, team A, team B, admin) on a frozen hunt: a team
//! never sees another's private data or a locked challenge's content, admin routes refuse
//! everyone else, and the public sees nothing after the freeze until the reveal.

use std::time::Duration;

use serde_json::Value;

use super::http::{Response, Server};
use super::{Tokens, from_now, store};

/// Routes anyone may GET, and routes that need a role.
const GETS: &[&str] = &[
    "/",
    "/board",
    "/board?division=Students",
    "/api/progress",
    "/api/board",
    "/api/board?division=Students",
    "/api/board/team/0",
    "/api/board/team/1",
    "/api/ctftime",
    "/api/admin/board",
    "/openapi.json",
    "/health",
    "/metrics",
];

/// Admin commands, with bodies that would change something.
const ADMIN_POSTS: &[(&str, &str)] = &[
    (
        "/api/admin/adjust",
        r#"{"team":1,"delta":500,"reason":"x","id":"adj"}"#,
    ),
    ("/api/admin/hide", r#"{"team":0,"hidden":true,"id":"hide"}"#),
    (
        "/api/admin/grant",
        r#"{"team":1,"challenge":"door","extra":3,"id":"grant"}"#,
    ),
    ("/api/admin/reveal", r#"{"id":"reveal"}"#),
    ("/api/admin/team", r#"{"name":"Intruders"}"#),
];

/// The score of team `id` in a board page or CTFtime feed.
fn score_of(body: &Value, list: &str, name: &str) -> i64 {
    body[list]
        .as_array()
        .expect("a list")
        .iter()
        .find(|row| row["name"] == name || row["team"] == name)
        .and_then(|row| row["score"].as_i64())
        .unwrap_or_else(|| panic!("no {name} in {body}"))
}

/// Everything `token`'s holder can read: every GET route and the first event of each
/// stream.
fn everything(server: &Server, token: Option<&str>) -> Vec<(String, Response)> {
    let mut seen: Vec<(String, Response)> = GETS
        .iter()
        .map(|path| (path.to_string(), server.get(path, token)))
        .collect();
    for path in ["/events", "/api/team/events"] {
        let mut events = server.events(path, token, None);
        if events.status != 200 {
            continue;
        }
        let first = events.next(Duration::from_secs(30)).expect("a first event");
        seen.push((
            path.to_owned(),
            Response {
                status: 200,
                headers: Vec::new(),
                body: first.data,
            },
        ));
    }
    seen
}

#[test]
fn every_route_with_every_role_shows_only_what_the_role_may_see() {
    // Frozen an hour ago; team A solved `door` before the freeze, from the command line.
    let (hunt, Tokens { a, b, admin }) = store(Some(-3600), -5400);
    hunt.ok(&[
        "submit",
        "Sea Otters",
        "door",
        "hello",
        "--at",
        &from_now(-5000),
    ]);
    let server = Server::start(&hunt);
    // The public stream is open from before B's solve to after the reveal.
    let mut events = server.events("/events", None, None);
    let first = events.next(Duration::from_secs(30)).expect("a board event");

    // B solves `side` now, after the freeze: its own verdict says so.
    let solved = server.post_json(
        "/api/submit",
        Some(&b),
        r#"{"challenge":"side","answer":"sidequest","id":"b-1"}"#,
    );
    assert_eq!(solved.status, 200, "{solved:#?}");
    assert_eq!(solved.json()["words"], "Correct! +55 points, first blood");
    let seq = server.get("/health", None).json()["seq"].clone();

    // Admin routes: 401 for everyone but the admin, with nothing changed.
    let wrong = "0123456789abcdef0123456789abcdef";
    for token in [None, Some(a.as_str()), Some(b.as_str()), Some(wrong)] {
        for (path, body) in ADMIN_POSTS {
            let message = server.post_json(path, token, body).error(401);
            assert!(message.contains("admin"), "{message}");
        }
        server.get("/api/admin/board", token).error(401);
    }
    assert_eq!(
        server.get("/health", None).json()["seq"],
        seq,
        "nothing changed"
    );
    // Team routes: 401 without a team token.
    for token in [None, Some(admin.as_str()), Some(wrong)] {
        server.get("/api/progress", token).error(401);
        server.get("/api/team/events", token).error(401);
        let body = r#"{"challenge":"door","answer":"hello","id":"x"}"#;
        server.post_json("/api/submit", token, body).error(401);
        let body = r#"{"challenge":"door","hint":"nudge","id":"x"}"#;
        server.post_json("/api/hint", token, body).error(401);
    }

    let roles = [
        ("anonymous", None),
        ("team A", Some(a.as_str())),
        ("team B", Some(b.as_str())),
        ("admin", Some(admin.as_str())),
    ];
    for (role, token) in roles {
        for (path, response) in everything(&server, token) {
            assert!(response.status < 500, "{role} {path}: {response:#?}");
            let body = &response.body;
            let place = format!("{role} {path}");
            // No accepted answer of a challenge anyone has not solved, ever.
            assert!(!body.contains("topsecret"), "{place}: {body}");
            // The vault is open to A alone; B's answer is B's alone; no hint was taken.
            if role != "team A" {
                assert!(!body.contains("SECRET-VAULT-CONTENT"), "{place}: {body}");
            }
            if role != "team B" {
                assert!(!body.contains("sidequest"), "{place}: {body}");
            }
            assert!(!body.contains("NUDGE-HINT-TEXT"), "{place}: {body}");
            // Raw HTML in content is shown as text on pages, never run (the JSON API gives
            // the Markdown source as a string).
            let html = response
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html"));
            if html {
                assert!(!body.contains("<script>alert"), "{place}: {body}");
            }
        }
    }

    // What A sees: the vault's content, its own answer; B's page shows neither.
    let page_a = server.get("/", Some(&a)).body;
    assert!(page_a.contains("SECRET-VAULT-CONTENT") && page_a.contains("hello"));
    let page_b = server.get("/", Some(&b)).body;
    assert!(
        page_b.contains("The Vault") && page_b.contains("locked"),
        "{page_b}"
    );

    // The public board is frozen: B's post-freeze solve is not on it, anywhere.
    let board = server.get("/api/board", None).json();
    assert_eq!(board["frozen"], true);
    assert_eq!(score_of(&board, "rows", "Null Pointers"), 0);
    assert_eq!(score_of(&board, "rows", "Sea Otters"), 110);
    let feed = server.get("/api/ctftime", None).json();
    assert_eq!(score_of(&feed, "standings", "Null Pointers"), 0);
    assert_eq!(server.get("/api/board/team/1", None).json()["score"], 0);
    let division = server.get("/api/board?division=Students", None).json();
    assert_eq!(score_of(&division, "rows", "Null Pointers"), 0);
    assert!(server.get("/board", None).body.contains("Frozen since"));
    assert_eq!(first.name, "board");
    assert_eq!(first.json()["frozen"], true);
    assert_eq!(score_of(&first.json(), "rows", "Null Pointers"), 0);
    // B itself sees its live score; the admin sees the live board.
    let own = server.get("/api/progress", Some(&b)).json();
    assert_eq!(own["progress"]["score"], 55);
    let live = server.get("/api/admin/board", Some(&admin)).json();
    assert_eq!(score_of(&live, "rows", "Null Pointers"), 55);

    // The reveal: the public board is live again, and the open stream says so.
    let revealed = server.post_json("/api/admin/reveal", Some(&admin), r#"{"id":"r1"}"#);
    assert_eq!(revealed.status, 200, "{revealed:#?}");
    let board = server.get("/api/board", None).json();
    assert_eq!(board["frozen"], false);
    assert_eq!(score_of(&board, "rows", "Null Pointers"), 55);
    let after = events.until_board(|b| b["frozen"] == false, Duration::from_secs(30));
    // Nothing moved the public stream between the freeze and the reveal: the reveal's delta
    // is the first board event since the snapshot, and the first to carry B's points.
    let boards: Vec<_> = after
        .iter()
        .filter(|e| e.name.starts_with("board"))
        .collect();
    assert_eq!(boards.len(), 1, "{after:#?}");
    assert_eq!(boards[0].name, "board_delta", "{after:#?}");
    let delta = boards[0].json();
    assert_eq!(delta["frozen"], false, "{delta}");
    let last = events.board().expect("a board").clone();
    assert_eq!(last["frozen"], false);
    assert_eq!(score_of(&last, "rows", "Null Pointers"), 55);
}

#[test]
fn join_links_set_a_strict_cookie_and_forms_need_their_csrf_token() {
    let (hunt, Tokens { a, admin, .. }) = store(None, -60);
    let server = Server::start(&hunt);
    let joined = server.get(&format!("/join/{a}"), None);
    assert_eq!(joined.status, 303, "{joined:#?}");
    assert_eq!(joined.header("location"), Some("/"));
    let cookie = joined.header("set-cookie").expect("a cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let admin_join = server.get(&format!("/join/{admin}"), None);
    assert_eq!(admin_join.header("location"), Some("/board"));
    assert_eq!(server.get("/join/not-a-token", None).status, 404);

    let cookie = format!("hunt_token={a}");
    let page = server
        .request("GET", "/", &[("Cookie", &cookie)], None)
        .body;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF field")
        .to_owned();
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let post =
        |body: &str| server.request("POST", "/answer", &[("Cookie", &cookie), form], Some(body));
    let forged = post("challenge=door&answer=hello&id=f1&csrf=00000000000000000000000000000000");
    forged.error(403);
    let wrong = post(&format!("challenge=door&answer=nope&id=f2&csrf={csrf}"));
    assert_eq!(wrong.status, 200, "{wrong:#?}");
    assert!(
        wrong.body.contains("Incorrect. 4 attempts left"),
        "{}",
        wrong.body
    );
    let right = post(&format!("challenge=door&answer=hello&id=f3&csrf={csrf}"));
    assert!(
        right.body.contains("Correct! +110 points, first blood"),
        "{}",
        right.body
    );
    // The vault opened: its content is on the page now.
    assert!(right.body.contains("SECRET-VAULT-CONTENT"));
    let hint = server.request(
        "POST",
        "/hint",
        &[("Cookie", &cookie), form],
        Some(&format!("challenge=side&hint=none&id=h1&csrf={csrf}")),
    );
    assert!(hint.status >= 400 && hint.status < 500, "{hint:#?}");
}
