//! TN008: an object lacks the labels that say what it is and who owns it.

use super::{describe, is_generated, is_system_namespace, labels_or_metadata, list};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::{Map, Value};

pub struct MissingOwnershipLabels;

pub static META: RuleMeta = RuleMeta {
    code: "TN008",
    name: "missing-ownership-labels",
    pack: Pack::Tenancy,
    severity: Severity::Low,
    kinds: &[
        "Namespace",
        "<workload>",
        "Service",
        "Ingress",
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "PersistentVolumeClaim",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
    ],
    summary: "An object lacks the labels that name its application and the team that owns it.",
    rationale: "In a shared cluster every object needs an owner who can be asked about it, \
        paged for it and held to fix what a scan finds. Objects that carry no application name \
        and no owner are the ones nobody patches, nobody dares to delete, and that cost \
        allocation, network policies and incident response cannot attribute. The rule \
        requires every label of `ownership.labels` (default `app.kubernetes.io/name`) and at \
        least one key of `ownership.owner-keys` (default `owner` or `team`) as a label or an \
        annotation, with a non-empty value. It looks at the objects teams write: Namespaces, \
        workloads, Services, Ingresses, ConfigMaps, Secrets, ServiceAccounts, \
        PersistentVolumeClaims, HorizontalPodAutoscalers, PodDisruptionBudgets and \
        NetworkPolicies. It skips objects created by a controller (with `ownerReferences`), \
        objects Kubernetes creates itself (the `default` ServiceAccount, the \
        `kube-root-ca.crt` ConfigMap, service account token and Helm release Secrets, the \
        `kubernetes` Service) and the system namespaces.",
    remediation: "Add the required labels (by default `app.kubernetes.io/name`) and an owner \
        label or annotation (by default `owner` or `team`) to the object's metadata; set them \
        once with Kustomize `labels` or Helm's common labels so every object gets them.",
    bad_example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n",
    good_example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n  labels:\n    app.kubernetes.io/name: web\n    team: storefront\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Recommended Labels",
            url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/",
        },
        Reference {
            title: "Kubernetes documentation: Labels and Selectors",
            url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/",
        },
        super::MULTI_TENANCY,
    ],
};

/// Kinds checked besides pod carriers.
const KINDS: [&str; 10] = [
    "Namespace",
    "Service",
    "Ingress",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "PersistentVolumeClaim",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
];

/// Objects Kubernetes or Helm create on their own, which no team labels.
fn is_created_by_kubernetes(object: &Object) -> bool {
    let name = object.name();
    match object.kind() {
        "Namespace" => name == "default" || is_system_namespace(name),
        "ServiceAccount" => name == "default",
        "ConfigMap" => name == "kube-root-ca.crt",
        "Service" => name == "kubernetes" && object.namespace() == Some("default"),
        "Secret" => object
            .get("/type")
            .and_then(Value::as_str)
            .is_some_and(|kind| {
                kind == "kubernetes.io/service-account-token" || kind.starts_with("helm.sh/release")
            }),
        _ => false,
    }
}

fn has(map: &Map, key: &str) -> bool {
    map.get(key)
        .and_then(Value::as_str)
        .is_some_and(|value| !value.trim().is_empty())
}

impl Rule for MissingOwnershipLabels {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        if !(KINDS.contains(&object.kind()) || sink.workload(object).is_some())
            || is_generated(object)
            || object.namespace().is_some_and(is_system_namespace)
            || is_created_by_kubernetes(object)
        {
            return;
        }
        let context = sink.context();
        let labels = object.labels();
        let missing: Vec<&str> = context
            .required_labels
            .iter()
            .map(String::as_str)
            .filter(|key| !has(labels, key))
            .collect();
        let owner_keys: Vec<&str> = context.owner_keys.iter().map(String::as_str).collect();
        let no_owner = !owner_keys.is_empty()
            && !owner_keys
                .iter()
                .any(|key| has(labels, key) || has(object.annotations(), key));
        if missing.is_empty() && !no_owner {
            return;
        }
        let mut problems = Vec::new();
        let mut fixes = Vec::new();
        if !missing.is_empty() {
            let noun = if missing.len() == 1 {
                "label"
            } else {
                "labels"
            };
            problems.push(format!("lacks the {noun} {}", list(&missing, "and")));
            fixes.push(format!("the {noun} {}", list(&missing, "and")));
        }
        if no_owner {
            let keys = list(&owner_keys, "or");
            problems.push(format!("names no owner (no {keys} label or annotation)"));
            fixes.push(format!("an owner as a {keys} label or annotation"));
        }
        let message = format!("{} {}", describe(object), problems.join(" and "));
        let remediation = format!(
            "Add {} to the metadata of {}.",
            fixes.join(" and "),
            describe(object)
        );
        sink.report(object, labels_or_metadata(object), message)
            .with_remediation(remediation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Context;
    use crate::packs::tenancy::test_support::{run, run_with, summary};
    use palisade_model::value;

    fn service(name: &str, labels: Value, annotations: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": name, "namespace": "shop",
                            "labels": labels, "annotations": annotations}})
    }

    #[test]
    fn one_finding_naming_what_is_missing() {
        let findings = run(
            &MissingOwnershipLabels,
            vec![
                value!({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "bare", "namespace": "shop"}}),
                service(
                    "no-owner",
                    value!({"app.kubernetes.io/name": "web"}),
                    value!({}),
                ),
                service("no-name", value!({"team": "storefront"}), value!({})),
                service(
                    "empty",
                    value!({"app.kubernetes.io/name": "web", "owner": ""}),
                    value!({}),
                ),
            ],
        );
        assert_eq!(
            summary(&findings),
            [
                "ConfigMap shop/bare /metadata",
                "Service shop/empty /metadata/labels",
                "Service shop/no-name /metadata/labels",
                "Service shop/no-owner /metadata/labels",
            ]
        );
        let message = |name: &str| {
            findings
                .iter()
                .find(|f| f.object.name == name)
                .map(|f| f.message.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            message("bare"),
            "ConfigMap `bare` lacks the label `app.kubernetes.io/name` and names no owner \
             (no `owner` or `team` label or annotation)"
        );
        assert_eq!(
            message("no-name"),
            "Service `no-name` lacks the label `app.kubernetes.io/name`"
        );
    }

    #[test]
    fn owner_annotation_generated_and_system_objects_are_fine() {
        let findings = run(
            &MissingOwnershipLabels,
            vec![
                service(
                    "ok",
                    value!({"app.kubernetes.io/name": "web"}),
                    value!({"owner": "a@b"}),
                ),
                value!({"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": "p", "namespace": "shop",
                                    "ownerReferences": [{"kind": "ReplicaSet", "name": "r"}]},
                       "spec": {"containers": [{"name": "c"}]}}),
                value!({"apiVersion": "v1", "kind": "ServiceAccount",
                       "metadata": {"name": "default", "namespace": "shop"}}),
                value!({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "kube-root-ca.crt", "namespace": "shop"}}),
                value!({"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                       "metadata": {"name": "sh.helm.release.v1.web.v1", "namespace": "shop"}}),
                value!({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "x", "namespace": "kube-system"}}),
                value!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}),
                value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                       "metadata": {"name": "r", "namespace": "shop"}}),
            ],
        );
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn follows_the_configured_keys() {
        let context = Context {
            required_labels: vec!["cost-center".into(), "app".into()],
            owner_keys: Vec::new(),
            ..Context::default()
        };
        let deployment = value!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}});
        let findings = run_with(&MissingOwnershipLabels, vec![deployment], &context);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "Deployment `web` lacks the label `cost-center`"
        );
        assert_eq!(
            findings[0].remediation(),
            "Add the label `cost-center` to the metadata of Deployment `web`."
        );
    }
}
