//! WL035: a hostPath volume mounts a node path that holds the node's credentials, its
//! configuration or a container runtime's socket. WL007 leaves these volumes to this rule and
//! reports the other hostPath volumes.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{Object, Workload};

pub struct SensitiveHostPath;

pub static META: RuleMeta = RuleMeta {
    code: "WL035",
    name: "sensitive-host-path",
    pack: Pack::Workload,
    severity: Severity::Critical,
    kinds: &["<workload>"],
    summary: "A hostPath volume mounts a sensitive node path: a container runtime socket, the \
        node's root, configuration, kernel interfaces, kubelet or etcd data, or a home directory.",
    rationale: "Some node paths are the node. Critical: a container runtime socket (Docker \
        `/var/run/docker.sock`, containerd `/run/containerd/containerd.sock`, CRI-O \
        `/var/run/crio/crio.sock`, Podman `/run/podman/podman.sock`, or the directory holding \
        it) lets the pod ask the runtime for a privileged container with the host's root \
        mounted; `/` and `/etc` hold `/etc/shadow`, cron, systemd units and \
        `/etc/kubernetes` with the node's kubeconfigs and PKI; `/proc` reaches the host's root \
        through `/proc/1/root` and makes the kernel run a program through \
        `/proc/sys/kernel/core_pattern`; `/sys` exposes cgroup `release_agent` and kernel \
        settings; `/var/lib/kubelet` holds the kubelet's credentials and the secrets and \
        service account tokens of every pod on the node; `/var/lib/etcd` is the cluster's \
        whole state, secrets included; `/root` holds root's SSH keys and kubeconfigs. A \
        directory that contains one of these (`/var`, `/run`, `/var/run`) is as sensitive as \
        what it contains. High: `/var/log` (node and pod logs leak secrets, and a writable \
        `/var/log` with a symlink has read arbitrary node files through the kubelet's log \
        endpoint), `/home`, `/dev`, `/run/dbus` and `/run/systemd` (asking systemd to run a \
        command), and container storage in `/var/lib/docker`, `/var/lib/containerd` and \
        `/var/lib/containers` (every other container's files). Paths are compared after \
        normalisation (`//`, `.`, `..` and trailing slashes; `/var/run` is `/run` on current \
        distributions), and paths below a listed directory inherit its rating, except harmless \
        files under `/etc` such as `/etc/localtime` or `/etc/ssl/certs`, which stay ordinary \
        hostPath volumes. Read-only mounts are reported too: reading is enough to steal \
        credentials, and WL036 writable-host-path reports the writable mounts. Each volume is \
        reported once, here rather than by WL007 host-path-volume, which reports the other \
        hostPath volumes; disable both to allow hostPath. kube-linter's \
        `docker-sock` and `sensitive-host-mounts` and Checkov's CKV_K8S_27 cover a shorter \
        list at one severity; this rule rates each path by what it gives away.",
    remediation: "Remove the hostPath volume; talk to the Kubernetes API instead of the \
        container runtime, use `emptyDir`, `configMap`, `secret`, `projected` or CSI volumes \
        for data, and keep node agents that truly need the path in a dedicated, privileged \
        namespace with `readOnly: true` and the narrowest path.",
    bad_example: "spec:\n  containers:\n  - name: builder\n    image: registry.example/builder:3.1\n    volumeMounts:\n    - name: docker\n      mountPath: /var/run/docker.sock\n  volumes:\n  - name: docker\n    hostPath:\n      path: /var/run/docker.sock\n      type: Socket\n",
    good_example: "spec:\n  containers:\n  - name: builder\n    image: registry.example/buildkit:0.16\n    volumeMounts:\n    - name: workspace\n      mountPath: /workspace\n  volumes:\n  - name: workspace\n    emptyDir: {}\n",
    pss: &["hostPathVolumes"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): HostPath Volumes",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.12: Minimize the admission of HostPath volumes",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Pod security",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "Kubernetes documentation: hostPath volumes",
            url: "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
        },
        Reference {
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
        Reference {
            title: "MITRE ATT&CK T1610: Deploy Container",
            url: "https://attack.mitre.org/techniques/T1610/",
        },
        Reference {
            title: "MITRE ATT&CK T1552.001: Unsecured Credentials: Credentials In Files",
            url: "https://attack.mitre.org/techniques/T1552/001/",
        },
    ],
};

/// A sensitive node path. `below` says whether paths under it share its rating; a path that
/// contains a sensitive path is always at least as sensitive.
struct SensitivePath {
    path: &'static str,
    below: bool,
    /// `None` marks a harmless path under a sensitive directory.
    severity: Option<Severity>,
    reason: &'static str,
}

const fn critical(path: &'static str, reason: &'static str) -> SensitivePath {
    SensitivePath {
        path,
        below: true,
        severity: Some(Severity::Critical),
        reason,
    }
}

const fn high(path: &'static str, reason: &'static str) -> SensitivePath {
    SensitivePath {
        path,
        below: true,
        severity: Some(Severity::High),
        reason,
    }
}

const fn harmless(path: &'static str) -> SensitivePath {
    SensitivePath {
        path,
        below: true,
        severity: None,
        reason: "",
    }
}

const RUNTIME_SOCKET: &str = "whoever can write to a container runtime's socket can start a \
    privileged container with the node's root mounted";

/// Canonical forms: `/var/run` is written `/run`.
const SENSITIVE: [SensitivePath; 29] = [
    SensitivePath {
        path: "/",
        below: false,
        severity: Some(Severity::Critical),
        reason: "the node's whole file system, credentials and configuration included",
    },
    critical("/run/docker.sock", RUNTIME_SOCKET),
    critical("/run/containerd", RUNTIME_SOCKET),
    critical("/run/crio", RUNTIME_SOCKET),
    critical("/run/podman", RUNTIME_SOCKET),
    critical("/run/cri-dockerd.sock", RUNTIME_SOCKET),
    critical(
        "/etc",
        "the node's configuration: `/etc/shadow`, cron, systemd units and `/etc/kubernetes`",
    ),
    critical(
        "/etc/kubernetes",
        "the node's kubeconfigs and the cluster's PKI",
    ),
    critical(
        "/proc",
        "the host's processes: `/proc/1/root` is the node's root and \
         `/proc/sys/kernel/core_pattern` makes the kernel run a program",
    ),
    critical(
        "/sys",
        "the kernel's settings and cgroups, including the `release_agent` escape",
    ),
    critical(
        "/var/lib/kubelet",
        "the kubelet's credentials and the secrets and tokens of every pod on the node",
    ),
    critical(
        "/var/lib/etcd",
        "etcd's data: the cluster's whole state, secrets included",
    ),
    critical(
        "/root",
        "root's home: SSH keys, kubeconfigs and shell history",
    ),
    high(
        "/var/log",
        "node and pod logs, which leak secrets; when writable, a symlink placed in it has let \
         pods read any node file through the kubelet's log endpoint",
    ),
    high("/home", "users' home directories: SSH keys and credentials"),
    high("/dev", "the node's devices, including its disks and memory"),
    high(
        "/run/dbus",
        "the system D-Bus, through which systemd runs commands as root",
    ),
    high(
        "/run/systemd",
        "systemd's sockets, through which it runs commands as root",
    ),
    high(
        "/var/lib/docker",
        "Docker's storage: the files of every container on the node",
    ),
    high(
        "/var/lib/containerd",
        "containerd's storage: the files of every container on the node",
    ),
    high(
        "/var/lib/containers",
        "CRI-O's and Podman's storage: the files of every container on the node",
    ),
    harmless("/etc/localtime"),
    harmless("/etc/timezone"),
    harmless("/etc/machine-id"),
    harmless("/etc/os-release"),
    harmless("/etc/ssl/certs"),
    harmless("/etc/pki/ca-trust"),
    harmless("/etc/pki/tls/certs"),
    harmless("/etc/ca-certificates"),
];

/// `path` in canonical form: absolute, no `//`, `.` or `..` segments, no trailing slash,
/// `/var/run` spelled `/run`. `None` for relative paths (the kubelet rejects them).
fn normalise(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    if segments.len() >= 2 && segments[0] == "var" && segments[1] == "run" {
        segments.remove(0);
    }
    Some(format!("/{}", segments.join("/")))
}

fn is_below(path: &str, directory: &str) -> bool {
    directory == "/"
        || path
            .strip_prefix(directory)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Why a (canonical) path is sensitive and how much.
struct Verdict {
    severity: Severity,
    reason: String,
}

fn verdict(path: &str) -> Option<Verdict> {
    // The most specific listed path at or above `path` decides its own rating.
    let own = SENSITIVE
        .iter()
        .filter(|s| s.path == path || (s.below && is_below(path, s.path)))
        .max_by_key(|s| s.path.len());
    let own = match own {
        Some(entry) => entry
            .severity
            .map(|severity| (severity, entry.reason.to_string())),
        None => None,
    };
    // A directory is as sensitive as the most sensitive thing in it.
    let contained = SENSITIVE
        .iter()
        .filter(|s| is_below(s.path, path) && s.path != path)
        .filter_map(|s| s.severity.map(|severity| (severity, s)))
        // The first in table order among the most severe.
        .rev()
        .max_by_key(|(severity, _)| *severity)
        .map(|(severity, s)| (severity, format!("it contains `{}`: {}", s.path, s.reason)));
    let (severity, reason) = match (own, contained) {
        (Some(own), Some(contained)) if contained.0 > own.0 => contained,
        (Some(own), _) => own,
        (None, contained) => contained?,
    };
    Some(Verdict { severity, reason })
}

/// A sensitive hostPath volume of a pod.
struct Sensitive<'a> {
    index: usize,
    name: &'a str,
    written: &'a str,
    canonical: String,
    verdict: Verdict,
}

/// The sensitive hostPath volumes of a pod.
fn sensitive_volumes<'a>(workload: &Workload<'a>) -> impl Iterator<Item = Sensitive<'a>> + 'a {
    workload
        .pod_spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, volume)| {
            let written = volume.get("hostPath")?.get("path")?.as_str()?;
            let canonical = normalise(written)?;
            let verdict = verdict(&canonical)?;
            let name = volume.get("name").and_then(Value::as_str).unwrap_or("");
            Some(Sensitive {
                index,
                name,
                written,
                canonical,
                verdict,
            })
        })
}

/// Whether this rule reports the hostPath volume at `path` (`…/volumes/N/hostPath`).
pub fn reports(workload: &Workload<'_>, path: &str) -> bool {
    sensitive_volumes(workload).any(|volume| {
        path == format!(
            "{}/volumes/{}/hostPath",
            workload.pod_spec_path, volume.index
        )
    })
}

impl Rule for SensitiveHostPath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        for volume in sensitive_volumes(&workload) {
            let Sensitive {
                index,
                name,
                written,
                canonical,
                verdict,
            } = volume;
            // Spell out the path that was matched when the manifest writes it differently.
            let trimmed = written.trim_end_matches('/');
            let matched = if trimmed == canonical
                || (trimmed.is_empty() && canonical == "/")
                || trimmed.strip_prefix("/var") == Some(canonical.as_str())
            {
                String::new()
            } else {
                format!(" (`{canonical}`)")
            };
            let finding = sink.report(
                object,
                format!("{}/volumes/{index}/hostPath/path", workload.pod_spec_path),
                format!(
                    "volume `{name}` mounts the node's `{written}`{matched}: {}",
                    verdict.reason
                ),
            );
            finding.severity = verdict.severity;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use crate::packs::workload::pss_controls::HOST_PATH_VOLUME_RULE;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(value: Value, rule: &'static dyn Rule) -> Vec<Finding> {
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        check(&Inventory::new(vec![object]), &[rule])
    }

    fn pod(paths: &[&str]) -> Value {
        let volumes: Vec<Value> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| value!({"name": format!("v{i}"), "hostPath": {"path": p}}))
            .collect();
        value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [{"name": "a"}], "volumes": volumes}})
    }

    fn rating(path: &str) -> Option<Severity> {
        normalise(path)
            .and_then(|p| verdict(&p))
            .map(|v| v.severity)
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            normalise("/var/run/docker.sock/").as_deref(),
            Some("/run/docker.sock")
        );
        assert_eq!(
            normalise("//etc/./kubernetes//").as_deref(),
            Some("/etc/kubernetes")
        );
        assert_eq!(normalise("/opt/../etc").as_deref(), Some("/etc"));
        assert_eq!(normalise("/").as_deref(), Some("/"));
        assert_eq!(normalise("///").as_deref(), Some("/"));
        assert_eq!(normalise("var/log"), None);
    }

    #[test]
    fn ratings() {
        use Severity::{Critical, High};
        for (path, expected) in [
            ("/", Some(Critical)),
            ("/var/run/docker.sock", Some(Critical)),
            ("/run/containerd/containerd.sock", Some(Critical)),
            ("/var/run/crio/crio.sock", Some(Critical)),
            ("/run/podman/podman.sock", Some(Critical)),
            ("/var/run/containerd", Some(Critical)),
            ("/var/run", Some(Critical)),
            ("/run", Some(Critical)),
            ("/var", Some(Critical)),
            ("/var/lib", Some(Critical)),
            ("/etc/", Some(Critical)),
            ("/etc/kubernetes/pki", Some(Critical)),
            ("/proc/sys", Some(Critical)),
            ("/sys/fs/cgroup", Some(Critical)),
            ("/var/lib/kubelet/pods", Some(Critical)),
            ("/root/.ssh", Some(Critical)),
            ("/var/log", Some(High)),
            ("/var/log/pods", Some(High)),
            ("/home/ubuntu", Some(High)),
            ("/dev", Some(High)),
            ("/var/lib/docker/containers", Some(High)),
            ("/etc/localtime", None),
            ("/etc/ssl/certs", None),
            ("/etc/ssl", Some(Critical)),
            ("/run/xtables.lock", None),
            ("/mnt/disks/ssd0", None),
            ("/opt/cni/bin", None),
            ("/data", None),
            ("/var/lib/kubelet-plugins", None),
            ("/etcd", None),
        ] {
            assert_eq!(rating(path), expected, "{path}");
        }
    }

    #[test]
    fn reports_each_sensitive_volume_with_its_reason() {
        let findings = run(
            pod(&["/var/run/docker.sock", "/mnt/data", "/var/log/", "/var"]),
            &SensitiveHostPath,
        );
        let found: Vec<_> = findings
            .iter()
            .map(|f| (f.path.as_str(), f.severity))
            .collect();
        assert_eq!(
            found,
            [
                ("/spec/volumes/0/hostPath/path", Severity::Critical),
                ("/spec/volumes/2/hostPath/path", Severity::High),
                ("/spec/volumes/3/hostPath/path", Severity::Critical),
            ]
        );
        assert!(findings[0].message.starts_with(
            "volume `v0` mounts the node's `/var/run/docker.sock`: whoever can write"
        ));
        assert!(
            findings[1]
                .message
                .starts_with("volume `v2` mounts the node's `/var/log/`: ")
        );
        assert!(
            findings[2].message.starts_with(
                "volume `v3` mounts the node's `/var`: it contains `/var/lib/kubelet`"
            )
        );
    }

    #[test]
    fn wl007_reports_only_the_ordinary_volumes() {
        let value = pod(&["/var/run/docker.sock", "/mnt/data", "/etc/localtime"]);
        let paths: Vec<_> = run(value, &HOST_PATH_VOLUME_RULE)
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(
            paths,
            ["/spec/volumes/1/hostPath", "/spec/volumes/2/hostPath"]
        );
    }
}
