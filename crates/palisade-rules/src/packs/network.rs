//! `NP`: NetworkPolicy coverage, allow-all rules and external exposure.

use crate::meta::Rule;

pub static RULES: &[&dyn Rule] = &[];
