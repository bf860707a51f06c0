//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct RunAsRootGroup;

impl Rule for RunAsRootGroup {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
