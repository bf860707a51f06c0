//! Helpers every renderer uses: one stable order for findings, the wording of exceptions and
//! counts, and a path-to-URI conversion, so the formats agree with each other.

use palisade_model::intern::Str;
use palisade_model::{Location, ObjectRef};
use palisade_rules::settings::{Exception, SuppressedBy};
use palisade_rules::{Finding, RuleMeta};
use rayon::slice::ParallelSliceMut;
use std::cmp::Ordering;

/// Findings without a location sort after located ones.
fn compare_locations(a: Option<&Location>, b: Option<&Location>) -> Ordering {
    match (a, b) {
        // As `Location`'s own order, without comparing the text of a file shared by both.
        (Some(a), Some(b)) => {
            let file = if Str::ptr_eq(&a.file, &b.file) {
                Ordering::Equal
            } else {
                a.file.cmp(&b.file)
            };
            file.then(a.line.cmp(&b.line))
                .then(a.column.cmp(&b.column))
                .then_with(|| a.template.cmp(&b.template))
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// File, line, column, rule, object, field, then the message: a total order over what is
/// printed, so ties cannot depend on the engine's scheduling.
pub(crate) fn compare_findings(a: &Finding, b: &Finding) -> Ordering {
    compare_locations(a.location.as_ref(), b.location.as_ref())
        .then_with(|| a.rule.code.cmp(b.rule.code))
        .then_with(|| {
            if std::sync::Arc::ptr_eq(&a.object, &b.object) {
                Ordering::Equal
            } else {
                a.object.cmp(&b.object)
            }
        })
        .then_with(|| a.path.cmp(&b.path))
        .then_with(|| a.message.cmp(&b.message))
        .then_with(|| a.container.cmp(&b.container))
        .then_with(|| b.severity.cmp(&a.severity))
}

/// The items in report order. The sort is stable, and sorts large reports on every thread.
pub(crate) fn sorted<'a, T: Sync + 'a>(
    items: impl IntoIterator<Item = &'a T>,
    finding: impl Fn(&T) -> &Finding + Sync,
) -> Vec<&'a T> {
    let mut sorted: Vec<&T> = items.into_iter().collect();
    sorted.par_sort_by(|a, b| compare_findings(finding(a), finding(b)));
    sorted
}

/// `1 finding`, `2 findings`.
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

/// What an exception covers: `WL001 on kube-system/*`, `every rule on Deployment */web`.
pub(crate) fn exception_scope(exception: &Exception) -> String {
    let rule = exception.rule.as_deref().unwrap_or("every rule");
    let mut target = Vec::new();
    if let Some(kind) = &exception.kind {
        target.push(kind.clone());
    }
    if exception.namespace.is_some() || exception.name.is_some() {
        target.push(format!(
            "{}/{}",
            exception.namespace.as_deref().unwrap_or("*"),
            exception.name.as_deref().unwrap_or("*")
        ));
    }
    if let Some(container) = &exception.container {
        target.push(format!("container {container}"));
    }
    if target.is_empty() {
        format!("{rule} on every object")
    } else {
        format!("{rule} on {}", target.join(" "))
    }
}

/// The sentence printed for an expired exception.
pub(crate) fn expired_sentence(exception: &Exception, matched: usize) -> String {
    format!(
        "exception for {} (owner: {}) expired on {}; it no longer applies (would match {})",
        exception_scope(exception),
        exception.owner,
        exception.expires,
        plural(matched, "finding", "findings")
    )
}

/// Why a finding was suppressed, in one line.
pub(crate) fn suppression_sentence(by: &SuppressedBy) -> String {
    match by {
        SuppressedBy::Exception(exception) => format!(
            "suppressed by exception for {} (owner: {}, expires {}): {}",
            exception_scope(exception),
            exception.owner,
            exception.expires,
            exception.reason
        ),
        SuppressedBy::Inline { reason } => format!(
            "suppressed by the object's {} annotation: {}",
            palisade_rules::settings::IGNORE_ANNOTATION,
            reason.as_deref().unwrap_or("no reason given")
        ),
        SuppressedBy::Profile(profile) => {
            format!("not applicable under the `{profile}` profile")
        }
    }
}

/// `Deployment/shop/web`, `ClusterRole/admin`.
pub(crate) fn qualified_name(object: &ObjectRef) -> String {
    match &object.namespace {
        Some(namespace) => format!("{}/{}/{}", object.kind, namespace, object.name),
        None => format!("{}/{}", object.kind, object.name),
    }
}

/// The rules referenced by findings but missing from the rules that ran are added, so every
/// finding has a rule to point at. Sorted by code.
pub(crate) fn rules_for<'a>(
    ran: impl IntoIterator<Item = &'static RuleMeta>,
    findings: impl IntoIterator<Item = &'a Finding>,
) -> Vec<&'static RuleMeta> {
    let mut rules: Vec<&'static RuleMeta> = ran.into_iter().collect();
    rules.extend(findings.into_iter().map(|f| f.rule));
    rules.sort_by_key(|r| r.code);
    rules.dedup_by_key(|r| r.code);
    rules
}

/// The rule's section of the rules reference (`docs/rules.md`) in the project's repository:
/// the SARIF rule's `helpUri` and the JSON rule's `docsUrl`.
pub(crate) fn rule_docs_url(rule: &RuleMeta) -> String {
    format!(
        "{}/blob/main/docs/rules.md#{}",
        env!("CARGO_PKG_REPOSITORY"),
        rule.code.to_ascii_lowercase()
    )
}

/// A file path as a URI reference: forward slashes, percent-encoded where needed; absolute
/// paths become `file://` URIs. The flag says whether the result is relative.
pub(crate) fn path_to_uri(path: &str) -> (String, bool) {
    let path = path.replace('\\', "/");
    let bytes = path.as_bytes();
    let windows_drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if windows_drive {
        let (drive, rest) = path.split_at(1);
        let rest = rest.get(1..).unwrap_or_default();
        return (format!("file:///{drive}:{}", encode_path(rest)), false);
    }
    if path.starts_with('/') {
        return (format!("file://{}", encode_path(&path)), false);
    }
    let mut relative = path.as_str();
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest;
    }
    (encode_path(relative), true)
}

fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        // A colon is encoded too: in a relative reference it would read as a scheme.
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// FNV-1a, 64 bits: a hash that never changes between builds or platforms.
pub(crate) fn stable_hash(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            path_to_uri("./deploy/web app.yaml"),
            ("deploy/web%20app.yaml".into(), true)
        );
        assert_eq!(
            path_to_uri("deploy\\web.yaml"),
            ("deploy/web.yaml".into(), true)
        );
        assert_eq!(
            path_to_uri("/srv/a.yaml"),
            ("file:///srv/a.yaml".into(), false)
        );
        assert_eq!(
            path_to_uri("C:\\k8s\\a.yaml"),
            ("file:///C:/k8s/a.yaml".into(), false)
        );
        assert_eq!(path_to_uri("<stdin>"), ("%3Cstdin%3E".into(), true));
        assert_eq!(path_to_uri("a:b.yaml"), ("a%3Ab.yaml".into(), true));
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(stable_hash(&[]), "cbf29ce484222325");
        assert_ne!(stable_hash(&["ab", "c"]), stable_hash(&["a", "bc"]));
    }

    #[test]
    fn scopes() {
        let exception = Exception {
            rule: Some("WL001".into()),
            namespace: Some("kube-system".into()),
            ..Exception::default()
        };
        assert_eq!(exception_scope(&exception), "WL001 on kube-system/*");
        assert_eq!(
            exception_scope(&Exception::default()),
            "every rule on every object"
        );
    }
}
