//! `DP`: API currency: deprecated and removed API versions for a target Kubernetes version,
//! and Kubernetes component images outside the supported window.

use crate::meta::Rule;

pub mod deprecated_api;
pub mod removed_api;
pub mod table;
pub mod unsupported_component;

pub static RULES: &[&dyn Rule] = &[
    &removed_api::RemovedApi,
    &deprecated_api::DeprecatedApi,
    &unsupported_component::UnsupportedComponent,
];
