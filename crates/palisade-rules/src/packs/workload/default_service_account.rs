//! Placeholder being written.

use crate::meta::{Rule, RuleMeta};

pub struct DefaultServiceAccount;

impl Rule for DefaultServiceAccount {
    fn meta(&self) -> &'static RuleMeta {
        &super::privileged_container::META
    }
}
