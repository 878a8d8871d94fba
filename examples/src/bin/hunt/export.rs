//! `hunt export`: the whole hunt as JSON lines, the format `hunt import` reads back.
//!
//! The first line is a [`Header`] holding the definition's source text exactly as stored; each
//! further line is one recorded event (`{"seq":1,"event":{...}}`) in the core's serde form, in
//! log order. Exporting, importing into a fresh store and exporting again gives the same bytes.

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::output;
use crate::store::{self, Create, Selection};

/// The name in [`Header::format`].
pub const FORMAT: &str = "hunt-export";

/// The version in [`Header::version`] that this build writes and reads.
pub const VERSION: u32 = 1;

/// The first line of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout version, [`VERSION`].
    pub version: u32,
    /// The hunt's id.
    pub hunt: String,
    /// The definition's TOML source, byte for byte.
    pub definition: String,
    /// How many event lines follow.
    pub events: u64,
}

/// Arguments of `hunt export`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Format: JSON lines. The first line holds the definition source \
    ({\"format\":\"hunt-export\",\"version\":1,\"hunt\":...,\"definition\":...,\"events\":N}); \
    each following line is one recorded event ({\"seq\":N,\"event\":{...}}), in log order."
)]
pub struct Args {
    /// Write to FILE (replaced whole, or left untouched on failure) instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `hunt export`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let store = selection.open_store(Create::Never).await?;
    let hunt = selection.hunt_id(&*store).await?;
    let definition = store
        .load_definition(&hunt)
        .await?
        .ok_or_else(|| Failure::Store(format!("hunt `{hunt}` has no stored definition")))?;
    let log = store::read_log(&*store, &hunt, 0).await?;
    drop(store);

    let header = Header {
        format: FORMAT.to_owned(),
        version: VERSION,
        hunt: hunt.to_string(),
        definition,
        events: log.len() as u64,
    };
    let mut text = String::new();
    push_line(&mut text, &header)?;
    for recorded in &log {
        push_line(&mut text, recorded)?;
    }
    match &args.out {
        Some(path) => {
            output::write_file(path, text.as_bytes())?;
            eprintln!(
                "Exported hunt `{hunt}` ({} events) to {}",
                log.len(),
                path.display()
            );
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(())
}

fn push_line(text: &mut String, value: &impl Serialize) -> Result<(), Failure> {
    let line = serde_json::to_string(value)
        .map_err(|e| Failure::Store(format!("cannot encode the export: {e}")))?;
    text.push_str(&line);
    text.push('\n');
    Ok(())
}
