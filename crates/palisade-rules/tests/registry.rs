//! Meta-tests over the registry: identities are well formed and unique, every rule is fully
//! documented and has a fixture, and the registry is sorted by code.

use palisade_rules::{all_rules, find_rule};
use std::collections::HashSet;
use std::path::Path;

fn is_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    bytes.len() == 5
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..].iter().all(u8::is_ascii_digit)
}

fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[test]
fn codes_and_names_are_well_formed_and_unique() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for rule in all_rules() {
        let meta = rule.meta();
        assert!(
            is_code(meta.code),
            "{}: code must match ^[A-Z]{{2}}\\d{{3}}$",
            meta.code
        );
        assert!(
            meta.code.starts_with(meta.pack.prefix()),
            "{}: code must start with its pack's prefix {}",
            meta.code,
            meta.pack.prefix()
        );
        assert!(
            is_kebab(meta.name),
            "{}: name `{}` is not kebab-case",
            meta.code,
            meta.name
        );
        assert!(codes.insert(meta.code), "{}: duplicate code", meta.code);
        assert!(
            names.insert(meta.name),
            "{}: duplicate name `{}`",
            meta.code,
            meta.name
        );
        let by_code = find_rule(meta.code).map(|r| r.meta().code);
        let by_name = find_rule(meta.name).map(|r| r.meta().code);
        assert_eq!(by_code, Some(meta.code));
        assert_eq!(by_name, Some(meta.code));
    }
}

#[test]
fn registry_is_sorted_by_code() {
    let codes: Vec<_> = all_rules().iter().map(|r| r.meta().code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted);
}

#[test]
fn every_rule_is_documented() {
    for rule in all_rules() {
        let meta = rule.meta();
        let code = meta.code;
        assert!(!meta.kinds.is_empty(), "{code}: kinds is empty");
        for (section, text) in [
            ("summary", meta.summary),
            ("rationale", meta.rationale),
            ("remediation", meta.remediation),
            ("bad example", meta.bad_example),
            ("good example", meta.good_example),
        ] {
            assert!(!text.trim().is_empty(), "{code}: {section} is empty");
        }
        for (section, text) in [
            ("summary", meta.summary),
            ("rationale", meta.rationale),
            ("remediation", meta.remediation),
        ] {
            // Prose is one paragraph; a missing `\` at a line end leaves a break and indentation.
            assert!(
                !text.contains('\n') && !text.contains("  "),
                "{code}: {section} has a line break or doubled spaces"
            );
        }
        assert!(
            meta.summary.ends_with('.'),
            "{code}: summary must be a sentence"
        );
        assert!(
            !meta.summary.contains(". "),
            "{code}: summary must be one sentence"
        );
        assert!(
            meta.remediation.ends_with('.'),
            "{code}: remediation must end with a period"
        );
        assert_ne!(
            meta.bad_example, meta.good_example,
            "{code}: bad and good examples are the same"
        );
        assert!(!meta.references.is_empty(), "{code}: no references");
        for reference in meta.references {
            assert!(
                !reference.title.is_empty(),
                "{code}: reference without a title"
            );
            assert!(
                reference.url.starts_with("https://"),
                "{code}: reference URL `{}` is not https",
                reference.url
            );
        }
    }
}

#[test]
fn every_rule_has_a_fixture() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for rule in all_rules() {
        let meta = rule.meta();
        let pack = serde_json::to_value(meta.pack)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let path = fixtures.join(pack).join(format!("{}.yaml", meta.code));
        assert!(
            path.is_file(),
            "{}: missing fixture {}",
            meta.code,
            path.display()
        );
    }
}
