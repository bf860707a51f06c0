//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct CpuLimitMissing;

impl Rule for CpuLimitMissing {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
