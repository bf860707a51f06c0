//! NP008: an Ingress or a Gateway API route publishes workloads outside the cluster, rated by
//! how weak those workloads are.

use super::{NETWORK_POLICIES, NSA_NETWORK_SEPARATION};
use crate::engine::Sink;
use crate::finding::Finding;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::netpol::exposure::routed_exposures;
use crate::packs::workload::exposed_workload;
use palisade_model::{Inventory, Object};

pub struct ExposedThroughRoute;

pub static META: RuleMeta = RuleMeta {
    code: "NP008",
    name: "exposed-through-route",
    pack: Pack::Network,
    severity: Severity::Info,
    kinds: &[
        "Ingress",
        "HTTPRoute",
        "GRPCRoute",
        "TLSRoute",
        "ReferenceGrant",
        "Service",
        "<workload>",
    ],
    summary: "An Ingress or a Gateway API route publishes workloads outside the cluster.",
    rationale: "Each Ingress backend and each `backendRefs` entry of an HTTPRoute, GRPCRoute \
        or TLSRoute sends outside traffic to a Service and so to the workloads its selector \
        picks. Exposure is usually intended, so it is info on its own: a map of the attack \
        surface by workload identity. It becomes high when an exposed workload has a high or \
        critical finding of its own (privileged, host namespaces, a sensitive hostPath, a \
        dangerous capability): an exposed and weak workload is the first step from the \
        internet to the node (T1190, then T1611). Weakness is computed by running the \
        workload rules on the workload with their default severities, as WL040 does for \
        NodePort and LoadBalancer Services (which this rule leaves to WL040). A route's \
        reference to a Service in another namespace is followed only when a ReferenceGrant \
        there allows it; Ingress backends stay in the Ingress's namespace.",
    remediation: "Fix the high and critical findings of every workload reachable from outside, \
        put authentication in front of it, and remove backends that need not be public.",
    bad_example: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: admin\n  namespace: shop\nspec:\n  rules:\n  - host: admin.shop.example\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: admin\n            port:\n              number: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: admin\n  namespace: shop\nspec:\n  selector:\n    app: admin\n  ports:\n  - port: 80\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: admin\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: admin\n    spec:\n      containers:\n      - name: admin\n        image: registry.example/admin:1.0.0\n        securityContext:\n          privileged: true\n",
    good_example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: admin\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: admin\n    spec:\n      containers:\n      - name: admin\n        image: registry.example/admin:1.0.0\n        securityContext:\n          allowPrivilegeEscalation: false\n          capabilities:\n            drop: [ALL]\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Ingress",
            url: "https://kubernetes.io/docs/concepts/services-networking/ingress/",
        },
        Reference {
            title: "Gateway API: HTTPRoute",
            url: "https://gateway-api.sigs.k8s.io/api-types/httproute/",
        },
        Reference {
            title: "Gateway API: ReferenceGrant",
            url: "https://gateway-api.sigs.k8s.io/api-types/referencegrant/",
        },
        NETWORK_POLICIES,
        NSA_NETWORK_SEPARATION,
        Reference {
            title: "MITRE ATT&CK T1190: Exploit Public-Facing Application",
            url: "https://attack.mitre.org/techniques/T1190/",
        },
        Reference {
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
    ],
};

/// The most severe high or critical finding the workload rules report on `object`.
pub fn weakness(object: &Object, sink: &Sink<'_>) -> Option<Finding> {
    exposed_workload::weakness(object, sink)
}

impl Rule for ExposedThroughRoute {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_object_findings(&self) -> bool {
        true
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let network = sink.network(inventory);
        for exposure in routed_exposures(inventory, &network) {
            let via = format!(
                "{} `{}` ({})",
                exposure.via.kind(),
                exposure.via.name(),
                exposure.entry
            );
            let service = format!(
                "Service `{}/{}`",
                exposure.service_namespace, exposure.service_name
            );
            let mut weak = Vec::new();
            let names: Vec<String> = exposure
                .workloads
                .iter()
                .map(|&i| {
                    let workload = &network.workloads[i];
                    let name = format!("{} `{}`", workload.kind, workload.id());
                    if let Some(finding) = weakness(workload.object, sink) {
                        weak.push(format!(
                            "{name} has a {} finding ({} {}: {})",
                            finding.severity, finding.rule.code, finding.rule.name, finding.message
                        ));
                    }
                    name
                })
                .collect();
            let target = if !exposure.service_found {
                "which is not among the scanned objects".to_string()
            } else if names.is_empty() {
                "which selects no scanned workload".to_string()
            } else {
                format!("and exposes {} outside the cluster", names.join(", "))
            };
            let mut message = format!("{via} routes to {service} {target}");
            if !weak.is_empty() {
                message.push_str(", and ");
                message.push_str(&weak.join("; "));
            }
            let finding = sink.report(exposure.via, exposure.path, message);
            if !weak.is_empty() {
                finding.severity = Severity::High;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::network::test_support::run_yaml;

    const WORKLOADS: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: back}\nspec: {type: LoadBalancer, selector: {app: api}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: back}\nspec: {template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: x}]}}}\n---\n";

    #[test]
    fn ingress_and_routes_resolve_to_workloads() {
        let text = format!(
            "{WORKLOADS}apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: web, namespace: shop}}\nspec:\n  rules: [{{host: shop.example, http: {{paths: [{{path: /, backend: {{service: {{name: web, port: {{number: 80}}}}}}}}]}}}}]\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: api, namespace: shop}}\nspec:\n  rules:\n  - backendRefs: [{{name: api, namespace: back, port: 80}}, {{name: missing, port: 80}}]\n"
        );
        let findings = run_yaml(&ExposedThroughRoute, &text);
        let found: Vec<(&str, &str, Severity)> = findings
            .iter()
            .map(|f| (f.object.name.as_str(), f.path.as_str(), f.severity))
            .collect();
        // The cross-namespace reference has no ReferenceGrant: not followed.
        assert_eq!(
            found,
            [
                ("web", "/spec/rules/0/http/paths/0/backend", Severity::High),
                ("api", "/spec/rules/0/backendRefs/1", Severity::Info),
            ]
        );
        assert!(findings[0].message.contains("WL001"));
        assert!(
            findings[1]
                .message
                .contains("not among the scanned objects")
        );

        let granted = format!(
            "{text}---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {{name: g, namespace: back}}\nspec:\n  from: [{{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}}]\n  to: [{{group: '', kind: Service}}]\n"
        );
        let findings = run_yaml(&ExposedThroughRoute, &granted);
        assert!(
            findings
                .iter()
                .any(|f| f.path == "/spec/rules/0/backendRefs/0"
                    && f.message.contains("Deployment `back/api`")
                    && f.severity == Severity::Info)
        );
    }
}
