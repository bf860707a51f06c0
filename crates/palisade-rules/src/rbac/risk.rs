//! Which permissions are risky: the grants that let a subject read credentials, run code as
//! another identity, raise its own privileges or take over nodes and the control plane.
//! Shared by the `RB` rules, `palisade rbac can` and the escalation graph.

use super::PolicyRule;
use super::authorize::allows_some;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// `*` verbs on `*` resources in `*` groups: cluster-admin when bound cluster-wide.
    FullControl,
    SecretsRead,
    WorkloadWrite,
    PodExec,
    EscalateBindImpersonate,
    TokenCreate,
    NodeProxy,
    CsrApproveSign,
    WebhookWrite,
    PersistentVolumeCreate,
    Wildcard,
}

impl Risk {
    pub fn label(self) -> &'static str {
        match self {
            Self::FullControl => "has full control (every verb on every resource)",
            Self::SecretsRead => "reads secrets",
            Self::WorkloadWrite => "creates or changes pods or pod controllers",
            Self::PodExec => "execs, attaches or port-forwards into pods",
            Self::EscalateBindImpersonate => "raises privileges (escalate, bind or impersonate)",
            Self::TokenCreate => "requests service account tokens",
            Self::NodeProxy => "reaches the kubelet API through nodes/proxy",
            Self::CsrApproveSign => "approves or signs certificate requests",
            Self::WebhookWrite => "writes admission webhook configurations",
            Self::PersistentVolumeCreate => "creates persistent volumes",
            Self::Wildcard => "uses wildcards",
        }
    }
}

/// A risky permission found in one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskHit {
    pub risk: Risk,
    /// Verbs and resources that make it risky (`get,list secrets`).
    pub what: String,
    /// Only for the objects listed in `resourceNames`.
    pub named_only: bool,
}

/// Pod controllers: creating one runs pods.
pub const POD_CONTROLLERS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("", "podtemplates"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

/// Which of `verbs` the rule allows on `resource` in `group`, and whether only for named
/// objects.
fn verbs_on(rule: &PolicyRule, verbs: &[&str], group: &str, resource: &str) -> (Vec<String>, bool) {
    let mut allowed = Vec::new();
    let mut named = false;
    for verb in verbs {
        if let Some(only_named) = allows_some(rule, verb, group, resource) {
            allowed.push((*verb).to_string());
            named = only_named;
        }
    }
    (allowed, named)
}

fn hit(risk: Risk, verbs: &[String], what: &str, named_only: bool) -> RiskHit {
    RiskHit {
        risk,
        what: format!("{} {what}", verbs.join(",")),
        named_only,
    }
}

/// Whether the rule is `*` verbs on `*` resources of `*` groups for every name.
pub fn is_full_control(rule: &PolicyRule) -> bool {
    rule.verbs.iter().any(|v| v == "*")
        && rule.api_groups.iter().any(|g| g == "*")
        && rule.resources.iter().any(|r| r == "*")
        && rule.resource_names.is_empty()
}

/// The risky permissions in one rule.
pub fn classify(rule: &PolicyRule) -> Vec<RiskHit> {
    let mut hits = Vec::new();
    if !rule.non_resource_urls.is_empty() {
        return hits;
    }
    if is_full_control(rule) {
        hits.push(RiskHit {
            risk: Risk::FullControl,
            what: "* on */* (every verb, resource and API group)".to_string(),
            named_only: false,
        });
    }
    let (verbs, named) = verbs_on(rule, &["get", "list", "watch"], "", "secrets");
    if !verbs.is_empty() {
        hits.push(hit(Risk::SecretsRead, &verbs, "secrets", named));
    }
    let mut writes: Vec<String> = Vec::new();
    let mut writes_named = true;
    for (group, resource) in POD_CONTROLLERS {
        let (verbs, named) = verbs_on(rule, &["create", "update", "patch"], group, resource);
        if !verbs.is_empty() {
            writes.push(format!("{} {resource}", verbs.join(",")));
            writes_named &= named;
        }
    }
    if !writes.is_empty() {
        hits.push(RiskHit {
            risk: Risk::WorkloadWrite,
            what: writes.join("; "),
            named_only: writes_named,
        });
    }
    let mut exec = Vec::new();
    let mut exec_named = true;
    for sub in ["pods/exec", "pods/attach", "pods/portforward"] {
        // The websocket upgrade of exec and attach used to need only `get`.
        let (verbs, named) = verbs_on(rule, &["create", "get"], "", sub);
        if !verbs.is_empty() {
            exec.push(format!("{} {sub}", verbs.join(",")));
            exec_named &= named;
        }
    }
    if !exec.is_empty() {
        hits.push(RiskHit {
            risk: Risk::PodExec,
            what: exec.join("; "),
            named_only: exec_named,
        });
    }
    let rbac = "rbac.authorization.k8s.io";
    let mut power = Vec::new();
    let mut power_named = true;
    for resource in ["clusterroles", "roles"] {
        let (verbs, named) = verbs_on(rule, &["escalate", "bind"], rbac, resource);
        if !verbs.is_empty() {
            power.push(format!("{} {resource}", verbs.join(",")));
            power_named &= named;
        }
    }
    for resource in ["users", "groups", "serviceaccounts", "uids", "userextras/*"] {
        let (group, resource) = match resource {
            "users" | "groups" | "serviceaccounts" => ("", resource),
            _ => ("authentication.k8s.io", resource),
        };
        if resource == "userextras/*" {
            continue;
        }
        let (verbs, named) = verbs_on(rule, &["impersonate"], group, resource);
        if !verbs.is_empty() {
            power.push(format!("impersonate {resource}"));
            power_named &= named;
        }
    }
    if !power.is_empty() {
        hits.push(RiskHit {
            risk: Risk::EscalateBindImpersonate,
            what: power.join("; "),
            named_only: power_named,
        });
    }
    let (verbs, named) = verbs_on(rule, &["create"], "", "serviceaccounts/token");
    if !verbs.is_empty() {
        hits.push(hit(
            Risk::TokenCreate,
            &verbs,
            "serviceaccounts/token",
            named,
        ));
    }
    let (verbs, named) = verbs_on(rule, &["get", "create"], "", "nodes/proxy");
    if !verbs.is_empty() {
        hits.push(hit(Risk::NodeProxy, &verbs, "nodes/proxy", named));
    }
    // Approval needs `update` on the approval subresource and `approve` on a signer, signing
    // `update` on the status subresource and `sign`; roles usually split each pair over two
    // rules, so each half is reported where it is written.
    let certificates = "certificates.k8s.io";
    let mut csr = Vec::new();
    let mut csr_named = true;
    for (verbs, resource) in [
        (
            &["update", "patch"][..],
            "certificatesigningrequests/approval",
        ),
        (&["approve", "sign"][..], "signers"),
    ] {
        let (allowed, named) = verbs_on(rule, verbs, certificates, resource);
        if !allowed.is_empty() {
            csr.push(format!("{} {resource}", allowed.join(",")));
            csr_named &= named;
        }
    }
    if !csr.is_empty() {
        hits.push(RiskHit {
            risk: Risk::CsrApproveSign,
            what: csr.join("; "),
            named_only: csr_named,
        });
    }
    let mut webhooks = Vec::new();
    let mut webhooks_named = true;
    for resource in [
        "mutatingwebhookconfigurations",
        "validatingwebhookconfigurations",
    ] {
        let (verbs, named) = verbs_on(
            rule,
            &["create", "update", "patch", "delete"],
            "admissionregistration.k8s.io",
            resource,
        );
        if !verbs.is_empty() {
            webhooks.push(format!("{} {resource}", verbs.join(",")));
            webhooks_named &= named;
        }
    }
    if !webhooks.is_empty() {
        hits.push(RiskHit {
            risk: Risk::WebhookWrite,
            what: webhooks.join("; "),
            named_only: webhooks_named,
        });
    }
    let (verbs, named) = verbs_on(rule, &["create"], "", "persistentvolumes");
    if !verbs.is_empty() {
        hits.push(hit(
            Risk::PersistentVolumeCreate,
            &verbs,
            "persistentvolumes",
            named,
        ));
    }
    let wild_verbs = rule.verbs.iter().any(|v| v == "*");
    let wild_resources = rule.resources.iter().any(|r| r == "*");
    if (wild_verbs || wild_resources) && !is_full_control(rule) {
        let mut parts = Vec::new();
        if wild_verbs {
            parts.push("verbs *");
        }
        if wild_resources {
            parts.push("resources *");
        }
        if rule.api_groups.iter().any(|g| g == "*") {
            parts.push("apiGroups *");
        }
        hits.push(RiskHit {
            risk: Risk::Wildcard,
            what: parts.join(", "),
            named_only: !rule.resource_names.is_empty(),
        });
    }
    hits
}
