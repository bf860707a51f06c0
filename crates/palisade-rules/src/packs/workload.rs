//! `WL`: pod and container hardening.

use crate::meta::Rule;

pub mod host_namespaces;
pub mod privilege_escalation;
pub mod privileged_container;
pub mod run_as_non_root;

pub static RULES: &[&dyn Rule] = &[
    &privileged_container::PrivilegedContainer,
    &host_namespaces::HostNamespaces,
    &privilege_escalation::PrivilegeEscalation,
    &run_as_non_root::RunAsNonRoot,
];
