//! The restricted checks: current pod hardening best practice on top of baseline (only
//! ephemeral and claim-backed volume types, no privilege escalation, non-root users, a
//! confined seccomp profile, all capabilities dropped, a masked /proc).

use super::baseline::{proc_mount_default_only, valid_seccomp};
use super::support::{Context, Report, describe, field, field_path, is_zero, items, quote, string};

pub(super) fn allow_privilege_escalation(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    if ctx.at_least(25) && ctx.is_windows() {
        return;
    }
    let segments = ["securityContext", "allowPrivilegeEscalation"];
    for container in ctx.containers() {
        if field(container, &segments).and_then(|v| v.as_bool()) == Some(false) {
            continue;
        }
        report.add(
            field_path(container, &segments),
            "allowPrivilegeEscalation != false",
            format!(
                "{} must set securityContext.allowPrivilegeEscalation=false",
                describe(container)
            ),
        );
    }
}

pub(super) fn capabilities(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    const REASON: &str = "unrestricted capabilities";
    if ctx.at_least(25) && ctx.is_windows() {
        return;
    }
    for container in ctx.containers() {
        let drop = items(field(
            container,
            &["securityContext", "capabilities", "drop"],
        ));
        if !drop.iter().any(|c| c.as_str() == Some("ALL")) {
            report.add(
                field_path(container, &["securityContext", "capabilities", "drop"]),
                REASON,
                format!(
                    "{} must set securityContext.capabilities.drop=[\"ALL\"]",
                    describe(container)
                ),
            );
        }
        let add = items(field(
            container,
            &["securityContext", "capabilities", "add"],
        ));
        for (index, capability) in add.iter().enumerate() {
            let name = string(Some(capability));
            if name == "NET_BIND_SERVICE" {
                continue;
            }
            let index = index.to_string();
            report.add(
                field_path(
                    container,
                    &["securityContext", "capabilities", "add", &index],
                ),
                REASON,
                format!(
                    "{} must not include {} in securityContext.capabilities.add",
                    describe(container),
                    quote(name)
                ),
            );
        }
    }
}

pub(super) fn proc_mount(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    proc_mount_default_only(ctx, report);
}

/// Volume sources a restricted pod may use.
const ALLOWED_VOLUMES: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Every other volume source of the core API.
const RESTRICTED_VOLUMES: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

pub(super) fn volumes(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    for (index, volume) in items(ctx.pod(&["volumes"])).iter().enumerate() {
        let Some(volume) = volume.as_object() else {
            continue;
        };
        let set = |kind: &str| volume.get(kind).is_some_and(|v| !v.is_null());
        // A volume without a known source is defaulted to emptyDir by the API server.
        if ALLOWED_VOLUMES.into_iter().any(set) {
            continue;
        }
        let Some(kind) = RESTRICTED_VOLUMES.into_iter().find(|kind| set(kind)) else {
            continue;
        };
        let index = index.to_string();
        report.add(
            ctx.pod_path(&["volumes", &index, kind]),
            "restricted volume types",
            format!(
                "volume {} uses restricted volume type {}",
                quote(string(volume.get("name"))),
                quote(kind)
            ),
        );
    }
}

pub(super) fn run_as_non_root(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    const REASON: &str = "runAsNonRoot != true";
    if ctx.at_least(35) && ctx.in_user_namespace() {
        return;
    }
    let segments = ["securityContext", "runAsNonRoot"];
    let pod = ctx.pod(&segments).and_then(|v| v.as_bool());
    if pod == Some(false) {
        report.add(
            ctx.pod_path(&segments),
            REASON,
            "pod must not set securityContext.runAsNonRoot=false".to_string(),
        );
    }
    let pod_non_root = pod == Some(true);
    for container in ctx.containers() {
        match field(container, &segments).and_then(|v| v.as_bool()) {
            Some(true) => {}
            Some(false) => report.add(
                field_path(container, &segments),
                REASON,
                format!(
                    "{} must not set securityContext.runAsNonRoot=false",
                    describe(container)
                ),
            ),
            None if pod_non_root => {}
            None => report.add(
                field_path(container, &segments),
                REASON,
                format!(
                    "pod or {} must set securityContext.runAsNonRoot=true",
                    describe(container)
                ),
            ),
        }
    }
}

pub(super) fn run_as_user(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    const REASON: &str = "runAsUser=0";
    if ctx.at_least(35) && ctx.in_user_namespace() {
        return;
    }
    let segments = ["securityContext", "runAsUser"];
    if is_zero(ctx.pod(&segments)) {
        report.add(
            ctx.pod_path(&segments),
            REASON,
            "pod must not set runAsUser=0".to_string(),
        );
    }
    for container in ctx.containers() {
        if is_zero(field(container, &segments)) {
            report.add(
                field_path(container, &segments),
                REASON,
                format!("{} must not set runAsUser=0", describe(container)),
            );
        }
    }
}

pub(super) fn seccomp_profile(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    const REASON: &str = "seccompProfile";
    if ctx.at_least(25) && ctx.is_windows() {
        return;
    }
    let segments = ["securityContext", "seccompProfile", "type"];
    let mut pod_confined = false;
    if ctx.pod(&segments[..2]).is_some() {
        let kind = string(ctx.pod(&segments));
        if valid_seccomp(kind) {
            pod_confined = true;
        } else {
            report.add(
                ctx.pod_path(&segments),
                REASON,
                format!(
                    "pod must not set securityContext.seccompProfile.type to {}",
                    quote(kind)
                ),
            );
        }
    }
    for container in ctx.containers() {
        if field(container, &segments[..2]).is_some() {
            let kind = string(field(container, &segments));
            if !valid_seccomp(kind) {
                report.add(
                    field_path(container, &segments),
                    REASON,
                    format!(
                        "{} must not set securityContext.seccompProfile.type to {}",
                        describe(container),
                        quote(kind)
                    ),
                );
            }
        } else if !pod_confined {
            report.add(
                field_path(container, &segments),
                REASON,
                format!(
                    "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                    describe(container)
                ),
            );
        }
    }
}
