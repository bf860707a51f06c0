//! Placeholder being written.
pub struct HostNamespaces;
impl crate::meta::Rule for HostNamespaces {
    fn meta(&self) -> &'static crate::meta::RuleMeta {
        &super::privileged_container::META
    }
}
