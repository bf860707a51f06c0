//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct ImageTagMutable;

impl Rule for ImageTagMutable {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
