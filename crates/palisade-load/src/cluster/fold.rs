//! Reporting owned objects once, at their controller: a Deployment rather than its
//! ReplicaSet and fifty Pods. A Pod, ReplicaSet or Job whose controlling owner was listed too,
//! and carries a pod template, is dropped, and the top controller gets a count of what it
//! stands for.

use palisade_model::Object;
use palisade_model::Value;
use std::collections::{BTreeMap, HashMap};

/// Kinds that are folded into their controller when it was listed.
const FOLDABLE: [&str; 3] = ["Pod", "ReplicaSet", "Job"];

/// The objects that remain, and for each remaining controller (by index into them) the number
/// of objects of each kind folded into it.
pub(crate) struct Folded {
    pub objects: Vec<Object>,
    pub into: BTreeMap<usize, BTreeMap<String, usize>>,
}

fn owner_key(namespace: Option<&str>, kind: &str, name: &str) -> String {
    format!("{}/{kind}/{name}", namespace.unwrap_or(""))
}

fn uid(object: &Object) -> Option<&str> {
    object.get("/metadata/uid").and_then(Value::as_str)
}

/// The controlling owner reference, if any.
fn controller(value: &Value) -> Option<&Value> {
    value
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// The uid of the controlling owner of a Pod, ReplicaSet or Job that may be folded.
pub(crate) fn foldable_owner(value: &Value) -> Option<&str> {
    let kind = value.get("kind").and_then(Value::as_str)?;
    if !FOLDABLE.contains(&kind) || diverged(value) {
        return None;
    }
    controller(value)?.get("uid")?.as_str()
}

fn carries_pods(object: &Object) -> bool {
    object.workload().is_some()
}

/// A pod changed after it was created from its template (an ephemeral debug container) is
/// not the same as its template: keep it.
fn diverged(value: &Value) -> bool {
    value
        .pointer("/spec/ephemeralContainers")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
}

/// Fold `objects`; `early` holds `(owner uid, kind)` for objects already dropped as they were
/// listed, because their owner was known by then.
pub(crate) fn fold(objects: Vec<Object>, early: &[(String, String)]) -> Folded {
    let mut by_uid: HashMap<&str, usize> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, object) in objects.iter().enumerate() {
        if let Some(uid) = uid(object) {
            by_uid.insert(uid, i);
        }
        by_name.insert(
            owner_key(object.namespace(), object.kind(), object.name()),
            i,
        );
    }
    let parent: Vec<Option<usize>> = objects
        .iter()
        .map(|object| {
            if !FOLDABLE.contains(&object.kind()) || diverged(&object.value) {
                return None;
            }
            let owner = controller(&object.value)?;
            let found = owner
                .get("uid")
                .and_then(Value::as_str)
                .and_then(|uid| by_uid.get(uid))
                .or_else(|| {
                    let kind = owner.get("kind")?.as_str()?;
                    let name = owner.get("name")?.as_str()?;
                    by_name.get(&owner_key(object.namespace(), kind, name))
                })
                .copied()?;
            carries_pods(&objects[found]).then_some(found)
        })
        .collect();
    let root = |mut i: usize| {
        // Owner chains are short; the bound guards against a cycle of references.
        for _ in 0..16 {
            match parent[i] {
                Some(p) if p != i => i = p,
                _ => break,
            }
        }
        i
    };
    let mut into_old: BTreeMap<usize, BTreeMap<String, usize>> = BTreeMap::new();
    for (i, object) in objects.iter().enumerate() {
        if parent[i].is_some() {
            *into_old
                .entry(root(i))
                .or_default()
                .entry(object.kind().to_string())
                .or_default() += 1;
        }
    }
    for (owner, kind) in early {
        if let Some(&i) = by_uid.get(owner.as_str()) {
            *into_old
                .entry(root(i))
                .or_default()
                .entry(kind.clone())
                .or_default() += 1;
        }
    }
    let mut new_index = vec![usize::MAX; objects.len()];
    let mut kept = Vec::with_capacity(objects.len());
    for (i, object) in objects.into_iter().enumerate() {
        if parent[i].is_none() {
            new_index[i] = kept.len();
            kept.push(object);
        }
    }
    let into = into_old
        .into_iter()
        .filter_map(|(old, counts)| {
            let new = *new_index.get(old)?;
            (new != usize::MAX).then_some((new, counts))
        })
        .collect();
    Folded {
        objects: kept,
        into,
    }
}

/// "1 ReplicaSet and 3 Pods".
pub(crate) fn describe(counts: &BTreeMap<String, usize>) -> String {
    let parts: Vec<String> = counts
        .iter()
        .map(|(kind, n)| {
            if *n == 1 {
                format!("1 {kind}")
            } else {
                format!("{n} {kind}s")
            }
        })
        .collect();
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::PositionTree;
    use palisade_model::value;

    fn object(kind: &str, name: &str, uid: &str, owner: Option<(&str, &str, &str)>) -> Object {
        let mut value = value!({"apiVersion": "v1", "kind": kind,
            "metadata": {"name": name, "namespace": "ns", "uid": uid},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}});
        if kind == "Pod" {
            value["spec"] = value!({"containers": [{"name": "c", "image": "i"}]});
        }
        if let Some((kind, name, uid)) = owner {
            value["metadata"]["ownerReferences"] =
                value!([{"kind": kind, "name": name, "uid": uid, "controller": true}]);
        }
        Object::new(value, "cluster:test".into(), 0, PositionTree::default())
    }

    #[test]
    fn folds_pods_and_replica_sets_into_the_deployment() {
        let objects = vec![
            object("Deployment", "web", "d1", None),
            object(
                "ReplicaSet",
                "web-1",
                "r1",
                Some(("Deployment", "web", "d1")),
            ),
            object("Pod", "web-1-a", "p1", Some(("ReplicaSet", "web-1", "r1"))),
            object("Pod", "web-1-b", "p2", Some(("ReplicaSet", "web-1", "r1"))),
            // Its ReplicaSet was not listed: it stays.
            object("Pod", "lone", "p3", Some(("ReplicaSet", "gone", "r9"))),
            object("Pod", "bare", "p4", None),
        ];
        let folded = fold(objects, &[("d1".into(), "Pod".into())]);
        let names: Vec<&str> = folded.objects.iter().map(Object::name).collect();
        assert_eq!(names, ["web", "lone", "bare"]);
        assert_eq!(folded.into.len(), 1);
        assert_eq!(describe(&folded.into[&0]), "3 Pods and 1 ReplicaSet");
    }

    #[test]
    fn keeps_pods_with_ephemeral_containers() {
        let mut debugged = object("Pod", "p", "p1", Some(("Job", "j", "j1")));
        debugged.value["spec"]["ephemeralContainers"] = value!([{"name": "debug"}]);
        let folded = fold(vec![object("Job", "j", "j1", None), debugged], &[]);
        assert_eq!(foldable_owner(&folded.objects[1].value), None);
        assert_eq!(folded.objects.len(), 2);
        assert!(folded.into.is_empty());
    }
}
