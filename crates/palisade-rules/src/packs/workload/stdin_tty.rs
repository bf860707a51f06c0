//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct StdinTty;

impl Rule for StdinTty {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
