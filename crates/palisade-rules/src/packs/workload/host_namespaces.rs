//! WL002: a pod shares the node's network, process or IPC namespace.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;

pub struct HostNamespaces;

pub static META: RuleMeta = RuleMeta {
    code: "WL002",
    name: "host-namespaces",
    pack: Pack::Workload,
    severity: Severity::High,
    kinds: &["<workload>"],
    summary: "A pod shares the node's network, process or IPC namespace \
        (`hostNetwork`, `hostPID` or `hostIPC`).",
    rationale: "Namespaces are what separate a container from the node it runs on. With \
        `hostPID` every process on the node is visible: an attacker reads the command lines of \
        other pods' processes (tokens and passwords often sit there) and the environment of \
        those running as the same user, a root container can kill any process on the node \
        (`CAP_KILL` is a default capability), and with `CAP_SYS_ADMIN` or privileged mode \
        `nsenter -t 1 -a` opens a shell on the node. With `hostNetwork` the pod uses the \
        node's interfaces and IP: it can capture traffic to and from other pods on the node \
        (`CAP_NET_RAW` is a default capability), reach services that listen only on the \
        node's loopback, impersonate the node towards the cluster, and it usually escapes \
        NetworkPolicy. With `hostIPC` it can read and write the shared memory and message \
        queues of every process on the node.",
    remediation: "Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (they default \
        to false); reach the pod through a Service, and share processes between its own \
        containers with `shareProcessNamespace` instead of sharing the node's.",
    bad_example: "spec:\n  hostNetwork: true\n  hostPID: true\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    ports:\n    - containerPort: 8080\n",
    pss: &["hostNamespaces"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): Host Namespaces",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.3, 5.2.4, 5.2.5: Minimize the admission of \
                containers wishing to share the host process ID, IPC and network namespaces",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Pod security",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
        Reference {
            title: "MITRE ATT&CK T1040: Network Sniffing",
            url: "https://attack.mitre.org/techniques/T1040/",
        },
    ],
};

/// A host namespace switch of the pod spec, what sharing it gives away, and how to stop.
struct HostNamespace {
    field: &'static str,
    namespace: &'static str,
    consequence: &'static str,
    remediation: &'static str,
}

const NAMESPACES: [HostNamespace; 3] = [
    HostNamespace {
        field: "hostNetwork",
        namespace: "network",
        consequence: "its containers can capture the node's traffic, reach services bound to \
            the node's loopback and usually bypass NetworkPolicy",
        remediation: "Remove `hostNetwork: true`; expose the pod through a Service, or a \
            NodePort or LoadBalancer Service if it must be reachable from outside.",
    },
    HostNamespace {
        field: "hostPID",
        namespace: "process",
        consequence: "its containers see every process on the node and its command line, can \
            kill any of them when running as root, and can enter the node with `nsenter -t 1` \
            when they also have `CAP_SYS_ADMIN`",
        remediation: "Remove `hostPID: true`; to inspect processes of the same pod use \
            `shareProcessNamespace: true`; for node troubleshooting use a short-lived \
            `kubectl debug node/<name>` session rather than a standing workload.",
    },
    HostNamespace {
        field: "hostIPC",
        namespace: "IPC",
        consequence: "its containers can read and write the shared memory and message queues \
            of every process on the node",
        remediation: "Remove `hostIPC: true`; containers of one pod already share an IPC \
            namespace with each other.",
    },
];

impl Rule for HostNamespaces {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        for namespace in &NAMESPACES {
            if workload.pod_spec.get(namespace.field) == Some(&Value::Bool(true)) {
                sink.report(
                    object,
                    workload.spec_path(namespace.field),
                    format!(
                        "the pod shares the node's {} namespace (`{}: true`): {}",
                        namespace.namespace, namespace.field, namespace.consequence
                    ),
                )
                .with_remediation(namespace.remediation);
            }
        }
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
        check(&Inventory::new(vec![object]), &[&HostNamespaces])
    }

    fn paths(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn one_finding_per_shared_namespace() {
        let findings = run(value!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {
                "hostNetwork": true, "hostPID": true, "hostIPC": true,
                "containers": [{"name": "a"}, {"name": "b"}]}}}
        }));
        let mut found = paths(&findings);
        found.sort_unstable();
        assert_eq!(
            found,
            [
                "/spec/template/spec/hostIPC",
                "/spec/template/spec/hostNetwork",
                "/spec/template/spec/hostPID",
            ]
        );
        assert!(findings.iter().all(|f| f.container.is_none()));
        assert!(findings.iter().all(|f| f.remediation.is_some()));
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("(`hostPID: true`)") && f.message.contains("nsenter"))
        );
    }

    #[test]
    fn cronjob_and_pod_paths() {
        let findings = run(value!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "hostPID": true, "containers": [{"name": "a"}]}}}}}
        }));
        assert_eq!(
            paths(&findings),
            ["/spec/jobTemplate/spec/template/spec/hostPID"]
        );
        let findings = run(value!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"hostNetwork": true, "containers": [{"name": "a"}]}
        }));
        assert_eq!(paths(&findings), ["/spec/hostNetwork"]);
    }

    #[test]
    fn false_absent_or_not_a_workload_is_fine() {
        assert!(
            run(value!({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"hostNetwork": false, "hostPID": null,
                         "containers": [{"name": "a"}]}
            }))
            .is_empty()
        );
        assert!(
            run(value!({
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                "data": {"hostNetwork": "true"}
            }))
            .is_empty()
        );
        // Host namespaces on a container are not a thing; only the pod spec counts.
        assert!(
            run(value!({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "a", "hostNetwork": true}]}
            }))
            .is_empty()
        );
    }
}
