//! `MF`: problems of the manifest itself, such as duplicate keys that hide a value.

use crate::meta::Rule;

pub mod duplicate_key;

pub static RULES: &[&dyn Rule] = &[&duplicate_key::DuplicateKey];
