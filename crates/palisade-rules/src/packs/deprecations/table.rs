//! The API deprecation table: for each Kubernetes `apiVersion`/`kind` that was deprecated or
//! removed since 1.16, the minor version it was deprecated in, the one it was removed in, and
//! what replaces it. Versions are Kubernetes minors (`25` is 1.25).
//!
//! Sources: the Kubernetes deprecated API migration guide, the API groups' release notes, and
//! the deprecation table of Fairwinds' pluto (Apache-2.0), cross-checked in
//! `tests/deprecations_corpus.rs`. Only Kubernetes' own API groups are listed: add-ons
//! (cert-manager, Istio, the CSI snapshot controller) version their APIs with their own
//! releases, which a Kubernetes target version says nothing about.

use crate::engine::Context;

/// The oldest Kubernetes minor the table is complete for.
pub const OLDEST_MINOR: u32 = 16;

/// The newest Kubernetes minor the table knows; the target when none is configured.
pub const NEWEST_MINOR: u32 = 36;

/// The Kubernetes minor the rules evaluate against.
pub fn target_minor(context: &Context) -> u32 {
    context.kubernetes_minor.unwrap_or(NEWEST_MINOR)
}

/// An API version that serves the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replacement {
    pub api_version: &'static str,
    /// Minor version from which the replacement is served.
    pub since: u32,
}

/// A deprecated (and possibly removed) API version of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deprecation {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// Minor version that deprecated it.
    pub deprecated_in: u32,
    /// Minor version that stopped serving it; `None` while no removal is scheduled.
    pub removed_in: Option<u32>,
    /// Replacements, preferred first (the stable version, then older fallbacks for targets
    /// that do not serve it yet).
    pub replacements: &'static [Replacement],
    /// What to do instead, when no API version replaces it.
    pub instead: Option<&'static str>,
}

/// Whether an API is served at a target version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Served and not deprecated (or not in the table).
    Current,
    /// Served, deprecated.
    Deprecated,
    /// No longer served.
    Removed,
}

impl Deprecation {
    pub fn status(&self, target: u32) -> Status {
        match self.removed_in {
            Some(removed) if removed <= target => Status::Removed,
            _ if self.deprecated_in <= target => Status::Deprecated,
            _ => Status::Current,
        }
    }

    /// The replacement to recommend for a target: the first one served at the target (and not
    /// itself removed there), else the one served earliest.
    pub fn replacement_at(&self, target: u32) -> Option<&'static Replacement> {
        let replacements = self.replacements;
        replacements
            .iter()
            .find(|r| {
                r.since <= target
                    && find(r.api_version, self.kind)
                        .is_none_or(|d| d.status(target) != Status::Removed)
            })
            .or_else(|| {
                replacements
                    .iter()
                    .filter(|r| r.since > target)
                    .min_by_key(|r| r.since)
            })
    }

    /// "use `policy/v1` (served since 1.21)", or what to do when nothing replaces it.
    pub fn advice(&self, target: u32) -> String {
        match self.replacement_at(target) {
            Some(r) if r.since <= target => format!(
                "use `{}` (served since Kubernetes 1.{})",
                r.api_version, r.since
            ),
            Some(r) => format!(
                "its replacement `{}` is served from Kubernetes 1.{}",
                r.api_version, r.since
            ),
            None => self
                .instead
                .unwrap_or("it has no replacement API")
                .to_string(),
        }
    }
}

/// The table entry for an `apiVersion` and kind. A `FooList` kind is looked up as `Foo`.
pub fn find(api_version: &str, kind: &str) -> Option<&'static Deprecation> {
    let lookup = |kind: &str| {
        DEPRECATIONS
            .iter()
            .find(|d| d.api_version == api_version && d.kind == kind)
    };
    lookup(kind).or_else(|| kind.strip_suffix("List").and_then(lookup))
}

const fn r(api_version: &'static str, since: u32) -> Replacement {
    Replacement { api_version, since }
}

const fn removed(
    api_version: &'static str,
    kind: &'static str,
    deprecated_in: u32,
    removed_in: u32,
    replacements: &'static [Replacement],
) -> Deprecation {
    Deprecation {
        api_version,
        kind,
        deprecated_in,
        removed_in: Some(removed_in),
        replacements,
        instead: None,
    }
}

const APPS_V1: &[Replacement] = &[r("apps/v1", 9)];
const NETWORKING_V1: &[Replacement] = &[r("networking.k8s.io/v1", 19)];
const INGRESS: &[Replacement] = &[
    r("networking.k8s.io/v1", 19),
    r("networking.k8s.io/v1beta1", 14),
];
const RBAC_V1: &[Replacement] = &[r("rbac.authorization.k8s.io/v1", 8)];
const STORAGE_V1_6: &[Replacement] = &[r("storage.k8s.io/v1", 6)];
const AUTHORIZATION_V1: &[Replacement] = &[r("authorization.k8s.io/v1", 6)];
const ADMISSION_V1: &[Replacement] = &[r("admissionregistration.k8s.io/v1", 16)];
const AUDIT_V1: &[Replacement] = &[r("audit.k8s.io/v1", 12)];
const AUTOSCALING_V2: &[Replacement] = &[r("autoscaling/v2", 23), r("autoscaling/v2beta2", 12)];
const FLOWCONTROL_V1BETA1: &[Replacement] = &[
    r("flowcontrol.apiserver.k8s.io/v1", 29),
    r("flowcontrol.apiserver.k8s.io/v1beta3", 26),
    r("flowcontrol.apiserver.k8s.io/v1beta2", 23),
];
const FLOWCONTROL_V1BETA2: &[Replacement] = &[
    r("flowcontrol.apiserver.k8s.io/v1", 29),
    r("flowcontrol.apiserver.k8s.io/v1beta3", 26),
];
const FLOWCONTROL_V1BETA3: &[Replacement] = &[r("flowcontrol.apiserver.k8s.io/v1", 29)];
const VALIDATING_POLICY: &[Replacement] = &[
    r("admissionregistration.k8s.io/v1", 30),
    r("admissionregistration.k8s.io/v1beta1", 28),
];
const RESOURCE_ALPHA: &[Replacement] = &[
    r("resource.k8s.io/v1", 34),
    r("resource.k8s.io/v1beta2", 33),
    r("resource.k8s.io/v1beta1", 32),
];
const RESOURCE_BETA: &[Replacement] = &[
    r("resource.k8s.io/v1", 34),
    r("resource.k8s.io/v1beta2", 33),
];
const VOLUME_ATTRIBUTES: &[Replacement] =
    &[r("storage.k8s.io/v1", 34), r("storage.k8s.io/v1beta1", 31)];

const POD_SECURITY_ADMISSION: &str = "enforce the Pod Security Standards with Pod Security \
    Admission instead (namespace label `pod-security.kubernetes.io/enforce`, stable since \
    Kubernetes 1.25) or with a policy engine";

/// The table, grouped by the version that removed the API.
pub static DEPRECATIONS: &[Deprecation] = &[
    // 1.16: workloads, NetworkPolicy and PodSecurityPolicy leave `extensions/v1beta1` and the
    // `apps` betas.
    removed("extensions/v1beta1", "Deployment", 9, 16, APPS_V1),
    removed("apps/v1beta1", "Deployment", 9, 16, APPS_V1),
    removed("apps/v1beta2", "Deployment", 9, 16, APPS_V1),
    removed("apps/v1beta1", "StatefulSet", 9, 16, APPS_V1),
    removed("apps/v1beta2", "StatefulSet", 9, 16, APPS_V1),
    removed("extensions/v1beta1", "DaemonSet", 9, 16, APPS_V1),
    removed("apps/v1beta2", "DaemonSet", 9, 16, APPS_V1),
    removed("extensions/v1beta1", "ReplicaSet", 9, 16, APPS_V1),
    removed("apps/v1beta1", "ReplicaSet", 9, 16, APPS_V1),
    removed("apps/v1beta2", "ReplicaSet", 9, 16, APPS_V1),
    removed("apps/v1beta1", "ControllerRevision", 9, 16, APPS_V1),
    removed("apps/v1beta2", "ControllerRevision", 9, 16, APPS_V1),
    removed(
        "extensions/v1beta1",
        "NetworkPolicy",
        9,
        16,
        &[r("networking.k8s.io/v1", 8)],
    ),
    Deprecation {
        instead: Some(POD_SECURITY_ADMISSION),
        ..removed(
            "extensions/v1beta1",
            "PodSecurityPolicy",
            10,
            16,
            &[r("policy/v1beta1", 10)],
        )
    },
    // 1.17
    removed(
        "scheduling.k8s.io/v1alpha1",
        "PriorityClass",
        14,
        17,
        &[r("scheduling.k8s.io/v1", 14)],
    ),
    // 1.22: the large removal of v1beta1 APIs that had been stable for a while.
    removed("extensions/v1beta1", "Ingress", 14, 22, INGRESS),
    removed(
        "networking.k8s.io/v1beta1",
        "Ingress",
        19,
        22,
        NETWORKING_V1,
    ),
    removed(
        "networking.k8s.io/v1beta1",
        "IngressClass",
        19,
        22,
        NETWORKING_V1,
    ),
    removed(
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        14,
        22,
        &[r("scheduling.k8s.io/v1", 14)],
    ),
    removed(
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        16,
        22,
        &[r("apiextensions.k8s.io/v1", 16)],
    ),
    removed(
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        16,
        22,
        ADMISSION_V1,
    ),
    removed(
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        16,
        22,
        ADMISSION_V1,
    ),
    removed(
        "rbac.authorization.k8s.io/v1alpha1",
        "ClusterRole",
        17,
        22,
        RBAC_V1,
    ),
    removed(
        "rbac.authorization.k8s.io/v1alpha1",
        "ClusterRoleBinding",
        17,
        22,
        RBAC_V1,
    ),
    removed(
        "rbac.authorization.k8s.io/v1alpha1",
        "Role",
        17,
        22,
        RBAC_V1,
    ),
    removed(
        "rbac.authorization.k8s.io/v1alpha1",
        "RoleBinding",
        17,
        22,
        RBAC_V1,
    ),
    removed(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        17,
        22,
        RBAC_V1,
    ),
    removed(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        17,
        22,
        RBAC_V1,
    ),
    removed("rbac.authorization.k8s.io/v1beta1", "Role", 17, 22, RBAC_V1),
    removed(
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        17,
        22,
        RBAC_V1,
    ),
    removed(
        "storage.k8s.io/v1beta1",
        "CSINode",
        17,
        22,
        &[r("storage.k8s.io/v1", 17)],
    ),
    removed(
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        19,
        22,
        &[r("storage.k8s.io/v1", 19)],
    ),
    removed(
        "storage.k8s.io/v1beta1",
        "StorageClass",
        6,
        22,
        STORAGE_V1_6,
    ),
    removed(
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        13,
        22,
        &[r("storage.k8s.io/v1", 13)],
    ),
    removed(
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        10,
        22,
        &[r("apiregistration.k8s.io/v1", 10)],
    ),
    removed(
        "authentication.k8s.io/v1beta1",
        "TokenReview",
        6,
        22,
        &[r("authentication.k8s.io/v1", 6)],
    ),
    removed(
        "authorization.k8s.io/v1beta1",
        "SubjectAccessReview",
        19,
        22,
        AUTHORIZATION_V1,
    ),
    removed(
        "authorization.k8s.io/v1beta1",
        "LocalSubjectAccessReview",
        19,
        22,
        AUTHORIZATION_V1,
    ),
    removed(
        "authorization.k8s.io/v1beta1",
        "SelfSubjectAccessReview",
        19,
        22,
        AUTHORIZATION_V1,
    ),
    removed(
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        19,
        22,
        &[r("certificates.k8s.io/v1", 19)],
    ),
    removed(
        "coordination.k8s.io/v1beta1",
        "Lease",
        14,
        22,
        &[r("coordination.k8s.io/v1", 14)],
    ),
    // 1.24: audit policy and event files read by the API server.
    removed("audit.k8s.io/v1alpha1", "Policy", 21, 24, AUDIT_V1),
    removed("audit.k8s.io/v1alpha1", "Event", 21, 24, AUDIT_V1),
    removed("audit.k8s.io/v1beta1", "Policy", 21, 24, AUDIT_V1),
    removed("audit.k8s.io/v1beta1", "Event", 21, 24, AUDIT_V1),
    // 1.25
    Deprecation {
        instead: Some(POD_SECURITY_ADMISSION),
        ..removed("policy/v1beta1", "PodSecurityPolicy", 21, 25, &[])
    },
    removed(
        "policy/v1beta1",
        "PodDisruptionBudget",
        21,
        25,
        &[r("policy/v1", 21)],
    ),
    removed("batch/v1beta1", "CronJob", 21, 25, &[r("batch/v1", 21)]),
    removed(
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        21,
        25,
        &[r("discovery.k8s.io/v1", 21)],
    ),
    removed(
        "events.k8s.io/v1beta1",
        "Event",
        19,
        25,
        &[r("events.k8s.io/v1", 19)],
    ),
    removed(
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        22,
        25,
        AUTOSCALING_V2,
    ),
    removed(
        "node.k8s.io/v1beta1",
        "RuntimeClass",
        22,
        25,
        &[r("node.k8s.io/v1", 20)],
    ),
    // 1.26
    removed(
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        23,
        26,
        &[r("autoscaling/v2", 23)],
    ),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "FlowSchema",
        23,
        26,
        FLOWCONTROL_V1BETA1,
    ),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
        23,
        26,
        FLOWCONTROL_V1BETA1,
    ),
    // 1.27
    removed(
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        24,
        27,
        &[r("storage.k8s.io/v1", 24)],
    ),
    // 1.29
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "FlowSchema",
        26,
        29,
        FLOWCONTROL_V1BETA2,
    ),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "PriorityLevelConfiguration",
        26,
        29,
        FLOWCONTROL_V1BETA2,
    ),
    // 1.32
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "FlowSchema",
        29,
        32,
        FLOWCONTROL_V1BETA3,
    ),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "PriorityLevelConfiguration",
        29,
        32,
        FLOWCONTROL_V1BETA3,
    ),
    // 1.33
    removed(
        "admissionregistration.k8s.io/v1alpha1",
        "ValidatingAdmissionPolicy",
        28,
        33,
        VALIDATING_POLICY,
    ),
    removed(
        "admissionregistration.k8s.io/v1alpha1",
        "ValidatingAdmissionPolicyBinding",
        28,
        33,
        VALIDATING_POLICY,
    ),
    // 1.34: dynamic resource allocation alpha.
    removed(
        "resource.k8s.io/v1alpha3",
        "ResourceSlice",
        32,
        34,
        RESOURCE_ALPHA,
    ),
    removed(
        "resource.k8s.io/v1alpha3",
        "ResourceClaim",
        32,
        34,
        RESOURCE_ALPHA,
    ),
    removed(
        "resource.k8s.io/v1alpha3",
        "ResourceClaimTemplate",
        32,
        34,
        RESOURCE_ALPHA,
    ),
    removed(
        "resource.k8s.io/v1alpha3",
        "DeviceClass",
        32,
        34,
        RESOURCE_ALPHA,
    ),
    // 1.35
    removed(
        "storage.k8s.io/v1alpha1",
        "VolumeAttributesClass",
        31,
        35,
        VOLUME_ATTRIBUTES,
    ),
    removed(
        "storagemigration.k8s.io/v1alpha1",
        "StorageVersionMigration",
        35,
        35,
        &[r("storagemigration.k8s.io/v1beta1", 35)],
    ),
    // 1.36: dynamic resource allocation beta.
    removed(
        "resource.k8s.io/v1beta1",
        "ResourceSlice",
        33,
        36,
        RESOURCE_BETA,
    ),
    removed(
        "resource.k8s.io/v1beta1",
        "ResourceClaim",
        33,
        36,
        RESOURCE_BETA,
    ),
    removed(
        "resource.k8s.io/v1beta1",
        "ResourceClaimTemplate",
        33,
        36,
        RESOURCE_BETA,
    ),
    removed(
        "resource.k8s.io/v1beta1",
        "DeviceClass",
        33,
        36,
        RESOURCE_BETA,
    ),
    // Deprecated, removal not yet scheduled.
    Deprecation {
        api_version: "storage.k8s.io/v1beta1",
        kind: "VolumeAttributesClass",
        deprecated_in: 34,
        removed_in: None,
        replacements: &[r("storage.k8s.io/v1", 34)],
        instead: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn status(api_version: &str, kind: &str, target: u32) -> Status {
        find(api_version, kind).map_or(Status::Current, |d| d.status(target))
    }

    #[test]
    fn entries_are_unique_and_consistent() {
        for (i, d) in DEPRECATIONS.iter().enumerate() {
            assert!(
                !DEPRECATIONS[..i]
                    .iter()
                    .any(|e| e.api_version == d.api_version && e.kind == d.kind),
                "{} {} twice",
                d.api_version,
                d.kind
            );
            if let Some(removed) = d.removed_in {
                assert!(d.deprecated_in <= removed, "{} {}", d.api_version, d.kind);
                assert!(removed <= NEWEST_MINOR);
            }
            assert!(
                !d.replacements.is_empty() || d.instead.is_some(),
                "{} {} says nothing about what to use",
                d.api_version,
                d.kind
            );
            for replacement in d.replacements {
                assert_ne!(replacement.api_version, d.api_version);
            }
        }
    }

    #[test]
    fn statuses_at_targets() {
        assert_eq!(
            status("policy/v1beta1", "PodDisruptionBudget", 25),
            Status::Removed
        );
        assert_eq!(
            status("policy/v1beta1", "PodDisruptionBudget", 24),
            Status::Deprecated
        );
        assert_eq!(
            status("policy/v1beta1", "PodDisruptionBudget", 20),
            Status::Current
        );
        assert_eq!(status("batch/v1beta1", "CronJob", 25), Status::Removed);
        assert_eq!(status("batch/v1beta1", "CronJob", 24), Status::Deprecated);
        assert_eq!(
            status("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", 32),
            Status::Removed
        );
        assert_eq!(
            status("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", 31),
            Status::Deprecated
        );
        assert_eq!(
            status(
                "storage.k8s.io/v1beta1",
                "VolumeAttributesClass",
                NEWEST_MINOR
            ),
            Status::Deprecated
        );
        assert_eq!(status("batch/v1", "CronJob", 25), Status::Current);
        assert_eq!(status("example.com/v1beta1", "Widget", 30), Status::Current);
        assert_eq!(
            status("policy/v1beta1", "PodDisruptionBudgetList", 25),
            Status::Removed
        );
    }

    #[test]
    fn replacement_suits_the_target() {
        let hpa = find("autoscaling/v2beta1", "HorizontalPodAutoscaler");
        let hpa = hpa.map(|d| (d.replacement_at(22), d.replacement_at(25)));
        assert_eq!(
            hpa,
            Some((
                Some(&r("autoscaling/v2beta2", 12)),
                Some(&r("autoscaling/v2", 23))
            ))
        );
        // v1beta2 is itself gone in 1.29, so a 1.28 target gets v1beta3.
        let flow = find("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema");
        assert_eq!(
            flow.and_then(|d| d.replacement_at(28))
                .map(|r| r.api_version),
            Some("flowcontrol.apiserver.k8s.io/v1beta3")
        );
        // Nothing replaces policy/v1beta1 PodSecurityPolicy in 1.25.
        let psp = find("extensions/v1beta1", "PodSecurityPolicy");
        assert_eq!(psp.and_then(|d| d.replacement_at(25)), None);
        assert!(psp.is_some_and(|d| d.advice(25).contains("Pod Security Admission")));
        assert_eq!(
            psp.and_then(|d| d.replacement_at(16))
                .map(|r| r.api_version),
            Some("policy/v1beta1")
        );
    }
}
