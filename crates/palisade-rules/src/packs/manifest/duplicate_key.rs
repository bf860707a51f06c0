//! Placeholder being written.
pub struct DuplicateKey;
impl crate::meta::Rule for DuplicateKey {
    fn meta(&self) -> &'static crate::meta::RuleMeta {
        &crate::packs::workload::privileged_container::META
    }
}
