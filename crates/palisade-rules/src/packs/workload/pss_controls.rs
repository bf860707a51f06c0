//! WL005–WL019: the Pod Security Standards controls without a dedicated rule, one rule per
//! upstream check. Each rule is a row of a table: its metadata and the check it runs through the
//! [`crate::pss`] evaluator at the policy version of the engine's context. A restricted control
//! that replaces a baseline control does not repeat the fields the baseline control reports.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::pss::{self, Check, Version, Violation};
use palisade_model::{Object, Workload, pointer};
use std::collections::HashSet;

/// Whether a dedicated rule reports the violation at this path in more detail.
pub type ReportedElsewhere = fn(&Workload<'_>, &str) -> bool;

/// A rule that reports the violations of one Pod Security check.
pub struct PssControl {
    meta: &'static RuleMeta,
    check: &'static str,
    skip: Option<ReportedElsewhere>,
}

impl PssControl {
    pub const fn new(meta: &'static RuleMeta, check: &'static str) -> Self {
        Self {
            meta,
            check,
            skip: None,
        }
    }

    /// Leave the violations `skip` accepts to the dedicated rule that reports them, so one
    /// problem yields one finding.
    pub const fn skipping(self, skip: ReportedElsewhere) -> Self {
        Self {
            skip: Some(skip),
            ..self
        }
    }

    /// The upstream ID of the check the rule runs.
    pub fn check_id(&self) -> &'static str {
        self.check
    }

    /// The violations this rule reports at `version`: those of its check, minus the fields the
    /// baseline check it replaces already reports, so one problem yields one finding.
    pub fn violations(&self, workload: &Workload<'_>, version: Version) -> Vec<Violation> {
        let Some(check) = pss::find_check(self.check) else {
            return Vec::new();
        };
        let mut violations = pss::evaluate_check(check, workload, version);
        if violations.is_empty() {
            return violations;
        }
        if let Some(replaced) = check.overrides.and_then(pss::find_check) {
            let reported = reported_paths(replaced, workload, version);
            violations.retain(|violation| !reported.contains(&violation.path));
        }
        if let Some(skip) = self.skip {
            violations.retain(|violation| !skip(workload, &violation.path));
        }
        violations
    }
}

fn reported_paths(check: &Check, workload: &Workload<'_>, version: Version) -> HashSet<String> {
    pss::evaluate_check(check, workload, version)
        .into_iter()
        .map(|violation| violation.path)
        .collect()
}

/// Annotation prefixes that name a container after the slash.
const CONTAINER_ANNOTATION_PREFIXES: [&str; 2] = [
    "container.apparmor.security.beta.kubernetes.io/",
    "container.seccomp.security.alpha.kubernetes.io/",
];

/// The container a violation is about: the one whose path contains the violation's, or the one
/// a per-container annotation names.
fn container_of<'a>(workload: &Workload<'a>, path: &str) -> Option<&'a str> {
    let inside = workload.containers.iter().find(|container| {
        path.strip_prefix(container.path)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if let Some(container) = inside {
        return Some(container.name);
    }
    let annotations = format!("{}/annotations/", workload.pod_metadata_path);
    let escaped = path.strip_prefix(&annotations)?;
    if escaped.contains('/') {
        return None;
    }
    let key = pointer::unescape(escaped);
    let name = CONTAINER_ANNOTATION_PREFIXES
        .iter()
        .find_map(|prefix| key.strip_prefix(prefix))?;
    workload
        .containers
        .iter()
        .find(|container| container.name == name)
        .map(|container| container.name)
}

/// The finding's message: upstream's detail, which names the pod or container and the field;
/// a bare value (a sysctl name, an annotation) gets upstream's reason in front, as upstream
/// prints it.
fn message(violation: &Violation) -> String {
    if violation.detail.contains(char::is_whitespace) {
        violation.detail.clone()
    } else {
        format!("{} ({})", violation.reason, violation.detail)
    }
}

impl Rule for PssControl {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        let version = sink.context().pss_version;
        for violation in self.violations(&workload, version) {
            let container = container_of(&workload, &violation.path);
            let message = message(&violation);
            let finding = sink.report(object, violation.path, message);
            if let Some(name) = container {
                finding.in_container(name);
            }
        }
    }
}

const PSS_BASELINE: &str =
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline";
const PSS_RESTRICTED: &str =
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted";
const CIS: &str = "https://www.cisecurity.org/benchmark/kubernetes";
const NSA_CISA: Reference = Reference {
    title: "NSA/CISA Kubernetes Hardening Guide: Pod security",
    url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
};
const ESCAPE_TO_HOST: Reference = Reference {
    title: "MITRE ATT&CK T1611: Escape to Host",
    url: "https://attack.mitre.org/techniques/T1611/",
};
const EXPLOIT_FOR_PRIVILEGE_ESCALATION: Reference = Reference {
    title: "MITRE ATT&CK T1068: Exploitation for Privilege Escalation",
    url: "https://attack.mitre.org/techniques/T1068/",
};

pub static HOST_PROCESS_CONTAINER: RuleMeta = RuleMeta {
    code: "WL005",
    name: "host-process-container",
    pack: Pack::Workload,
    severity: Severity::Critical,
    kinds: &["<workload>"],
    summary: "A Windows pod or container runs as a HostProcess container, directly on the node.",
    rationale: "A HostProcess container is not a container at all: it is a process on the \
        Windows node, in the host's network, with the host's file system and, typically, as \
        `NT AUTHORITY\\SYSTEM`. Whoever controls its image or can exec into it controls the \
        node: they read the kubelet's credentials and every secret mounted into other pods on \
        the node, install services that survive the pod, and reach the cluster network as the \
        node. Critical: it is the Windows equivalent of a privileged container with host \
        namespaces.",
    remediation: "Remove `securityContext.windowsOptions.hostProcess: true` from the pod and its \
        containers; node tooling that truly needs the host belongs in a dedicated namespace \
        labelled `pod-security.kubernetes.io/enforce: privileged`, which only cluster operators \
        can deploy to.",
    bad_example: "spec:\n  os:\n    name: windows\n  hostNetwork: true\n  securityContext:\n    windowsOptions:\n      hostProcess: true\n      runAsUserName: \"NT AUTHORITY\\\\SYSTEM\"\n  containers:\n  - name: agent\n    image: registry.example/win-agent:1.2\n",
    good_example: "spec:\n  os:\n    name: windows\n  containers:\n  - name: agent\n    image: registry.example/win-agent:1.2\n    securityContext:\n      windowsOptions:\n        runAsUserName: ContainerUser\n",
    pss: &["windowsHostProcess"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): HostProcess",
            url: PSS_BASELINE,
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.11: Minimize the admission of Windows \
                HostProcess containers",
            url: CIS,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: Create a Windows HostProcess Pod",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/",
        },
        ESCAPE_TO_HOST,
    ],
};

pub static CAPABILITY_BEYOND_BASELINE: RuleMeta = RuleMeta {
    code: "WL006",
    name: "capability-beyond-baseline",
    pack: Pack::Workload,
    severity: Severity::High,
    kinds: &["<workload>"],
    summary: "A container adds a Linux capability outside the Pod Security baseline set.",
    rationale: "The baseline set is what container runtimes grant by default, minus `NET_RAW`. \
        Anything beyond it hands the container a piece of root on the node: `SYS_ADMIN` lets it \
        mount file systems and abuse the cgroup v1 `release_agent` to run a command on the host \
        (CVE-2022-0492), `SYS_MODULE` loads kernel modules, `SYS_PTRACE` injects code into other \
        processes, `NET_ADMIN` and `NET_RAW` rewrite routes or spoof traffic on the pod network, \
        `BPF` and `PERFMON` open the kernel's tracing interfaces. High: one added capability is \
        often all an attacker in the container needs to reach the node. The capabilities WL037 \
        dangerous-capability rates (`SYS_ADMIN`, `SYS_MODULE`, `ALL`, `NET_ADMIN`, `SYS_PTRACE`, \
        `DAC_READ_SEARCH`, `SYS_RAWIO`, `BPF`, `PERFMON`, `NET_RAW`) are reported there instead, \
        so each added capability gives one finding.",
    remediation: "Remove the capability from `securityContext.capabilities.add`; drop `ALL` and add \
        back only what the process needs from the baseline set (usually nothing, or \
        `NET_BIND_SERVICE` to bind a port below 1024).",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    capabilities:\n      add: [\"SYS_ADMIN\", \"NET_RAW\"]\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    capabilities:\n      drop: [\"ALL\"]\n      add: [\"NET_BIND_SERVICE\"]\n",
    pss: &["capabilities_baseline"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): Capabilities",
            url: PSS_BASELINE,
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.8 and 5.2.9: Minimize the admission of containers \
                with the NET_RAW capability or with added capabilities",
            url: CIS,
        },
        NSA_CISA,
        Reference {
            title: "CVE-2022-0492: cgroups v1 release_agent container escape",
            url: "https://nvd.nist.gov/vuln/detail/CVE-2022-0492",
        },
        ESCAPE_TO_HOST,
    ],
};

pub static HOST_PATH_VOLUME: RuleMeta = RuleMeta {
    code: "WL007",
    name: "host-path-volume",
    pack: Pack::Workload,
    severity: Severity::High,
    kinds: &["<workload>"],
    summary: "The pod mounts a directory or file of the node through a hostPath volume.",
    rationale: "A hostPath volume puts part of the node's file system inside the container, and \
        the container's root user is root on those files. Mounting `/` or `/etc` lets it add an \
        SSH key or a cron job to the node; `/var/run/containerd/containerd.sock` or \
        `/var/run/docker.sock` lets it start a privileged container; `/var/lib/kubelet` exposes \
        the kubelet's credentials and every pod's secrets; `/var/log` with a symlink trick has \
        read arbitrary node files through the kubelet's log endpoint. Even a read-only mount \
        leaks credentials and configuration. High: any hostPath is one step from node \
        compromise, whatever its path. The sensitive paths (runtime sockets, `/`, `/etc`, \
        `/proc`, `/sys`, `/var/lib/kubelet`, `/var/log` and the others WL035 sensitive-host-path \
        lists) are reported there instead, with their own rating, so each volume gives one \
        finding.",
    remediation: "Replace the hostPath volume with an `emptyDir`, a `configMap` or `secret`, a \
        `persistentVolumeClaim` or a CSI volume; agents that must read node files belong in a \
        dedicated, privileged namespace, with `readOnly: true` and the narrowest path.",
    bad_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    volumeMounts:\n    - name: docker\n      mountPath: /var/run/docker.sock\n  volumes:\n  - name: docker\n    hostPath:\n      path: /var/run/docker.sock\n",
    good_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    volumeMounts:\n    - name: cache\n      mountPath: /cache\n  volumes:\n  - name: cache\n    emptyDir: {}\n",
    pss: &["hostPathVolumes"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): HostPath Volumes",
            url: PSS_BASELINE,
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.12: Minimize the admission of HostPath volumes",
            url: CIS,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: hostPath volumes",
            url: "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
        },
        ESCAPE_TO_HOST,
    ],
};

pub static HOST_PORT: RuleMeta = RuleMeta {
    code: "WL008",
    name: "host-port",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "A container publishes a port on the node's own IP address through hostPort.",
    rationale: "A hostPort forwards a port of the node's address to the container. The port is \
        then reachable by anything that can reach the node, from outside the cluster's Services, \
        Ingresses and often NetworkPolicies; an admin or metrics endpoint meant for the pod \
        network becomes exposed on every node the pod runs on. The pod can also claim a port \
        that node software or another team expects and receive its traffic. Medium: it widens \
        exposure rather than granting privileges, and it pins scheduling to nodes where the \
        port is free.",
    remediation: "Remove `hostPort` from the container's ports and expose the pod through a \
        Service (ClusterIP, or NodePort or LoadBalancer when it must be reached from outside).",
    bad_example: "containers:\n- name: web\n  image: registry.example/web:2.3.1\n  ports:\n  - containerPort: 8080\n    hostPort: 80\n",
    good_example: "containers:\n- name: web\n  image: registry.example/web:2.3.1\n  ports:\n  - containerPort: 8080\n",
    pss: &["hostPorts"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): Host Ports",
            url: PSS_BASELINE,
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.13: Minimize the admission of containers which \
                use HostPorts",
            url: CIS,
        },
        NSA_CISA,
        Reference {
            title: "MITRE ATT&CK T1190: Exploit Public-Facing Application",
            url: "https://attack.mitre.org/techniques/T1190/",
        },
    ],
};

pub static APPARMOR_UNCONFINED: RuleMeta = RuleMeta {
    code: "WL009",
    name: "apparmor-unconfined",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "The pod or a container turns AppArmor confinement off or picks a profile other than \
        the runtime default or a node-local one.",
    rationale: "On nodes with AppArmor, the runtime's default profile denies writes to `/proc` and \
        `/sys`, mounting, and other operations container escapes rely on; the cgroup \
        `release_agent` escape (CVE-2022-0492) is stopped by it. \
        `Unconfined` (or the `unconfined` annotation) removes that layer, so a compromised \
        process with a capability or a kernel bug has one barrier fewer between it and the \
        node. Medium: it removes a defence rather than opening a path by itself.",
    remediation: "Remove the `Unconfined` AppArmor profile: set \
        `securityContext.appArmorProfile.type` to `RuntimeDefault` (or `Localhost` with a \
        reviewed profile), or drop the `container.apparmor.security.beta.kubernetes.io/*` \
        annotation set to `unconfined`.",
    bad_example: "metadata:\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: unconfined\nspec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  securityContext:\n    appArmorProfile:\n      type: RuntimeDefault\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &["appArmorProfile"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): AppArmor",
            url: PSS_BASELINE,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: Restrict a Container's Access to Resources with \
                AppArmor",
            url: "https://kubernetes.io/docs/tutorials/security/apparmor/",
        },
        ESCAPE_TO_HOST,
    ],
};

pub static SELINUX_OPTIONS_UNSAFE: RuleMeta = RuleMeta {
    code: "WL010",
    name: "selinux-options-unsafe",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "The pod or a container sets an SELinux type outside the container types, or sets an \
        SELinux user or role.",
    rationale: "On SELinux nodes every container runs as `container_t` with its own categories, so \
        even root in one container cannot touch the node's files or another container's. A \
        custom type lifts that: `spc_t` (super-privileged container) or `unconfined_t` is not \
        confined at all, and a host type such as `kubelet_t` grants the policy's rights of that \
        daemon; a custom user or role (`system_u`, `system_r`) changes which types the process \
        may enter. Combined with a hostPath mount or a kernel bug, the container then reaches \
        the node. Medium: it removes the node's mandatory access control for the container.",
    remediation: "Remove `seLinuxOptions.user` and `seLinuxOptions.role`, and leave \
        `seLinuxOptions.type` unset or set it to `container_t`, `container_init_t`, \
        `container_kvm_t` or `container_engine_t`; set only `level` when the pod needs fixed \
        categories.",
    bad_example: "spec:\n  securityContext:\n    seLinuxOptions:\n      type: spc_t\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  securityContext:\n    seLinuxOptions:\n      level: \"s0:c123,c456\"\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &["seLinuxOptions"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): SELinux",
            url: PSS_BASELINE,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: Assign SELinux labels to a Container",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container",
        },
        ESCAPE_TO_HOST,
    ],
};

pub static PROC_MOUNT_UNMASKED: RuleMeta = RuleMeta {
    code: "WL011",
    name: "proc-mount-unmasked",
    pack: Pack::Workload,
    severity: Severity::High,
    kinds: &["<workload>"],
    summary: "A container in the host's user namespace asks for an unmasked /proc.",
    rationale: "Runtimes mask or mount read-only the parts of `/proc` that act on the whole \
        node: `/proc/sys`, `/proc/sysrq-trigger`, `/proc/kcore`, `/proc/keys` and others. \
        `procMount: Unmasked` removes those masks. In the host's user namespace the container's \
        root is the node's root for the kernel, so it can write `/proc/sys/kernel/core_pattern` \
        to have the node run a program of its choice on the next crash (a classic escape), \
        reboot the node through `/proc/sysrq-trigger`, or read kernel memory. High: with a \
        root process it is a direct route to the node.",
    remediation: "Remove `securityContext.procMount` or set it to `Default`; a nested container \
        runtime that needs an unmasked /proc must run in a user namespace (`hostUsers: false`).",
    bad_example: "containers:\n- name: builder\n  image: registry.example/buildkit:0.13\n  securityContext:\n    procMount: Unmasked\n",
    good_example: "hostUsers: false\ncontainers:\n- name: builder\n  image: registry.example/buildkit:0.13\n  securityContext:\n    procMount: Unmasked\n",
    pss: &["procMount"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): /proc Mount Type",
            url: PSS_BASELINE,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: User Namespaces",
            url: "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/",
        },
        ESCAPE_TO_HOST,
    ],
};

pub static SECCOMP_UNCONFINED: RuleMeta = RuleMeta {
    code: "WL012",
    name: "seccomp-unconfined",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "The pod or a container explicitly runs without a seccomp profile.",
    rationale: "The runtime's default seccomp profile blocks system calls that containers rarely \
        need and kernel exploits often do: `unshare` and `clone` of new user namespaces, \
        `keyctl`, `bpf`, `userfaultfd`, `mount`. CVE-2022-0185 (a heap overflow reached through \
        `fsconfig` in a fresh user namespace) and the CVE-2022-0492 `release_agent` escape both \
        fail under it. `Unconfined`, or the older `unconfined` annotation, exposes the whole \
        kernel interface and survives even a node configured with `--seccomp-default`. Medium: \
        it removes the main defence against kernel exploits from inside a container.",
    remediation: "Set `securityContext.seccompProfile.type` to `RuntimeDefault` (or `Localhost` \
        with a reviewed profile) instead of `Unconfined`, or remove the `unconfined` seccomp \
        annotation.",
    bad_example: "spec:\n  securityContext:\n    seccompProfile:\n      type: Unconfined\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &["seccompProfile_baseline"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): Seccomp",
            url: PSS_BASELINE,
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.7.2: Ensure that the seccomp profile is set to \
                docker/default in your pod definitions",
            url: CIS,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: Restrict a Container's Syscalls with seccomp",
            url: "https://kubernetes.io/docs/tutorials/security/seccomp/",
        },
        EXPLOIT_FOR_PRIVILEGE_ESCALATION,
    ],
};

pub static UNSAFE_SYSCTL: RuleMeta = RuleMeta {
    code: "WL013",
    name: "unsafe-sysctl",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "The pod sets a kernel parameter outside the safe sysctl set of its Pod Security \
        version.",
    rationale: "Safe sysctls are namespaced and cannot affect other pods. The rest can: \
        `kernel.shm*` and `kernel.msg*` let one pod reserve memory of the whole node, \
        `net.core.*` and many `net.ipv4.*` settings change the node's network stack for \
        everyone, and the kubelet and runtime parse whatever value is given; in CRI-O, a crafted \
        value (CVE-2022-0811, cr8escape) set `kernel.core_pattern` on the node and ran code \
        as root there. Which sysctls are safe depends on the policy version, so the rule \
        follows `--pss-version`. Medium: mostly noisy-neighbour and denial-of-service risk, \
        occasionally an escape.",
    remediation: "Remove the sysctl from `securityContext.sysctls`, or keep only ones from the safe \
        set; a node-wide setting belongs in the node's configuration, and an unsafe namespaced \
        one needs the kubelet's `--allowed-unsafe-sysctls` on dedicated, tainted nodes.",
    bad_example: "spec:\n  securityContext:\n    sysctls:\n    - name: kernel.msgmax\n      value: \"65536\"\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  securityContext:\n    sysctls:\n    - name: net.ipv4.ip_local_port_range\n      value: \"32768 60999\"\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &["sysctls"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): Sysctls",
            url: PSS_BASELINE,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: Using sysctls in a Kubernetes Cluster",
            url: "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
        },
        Reference {
            title: "CVE-2022-0811: CRI-O sysctl injection (cr8escape)",
            url: "https://nvd.nist.gov/vuln/detail/CVE-2022-0811",
        },
        Reference {
            title: "MITRE ATT&CK T1499: Endpoint Denial of Service",
            url: "https://attack.mitre.org/techniques/T1499/",
        },
    ],
};

pub static PROBE_OR_HOOK_TARGETS_HOST: RuleMeta = RuleMeta {
    code: "WL014",
    name: "probe-or-hook-targets-host",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "A probe or lifecycle hook sends its HTTP or TCP request to a host other than the \
        pod.",
    rationale: "The kubelet runs `httpGet` and `tcpSocket` probes and hooks from the node, in the \
        node's network. With `host` set, a pod author makes the kubelet connect wherever they \
        like: services bound to the node's loopback, the cloud metadata endpoint at \
        169.254.169.254, or other tenants' pods that NetworkPolicy would keep the pod itself away \
        from. Probe results and events reveal which hosts and ports answer, a port scan and a \
        blind request forgery with the node's network identity. Medium: it lends the node's \
        network position to the pod author.",
    remediation: "Remove `host` from the probe or hook so it targets the pod's own IP; check \
        another service from inside the container with an `exec` probe, or monitor it \
        separately.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  livenessProbe:\n    httpGet:\n      host: 169.254.169.254\n      path: /latest/meta-data/\n      port: 80\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  livenessProbe:\n    httpGet:\n      path: /healthz\n      port: 8080\n",
    pss: &["hostProbesAndHostLifecycle"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): Host Probes / Lifecycle Hooks",
            url: PSS_BASELINE,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: Configure Liveness, Readiness and Startup Probes",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
        },
        Reference {
            title: "MITRE ATT&CK T1046: Network Service Discovery",
            url: "https://attack.mitre.org/techniques/T1046/",
        },
    ],
};

pub static VOLUME_TYPE_NOT_RESTRICTED: RuleMeta = RuleMeta {
    code: "WL015",
    name: "volume-type-not-restricted",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "The pod declares an inline volume type outside the restricted set (other than \
        hostPath, which WL007 reports).",
    rationale: "Inline network and cloud volumes (`nfs`, `iscsi`, `rbd`, `cephfs`, `glusterfs`, \
        `awsElasticBlockStore`, ...) are mounted by the kubelet on the node, to the server and \
        path the pod author writes, bypassing the PersistentVolume and claim workflow where an \
        administrator decides who gets which storage. An NFS export that trusts the nodes' \
        addresses can be mounted by any pod in any namespace. `gitRepo` runs `git` on the node \
        as root and has allowed command execution outside the container (CVE-2024-10220) and \
        access to other pods' repositories (CVE-2025-1767); `flexVolume` runs a node driver \
        with pod-supplied options. Medium rather than low: these are data-access and node-code \
        paths, not just a missing hardening.",
    remediation: "Use a `persistentVolumeClaim` (bound to a PersistentVolume an administrator \
        manages) or a CSI volume instead of the inline source; replace `gitRepo` with an init \
        container that clones into an `emptyDir`.",
    bad_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n  volumes:\n  - name: shared\n    nfs:\n      server: nfs.internal.example\n      path: /exports/finance\n",
    good_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n  volumes:\n  - name: shared\n    persistentVolumeClaim:\n      claimName: app-shared\n",
    pss: &["restrictedVolumes"],
    references: &[
        Reference {
            title: "Pod Security Standards (restricted): Volume Types",
            url: PSS_RESTRICTED,
        },
        NSA_CISA,
        Reference {
            title: "CVE-2024-10220: Arbitrary command execution through gitRepo volume",
            url: "https://github.com/kubernetes/kubernetes/issues/128885",
        },
        Reference {
            title: "MITRE ATT&CK T1039: Data from Network Shared Drive",
            url: "https://attack.mitre.org/techniques/T1039/",
        },
    ],
};

pub static RUN_AS_ROOT_USER: RuleMeta = RuleMeta {
    code: "WL016",
    name: "run-as-root-user",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "The pod or a container sets `runAsUser: 0`, forcing the process to run as root.",
    rationale: "`runAsUser: 0` overrides the image's own non-root `USER` and makes the process \
        root, which the kernel treats as the node's root unless the pod runs in a user \
        namespace. Root owns every file in mounted volumes, keeps every capability the \
        container is allowed, and turns runtime and kernel bugs (CVE-2019-5736 in runc, \
        CVE-2022-0492) into an escape. Medium: it widens the impact of any compromise of the \
        process.",
    remediation: "Remove `runAsUser: 0` and set a non-zero `runAsUser` with `runAsNonRoot: true`; \
        if the process needs root for one task, do that task in an init container or grant the \
        single capability it needs.",
    bad_example: "spec:\n  securityContext:\n    runAsUser: 0\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &["runAsUser"],
    references: &[
        Reference {
            title: "Pod Security Standards (restricted): Running as Non-root user",
            url: PSS_RESTRICTED,
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.7: Minimize the admission of root containers",
            url: CIS,
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: \"Non-root\" containers and \"rootless\" \
                container engines",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        ESCAPE_TO_HOST,
    ],
};

pub static SECCOMP_PROFILE_MISSING: RuleMeta = RuleMeta {
    code: "WL017",
    name: "seccomp-profile-missing",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "Neither the pod nor the container sets a `RuntimeDefault` or `Localhost` seccomp \
        profile.",
    rationale: "Without a profile, the kubelet runs the container `Unconfined` unless the node \
        was started with `--seccomp-default`, which is off by default; the container can then \
        make every system call, including those behind recent kernel escapes (`unshare` into a \
        user namespace, `keyctl`, `bpf`). Naming the profile makes the protection part of the \
        workload instead of an assumption about the node. Low: the gap depends on node \
        configuration; an explicit `Unconfined` is reported by WL012 as a medium finding.",
    remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (it \
        applies to every container), or `Localhost` with a reviewed profile.",
    bad_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &["seccompProfile_restricted"],
    references: &[
        Reference {
            title: "Pod Security Standards (restricted): Seccomp",
            url: PSS_RESTRICTED,
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.7.2: Ensure that the seccomp profile is set to \
                docker/default in your pod definitions",
            url: CIS,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: Restrict a Container's Syscalls with seccomp",
            url: "https://kubernetes.io/docs/tutorials/security/seccomp/",
        },
        EXPLOIT_FOR_PRIVILEGE_ESCALATION,
    ],
};

pub static CAPABILITIES_NOT_DROPPED: RuleMeta = RuleMeta {
    code: "WL018",
    name: "capabilities-not-dropped",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "A container does not drop all capabilities, or adds back one other than \
        `NET_BIND_SERVICE`.",
    rationale: "Unless a container drops `ALL`, it keeps the runtime's default set: `CHOWN`, \
        `DAC_OVERRIDE`, `FOWNER`, `SETUID`, `SETGID`, `MKNOD` and, on many runtimes, `NET_RAW`. \
        A compromised root process uses them to read any file in its volumes, change users, or \
        spoof ARP and DNS on the pod network with raw sockets; `NET_RAW` also reached the \
        packet-socket overflow CVE-2020-14386, a container escape. Adding back baseline \
        capabilities other than `NET_BIND_SERVICE` keeps those powers. Low: these are the \
        runtime's defaults; capabilities beyond the baseline set are reported by WL006.",
    remediation: "Set `securityContext.capabilities.drop: [\"ALL\"]` on every container and add \
        back only `NET_BIND_SERVICE` when the process binds a port below 1024.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    capabilities:\n      add: [\"CHOWN\"]\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    capabilities:\n      drop: [\"ALL\"]\n      add: [\"NET_BIND_SERVICE\"]\n",
    pss: &["capabilities_restricted"],
    references: &[
        Reference {
            title: "Pod Security Standards (restricted): Capabilities",
            url: PSS_RESTRICTED,
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.10: Minimize the admission of containers with \
                capabilities assigned",
            url: CIS,
        },
        NSA_CISA,
        Reference {
            title: "CVE-2020-14386: packet socket memory corruption reachable with CAP_NET_RAW",
            url: "https://nvd.nist.gov/vuln/detail/CVE-2020-14386",
        },
        EXPLOIT_FOR_PRIVILEGE_ESCALATION,
    ],
};

pub static PROC_MOUNT_NOT_DEFAULT: RuleMeta = RuleMeta {
    code: "WL019",
    name: "proc-mount-not-default",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "A container in a user-namespaced pod asks for an unmasked /proc, which the \
        restricted level forbids from v1.35.",
    rationale: "In a pod with `hostUsers: false` the container's root maps to an unprivileged user \
        on the node, so the kernel refuses most writes through an unmasked `/proc` and the \
        baseline level allows it (WL011 reports it for pods in the host's user namespace). It \
        still exposes node-wide information normally hidden (`/proc/timer_list`, \
        `/proc/sched_debug`, `/proc/keys`) and leaves only the user namespace between the \
        process and the node's `/proc/sys`, so a user-namespace bypass becomes a node \
        compromise. Low: a defence in depth gap.",
    remediation: "Remove `securityContext.procMount` or set it to `Default` unless the container \
        runs a nested container runtime that needs it.",
    bad_example: "hostUsers: false\ncontainers:\n- name: builder\n  image: registry.example/buildkit:0.13\n  securityContext:\n    procMount: Unmasked\n",
    good_example: "hostUsers: false\ncontainers:\n- name: builder\n  image: registry.example/buildkit:0.13\n  securityContext:\n    procMount: Default\n",
    pss: &["procMount_restricted"],
    references: &[
        Reference {
            title: "Pod Security Standards (restricted): /proc Mount Type",
            url: PSS_RESTRICTED,
        },
        NSA_CISA,
        Reference {
            title: "Kubernetes documentation: User Namespaces",
            url: "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/",
        },
        ESCAPE_TO_HOST,
    ],
};

pub static HOST_PROCESS_CONTAINER_RULE: PssControl =
    PssControl::new(&HOST_PROCESS_CONTAINER, "windowsHostProcess");
pub static CAPABILITY_BEYOND_BASELINE_RULE: PssControl =
    PssControl::new(&CAPABILITY_BEYOND_BASELINE, "capabilities_baseline")
        .skipping(super::dangerous_capability::reports);
pub static HOST_PATH_VOLUME_RULE: PssControl =
    PssControl::new(&HOST_PATH_VOLUME, "hostPathVolumes")
        .skipping(super::sensitive_host_path::reports);
pub static HOST_PORT_RULE: PssControl = PssControl::new(&HOST_PORT, "hostPorts");
pub static APPARMOR_UNCONFINED_RULE: PssControl =
    PssControl::new(&APPARMOR_UNCONFINED, "appArmorProfile");
pub static SELINUX_OPTIONS_UNSAFE_RULE: PssControl =
    PssControl::new(&SELINUX_OPTIONS_UNSAFE, "seLinuxOptions");
pub static PROC_MOUNT_UNMASKED_RULE: PssControl =
    PssControl::new(&PROC_MOUNT_UNMASKED, "procMount");
pub static SECCOMP_UNCONFINED_RULE: PssControl =
    PssControl::new(&SECCOMP_UNCONFINED, "seccompProfile_baseline");
pub static UNSAFE_SYSCTL_RULE: PssControl = PssControl::new(&UNSAFE_SYSCTL, "sysctls");
pub static PROBE_OR_HOOK_TARGETS_HOST_RULE: PssControl =
    PssControl::new(&PROBE_OR_HOOK_TARGETS_HOST, "hostProbesAndHostLifecycle");
pub static VOLUME_TYPE_NOT_RESTRICTED_RULE: PssControl =
    PssControl::new(&VOLUME_TYPE_NOT_RESTRICTED, "restrictedVolumes");
pub static RUN_AS_ROOT_USER_RULE: PssControl = PssControl::new(&RUN_AS_ROOT_USER, "runAsUser");
pub static SECCOMP_PROFILE_MISSING_RULE: PssControl =
    PssControl::new(&SECCOMP_PROFILE_MISSING, "seccompProfile_restricted");
pub static CAPABILITIES_NOT_DROPPED_RULE: PssControl =
    PssControl::new(&CAPABILITIES_NOT_DROPPED, "capabilities_restricted");
pub static PROC_MOUNT_NOT_DEFAULT_RULE: PssControl =
    PssControl::new(&PROC_MOUNT_NOT_DEFAULT, "procMount_restricted");

/// Every control, in code order.
pub static CONTROLS: [&PssControl; 15] = [
    &HOST_PROCESS_CONTAINER_RULE,
    &CAPABILITY_BEYOND_BASELINE_RULE,
    &HOST_PATH_VOLUME_RULE,
    &HOST_PORT_RULE,
    &APPARMOR_UNCONFINED_RULE,
    &SELINUX_OPTIONS_UNSAFE_RULE,
    &PROC_MOUNT_UNMASKED_RULE,
    &SECCOMP_UNCONFINED_RULE,
    &UNSAFE_SYSCTL_RULE,
    &PROBE_OR_HOOK_TARGETS_HOST_RULE,
    &VOLUME_TYPE_NOT_RESTRICTED_RULE,
    &RUN_AS_ROOT_USER_RULE,
    &SECCOMP_PROFILE_MISSING_RULE,
    &CAPABILITIES_NOT_DROPPED_RULE,
    &PROC_MOUNT_NOT_DEFAULT_RULE,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Context, check_with};
    use crate::finding::Finding;
    use crate::registry::all_rules;
    use palisade_model::Value;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn object(value: Value) -> Object {
        Object::new(value, "t.yaml".into(), 0, PositionTree::default())
    }

    fn pod(spec: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
    }

    fn run(rule: &'static PssControl, value: Value, version: Version) -> Vec<Finding> {
        let inventory = Inventory::new(vec![object(value)]);
        check_with(
            &inventory,
            &[rule],
            &Context {
                pss_version: version,
                ..Context::default()
            },
        )
    }

    /// The reported paths, sorted.
    fn paths(findings: &[Finding]) -> Vec<&str> {
        let mut paths: Vec<_> = findings.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        paths
    }

    #[test]
    fn table_matches_the_evaluator() {
        let mut covered: Vec<&str> = vec![
            "privileged",
            "hostNamespaces",
            "allowPrivilegeEscalation",
            "runAsNonRoot",
        ];
        for (index, control) in CONTROLS.iter().enumerate() {
            let meta = control.meta();
            assert_eq!(meta.code, format!("WL{:03}", index + 5));
            assert_eq!(meta.pss, [control.check_id()], "{}", meta.code);
            let check = pss::find_check(control.check_id());
            assert_eq!(check.map(|c| c.id), Some(control.check_id()));
            let url = match check.map(|c| c.level) {
                Some(pss::Level::Baseline) => PSS_BASELINE,
                _ => PSS_RESTRICTED,
            };
            assert_eq!(meta.references.first().map(|r| r.url), Some(url));
            assert!(
                all_rules().iter().any(|r| std::ptr::eq(r.meta(), meta)),
                "{} is not registered",
                meta.code
            );
            covered.push(control.check_id());
        }
        covered.sort_unstable();
        let mut every: Vec<&str> = pss::checks().iter().map(|c| c.id).collect();
        every.sort_unstable();
        assert_eq!(covered, every, "every check has exactly one rule");
    }

    #[test]
    fn pss_version_decides_which_sysctls_are_safe() {
        let value = pod(value!({
            "securityContext": {"sysctls": [
                {"name": "net.ipv4.tcp_slow_start_after_idle", "value": "0"},
                {"name": "net.ipv4.ip_local_port_range", "value": "32768 60999"}
            ]},
            "containers": [{"name": "app", "image": "x"}]
        }));
        assert!(run(&UNSAFE_SYSCTL_RULE, value.clone(), Version::new(37)).is_empty());
        let old = run(&UNSAFE_SYSCTL_RULE, value, Version::new(20));
        assert_eq!(paths(&old), ["/spec/securityContext/sysctls/0/name"]);
        assert_eq!(
            old[0].message,
            "forbidden sysctls (net.ipv4.tcp_slow_start_after_idle)"
        );
        assert_eq!(old[0].container, None);
    }

    #[test]
    fn a_check_newer_than_the_version_reports_nothing() {
        let value = pod(value!({
            "containers": [{"name": "app", "image": "x",
                "livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}}}]
        }));
        assert!(
            run(
                &PROBE_OR_HOOK_TARGETS_HOST_RULE,
                value.clone(),
                Version::new(33)
            )
            .is_empty()
        );
        let found = run(&PROBE_OR_HOOK_TARGETS_HOST_RULE, value, Version::LATEST);
        assert_eq!(
            paths(&found),
            ["/spec/containers/0/livenessProbe/httpGet/host"]
        );
        assert_eq!(found[0].container.as_deref(), Some("app"));
    }

    /// Runs a replaced baseline rule and the restricted rule that replaces it.
    fn pair(
        baseline: &'static PssControl,
        restricted: &'static PssControl,
        value: &Value,
    ) -> (Vec<Finding>, Vec<Finding>) {
        (
            run(baseline, value.clone(), Version::LATEST),
            run(restricted, value.clone(), Version::LATEST),
        )
    }

    fn assert_disjoint(baseline: &[Finding], restricted: &[Finding]) {
        for finding in restricted {
            assert!(
                !baseline.iter().any(|b| b.path == finding.path),
                "{} reported twice",
                finding.path
            );
        }
    }

    #[test]
    fn overriding_pairs_do_not_double_report() {
        for control in CONTROLS {
            let Some(replaced) = pss::find_check(control.check_id()).and_then(|c| c.overrides)
            else {
                continue;
            };
            assert!(
                CONTROLS.iter().any(|c| c.check_id() == replaced),
                "{replaced} has no rule"
            );
        }

        let value = pod(value!({
            "containers": [
                {"name": "clock", "image": "x",
                 "securityContext": {"capabilities": {"add": ["SYS_TIME", "CHOWN"]}}},
                {"name": "ok", "image": "x", "securityContext": {
                    "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}
            ]
        }));
        let (baseline, restricted) = pair(
            &CAPABILITY_BEYOND_BASELINE_RULE,
            &CAPABILITIES_NOT_DROPPED_RULE,
            &value,
        );
        assert_eq!(
            paths(&baseline),
            ["/spec/containers/0/securityContext/capabilities/add/0"]
        );
        assert_eq!(
            paths(&restricted),
            [
                "/spec/containers/0/securityContext/capabilities",
                "/spec/containers/0/securityContext/capabilities/add/1",
            ]
        );
        assert_disjoint(&baseline, &restricted);

        let value = pod(value!({
            "containers": [{"name": "app", "image": "x"}],
            "volumes": [
                {"name": "host", "hostPath": {"path": "/mnt/data"}},
                {"name": "share", "nfs": {"server": "nfs", "path": "/"}},
                {"name": "tmp", "emptyDir": {}}
            ]
        }));
        let (baseline, restricted) = pair(
            &HOST_PATH_VOLUME_RULE,
            &VOLUME_TYPE_NOT_RESTRICTED_RULE,
            &value,
        );
        assert_eq!(paths(&baseline), ["/spec/volumes/0/hostPath"]);
        assert_eq!(paths(&restricted), ["/spec/volumes/1/nfs"]);

        let value = pod(value!({
            "securityContext": {"seccompProfile": {"type": "Unconfined"}},
            "containers": [
                {"name": "inherits", "image": "x"},
                {"name": "own", "image": "x",
                 "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
                {"name": "opts-out", "image": "x",
                 "securityContext": {"seccompProfile": {"type": "Unconfined"}}}
            ]
        }));
        let (baseline, restricted) = pair(
            &SECCOMP_UNCONFINED_RULE,
            &SECCOMP_PROFILE_MISSING_RULE,
            &value,
        );
        assert_eq!(
            paths(&baseline),
            [
                "/spec/containers/2/securityContext/seccompProfile/type",
                "/spec/securityContext/seccompProfile/type",
            ]
        );
        assert_eq!(paths(&restricted), ["/spec/containers/0"]);

        let unmasked = value!({"procMount": "Unmasked"});
        let host_users = pod(value!({
            "containers": [{"name": "app", "image": "x", "securityContext": unmasked}]
        }));
        let (baseline, restricted) = pair(
            &PROC_MOUNT_UNMASKED_RULE,
            &PROC_MOUNT_NOT_DEFAULT_RULE,
            &host_users,
        );
        assert_eq!(
            paths(&baseline),
            ["/spec/containers/0/securityContext/procMount"]
        );
        assert!(restricted.is_empty());
        let user_namespace = pod(value!({
            "hostUsers": false,
            "containers": [{"name": "app", "image": "x", "securityContext": unmasked}]
        }));
        let (baseline, restricted) = pair(
            &PROC_MOUNT_UNMASKED_RULE,
            &PROC_MOUNT_NOT_DEFAULT_RULE,
            &user_namespace,
        );
        assert!(baseline.is_empty());
        assert_eq!(
            paths(&restricted),
            ["/spec/containers/0/securityContext/procMount"]
        );
    }

    #[test]
    fn annotations_name_their_container() {
        let value = value!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {
                "metadata": {"annotations": {
                    "container.apparmor.security.beta.kubernetes.io/web": "unconfined",
                    "container.apparmor.security.beta.kubernetes.io/gone": "unconfined"
                }},
                "spec": {"containers": [{"name": "web", "image": "x"}]}
            }}
        });
        let found = run(&APPARMOR_UNCONFINED_RULE, value, Version::LATEST);
        let summary: Vec<_> = found
            .iter()
            .map(|f| (f.path.as_str(), f.container.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1gone",
                    None
                ),
                (
                    "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1web",
                    Some("web")
                ),
            ]
        );
        assert!(found[1].message.starts_with("forbidden AppArmor profile ("));
    }
}
