//! The inventory: every loaded object, indexed by kind, namespace and name, answering the joins
//! that cross-object rules need.

use crate::object::Object;
use crate::selector::LabelSelector;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_kind: HashMap<String, Vec<usize>>,
    by_namespace: HashMap<String, Vec<usize>>,
    by_key: HashMap<(String, Option<String>, String), usize>,
}

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Self {
        let mut inventory = Self {
            objects,
            ..Self::default()
        };
        for (index, object) in inventory.objects.iter().enumerate() {
            inventory
                .by_kind
                .entry(object.kind().to_string())
                .or_default()
                .push(index);
            if let Some(ns) = object.namespace() {
                inventory
                    .by_namespace
                    .entry(ns.to_string())
                    .or_default()
                    .push(index);
            }
            inventory.by_key.insert(
                (
                    object.kind().to_string(),
                    object.reference.namespace.clone(),
                    object.name().to_string(),
                ),
                index,
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

    /// All namespaced objects in one namespace.
    pub fn in_namespace<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_namespace
            .get(namespace)
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
    }

    /// One object by kind, namespace and name.
    pub fn get(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object> {
        self.by_key
            .get(&(
                kind.to_string(),
                namespace.map(str::to_string),
                name.to_string(),
            ))
            .map(|&i| &self.objects[i])
    }

    /// Every namespace that is declared or that holds an object, sorted.
    pub fn namespaces(&self) -> BTreeSet<&str> {
        let mut names: BTreeSet<&str> = self.by_namespace.keys().map(String::as_str).collect();
        names.extend(self.of_kind("Namespace").map(Object::name));
        names
    }

    /// Pod-carrying objects in `namespace` whose pod labels match `selector`.
    pub fn workloads_selected<'a>(
        &'a self,
        namespace: &'a str,
        selector: &'a LabelSelector,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        self.in_namespace(namespace).filter(move |object| {
            object
                .pod_metadata()
                .and_then(|m| m.get("labels"))
                .and_then(crate::Value::as_object)
                .is_some_and(|labels| selector.matches(labels))
        })
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
        assert!(inventory.get("Deployment", Some("shop"), "web").is_some());
        assert_eq!(
            inventory.namespaces().into_iter().collect::<Vec<_>>(),
            ["empty", "shop"]
        );
        let selector = LabelSelector::from_value(&value!({"matchLabels": {"app": "web"}}))
            .expect("valid selector");
        assert_eq!(inventory.workloads_selected("shop", &selector).count(), 1);
    }
}
