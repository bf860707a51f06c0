//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct WritableHostPath;

impl Rule for WritableHostPath {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
