//! Files written whole or not at all: output goes to a temporary file beside the target and is
//! renamed over it only once complete, so a failure never leaves half a file behind.

use std::io::Write;
use std::path::Path;

use crate::failure::Failure;

/// Writes `bytes` to `path` atomically (a rename within the same directory).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let cannot = |e: std::io::Error| Failure::user(format!("cannot write {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    file.write_all(bytes).map_err(cannot)?;
    file.as_file().sync_all().map_err(cannot)?;
    file.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}
