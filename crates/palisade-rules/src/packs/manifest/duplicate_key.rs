//! MF001: a mapping key appears twice, so one of its values is silently ignored.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::{Object, Span, pointer};

pub struct DuplicateKey;

pub static META: RuleMeta = RuleMeta {
    code: "MF001",
    name: "duplicate-key",
    pack: Pack::Manifest,
    severity: Severity::Medium,
    kinds: &["*"],
    summary: "A key appears twice in the same mapping, so one of its values is silently ignored.",
    rationale: "YAML requires the keys of a mapping to be unique, but most tools that apply \
        manifests do not enforce it: the YAML-to-JSON conversion in kubectl and Helm keeps the \
        last value and drops the first without a word, and the API server accepts the result \
        (stricter tools such as kustomize reject the file instead). What a reviewer reads is \
        then not what runs. A `privileged: false` near the top of a container can be \
        overridden by a `privileged: true` further down, a second `image:` can swap the \
        reviewed image, and scanners or policies that read the first value pass a manifest \
        that the cluster runs differently. Even when it is an honest mistake from a merge or a \
        template, one of the two values is a setting someone expected to apply.",
    remediation: "Keep a single occurrence of the key with the value you intend, and delete \
        the other.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    privileged: false\n    runAsNonRoot: true\n    privileged: true\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    privileged: false\n    runAsNonRoot: true\n",
    pss: &[],
    references: &[
        Reference {
            title: "YAML 1.2.2 §3.2.1.1: the keys of a mapping are unique",
            url: "https://yaml.org/spec/1.2.2/#3211-nodes",
        },
        Reference {
            title: "Kubernetes API concepts: field validation (duplicate fields)",
            url: "https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation",
        },
        Reference {
            title: "kubernetes/kubernetes#89303: the API server accepts a pod spec with \
                duplicate keys and keeps the last value",
            url: "https://github.com/kubernetes/kubernetes/issues/89303",
        },
        Reference {
            title: "CWE-694: Use of Multiple Resources with Duplicate Identifier",
            url: "https://cwe.mitre.org/data/definitions/694.html",
        },
    ],
};

/// "lines 12 and 15", or "line 4, columns 9 and 20" for a flow mapping on one line.
fn positions(first: Span, second: Span) -> String {
    if first.line == second.line {
        format!(
            "line {}, columns {} and {}",
            first.line, first.column, second.column
        )
    } else {
        format!("lines {} and {}", first.line, second.line)
    }
}

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        for duplicate in &object.duplicates {
            let key = pointer::segments(&duplicate.pointer)
                .last()
                .unwrap_or_default();
            let ignored = if duplicate.first.line == duplicate.second.line {
                format!("at column {}", duplicate.first.column)
            } else {
                format!("on line {}", duplicate.first.line)
            };
            let message = format!(
                "`{key}` is set twice ({}); Kubernetes uses the last value, so the value \
                 {ignored} is ignored",
                positions(duplicate.first, duplicate.second)
            );
            let finding = sink.report(object, duplicate.pointer.clone(), message);
            // Point at the used (second) key explicitly rather than rely on how the position
            // tree resolves a duplicated key.
            finding.location = Some(object.location_at(duplicate.second));
            finding.related.push((
                "first occurrence (ignored)".to_string(),
                object.location_at(duplicate.first),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use palisade_model::value;
    use palisade_model::{DuplicateKey as Duplicate, Inventory, PositionTree};

    fn object_with(duplicates: Vec<Duplicate>) -> Object {
        let mut object = Object::new(
            value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                   "spec": {"containers": [{"name": "a",
                            "securityContext": {"privileged": true}}]}}),
            "t.yaml".into(),
            0,
            PositionTree::default(),
        );
        object.duplicates = duplicates;
        object
    }

    #[test]
    fn reports_the_used_key_and_relates_the_ignored_one() {
        let object = object_with(vec![Duplicate {
            pointer: "/spec/containers/0/securityContext/privileged".into(),
            first: Span::new(12, 9),
            second: Span::new(15, 9),
        }]);
        let findings = check(&Inventory::new(vec![object]), &[&DuplicateKey]);
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(
            finding.message,
            "`privileged` is set twice (lines 12 and 15); Kubernetes uses the last value, so \
             the value on line 12 is ignored"
        );
        assert_eq!(
            finding.path,
            "/spec/containers/0/securityContext/privileged"
        );
        let location = finding.location.as_ref().expect("location");
        assert_eq!((location.line, location.column), (15, 9));
        assert_eq!(finding.related.len(), 1);
        assert_eq!(finding.related[0].0, "first occurrence (ignored)");
        assert_eq!(
            (finding.related[0].1.line, finding.related[0].1.column),
            (12, 9)
        );
    }

    #[test]
    fn same_line_and_escaped_keys() {
        let object = object_with(vec![Duplicate {
            pointer: "/metadata/labels/app.kubernetes.io~1name".into(),
            first: Span::new(4, 12),
            second: Span::new(4, 40),
        }]);
        let findings = check(&Inventory::new(vec![object]), &[&DuplicateKey]);
        assert_eq!(
            findings[0].message,
            "`app.kubernetes.io/name` is set twice (line 4, columns 12 and 40); Kubernetes uses \
             the last value, so the value at column 12 is ignored"
        );
    }

    #[test]
    fn one_finding_per_duplicate_and_none_without() {
        let object = object_with(vec![
            Duplicate {
                pointer: "/kind".into(),
                first: Span::new(1, 1),
                second: Span::new(2, 1),
            },
            Duplicate {
                pointer: "/spec".into(),
                first: Span::new(5, 1),
                second: Span::new(9, 1),
            },
        ]);
        assert_eq!(
            check(&Inventory::new(vec![object]), &[&DuplicateKey]).len(),
            2
        );
        assert!(check(&Inventory::new(vec![object_with(vec![])]), &[&DuplicateKey]).is_empty());
    }
}
