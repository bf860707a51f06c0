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

/// Findings in the parts the engine gathered them in (a run of objects, a rule), in no
/// particular order: reports order them. Merging millions of findings into one vector would
/// hold them twice at the peak of a scan.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    parts: Vec<Vec<Finding>>,
}

impl Findings {
    pub fn from_parts(parts: Vec<Vec<Finding>>) -> Self {
        Self { parts }
    }

    pub fn len(&self) -> usize {
        self.parts.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(Vec::is_empty)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Finding> + Clone {
        self.parts.iter().flatten()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Finding> {
        self.parts.iter_mut().flatten()
    }

    /// Move out the findings `take` accepts, keeping the others in place.
    pub fn extract(&mut self, mut take: impl FnMut(&mut Finding) -> bool) -> Vec<Finding> {
        let mut taken = Vec::new();
        for part in &mut self.parts {
            taken.extend(part.extract_if(.., &mut take));
        }
        taken
    }

    /// One vector, sorted by location, rule, object and field.
    pub fn into_sorted_vec(self) -> Vec<Finding> {
        use rayon::slice::ParallelSliceMut;
        let mut findings = Vec::with_capacity(self.len());
        for part in self.parts {
            findings.extend(part);
        }
        // In place and in parallel; renderers order ties by the full content of the finding.
        findings.par_sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings
    }
}

impl From<Vec<Finding>> for Findings {
    fn from(findings: Vec<Finding>) -> Self {
        Self {
            parts: vec![findings],
        }
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = &'a Finding;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Finding>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.parts.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn findings_stay_small() {
        // The 922 MB synthetic cluster gives 2.7 million findings: each byte here is 3 MB.
        assert_eq!(std::mem::size_of::<super::Finding>(), 96);
    }
}
