//! DP002: the object uses an API version the target Kubernetes version deprecates.

use super::table::{self, Status};
use crate::engine::Sink;
use crate::meta::{Pack, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct DeprecatedApi;

pub static META: RuleMeta = RuleMeta {
    code: "DP002",
    name: "deprecated-api",
    pack: Pack::Deprecations,
    severity: Severity::Low,
    kinds: &["*"],
    summary: "The object's `apiVersion` is deprecated in the target Kubernetes version \
        (`--kubernetes-version`, default the newest version Palisade knows) and will be \
        removed in a later one.",
    rationale: "A deprecated API version still works, but it is scheduled for removal: once \
        the cluster is upgraded to the removal version the API server rejects the manifest \
        and deployments fail. Migrating while both versions are served is cheap and can be \
        tested; migrating after the upgrade happens under pressure. The API server already \
        returns a warning for every request that uses a deprecated version.",
    remediation: "Change `apiVersion` to the replacement named in the finding before upgrading \
        to the removal version, and migrate the fields that changed between versions.",
    bad_example: "apiVersion: batch/v1beta1   # with --kubernetes-version 1.24\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: report\n            image: registry.example/report:2.1.0\n",
    good_example: "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: report\n            image: registry.example/report:2.1.0\n",
    pss: &[],
    references: super::API_CURRENCY_REFERENCES,
};

impl Rule for DeprecatedApi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let target = table::target_minor(sink.context());
        let Some(entry) = table::find(&object.reference.api_version, object.kind()) else {
            return;
        };
        if entry.status(target) != Status::Deprecated {
            return;
        }
        let removal = match entry.removed_in {
            Some(removed) => format!("will be removed in 1.{removed}"),
            None => "its removal is not scheduled yet".to_string(),
        };
        let advice = entry.advice(target);
        let message = format!(
            "`{}` {} is deprecated since Kubernetes 1.{} and {removal}: {advice}",
            entry.api_version,
            object.kind(),
            entry.deprecated_in
        );
        let remediation = match entry.replacement_at(target) {
            Some(replacement) if replacement.since <= target => format!(
                "Change `apiVersion` to `{}` and migrate the fields that changed (see the \
                 Kubernetes deprecated API migration guide).",
                replacement.api_version
            ),
            Some(replacement) => format!(
                "Plan the move to `{}` together with the upgrade to Kubernetes 1.{}.",
                replacement.api_version, replacement.since
            ),
            None => format!("Plan to remove the object and {advice}."),
        };
        sink.report(object, "/apiVersion", message)
            .with_remediation(remediation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Context, check_with};
    use crate::finding::Finding;
    use palisade_model::Value;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(api_version: &str, kind: &str, target: Option<u32>) -> Vec<Finding> {
        let value: Value =
            value!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}});
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        let context = Context {
            kubernetes_minor: target,
            ..Context::default()
        };
        check_with(&Inventory::new(vec![object]), &[&DeprecatedApi], &context)
    }

    #[test]
    fn pdb_deprecated_before_removal() {
        let findings = run("policy/v1beta1", "PodDisruptionBudget", Some(24));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].path, "/apiVersion");
        let message = &findings[0].message;
        assert!(message.contains("removed in 1.25"), "{message}");
        assert!(message.contains("`policy/v1`"), "{message}");
        // Removed is DP001's business, not yet deprecated is nobody's.
        assert!(run("policy/v1beta1", "PodDisruptionBudget", Some(25)).is_empty());
        assert!(run("policy/v1beta1", "PodDisruptionBudget", Some(20)).is_empty());
    }

    #[test]
    fn cronjob_and_hpa_replacements() {
        assert_eq!(run("batch/v1beta1", "CronJob", Some(24)).len(), 1);
        // autoscaling/v2 arrives in 1.23; a 1.22 target is told to use v2beta2.
        let findings = run("autoscaling/v2beta1", "HorizontalPodAutoscaler", Some(22));
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("`autoscaling/v2beta2`"));
    }

    #[test]
    fn unscheduled_removal_and_unknown_kinds() {
        let findings = run("storage.k8s.io/v1beta1", "VolumeAttributesClass", None);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("not scheduled"));
        assert!(run("example.com/v1alpha1", "Widget", Some(30)).is_empty());
        assert!(run("batch/v1", "CronJob", Some(30)).is_empty());
    }
}
