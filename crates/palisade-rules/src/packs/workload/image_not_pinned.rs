//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct ImageNotPinned;

impl Rule for ImageNotPinned {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
