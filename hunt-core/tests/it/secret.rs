//! The secret's fingerprint: a definition that records it is only opened with that secret,
//! so a wrong secret cannot silently judge every sealed answer wrong.

use std::sync::Arc;

use hmac::{Hmac, KeyInit as _, Mac as _};
use hunt_core::answer::{Normalization, Secret, seal};
use hunt_core::state::{HuntState, SecretError};

fn sealed_hunt(secret: &Secret, fingerprint: Option<String>) -> hunt_core::Hunt {
    let digest = seal(secret, "vault", Normalization::Caseless, "open sesame");
    let fingerprint =
        fingerprint.map_or(String::new(), |f| format!("secret_fingerprint = \"{f}\""));
    let source = format!(
        r#"
id = "sealed"
title = "Sealed"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z
{fingerprint}
[[challenge]]
id = "vault"
title = "Vault"
points = 100
sealed = ["{digest}"]
"#
    );
    hunt_core::definition::load(&source).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_fingerprint_is_the_hmac_of_a_fixed_label_never_the_secret() {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").expect("any key");
    mac.update(b"hunt secret fingerprint v1");
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(Secret::new("s3cret").fingerprint().to_string(), expected);
    assert_ne!(
        Secret::new("s3cret").fingerprint(),
        Secret::new("s3cret!").fingerprint()
    );
}

#[test]
fn a_definition_with_a_fingerprint_opens_only_with_its_secret() {
    let secret = Secret::new("s3cret");
    let fingerprint = Some(secret.fingerprint().to_string());
    let hunt = Arc::new(sealed_hunt(&secret, fingerprint));
    assert!(HuntState::new(hunt.clone(), Some(secret.clone())).is_ok());
    let id = hunt.id.clone();
    assert_eq!(
        HuntState::new(hunt.clone(), Some(Secret::new("wrong"))).err(),
        Some(SecretError::Mismatch(id.clone()))
    );
    assert_eq!(
        HuntState::new(hunt.clone(), Some(Secret::new(""))).err(),
        Some(SecretError::Mismatch(id.clone()))
    );
    assert_eq!(
        HuntState::new(hunt, None).err(),
        Some(SecretError::Missing(id))
    );
    // Without a recorded fingerprint, any secret opens it, as before.
    let old = Arc::new(sealed_hunt(&secret, None));
    assert!(HuntState::new(old, Some(Secret::new("wrong"))).is_ok());
}
