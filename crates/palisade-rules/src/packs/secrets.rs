//! `SE`: secrets hygiene: credentials in plain text, Secrets committed to manifests, secrets
//! exposed as environment variables, references to Secrets and ConfigMaps that do not exist.

use crate::meta::Rule;

mod detect;
pub mod missing_reference;
pub mod plaintext_credential;
pub mod secret_in_env;
pub mod secret_in_manifest;

pub static RULES: &[&dyn Rule] = &[
    &plaintext_credential::PlaintextCredential,
    &secret_in_manifest::SecretInManifest,
    &secret_in_env::SecretInEnv,
    &missing_reference::MissingReference,
];
