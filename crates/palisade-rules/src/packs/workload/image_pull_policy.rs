//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct ImagePullPolicy;

impl Rule for ImagePullPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
