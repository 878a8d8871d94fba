//! The served OpenAPI document against the service itself, with schemathesis (from PyPI):
//! generated requests, valid and invalid, for every operation of both hunts of a service
//! serving two, as a team and as the admin.
//! Passes only with 0 server errors, 0 undocumented statuses, 0 responses that break their
//! schema and 0 schema-violating requests accepted.
//!
//! schemathesis is installed here, into a virtual environment under the target directory,
//! when it is not there yet (or taken from `SCHEMATHESIS`, the path of its `st` program);
//! fails, saying what is missing, when it cannot be: never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::http::Server;
use super::{Tokens, two_hunts};

/// The schemathesis release the test runs: pinned, so that a new release's new checks show
/// up as a deliberate upgrade rather than as a failure nobody changed anything for.
const VERSION: &str = "4.32.5";

/// The `st` program: `SCHEMATHESIS`, or one installed with pip into the target directory.
fn schemathesis() -> PathBuf {
    if let Some(st) = std::env::var_os("SCHEMATHESIS") {
        return PathBuf::from(st);
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("schemathesis-{VERSION}"));
    let st = venv.join("bin/st");
    if st.exists() {
        return st;
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 runs (Python 3 with venv is needed for the schemathesis test)");
    assert!(made.success(), "python3 -m venv {} failed", venv.display());
    let installed = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", &format!("schemathesis=={VERSION}")])
        .status()
        .expect("pip runs");
    assert!(
        installed.success(),
        "pip could not install schemathesis {VERSION} from PyPI"
    );
    st
}

/// Runs schemathesis against `server` with `token`, over the paths `include` matches.
fn run(st: &Path, server: &Server, token: &str, include: &str) {
    let out = Command::new(st)
        .arg("run")
        .arg(format!("http://{}/openapi.json", server.addr))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--include-path-regex", include])
        // Every check but one: a schema-valid request may still be refused by a rule of the
        // hunt (a name already taken, a division the hunt does not declare, a challenge
        // with no attempt cap) with a documented 4xx, which is what a client must get.
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        .args(["--max-examples", "25", "--seed", "1"])
        // One worker: hypothesis's lambda-source cache is not safe across threads
        // ("AST constructor recursion depth mismatch" with two).
        .args(["--workers", "1", "--no-color"])
        // It keeps a directory of its own (`.schemathesis/`) where it runs.
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found problems with {include}:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn schemathesis_finds_no_server_error_and_no_schema_violation() {
    let st = schemathesis();
    // Two hunts, so that `{hunt}` takes more than one value (A is a team of `live` alone);
    // `live` already frozen, so the public routes' frozen views are exercised too.
    let (hunt, Tokens { a, admin, .. }, _) = two_hunts(Some(-30));
    // No HTTP rate limit: its 429s would leave the routes behind it untested.
    let server = Server::start_with(&hunt, &["--rate", "0"]);
    run(
        &st,
        &server,
        &a,
        r"^(/h/\{hunt\}/(api/(submit|hint|progress|board|ctftime)|health)|/api/hunts|/health)",
    );
    run(&st, &server, &admin, r"^/h/\{hunt\}/api/admin/");
    // The service survived all of it and still answers.
    assert_eq!(server.get("/health", None).json()["status"], "ok");
    let (code, rest) = server.terminate();
    assert_eq!(code, 0, "{rest}");
}
