//! Comparison with peer tools: for every check of kube-linter, Polaris, Checkov, kubescape and
//! kubesec that has a counterpart here, run only the counterpart rule on the peer's own fixtures
//! (`../shared/corpus/peers`) and compare our verdict with the peer's expectation, at the
//! granularity the peer gives (per object where it names objects, else per file). Every
//! disagreement must be listed in `peers/differences.yaml` with the reason it is deliberate; an
//! unlisted one fails the test (a ready-to-paste entry is printed), and so does a listed one
//! that no longer occurs. Mappings to rules that are not registered yet are skipped with a note.
//! Skipped with a message when the corpus is absent.

use palisade_model::Value;
use palisade_model::{Inventory, Object};
use palisade_rules::{Context, Finding, Rule, check_with, find_rule};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/peers"
    ))
}

fn differences_file() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/peers/differences.yaml"
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Peer {
    KubeLinter,
    Polaris,
    Checkov,
    Kubescape,
    Kubesec,
}

impl Peer {
    const ALL: [Peer; 5] = [
        Peer::KubeLinter,
        Peer::Polaris,
        Peer::Checkov,
        Peer::Kubescape,
        Peer::Kubesec,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::KubeLinter => "kube-linter",
            Self::Polaris => "polaris",
            Self::Checkov => "checkov",
            Self::Kubescape => "kubescape",
            Self::Kubesec => "kubesec",
        }
    }

    /// Folder of the peer under the corpus.
    fn folder(self) -> &'static str {
        match self {
            Self::Kubescape => "kubescape-regolibrary",
            other => other.name(),
        }
    }
}

/// A peer check and the rule of ours that answers the same question.
struct Mapping {
    peer: Peer,
    /// kube-linter check name, Polaris check ID, Checkov ID, kubescape rule folder, or for
    /// kubesec the name of its critical check that the listed fixtures exercise.
    check: &'static str,
    rule: &'static str,
    /// Rules whose findings also count as ours, where our rules split what the peer's check
    /// covers (WL004 leaves `runAsUser: 0` to WL016, WL006 leaves the dangerous capabilities to
    /// WL037, WL007 the sensitive paths to WL035, WL029 untagged and `latest` images to WL028).
    also: &'static [&'static str],
    /// Count only our findings at a field of this name (WL002 covers three host namespaces).
    field: Option<&'static str>,
    /// kube-linter: only the expected messages containing this text belong to the check.
    message: Option<&'static str>,
    /// kubesec: inputs (file name fragments) whose negative score comes from this check.
    fails: &'static [&'static str],
    /// kubesec: whether fixtures with a score of zero or more count as a pass for the rule
    /// (false where kubesec only penalises an explicit setting and we also flag its absence).
    passes: bool,
}

const fn map(peer: Peer, check: &'static str, rule: &'static str) -> Mapping {
    Mapping {
        peer,
        check,
        rule,
        also: &[],
        field: None,
        message: None,
        fails: &[],
        passes: true,
    }
}

const fn on_field(mut m: Mapping, field: &'static str) -> Mapping {
    m.field = Some(field);
    m
}

const fn also(mut m: Mapping, rules: &'static [&'static str]) -> Mapping {
    m.also = rules;
    m
}

const fn with_message(mut m: Mapping, message: &'static str) -> Mapping {
    m.message = Some(message);
    m
}

const fn kubesec(
    check: &'static str,
    rule: &'static str,
    fails: &'static [&'static str],
    passes: bool,
) -> Mapping {
    let mut m = map(Peer::Kubesec, check, rule);
    m.fails = fails;
    m.passes = passes;
    m
}

use Peer::{Checkov, KubeLinter, Kubescape, Polaris};

/// Every peer check with a counterpart here. Checks without one (RBAC, network policies,
/// replicas, control-plane flags, ...) are not listed.
const MAPPINGS: &[Mapping] = &[
    // kube-linter: check name (its bats test), our rule.
    map(KubeLinter, "default-service-account", "WL033"),
    map(KubeLinter, "docker-sock", "WL035"),
    with_message(
        also(
            map(KubeLinter, "drop-net-raw-capability", "WL037"),
            &["WL006"],
        ),
        "has ADD capability",
    ),
    map(KubeLinter, "exposed-services", "WL040"),
    on_field(map(KubeLinter, "host-ipc", "WL002"), "hostIPC"),
    on_field(map(KubeLinter, "host-network", "WL002"), "hostNetwork"),
    on_field(map(KubeLinter, "host-pid", "WL002"), "hostPID"),
    map(KubeLinter, "latest-tag", "WL028"),
    map(KubeLinter, "no-liveness-probe", "WL026"),
    map(KubeLinter, "no-readiness-probe", "WL027"),
    map(KubeLinter, "no-read-only-root-fs", "WL020"),
    map(KubeLinter, "privilege-escalation-container", "WL003"),
    map(KubeLinter, "privileged-container", "WL001"),
    with_message(
        also(map(KubeLinter, "run-as-non-root", "WL004"), &["WL016"]),
        "not set to runAsNonRoot",
    ),
    with_message(map(KubeLinter, "run-as-non-root", "WL021"), "runAsGroup 0"),
    map(KubeLinter, "sensitive-host-mounts", "WL035"),
    map(KubeLinter, "unsafe-proc-mount", "WL011"),
    map(KubeLinter, "unsafe-sysctls", "WL013"),
    map(KubeLinter, "unset-cpu-requirements", "WL024"),
    map(KubeLinter, "unset-memory-requirements", "WL022"),
    map(KubeLinter, "use-namespace", "WL034"),
    map(KubeLinter, "writable-host-mount", "WL036"),
    // Polaris: check ID (folder under test/checks), our rule.
    map(Polaris, "automountServiceAccountToken", "WL032"),
    map(Polaris, "cpuLimitsMissing", "WL025"),
    map(Polaris, "cpuRequestsMissing", "WL024"),
    map(Polaris, "dangerousCapabilities", "WL037"),
    on_field(map(Polaris, "hostIPCSet", "WL002"), "hostIPC"),
    on_field(map(Polaris, "hostNetworkSet", "WL002"), "hostNetwork"),
    on_field(map(Polaris, "hostPIDSet", "WL002"), "hostPID"),
    also(map(Polaris, "hostPathSet", "WL007"), &["WL035"]),
    map(Polaris, "hostPortSet", "WL008"),
    map(Polaris, "hostProcess", "WL005"),
    map(Polaris, "insecureCapabilities", "WL018"),
    map(Polaris, "livenessProbeMissing", "WL026"),
    map(Polaris, "memoryLimitsMissing", "WL022"),
    map(Polaris, "memoryRequestsMissing", "WL023"),
    map(Polaris, "notReadOnlyRootFilesystem", "WL020"),
    map(Polaris, "privilegeEscalationAllowed", "WL003"),
    map(Polaris, "procMount", "WL011"),
    map(Polaris, "pullPolicyNotAlways", "WL030"),
    map(Polaris, "readinessProbeMissing", "WL027"),
    map(Polaris, "runAsPrivileged", "WL001"),
    also(map(Polaris, "runAsRootAllowed", "WL004"), &["WL016"]),
    map(Polaris, "tagNotSpecified", "WL028"),
    map(Polaris, "tlsSettingsMissing", "NP009"),
    // Checkov: check ID, our rule.
    map(Checkov, "CKV_K8S_8", "WL026"),
    map(Checkov, "CKV_K8S_9", "WL027"),
    map(Checkov, "CKV_K8S_10", "WL024"),
    map(Checkov, "CKV_K8S_11", "WL025"),
    map(Checkov, "CKV_K8S_12", "WL023"),
    map(Checkov, "CKV_K8S_13", "WL022"),
    map(Checkov, "CKV_K8S_14", "WL028"),
    map(Checkov, "CKV_K8S_15", "WL030"),
    map(Checkov, "CKV_K8S_16", "WL001"),
    on_field(map(Checkov, "CKV_K8S_17", "WL002"), "hostPID"),
    on_field(map(Checkov, "CKV_K8S_18", "WL002"), "hostIPC"),
    on_field(map(Checkov, "CKV_K8S_19", "WL002"), "hostNetwork"),
    map(Checkov, "CKV_K8S_20", "WL003"),
    map(Checkov, "CKV_K8S_21", "WL034"),
    map(Checkov, "CKV_K8S_22", "WL020"),
    also(map(Checkov, "CKV_K8S_23", "WL004"), &["WL016"]),
    also(map(Checkov, "CKV_K8S_25", "WL006"), &["WL037"]),
    map(Checkov, "CKV_K8S_26", "WL008"),
    map(Checkov, "CKV_K8S_27", "WL035"),
    map(Checkov, "CKV_K8S_28", "WL018"),
    map(Checkov, "CKV_K8S_31", "WL017"),
    map(Checkov, "CKV_K8S_37", "WL018"),
    map(Checkov, "CKV_K8S_38", "WL032"),
    map(Checkov, "CKV_K8S_39", "WL037"),
    also(map(Checkov, "CKV_K8S_43", "WL029"), &["WL028"]),
    map(Checkov, "CKV_K8S_153", "NP010"),
    // kubescape: rule folder under rules/, our rule.
    also(map(Kubescape, "alert-any-hostpath", "WL007"), &["WL035"]),
    map(Kubescape, "alert-rw-hostpath", "WL036"),
    map(Kubescape, "automount-service-account", "WL032"),
    map(Kubescape, "configured-liveness-probe", "WL026"),
    map(Kubescape, "configured-readiness-probe", "WL027"),
    map(Kubescape, "container-hostPort", "WL008"),
    map(Kubescape, "containers-mounting-docker-socket", "WL035"),
    map(Kubescape, "drop-capability-netraw", "WL018"),
    on_field(map(Kubescape, "host-ipc-privileges", "WL002"), "hostIPC"),
    on_field(
        map(Kubescape, "host-network-access", "WL002"),
        "hostNetwork",
    ),
    on_field(map(Kubescape, "host-pid-privileges", "WL002"), "hostPID"),
    also(
        map(Kubescape, "image-not-pinned-to-digest", "WL029"),
        &["WL028"],
    ),
    map(Kubescape, "image-pull-policy-is-not-set-to-always", "WL030"),
    map(Kubescape, "immutable-container-filesystem", "WL020"),
    map(Kubescape, "ingress-no-tls", "NP009"),
    also(map(Kubescape, "insecure-capabilities", "WL037"), &["WL006"]),
    also(map(Kubescape, "non-root-containers", "WL004"), &["WL016"]),
    map(Kubescape, "pods-in-default-namespace", "WL034"),
    map(Kubescape, "resources-cpu-limits", "WL025"),
    map(Kubescape, "resources-cpu-requests", "WL024"),
    map(Kubescape, "resources-memory-limits", "WL022"),
    map(Kubescape, "resources-memory-requests", "WL023"),
    map(Kubescape, "rule-allow-privilege-escalation", "WL003"),
    map(Kubescape, "rule-privileged-container", "WL001"),
    map(Kubescape, "set-hostprocess-true", "WL005"),
    map(Kubescape, "set-procmount-default", "WL011"),
    map(Kubescape, "set-seccomp-profile-RuntimeDefault", "WL017"),
    // kubesec: its critical checks (a negative score) and the fixtures that exercise them.
    kubesec("CapSysAdmin", "WL037", &["cap-sys-admin"], true),
    kubesec("Privileged", "WL001", &["securitycontext-privileged"], true),
    on_field(
        kubesec("HostNetwork", "WL002", &["host-network"], true),
        "hostNetwork",
    ),
    on_field(kubesec("HostPID", "WL002", &["host-pid"], true), "hostPID"),
    kubesec("DockerSock", "WL035", &["docker-socket"], true),
    kubesec(
        "AllowPrivilegeEscalation",
        "WL003",
        &["allowPrivilegeEscalation"],
        false,
    ),
    kubesec("ApparmorAny", "WL009", &["apparmor-unconfined"], true),
    kubesec("SeccompAny", "WL012", &["seccomp-unconfined"], true),
];

// ---------------------------------------------------------------------------------------------
// Loading

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The Kubernetes objects of a manifest file.
fn load_objects(path: &Path) -> Vec<Object> {
    let text = read(path);
    palisade_load::parse_source(
        &text,
        path.display().to_string().into(),
        &palisade_load::Limits::default(),
    )
    .objects
}

/// A plain data file (JSON, or YAML when `yaml_key` is set) through the loader: the text is
/// wrapped in an object with a type so that the loader keeps it.
fn load_data(path: &Path, yaml_key: Option<&str>) -> Value {
    let text = read(path);
    let (wrapped, name) = match yaml_key {
        Some(key) => (
            format!("apiVersion: palisade.dev/test\nkind: Data\n{key}:\n{text}"),
            "data.yaml",
        ),
        None => (
            format!(
                "{{\"apiVersion\": \"palisade.dev/test\", \"kind\": \"Data\", \"data\": {text}\n}}"
            ),
            "data.json",
        ),
    };
    let loaded =
        palisade_load::parse_source(&wrapped, name.into(), &palisade_load::Limits::default());
    assert!(
        loaded.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        loaded.errors
    );
    let object = loaded
        .objects
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{}: no data", path.display()));
    object.value[yaml_key.unwrap_or("data")].clone()
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    files.sort();
    files
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Running our rule

/// A rule's findings on the objects of one fixture, attributable to each object.
struct Run {
    objects: Vec<Object>,
    findings: Vec<Finding>,
}

impl Run {
    fn new(objects: Vec<Object>, rules: &[&'static dyn Rule], field: Option<&str>) -> Self {
        let inventory = Inventory::new(objects);
        let findings = check_with(&inventory, rules, &Context::default())
            .into_iter()
            .filter(|f| field.is_none_or(|field| f.path.rsplit('/').next() == Some(field)))
            .collect();
        Self {
            objects: inventory.into_objects(),
            findings,
        }
    }

    /// Index of the object a finding is about: same reference, and among duplicates (the
    /// peers' fixtures reuse names) the last one of the finding's file starting at or before
    /// the finding's line.
    fn owner(&self, finding: &Finding) -> Option<usize> {
        let same: Vec<usize> = (0..self.objects.len())
            .filter(|&i| self.objects[i].reference == finding.object)
            .collect();
        let located = finding.location.as_ref().and_then(|location| {
            same.iter().copied().rfind(|&i| {
                let object = &self.objects[i];
                object.file == location.file && object.positions.span().line <= location.line
            })
        });
        located.or_else(|| same.first().copied())
    }

    fn flagged(&self) -> BTreeSet<usize> {
        self.findings.iter().filter_map(|f| self.owner(f)).collect()
    }

    /// `Kind/name` (`Kind/namespace/name` when namespaced), with the document number when
    /// the file holds several objects of that reference.
    fn label(&self, index: usize) -> String {
        let object = &self.objects[index];
        let reference = &object.reference;
        let mut label = match &reference.namespace {
            Some(ns) => format!("{}/{}/{}", reference.kind, ns, reference.name),
            None => format!("{}/{}", reference.kind, reference.name),
        };
        if self
            .objects
            .iter()
            .filter(|o| o.reference == *reference)
            .count()
            > 1
        {
            let _ = write!(label, " (document {})", object.document + 1);
        }
        label
    }
}

fn verdict(fails: bool) -> String {
    if fails { "fail" } else { "pass" }.to_string()
}

// ---------------------------------------------------------------------------------------------
// Comparisons

/// One comparison of our verdict with the peer's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Outcome {
    peer: Peer,
    check: &'static str,
    /// Relative to the peer's folder in the corpus.
    fixture: String,
    object: Option<String>,
    rule: &'static str,
    peer_says: String,
    we_say: String,
}

impl Outcome {
    fn agrees(&self) -> bool {
        self.peer_says == self.we_say
    }
}

struct Compared<'m> {
    mapping: &'m Mapping,
    rules: Vec<&'static dyn Rule>,
    root: PathBuf,
    outcomes: Vec<Outcome>,
}

impl Compared<'_> {
    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    fn push(&mut self, fixture: &Path, object: Option<String>, peer_says: String, we_say: String) {
        let fixture = self.relative(fixture);
        self.outcomes.push(Outcome {
            peer: self.mapping.peer,
            check: self.mapping.check,
            fixture,
            object,
            rule: self.mapping.rule,
            peer_says,
            we_say,
        });
    }

    fn run(&self, objects: Vec<Object>) -> Run {
        Run::new(objects, &self.rules, self.mapping.field)
    }
}

/// Polaris: in `test/checks/<check>/`, a file whose name contains `failure` must yield a
/// danger for the check, any other (except `mutated*` and `check.yaml`) none.
fn polaris(c: &mut Compared<'_>) {
    let dir = c.root.join("test/checks").join(c.mapping.check);
    let files = sorted_files(&dir);
    assert!(
        !files.is_empty(),
        "no Polaris fixtures in {}",
        dir.display()
    );
    for path in files {
        let name = file_name(&path);
        if name.starts_with("mutated") || name == "check.yaml" {
            continue;
        }
        let run = c.run(load_objects(&path));
        let peer_fails = name.contains("failure");
        c.push(
            &path,
            None,
            verdict(peer_fails),
            verdict(!run.findings.is_empty()),
        );
    }
}

/// `container "app"` or `container app` in a kube-linter message.
fn container_in(message: &str) -> Option<&str> {
    let rest = &message[message.find("container ")? + "container ".len()..];
    match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next(),
        None => rest.split(' ').next(),
    }
}

fn has_container(object: &Object, name: &str) -> bool {
    object
        .workload()
        .is_some_and(|w| w.containers.iter().any(|c| c.name == name))
}

/// kube-linter: the bats test of the check gives the number of reports and, for each, the
/// object's kind and the message (which often names the container). Each expected report is
/// attributed to an object of that kind (and container), preferring objects not named
/// `dont-fire*`; an object fails when a report is attributed to it, passes when it is named
/// `dont-fire*` or when every report is accounted for, and is not compared otherwise.
fn kube_linter(c: &mut Compared<'_>, data: &PeerData) {
    let test = data
        .kube_linter_tests
        .get(c.mapping.check)
        .unwrap_or_else(|| panic!("kube-linter: no bats test for {}", c.mapping.check));
    let input = c.root.join(test["input"].as_str().expect("input"));
    let run = c.run(load_objects(&input));
    let messages: Vec<&str> = test["expected_messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| m["message"].as_str())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let report_count = test["expected_report_count"]
        .as_u64()
        .map_or(messages.len(), |n| n as usize);
    let complete = report_count == messages.len();
    let flagged = run.flagged();
    let mut attributed: BTreeSet<usize> = BTreeSet::new();
    let mut unattributed = Vec::new();
    for (index, message) in messages.iter().enumerate() {
        if c.mapping.message.is_some_and(|m| !message.contains(m)) {
            continue;
        }
        let (kind, text) = message.split_once(": ").expect("`Kind: message`");
        let container = container_in(text);
        let candidates: Vec<usize> = (0..run.objects.len())
            .filter(|i| !attributed.contains(i))
            .filter(|&i| run.objects[i].kind() == kind)
            .filter(|&i| container.is_none_or(|name| has_container(&run.objects[i], name)))
            .collect();
        let chosen = candidates
            .iter()
            .copied()
            .find(|&i| !run.objects[i].name().starts_with("dont-fire"))
            .or_else(|| candidates.first().copied());
        match chosen {
            Some(i) => {
                attributed.insert(i);
            }
            None => unattributed.push(format!("{kind} (report {index})")),
        }
    }
    for i in 0..run.objects.len() {
        let peer_fails = attributed.contains(&i);
        if !peer_fails && !complete && !run.objects[i].name().starts_with("dont-fire") {
            continue;
        }
        c.push(
            &input,
            Some(run.label(i)),
            verdict(peer_fails),
            verdict(flagged.contains(&i)),
        );
    }
    for object in unattributed {
        c.push(&input, Some(object), verdict(true), verdict(false));
    }
}

/// Checkov: per object where the upstream test lists `passing_resources` /
/// `failing_resources` (`Kind.namespace.name`); otherwise per file, from the verdict in the
/// file name (`-FAILED`, `-PASSED`, or counts such as `1FAILED1PASSED`, compared with the
/// number of objects we flag), or a pass for every file where the test expects no failure.
/// Files named `UNKNOWN` or without a verdict are not compared.
fn checkov(c: &mut Compared<'_>, data: &PeerData) {
    let tests: Vec<&Value> = data
        .checkov_tests
        .iter()
        .filter(|t| t["check_id"] == c.mapping.check)
        .collect();
    assert!(
        !tests.is_empty(),
        "checkov: no test for {}",
        c.mapping.check
    );
    for test in tests {
        let ids = |key: &str| -> Option<BTreeSet<String>> {
            test[key].as_array().map(|list| {
                list.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
        };
        // Where the upstream test expects no failure at all, file names that say otherwise
        // refer to another check sharing the folder.
        let none_fail = test["expected_summary"]["failed"].as_u64() == Some(0);
        let passing = ids("passing_resources");
        let failing = ids("failing_resources");
        for dir in test["example_dirs"].as_array().expect("example_dirs") {
            let dir = c
                .root
                .join("tests/kubernetes/checks")
                .join(dir.as_str().expect("dir"));
            for path in sorted_files(&dir) {
                let run = c.run(load_objects(&path));
                let flagged = run.flagged();
                if let (Some(passing), Some(failing)) = (&passing, &failing) {
                    for (i, object) in run.objects.iter().enumerate() {
                        let id = format!(
                            "{}.{}.{}",
                            object.kind(),
                            object.namespace().unwrap_or("default"),
                            object.name()
                        );
                        let peer_fails = if failing.contains(&id) {
                            true
                        } else if passing.contains(&id) {
                            false
                        } else {
                            continue;
                        };
                        c.push(
                            &path,
                            Some(run.label(i)),
                            verdict(peer_fails),
                            verdict(flagged.contains(&i)),
                        );
                    }
                    continue;
                }
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let Some(mut expected) = checkov_name_verdict(&stem) else {
                    continue;
                };
                if none_fail {
                    expected = NameVerdict::Passes;
                }
                let ours = match expected {
                    NameVerdict::Count(_) => format!("{} failed", flagged.len()),
                    NameVerdict::Fails | NameVerdict::Passes => verdict(!flagged.is_empty()),
                };
                let peer = match expected {
                    NameVerdict::Fails => verdict(true),
                    NameVerdict::Passes => verdict(false),
                    NameVerdict::Count(n) => format!("{n} failed"),
                };
                c.push(&path, None, peer, ours);
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameVerdict {
    Fails,
    Passes,
    /// The name gives how many objects fail (`1FAILED1PASSED`, `2PASSED-1FAILED`).
    Count(usize),
}

fn checkov_name_verdict(stem: &str) -> Option<NameVerdict> {
    let upper = stem.to_ascii_uppercase();
    if upper.contains("UNKNOWN") || upper.contains("UNKOWN") {
        return None;
    }
    let failed = upper.find("FAIL");
    let passed = upper.find("PASS");
    match (failed, passed) {
        (Some(at), Some(_)) => {
            let digits: String = upper[..at]
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect();
            Some(NameVerdict::Count(
                digits
                    .chars()
                    .rev()
                    .collect::<String>()
                    .parse()
                    .unwrap_or(1),
            ))
        }
        (Some(_), None) => Some(NameVerdict::Fails),
        (None, Some(_)) => Some(NameVerdict::Passes),
        (None, None) => None,
    }
}

/// kubescape: each `rules/<rule>/test/<case>/` has inputs and `expected.json`, whose alerts
/// name the failing objects; every other input object of a kind the rule matches passes.
fn kubescape(c: &mut Compared<'_>) {
    let rule_dir = c.root.join("rules").join(c.mapping.check);
    let metadata = load_data(&rule_dir.join("rule.metadata.json"), None);
    let kinds: BTreeSet<String> = metadata["match"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| {
            m["resources"]
                .as_array()
                .map(<[Value]>::to_vec)
                .unwrap_or_default()
        })
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    let cases = sorted_dirs(&rule_dir.join("test"));
    assert!(
        !cases.is_empty(),
        "kubescape: no cases for {}",
        c.mapping.check
    );
    for case in cases {
        let expected_path = case.join("expected.json");
        if !expected_path.is_file() {
            continue;
        }
        let expected = load_data(&expected_path, None);
        // Alerts per (kind, name), with the namespace when the alert gives one.
        let mut failing: BTreeMap<(String, String), (usize, BTreeSet<String>)> = BTreeMap::new();
        for alert in expected.as_array().into_iter().flatten() {
            for object in alert["alertObject"]["k8sApiObjects"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let kind = object["kind"].as_str().unwrap_or_default().to_string();
                let name = object["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let entry = failing.entry((kind, name)).or_default();
                entry.0 += 1;
                if let Some(ns) = object["metadata"]["namespace"].as_str() {
                    entry.1.insert(ns.to_string());
                }
            }
        }
        let objects: Vec<Object> = sorted_files(&case.join("input"))
            .iter()
            .flat_map(|p| load_objects(p))
            .collect();
        let run = c.run(objects);
        let flagged = run.flagged();
        for i in 0..run.objects.len() {
            let object = &run.objects[i];
            if !kinds.contains(object.kind()) {
                continue;
            }
            let key = (object.kind().to_string(), object.name().to_string());
            let namesakes = run
                .objects
                .iter()
                .filter(|o| o.kind() == object.kind() && o.name() == object.name())
                .count();
            let peer_fails = match failing.get(&key) {
                None => false,
                Some((_, namespaces)) if !namespaces.is_empty() => {
                    namespaces.contains(object.namespace().unwrap_or("default"))
                }
                Some((alerts, _)) if *alerts >= namesakes => true,
                // Fewer alerts than objects of that name, and no namespace to tell them apart.
                Some(_) => continue,
            };
            c.push(
                &case,
                Some(run.label(i)),
                verdict(peer_fails),
                verdict(flagged.contains(&i)),
            );
        }
    }
}

/// kubesec: its bats tests expect a negative score (a critical check failed), zero, or a
/// positive score. A fixture whose name shows it exercises the mapped critical check must
/// fail; with `passes`, every fixture with a score of zero or more must pass.
fn kubesec_check(c: &mut Compared<'_>, data: &PeerData) {
    let mut seen = BTreeSet::new();
    for test in &data.kubesec_tests {
        let input = test["input"].as_str().expect("input");
        let expected = test["expected"].as_str().expect("expected");
        if !seen.insert(input.to_string()) {
            continue;
        }
        let negative = expected.contains('<');
        let peer_fails = if negative && c.mapping.fails.iter().any(|f| input.contains(f)) {
            true
        } else if !negative && c.mapping.passes {
            false
        } else {
            continue;
        };
        let path = c.root.join(input);
        let run = c.run(load_objects(&path));
        c.push(
            &path,
            None,
            verdict(peer_fails),
            verdict(!run.findings.is_empty()),
        );
    }
}

/// The peers' expectation files, read once.
struct PeerData {
    kube_linter_tests: BTreeMap<String, Value>,
    checkov_tests: Vec<Value>,
    kubesec_tests: Vec<Value>,
}

impl PeerData {
    fn load(root: &Path) -> Self {
        let tests = |peer: Peer, file: &str| -> Vec<Value> {
            let path = root.join(peer.folder()).join("expected").join(file);
            load_data(&path, None)["tests"]
                .as_array()
                .map(<[Value]>::to_vec)
                .unwrap_or_default()
        };
        Self {
            kube_linter_tests: tests(KubeLinter, "bats-expectations.json")
                .into_iter()
                .filter_map(|t| Some((t["test"].as_str()?.to_string(), t)))
                .collect(),
            checkov_tests: tests(Checkov, "check-tests.json"),
            kubesec_tests: tests(Peer::Kubesec, "bats-expectations.json"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Known differences

#[derive(Debug)]
struct Listed {
    peer: String,
    check: String,
    fixture: String,
    object: Option<String>,
    rule: String,
    peer_says: String,
    we_say: String,
    used: bool,
}

impl Listed {
    fn matches(&self, o: &Outcome) -> bool {
        self.peer == o.peer.name()
            && self.check == o.check
            && self.fixture == o.fixture
            && self.object == o.object
            && self.rule == o.rule
            && self.peer_says == o.peer_says
            && self.we_say == o.we_say
    }

    fn describe(&self) -> String {
        format!(
            "{} {} {} {} {}: peer says {}, we say {}",
            self.peer,
            self.check,
            self.fixture,
            self.object.as_deref().unwrap_or("-"),
            self.rule,
            self.peer_says,
            self.we_say
        )
    }
}

fn load_differences() -> Vec<Listed> {
    let list = load_data(&differences_file(), Some("differences"));
    let field = |entry: &Value, key: &str| -> Option<String> {
        match &entry[key] {
            Value::String(s) => Some(s.to_string()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    };
    let mut out = Vec::new();
    for (index, entry) in list.as_array().into_iter().flatten().enumerate() {
        let required = |key: &str| {
            field(entry, key)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| panic!("differences.yaml entry {}: `{key}` missing", index + 1))
        };
        let reason = required("reason");
        assert!(
            reason.len() > 20 && !reason.contains("TODO"),
            "differences.yaml entry {}: give a reason a user can read",
            index + 1
        );
        out.push(Listed {
            peer: required("peer"),
            check: required("check"),
            fixture: required("fixture"),
            object: field(entry, "object"),
            rule: required("rule"),
            peer_says: required("peer_says"),
            we_say: required("we_say"),
            used: false,
        });
    }
    out
}

fn yaml_scalar(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
    {
        text.to_string()
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn entry_for(o: &Outcome) -> String {
    let object = o
        .object
        .as_deref()
        .map(|obj| format!(", object: {}", yaml_scalar(obj)))
        .unwrap_or_default();
    format!(
        "- {{peer: {}, check: {}, fixture: {}{object}, rule: {}, peer_says: {}, we_say: {}, reason: \"TODO\"}}",
        o.peer.name(),
        yaml_scalar(o.check),
        yaml_scalar(&o.fixture),
        o.rule,
        yaml_scalar(&o.peer_says),
        yaml_scalar(&o.we_say),
    )
}

// ---------------------------------------------------------------------------------------------

/// `WL004+WL016` for a mapping whose findings come from several rules.
fn codes_of(mapping: &Mapping) -> String {
    std::iter::once(mapping.rule)
        .chain(mapping.also.iter().copied())
        .collect::<Vec<_>>()
        .join("+")
}

#[derive(Default)]
struct Tally {
    checks: BTreeSet<&'static str>,
    pending: BTreeSet<String>,
    fixtures: BTreeSet<String>,
    compared: usize,
    agreements: usize,
    listed: usize,
    new: usize,
}

#[test]
fn peers_agree_or_differences_are_explained() {
    let root = corpus();
    if !root.is_dir() {
        eprintln!("skipping peer comparison: {} is absent", root.display());
        return;
    }
    let data = PeerData::load(&root);
    let mut listed = load_differences();
    let mut tallies: BTreeMap<Peer, Tally> = BTreeMap::new();
    let mut pending_rules: BTreeSet<&'static str> = BTreeSet::new();
    let mut outcomes: Vec<Outcome> = Vec::new();

    for mapping in MAPPINGS {
        let tally = tallies.entry(mapping.peer).or_default();
        // A rule still being written is registered with another rule's metadata.
        let rules: Option<Vec<&'static dyn Rule>> = std::iter::once(mapping.rule)
            .chain(mapping.also.iter().copied())
            .map(|code| find_rule(code).filter(|r| r.meta().code == code))
            .collect();
        let Some(rules) = rules else {
            tally
                .pending
                .insert(format!("{} → {}", mapping.check, codes_of(mapping)));
            pending_rules.insert(mapping.rule);
            continue;
        };
        tally.checks.insert(mapping.check);
        let mut compared = Compared {
            mapping,
            rules,
            root: root.join(mapping.peer.folder()),
            outcomes: Vec::new(),
        };
        match mapping.peer {
            Peer::KubeLinter => kube_linter(&mut compared, &data),
            Peer::Polaris => polaris(&mut compared),
            Peer::Checkov => checkov(&mut compared, &data),
            Peer::Kubescape => kubescape(&mut compared),
            Peer::Kubesec => kubesec_check(&mut compared, &data),
        }
        assert!(
            !compared.outcomes.is_empty(),
            "{} {} → {}: nothing compared",
            mapping.peer.name(),
            mapping.check,
            mapping.rule
        );
        outcomes.extend(compared.outcomes);
    }

    let mut new = Vec::new();
    for outcome in &outcomes {
        let tally = tallies.get_mut(&outcome.peer).expect("tally");
        tally.compared += 1;
        tally.fixtures.insert(outcome.fixture.clone());
        if outcome.agrees() {
            tally.agreements += 1;
        } else if let Some(entry) = listed.iter_mut().find(|l| l.matches(outcome)) {
            entry.used = true;
            tally.listed += 1;
        } else {
            tally.new += 1;
            new.push(entry_for(outcome));
        }
    }
    let stale: Vec<String> = listed
        .iter()
        .filter(|l| !l.used && !pending_rules.contains(l.rule.as_str()))
        .map(Listed::describe)
        .collect();
    let waiting = listed
        .iter()
        .filter(|l| !l.used && pending_rules.contains(l.rule.as_str()))
        .count();

    let mut report = String::new();
    let _ = writeln!(
        report,
        "{:<12} {:>7} {:>8} {:>9} {:>10} {:>7} {:>5} {:>8}",
        "peer", "checks", "fixtures", "compared", "agreements", "listed", "new", "pending"
    );
    for peer in Peer::ALL {
        let t = tallies.remove(&peer).unwrap_or_default();
        let _ = writeln!(
            report,
            "{:<12} {:>7} {:>8} {:>9} {:>10} {:>7} {:>5} {:>8}",
            peer.name(),
            t.checks.len(),
            t.fixtures.len(),
            t.compared,
            t.agreements,
            t.listed,
            t.new,
            t.pending.len()
        );
        if !t.pending.is_empty() {
            let _ = writeln!(
                report,
                "  skipped, rule not written yet: {}",
                t.pending.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
    if waiting > 0 {
        let _ = writeln!(
            report,
            "{waiting} listed differences wait for rules not written yet"
        );
    }
    println!("{report}");

    let mut failure = String::new();
    if !new.is_empty() {
        let _ = writeln!(
            failure,
            "{} disagreements with peers are not in peers/differences.yaml; fix the rule or \
             add an entry with the reason the difference is deliberate:\n{}",
            new.len(),
            new.join("\n")
        );
    }
    if !stale.is_empty() {
        let _ = writeln!(
            failure,
            "{} entries of peers/differences.yaml no longer occur; remove them:\n{}",
            stale.len(),
            stale.join("\n")
        );
    }
    assert!(failure.is_empty(), "{failure}");
}

#[test]
fn checkov_file_names() {
    assert_eq!(
        checkov_name_verdict("nginx-app-FAILED"),
        Some(NameVerdict::Fails)
    );
    assert_eq!(
        checkov_name_verdict("rootContainersPASSED"),
        Some(NameVerdict::Passes)
    );
    assert_eq!(
        checkov_name_verdict("pod-requests-limits-1FAILED1PASSED"),
        Some(NameVerdict::Count(1))
    );
    assert_eq!(
        checkov_name_verdict("scope-2PASSED-1FAILED"),
        Some(NameVerdict::Count(1))
    );
    assert_eq!(checkov_name_verdict("cronjob-UNKOWN"), None);
    assert_eq!(checkov_name_verdict("template"), None);
    assert_eq!(container_in("container \"app\" is privileged"), Some("app"));
    assert_eq!(
        container_in("container app2 mounts path /config"),
        Some("app2")
    );
}
