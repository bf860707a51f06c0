//! A Kubernetes object as loaded from a source: its value, where it came from, and the
//! position of every field.

use crate::intern::Str;
use crate::position::{PositionTree, Span};
use crate::value::{Map, Value};
use serde::Serialize;
use std::sync::{Arc, OnceLock};

/// Identifies an object the way Kubernetes does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    #[serde(rename = "apiVersion")]
    pub api_version: Str,
    pub kind: Str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Str>,
    pub name: Str,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// A source position of a field, ready for reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: Str,
    pub line: u32,
    pub column: u32,
    /// The Helm template the object was rendered from (`# Source:` comment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Str>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A mapping key that appeared twice; the last value is the one Kubernetes uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// JSON Pointer of the duplicated field, relative to the object.
    pub pointer: String,
    /// Where the key first appeared (the value that is ignored).
    pub first: Span,
    /// Where it appeared again (the value that is used).
    pub second: Span,
}

/// One Kubernetes object.
#[derive(Debug, Clone)]
pub struct Object {
    pub value: Value,
    /// Shared with every finding on the object.
    pub reference: Arc<ObjectRef>,
    pub file: Str,
    /// 0-based index of the document in its file or stream.
    pub document: u32,
    /// Index in `items` when the object came from a `kind: List` (or `*List`) document.
    pub item: Option<u32>,
    pub template: Option<Str>,
    /// Positions of the nodes of `value`, aligned with it (see [`PositionTree`]).
    pub positions: PositionTree,
    pub duplicates: Vec<DuplicateKey>,
    /// Where the pod spec and containers are, found on first use: some forty rules ask for
    /// the workload view of every object.
    pub(crate) shape: OnceLock<Option<Box<crate::workload::Shape>>>,
    /// [`Object::app_or_namespace`], found on first use and shared with every finding.
    group: OnceLock<Option<Str>>,
}

impl ObjectRef {
    /// Read apiVersion, kind, namespace and name (or generateName) from a value.
    pub fn from_value(value: &Value) -> Self {
        let metadata = value.get("metadata");
        // Values of the loaded object, shared: API versions, kinds and namespaces repeat.
        let text = |value: Option<&Value>| match value {
            Some(Value::String(text)) => Some(text.clone()),
            _ => None,
        };
        let name = metadata
            .and_then(|m| text(m.get("name")).or_else(|| text(m.get("generateName"))))
            .unwrap_or_default();
        let namespace = metadata
            .and_then(|m| text(m.get("namespace")))
            .filter(|ns| !ns.is_empty());
        Self {
            api_version: text(value.get("apiVersion")).unwrap_or_default(),
            kind: text(value.get("kind")).unwrap_or_default(),
            namespace,
            name,
        }
    }
}

static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();

fn empty_map() -> &'static Map {
    EMPTY.get_or_init(Map::new)
}

impl Object {
    /// Build an object from a value and its positions; the reference is read from the value.
    pub fn new(value: impl Into<Value>, file: Str, document: u32, positions: PositionTree) -> Self {
        let value = value.into();
        let reference = Arc::new(ObjectRef::from_value(&value));
        Self {
            value,
            reference,
            file,
            document,
            item: None,
            template: None,
            positions,
            duplicates: Vec::new(),
            shape: OnceLock::new(),
            group: OnceLock::new(),
        }
    }

    pub fn kind(&self) -> &str {
        &self.reference.kind
    }

    pub fn name(&self) -> &str {
        &self.reference.name
    }

    pub fn namespace(&self) -> Option<&str> {
        self.reference.namespace.as_deref()
    }

    /// The API group of `apiVersion` (empty for the core group).
    pub fn api_group(&self) -> &str {
        match self.reference.api_version.split_once('/') {
            Some((group, _)) => group,
            None => "",
        }
    }

    pub fn metadata(&self) -> Option<&Map> {
        self.value.get("metadata").and_then(Value::as_object)
    }

    /// `metadata.labels`, empty when absent.
    pub fn labels(&self) -> &Map {
        self.metadata()
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object)
            .unwrap_or_else(|| empty_map())
    }

    /// `metadata.annotations`, empty when absent.
    pub fn annotations(&self) -> &Map {
        self.metadata()
            .and_then(|m| m.get("annotations"))
            .and_then(Value::as_object)
            .unwrap_or_else(|| empty_map())
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations().get(key).and_then(Value::as_str)
    }

    /// The value at a JSON Pointer.
    pub fn get(&self, pointer: &str) -> Option<&Value> {
        crate::pointer::get(&self.value, pointer)
    }

    /// Where the field at `pointer` is, or its closest existing ancestor.
    pub fn location(&self, pointer: &str) -> Location {
        let (span, _) = self.positions.locate(&self.value, pointer);
        self.location_at(span)
    }

    pub fn location_at(&self, span: Span) -> Location {
        Location {
            file: self.file.clone(),
            line: span.line,
            column: span.column,
            template: self.template.clone(),
        }
    }

    /// The application the object belongs to, from its labels (`app.kubernetes.io/part-of`,
    /// `app.kubernetes.io/name`, `app`, `k8s-app`), the pod template's labels, or the Helm
    /// release that installed it. `None` when nothing names one; callers fall back to the
    /// namespace.
    pub fn app(&self) -> Option<&str> {
        const KEYS: [&str; 4] = [
            "app.kubernetes.io/part-of",
            "app.kubernetes.io/name",
            "app",
            "k8s-app",
        ];
        let template_labels = self
            .pod_metadata()
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object);
        for key in KEYS {
            for labels in [Some(self.labels()), template_labels].into_iter().flatten() {
                if let Some(app) = labels.get(key).and_then(Value::as_str)
                    && !app.is_empty()
                {
                    return Some(app);
                }
            }
        }
        self.annotation("meta.helm.sh/release-name")
            .or_else(|| self.labels().get("release").and_then(Value::as_str))
            .or_else(|| {
                self.labels()
                    .get("helm.sh/chart")
                    .and_then(Value::as_str)
                    .map(|chart| chart.rsplit_once('-').map_or(chart, |(name, _)| name))
            })
    }

    /// The application name used to group findings: [`Object::app`], else the namespace.
    pub fn app_or_namespace(&self) -> Option<&str> {
        self.app().or_else(|| self.namespace())
    }

    /// [`Object::app_or_namespace`] as a shared string, computed once per object.
    pub fn group(&self) -> Option<Str> {
        self.group
            .get_or_init(|| self.app_or_namespace().map(Str::from))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_and_app() {
        let value = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "shop-web"}},
            "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "web"}},
                     "spec": {"containers": [{"name": "c", "image": "x"}]}}}
        });
        let object = Object::new(value, "f.yaml".into(), 0, PositionTree::default());
        assert_eq!(object.reference.to_string(), "Deployment shop/web");
        assert_eq!(object.api_group(), "apps");
        // The standard label wins over `app`, wherever it is.
        assert_eq!(object.app(), Some("web"));
    }

    #[test]
    fn app_falls_back_to_namespace() {
        let value = json!({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "c", "namespace": "ns"}});
        let object = Object::new(value, "f.yaml".into(), 0, PositionTree::default());
        assert_eq!(object.app(), None);
        assert_eq!(object.app_or_namespace(), Some("ns"));
    }
}
