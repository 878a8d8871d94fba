//! `hunt seal FILE`: turns a hunt file's plain answers into sealed digests, so the file can be
//! published or shared without its answers, and records the secret's fingerprint so that a
//! store opened with another secret is refused instead of judging every answer wrong.
//!
//! The file is rewritten with `toml_edit`, so its comments, order and layout stay as written:
//! only each challenge's `answers = [...]` becomes `sealed = [...]`, and the hunt gains
//! `secret_fingerprint`. The round trip: write plain answers, `hunt check`, then
//! `HUNT_SECRET=… hunt seal hunt.toml --out sealed.toml`, and run the sealed file with the
//! same `HUNT_SECRET`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use hunt_core::answer::{Accepted, seal};
use hunt_core::state::HuntState;

use crate::check::load_file;
use crate::failure::Failure;
use crate::store::{SECRET_VAR, secret};

/// Arguments of `hunt seal`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Reads the secret from HUNT_SECRET. Challenges with regex answers or an \
    answer template keep them as written (they cannot be sealed). Partial answers stay plain: \
    they are hints, not answers. Run the sealed file with the same HUNT_SECRET; a store opened \
    with another secret is refused."
)]
pub struct Args {
    /// The hunt definition with plain answers (TOML), `-` for standard input
    pub file: PathBuf,
    /// Where to write the sealed definition [default: standard output]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `hunt seal`.
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let secret = secret().ok_or_else(|| {
        Failure::user(format!(
            "set the environment variable {SECRET_VAR} to the secret to seal the answers with"
        ))
    })?;
    let (source, hunt) = load_file(&args.file)?;
    let origin = crate::check::origin(&args.file);
    let mut document: toml_edit::DocumentMut = source
        .parse()
        .map_err(|e| Failure::user(format!("cannot edit {origin}: {e}")))?;

    let mut sealed = 0;
    let mut kept = Vec::new();
    if let Some(tables) = document
        .get_mut("challenge")
        .and_then(toml_edit::Item::as_array_of_tables_mut)
    {
        // The compiled hunt's challenges are in definition order, like the tables.
        for (table, challenge) in tables.iter_mut().zip(&hunt.challenges) {
            match &challenge.answers.accepted {
                Accepted::Plain(normalized) if table.contains_key("answers") => {
                    let normalization = challenge.answers.normalization;
                    let digests: toml_edit::Array = normalized
                        .iter()
                        .map(|answer| {
                            seal(&secret, &challenge.slug, normalization, answer).to_string()
                        })
                        .collect();
                    table.remove("answers");
                    table.insert("sealed", toml_edit::value(digests));
                    sealed += 1;
                }
                Accepted::Regex(_) | Accepted::Template(_) => kept.push(challenge.slug.as_str()),
                _ => {}
            }
        }
    }
    document["secret_fingerprint"] = toml_edit::value(secret.fingerprint().to_string());
    let text = document.to_string();

    // The sealed file must load and open with this secret, or nothing is written.
    let resealed = hunt_core::definition::load(&text).map_err(|error| Failure::Definition {
        origin: format!("the sealed form of {origin}"),
        error,
    })?;
    HuntState::new(Arc::new(resealed), Some(secret))
        .map_err(|e| Failure::user(format!("the sealed form of {origin} does not open: {e}")))?;

    match &args.out {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| Failure::user(format!("cannot write {}: {e}", path.display())))?;
            writeln!(
                out,
                "Sealed the answers of {sealed} challenges of {origin} into {}",
                path.display()
            )?;
            if !kept.is_empty() {
                writeln!(
                    out,
                    "Kept as written (regex answers or templates cannot be sealed): {}",
                    kept.join(", ")
                )?;
            }
            writeln!(
                out,
                "Run it with the same {SECRET_VAR}: a store opened with another is refused"
            )?;
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(())
}
