//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct CpuRequestMissing;

impl Rule for CpuRequestMissing {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
