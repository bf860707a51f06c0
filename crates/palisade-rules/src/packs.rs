//! Rule packs, one module per pack, one file per rule.

pub mod deprecations;
pub mod manifest;
pub mod network;
pub mod rbac;
pub mod secrets;
pub mod tenancy;
pub mod workload;
