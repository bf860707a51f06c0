//! The baseline checks: they forbid known privilege escalations (host namespaces, privileged
//! containers, extra capabilities, host paths and ports, unconfined AppArmor and seccomp,
//! custom SELinux labels, unmasked /proc, unsafe sysctls, Windows HostProcess, host-targeted
//! probes) while allowing a default pod.

use super::support::{
    Context, Report, describe, field, field_path, is_true, items, non_zero, quote, string,
};
use palisade_model::Value;

/// Container annotation prefix of the (deprecated) beta AppArmor API.
const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

pub(super) fn app_armor_profile(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    const REASON: &str = "forbidden AppArmor profile";
    for (key, value) in ctx.annotations() {
        if !key.starts_with(APPARMOR_ANNOTATION_PREFIX) {
            continue;
        }
        let profile = string(Some(value));
        let allowed =
            profile.is_empty() || profile == "runtime/default" || profile.starts_with("localhost/");
        if !allowed {
            report.add(
                ctx.annotation_path(key),
                REASON,
                format!("{key}={}", quote(profile)),
            );
        }
    }
    let allowed_type = |kind: &str| kind == "RuntimeDefault" || kind == "Localhost";
    if ctx.pod(&["securityContext", "appArmorProfile"]).is_some() {
        let kind = string(ctx.pod(&["securityContext", "appArmorProfile", "type"]));
        if !allowed_type(kind) {
            report.add(
                ctx.pod_path(&["securityContext", "appArmorProfile", "type"]),
                REASON,
                format!(
                    "pod must not set securityContext.appArmorProfile.type to {}",
                    quote(kind)
                ),
            );
        }
    }
    for container in ctx.containers() {
        if field(container, &["securityContext", "appArmorProfile"]).is_none() {
            continue;
        }
        let segments = ["securityContext", "appArmorProfile", "type"];
        let kind = string(field(container, &segments));
        if !allowed_type(kind) {
            report.add(
                field_path(container, &segments),
                REASON,
                format!(
                    "{} must not set securityContext.appArmorProfile.type to {}",
                    describe(container),
                    quote(kind)
                ),
            );
        }
    }
}

/// Capabilities a baseline container may add.
const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(super) fn capabilities(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    for container in ctx.containers() {
        let add = items(field(
            container,
            &["securityContext", "capabilities", "add"],
        ));
        for (index, capability) in add.iter().enumerate() {
            let name = string(Some(capability));
            if BASELINE_CAPABILITIES.contains(&name) {
                continue;
            }
            let index = index.to_string();
            report.add(
                field_path(
                    container,
                    &["securityContext", "capabilities", "add", &index],
                ),
                "non-default capabilities",
                format!(
                    "{} must not include {} in securityContext.capabilities.add",
                    describe(container),
                    quote(name)
                ),
            );
        }
    }
}

pub(super) fn host_namespaces(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    for name in ["hostNetwork", "hostPID", "hostIPC"] {
        if is_true(ctx.pod(&[name])) {
            report.add(
                ctx.pod_path(&[name]),
                "host namespaces",
                format!("{name}=true"),
            );
        }
    }
}

pub(super) fn host_path_volumes(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    for (index, volume) in items(ctx.pod(&["volumes"])).iter().enumerate() {
        if volume.get("hostPath").is_some_and(|v| !v.is_null()) {
            let index = index.to_string();
            let name = string(volume.get("name"));
            report.add(
                ctx.pod_path(&["volumes", &index, "hostPath"]),
                "hostPath volumes",
                format!("volume {} uses hostPath", quote(name)),
            );
        }
    }
}

pub(super) fn host_ports(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    for container in ctx.containers() {
        for (index, port) in items(field(container, &["ports"])).iter().enumerate() {
            let host_port = port.get("hostPort");
            if !non_zero(host_port) {
                continue;
            }
            let index = index.to_string();
            let number = host_port.map(Value::to_string).unwrap_or_default();
            report.add(
                field_path(container, &["ports", &index, "hostPort"]),
                "hostPort",
                format!("{} uses hostPort {number}", describe(container)),
            );
        }
    }
}

pub(super) fn host_probes_and_lifecycle(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    const HANDLERS: [&[&str]; 5] = [
        &["livenessProbe"],
        &["readinessProbe"],
        &["startupProbe"],
        &["lifecycle", "postStart"],
        &["lifecycle", "preStop"],
    ];
    for container in ctx.containers() {
        for handler in HANDLERS {
            for action in ["httpGet", "tcpSocket"] {
                let segments = [handler, &[action, "host"]].concat();
                let host = string(field(container, &segments));
                if host.is_empty() {
                    continue;
                }
                report.add(
                    field_path(container, &segments),
                    "probe or lifecycle host",
                    format!(
                        "{} uses probe or lifecycle host {}",
                        describe(container),
                        quote(host)
                    ),
                );
            }
        }
    }
}

pub(super) fn privileged(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    for container in ctx.containers() {
        let segments = ["securityContext", "privileged"];
        if is_true(field(container, &segments)) {
            report.add(
                field_path(container, &segments),
                "privileged",
                format!(
                    "{} must not set securityContext.privileged=true",
                    describe(container)
                ),
            );
        }
    }
}

pub(super) fn proc_mount(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    // From v1.35 a pod in a user namespace may choose any /proc mount type.
    if ctx.at_least(35) && ctx.in_user_namespace() {
        return;
    }
    proc_mount_default_only(ctx, report);
}

/// Every container's `procMount` is unset or `Default`.
pub(super) fn proc_mount_default_only(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    for container in ctx.containers() {
        let segments = ["securityContext", "procMount"];
        let Some(value) = field(container, &segments) else {
            continue;
        };
        let kind = string(Some(value));
        if kind != "Default" {
            report.add(
                field_path(container, &segments),
                "procMount",
                format!(
                    "{} must not set securityContext.procMount to {}",
                    describe(container),
                    quote(kind)
                ),
            );
        }
    }
}

pub(super) fn seccomp_profile(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    if ctx.at_least(19) {
        seccomp_fields(ctx, report);
    } else {
        seccomp_annotations(ctx, report);
    }
}

fn seccomp_annotations(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    let allowed = |value: &str| {
        value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
    };
    let mut check = |key: &str, value: &Value| {
        let profile = string(Some(value));
        if !allowed(profile) {
            report.add(
                ctx.annotation_path(key),
                "seccompProfile",
                format!("forbidden annotation {key}={}", quote(profile)),
            );
        }
    };
    let annotations = ctx.workload.pod_annotations();
    if let Some(value) = annotations.and_then(|a| a.get(SECCOMP_POD_ANNOTATION)) {
        check(SECCOMP_POD_ANNOTATION, value);
    }
    for container in ctx.containers() {
        let key = format!("{SECCOMP_CONTAINER_ANNOTATION_PREFIX}{}", container.name);
        if let Some(value) = annotations.and_then(|a| a.get(&key)) {
            check(&key, value);
        }
    }
}

/// `seccompProfile.type` is `RuntimeDefault` or `Localhost`.
pub(super) fn valid_seccomp(kind: &str) -> bool {
    kind == "RuntimeDefault" || kind == "Localhost"
}

fn seccomp_fields(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    let segments = ["securityContext", "seccompProfile", "type"];
    if ctx.pod(&segments[..2]).is_some() {
        let kind = string(ctx.pod(&segments));
        if !valid_seccomp(kind) {
            report.add(
                ctx.pod_path(&segments),
                "seccompProfile",
                format!(
                    "pod must not set securityContext.seccompProfile.type to {}",
                    quote(kind)
                ),
            );
        }
    }
    for container in ctx.containers() {
        if field(container, &segments[..2]).is_none() {
            continue;
        }
        let kind = string(field(container, &segments));
        if !valid_seccomp(kind) {
            report.add(
                field_path(container, &segments),
                "seccompProfile",
                format!(
                    "{} must not set securityContext.seccompProfile.type to {}",
                    describe(container),
                    quote(kind)
                ),
            );
        }
    }
}

pub(super) fn se_linux_options(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    let engine_allowed = ctx.at_least(31);
    let allowed_type = |kind: &str| {
        matches!(
            kind,
            "" | "container_t" | "container_init_t" | "container_kvm_t"
        ) || (engine_allowed && kind == "container_engine_t")
    };
    let mut check = |setter: &str, options: &Value, path: &dyn Fn(&str) -> String| {
        let kind = string(options.get("type"));
        if !allowed_type(kind) {
            report.add(
                path("type"),
                "seLinuxOptions",
                format!(
                    "{setter} set forbidden securityContext.seLinuxOptions: type {}",
                    quote(kind)
                ),
            );
        }
        for key in ["user", "role"] {
            if !string(options.get(key)).is_empty() {
                report.add(
                    path(key),
                    "seLinuxOptions",
                    format!(
                        "{setter} set forbidden securityContext.seLinuxOptions: {key} may not be set"
                    ),
                );
            }
        }
    };
    if let Some(options) = ctx.pod(&["securityContext", "seLinuxOptions"]) {
        check("pod", options, &|key| {
            ctx.pod_path(&["securityContext", "seLinuxOptions", key])
        });
    }
    for container in ctx.containers() {
        if let Some(options) = field(container, &["securityContext", "seLinuxOptions"]) {
            check(&describe(container), options, &|key| {
                field_path(container, &["securityContext", "seLinuxOptions", key])
            });
        }
    }
}

/// Sysctls considered safe, with the policy version that first allows each.
const SAFE_SYSCTLS: [(&str, u32); 14] = [
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

/// Whether `name` is a safe sysctl at the context's policy version.
pub(super) fn safe_sysctl(ctx: &Context<'_, '_>, name: &str) -> bool {
    SAFE_SYSCTLS
        .iter()
        .any(|&(safe, since)| safe == name && ctx.at_least(since))
}

pub(super) fn sysctls(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    let list = items(ctx.pod(&["securityContext", "sysctls"]));
    for (index, sysctl) in list.iter().enumerate() {
        let name = string(sysctl.get("name"));
        if safe_sysctl(ctx, name) {
            continue;
        }
        let index = index.to_string();
        report.add(
            ctx.pod_path(&["securityContext", "sysctls", &index, "name"]),
            "forbidden sysctls",
            name.to_string(),
        );
    }
}

pub(super) fn windows_host_process(ctx: &Context<'_, '_>, report: &mut Report<'_>) {
    let segments = ["securityContext", "windowsOptions", "hostProcess"];
    if is_true(ctx.pod(&segments)) {
        report.add(
            ctx.pod_path(&segments),
            "hostProcess",
            "pod must not set securityContext.windowsOptions.hostProcess=true".to_string(),
        );
    }
    for container in ctx.containers() {
        if is_true(field(container, &segments)) {
            report.add(
                field_path(container, &segments),
                "hostProcess",
                format!(
                    "{} must not set securityContext.windowsOptions.hostProcess=true",
                    describe(container)
                ),
            );
        }
    }
}
