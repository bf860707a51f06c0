//! Placeholder being written.
pub struct RunAsNonRoot;
impl crate::meta::Rule for RunAsNonRoot {
    fn meta(&self) -> &'static crate::meta::RuleMeta {
        &super::privileged_container::META
    }
}
