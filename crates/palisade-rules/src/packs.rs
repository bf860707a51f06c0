//! Rule packs, one module per pack, one file per rule.

pub mod manifest;
pub mod workload;
