//! Reading the API server's discovery documents: which groups exist, their preferred
//! versions, and the listable resources of each group version; and finding the custom resources
//! whose definitions say they carry a pod template.

use palisade_model::Value;

/// A listable resource in one group version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resource {
    /// `v1`, `apps/v1`, `argoproj.io/v1alpha1`.
    pub group_version: String,
    /// Plural name used in paths.
    pub name: String,
    pub kind: String,
    pub namespaced: bool,
}

impl Resource {
    pub fn group(&self) -> &str {
        self.group_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// The base path of the group version: `/api/v1` or `/apis/apps/v1`.
    pub fn base(&self) -> String {
        discovery_path(&self.group_version)
    }

    /// The list path, across all namespaces or in one.
    pub fn list_path(&self, namespace: Option<&str>) -> String {
        match namespace {
            Some(ns) if self.namespaced => {
                format!("{}/namespaces/{ns}/{}", self.base(), self.name)
            }
            _ => format!("{}/{}", self.base(), self.name),
        }
    }
}

/// The discovery path of a group version.
pub(crate) fn discovery_path(group_version: &str) -> String {
    if group_version.contains('/') {
        format!("/apis/{group_version}")
    } else {
        format!("/api/{group_version}")
    }
}

/// `(group, preferred group version)` from an `APIGroupList` (`GET /apis`).
pub(crate) fn preferred_versions(groups: &Value) -> Vec<(String, String)> {
    groups
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|group| {
            let name = group.get("name")?.as_str()?;
            let preferred = group
                .pointer("/preferredVersion/groupVersion")
                .and_then(Value::as_str)
                .or_else(|| group.pointer("/versions/0/groupVersion")?.as_str())?;
            Some((name.to_string(), preferred.to_string()))
        })
        .collect()
}

/// The listable top-level resources of an `APIResourceList` (subresources such as
/// `pods/log` are left out).
pub(crate) fn resources(list: &Value) -> Vec<Resource> {
    let group_version = list
        .get("groupVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    list.get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|resource| {
            let name = resource.get("name")?.as_str()?;
            if name.contains('/') {
                return None;
            }
            let listable = resource
                .get("verbs")
                .and_then(Value::as_array)
                .is_some_and(|verbs| verbs.iter().any(|v| v.as_str() == Some("list")));
            if !listable {
                return None;
            }
            Some(Resource {
                group_version: group_version.to_string(),
                name: name.to_string(),
                kind: resource.get("kind")?.as_str()?.to_string(),
                namespaced: resource
                    .get("namespaced")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
            })
        })
        .collect()
}

fn has_pod_template(schema: &Value) -> bool {
    schema
        .pointer("/properties/spec/properties/template/properties/spec/properties/containers")
        .is_some()
}

/// The custom resource a CRD defines, when it carries a pod template (its schema has
/// `spec.template.spec.containers`, or it is one of `known`), in the version to list:
/// `preferred` when that version is served, else the storage version.
pub(crate) fn pod_template_resource(
    crd: &Value,
    preferred: Option<&str>,
    known: &[(&str, &str)],
) -> Option<Resource> {
    let spec = crd.get("spec")?;
    let group = spec.get("group")?.as_str()?;
    let plural = spec.pointer("/names/plural")?.as_str()?;
    let kind = spec.pointer("/names/kind")?.as_str()?;
    let versions = spec.get("versions")?.as_array()?;
    let served = |v: &&Value| v.get("served").and_then(Value::as_bool) == Some(true);
    let version = versions
        .iter()
        .filter(served)
        .find(|v| {
            preferred.is_some_and(|p| v.get("name").and_then(Value::as_str) == p.rsplit('/').next())
        })
        .or_else(|| {
            versions
                .iter()
                .filter(served)
                .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        })
        .or_else(|| versions.iter().find(served))?;
    let carries = version
        .pointer("/schema/openAPIV3Schema")
        .is_some_and(has_pod_template)
        || known.iter().any(|(g, r)| *g == group && *r == plural);
    if !carries {
        return None;
    }
    Some(Resource {
        group_version: format!("{group}/{}", version.get("name")?.as_str()?),
        name: plural.to_string(),
        kind: kind.to_string(),
        namespaced: spec.get("scope").and_then(Value::as_str) != Some("Cluster"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::value;

    #[test]
    fn resources_skip_subresources_and_unlistable() {
        let list = value!({"groupVersion": "v1", "resources": [
            {"name": "pods", "kind": "Pod", "namespaced": true, "verbs": ["get", "list"]},
            {"name": "pods/log", "kind": "Pod", "namespaced": true, "verbs": ["get"]},
            {"name": "bindings", "kind": "Binding", "namespaced": true, "verbs": ["create"]},
            {"name": "nodes", "kind": "Node", "namespaced": false, "verbs": ["list"]},
        ]});
        let found = resources(&list);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].list_path(Some("shop")),
            "/api/v1/namespaces/shop/pods"
        );
        assert_eq!(found[1].list_path(Some("shop")), "/api/v1/nodes");
        assert_eq!(found[0].group(), "");
    }

    fn crd(schema: Value, group: &str, plural: &str) -> Value {
        value!({"spec": {"group": group, "scope": "Namespaced",
            "names": {"plural": plural, "kind": "Thing"},
            "versions": [
                {"name": "v1alpha1", "served": true, "storage": false},
                {"name": "v1", "served": true, "storage": true,
                 "schema": {"openAPIV3Schema": schema}}]}})
    }

    #[test]
    fn finds_custom_resources_with_pod_templates() {
        let schema = value!({"properties": {"spec": {"properties": {"template": {"properties":
            {"spec": {"properties": {"containers": {"type": "array"}}}}}}}}});
        let with = crd(schema, "example.com", "things");
        let found = pod_template_resource(&with, Some("example.com/v1"), &[]).unwrap();
        assert_eq!(found.list_path(None), "/apis/example.com/v1/things");
        assert!(found.namespaced);

        let without = crd(value!({"properties": {}}), "example.com", "things");
        assert!(pod_template_resource(&without, None, &[]).is_none());
        // A known pod-template resource without a schema, listed in its preferred version.
        let rollout = crd(value!({}), "argoproj.io", "rollouts");
        let found = pod_template_resource(
            &rollout,
            Some("argoproj.io/v1alpha1"),
            &[("argoproj.io", "rollouts")],
        )
        .unwrap();
        assert_eq!(found.group_version, "argoproj.io/v1alpha1");
    }
}
