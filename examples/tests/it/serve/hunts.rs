//! Several hunts in one `hunt serve`: two hunts of one sled store served at once, each under
//! `/h/{hunt}`; a solve in one moves only its own board and streams; every route of both
//! hunts with every role (anonymous, team A and team B of `live`, the team of `second`,
//! the admin) shows nothing of the other hunt's or another team's; `--hunt` chooses the
//! hunts, and one hunt alone keeps its routes at the root.

use std::time::Duration;

use super::http::{Response, Server};
use super::{Tokens, from_now};

fn two_hunts() -> (crate::Hunt, Tokens, String) {
    super::two_hunts(None)
}

const WAIT: Duration = Duration::from_secs(30);

/// One hunt's routes anyone may GET, and those that need a role, relative to its base.
const GETS: &[&str] = &[
    "/",
    "/board",
    "/api/progress",
    "/api/board",
    "/api/board/team/0",
    "/api/board/team/1",
    "/api/ctftime",
    "/api/admin/board",
    "/health",
];

/// The service's own routes.
const SERVICE: &[&str] = &["/", "/api/hunts", "/health", "/metrics", "/openapi.json"];

/// The log position of `hunt`.
fn seq(server: &Server, hunt: &str) -> serde_json::Value {
    server.get(&format!("/h/{hunt}/health"), None).json()["seq"].clone()
}

#[test]
fn two_hunts_are_served_at_once_and_a_solve_moves_only_its_own() {
    let (hunt, Tokens { a, .. }, c) = two_hunts();
    let mut server = Server::start(&hunt);
    let started = server.printed_until("second");
    assert!(started.contains("/h/live/board"), "{started}");

    // The root lists both hunts, with links to their boards; a hunt's old root route is
    // no route of a service of several.
    let list = server.get("/", None);
    assert_eq!(list.status, 200);
    for link in ["href=\"/h/live/board\"", "href=\"/h/second/board\""] {
        assert!(list.body.contains(link), "{link} not in {}", list.body);
    }
    let hunts = server.get("/api/hunts", None).json();
    let ids: Vec<&str> = hunts["hunts"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|h| h["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(ids, ["live", "second"]);
    assert!(
        server
            .get("/board", None)
            .error(404)
            .contains("several hunts")
    );
    assert!(
        server
            .post_json(
                "/api/submit",
                Some(&a),
                r#"{"challenge":"door","answer":"hello","id":"x"}"#
            )
            .error(404)
            .contains("/h/{hunt}/")
    );
    // An unknown hunt: a JSON 404 naming the hunts served, on pages and API alike.
    for path in [
        "/h/nope/board",
        "/h/nope/api/board",
        "/h/nope/events",
        "/h/nope/",
    ] {
        let message = server.get(path, None).error(404);
        assert!(message.contains("no hunt \"nope\""), "{path}: {message}");
    }
    // Each hunt's board page links and streams within its hunt.
    let page = server.get("/h/second/board", None).body;
    assert!(page.contains("Second Harbour Hunt"), "{page}");
    assert!(page.contains("const BASE = \"/h/second\""), "{page}");

    let mut live = server.events("/h/live/events", None, None);
    let mut second = server.events("/h/second/events", None, None);
    let live_first = live.next(WAIT).expect("a snapshot");
    let second_first = second.next(WAIT).expect("a snapshot");
    assert_eq!(live_first.json()["title"], "Live Test Hunt");
    assert_eq!(second_first.json()["title"], "Second Harbour Hunt");
    let mut own_a = server.events("/h/live/api/team/events", Some(&a), None);
    let mut own_c = server.events("/h/second/api/team/events", Some(&c), None);
    assert_eq!(own_a.next(WAIT).expect("a snapshot").name, "progress");
    assert_eq!(own_c.next(WAIT).expect("a snapshot").name, "progress");
    let second_before = seq(&server, "second");

    // A solves in `live`: live's board and A's stream move; `second` stays where it was.
    let body = r#"{"challenge":"door","answer":"hello","id":"a1"}"#;
    let verdict = server
        .post_json("/h/live/api/submit", Some(&a), body)
        .json();
    assert_eq!(verdict["words"], "Correct! +110 points, first blood");
    let seen = live.until_board(|b| b["rows"][0]["score"] == 110, WAIT);
    assert!(seen.iter().any(|e| e.name == "first_blood"), "{seen:#?}");
    let mine = own_a.until("changed", WAIT);
    assert!(mine.iter().any(|e| e.name == "verdict"), "{mine:#?}");
    assert_eq!(
        seq(&server, "second"),
        second_before,
        "second's log did not move"
    );
    let board = server.get("/h/second/api/board", None).json();
    assert_eq!(board["rows"][0]["score"], 0, "{board}");

    // C solves in `second`: the first thing second's stream says after its snapshot is C's
    // solve, with nothing of A's; A's solve was never on it.
    let body = r#"{"challenge":"key","answer":"brasskey","id":"c1"}"#;
    let verdict = server
        .post_json("/h/second/api/submit", Some(&c), body)
        .json();
    // Its hunt's first blood, whatever was solved in the other.
    assert_eq!(
        verdict["words"], "Correct! +40 points, first blood",
        "{verdict}"
    );
    let seen = second.until_board(|b| b["rows"][0]["score"] == 40, WAIT);
    for event in &seen {
        assert!(!event.data.contains("The Open Door"), "{seen:#?}");
    }
    let rows = &second.board().expect("a board")["rows"];
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    let bloods: Vec<_> = seen.iter().filter(|e| e.name == "first_blood").collect();
    assert_eq!(bloods.len(), 1, "{seen:#?}");
    assert_eq!(bloods[0].json()["challenge"], "The Brass Key");
    let theirs = own_c.until("changed", WAIT);
    assert!(
        theirs
            .iter()
            .any(|e| e.name == "unlock" && e.data.contains("gate")),
        "{theirs:#?}"
    );

    // Then A again in `live`: live's stream goes from A's first solve to its second with
    // nothing of C's in between.
    let body = r#"{"challenge":"side","answer":"sidequest","id":"a2"}"#;
    assert_eq!(
        server
            .post_json("/h/live/api/submit", Some(&a), body)
            .status,
        200
    );
    let seen = live.until_board(|b| b["rows"][0]["score"] == 165, WAIT);
    for event in &seen {
        assert!(!event.data.contains("Brass Key"), "{seen:#?}");
    }
    // A's own stream carried nothing of C's (the same name and number, another hunt).
    let mine = own_a.until("changed", WAIT);
    assert!(!mine.iter().any(|e| e.data.contains("key")), "{mine:#?}");

    // Metrics, by hunt.
    let metrics = server.get("/metrics", None).body;
    for line in [
        "hunt_submissions_total{hunt=\"live\",verdict=\"correct\"} 2",
        "hunt_submissions_total{hunt=\"second\",verdict=\"correct\"} 1",
        "hunt_submit_seconds_count{hunt=\"second\"} 1",
        "hunt_sse_clients{hunt=\"live\"} 2",
        "hunt_sse_clients{hunt=\"second\"} 2",
    ] {
        assert!(metrics.contains(line), "{line} not in {metrics}");
    }
    let position = format!(
        "hunt_log_position{{hunt=\"second\"}} {}",
        seq(&server, "second")
    );
    assert!(metrics.contains(&position), "{position} not in {metrics}");
    let health = server.get("/health", None).json();
    assert!(
        health["seq"].is_null(),
        "no one position for two hunts: {health}"
    );
    assert_eq!(health["hunts"][1]["id"], "second");

    let (code, rest) = server.terminate();
    assert_eq!(code, 0, "{rest}");
    assert!(rest.contains("Stopped"), "{rest}");
}

/// Everything `token`'s holder can read from `hunt`: every GET route and the first event of
/// each stream that lets it in.
fn everything(server: &Server, hunt: &str, token: Option<&str>) -> Vec<(String, Response)> {
    let mut seen: Vec<(String, Response)> = GETS
        .iter()
        .map(|path| format!("/h/{hunt}{path}"))
        .chain(SERVICE.iter().map(|path| path.to_string()))
        .map(|path| {
            let response = server.get(&path, token);
            (path, response)
        })
        .collect();
    for path in ["/events", "/api/team/events"] {
        let path = format!("/h/{hunt}{path}");
        let mut events = server.events(&path, token, None);
        if events.status != 200 {
            continue;
        }
        let first = events.next(WAIT).expect("a first event");
        let response = Response {
            status: 200,
            headers: Vec::new(),
            body: first.data,
        };
        seen.push((path, response));
    }
    seen
}

#[test]
fn every_route_of_both_hunts_with_every_role_shows_only_what_the_role_may_see() {
    let (hunt, Tokens { a, b, admin }, c) = two_hunts();
    // A has opened live's vault, C second's gate, before the service starts.
    hunt.ok(&["--hunt", "live", "submit", "Sea Otters", "door", "hello"]);
    hunt.ok(&[
        "--hunt",
        "second",
        "submit",
        "Sea Otters",
        "key",
        "brasskey",
    ]);
    let server = Server::start(&hunt);
    let before = (seq(&server, "live"), seq(&server, "second"));

    let roles = [
        ("anonymous", None, None),
        ("team A", Some(a.as_str()), Some("live")),
        ("team B", Some(b.as_str()), Some("live")),
        ("team C", Some(c.as_str()), Some("second")),
        ("admin", Some(admin.as_str()), None),
    ];
    for (role, token, home) in roles {
        for served in ["live", "second"] {
            // A team's token is nobody's in the other hunt: its team routes answer 401, and
            // its commands change nothing there.
            if home.is_some_and(|home| home != served) {
                let base = format!("/h/{served}");
                server
                    .get(&format!("{base}/api/progress"), token)
                    .error(401);
                server
                    .get(&format!("{base}/api/team/events"), token)
                    .error(401);
                for (path, body) in [
                    (
                        "/api/submit",
                        r#"{"challenge":"door","answer":"hello","id":"x"}"#,
                    ),
                    (
                        "/api/submit",
                        r#"{"challenge":"key","answer":"brasskey","id":"y"}"#,
                    ),
                    (
                        "/api/hint",
                        r#"{"challenge":"door","hint":"nudge","id":"z"}"#,
                    ),
                ] {
                    server
                        .post_json(&format!("{base}{path}"), token, body)
                        .error(401);
                }
                let page = server.get(&format!("{base}/"), token).body;
                assert!(
                    page.contains("Open your team's join link"),
                    "{role} {base}/: {page}"
                );
            }
            for (path, response) in everything(&server, served, token) {
                let place = format!("{role} {path}");
                assert!(response.status < 500, "{place}: {response:#?}");
                let body = &response.body;
                // No answer of an unsolved challenge; no hint was taken.
                for secret in ["topsecret", "irongate", "NUDGE-HINT-TEXT", "sidequest"] {
                    assert!(!body.contains(secret), "{place}: {secret} in {body}");
                }
                // Each hunt's unlocked content and answers are its solver's alone, and only
                // in its own hunt's routes.
                let solver_of_live = role == "team A" && served == "live";
                let solver_of_second = role == "team C" && served == "second";
                if !solver_of_live {
                    assert!(!body.contains("SECRET-VAULT-CONTENT"), "{place}: {body}");
                    assert!(!body.contains("hello"), "{place}: {body}");
                }
                if !solver_of_second {
                    assert!(!body.contains("SECOND-GATE-SECRET"), "{place}: {body}");
                    assert!(!body.contains("brasskey"), "{place}: {body}");
                }
                if !solver_of_live && !solver_of_second {
                    assert!(!body.contains("Solved with"), "{place}: {body}");
                }
            }
        }
    }
    // The admin is the store's: the admin of both hunts, and nobody else is.
    for served in ["live", "second"] {
        let base = format!("/h/{served}");
        assert_eq!(
            server
                .get(&format!("{base}/api/admin/board"), Some(&admin))
                .status,
            200
        );
        for token in [&a, &b, &c] {
            server
                .get(&format!("{base}/api/admin/board"), Some(token))
                .error(401);
            let body = r#"{"team":0,"delta":5,"reason":"x","id":"adj"}"#;
            server
                .post_json(&format!("{base}/api/admin/adjust"), Some(token), body)
                .error(401);
        }
    }
    assert_eq!(
        (seq(&server, "live"), seq(&server, "second")),
        before,
        "nothing changed"
    );

    // Join links: each hunt's sets a cookie for its own pages only, and is no link of the
    // other hunt's; the root's sends a team on to its hunt's, and takes the admin's for all.
    assert_eq!(server.get(&format!("/h/second/join/{a}"), None).status, 404);
    assert_eq!(server.get(&format!("/h/live/join/{c}"), None).status, 404);
    let joined = server.get(&format!("/h/live/join/{a}"), None);
    assert_eq!(joined.status, 303, "{joined:#?}");
    assert_eq!(joined.header("location"), Some("/h/live/"));
    let cookie = joined.header("set-cookie").expect("a cookie");
    assert!(cookie.contains("; Path=/h/live;"), "{cookie}");
    let sent = format!("hunt_token={a}");
    let with_cookie = |path: &str| server.request("GET", path, &[("Cookie", &sent)], None);
    assert!(
        with_cookie("/h/live/")
            .body
            .contains("Score <b id=\"score\">110</b>")
    );
    // Were a browser to send it to the other hunt anyway, it is nobody's there.
    let elsewhere = with_cookie("/h/second/");
    assert!(
        elsewhere.body.contains("Open your team's join link"),
        "{elsewhere:#?}"
    );
    // A browser holding both hunts' cookies is each team in its own hunt.
    let both = format!("hunt_token={c}; hunt_token={a}");
    let page = server
        .request("GET", "/h/live/", &[("Cookie", &both)], None)
        .body;
    assert!(page.contains("SECRET-VAULT-CONTENT"), "{page}");
    let page = server
        .request("GET", "/h/second/", &[("Cookie", &both)], None)
        .body;
    assert!(
        page.contains("SECOND-GATE-SECRET") && !page.contains("SECRET-VAULT"),
        "{page}"
    );
    let root = server.get(&format!("/join/{c}"), None);
    assert_eq!(
        root.header("location"),
        Some(format!("/h/second/join/{c}").as_str())
    );
    let root = server.get(&format!("/join/{admin}"), None);
    assert_eq!(root.header("location"), Some("/"));
    assert!(
        root.header("set-cookie")
            .is_some_and(|c| c.contains("; Path=/;"))
    );
    assert_eq!(
        server
            .get("/join/0123456789abcdef0123456789abcdef", None)
            .status,
        404
    );
}

#[test]
fn hunt_flags_choose_the_hunts_and_one_hunt_keeps_its_root_routes() {
    let (hunt, Tokens { a, admin, .. }, c) = two_hunts();
    // `--hunt second` alone: second's routes at the root and under /h/second; live is not
    // served.
    let server = Server::start_with(&hunt, &["--hunt", "second"]);
    let board = server.get("/api/board", None).json();
    assert_eq!(board["total"], 1, "{board}");
    assert!(
        server
            .get("/board", None)
            .body
            .contains("Second Harbour Hunt")
    );
    assert!(server.get("/", None).body.contains("Second Harbour Hunt"));
    assert_eq!(server.get("/api/progress", Some(&c)).status, 200);
    assert_eq!(server.get("/h/second/api/progress", Some(&c)).status, 200);
    server.get("/api/progress", Some(&a)).error(401);
    assert!(
        server
            .get("/h/live/board", None)
            .error(404)
            .contains("no hunt \"live\"")
    );
    assert_eq!(
        server.get("/health", None).json()["hunts"][0]["id"],
        "second"
    );
    // At the root the join link sets a cookie for the whole site, as before; the team's
    // printed link (under /h/second) works too.
    let joined = server.get(&format!("/join/{c}"), None);
    assert_eq!(joined.header("location"), Some("/"));
    assert!(
        joined
            .header("set-cookie")
            .is_some_and(|c| c.contains("; Path=/;"))
    );
    let joined = server.get(&format!("/h/second/join/{c}"), None);
    assert_eq!(joined.header("location"), Some("/h/second/"));
    // A team registered through the API gets a link under its hunt's base path.
    let made = server.post_json("/api/admin/team", Some(&admin), r#"{"name":"Late Crew"}"#);
    let join = made.json()["join"]
        .as_str()
        .expect("a join path")
        .to_owned();
    assert!(join.starts_with("/h/second/join/"), "{join}");
    assert_eq!(server.get(&join, None).status, 303);
    drop(server);

    // Both named: both served, in the order named.
    let mut server = Server::start_with(&hunt, &["--hunt", "second", "--hunt", "live"]);
    let printed = server.printed_until("live");
    assert!(printed.contains("/h/live/board"), "{printed}");
    let hunts = server.get("/api/hunts", None).json();
    assert_eq!(hunts["hunts"][0]["id"], "second", "{hunts}");
    assert_eq!(hunts["hunts"][1]["id"], "live", "{hunts}");
    drop(server);

    // A hunt the store does not hold, and several hunts for a command that takes one.
    hunt.run(&["serve", "--listen", "127.0.0.1:0", "--hunt", "nope"])
        .fails(1, "has no hunt `nope` (it has: live, second)");
    hunt.run(&["--hunt", "live", "--hunt", "second", "board"])
        .fails(1, "only `hunt serve` serves several hunts");
    // The admin link is the root's, which works for one hunt or several.
    let out = hunt.ok(&["admin", "token", "--url", "http://example.test:9000/"]);
    assert!(
        out.contains("Admin link: http://example.test:9000/join/"),
        "{out}"
    );
    let out = hunt.ok(&[
        "--hunt",
        "live",
        "team",
        "add",
        "Kraken",
        "--url",
        "http://example.test:9000/",
        "--at",
        &from_now(-10),
    ]);
    assert!(
        out.contains("Join link: http://example.test:9000/h/live/join/"),
        "{out}"
    );
}
