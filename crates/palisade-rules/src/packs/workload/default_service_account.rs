//! WL033: the pod runs as its namespace's `default` service account.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{Object, Workload};

pub struct DefaultServiceAccount;

pub static META: RuleMeta = RuleMeta {
    code: "WL033",
    name: "default-service-account",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "The pod runs as its namespace's `default` service account instead of a dedicated \
        one.",
    rationale: "Every namespace has a `default` service account and every pod that names no \
        other runs as it, so it is the identity shared by everything unconfigured in the \
        namespace. A permission granted to it for one workload (a chart that binds `default`, \
        a quick fix to make a job work) is granted to all of them, and audit logs cannot tell \
        the workloads apart. A dedicated service account per workload keeps its permissions \
        and its audit trail its own. The pod runs as `default` when `serviceAccountName` is \
        unset, empty or `default` (the deprecated `serviceAccount` field is read too). Not \
        reported when the pod sets `automountServiceAccountToken: false` and projects no \
        service account token: without a token the identity cannot be used from inside the \
        pod (kube-linter's `default-service-account` reports these too). Low: a hardening gap; \
        WL032 service-account-token-automounted reports the token itself.",
    remediation: "Create a ServiceAccount for the workload, set `serviceAccountName` to it, and \
        grant it only the permissions the workload needs (none, for most applications).",
    bad_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  serviceAccountName: shop-web\n  automountServiceAccountToken: false\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.5: Ensure that default service accounts are \
                not actively used",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Service account tokens",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "Kubernetes documentation: Configure Service Accounts for Pods",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
        },
    ],
};

/// The service account a pod runs as, and the pointer of the field naming it (if any).
pub(crate) fn service_account<'a>(workload: &Workload<'a>) -> (&'a str, Option<String>) {
    for field in ["serviceAccountName", "serviceAccount"] {
        if let Some(name) = workload
            .pod_spec
            .get(field)
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            return (name, Some(workload.spec_path(field)));
        }
    }
    ("default", None)
}

/// Whether the pod mounts a service account token through a projected volume.
fn projects_token(workload: &Workload<'_>) -> bool {
    workload
        .pod_spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("projected")?.get("sources")?.as_array())
        .flatten()
        .any(|source| source.get("serviceAccountToken").is_some())
}

impl Rule for DefaultServiceAccount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        let (name, field) = service_account(&workload);
        if name != "default" {
            return;
        }
        let no_token = workload.pod_spec.get("automountServiceAccountToken")
            == Some(&Value::Bool(false))
            && !projects_token(&workload);
        if no_token {
            return;
        }
        let (path, how) = match field {
            Some(path) => (path, "names the `default` service account"),
            None => (
                workload.pod_spec_path.to_string(),
                "names no service account, so it runs as `default`",
            ),
        };
        sink.report(
            object,
            path,
            format!("the pod {how}, the identity shared by every such pod in its namespace"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(spec: Value) -> Vec<Finding> {
        let object = Object::new(
            value!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                   "spec": {"template": {"spec": spec}}}),
            "t.yaml".into(),
            0,
            PositionTree::default(),
        );
        check(&Inventory::new(vec![object]), &[&DefaultServiceAccount])
    }

    #[test]
    fn unset_empty_or_default_is_reported() {
        let paths =
            |spec| -> Vec<String> { run(spec).into_iter().map(|f| f.path.to_string()).collect() };
        let containers = value!([{"name": "a"}]);
        assert_eq!(
            paths(value!({"containers": containers})),
            ["/spec/template/spec"]
        );
        assert_eq!(
            paths(value!({"serviceAccountName": "", "containers": containers})),
            ["/spec/template/spec"]
        );
        assert_eq!(
            paths(value!({"serviceAccountName": "default", "containers": containers})),
            ["/spec/template/spec/serviceAccountName"]
        );
        assert_eq!(
            paths(value!({"serviceAccount": "default", "containers": containers})),
            ["/spec/template/spec/serviceAccount"]
        );
        // A projected token gives the pod a credential despite automount being off.
        assert_eq!(
            paths(
                value!({"automountServiceAccountToken": false, "containers": containers,
                "volumes": [{"name": "t", "projected": {"sources": [
                    {"serviceAccountToken": {"path": "token"}}]}}]})
            ),
            ["/spec/template/spec"]
        );
    }

    #[test]
    fn dedicated_or_tokenless_is_fine() {
        let containers = value!([{"name": "a"}]);
        assert!(run(value!({"serviceAccountName": "web", "containers": containers})).is_empty());
        assert!(run(value!({"serviceAccount": "web", "containers": containers})).is_empty());
        assert!(
            run(value!({"automountServiceAccountToken": false, "containers": containers}))
                .is_empty()
        );
    }
}
