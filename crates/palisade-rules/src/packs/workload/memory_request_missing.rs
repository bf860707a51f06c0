//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct MemoryRequestMissing;

impl Rule for MemoryRequestMissing {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
