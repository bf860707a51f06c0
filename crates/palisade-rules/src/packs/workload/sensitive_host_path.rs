//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct SensitiveHostPath;

impl Rule for SensitiveHostPath {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
