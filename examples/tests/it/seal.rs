//! `hunt seal`: plain answers become sealed digests, the file keeps its layout, and the
//! sealed hunt runs only with the secret it was sealed with.

use crate::{DURING, Hunt, Run, Store, sample};

on_each_store!(sealing_keeps_the_layout_and_the_hunt_runs_with_its_secret_only);

/// Runs the binary with `HUNT_SECRET` set to `secret`.
fn with_secret(hunt: &Hunt, secret: &str, args: &[&str]) -> Run {
    let output = hunt
        .command(args)
        .env("HUNT_SECRET", secret)
        .output()
        .expect("the hunt binary runs");
    Run::from(output)
}

fn sealing_keeps_the_layout_and_the_hunt_runs_with_its_secret_only(store: Store) {
    let hunt = Hunt::empty_on(store);
    let plain = sample("hackathon.toml");
    let plain = plain.to_str().expect("UTF-8 path");
    let sealed = hunt.scratch("sealed.toml");
    let sealed = sealed.to_str().expect("UTF-8 path");

    hunt.run(&["seal", plain, "--out", sealed])
        .fails(1, "HUNT_SECRET");
    let run = with_secret(&hunt, "s3cret", &["seal", plain, "--out", sealed]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stdout.contains("Sealed the answers of 7 challenges"),
        "{run:#?}"
    );

    let before = std::fs::read_to_string(plain).expect("the sample");
    let after = std::fs::read_to_string(sealed).expect("written");
    assert!(!after.contains("answers = [\"anchors\"]"), "{after}");
    assert_eq!(after.matches("sealed = [\"").count(), 7, "{after}");
    assert!(after.contains("secret_fingerprint = \""), "{after}");
    // Comments and the other lines are as written.
    let comments = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(comments(&after), comments(&before));

    let ok = |args: &[&str]| {
        let run = with_secret(&hunt, "s3cret", args);
        assert_eq!(run.code, 0, "{args:?}: {run:#?}");
        run.stdout
    };
    ok(&["init", sealed]);
    ok(&["team", "add", "Sea Otters", "--at", DURING]);
    let verdict = ok(&["submit", "Sea Otters", "welcome", "ANCHORS", "--at", DURING]);
    assert!(verdict.starts_with("Correct!"), "{verdict}");
    // Another secret is refused before anything is judged or recorded.
    let log = ok(&["log"]);
    with_secret(
        &hunt,
        "wrong",
        &[
            "submit",
            "Sea Otters",
            "lighthouse",
            "light",
            "--at",
            DURING,
        ],
    )
    .fails(1, "sealed with another secret");
    with_secret(&hunt, "", &["board"]).fails(1, "sealed with another secret");
    assert_eq!(ok(&["log"]), log);
}
