//! Turns a built document into Kubernetes objects: empty documents vanish, tool files
//! (Kustomize, Helm chart metadata and values) and anything without `apiVersion` and `kind`
//! become notices, and `kind: List` (or any `*List` with an `items` list) is split into one
//! object per item.

use crate::build::Document;
use palisade_model::Value;
use palisade_model::intern::Str;
use palisade_model::{DuplicateKey, Notice, Object, PositionTree};

/// Where a document came from.
pub(crate) struct Origin<'a> {
    pub file: &'a Str,
    pub document: u32,
    pub template: Option<Str>,
}

/// What a document yielded.
#[derive(Default)]
pub(crate) struct Yield {
    pub objects: Vec<Object>,
    pub notices: Vec<Notice>,
}

const NOT_AN_OBJECT: &str = "not a Kubernetes object (no apiVersion/kind)";

fn has_type(value: &Value) -> bool {
    value.get("apiVersion").is_some_and(Value::is_string)
        && value.get("kind").is_some_and(Value::is_string)
}

fn base_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// Why a file that is not a Kubernetes object was skipped, judged by its name.
fn tool_file(file: &str) -> Option<&'static str> {
    let name = base_name(file);
    match name {
        "kustomization.yaml" | "kustomization.yml" | "Kustomization" => {
            Some("Kustomize configuration, not a Kubernetes object")
        }
        "Chart.yaml" | "Chart.yml" => {
            Some("Helm chart metadata (Chart.yaml), not a Kubernetes object")
        }
        _ if name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml")) => {
            Some("Helm values file, not a Kubernetes object")
        }
        _ => None,
    }
}

pub(crate) fn classify(document: Document, origin: &Origin<'_>) -> Yield {
    let mut out = Yield::default();
    let Document {
        mut value,
        positions,
        duplicates,
    } = document;
    if value.is_null() {
        return out;
    }
    let line = positions.span().line;
    let notice = |message: String| Notice {
        file: origin.file.clone(),
        document: Some(origin.document),
        line: Some(line),
        message,
    };
    if !has_type(&value) {
        let message = tool_file(origin.file).unwrap_or(NOT_AN_OBJECT);
        out.notices.push(notice(message.to_string()));
        return out;
    }
    let api_version = value["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = value["kind"].as_str().unwrap_or_default().to_string();
    if api_version.starts_with("kustomize.config.k8s.io/") {
        out.notices.push(notice(format!(
            "Kustomize configuration (kind {kind}), not a Kubernetes object"
        )));
        return out;
    }
    if kind.ends_with("List") && value.get("items").is_some_and(Value::is_array) {
        let items_node = value
            .as_object()
            .and_then(|map| map.keys().position(|key| key == "items"))
            .and_then(|i| positions.child(0, i));
        let items = match value.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => items.into_iter().collect(),
            _ => Vec::new(),
        };
        let list_span = positions.span();
        // API list responses (`PodList`, `RoleList`, ...) leave the type out of their items:
        // the list's kind and apiVersion say what they are.
        let item_type = kind
            .strip_suffix("List")
            .filter(|k| !k.is_empty())
            .map(|k| (api_version.to_string(), k.to_string()));
        let mut item_nodes = items_node
            .into_iter()
            .flat_map(|node| positions.children(node));
        for (i, mut item) in items.into_iter().enumerate() {
            if let (Some((item_api_version, item_kind)), Some(map)) =
                (&item_type, item.as_object_mut())
                && !map.contains_key("kind")
                && !map.contains_key("apiVersion")
            {
                // Appended after the item's own fields, so its positions stay aligned.
                map.insert("apiVersion", Value::from(item_api_version.as_str()));
                map.insert("kind", Value::from(item_kind.as_str()));
            }
            let tree = item_nodes
                .next()
                .and_then(|node| positions.subtree(node))
                .unwrap_or_else(|| PositionTree::leaf(list_span));
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            if !has_type(&item) {
                if !item.is_null() {
                    out.notices.push(Notice {
                        file: origin.file.clone(),
                        document: Some(origin.document),
                        line: Some(tree.span().line),
                        message: format!("item {i} of {kind}: {NOT_AN_OBJECT}"),
                    });
                }
                continue;
            }
            let prefix = format!("/items/{i}");
            let mut object = Object::new(item, origin.file.clone(), origin.document, tree);
            object.item = Some(index);
            object.template = origin.template.clone();
            object.duplicates = rebase(&duplicates, &prefix);
            out.objects.push(object);
        }
        return out;
    }
    let mut object = Object::new(value, origin.file.clone(), origin.document, positions);
    object.template = origin.template.clone();
    object.duplicates = duplicates;
    out.objects.push(object);
    out
}

/// Duplicates under `prefix`, with pointers made relative to it.
fn rebase(duplicates: &[DuplicateKey], prefix: &str) -> Vec<DuplicateKey> {
    duplicates
        .iter()
        .filter_map(|d| {
            let rest = d.pointer.strip_prefix(prefix)?;
            rest.starts_with('/').then(|| DuplicateKey {
                pointer: rest.to_string(),
                first: d.first,
                second: d.second,
            })
        })
        .collect()
}
