//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct DefaultNamespace;

impl Rule for DefaultNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
