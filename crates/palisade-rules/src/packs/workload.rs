//! `WL`: pod and container hardening: the Pod Security Standards controls and the hardening
//! and production-safety checks beyond them.

use crate::meta::Rule;

pub mod bare_pod;
pub mod cpu_limit_missing;
pub mod cpu_request_missing;
pub mod dangerous_capability;
pub mod default_namespace;
pub mod default_service_account;
pub mod exposed_workload;
pub mod host_aliases;
pub mod host_namespaces;
pub mod image_not_pinned;
pub mod image_pull_policy;
pub mod image_registry_not_allowed;
pub mod image_tag_mutable;
pub mod liveness_probe_missing;
pub mod memory_limit_missing;
pub mod memory_request_missing;
pub mod privilege_escalation;
pub mod privileged_container;
pub mod pss_controls;
pub mod readiness_probe_missing;
pub mod root_filesystem_writable;
pub mod run_as_non_root;
pub mod run_as_root_group;
pub mod sensitive_host_path;
pub mod service_account_token;
pub mod share_process_namespace;
pub mod stdin_tty;
pub mod writable_host_path;

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
    &root_filesystem_writable::RootFilesystemWritable,
    &run_as_root_group::RunAsRootGroup,
    &memory_limit_missing::MemoryLimitMissing,
    &memory_request_missing::MemoryRequestMissing,
    &cpu_request_missing::CpuRequestMissing,
    &cpu_limit_missing::CpuLimitMissing,
    &liveness_probe_missing::LivenessProbeMissing,
    &readiness_probe_missing::ReadinessProbeMissing,
    &image_tag_mutable::ImageTagMutable,
    &image_not_pinned::ImageNotPinned,
    &image_pull_policy::ImagePullPolicy,
    &image_registry_not_allowed::ImageRegistryNotAllowed,
    &service_account_token::ServiceAccountToken,
    &default_service_account::DefaultServiceAccount,
    &default_namespace::DefaultNamespace,
    &sensitive_host_path::SensitiveHostPath,
    &writable_host_path::WritableHostPath,
    &dangerous_capability::DangerousCapability,
    &share_process_namespace::ShareProcessNamespace,
    &host_aliases::HostAliases,
    &exposed_workload::ExposedWorkload,
    &stdin_tty::StdinTty,
    &bare_pod::BarePod,
];
