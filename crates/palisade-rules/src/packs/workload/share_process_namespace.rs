//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct ShareProcessNamespace;

impl Rule for ShareProcessNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
