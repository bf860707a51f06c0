//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct RootFilesystemWritable;

impl Rule for RootFilesystemWritable {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
