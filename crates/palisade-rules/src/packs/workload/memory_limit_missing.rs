//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct MemoryLimitMissing;

impl Rule for MemoryLimitMissing {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
