//! `RB`: RBAC: risky grants, bindings to dangerous subjects, unused roles, escalation paths and
//! the permissions of the identities workloads run as.

use crate::meta::Rule;

pub static RULES: &[&dyn Rule] = &[];
