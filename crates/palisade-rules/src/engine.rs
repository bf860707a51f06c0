//! The engine: runs the selected rules over an inventory in parallel and collects findings.
//! Pure: the same inventory and rules always give the same findings, in the same order.

use crate::finding::Finding;
use crate::meta::{Rule, RuleMeta};
use palisade_model::{Inventory, Object};
use rayon::prelude::*;

/// Where a rule reports findings. One sink per rule invocation.
pub struct Sink<'r> {
    rule: &'static RuleMeta,
    findings: &'r mut Vec<Finding>,
}

impl<'r> Sink<'r> {
    pub fn new(rule: &'static RuleMeta, findings: &'r mut Vec<Finding>) -> Self {
        Self { rule, findings }
    }

    /// Report a finding on `object` at the field `path` (a JSON Pointer). The location is the
    /// field's, or that of its closest ancestor when the field is absent. Returns the finding
    /// so the caller can add the container or a specific remediation.
    pub fn report(
        &mut self,
        object: &Object,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Finding {
        let path = path.into();
        let location = object.location(&path);
        self.findings.push(Finding {
            rule: self.rule,
            severity: self.rule.severity,
            message: message.into(),
            object: object.reference.clone(),
            container: None,
            location: Some(location),
            path,
            related: Vec::new(),
            app: object.app_or_namespace().map(str::to_string),
            remediation: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

impl Finding {
    pub fn in_container(&mut self, name: &str) -> &mut Self {
        self.container = Some(name.to_string());
        self
    }

    pub fn with_remediation(&mut self, text: impl Into<String>) -> &mut Self {
        self.remediation = Some(text.into());
        self
    }
}

/// Run `rules` over `inventory`. Object hooks run in parallel over objects; inventory hooks in
/// parallel over rules. Findings come back sorted by location and rule.
pub fn check(inventory: &Inventory, rules: &[&'static dyn Rule]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = inventory
        .objects()
        .par_iter()
        .fold(Vec::new, |mut found, object| {
            for rule in rules {
                rule.check_object(object, &mut Sink::new(rule.meta(), &mut found));
            }
            found
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    let mut joined: Vec<Finding> = rules
        .par_iter()
        .flat_map_iter(|rule| {
            let mut found = Vec::new();
            rule.check_inventory(inventory, &mut Sink::new(rule.meta(), &mut found));
            found
        })
        .collect();
    findings.append(&mut joined);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
}
