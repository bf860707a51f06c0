//! DP001: the object uses an API version the target Kubernetes version no longer serves.

use super::table::{self, Status};
use crate::engine::Sink;
use crate::meta::{Pack, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct RemovedApi;

pub static META: RuleMeta = RuleMeta {
    code: "DP001",
    name: "removed-api",
    pack: Pack::Deprecations,
    severity: Severity::High,
    kinds: &["*"],
    summary: "The object's `apiVersion` is no longer served by the target Kubernetes version \
        (`--kubernetes-version`, default the newest version Palisade knows).",
    rationale: "Kubernetes removes beta and alpha API versions some releases after their \
        replacement ships. From the removal on, the API server rejects create and update \
        requests for the old `apiVersion`: a manifest, Helm chart or GitOps repository that \
        still uses it stops deploying as soon as the cluster is upgraded, often in the middle \
        of an incident or a security patch. Security controls are affected too: \
        PodSecurityPolicy objects silently stop applying after 1.25, and webhook \
        configurations or CRDs written for removed versions cannot be installed, leaving \
        admission checks missing.",
    remediation: "Change `apiVersion` to the replacement named in the finding and migrate the \
        fields that changed between versions (the Kubernetes deprecated API migration guide \
        lists them per kind); `kubectl convert` can do most of the rewrite.",
    bad_example: "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n",
    good_example: "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n",
    pss: &[],
    references: super::API_CURRENCY_REFERENCES,
};

impl Rule for RemovedApi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let target = table::target_minor(sink.context());
        let Some(entry) = table::find(&object.reference.api_version, object.kind()) else {
            return;
        };
        if entry.status(target) != Status::Removed {
            return;
        }
        let removed = entry.removed_in.unwrap_or(target);
        let advice = entry.advice(target);
        let message = format!(
            "`{}` {} is no longer served as of Kubernetes 1.{removed} (deprecated in 1.{}), so the \
             API server of the target 1.{target} rejects it: {advice}",
            entry.api_version,
            object.kind(),
            entry.deprecated_in
        );
        let remediation = match entry.replacement_at(target) {
            Some(replacement) => format!(
                "Change `apiVersion` to `{}` and migrate the fields that changed (see the \
                 Kubernetes deprecated API migration guide).",
                replacement.api_version
            ),
            None => format!("Remove the object and {advice}."),
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

    fn run(rule: &'static dyn Rule, value: Value, target: Option<u32>) -> Vec<Finding> {
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        let context = Context {
            kubernetes_minor: target,
            ..Context::default()
        };
        check_with(&Inventory::new(vec![object]), &[rule], &context)
    }

    fn object(api_version: &str, kind: &str) -> Value {
        value!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}})
    }

    #[test]
    fn pdb_removed_in_1_25() {
        let findings = run(
            &RemovedApi,
            object("policy/v1beta1", "PodDisruptionBudget"),
            Some(25),
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].path, "/apiVersion");
        assert!(
            findings[0].message.contains("`policy/v1`"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].message.contains("as of Kubernetes 1.25"));
        assert!(
            run(
                &RemovedApi,
                object("policy/v1beta1", "PodDisruptionBudget"),
                Some(24)
            )
            .is_empty()
        );
    }

    #[test]
    fn cronjob_and_flowcontrol() {
        assert_eq!(
            run(&RemovedApi, object("batch/v1beta1", "CronJob"), Some(25)).len(),
            1
        );
        assert!(run(&RemovedApi, object("batch/v1beta1", "CronJob"), Some(24)).is_empty());
        let flow = object("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema");
        assert_eq!(run(&RemovedApi, flow.clone(), Some(32)).len(), 1);
        assert!(run(&RemovedApi, flow.clone(), Some(31)).is_empty());
        // The default target is the newest known version.
        assert_eq!(run(&RemovedApi, flow, None).len(), 1);
    }

    #[test]
    fn psp_says_what_to_do_instead() {
        let findings = run(
            &RemovedApi,
            object("policy/v1beta1", "PodSecurityPolicy"),
            Some(25),
        );
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("Pod Security Admission"));
        assert!(
            findings[0]
                .remediation
                .as_deref()
                .is_some_and(|r| r.starts_with("Remove the object") && r.ends_with('.'))
        );
    }

    #[test]
    fn unknown_and_current_kinds_pass() {
        assert!(run(&RemovedApi, object("example.com/v1beta1", "Widget"), None).is_empty());
        assert!(run(&RemovedApi, object("apps/v1", "Deployment"), None).is_empty());
        assert!(run(&RemovedApi, object("v1", "ConfigMap"), None).is_empty());
        assert!(run(&RemovedApi, value!({"kind": "CronJob"}), None).is_empty());
    }
}
