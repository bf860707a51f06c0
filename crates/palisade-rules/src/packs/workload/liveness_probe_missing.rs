//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct LivenessProbeMissing;

impl Rule for LivenessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
