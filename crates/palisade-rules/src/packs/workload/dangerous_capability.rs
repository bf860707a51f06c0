//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct DangerousCapability;

impl Rule for DangerousCapability {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
