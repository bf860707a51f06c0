//! Palisade's rule engine: rule metadata and the `Rule` trait, the registry of rule packs, the
//! parallel engine that produces located findings, and the settings that select rules, override
//! severities and apply exceptions.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod docs;
pub mod engine;
pub mod finding;
pub mod meta;
pub mod netpol;
pub mod packs;
pub mod pss;
pub mod rbac;
pub mod registry;
pub mod settings;

pub use engine::{Context, Sink, check, check_parts, check_with};
pub use finding::{Finding, Findings};
pub use meta::{Pack, Reference, Rule, RuleMeta, Severity};
pub use registry::{all_rules, find_rule};
