//! NP009: an Ingress serves some or all of its hosts over plain HTTP, because `spec.tls` is
//! absent or lists none of those hosts.

use super::{NSA_NETWORK_SEPARATION, is_ingress};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::{Object, Value};

pub struct IngressWithoutTls;

pub static META: RuleMeta = RuleMeta {
    code: "NP009",
    name: "ingress-without-tls",
    pack: Pack::Network,
    severity: Severity::Medium,
    kinds: &["Ingress"],
    summary: "An Ingress serves its hosts over plain HTTP: `spec.tls` is absent, or no entry of \
        it lists one of the Ingress's hosts.",
    rationale: "Without a `spec.tls` entry for a host, the ingress controller has no \
        certificate for it and serves it over plain HTTP only. Everything that crosses the \
        network between the client and the controller can then be read and changed by anyone \
        on the path (a shared Wi-Fi, a compromised router, another tenant of the network): \
        passwords, session cookies, API tokens and the responses themselves (T1557, \
        CWE-319). Browsers also refuse secure cookies and modern features on such origins. \
        An Ingress with `spec.tls` is reported for each `rules[].host` that no entry's \
        `hosts` covers (`*.example.com` covers exactly one label, as in a certificate) and for \
        a rule without a host, which matches every name, unless an entry without `hosts` \
        gives the controller's default certificate to every name. An Ingress that routes \
        nothing is not reported, nor one whose annotations hand TLS to the cloud load balancer \
        in front of it (`alb.ingress.kubernetes.io/certificate-arn` or an HTTPS entry in \
        `alb.ingress.kubernetes.io/listen-ports`, `networking.gke.io/managed-certificates`, \
        `ingress.gcp.kubernetes.io/pre-shared-cert`, \
        `appgw.ingress.kubernetes.io/appgw-ssl-certificate`). Medium: an attacker needs a \
        position on the network path first, and then gets every credential that crosses it.",
    remediation: "Add a `spec.tls` entry whose `hosts` lists every host of the rules, with a \
        `secretName` holding its certificate (cert-manager can issue and renew it), and \
        redirect HTTP to HTTPS; when TLS really ends in front of the controller (a CDN or a \
        load balancer configured outside Kubernetes), record that as an exception with its \
        reason and owner in `.palisade.yaml`, or annotate the Ingress with \
        `palisade.dev/ignore: NP009` and `palisade.dev/ignore-reason`.",
    bad_example: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port:\n              number: 80\n",
    good_example: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n  namespace: shop\n  annotations:\n    cert-manager.io/cluster-issuer: letsencrypt\nspec:\n  ingressClassName: nginx\n  tls:\n  - hosts: [\"shop.example.com\"]\n    secretName: shop-tls\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port:\n              number: 80\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Ingress, TLS",
            url: "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls",
        },
        NSA_NETWORK_SEPARATION,
        Reference {
            title: "CWE-319: Cleartext Transmission of Sensitive Information",
            url: "https://cwe.mitre.org/data/definitions/319.html",
        },
        Reference {
            title: "MITRE ATT&CK T1557: Adversary-in-the-Middle",
            url: "https://attack.mitre.org/techniques/T1557/",
        },
    ],
};

/// Annotations by which a cloud load balancer in front of the Ingress terminates TLS with a
/// certificate it manages, so `spec.tls` stays empty by design.
const TLS_ELSEWHERE: [&str; 4] = [
    "alb.ingress.kubernetes.io/certificate-arn",
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
];

/// The AWS Load Balancer Controller's listeners; an `HTTPS` one finds its certificate by host.
const ALB_LISTEN_PORTS: &str = "alb.ingress.kubernetes.io/listen-ports";

/// How many hosts a message spells out before summarising the rest.
const SHOWN: usize = 3;

impl Rule for IngressWithoutTls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        if !is_ingress(object) {
            return;
        }
        let Some(spec) = object.value.get("spec").and_then(Value::as_object) else {
            return;
        };
        let rules = spec
            .get("rules")
            .and_then(Value::as_array)
            .unwrap_or_default();
        let default_backend = ["defaultBackend", "backend"]
            .iter()
            .any(|key| spec.get(key).is_some_and(|b| !b.is_null()));
        if (rules.is_empty() && !default_backend) || tls_elsewhere(object) {
            return;
        }
        let tls = spec
            .get("tls")
            .and_then(Value::as_array)
            .unwrap_or_default();
        if tls.is_empty() {
            let (path, why) = if spec.contains_key("tls") {
                ("/spec/tls", "`spec.tls` is empty")
            } else {
                ("/spec", "the Ingress has no `spec.tls`")
            };
            sink.report(
                object,
                path,
                format!("{} served over plain HTTP: {why}", describe_hosts(rules)),
            );
            return;
        }
        let mut patterns = Vec::new();
        for entry in tls {
            match entry.get("hosts").and_then(Value::as_array) {
                Some(hosts) if !hosts.is_empty() => {
                    patterns.extend(hosts.iter().filter_map(Value::as_str));
                }
                // No hosts: the controller's default certificate, for every name.
                _ => return,
            }
        }
        for (index, rule) in rules.iter().enumerate() {
            match rule.get("host").and_then(Value::as_str) {
                Some(host) if !host.is_empty() => {
                    if !patterns.iter().any(|pattern| covers(pattern, host)) {
                        sink.report(
                            object,
                            format!("/spec/rules/{index}/host"),
                            format!(
                                "host `{host}` is served over plain HTTP: no `spec.tls` entry \
                                 lists it"
                            ),
                        );
                    }
                }
                _ => {
                    sink.report(
                        object,
                        format!("/spec/rules/{index}"),
                        "a rule without a host answers every host name over plain HTTP: every \
                         `spec.tls` entry lists specific hosts",
                    );
                }
            }
        }
    }
}

/// Whether an annotation hands TLS to the load balancer in front of the controller.
fn tls_elsewhere(object: &Object) -> bool {
    let annotations = object.annotations();
    TLS_ELSEWHERE
        .iter()
        .any(|key| annotations.get(key).is_some_and(|v| !v.is_null()))
        || object
            .annotation(ALB_LISTEN_PORTS)
            .is_some_and(|ports| ports.to_ascii_uppercase().contains("HTTPS"))
}

/// "host `a`, `b` is" / "every host name is", for the hosts of the rules.
fn describe_hosts(rules: &[Value]) -> String {
    let mut hosts: Vec<&str> = Vec::new();
    let mut any_host = rules.is_empty();
    for rule in rules {
        match rule.get("host").and_then(Value::as_str) {
            Some(host) if !host.is_empty() => {
                if !hosts.contains(&host) {
                    hosts.push(host);
                }
            }
            _ => any_host = true,
        }
    }
    if any_host || hosts.is_empty() {
        return "every host name is".to_string();
    }
    let mut listed = hosts
        .iter()
        .take(SHOWN)
        .map(|h| format!("`{h}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if hosts.len() > SHOWN {
        listed.push_str(&format!(" and {} more", hosts.len() - SHOWN));
    }
    let noun = if hosts.len() == 1 { "host" } else { "hosts" };
    let verb = if hosts.len() == 1 { "is" } else { "are" };
    format!("{noun} {listed} {verb}")
}

/// Whether a TLS host covers a rule host: the same name (case-insensitive), or a wildcard
/// `*.example.com` that covers exactly one more label, as a certificate's wildcard does.
fn covers(pattern: &str, host: &str) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(suffix) = pattern.strip_prefix("*.") else {
        return false;
    };
    match host.split_once('.') {
        Some((label, rest)) => {
            !label.is_empty() && label != "*" && rest.eq_ignore_ascii_case(suffix)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::network::test_support::{run_yaml, summary};

    fn run(text: &str) -> Vec<String> {
        run_yaml(&IngressWithoutTls, text)
            .iter()
            .map(|f| format!("{} {}: {}", f.object, f.path, f.message))
            .collect()
    }

    const HEADER: &str = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n";

    #[test]
    fn wildcards_cover_one_label() {
        assert!(covers("shop.example.com", "SHOP.example.com"));
        assert!(covers("*.example.com", "shop.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("*.example.com", "a.shop.example.com"));
        assert!(!covers("*.example.com", "shopexample.com"));
        assert!(covers("*.example.com", "*.example.com"));
        assert!(!covers("*.example.com", "*.shop.example.com"));
        assert!(!covers("shop.example.com", "*.example.com"));
    }

    #[test]
    fn no_tls_is_reported_on_the_spec_with_the_hosts() {
        let found = run(&format!(
            "{HEADER}spec:\n  rules:\n  - host: a.example\n  - host: b.example\n  - host: a.example\n"
        ));
        assert_eq!(
            found,
            [
                "Ingress i /spec: hosts `a.example`, `b.example` are served over plain HTTP: the \
              Ingress has no `spec.tls`"
            ]
        );
        let found = run(&format!(
            "{HEADER}spec:\n  tls: []\n  rules:\n  - http:\n      paths: []\n"
        ));
        assert_eq!(
            found,
            ["Ingress i /spec/tls: every host name is served over plain HTTP: `spec.tls` is empty"]
        );
    }

    #[test]
    fn default_backend_only_is_reported() {
        for key in ["defaultBackend", "backend"] {
            let found = run(&format!(
                "{HEADER}spec:\n  {key}:\n    service:\n      name: web\n"
            ));
            assert_eq!(found.len(), 1, "{key}");
        }
    }

    #[test]
    fn an_ingress_that_routes_nothing_is_not_reported() {
        assert!(run(&format!("{HEADER}spec: {{}}\n")).is_empty());
        assert!(run(HEADER).is_empty());
        assert!(run(&format!("{HEADER}spec:\n  rules: []\n")).is_empty());
    }

    #[test]
    fn uncovered_hosts_are_reported_at_their_own_field() {
        let text = format!(
            "{HEADER}spec:\n  tls:\n  - hosts: [\"*.example.com\"]\n    secretName: s\n  rules:\n  \
             - host: shop.example.com\n  - host: example.com\n  - host: a.b.example.com\n  \
             - http: {{}}\n"
        );
        let findings = run_yaml(&IngressWithoutTls, &text);
        assert_eq!(
            summary(&findings),
            [
                "Ingress i /spec/rules/1/host",
                "Ingress i /spec/rules/2/host",
                "Ingress i /spec/rules/3"
            ]
        );
        assert!(
            findings
                .iter()
                .all(|f| f.location.as_ref().is_some_and(|l| l.line > 1))
        );
    }

    #[test]
    fn a_tls_entry_without_hosts_covers_every_name() {
        let text = format!(
            "{HEADER}spec:\n  tls:\n  - secretName: default\n  - hosts: [a.example]\n  rules:\n  \
             - host: b.example\n  - http: {{}}\n"
        );
        assert!(run(&text).is_empty());
    }

    #[test]
    fn tls_at_the_load_balancer_is_not_reported() {
        for annotation in [
            "alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:1:certificate/x",
            "alb.ingress.kubernetes.io/listen-ports: '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'",
            "networking.gke.io/managed-certificates: shop-cert",
            "ingress.gcp.kubernetes.io/pre-shared-cert: shop-cert",
            "appgw.ingress.kubernetes.io/appgw-ssl-certificate: shop-cert",
        ] {
            let text = format!(
                "{HEADER}  annotations:\n    {annotation}\nspec:\n  rules:\n  - host: a.example\n"
            );
            assert!(run(&text).is_empty(), "{annotation}");
        }
        let http_only = format!(
            "{HEADER}  annotations:\n    alb.ingress.kubernetes.io/listen-ports: '[{{\"HTTP\": 80}}]'\nspec:\n  rules:\n  - host: a.example\n"
        );
        assert_eq!(run(&http_only).len(), 1);
    }

    #[test]
    fn older_api_groups_count_and_other_groups_do_not() {
        for api_version in ["extensions/v1beta1", "networking.k8s.io/v1beta1"] {
            let text = format!(
                "apiVersion: {api_version}\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  rules:\n  - host: a.example\n"
            );
            assert_eq!(run(&text).len(), 1, "{api_version}");
        }
        let other = "apiVersion: example.com/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  \
                     rules:\n  - host: a.example\n";
        assert!(run(other).is_empty());
    }

    #[test]
    fn many_hosts_are_summarised() {
        let text = format!(
            "{HEADER}spec:\n  rules:\n  - host: a.example\n  - host: b.example\n  - host: c.example\n  - host: d.example\n  - host: e.example\n"
        );
        assert_eq!(
            run(&text),
            [
                "Ingress i /spec: hosts `a.example`, `b.example`, `c.example` and 2 more are served \
              over plain HTTP: the Ingress has no `spec.tls`"
            ]
        );
    }
}
