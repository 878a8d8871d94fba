//! `hunt export`: the whole hunt as JSON lines, the format `hunt import` reads back.
//!
//! The first line is a [`Header`] holding the definition's source text exactly as stored; each
//! further line is one recorded event (`{"seq":1,"event":{...}}`) in the core's serde form, in
//! log order. Exporting, importing into a fresh store and exporting again gives the same bytes.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use hunt_core::store::{Store, StoreError};
use hunt_core::{HuntId, Recorded};
use hunt_store_sled::SledStore;
use serde::{Deserialize, Serialize};

use crate::failure::{self, Failure};
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

    /// Save what still reads from a damaged store: read a copy of it (nothing is written to
    /// the store), whatever it lost, and export the events up to the first that does not read
    #[arg(long)]
    pub salvage: bool,
}

/// Runs `hunt export`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let store: Arc<dyn Store> = if args.salvage {
        Arc::new(SledStore::open_salvage(selection.data_dir()).map_err(salvage_failed)?)
    } else {
        selection.open_store(Create::Never).await?
    };
    let hunt = selection.hunt_id(&*store).await?;
    let definition = store
        .load_definition(&hunt)
        .await?
        .ok_or_else(|| Failure::Store(format!("hunt `{hunt}` has no stored definition")))?;
    let log = if args.salvage {
        let (log, damage) = read_salvaged(&*store, &hunt).await?;
        match damage {
            Some(error) => eprintln!(
                "Salvaged {} events of hunt `{hunt}`, up to the damage: {error}",
                log.len()
            ),
            None => eprintln!(
                "Salvaged all {} events of hunt `{hunt}` that the store still holds",
                log.len()
            ),
        }
        log
    } else {
        store::read_log(&*store, &hunt, 0).await?
    };
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

/// A store that cannot be salvaged at all: the advice to salvage it would go round in circles.
fn salvage_failed(error: StoreError) -> Failure {
    match error {
        StoreError::Corruption { what, .. } => Failure::Store(format!(
            "the store's data is damaged beyond salvage: {what}; restore it from a backup"
        )),
        other => other.into(),
    }
}

/// The events of `hunt` up to the first one that does not read, and the damage that stopped
/// the reading, if any.
async fn read_salvaged(
    store: &dyn Store,
    hunt: &HuntId,
) -> Result<(Vec<Recorded>, Option<StoreError>), Failure> {
    const CHUNK: usize = 10_000;
    let mut log = Vec::new();
    let mut chunk = CHUNK;
    loop {
        let after = log.last().map_or(0, |recorded: &Recorded| recorded.seq);
        match store.read(hunt, after, chunk).await {
            Ok(events) => {
                let full = events.len() == chunk;
                log.extend(events);
                if !full {
                    return Ok((log, None));
                }
            }
            // A read fails whole: narrow down to the first event that does not read.
            Err(StoreError::Corruption { .. }) if chunk > 1 => chunk = 1,
            Err(error @ StoreError::Corruption { .. }) => return Ok((log, Some(error))),
            Err(error) => return Err(Failure::Store(failure::store_message(&error))),
        }
    }
}

fn push_line(text: &mut String, value: &impl Serialize) -> Result<(), Failure> {
    let line = serde_json::to_string(value)
        .map_err(|e| Failure::Store(format!("cannot encode the export: {e}")))?;
    text.push_str(&line);
    text.push('\n');
    Ok(())
}
