//! Placeholder being written.
pub struct PrivilegeEscalation;
impl crate::meta::Rule for PrivilegeEscalation {
    fn meta(&self) -> &'static crate::meta::RuleMeta {
        &super::privileged_container::META
    }
}
