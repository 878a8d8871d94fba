//! `hunt serve` end to end in headless Chromium, driven by playwright-core from
//! `examples/tests/browser/e2e.mjs` (a team plays, a board moves live, the freeze shows):
//! part of the test suite, so the README's test command runs it. It needs Node.js and
//! Debian's `chromium` (`.ci/run` installs it when missing); the page driver's packages are
//! installed here with `npm ci` when they are not yet. Fails, saying what is missing, when
//! either is absent: never skipped.

use std::path::Path;
use std::process::Command;

#[test]
fn a_team_plays_and_the_board_moves_in_headless_chromium() {
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&chromium).exists(),
        "no Chromium at {chromium}: install Debian's `chromium` package (.ci/run does) or set CHROMIUM"
    );
    if !browser.join("node_modules").is_dir() {
        let installed = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&browser)
            .status()
            .expect("npm runs (Node.js and npm are needed for the browser test)");
        assert!(
            installed.success(),
            "npm ci in {} failed",
            browser.display()
        );
    }
    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let status = Command::new("node")
        .arg(browser.join("e2e.mjs"))
        .arg(env!("CARGO_BIN_EXE_hunt"))
        .arg(&screenshots)
        .env("CHROMIUM", &chromium)
        .status()
        .expect("node runs (Node.js is needed for the browser test)");
    assert!(
        status.success(),
        "the browser test failed; screenshots in {}",
        screenshots.display()
    );
}
