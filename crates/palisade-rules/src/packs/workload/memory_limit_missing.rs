//! WL022: a container has no memory limit. Also home of the resource check the four resource
//! rules (WL022–WL025) share: what the container sets, what the pod-level `resources` set, and
//! what a LimitRange in the same namespace defaults.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{ContainerKind, Inventory, Object};
use std::collections::HashMap;

pub struct MemoryLimitMissing;

pub static META: RuleMeta = RuleMeta {
    code: "WL022",
    name: "memory-limit-missing",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>", "LimitRange"],
    summary: "A container has no memory limit, and neither the pod nor a LimitRange in its \
        namespace sets one.",
    rationale: "Without a limit a container may use all the memory of its node. A leak, a \
        request flood or an attacker (a decompression bomb, a cryptominer) then drives the \
        node into memory pressure: the kernel's OOM killer and the kubelet's eviction pick \
        victims among the other pods on the node, including ones that stayed within their \
        requests, so one workload takes down its neighbours. Memory, unlike CPU, cannot be \
        throttled, which is why this is the one resource rule rated medium (kube-score and \
        Polaris rate missing limits as failures, Checkov as CKV_K8S_13). A container is \
        covered by a pod-level `resources.limits.memory` (which bounds the whole pod) or by a \
        LimitRange of type `Container` in the same namespace of the scanned inventory with a \
        `default` or `max` memory (the API server defaults the limit to either). An object \
        without a namespace is matched with LimitRanges without one, as both land in the same \
        namespace when applied together. Init containers are checked (they run on the same \
        node); ephemeral containers are exempt, as Kubernetes does not let them set \
        resources.",
    remediation: "Set `resources.limits.memory` on every container and init container, sized \
        from observed peak usage with headroom, or give the namespace a LimitRange with a \
        default memory limit.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  resources:\n    requests:\n      memory: 256Mi\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  resources:\n    requests:\n      memory: 256Mi\n    limits:\n      memory: 512Mi\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Resource Management for Pods and Containers",
            url: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        },
        Reference {
            title: "Kubernetes documentation: Limit Ranges",
            url: "https://kubernetes.io/docs/concepts/policy/limit-range/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Resource policies",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1499: Endpoint Denial of Service",
            url: "https://attack.mitre.org/techniques/T1499/",
        },
    ],
};

/// The compute resource a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resource {
    Memory,
    Cpu,
}

impl Resource {
    fn key(self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::Cpu => "cpu",
        }
    }
}

/// Whether the rule looks for a missing limit or a missing request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    Limit,
    Request,
}

fn has(resources: Option<&Value>, list: &str, resource: Resource) -> bool {
    resources
        .and_then(|r| r.get(list))
        .and_then(|l| l.get(resource.key()))
        .is_some_and(|v| !v.is_null() && v.as_str() != Some(""))
}

/// Whether a `resources` block provides the bound: a limit needs `limits`; a request is
/// `requests` or, defaulted from it by the API server, `limits`.
fn provides(resources: Option<&Value>, resource: Resource, bound: Bound) -> bool {
    has(resources, "limits", resource)
        || (bound == Bound::Request && has(resources, "requests", resource))
}

/// Whether a LimitRange defaults the bound for containers, after the API server's own
/// defaulting of LimitRange items: a missing `default` comes from `max`, a missing
/// `defaultRequest` from `default`, then from `min`.
fn limit_range_covers(limit_range: &Object, resource: Resource, bound: Bound) -> bool {
    let items = limit_range
        .get("/spec/limits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let fields: &[&str] = match bound {
        Bound::Limit => &["default", "max"],
        Bound::Request => &["default", "max", "defaultRequest", "min"],
    };
    items
        .filter(|item| item.get("type").and_then(Value::as_str) == Some("Container"))
        .any(|item| fields.iter().any(|field| has(Some(item), field, resource)))
}

/// What a finding says for a rule, given the container's description.
pub(crate) type Describe = fn(&str) -> String;

/// Report every init and regular container that lacks the bound, unless its pod or a
/// LimitRange in its namespace provides it.
pub(crate) fn check_resources(
    inventory: &Inventory,
    sink: &mut Sink<'_>,
    resource: Resource,
    bound: Bound,
    describe: Describe,
) {
    let mut covered: HashMap<Option<&str>, bool, foldhash::fast::RandomState> = HashMap::default();
    for limit_range in inventory.of_kind("LimitRange") {
        let entry = covered.entry(limit_range.namespace()).or_default();
        *entry = *entry || limit_range_covers(limit_range, resource, bound);
    }
    for (object, workload) in sink.workloads(inventory) {
        if covered.get(&object.namespace()).copied().unwrap_or(false)
            || provides(workload.pod_spec.get("resources"), resource, bound)
        {
            continue;
        }
        for container in &workload.containers {
            if container.kind == ContainerKind::Ephemeral {
                continue;
            }
            let resources = container.spec.get("resources");
            if provides(resources, resource, bound) {
                continue;
            }
            let list = match bound {
                Bound::Limit => "limits",
                Bound::Request => "requests",
            };
            let path = if resources
                .and_then(|r| r.get(list))
                .is_some_and(Value::is_object)
            {
                format!("{}/resources/{list}", container.path)
            } else if resources.is_some_and(Value::is_object) {
                format!("{}/resources", container.path)
            } else {
                container.path.to_string()
            };
            sink.report(object, path, describe(&container.describe()))
                .in_container(container.name);
        }
    }
}

fn message(who: &str) -> String {
    format!(
        "{who} has no memory limit: it can take all the node's memory and get other pods \
         OOM-killed or evicted"
    )
}

impl Rule for MemoryLimitMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_resources(inventory, sink, Resource::Memory, Bound::Limit, message);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use crate::meta::Rule;
    use palisade_model::PositionTree;
    use palisade_model::value;

    pub(crate) fn run(rule: &'static dyn Rule, values: Vec<Value>) -> Vec<Finding> {
        let objects = values
            .into_iter()
            .map(|v| Object::new(v, "t.yaml".into(), 0, PositionTree::default()))
            .collect();
        check(&Inventory::new(objects), &[rule])
    }

    pub(crate) fn found(findings: &[Finding]) -> Vec<(&str, &str)> {
        let mut found: Vec<_> = findings
            .iter()
            .map(|f| (f.container.as_deref().unwrap_or(""), f.path.as_str()))
            .collect();
        found.sort_unstable();
        found
    }

    pub(crate) fn deployment(namespace: &str, spec: Value) -> Value {
        value!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "d", "namespace": namespace},
               "spec": {"template": {"spec": spec}}})
    }

    pub(crate) fn limit_range(namespace: &str, item: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "LimitRange",
               "metadata": {"name": "defaults", "namespace": namespace},
               "spec": {"limits": [item]}})
    }

    #[test]
    fn init_and_regular_containers_but_not_ephemeral() {
        let findings = run(
            &MemoryLimitMissing,
            vec![deployment(
                "shop",
                value!({
                    "initContainers": [{"name": "init"}],
                    "containers": [
                        {"name": "req", "resources": {"requests": {"memory": "1Gi"}}},
                        {"name": "cpu", "resources": {"limits": {"cpu": "1"}}},
                        {"name": "ok", "resources": {"limits": {"memory": "1Gi"}}}
                    ],
                    "ephemeralContainers": [{"name": "debug"}]
                }),
            )],
        );
        let base = "/spec/template/spec";
        assert_eq!(
            found(&findings),
            [
                ("cpu", &*format!("{base}/containers/1/resources/limits")),
                ("init", &*format!("{base}/initContainers/0")),
                ("req", &*format!("{base}/containers/0/resources")),
            ]
        );
        assert!(findings.iter().any(|f| f.message
            == "init container `init` has no memory limit: it can take all the node's memory \
                and get other pods OOM-killed or evicted"));
    }

    #[test]
    fn pod_level_limit_covers_the_containers() {
        let findings = run(
            &MemoryLimitMissing,
            vec![deployment(
                "shop",
                value!({"resources": {"limits": {"memory": "2Gi"}},
                       "containers": [{"name": "a"}, {"name": "b"}]}),
            )],
        );
        assert!(findings.is_empty());
    }

    #[test]
    fn limit_range_in_the_same_namespace_covers() {
        let workload = deployment("shop", value!({"containers": [{"name": "a"}]}));
        let covering = [
            value!({"type": "Container", "default": {"memory": "512Mi"}}),
            value!({"type": "Container", "max": {"memory": "1Gi"}}),
        ];
        for item in covering {
            assert!(
                run(
                    &MemoryLimitMissing,
                    vec![workload.clone(), limit_range("shop", item)]
                )
                .is_empty()
            );
        }
        let not_covering = [
            (
                "shop",
                value!({"type": "Container", "defaultRequest": {"memory": "512Mi"}}),
            ),
            (
                "shop",
                value!({"type": "Container", "default": {"cpu": "1"}}),
            ),
            ("shop", value!({"type": "Pod", "max": {"memory": "1Gi"}})),
            (
                "other",
                value!({"type": "Container", "default": {"memory": "512Mi"}}),
            ),
        ];
        for (namespace, item) in not_covering {
            assert_eq!(
                run(
                    &MemoryLimitMissing,
                    vec![workload.clone(), limit_range(namespace, item)]
                )
                .len(),
                1
            );
        }
    }

    #[test]
    fn objects_without_namespace_match_limit_ranges_without_one() {
        let mut workload = deployment("x", value!({"containers": [{"name": "a"}]}));
        let mut range = limit_range(
            "x",
            value!({"type": "Container", "default": {"memory": "1Gi"}}),
        );
        if let Some(m) = workload["metadata"].as_object_mut() {
            m.remove("namespace");
        }
        assert_eq!(
            run(&MemoryLimitMissing, vec![workload.clone(), range.clone()]).len(),
            1
        );
        if let Some(m) = range["metadata"].as_object_mut() {
            m.remove("namespace");
        }
        assert!(run(&MemoryLimitMissing, vec![workload, range]).is_empty());
    }
}
