//! The registry: every rule of every pack, in one explicit list sorted by code.

use crate::meta::Rule;
use crate::packs;
use std::sync::OnceLock;

/// Every rule, sorted by code.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    static RULES: OnceLock<Vec<&'static dyn Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: Vec<&'static dyn Rule> = Vec::new();
        rules.extend_from_slice(packs::deprecations::RULES);
        rules.extend_from_slice(packs::manifest::RULES);
        rules.extend_from_slice(packs::network::RULES);
        rules.extend_from_slice(packs::rbac::RULES);
        rules.extend_from_slice(packs::secrets::RULES);
        rules.extend_from_slice(packs::tenancy::RULES);
        rules.extend_from_slice(packs::workload::RULES);
        rules.sort_by_key(|r| r.meta().code);
        rules
    })
}

/// A rule by code (`WL001`) or name (`privileged-container`), case-insensitive.
pub fn find_rule(code_or_name: &str) -> Option<&'static dyn Rule> {
    all_rules().iter().copied().find(|r| {
        r.meta().code.eq_ignore_ascii_case(code_or_name)
            || r.meta().name.eq_ignore_ascii_case(code_or_name)
    })
}
