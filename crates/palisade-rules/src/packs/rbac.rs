//! `RB`: RBAC: risky grants, bindings to dangerous subjects, unused roles, escalation paths and
//! the permissions of the identities workloads run as. The checks evaluate the effective
//! permission model of [`crate::rbac`]; default roles filled in from the bootstrap policy and
//! the input's own copies of them (`kubernetes.io/bootstrapping: rbac-defaults` on a default
//! name) are not reported.

use crate::meta::Rule;

pub mod common;
pub mod csr_approve_sign;
pub mod escalate_bind_impersonate;
pub mod missing_subject;
pub mod node_proxy;
pub mod persistent_volume_create;
pub mod pod_exec;
pub mod public_group_binding;
pub mod role_never_bound;
pub mod secrets_read;
pub mod token_create;
pub mod webhook_write;
pub mod wildcard_grant;
pub mod workload_identity;
pub mod workload_write;

pub static RULES: &[&dyn Rule] = &[
    &secrets_read::SecretsRead,
    &workload_write::WorkloadWrite,
    &pod_exec::PodExec,
    &escalate_bind_impersonate::EscalateBindImpersonate,
    &token_create::TokenCreate,
    &node_proxy::NodeProxy,
    &csr_approve_sign::CsrApproveSign,
    &webhook_write::WebhookWrite,
    &persistent_volume_create::PersistentVolumeCreate,
    &wildcard_grant::WildcardGrant,
    &public_group_binding::PublicGroupBinding,
    &missing_subject::MissingSubject,
    &role_never_bound::RoleNeverBound,
    &workload_identity::WorkloadIdentity,
];
