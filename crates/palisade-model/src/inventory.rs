//! The inventory: every loaded object, indexed by kind, namespace and name, answering the joins
//! that cross-object rules need.

use crate::object::Object;
use crate::selector::{LabelSelector, label_text};
use foldhash::fast::FixedState;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, Hash};
use std::sync::OnceLock;

/// Indexes keyed by the hash of what they index (kind, namespace, name; namespace, label):
/// lookups build no strings, and every hit is checked against the object itself.
type Hashed = HashMap<u64, Vec<usize>>;

/// The key of a hashed index: the same for equal values within a process, with no strings
/// built. Lookups through such an index must check each hit against the object itself.
pub fn index_key(value: impl Hash) -> u64 {
    FixedState::with_seed(0x5eed_1dea).hash_one(value)
}

/// Object indices by the hash of (kind, namespace, name). Nearly every key names one object:
/// it is kept without a list of its own.
#[derive(Debug, Default)]
struct Keyed {
    first: HashMap<u64, u32, FixedState>,
    /// The later objects of the keys that several objects share, in inventory order.
    more: HashMap<u64, Vec<u32>, FixedState>,
}

impl Keyed {
    fn insert(&mut self, key: u64, index: u32) {
        match self.first.entry(key) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.more.entry(key).or_default().push(index);
            }
        }
    }

    /// The objects of `key`, last first.
    fn latest_first(&self, key: u64) -> impl Iterator<Item = usize> + '_ {
        let more = self.more.get(&key).map(Vec::as_slice).unwrap_or_default();
        more.iter()
            .rev()
            .chain(self.first.get(&key))
            .map(|&index| index as usize)
    }
}

#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_kind: HashMap<String, Vec<usize>>,
    by_namespace: HashMap<String, Vec<usize>>,
    by_key: Keyed,
    /// Pod-carrying objects by namespace, and by namespace and pod template label; built on
    /// first use. Selecting by label through them keeps Service and policy joins linear even
    /// for objects without a namespace, which all share one bucket.
    pods: OnceLock<(Hashed, Hashed)>,
    /// The objects that carry a pod, in inventory order; found on first use.
    workloads: OnceLock<Vec<usize>>,
}

/// Add `at` to the list of `key`, copying the key only for its first entry.
pub fn push_to(index: &mut HashMap<String, Vec<usize>>, key: &str, at: usize) {
    match index.get_mut(key) {
        Some(list) => list.push(at),
        None => {
            index.insert(key.to_string(), vec![at]);
        }
    }
}

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Self {
        let mut inventory = Self {
            objects,
            ..Self::default()
        };
        for (index, object) in inventory.objects.iter().enumerate() {
            // Looked up before inserting: most objects share their kind and namespace with
            // earlier ones, and need no key of their own.
            push_to(&mut inventory.by_kind, object.kind(), index);
            if let Some(ns) = object.namespace() {
                push_to(&mut inventory.by_namespace, ns, index);
            }
            inventory.by_key.insert(
                index_key((object.kind(), object.namespace(), object.name())),
                u32::try_from(index).unwrap_or(u32::MAX),
            );
        }
        inventory
    }

    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    pub fn into_objects(self) -> Vec<Object> {
        self.objects
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// All objects of one kind.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
    }

    /// Every object that carries a pod (a workload), in inventory order.
    pub fn workloads(&self) -> impl Iterator<Item = &Object> + '_ {
        self.workload_indices().iter().map(|&i| &self.objects[i])
    }

    /// The indices in [`Inventory::objects`] of the objects that carry a pod, ascending.
    pub fn workload_indices(&self) -> &[usize] {
        // Working out whether an object carries a pod finds its pod spec and containers:
        // worth doing in parallel for a million objects.
        self.workloads.get_or_init(|| {
            use rayon::prelude::*;
            (0..self.objects.len())
                .into_par_iter()
                .filter(|&index| self.objects[index].carries_pod())
                .collect()
        })
    }

    /// All namespaced objects in one namespace.
    pub fn in_namespace<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_namespace
            .get(namespace)
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
    }

    /// One object by kind, namespace and name.
    /// The last one wins when the input repeats an object, as `kubectl apply` would.
    pub fn get(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object> {
        self.by_key
            .latest_first(index_key((kind, namespace, name)))
            .filter_map(|i| self.objects.get(i))
            .find(|o| o.kind() == kind && o.namespace() == namespace && o.name() == name)
    }

    fn pods(&self) -> &(Hashed, Hashed) {
        self.pods.get_or_init(|| {
            let mut by_namespace = Hashed::new();
            let mut by_label = Hashed::new();
            for &index in self.workload_indices() {
                let object = &self.objects[index];
                let Some(metadata) = object.pod_metadata() else {
                    continue;
                };
                let namespace = object.namespace();
                by_namespace
                    .entry(index_key(namespace))
                    .or_default()
                    .push(index);
                let labels = metadata.get("labels").and_then(crate::Value::as_object);
                for (key, value) in labels.into_iter().flatten() {
                    if let Some(value) = label_text(value) {
                        by_label
                            .entry(index_key((namespace, key, value.as_ref())))
                            .or_default()
                            .push(index);
                    }
                }
            }
            (by_namespace, by_label)
        })
    }

    /// Pod-carrying objects in `namespace` (`None`: those without a namespace) whose pod
    /// template labels match `selector`, in inventory order.
    pub fn pods_matching<'a>(
        &'a self,
        namespace: Option<&str>,
        selector: &LabelSelector,
    ) -> Vec<&'a Object> {
        let (by_namespace, by_label) = self.pods();
        // A required `key=value` narrows the candidates to the objects carrying it.
        let candidates = match selector.required_pair() {
            Some((key, value)) => by_label.get(&index_key((namespace, key, value))),
            None => by_namespace.get(&index_key(namespace)),
        };
        candidates
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
            .filter(|object| {
                object.namespace() == namespace
                    && object
                        .pod_metadata()
                        .and_then(|m| m.get("labels"))
                        .and_then(crate::Value::as_object)
                        .is_some_and(|labels| selector.matches(labels))
            })
            .collect()
    }

    /// Every namespace that is declared or that holds an object, sorted.
    pub fn namespaces(&self) -> BTreeSet<&str> {
        let mut names: BTreeSet<&str> = self.by_namespace.keys().map(String::as_str).collect();
        names.extend(self.of_kind("Namespace").map(Object::name));
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::PositionTree;
    use crate::value;

    #[test]
    fn indexes_and_selects() {
        let objects = vec![
            Object::new(
                value!({"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {"name": "web", "namespace": "shop"},
                       "spec": {"template": {"metadata": {"labels": {"app": "web"}},
                                "spec": {"containers": [{"name": "c"}]}}}}),
                "a.yaml".into(),
                0,
                PositionTree::default(),
            ),
            Object::new(
                value!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "empty"}}),
                "a.yaml".into(),
                1,
                PositionTree::default(),
            ),
        ];
        let inventory = Inventory::new(objects);
        assert_eq!(inventory.of_kind("Deployment").count(), 1);
        let workloads: Vec<&str> = inventory.workloads().map(Object::name).collect();
        assert_eq!(workloads, ["web"]);
        assert!(!inventory.objects()[1].carries_pod());
        assert!(inventory.get("Deployment", Some("shop"), "web").is_some());
        assert_eq!(
            inventory.namespaces().into_iter().collect::<Vec<_>>(),
            ["empty", "shop"]
        );
        let selector = LabelSelector::from_value(&value!({"matchLabels": {"app": "web"}}))
            .expect("valid selector");
        assert_eq!(inventory.pods_matching(Some("shop"), &selector).len(), 1);
        assert!(inventory.pods_matching(None, &selector).is_empty());
        // Without an equality requirement every pod of the namespace is a candidate.
        let exists = LabelSelector::from_value(&value!({"matchExpressions": [
            {"key": "app", "operator": "Exists"}]}))
        .expect("valid selector");
        assert_eq!(inventory.pods_matching(Some("shop"), &exists).len(), 1);
        let other = LabelSelector::from_value(&value!({"matchLabels": {"app": "api"}}))
            .expect("valid selector");
        assert!(inventory.pods_matching(Some("shop"), &other).is_empty());
        assert!(inventory.get("Deployment", None, "web").is_none());
    }

    #[test]
    fn objects_without_namespace_are_selected_among_themselves() {
        let pod = |name: &str, namespace: Option<&str>| {
            let mut metadata = value!({"name": name, "labels": {"app": "web"}});
            if let Some(ns) = namespace {
                metadata["namespace"] = value!(ns);
            }
            Object::new(
                value!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
                       "spec": {"containers": [{"name": "c"}]}}),
                "p.yaml".into(),
                0,
                PositionTree::default(),
            )
        };
        let inventory = Inventory::new(vec![pod("a", None), pod("b", Some("x")), pod("c", None)]);
        let selector = LabelSelector::from_value(&value!({"matchLabels": {"app": "web"}}))
            .expect("valid selector");
        let names: Vec<_> = inventory
            .pods_matching(None, &selector)
            .iter()
            .map(|o| o.name())
            .collect();
        assert_eq!(names, ["a", "c"]);
    }
}
