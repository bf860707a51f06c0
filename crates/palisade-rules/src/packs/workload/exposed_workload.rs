//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct ExposedWorkload;

impl Rule for ExposedWorkload {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
