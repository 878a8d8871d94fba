//! `hunt check FILE`: validates a hunt definition like a compiler, every problem with its file,
//! line and column. Touches no store.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use hunt_core::Hunt;

use crate::failure::Failure;

/// Arguments of `hunt check`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exits 0 if the definition is valid, 1 if it has problems \
    (each printed as FILE:LINE:COLUMN: message)."
)]
pub struct Args {
    /// The hunt definition (TOML); `-` reads it from standard input
    pub file: PathBuf,
}

/// Runs `hunt check`.
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let (_, hunt) = load_file(&args.file)?;
    let rounds = hunt.rounds.len();
    let metas = hunt.challenges.iter().filter(|c| c.meta).count();
    writeln!(
        out,
        "{}: ok: hunt `{}` \"{}\", {} challenges ({metas} metas) in {rounds} rounds, \
         from {} to {}",
        origin(&args.file),
        hunt.id,
        hunt.title,
        hunt.challenges.len(),
        hunt.start,
        hunt.end
    )?;
    Ok(())
}

/// Reads and validates a definition file (`-` for standard input): its source and the
/// compiled hunt.
pub fn load_file(path: &Path) -> Result<(String, Hunt), Failure> {
    let origin = origin(path);
    let source = if is_stdin(path) {
        let mut source = String::new();
        std::io::stdin()
            .read_to_string(&mut source)
            .map_err(|e| Failure::user(format!("cannot read {origin}: {e}")))?;
        source
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::user(format!("cannot read {origin}: {e}")))?
    };
    let hunt = hunt_core::definition::load(&source)
        .map_err(|error| Failure::Definition { origin, error })?;
    Ok((source, hunt))
}

/// Whether a definition path means standard input.
fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How messages name a definition file: its path, or `<stdin>` for `-`.
pub fn origin(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}
