//! The workload view: the pod spec, pod template metadata and every container of any object
//! that carries a pod, so that rules never branch on Deployment versus CronJob.

use crate::object::Object;
use crate::pointer;
use crate::value::{Map, Value};

/// Which list a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    /// The pod spec field holding this kind of container.
    pub fn field(self) -> &'static str {
        match self {
            Self::Init => "initContainers",
            Self::Regular => "containers",
            Self::Ephemeral => "ephemeralContainers",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Init => "init container",
            Self::Regular => "container",
            Self::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod spec.
#[derive(Debug, Clone)]
pub struct Container<'a> {
    pub name: &'a str,
    pub kind: ContainerKind,
    pub spec: &'a Map,
    /// JSON Pointer of the container within the object.
    pub path: &'a str,
}

impl<'a> Container<'a> {
    /// `securityContext` of the container, if set.
    pub fn security_context(&self) -> Option<&'a Map> {
        self.spec.get("securityContext").and_then(Value::as_object)
    }

    /// A field of the container's `securityContext`.
    pub fn security(&self, field: &str) -> Option<&'a Value> {
        self.security_context().and_then(|sc| sc.get(field))
    }

    /// Pointer to a field of this container's `securityContext`.
    pub fn security_path(&self, field: &str) -> String {
        format!("{}/securityContext/{}", self.path, pointer::escape(field))
    }

    pub fn image(&self) -> Option<&'a str> {
        self.spec.get("image").and_then(Value::as_str)
    }

    /// "container `api`", "init container `setup`", for messages.
    pub fn describe(&self) -> String {
        format!("{} `{}`", self.kind.label(), self.name)
    }
}

/// The pod-carrying part of an object.
#[derive(Debug, Clone)]
pub struct Workload<'a> {
    pub pod_spec: &'a Map,
    /// JSON Pointer of the pod spec within the object (`/spec/template/spec` for a Deployment).
    pub pod_spec_path: &'static str,
    /// Metadata of the pod template (for a Pod, the object's own metadata).
    pub pod_metadata: Option<&'a Map>,
    pub pod_metadata_path: &'static str,
    pub containers: Vec<Container<'a>>,
}

impl<'a> Workload<'a> {
    /// The pod-level `securityContext`.
    pub fn pod_security_context(&self) -> Option<&'a Map> {
        self.pod_spec
            .get("securityContext")
            .and_then(Value::as_object)
    }

    /// A field of the pod-level `securityContext`.
    pub fn pod_security(&self, field: &str) -> Option<&'a Value> {
        self.pod_security_context().and_then(|sc| sc.get(field))
    }

    pub fn pod_security_path(&self, field: &str) -> String {
        format!(
            "{}/securityContext/{}",
            self.pod_spec_path,
            pointer::escape(field)
        )
    }

    /// Pointer to a field of the pod spec.
    pub fn spec_path(&self, field: &str) -> String {
        pointer::join(self.pod_spec_path, field)
    }

    /// `spec.os.name` of the pod, if set.
    pub fn os(&self) -> Option<&'a str> {
        self.pod_spec
            .get("os")
            .and_then(|os| os.get("name"))
            .and_then(Value::as_str)
    }

    /// Annotations of the pod (template).
    pub fn pod_annotations(&self) -> Option<&'a Map> {
        self.pod_metadata
            .and_then(|m| m.get("annotations"))
            .and_then(Value::as_object)
    }

    /// The effective value of a security field for a container: the container's own setting
    /// if present, else the pod's (as Kubernetes applies `PodSecurityContext` defaults).
    pub fn effective_security(&self, container: &Container<'a>, field: &str) -> Effective<'a> {
        if let Some(value) = container.security(field).filter(|v| !v.is_null()) {
            return Effective::Container(value);
        }
        if let Some(value) = self.pod_security(field).filter(|v| !v.is_null()) {
            return Effective::Pod(value);
        }
        Effective::Unset
    }
}

/// Where an effective security setting comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effective<'a> {
    Container(&'a Value),
    Pod(&'a Value),
    Unset,
}

impl<'a> Effective<'a> {
    pub fn value(self) -> Option<&'a Value> {
        match self {
            Self::Container(v) | Self::Pod(v) => Some(v),
            Self::Unset => None,
        }
    }
}

/// Kinds whose pod template sits at `spec.template`.
const TEMPLATE_KINDS: [&str; 6] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

/// Where an object keeps its pod: found once per object and kept with it, so that the
/// workload view costs a few indexed steps and no string building or key search.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    spec: Route,
    meta: Route,
    containers: Box<[Slot]>,
}

/// Where one container is: its kind, the entry of its list in the pod spec, its index in the
/// list, and its JSON Pointer.
type Slot = (ContainerKind, u32, u32, Box<str>);

/// The way from the root of an object to a nested value: a JSON Pointer of map keys and, for
/// each of its segments, the index of that key's entry in its map.
#[derive(Debug, Clone, Copy)]
struct Route {
    path: &'static str,
    /// The keys of `path` (its segments, split once), then the index of each in its map.
    keys: [&'static str; MAX_DEPTH],
    steps: [u32; MAX_DEPTH],
    depth: usize,
}

/// The deepest pod location (`/spec/jobTemplate/spec/template/spec`).
const MAX_DEPTH: usize = 5;

impl Route {
    fn new(root: &Value, path: &'static str) -> Self {
        let mut keys = [""; MAX_DEPTH];
        let mut steps = [u32::MAX; MAX_DEPTH];
        let mut depth = 0;
        let mut value = Some(root);
        for ((slot, step), key) in keys.iter_mut().zip(&mut steps).zip(path.split('/').skip(1)) {
            *slot = key;
            depth += 1;
            let map = value.and_then(Value::as_object);
            let at = map.and_then(|map| map.entries().iter().position(|(k, _)| &**k == key));
            *step = at.and_then(|at| u32::try_from(at).ok()).unwrap_or(u32::MAX);
            value = map.zip(at).map(|(map, at)| &map.entries()[at].1);
        }
        Self {
            path,
            keys,
            steps,
            depth,
        }
    }

    /// The value at the end of the route; each step checks that its entry still has the key
    /// expected, and the pointer is followed by name if one does not.
    fn follow<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let mut value = root;
        for (&step, &key) in self.steps.iter().zip(&self.keys).take(self.depth) {
            let entry = value
                .as_object()
                .and_then(|map| map.entries().get(usize::try_from(step).ok()?));
            match entry {
                Some((k, next)) if &**k == key => value = next,
                _ => return pointer::get(root, self.path),
            }
        }
        Some(value)
    }
}

impl Shape {
    fn of(object: &Object) -> Option<Self> {
        let (spec_path, meta_path) = pod_spec_location(object)?;
        let spec = Route::new(&object.value, spec_path);
        let pod_spec = spec.follow(&object.value)?.as_object()?;
        let mut containers = Vec::new();
        for kind in [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ] {
            let Some(at) = pod_spec
                .entries()
                .iter()
                .position(|(k, _)| &**k == kind.field())
            else {
                continue;
            };
            let Some(list) = pod_spec.entries()[at].1.as_array() else {
                continue;
            };
            let at = u32::try_from(at).unwrap_or(u32::MAX);
            for (index, item) in list.iter().enumerate() {
                if item.is_object() {
                    let path = format!("{spec_path}/{}/{index}", kind.field());
                    let index = u32::try_from(index).unwrap_or(u32::MAX);
                    containers.push((kind, at, index, path.into_boxed_str()));
                }
            }
        }
        Some(Self {
            spec,
            meta: Route::new(&object.value, meta_path),
            containers: containers.into_boxed_slice(),
        })
    }
}

fn pod_spec_location(object: &Object) -> Option<(&'static str, &'static str)> {
    let kind = object.kind();
    let has_containers = |pointer: &str| {
        object
            .get(pointer)
            .and_then(|spec| spec.get("containers"))
            .is_some_and(Value::is_array)
    };
    match kind {
        "Pod" => Some(("/spec", "/metadata")),
        "PodTemplate" => Some(("/template/spec", "/template/metadata")),
        "CronJob" => Some((
            "/spec/jobTemplate/spec/template/spec",
            "/spec/jobTemplate/spec/template/metadata",
        )),
        k if TEMPLATE_KINDS.contains(&k) => {
            Some(("/spec/template/spec", "/spec/template/metadata"))
        }
        _ => {
            // Custom resources that carry a pod template (Argo Rollouts, operators' CRs).
            if has_containers("/spec/template/spec") {
                Some(("/spec/template/spec", "/spec/template/metadata"))
            } else if has_containers("/spec/jobTemplate/spec/template/spec") {
                Some((
                    "/spec/jobTemplate/spec/template/spec",
                    "/spec/jobTemplate/spec/template/metadata",
                ))
            } else {
                None
            }
        }
    }
}

impl Object {
    /// The pod template's metadata (a Pod's own), without building the whole workload view:
    /// `app()` needs it for every finding.
    pub fn pod_metadata(&self) -> Option<&Map> {
        let shape = self.shape()?;
        shape.meta.follow(&self.value).and_then(Value::as_object)
    }

    /// Whether the object carries a pod spec: `workload()` without building the view.
    pub fn carries_pod(&self) -> bool {
        self.shape().is_some()
    }

    fn shape(&self) -> Option<&Shape> {
        self.shape
            .get_or_init(|| Shape::of(self).map(Box::new))
            .as_deref()
    }

    /// The workload view of this object, if it carries a pod spec.
    pub fn workload(&self) -> Option<Workload<'_>> {
        let shape = self.shape()?;
        let pod_spec = shape.spec.follow(&self.value)?.as_object()?;
        let pod_metadata = shape.meta.follow(&self.value).and_then(Value::as_object);
        let containers = shape
            .containers
            .iter()
            .filter_map(|(kind, at, index, path)| {
                let list = match pod_spec.entries().get(usize::try_from(*at).ok()?) {
                    Some((key, list)) if &**key == kind.field() => list,
                    _ => pod_spec.get(kind.field())?,
                };
                let spec = list
                    .as_array()?
                    .get(usize::try_from(*index).ok()?)?
                    .as_object()?;
                Some(Container {
                    name: spec.get("name").and_then(Value::as_str).unwrap_or(""),
                    kind: *kind,
                    spec,
                    path,
                })
            })
            .collect();
        Some(Workload {
            pod_spec,
            pod_spec_path: shape.spec.path,
            pod_metadata,
            pod_metadata_path: shape.meta.path,
            containers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::PositionTree;
    use crate::value;

    fn object(value: Value) -> Object {
        Object::new(value, "t.yaml".into(), 0, PositionTree::default())
    }

    #[test]
    fn cronjob_containers_of_every_kind() {
        let o = object(value!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "initContainers": [{"name": "i"}],
                "containers": [{"name": "a"}, {"name": "b"}],
                "ephemeralContainers": [{"name": "e"}]}}}}}
        }));
        let w = o.workload().expect("workload");
        let paths: Vec<_> = w.containers.iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            [
                "/spec/jobTemplate/spec/template/spec/initContainers/0",
                "/spec/jobTemplate/spec/template/spec/containers/0",
                "/spec/jobTemplate/spec/template/spec/containers/1",
                "/spec/jobTemplate/spec/template/spec/ephemeralContainers/0",
            ]
        );
    }

    #[test]
    fn custom_resource_with_pod_template() {
        let o = object(value!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
            "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}
        }));
        assert_eq!(o.workload().expect("workload").containers.len(), 1);
        let cm = object(value!({"apiVersion": "v1", "kind": "ConfigMap", "data": {}}));
        assert!(cm.workload().is_none());
    }

    #[test]
    fn routes_follow_keys_by_index_and_fall_back_to_names() {
        let value = value!({"kind": "Deployment", "spec": {"replicas": 1, "template": {
            "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c"}]}}}});
        let route = Route::new(&value, "/spec/template/spec");
        assert_eq!(&route.steps[..3], &[1, 1, 1]);
        assert_eq!(route.follow(&value), value.pointer("/spec/template/spec"));
        // The same route over a value whose keys sit elsewhere still finds the map.
        let moved = value!({"spec": {"template": {"spec": {"x": 1}}, "replicas": 1}});
        assert_eq!(route.follow(&moved), moved.pointer("/spec/template/spec"));
        let missing = value!({"spec": {"replicas": 1}});
        assert_eq!(route.follow(&missing), None);
        assert_eq!(
            Route::new(&missing, "/spec/template/spec").follow(&missing),
            None
        );
    }

    #[test]
    fn container_setting_overrides_pod() {
        let o = object(value!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"securityContext": {"runAsNonRoot": true},
                     "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}},
                                    {"name": "b"}]}
        }));
        let w = o.workload().expect("workload");
        assert_eq!(
            w.effective_security(&w.containers[0], "runAsNonRoot"),
            Effective::Container(&value!(false))
        );
        assert_eq!(
            w.effective_security(&w.containers[1], "runAsNonRoot"),
            Effective::Pod(&value!(true))
        );
    }
}
