//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct ReadinessProbeMissing;

impl Rule for ReadinessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
