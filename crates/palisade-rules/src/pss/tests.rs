//! Unit tests for the Pod Security evaluator's trickiest semantics: inheritance of pod-level
//! settings, version-specific behaviour, overrides under `restricted`, Windows and
//! user-namespace exemptions, and the pointers reported.

use super::*;
use palisade_model::Value;
use palisade_model::value;
use palisade_model::{Object, PositionTree};

fn object(value: Value) -> Object {
    Object::new(value, "t.yaml".into(), 0, PositionTree::default())
}

fn pod(spec: Value) -> Object {
    object(value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}))
}

fn pod_with_annotations(annotations: Value, spec: Value) -> Object {
    object(value!({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": "p", "annotations": annotations}, "spec": spec}))
}

/// A container that satisfies every restricted check on its own.
fn hardened(name: &str) -> Value {
    value!({"name": name, "image": "x", "securityContext": {
        "allowPrivilegeEscalation": false, "runAsNonRoot": true,
        "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}})
}

fn run(object: &Object, level: Level, minor: u32) -> Vec<Violation> {
    let workload = object.workload().expect("workload");
    evaluate(&workload, level, Version::new(minor))
}

fn ids(violations: &[Violation]) -> Vec<&'static str> {
    let mut ids: Vec<_> = violations.iter().map(|v| v.check).collect();
    ids.dedup();
    ids
}

#[test]
fn parses_levels_and_versions() {
    assert_eq!("Restricted".parse::<Level>(), Ok(Level::Restricted));
    assert!("strict".parse::<Level>().is_err());
    assert_eq!("v1.25".parse::<Version>(), Ok(Version::new(25)));
    assert_eq!("1.3".parse::<Version>(), Ok(Version::new(3)));
    assert_eq!("latest".parse::<Version>(), Ok(Version::LATEST));
    for bad in ["v2.0", "v1.", "v1.x", "1", "v1.-1", ""] {
        assert!(bad.parse::<Version>().is_err(), "{bad}");
    }
    assert_eq!(Version::new(7).to_string(), "v1.7");
    assert_eq!(
        serde_json::to_value(Level::Baseline).ok(),
        Some(serde_json::json!("baseline"))
    );
}

#[test]
fn registry_is_consistent() {
    for check in checks() {
        assert_eq!(check.revisions.first(), Some(&check.since), "{}", check.id);
        assert!(check.revisions.windows(2).all(|w| w[0] < w[1]));
        assert!(check.revisions.iter().all(|&v| v <= Version::LATEST));
        if let Some(overridden) = check.overrides {
            let base = find_check(overridden).expect("overridden check exists");
            assert_eq!(base.level, Level::Baseline);
            assert_eq!(check.level, Level::Restricted);
        }
    }
    let newest = checks()
        .iter()
        .flat_map(|c| c.revisions.iter().copied())
        .max();
    assert_eq!(newest, Some(Version::LATEST));
}

#[test]
fn run_as_non_root_inherits_from_pod_only_when_container_is_unset() {
    let base = |pod_value: Value, container_value: Value| {
        let mut second = hardened("b");
        second["securityContext"]
            .as_object_mut()
            .expect("object")
            .remove("runAsNonRoot");
        if !container_value.is_null() {
            second["securityContext"]["runAsNonRoot"] = container_value;
        }
        let mut spec = value!({"containers": [hardened("a"), second]});
        if !pod_value.is_null() {
            spec["securityContext"] = value!({"runAsNonRoot": pod_value,
                                            "seccompProfile": {"type": "RuntimeDefault"}});
        }
        run(&pod(spec), Level::Restricted, 37)
    };
    // Container unset, pod true: fine.
    assert!(base(value!(true), Value::Null).is_empty());
    // Container unset, pod unset: the container must set it.
    let found = base(Value::Null, Value::Null);
    assert_eq!(ids(&found), ["runAsNonRoot"]);
    assert_eq!(found[0].path, "/spec/containers/1/securityContext");
    assert_eq!(
        found[0].detail,
        "pod or container \"b\" must set securityContext.runAsNonRoot=true"
    );
    // Container false overrides pod true.
    let found = base(value!(true), value!(false));
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].path,
        "/spec/containers/1/securityContext/runAsNonRoot"
    );
    // Container true survives pod false, but the pod itself is reported.
    let found = base(value!(false), value!(true));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "/spec/securityContext/runAsNonRoot");
    assert_eq!(found[0].reason, "runAsNonRoot != true");
}

#[test]
fn run_as_user_zero_is_forbidden_at_pod_and_container_from_v1_23() {
    let mut container = hardened("a");
    container["securityContext"]["runAsUser"] = value!(0);
    let object = pod(value!({"securityContext": {"runAsUser": 0}, "containers": [container]}));
    let found = run(&object, Level::Restricted, 23);
    let paths: Vec<_> = found
        .iter()
        .filter(|v| v.check == "runAsUser")
        .map(|v| v.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "/spec/securityContext/runAsUser",
            "/spec/containers/0/securityContext/runAsUser"
        ]
    );
    assert!(
        run(&object, Level::Restricted, 22)
            .iter()
            .all(|v| v.check != "runAsUser")
    );
    assert!(run(&object, Level::Baseline, 37).is_empty());
}

#[test]
fn user_namespaces_relax_from_v1_35_only() {
    let mut container = hardened("a");
    container["securityContext"]["runAsUser"] = value!(0);
    container["securityContext"]["runAsNonRoot"] = value!(false);
    container["securityContext"]["procMount"] = value!("Unmasked");
    let object = pod(value!({"hostUsers": false, "containers": [container]}));
    assert_eq!(ids(&run(&object, Level::Baseline, 34)), ["procMount"]);
    assert!(run(&object, Level::Baseline, 35).is_empty());
    // Restricted still forbids an unmasked /proc, through the check that replaces procMount.
    assert_eq!(
        ids(&run(&object, Level::Restricted, 35)),
        ["procMount_restricted"]
    );
    assert_eq!(
        ids(&run(&object, Level::Restricted, 34)),
        ["procMount", "runAsNonRoot", "runAsUser"]
    );
}

#[test]
fn windows_pods_skip_three_restricted_checks_from_v1_25_and_their_baseline_counterparts() {
    let object = pod(value!({
        "os": {"name": "windows"},
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "Unconfined"}},
        "containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]
    }));
    // Baseline forbids the capability and the unconfined profile.
    assert_eq!(
        ids(&run(&object, Level::Baseline, 37)),
        ["capabilities_baseline", "seccompProfile_baseline"]
    );
    // Restricted replaces both baseline checks with Windows-exempt ones.
    assert!(run(&object, Level::Restricted, 25).is_empty());
    assert_eq!(
        ids(&run(&object, Level::Restricted, 24)),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "seccompProfile_restricted"
        ]
    );
    // runAsNonRoot is never exempt.
    let object = pod(value!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}));
    assert_eq!(ids(&run(&object, Level::Restricted, 37)), ["runAsNonRoot"]);
}

#[test]
fn seccomp_uses_annotations_before_v1_19_and_fields_after() {
    let object = pod_with_annotations(
        value!({"seccomp.security.alpha.kubernetes.io/pod": "unconfined",
               "container.seccomp.security.alpha.kubernetes.io/a": "docker/default",
               "container.seccomp.security.alpha.kubernetes.io/ghost": "unconfined"}),
        value!({"containers": [{"name": "a", "securityContext":
                                {"seccompProfile": {"type": "Unconfined"}}}]}),
    );
    let old = run(&object, Level::Baseline, 18);
    assert_eq!(old.len(), 1, "{old:?}");
    assert_eq!(
        old[0].path,
        "/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod"
    );
    let new = run(&object, Level::Baseline, 19);
    assert_eq!(new.len(), 1);
    assert_eq!(
        new[0].path,
        "/spec/containers/0/securityContext/seccompProfile/type"
    );
    assert_eq!(
        new[0].detail,
        "container \"a\" must not set securityContext.seccompProfile.type to \"Unconfined\""
    );
}

#[test]
fn restricted_seccomp_inherits_a_confined_pod_profile() {
    let mut bare = hardened("b");
    bare["securityContext"]
        .as_object_mut()
        .expect("object")
        .remove("seccompProfile");
    let spec = |pod_profile: Value| {
        value!({"securityContext": {"runAsNonRoot": true, "seccompProfile": pod_profile},
               "containers": [hardened("a"), bare.clone()]})
    };
    assert!(
        run(
            &pod(spec(value!({"type": "Localhost"}))),
            Level::Restricted,
            37
        )
        .is_empty()
    );
    let found = run(
        &pod(spec(value!({"type": "Unconfined"}))),
        Level::Restricted,
        37,
    );
    let paths: Vec<_> = found.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/spec/securityContext/seccompProfile/type",
            "/spec/containers/1/securityContext"
        ]
    );
    assert!(found.iter().all(|v| v.check == "seccompProfile_restricted"));
}

#[test]
fn safe_sysctls_grow_with_the_version() {
    let object = pod(value!({"securityContext": {"sysctls": [
        {"name": "net.ipv4.ip_local_reserved_ports", "value": "1"},
        {"name": "net.ipv4.tcp_notsent_lowat", "value": "1"},
        {"name": "kernel.msgmax", "value": "1"}]},
        "containers": [{"name": "a"}]}));
    let forbidden = |minor| {
        run(&object, Level::Baseline, minor)
            .into_iter()
            .map(|v| v.detail)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        forbidden(26),
        [
            "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_notsent_lowat",
            "kernel.msgmax"
        ]
    );
    assert_eq!(
        forbidden(36),
        ["net.ipv4.tcp_notsent_lowat", "kernel.msgmax"]
    );
    assert_eq!(forbidden(37), ["kernel.msgmax"]);
    // Versions beyond the newest behave like the newest.
    assert_eq!(forbidden(99), ["kernel.msgmax"]);
    let found = run(&object, Level::Baseline, 37);
    assert_eq!(found[0].path, "/spec/securityContext/sysctls/2/name");
}

#[test]
fn every_kind_of_container_is_checked_in_templates() {
    let object = object(value!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"template": {"spec": {
            "initContainers": [{"name": "i", "securityContext": {"privileged": true}}],
            "containers": [{"name": "c"}],
            "ephemeralContainers": [{"name": "e", "securityContext": {"privileged": true}}]}}}
    }));
    let found = run(&object, Level::Baseline, 37);
    let paths: Vec<_> = found.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/spec/template/spec/initContainers/0/securityContext/privileged",
            "/spec/template/spec/ephemeralContainers/0/securityContext/privileged",
        ]
    );
    assert_eq!(
        found[0].detail,
        "container \"i\" must not set securityContext.privileged=true"
    );
}

#[test]
fn volume_types() {
    let object = pod(value!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [hardened("a")],
        "volumes": [
            {"name": "scratch"},
            {"name": "img", "image": {"reference": "x"}},
            {"name": "cfg", "configMap": {"name": "c"}},
            {"name": "share", "nfs": {"server": "s", "path": "/"}},
            {"name": "host", "hostPath": {"path": "/etc"}}]
    }));
    let found = run(&object, Level::Restricted, 37);
    let paths: Vec<_> = found.iter().map(|v| (v.check, v.path.as_str())).collect();
    // hostPathVolumes is replaced by restrictedVolumes under restricted.
    assert_eq!(
        paths,
        [
            ("restrictedVolumes", "/spec/volumes/3/nfs"),
            ("restrictedVolumes", "/spec/volumes/4/hostPath"),
        ]
    );
    assert_eq!(ids(&run(&object, Level::Baseline, 37)), ["hostPathVolumes"]);
}

#[test]
fn host_probes_only_from_v1_34() {
    let object = pod(value!({"containers": [{"name": "a",
        "readinessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}},
        "lifecycle": {"preStop": {"tcpSocket": {"host": "", "port": 80}}}}]}));
    assert!(run(&object, Level::Baseline, 33).is_empty());
    let found = run(&object, Level::Baseline, 34);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].path,
        "/spec/containers/0/readinessProbe/httpGet/host"
    );
}

#[test]
fn selinux_engine_type_from_v1_31() {
    let object = pod(
        value!({"securityContext": {"seLinuxOptions": {"type": "container_engine_t",
                                                                   "role": "sysadm_r"}},
                            "containers": [{"name": "a"}]}),
    );
    let details = |minor| {
        run(&object, Level::Baseline, minor)
            .into_iter()
            .map(|v| v.path)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        details(30),
        [
            "/spec/securityContext/seLinuxOptions/type",
            "/spec/securityContext/seLinuxOptions/role"
        ]
    );
    assert_eq!(details(31), ["/spec/securityContext/seLinuxOptions/role"]);
}

#[test]
fn apparmor_annotations_and_fields() {
    let object = pod_with_annotations(
        value!({"container.apparmor.security.beta.kubernetes.io/a": "unconfined",
               "container.apparmor.security.beta.kubernetes.io/b": "localhost/x"}),
        value!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}},
               "containers": [{"name": "a", "securityContext":
                                {"appArmorProfile": {"type": "RuntimeDefault"}}}]}),
    );
    let found = run(&object, Level::Baseline, 0);
    let details: Vec<_> = found.iter().map(|v| v.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "container.apparmor.security.beta.kubernetes.io/a=\"unconfined\"",
            "pod must not set securityContext.appArmorProfile.type to \"Unconfined\"",
        ]
    );
}

#[test]
fn strictest_level_and_privileged() {
    let restricted = pod(value!({"securityContext": {"runAsNonRoot": true,
                                                    "seccompProfile": {"type": "RuntimeDefault"}},
                                "containers": [hardened("a")]}));
    let plain = pod(value!({"containers": [{"name": "a"}]}));
    let host = pod(value!({"hostNetwork": true, "containers": [{"name": "a"}]}));
    let level = |o: &Object| strictest_level(&o.workload().expect("workload"), Version::LATEST);
    assert_eq!(level(&restricted), Level::Restricted);
    assert_eq!(level(&plain), Level::Baseline);
    assert_eq!(level(&host), Level::Privileged);
    assert!(run(&host, Level::Privileged, 37).is_empty());
    // Before v1.8 restricted has no allowPrivilegeEscalation check.
    let mut relaxed = hardened("a");
    relaxed["securityContext"]
        .as_object_mut()
        .expect("object")
        .remove("allowPrivilegeEscalation");
    let relaxed = pod(value!({"securityContext": {"runAsNonRoot": true}, "containers": [relaxed]}));
    assert!(run(&relaxed, Level::Restricted, 7).is_empty());
    assert_eq!(
        ids(&run(&relaxed, Level::Restricted, 8)),
        ["allowPrivilegeEscalation"]
    );
}
