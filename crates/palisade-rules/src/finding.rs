//! A finding: one rule, one object, one field, with its location.

use crate::meta::{RuleMeta, Severity};
use palisade_model::intern::{Str, Text};
use palisade_model::value::ThinVec;
use palisade_model::{Location, ObjectRef};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: Text,
    /// The object, shared with every other finding on it.
    pub object: Arc<ObjectRef>,
    pub container: Option<Text>,
    /// JSON Pointer (RFC 6901) to the offending field, relative to the object.
    pub path: Text,
    pub location: Option<Location>,
    /// Other places that matter (e.g. the first occurrence of a duplicate key).
    pub related: ThinVec<(String, Location)>,
    /// The application the object belongs to, else its namespace.
    pub app: Option<Str>,
    /// A remediation specific to this finding; otherwise the rule's applies.
    pub remediation: Option<Text>,
}

impl Finding {
    pub fn remediation(&self) -> &str {
        self.remediation.as_deref().unwrap_or(self.rule.remediation)
    }

    /// Sort key: file, line, column, then rule code, so output is stable.
    pub fn sort_key(&self) -> (Option<&Location>, &str, &ObjectRef, &str) {
        (
            self.location.as_ref(),
            self.rule.code,
            &self.object,
            &self.path,
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn findings_stay_small() {
        // The 922 MB synthetic cluster gives 2.7 million findings, held twice while they are
        // merged: each byte here is 5 MB.
        assert_eq!(std::mem::size_of::<super::Finding>(), 96);
    }
}
