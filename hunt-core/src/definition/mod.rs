//! Hunt definitions: the TOML format, and its validation into a compiled [`Hunt`].

use crate::hunt::Hunt;

/// Every problem found in a definition (to be implemented).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid hunt definition")]
pub struct DefinitionError;

/// Parses and validates a TOML hunt definition.
pub fn load(source: &str) -> Result<Hunt, DefinitionError> {
    let _ = source;
    todo!()
}
