//! WL040: a Service exposes workloads outside the cluster (NodePort, LoadBalancer or
//! externalIPs), rated by how weak the workloads it selects are.

use crate::engine::Sink;
use crate::finding::Finding;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::registry::all_rules;
use palisade_model::Value;
use palisade_model::{Inventory, LabelSelector, Object};

pub struct ExposedWorkload;

pub static META: RuleMeta = RuleMeta {
    code: "WL040",
    name: "exposed-workload",
    pack: Pack::Workload,
    severity: Severity::Info,
    kinds: &["Service", "<workload>"],
    summary: "A Service of type NodePort or LoadBalancer, or with `externalIPs`, exposes \
        workloads outside the cluster.",
    rationale: "A NodePort opens the port on every node's address, a LoadBalancer puts it on a \
        cloud load balancer that is often reachable from the internet, and `externalIPs` make \
        every node accept traffic for the listed addresses (and let whoever can set them \
        intercept traffic meant for those addresses, CVE-2020-8554). Exposure is often \
        intended, so it is info on its own: a map of the attack surface. It becomes high when \
        a workload the Service selects has a high or critical finding of its own (privileged, \
        host namespaces, a sensitive hostPath, a dangerous capability): an exposed and weak \
        workload is the first step from the internet to the node (T1190, then T1611). The \
        Service's plain `selector` is matched against the pod template labels of workloads in \
        its namespace among the scanned objects; a Service without a selector selects \
        nothing. A workload's weakness is computed by running the other workload rules on it \
        with their default severities, so severity overrides and exceptions in the \
        configuration do not change it. Ingress and Gateway routes to ClusterIP Services are \
        not followed. Peers report NodePort Services (kube-linter's `exposed-services`) but do \
        not join them to the workloads behind them.",
    remediation: "Keep workloads internal with a `ClusterIP` Service and publish them through an \
        Ingress or Gateway with TLS and authentication; restrict a LoadBalancer with \
        `loadBalancerSourceRanges` or an internal load balancer annotation, remove \
        `externalIPs`, and fix the high and critical findings of any workload that must stay \
        exposed.",
    bad_example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: LoadBalancer\n  selector:\n    app: web\n  ports:\n  - port: 443\n    targetPort: 8443\n",
    good_example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: ClusterIP\n  selector:\n    app: web\n  ports:\n  - port: 443\n    targetPort: 8443\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Service type",
            url: "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "CVE-2020-8554: Man in the middle using LoadBalancer or ExternalIPs",
            url: "https://github.com/kubernetes/kubernetes/issues/97076",
        },
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

/// How a Service is exposed: the field that says so, and how to name the Service.
fn exposure(service: &Object) -> Option<(&'static str, String)> {
    let kind = service.get("/spec/type").and_then(Value::as_str);
    let external_ips = service
        .get("/spec/externalIPs")
        .and_then(Value::as_array)
        .is_some_and(|ips| !ips.is_empty());
    let also = if external_ips {
        " (with `externalIPs`)"
    } else {
        ""
    };
    let name = service.name();
    match kind {
        Some(kind @ ("NodePort" | "LoadBalancer")) => {
            Some(("/spec/type", format!("{kind} Service `{name}`{also}")))
        }
        _ if external_ips => Some(("/spec/externalIPs", format!("Service `{name}`{also}"))),
        _ => None,
    }
}

/// The workloads a Service selects, in its namespace (or, for a Service without a namespace,
/// among the objects without one).
fn selected<'a>(inventory: &'a Inventory, service: &Object) -> Vec<&'a Object> {
    let Some(selector) = service
        .get("/spec/selector")
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty())
    else {
        return Vec::new();
    };
    inventory.pods_matching(service.namespace(), &LabelSelector::from_map(selector))
}

/// The most severe high or critical finding the other workload rules report on `workload`
/// ("exposed and weak"); shared with NP008, which follows Ingresses and routes.
pub fn weakness(workload: &Object, sink: &Sink<'_>) -> Option<Finding> {
    // The per-object pass of the check has usually run them all on the workload already.
    if let Some(found) = sink.object_findings(workload, weighs) {
        return worst(found.into_iter()).cloned();
    }
    sink.weakness(workload, || worst_finding(workload, sink))
}

/// The other workload rules, whose findings make a workload weak.
fn weighs(meta: &RuleMeta) -> bool {
    meta.pack == Pack::Workload && !std::ptr::eq(meta, &META)
}

fn worst_finding(workload: &Object, sink: &Sink<'_>) -> Option<Finding> {
    let mut findings = Vec::new();
    for rule in all_rules() {
        let meta = rule.meta();
        if !weighs(meta) {
            continue;
        }
        rule.check_object(
            workload,
            &mut Sink::with_context(meta, &mut findings, sink.context()),
        );
    }
    worst(findings.iter()).cloned()
}

fn worst<'f>(findings: impl Iterator<Item = &'f Finding>) -> Option<&'f Finding> {
    findings
        .filter(|f| f.severity >= Severity::High)
        // The most severe; among equals, the lowest rule code.
        .min_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.rule.code.cmp(b.rule.code))
        })
}

impl Rule for ExposedWorkload {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_object_findings(&self) -> bool {
        true
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        for service in inventory.of_kind("Service") {
            let Some((path, how)) = exposure(service) else {
                continue;
            };
            let workloads = selected(inventory, service);
            let mut weak: Vec<String> = Vec::new();
            for workload in &workloads {
                if let Some(finding) = weakness(workload, sink) {
                    weak.push(format!(
                        "{} `{}` has a {} finding ({} {}: {})",
                        workload.kind(),
                        workload.name(),
                        finding.severity,
                        finding.rule.code,
                        finding.rule.name,
                        finding.message
                    ));
                }
            }
            let names: Vec<String> = workloads
                .iter()
                .map(|w| format!("{} `{}`", w.kind(), w.name()))
                .collect();
            let target = if names.is_empty() {
                "no scanned workload (its selector matches none)".to_string()
            } else {
                names.join(", ")
            };
            let mut message = format!("{how} exposes {target} outside the cluster");
            if !weak.is_empty() {
                message.push_str(", and ");
                message.push_str(&weak.join("; "));
            }
            let finding = sink.report(service, path, message);
            if !weak.is_empty() {
                finding.severity = Severity::High;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::value;

    fn run(values: Vec<Value>) -> Vec<Finding> {
        crate::engine::check_values(values, &ExposedWorkload)
    }

    fn service(name: &str, spec: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": name, "namespace": "shop"}, "spec": spec})
    }

    fn deployment(name: &str, namespace: &str, privileged: bool) -> Value {
        value!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": namespace},
               "spec": {"template": {"metadata": {"labels": {"app": name}},
                   "spec": {"containers": [{"name": "app", "image": "x",
                       "securityContext": {"privileged": privileged}}]}}}})
    }

    #[test]
    fn weakness_from_the_per_object_pass_matches_running_the_rules_again() {
        // Enough objects for several parts of the per-object pass; every tenth workload is
        // privileged, and every workload is exposed.
        let mut values = Vec::new();
        for n in 0..700 {
            let name = format!("app{n}");
            values.push(deployment(&name, "shop", n % 10 == 3));
            values.push(service(
                &name,
                value!({"type": "NodePort", "selector": {"app": name.as_str()}}),
            ));
        }
        let objects = |values: &[Value]| {
            values
                .iter()
                .cloned()
                .map(|v| {
                    palisade_model::Object::new(
                        v,
                        "t.yaml".into(),
                        0,
                        palisade_model::PositionTree::default(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let alone = run(values.clone());
        let inventory = Inventory::new(objects(&values));
        let everything: Vec<Finding> = crate::engine::check(&inventory, all_rules())
            .into_iter()
            .filter(|f| f.rule.code == META.code)
            .collect();
        let key = |f: &Finding| (f.object.name.clone(), f.severity, f.message.to_string());
        let mut alone: Vec<_> = alone.iter().map(key).collect();
        let mut everything: Vec<_> = everything.iter().map(key).collect();
        alone.sort();
        everything.sort();
        assert_eq!(alone.len(), 700);
        assert_eq!(alone.iter().filter(|f| f.1 == Severity::High).count(), 70);
        assert_eq!(alone, everything);
    }

    #[test]
    fn exposed_and_weak_is_high() {
        let findings = run(vec![
            deployment("web", "shop", false),
            deployment("admin", "shop", true),
            deployment("admin", "other", false),
            service(
                "web",
                value!({"type": "NodePort", "selector": {"app": "web"}}),
            ),
            service(
                "admin",
                value!({"type": "LoadBalancer", "selector": {"app": "admin"},
                                    "externalIPs": ["203.0.113.7"]}),
            ),
            service(
                "ips",
                value!({"externalIPs": ["203.0.113.8"], "selector": {"app": "web"}}),
            ),
            service(
                "internal",
                value!({"type": "ClusterIP", "selector": {"app": "admin"}}),
            ),
            service("headless", value!({"type": "NodePort"})),
        ]);
        let mut found: Vec<_> = findings
            .iter()
            .map(|f| (f.object.name.as_str(), f.path.as_str(), f.severity))
            .collect();
        found.sort_unstable();
        assert_eq!(
            found,
            [
                ("admin", "/spec/type", Severity::High),
                ("headless", "/spec/type", Severity::Info),
                ("ips", "/spec/externalIPs", Severity::Info),
                ("web", "/spec/type", Severity::Info),
            ]
        );
        let admin = findings.iter().find(|f| f.object.name == "admin");
        assert!(admin.is_some_and(|f| f.message.starts_with(
            "LoadBalancer Service `admin` (with `externalIPs`) exposes Deployment `admin` \
             outside the cluster, and Deployment `admin` has a critical finding (WL001 \
             privileged-container: container `app` runs privileged)"
        )));
        let headless = findings.iter().find(|f| f.object.name == "headless");
        assert!(headless.is_some_and(|f| f.message.contains("no scanned workload")));
    }

    #[test]
    fn services_without_a_namespace_select_workloads_without_one() {
        let mut web = deployment("web", "x", true);
        web["metadata"] = value!({"name": "web"});
        let mut svc = service(
            "web",
            value!({"type": "NodePort", "selector": {"app": "web"}}),
        );
        svc["metadata"] = value!({"name": "web"});
        let findings = run(vec![web, svc, deployment("web", "shop", true)]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::High);
        assert!(
            findings[0]
                .message
                .contains("exposes Deployment `web` outside")
        );
    }
}
