//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct HostAliases;

impl Rule for HostAliases {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
