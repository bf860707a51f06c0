//! The default ClusterRoles of the API server's bootstrap policy (Kubernetes 1.32, as a live
//! API server created them), used when bindings name a default role the input lacks.
//! An aggregated default (`admin`, `edit`, `view`) is filled in without its stored rules, with
//! the defaults it aggregates, so that aggregation is computed over the input too.

use super::{Origin, Role, RoleKind, role_from_object};
use palisade_model::Value;
use palisade_model::{Object, PositionTree};
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

/// Kubernetes version the built-in definitions come from.
pub const KUBERNETES_VERSION: &str = "1.32";

static DEFAULTS: LazyLock<Vec<Object>> = LazyLock::new(|| {
    let value: Value = serde_json::from_str(include_str!("defaults.json")).unwrap_or_default();
    value
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| {
            Object::new(
                item.clone(),
                "<built-in>".into(),
                0,
                PositionTree::default(),
            )
        })
        .collect()
});

/// Every default ClusterRole.
pub fn all() -> &'static [Object] {
    &DEFAULTS
}

/// The default ClusterRole called `name`.
pub fn get(name: &str) -> Option<&'static Object> {
    DEFAULTS.iter().find(|o| o.name() == name)
}

/// Whether `object` is a default ClusterRole or ClusterRoleBinding as the API server creates
/// it: a default name and the `kubernetes.io/bootstrapping: rbac-defaults` label.
pub fn is_bootstrap_object(object: &Object) -> bool {
    let labelled = object
        .labels()
        .get("kubernetes.io/bootstrapping")
        .and_then(Value::as_str)
        == Some("rbac-defaults");
    labelled && get(object.name()).is_some()
}

/// Add the default ClusterRole `name` (and the defaults it aggregates) to `roles` unless a
/// role of that name is present.
pub(super) fn fill(
    name: &str,
    roles: &mut Vec<Role>,
    index: &mut HashMap<String, usize>,
    used: &mut BTreeSet<String>,
) {
    if index.contains_key(name) {
        return;
    }
    let Some(object) = get(name) else { return };
    let mut role = role_from_object(object, RoleKind::ClusterRole, Origin::BuiltIn);
    let selectors = role.aggregation.clone();
    if selectors.is_some() {
        role.own_rules.clear();
    }
    index.insert(name.to_string(), roles.len());
    roles.push(role);
    used.insert(name.to_string());
    if let Some(selectors) = selectors {
        for other in DEFAULTS.iter() {
            if other.name() != name && selectors.iter().any(|s| s.matches(other.labels())) {
                fill(other.name(), roles, index, used);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_embedded() {
        assert!(all().len() > 50);
        for name in [
            "cluster-admin",
            "admin",
            "edit",
            "view",
            "system:discovery",
            "system:basic-user",
            "system:public-info-viewer",
            "system:node",
        ] {
            assert!(get(name).is_some(), "{name}");
        }
        assert!(
            all()
                .iter()
                .all(|o| o.get("/metadata/managedFields").is_none())
        );
    }
}
