//! `DP`: API currency: deprecated and removed API versions for a target Kubernetes version,
//! and Kubernetes component images outside the supported window.

use crate::meta::{Reference, Rule};

pub mod deprecated_api;
pub mod removed_api;
pub mod table;
pub mod unsupported_component;

pub static RULES: &[&dyn Rule] = &[
    &removed_api::RemovedApi,
    &deprecated_api::DeprecatedApi,
    &unsupported_component::UnsupportedComponent,
];

/// What DP001 and DP002 cite: the migration guide, the policy behind it and the version skew
/// that decides when an upgrade breaks a manifest.
pub(crate) const API_CURRENCY_REFERENCES: &[Reference] = &[
    Reference {
        title: "Kubernetes: Deprecated API Migration Guide",
        url: "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
    },
    Reference {
        title: "Kubernetes: Deprecation Policy",
        url: "https://kubernetes.io/docs/reference/using-api/deprecation-policy/",
    },
    Reference {
        title: "Kubernetes: Version Skew Policy",
        url: "https://kubernetes.io/releases/version-skew-policy/",
    },
];
