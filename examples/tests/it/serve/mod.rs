//! `hunt serve` end to end over loopback: every route with every role, submission
//! idempotency, bad input, the event streams and their resumption, graceful shutdown, and
//! several hunts served at once.

mod http;
mod hunts;
mod live;
mod roles;
mod schema;

use crate::Hunt;

/// An instant `offset` seconds from now, in RFC 3339 (whole seconds).
pub fn from_now(offset: i64) -> String {
    let now = jiff::Timestamp::now().as_second();
    jiff::Timestamp::from_second(now + offset)
        .expect("a valid instant")
        .to_string()
}

/// A hunt open now: `door` (open, a hint), `vault` (unlocked by solving `door`, secret
/// content, shown locked as a preview), `side` (open). With `freeze` seconds from now if
/// given (negative: already frozen).
pub fn live_hunt(freeze: Option<i64>) -> String {
    let freeze = freeze.map_or_else(String::new, |f| format!("freeze = \"{}\"\n", from_now(f)));
    format!(
        r#"id = "live"
title = "Live Test Hunt"
start = "{start}"
end = "{end}"
{freeze}locked_view = "preview"
first_blood = [10]

[[challenge]]
id = "door"
title = "The Open Door"
round = "Act I"
content = "Greet the **keeper**. <script>alert('door')</script>"
points = 100
answers = ["hello"]
max_attempts = 5

[[challenge.hint]]
id = "nudge"
content = "NUDGE-HINT-TEXT"
cost = 10

[[challenge]]
id = "vault"
title = "The Vault"
round = "Act I"
content = "SECRET-VAULT-CONTENT"
points = 200
answers = ["topsecret"]
unlock = {{ solved = "door" }}

[[challenge]]
id = "side"
title = "Side Quest"
round = "Act II"
content = "Type side."
points = 50
answers = ["sidequest"]
"#,
        start = from_now(-7200),
        end = from_now(3600),
    )
}

/// A store with [`live_hunt`] loaded and two teams; returns it with the tokens of team A
/// ("Sea Otters"), team B ("Null Pointers", division Students) and the admin. Teams
/// register `registered` seconds from now.
pub fn store(freeze: Option<i64>, registered: i64) -> (Hunt, Tokens) {
    store_on(crate::Store::Sled, freeze, registered)
}

/// [`store`], on either store.
pub fn store_on(on: crate::Store, freeze: Option<i64>, registered: i64) -> (Hunt, Tokens) {
    let hunt = Hunt::empty_on(on);
    let file = hunt.scratch("live.toml");
    std::fs::write(&file, live_hunt(freeze)).expect("the hunt file is written");
    hunt.ok(&["init", file.to_str().expect("UTF-8")]);
    let at = from_now(registered);
    let a = link(&hunt.ok(&["team", "add", "Sea Otters", "--at", &at]));
    let b = link(&hunt.ok(&[
        "team",
        "add",
        "Null Pointers",
        "--division",
        "Students",
        "--at",
        &at,
    ]));
    let admin = link(&hunt.ok(&["admin", "token"]));
    (hunt, Tokens { a, b, admin })
}

/// The tokens of a [`store`].
#[derive(Debug, Clone)]
pub struct Tokens {
    pub a: String,
    pub b: String,
    pub admin: String,
}

/// The token of the join link in a command's output.
#[track_caller]
fn link(out: &str) -> String {
    let token = out
        .split("/join/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no join link in {out:?}"));
    assert_eq!(token.len(), 32, "{out}");
    token.to_owned()
}

/// A second hunt, open now, for a store holding two: `key` (open) unlocks `gate` (secret
/// content).
pub fn second_hunt() -> String {
    format!(
        r#"id = "second"
title = "Second Harbour Hunt"
start = "{start}"
end = "{end}"
locked_view = "preview"

[[challenge]]
id = "key"
title = "The Brass Key"
content = "Find the key."
points = 40
answers = ["brasskey"]

[[challenge]]
id = "gate"
title = "The Iron Gate"
content = "SECOND-GATE-SECRET"
points = 60
answers = ["irongate"]
unlock = {{ solved = "key" }}
"#,
        start = from_now(-7200),
        end = from_now(3600),
    )
}

/// [`store`] (with `live` frozen `freeze` seconds from now, if given) with [`second_hunt`]
/// loaded beside [`live_hunt`], and one team in it: "Sea Otters" again (the same name and
/// number as team A of `live`, a different team). Returns the tokens of `live`'s teams and
/// the admin, and that team's token.
pub fn two_hunts(freeze: Option<i64>) -> (Hunt, Tokens, String) {
    let (hunt, tokens) = store(freeze, -60);
    let file = hunt.scratch("second.toml");
    std::fs::write(&file, second_hunt()).expect("the hunt file is written");
    hunt.ok(&["init", file.to_str().expect("UTF-8")]);
    let out = hunt.ok(&[
        "--hunt",
        "second",
        "team",
        "add",
        "Sea Otters",
        "--at",
        &from_now(-60),
    ]);
    assert!(out.contains("/h/second/join/"), "{out}");
    (hunt, tokens, link(&out))
}
