//! `WL`: pod and container hardening.

use crate::meta::Rule;

pub mod host_namespaces;
pub mod privilege_escalation;
pub mod privileged_container;
pub mod pss_controls;
pub mod run_as_non_root;

pub static RULES: &[&dyn Rule] = &[
    &privileged_container::PrivilegedContainer,
    &host_namespaces::HostNamespaces,
    &privilege_escalation::PrivilegeEscalation,
    &run_as_non_root::RunAsNonRoot,
    &pss_controls::HOST_PROCESS_CONTAINER_RULE,
    &pss_controls::CAPABILITY_BEYOND_BASELINE_RULE,
    &pss_controls::HOST_PATH_VOLUME_RULE,
    &pss_controls::HOST_PORT_RULE,
    &pss_controls::APPARMOR_UNCONFINED_RULE,
    &pss_controls::SELINUX_OPTIONS_UNSAFE_RULE,
    &pss_controls::PROC_MOUNT_UNMASKED_RULE,
    &pss_controls::SECCOMP_UNCONFINED_RULE,
    &pss_controls::UNSAFE_SYSCTL_RULE,
    &pss_controls::PROBE_OR_HOOK_TARGETS_HOST_RULE,
    &pss_controls::VOLUME_TYPE_NOT_RESTRICTED_RULE,
    &pss_controls::RUN_AS_ROOT_USER_RULE,
    &pss_controls::SECCOMP_PROFILE_MISSING_RULE,
    &pss_controls::CAPABILITIES_NOT_DROPPED_RULE,
    &pss_controls::PROC_MOUNT_NOT_DEFAULT_RULE,
];
