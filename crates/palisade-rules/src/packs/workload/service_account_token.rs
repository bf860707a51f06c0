//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct ServiceAccountToken;

impl Rule for ServiceAccountToken {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
