//! Join tokens: random 128-bit secrets, of which the store keeps only a SHA-256 digest.
//!
//! A team's token is chosen when it registers, and the first 128 bits of its digest are the
//! idempotency key of the registration ([`Token::key`]). So the digest is recorded in the
//! `team_registered` event the engine already persists: it is durable with the team itself,
//! travels with `hunt export`/`hunt import` and with every store, and needs no second
//! storage. The service rebuilds its digest → team index from the log when it starts and
//! follows the log after that ([`TeamIndex`]). The token itself is printed once and never
//! stored: a lost link cannot be printed again, only a new team registered.
//!
//! The admin's token has no event to live in ([`AdminToken`]). On a sled store its digest is
//! a file beside the store's data ([`ADMIN_FILE`]), replaced atomically by `hunt admin token`
//! and read on every admin request, so rotating it takes effect on a running service. Where
//! several processes share a PostgreSQL store there is no directory they share: each is
//! started with the token in `HUNT_ADMIN_TOKEN` ([`ADMIN_ENV`]), which also overrides the
//! file on sled. Rotating it there means restarting the processes with a new one.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use hunt_core::event::Event;
use hunt_core::{IdempotencyKey, Recorded, TeamId};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The file, in the store's directory, holding the hex SHA-256 digest of the admin's token.
pub const ADMIN_FILE: &str = "admin-token.sha256";

/// The environment variable holding the admin's token itself (32 hex digits).
pub const ADMIN_ENV: &str = "HUNT_ADMIN_TOKEN";

/// What an admin token is checked against.
#[derive(Debug, Clone)]
pub enum AdminToken {
    /// The digest in the admin file of this sled store directory, read at every check.
    File(PathBuf),
    /// The digest of the token [`ADMIN_ENV`] held when the service started; `None`: nobody
    /// is the admin (a PostgreSQL store served without [`ADMIN_ENV`]).
    Fixed(Option<[u8; 32]>),
}

impl AdminToken {
    /// [`ADMIN_ENV`] if it is set, else the admin file of the sled directory `dir` (`None`
    /// for a store with no directory: nobody is the admin). A set but malformed variable is
    /// an error, not a silent "no admin".
    pub fn from_env_or(dir: Option<PathBuf>) -> Result<Self, String> {
        match std::env::var(ADMIN_ENV) {
            Ok(text) => Token::parse(&text)
                .map(|token| Self::Fixed(Some(token.digest())))
                .ok_or_else(|| {
                    format!(
                        "{ADMIN_ENV} must be a token of 32 hex digits, as `hunt admin token` prints"
                    )
                }),
            Err(_) => Ok(dir.map_or(Self::Fixed(None), Self::File)),
        }
    }

    /// Whether `token` is the admin's.
    pub fn matches(&self, token: &Token) -> bool {
        match self {
            Self::File(dir) => is_admin(dir, token),
            Self::Fixed(Some(digest)) => constant_time_eq(digest, &token.digest()),
            Self::Fixed(None) => false,
        }
    }

    /// Whether anybody can be the admin.
    pub fn is_set(&self) -> bool {
        !matches!(self, Self::Fixed(None))
    }
}

/// A bearer secret: 128 random bits, written as 32 hex digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Token([u8; 16]);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a secret by accident, in logs or panics.
        f.write_str("Token(…)")
    }
}

impl Token {
    /// A fresh token from the operating system's random source.
    pub fn random() -> Result<Self, String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| format!("no random numbers: {e}"))?;
        Ok(Self(bytes))
    }

    /// Parses 32 hex digits; anything else is no token.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 32 {
            return None;
        }
        let mut bytes = [0u8; 16];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// The token as it goes in links, cookies and headers.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// SHA-256 of the token, the only form in which it is kept.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }

    /// The idempotency key a team registers with: the first 128 bits of the digest.
    pub fn key(&self) -> IdempotencyKey {
        let digest = self.digest();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        IdempotencyKey(u128::from_be_bytes(first))
    }

    /// The anti-forgery token of this token's forms: derived from the secret, so a page of
    /// another origin can neither read nor compute it.
    pub fn csrf(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"hunt csrf v1\0");
        hasher.update(self.0);
        hex::encode(&hasher.finalize()[..16])
    }

    /// Whether `given` is this token's anti-forgery token, compared in constant time.
    pub fn csrf_matches(&self, given: &str) -> bool {
        constant_time_eq(self.csrf().as_bytes(), given.as_bytes())
    }
}

/// Which team each registration key belongs to, built from the log and kept up to date.
#[derive(Debug, Default)]
pub struct TeamIndex {
    teams: RwLock<HashMap<u128, TeamId>>,
}

impl TeamIndex {
    /// Records the teams registered by `events` (other events are ignored).
    pub fn learn(&self, events: &[Recorded]) {
        let mut teams = self.teams.write().unwrap_or_else(|e| e.into_inner());
        for recorded in events {
            if let Event::TeamRegistered {
                team,
                key: Some(key),
                ..
            } = &recorded.event
            {
                teams.insert(key.0, *team);
            }
        }
    }

    /// Records one team registered with `key`.
    pub fn insert(&self, key: IdempotencyKey, team: TeamId) {
        let mut teams = self.teams.write().unwrap_or_else(|e| e.into_inner());
        teams.insert(key.0, team);
    }

    /// The team whose token this is, if any.
    pub fn team(&self, token: &Token) -> Option<TeamId> {
        let teams = self.teams.read().unwrap_or_else(|e| e.into_inner());
        teams.get(&token.key().0).copied()
    }
}

/// The admin's token file in the store directory `data`.
pub fn admin_file(data: &Path) -> PathBuf {
    data.join(ADMIN_FILE)
}

/// Whether `token` is the admin's, per the digest in `data`'s admin file (none: nobody is).
pub fn is_admin(data: &Path, token: &Token) -> bool {
    let Ok(text) = std::fs::read_to_string(admin_file(data)) else {
        return false;
    };
    constant_time_eq(
        text.trim().as_bytes(),
        hex::encode(token.digest()).as_bytes(),
    )
}

/// Makes a new admin token, replacing the previous one: writes its digest to a temporary
/// file, syncs it and renames it over the old one, so a crash leaves one or the other.
pub fn new_admin(data: &Path) -> Result<Token, String> {
    let token = Token::random()?;
    let path = admin_file(data);
    let temporary = data.join(format!("{ADMIN_FILE}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        writeln!(file, "{}", hex::encode(token.digest()))?;
        file.sync_all()?;
        std::fs::rename(&temporary, &path)?;
        std::fs::File::open(data)?.sync_all()
    };
    write().map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(token)
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths, so a guess's
/// timing says nothing about how much of it matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_keys_differ() {
        let a = Token::random().expect("random");
        let b = Token::random().expect("random");
        assert_eq!(Token::parse(&a.to_hex()), Some(a.clone()));
        assert_ne!(a.key(), b.key());
        assert!(a.csrf_matches(&a.csrf()));
        assert!(!a.csrf_matches(&b.csrf()));
        for bad in ["", "xyz", &a.to_hex()[..31], &format!("{}0", a.to_hex())] {
            assert_eq!(Token::parse(bad), None, "{bad:?}");
        }
    }
}
