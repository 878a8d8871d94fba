//! The scoring rules through the CLI, on a hunt file written here: dynamic values and first
//! blood, throttling, hints, divisions.

use crate::{Hunt, Store};

on_each_store!(hints_are_taken_once_in_order_and_cost_points);

/// A small hunt with every rule the CLI shows: a dynamic value with first blood, a throttled
/// challenge, hints (one requiring another), a locked challenge with a hint, divisions.
const RULES: &str = r#"
id = "rules-2026"
title = "Rules"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z
freeze = 2026-11-28T20:00:00Z
scoring = { rule = "ctfd-linear", initial = 500, minimum = 100, decay = 5 }
first_blood = [10]

[[division]]
id = "students"

[[division]]
id = "open"

[[challenge]]
id = "door"
title = "The Door"
answers = ["open sesame"]
# Two wrong guesses per 40 seconds.
throttle = { window = { attempts = 2, per = "40s" } }

[[challenge.hint]]
id = "knob"
content = "Turn the knob."
cost = 50

[[challenge.hint]]
id = "key"
content = "The key is under the mat."
cost = 20
requires = "knob"

[[challenge]]
id = "vault"
title = "The Vault"
answers = ["gold"]
unlock = "door"

[[challenge.hint]]
id = "combo"
content = "Four digits."
cost = 30
"#;

const AT: &str = "2026-11-28T10:00:00Z";

impl Hunt {
    /// A store with [`RULES`] loaded and teams "Otters" (students), "Pointers" (open) and
    /// "Buckets" (students).
    fn rules() -> Self {
        Self::rules_on(Store::Sled)
    }

    /// [`Hunt::rules`] on a store of the kind `store`.
    fn rules_on(store: Store) -> Self {
        let hunt = Self::empty_on(store);
        let file = hunt.scratch("rules.toml");
        std::fs::write(&file, RULES).expect("written");
        hunt.ok(&["init", file.to_str().expect("UTF-8 path")]);
        for (team, division) in [
            ("Otters", "students"),
            ("Pointers", "open"),
            ("Buckets", "students"),
        ] {
            hunt.ok(&["team", "add", team, "--division", division, "--at", AT]);
        }
        hunt
    }

    /// Takes a hint at `at`; returns the run.
    fn hint(&self, team: &str, challenge: &str, hint: &str, at: &str) -> crate::Run {
        self.run(&["hint", team, challenge, hint, "--at", at])
    }
}

#[test]
fn correct_verdicts_show_dynamic_points_and_first_blood() {
    let hunt = Hunt::rules();
    let first = hunt.ok(&["submit", "Otters", "door", "open sesame", "--at", AT]);
    assert_eq!(first.trim(), "Correct! +550 points, first blood");
    let second = hunt.ok(&["submit", "Pointers", "door", "Open Sesame", "--at", AT]);
    assert!(second.starts_with("Correct! +"), "{second}");
    assert!(!second.contains("first blood"), "{second}");
}

#[test]
fn a_throttled_guess_says_how_long_to_wait() {
    let hunt = Hunt::rules();
    for (answer, at) in [("a", "10:00:00"), ("b", "10:00:05")] {
        let at = format!("2026-11-28T{at}Z");
        let verdict = hunt.ok(&["submit", "Otters", "door", answer, "--at", &at]);
        assert!(verdict.starts_with("Incorrect"), "{verdict}");
    }
    let run = hunt.run(&[
        "submit",
        "Otters",
        "door",
        "open sesame",
        "--at",
        "2026-11-28T10:00:10Z",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout.trim(), "Too many guesses: try again in 30 s");
    let show = hunt.ok(&["team", "show", "Otters", "--at", "2026-11-28T10:00:10Z"]);
    assert!(show.contains("throttled"), "{show}");
    assert!(
        show.contains("door: throttled until 2026-11-28 10:00:40Z (in 30 s)"),
        "{show}"
    );
    // Once the window has passed, the answer is judged.
    let later = hunt.ok(&[
        "submit",
        "Otters",
        "door",
        "open sesame",
        "--at",
        "2026-11-28T10:00:40Z",
    ]);
    assert!(later.starts_with("Correct!"), "{later}");
}

fn hints_are_taken_once_in_order_and_cost_points(store: Store) {
    let hunt = Hunt::rules_on(store);
    let run = hunt.hint("Otters", "door", "key", AT);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout.trim(),
        "That hint requires hint \"knob\" first: nothing taken"
    );
    let run = hunt.hint("Otters", "door", "knob", AT);
    assert_eq!(
        run.stdout.trim(),
        "Hint (\u{2212}50 points): Turn the knob."
    );
    let run = hunt.hint("Otters", "door", "knob", AT);
    assert_eq!(
        run.stdout.trim(),
        "Hint already taken, nothing charged again: Turn the knob."
    );
    let run = hunt.hint("Otters", "door", "key", AT);
    assert!(
        run.stdout.starts_with("Hint (\u{2212}20 points)"),
        "{run:#?}"
    );
    // A locked challenge reads like a locked submission.
    let run = hunt.hint("Otters", "vault", "combo", AT);
    assert_eq!(run.stdout.trim(), "That challenge is locked");
    // An unknown hint on an open challenge: one line, exit 1.
    let run = hunt.hint("Otters", "door", "nope", AT);
    run.fails(
        1,
        "challenge `door` has no hint `nope` (its hints: knob, key)",
    );
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    hunt.hint("Otters", "attic", "x", AT)
        .fails(1, "no challenge `attic`");

    let show = hunt.ok(&["team", "show", "Otters", "--at", AT]);
    assert!(
        show.contains("Otters (division students): -70 points"),
        "{show}"
    );
    assert!(
        show.contains("door: hint knob taken (50 points): Turn the knob."),
        "{show}"
    );
    let other = hunt.ok(&["team", "show", "Pointers", "--at", AT]);
    assert!(
        other.contains("door: hint key not taken (20 points, requires hint knob first)"),
        "{other}"
    );
    let log = hunt.ok(&["log"]);
    assert!(log.contains("door: took hint \"knob\""), "{log}");
    let json = hunt.ok(&["log", "--json"]);
    assert!(json.contains("\"type\":\"hint_taken\""), "{json}");
}

#[test]
fn division_boards_place_teams_within_their_division() {
    let hunt = Hunt::rules();
    hunt.ok(&["submit", "Pointers", "door", "open sesame", "--at", AT]);
    hunt.ok(&["submit", "Buckets", "door", "open sesame", "--at", AT]);
    let students = hunt.ok(&["board", "--division", "students"]);
    assert!(!students.contains("Pointers"), "{students}");
    let buckets = students
        .lines()
        .find(|l| l.contains("Buckets"))
        .expect("listed");
    assert!(
        buckets.trim_start_matches(['│', '|', ' ']).starts_with('1'),
        "{students}"
    );
    hunt.run(&["board", "--division", "pros"])
        .fails(1, "divisions: students, open");
}
