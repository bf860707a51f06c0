//! WL038: the containers of a pod share one process namespace.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;

pub struct ShareProcessNamespace;

pub static META: RuleMeta = RuleMeta {
    code: "WL038",
    name: "share-process-namespace",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "The pod sets `shareProcessNamespace: true`, so its containers see and can signal \
        each other's processes.",
    rationale: "Containers of a pod normally cannot see each other's processes. With a shared \
        process namespace a compromised container lists the processes of its sidecars, reads \
        their command lines, signals them when running as the same user or as root, and reads \
        their files through `/proc/<pid>/root`: the secrets, tokens and keys mounted only into \
        another container (a service mesh proxy's certificates, a vault agent's token) become \
        readable to it, which defeats mounting a secret into one container only. Low: it only \
        widens access within the pod, never to the node; unlike `hostPID` (WL002 \
        host-namespaces) it is sometimes needed, for debugging sidecars or signalling a \
        process to reload.",
    remediation: "Remove `shareProcessNamespace: true` (it defaults to false); use `kubectl \
        debug` with `--target` for a temporary debugging session, and a shared `emptyDir` or \
        an HTTP endpoint to trigger reloads between containers.",
    bad_example: "spec:\n  shareProcessNamespace: true\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n  - name: vault-agent\n    image: hashicorp/vault:1.17\n",
    good_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n  - name: vault-agent\n    image: hashicorp/vault:1.17\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Share Process Namespace between Containers in a Pod",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Pod security",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1552.001: Unsecured Credentials: Credentials In Files",
            url: "https://attack.mitre.org/techniques/T1552/001/",
        },
    ],
};

impl Rule for ShareProcessNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        if workload.pod_spec.get("shareProcessNamespace") != Some(&Value::Bool(true)) {
            return;
        }
        let names: Vec<String> = workload
            .containers
            .iter()
            .map(|c| format!("`{}`", c.name))
            .collect();
        sink.report(
            object,
            workload.spec_path("shareProcessNamespace"),
            format!(
                "the pod shares one process namespace between its containers ({}): each can \
                 see and signal the others' processes and read their files through \
                 /proc/<pid>/root",
                names.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(value: Value) -> Vec<Finding> {
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        check(&Inventory::new(vec![object]), &[&ShareProcessNamespace])
    }

    #[test]
    fn true_is_reported_false_and_strings_are_not() {
        let findings = run(value!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {"shareProcessNamespace": true,
                "containers": [{"name": "app"}, {"name": "proxy"}]}}}
        }));
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].path,
            "/spec/template/spec/shareProcessNamespace"
        );
        assert!(findings[0].message.contains("(`app`, `proxy`)"));
        for value in [value!(false), value!("true"), Value::Null] {
            assert!(
                run(
                    value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                    "spec": {"shareProcessNamespace": value, "containers": [{"name": "a"}]}})
                )
                .is_empty()
            );
        }
    }
}
