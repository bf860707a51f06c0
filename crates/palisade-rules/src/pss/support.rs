//! Shared plumbing for the Pod Security checks: reading fields of the pod and its containers
//! the way the API server's typed decoding sees them (an explicit `null` is unset), building
//! JSON Pointers that stop at the closest existing field, and collecting violations.

use super::{Check, Level, Version, Violation};
use palisade_model::pointer;
use palisade_model::{Container, Workload};
use palisade_model::{Map, Value};

/// What a check looks at: the workload and the resolved policy version.
pub(crate) struct Context<'w, 'a> {
    pub workload: &'w Workload<'a>,
    pub version: Version,
}

impl<'w, 'a> Context<'w, 'a> {
    pub fn at_least(&self, minor: u32) -> bool {
        self.version.at_least(minor)
    }

    /// `spec.os.name` is `windows`.
    pub fn is_windows(&self) -> bool {
        self.workload.os() == Some("windows")
    }

    /// `spec.hostUsers` is explicitly `false`: the pod runs in a user namespace.
    pub fn in_user_namespace(&self) -> bool {
        self.workload.pod_spec.get("hostUsers") == Some(&Value::Bool(false))
    }

    /// A field below the pod spec, ignoring explicit nulls.
    pub fn pod(&self, segments: &[&str]) -> Option<&'a Value> {
        walk(self.workload.pod_spec, segments)
    }

    /// Pointer to a field below the pod spec, or to its closest existing ancestor.
    pub fn pod_path(&self, segments: &[&str]) -> String {
        locate(
            self.workload.pod_spec,
            self.workload.pod_spec_path,
            segments,
        )
    }

    /// Pod template annotations.
    pub fn annotations(&self) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.workload.pod_annotations().into_iter().flatten()
    }

    pub fn annotation_path(&self, key: &str) -> String {
        let segments = ["annotations", key];
        match self.workload.pod_metadata {
            Some(metadata) => locate(metadata, self.workload.pod_metadata_path, &segments),
            None => self.workload.pod_metadata_path.to_string(),
        }
    }

    /// Every container: init, regular, then ephemeral, as upstream visits them.
    pub fn containers(&self) -> impl Iterator<Item = &'w Container<'a>> + 'w {
        self.workload.containers.iter()
    }
}

/// A field below a container, ignoring explicit nulls.
pub fn field<'a>(container: &Container<'a>, segments: &[&str]) -> Option<&'a Value> {
    walk(container.spec, segments)
}

/// Pointer to a field below a container, or to its closest existing ancestor.
pub fn field_path(container: &Container<'_>, segments: &[&str]) -> String {
    locate(container.spec, container.path, segments)
}

/// The value at `segments` below `base`; `None` when absent or `null`.
pub fn walk<'a>(base: &'a Map, segments: &[&str]) -> Option<&'a Value> {
    let (first, rest) = segments.split_first()?;
    let mut node = base.get(first)?;
    for segment in rest {
        node = child(node, segment)?;
    }
    (!node.is_null()).then_some(node)
}

fn child<'a>(node: &'a Value, segment: &str) -> Option<&'a Value> {
    match node {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

/// The pointer of `segments` below `base` (at `base_path`), cut at the last existing field.
pub fn locate(base: &Map, base_path: &str, segments: &[&str]) -> String {
    let mut path = base_path.to_string();
    let Some((first, rest)) = segments.split_first() else {
        return path;
    };
    let Some(mut node) = base.get(first) else {
        return path;
    };
    path = pointer::join(&path, first);
    for segment in rest {
        match child(node, segment) {
            Some(next) => {
                node = next;
                path = pointer::join(&path, segment);
            }
            None => break,
        }
    }
    path
}

/// The value is the boolean `true`.
pub fn is_true(value: Option<&Value>) -> bool {
    value == Some(&Value::Bool(true))
}

/// A string field; absent, null or non-string reads as empty, as Go's zero value.
pub fn string(value: Option<&Value>) -> &str {
    value.and_then(Value::as_str).unwrap_or("")
}

/// An integer field is non-zero (absent and null are zero).
pub fn non_zero(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Number(number)) => number.as_f64().is_some_and(|n| n != 0.0),
        _ => false,
    }
}

/// An integer field is exactly zero.
pub fn is_zero(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Number(number)) => number.as_f64() == Some(0.0),
        _ => false,
    }
}

/// The items of a list field (absent, null or not a list: none).
pub fn items(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).unwrap_or_default()
}

/// `"text"`, quoted the way Go's `%q` does for ordinary strings.
pub fn quote(text: &str) -> String {
    format!("\"{}\"", text.escape_debug())
}

/// `container "name"`, as upstream names containers of every kind.
pub fn describe(container: &Container<'_>) -> String {
    format!("container {}", quote(container.name))
}

/// Collects the violations of one check.
pub(crate) struct Report<'o> {
    check: &'static str,
    level: Level,
    out: &'o mut Vec<Violation>,
}

impl<'o> Report<'o> {
    pub fn new(check: &Check, out: &'o mut Vec<Violation>) -> Self {
        Self {
            check: check.id,
            level: check.level,
            out,
        }
    }

    pub fn add(&mut self, path: String, reason: &str, detail: String) {
        self.out.push(Violation {
            check: self.check,
            level: self.level,
            path,
            reason: reason.to_string(),
            detail,
        });
    }
}
