//! WL037: a container adds a Linux capability that opens a known path to the node or to its
//! neighbours. WL006 leaves these entries to this rule and reports the rest of the capabilities
//! outside the Pod Security baseline.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{Container, Object, Workload};

pub struct DangerousCapability;

pub static META: RuleMeta = RuleMeta {
    code: "WL037",
    name: "dangerous-capability",
    pack: Pack::Workload,
    severity: Severity::Critical,
    kinds: &["<workload>"],
    summary: "A container adds a Linux capability with a known path to the node or to other \
        workloads, such as `SYS_ADMIN`, `SYS_MODULE`, `NET_ADMIN` or `SYS_PTRACE`.",
    rationale: "Capabilities split root's power into pieces; some pieces are almost all of it. \
        Critical: `SYS_ADMIN` mounts file systems and, on cgroup v1, writes a `release_agent` \
        that the kernel runs as root on the host (CVE-2022-0492); `SYS_MODULE` loads a kernel \
        module, which is code in the node's kernel; `ALL` grants every capability, nearly a \
        privileged container. High: `NET_ADMIN` rewrites the pod's routes and firewall and, \
        with host networking, the node's; `SYS_PTRACE` reads and injects code into processes \
        it can see, and with `hostPID` or `shareProcessNamespace` that includes other \
        containers; `DAC_READ_SEARCH` opens any file by handle, which broke out of Docker in \
        the Shocker exploit; `SYS_RAWIO` does raw port and memory I/O; `BPF` and `PERFMON` \
        load programs into and read from the kernel's tracing interfaces. Medium: `NET_RAW` \
        crafts packets to spoof ARP and DNS answers for neighbours on the node's bridge, and \
        has been the entry point of kernel escapes (CVE-2020-14386); it is in most runtimes' \
        default set, which is why it rates lower. Runtimes accept names in any case and with \
        or without the `CAP_` prefix, so `sys_admin` and `CAP_SYS_ADMIN` are `SYS_ADMIN` here \
        too. A capability both dropped and added is still added: the runtime applies `drop` \
        first, so `drop: [ALL]` with `add: [SYS_ADMIN]` grants `SYS_ADMIN`. Each entry is \
        reported once, here rather than by WL006 capability-beyond-baseline, which reports the \
        remaining capabilities outside the baseline set. kube-linter and Checkov flag \
        `SYS_ADMIN` and `NET_RAW` without ranking the rest; kubesec scores `SYS_ADMIN` as \
        critical; this rule ranks each capability by what it gives an attacker.",
    remediation: "Remove the capability from `securityContext.capabilities.add`; drop `ALL` and \
        add back only what the process needs (usually nothing, or `NET_BIND_SERVICE`), and move \
        node-level tooling that truly needs it to a dedicated, privileged namespace.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    capabilities:\n      drop: [\"ALL\"]\n      add: [\"SYS_ADMIN\", \"NET_RAW\"]\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    capabilities:\n      drop: [\"ALL\"]\n      add: [\"NET_BIND_SERVICE\"]\n",
    pss: &["capabilities_baseline"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): Capabilities",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.8 and 5.2.9: Minimize the admission of containers \
                with the NET_RAW capability or with added capabilities",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Pod security",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "capabilities(7): overview of Linux capabilities",
            url: "https://man7.org/linux/man-pages/man7/capabilities.7.html",
        },
        Reference {
            title: "CVE-2022-0492: cgroups v1 release_agent container escape",
            url: "https://nvd.nist.gov/vuln/detail/CVE-2022-0492",
        },
        Reference {
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
    ],
};

/// A capability this rule reports, how bad it is and what it gives away.
struct Dangerous {
    name: &'static str,
    severity: Severity,
    reason: &'static str,
}

const DANGEROUS: [Dangerous; 10] = [
    Dangerous {
        name: "SYS_ADMIN",
        severity: Severity::Critical,
        reason: "it can mount file systems and, on cgroup v1, make the node run a command as \
            root through `release_agent`",
    },
    Dangerous {
        name: "SYS_MODULE",
        severity: Severity::Critical,
        reason: "it can load kernel modules, which run as part of the node's kernel",
    },
    Dangerous {
        name: "ALL",
        severity: Severity::Critical,
        reason: "it grants every capability, close to a privileged container",
    },
    Dangerous {
        name: "NET_ADMIN",
        severity: Severity::High,
        reason: "it can rewrite routes, firewall rules and interfaces of its network namespace",
    },
    Dangerous {
        name: "SYS_PTRACE",
        severity: Severity::High,
        reason: "it can read the memory of and inject code into every process it can see",
    },
    Dangerous {
        name: "DAC_READ_SEARCH",
        severity: Severity::High,
        reason: "it can open files by handle, bypassing the mount boundary (the Shocker escape)",
    },
    Dangerous {
        name: "SYS_RAWIO",
        severity: Severity::High,
        reason: "it can perform raw I/O on ports and devices",
    },
    Dangerous {
        name: "BPF",
        severity: Severity::High,
        reason: "it can load eBPF programs into the node's kernel",
    },
    Dangerous {
        name: "PERFMON",
        severity: Severity::High,
        reason: "it can use the kernel's performance and tracing interfaces to observe other \
            processes",
    },
    Dangerous {
        name: "NET_RAW",
        severity: Severity::Medium,
        reason: "it can craft raw packets to spoof ARP or DNS answers for neighbours on the \
            node's bridge",
    },
];

/// The capability named by an `add` entry, as runtimes read it: case-insensitive, with or
/// without the `CAP_` prefix.
fn canonical(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

fn dangerous(value: &Value) -> Option<&'static Dangerous> {
    let name = canonical(value.as_str()?);
    DANGEROUS.iter().find(|d| d.name == name)
}

/// The `capabilities.add` entries of a container, with their pointers.
fn added<'a>(container: &Container<'a>) -> impl Iterator<Item = (String, &'a Value)> + 'a {
    let base = container.security_path("capabilities");
    container
        .security("capabilities")
        .and_then(|c| c.get("add"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(move |(index, value)| (format!("{base}/add/{index}"), value))
}

/// Whether this rule reports the field at `path` (a `capabilities.add` entry) of `workload`.
pub fn reports(workload: &Workload<'_>, path: &str) -> bool {
    workload.containers.iter().any(|container| {
        added(container).any(|(pointer, value)| pointer == path && dangerous(value).is_some())
    })
}

impl Rule for DangerousCapability {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        for container in &workload.containers {
            let drops_all = container
                .security("capabilities")
                .and_then(|c| c.get("drop"))
                .and_then(Value::as_array)
                .is_some_and(|drop| {
                    drop.iter()
                        .filter_map(Value::as_str)
                        .any(|d| canonical(d) == "ALL")
                });
            for (pointer, value) in added(container) {
                let Some(capability) = dangerous(value) else {
                    continue;
                };
                let written = value.as_str().unwrap_or(capability.name);
                let spelled = if written == capability.name {
                    String::new()
                } else {
                    format!(" (written `{written}`)")
                };
                let despite = if drops_all && capability.name != "ALL" {
                    ", even though it drops `ALL` first"
                } else {
                    ""
                };
                let finding = sink.report(
                    object,
                    pointer,
                    format!(
                        "{} adds `{}`{spelled}{despite}: {}",
                        container.describe(),
                        capability.name,
                        capability.reason
                    ),
                );
                finding.severity = capability.severity;
                finding.in_container(container.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use crate::packs::workload::pss_controls::CAPABILITY_BEYOND_BASELINE_RULE;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn object(value: Value) -> Object {
        Object::new(value, "t.yaml".into(), 0, PositionTree::default())
    }

    fn run(value: Value, rule: &'static dyn Rule) -> Vec<Finding> {
        check(&Inventory::new(vec![object(value)]), &[rule])
    }

    fn pod(containers: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": containers}})
    }

    #[test]
    fn names_are_case_and_prefix_insensitive() {
        let findings = run(
            pod(value!([{"name": "a", "securityContext": {"capabilities": {
                "drop": ["all"],
                "add": ["sys_admin", "CAP_NET_RAW", "Cap_Bpf", "CHOWN", "SYS_TIME", 7]}}}])),
            &DangerousCapability,
        );
        let found: Vec<_> = findings
            .iter()
            .map(|f| (f.path.as_str(), f.severity))
            .collect();
        let base = "/spec/containers/0/securityContext/capabilities/add";
        assert_eq!(
            found,
            [
                (&*format!("{base}/0"), Severity::Critical),
                (&*format!("{base}/1"), Severity::Medium),
                (&*format!("{base}/2"), Severity::High),
            ]
        );
        assert_eq!(
            findings[0].message,
            "container `a` adds `SYS_ADMIN` (written `sys_admin`), even though it drops `ALL` \
             first: it can mount file systems and, on cgroup v1, make the node run a command as \
             root through `release_agent`"
        );
        assert_eq!(findings[0].container.as_deref(), Some("a"));
    }

    #[test]
    fn every_container_kind_and_all() {
        let findings = run(
            value!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                   "spec": {"template": {"spec": {
                       "initContainers": [{"name": "i",
                           "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}],
                       "containers": [{"name": "c",
                           "securityContext": {"capabilities": {"add": ["ALL"]}}}]}}}}),
            &DangerousCapability,
        );
        let mut found: Vec<_> = findings
            .iter()
            .map(|f| (f.container.as_deref().unwrap_or(""), f.severity))
            .collect();
        found.sort_unstable();
        assert_eq!(found, [("c", Severity::Critical), ("i", Severity::High)]);
    }

    #[test]
    fn baseline_and_absent_capabilities_are_fine() {
        assert!(
            run(
                pod(value!([{"name": "a", "securityContext": {"capabilities": {
                    "drop": ["SYS_ADMIN"], "add": ["NET_BIND_SERVICE"]}}}, {"name": "b"}])),
                &DangerousCapability
            )
            .is_empty()
        );
    }

    #[test]
    fn wl006_leaves_these_entries_to_this_rule() {
        let value = pod(value!([{"name": "a", "securityContext": {"capabilities": {
            "add": ["CAP_SYS_ADMIN", "SYS_TIME", "net_raw"]}}}]));
        let baseline = run(value.clone(), &CAPABILITY_BEYOND_BASELINE_RULE);
        let paths: Vec<_> = baseline.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/spec/containers/0/securityContext/capabilities/add/1"]
        );
        assert_eq!(run(value, &DangerousCapability).len(), 2);
    }
}
