//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct ImageRegistryNotAllowed;

impl Rule for ImageRegistryNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
