//! NP010: an Ingress carries an ingress-nginx snippet annotation, raw nginx configuration that
//! the shared controller pastes into its own configuration.

use super::is_ingress;
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::pointer;
use palisade_model::{Object, Value};

pub struct NginxSnippetAnnotation;

pub static META: RuleMeta = RuleMeta {
    code: "NP010",
    name: "nginx-snippet-annotation",
    pack: Pack::Network,
    severity: Severity::High,
    kinds: &["Ingress"],
    summary: "An Ingress sets an ingress-nginx snippet annotation, which injects raw nginx \
        configuration into the shared ingress controller.",
    rationale: "The ingress-nginx annotations `configuration-snippet`, `server-snippet`, \
        `auth-snippet`, `stream-snippet` and `modsecurity-snippet` \
        (`nginx.ingress.kubernetes.io/...`) are copied verbatim into the configuration of the \
        controller that serves every Ingress of its class. Whoever can write an Ingress, in \
        any namespace, can therefore run nginx directives (and Lua) inside the controller: read \
        its service account token and, since the controller's default RBAC reads Secrets in \
        every namespace, every Secret of the cluster (CVE-2021-25742); serve files of the \
        controller's filesystem; or read and rewrite the traffic of other tenants' hosts. \
        Configuration injection through annotations is the root of the IngressNightmare family \
        (CVE-2025-1974 and its companions), which turned it into remote code execution. The \
        annotations only take effect when the controller allows them (`allow-snippet-annotations`, \
        off by default since controller v1.9), so a manifest that needs them also needs a \
        controller configured to accept them from everyone. Each non-empty snippet annotation \
        is one finding. High: a tenant's write access to one Ingress becomes read access to \
        the cluster's Secrets.",
    remediation: "Replace the snippet with the dedicated ingress-nginx annotation or ConfigMap \
        setting for what it does (headers, rewrites, authentication, rate limits), keep \
        `allow-snippet-annotations: \"false\"` in the controller's ConfigMap, and if a snippet \
        is unavoidable run a separate controller for that team's Ingresses whose RBAC reaches \
        only that team's Secrets.",
    bad_example: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n  namespace: shop\n  annotations:\n    nginx.ingress.kubernetes.io/configuration-snippet: |\n      more_set_headers \"X-Frame-Options: DENY\";\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port:\n              number: 80\n",
    good_example: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n  namespace: shop\n  annotations:\n    # a ConfigMap of headers the controller adds to every response of this Ingress\n    nginx.ingress.kubernetes.io/custom-headers: shop/security-headers\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port:\n              number: 80\n",
    pss: &[],
    references: &[
        Reference {
            title: "ingress-nginx: Annotations, Configuration snippet",
            url: "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#configuration-snippet",
        },
        Reference {
            title: "ingress-nginx: ConfigMap, allow-snippet-annotations",
            url: "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#allow-snippet-annotations",
        },
        Reference {
            title: "CVE-2021-25742: ingress-nginx custom snippets allow retrieval of ingress-nginx \
                service account tokens and secrets across all namespaces",
            url: "https://github.com/kubernetes/ingress-nginx/issues/7837",
        },
        Reference {
            title: "CVE-2025-1974: ingress-nginx admission controller configuration injection",
            url: "https://github.com/kubernetes/kubernetes/issues/131009",
        },
        Reference {
            title: "MITRE ATT&CK T1552.007: Unsecured Credentials: Container API",
            url: "https://attack.mitre.org/techniques/T1552/007/",
        },
    ],
};

/// The snippet annotations of ingress-nginx (default annotation prefix) and where the
/// controller pastes each one.
const SNIPPETS: [(&str, &str); 5] = [
    (
        "nginx.ingress.kubernetes.io/configuration-snippet",
        "the `location` blocks",
    ),
    (
        "nginx.ingress.kubernetes.io/server-snippet",
        "the `server` block",
    ),
    (
        "nginx.ingress.kubernetes.io/auth-snippet",
        "the external authentication `location`",
    ),
    (
        "nginx.ingress.kubernetes.io/stream-snippet",
        "the `stream` block",
    ),
    (
        "nginx.ingress.kubernetes.io/modsecurity-snippet",
        "the ModSecurity rules",
    ),
];

impl Rule for NginxSnippetAnnotation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        if !is_ingress(object) {
            return;
        }
        let annotations = object.annotations();
        if annotations.is_empty() {
            return;
        }
        for (key, target) in SNIPPETS {
            // An empty snippet adds nothing to the configuration.
            let Some(snippet) = annotations.get(key).and_then(Value::as_str) else {
                continue;
            };
            if snippet.trim().is_empty() {
                continue;
            }
            let lines = snippet.lines().filter(|l| !l.trim().is_empty()).count();
            let size = if lines == 1 {
                "1 line".to_string()
            } else {
                format!("{lines} lines")
            };
            sink.report(
                object,
                pointer::join("/metadata/annotations", key),
                format!(
                    "annotation `{key}` injects raw nginx configuration ({size}) into {target} \
                     of the shared ingress-nginx controller, which can read every Secret its \
                     service account reaches"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::network::test_support::run_yaml;

    fn run(annotations: &str) -> Vec<String> {
        let text = format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  \
             annotations:\n{annotations}spec:\n  rules:\n  - host: a.example\n"
        );
        run_yaml(&NginxSnippetAnnotation, &text)
            .iter()
            .map(|f| f.path.to_string())
            .collect()
    }

    #[test]
    fn one_finding_per_snippet_at_its_escaped_key_in_source_order() {
        let found = run("    nginx.ingress.kubernetes.io/server-snippet: |\n      \
             location /x { alias /var/run; }\n    \
             nginx.ingress.kubernetes.io/configuration-snippet: 'more_set_headers \"A: b\";'\n    \
             nginx.ingress.kubernetes.io/auth-snippet: x\n    \
             nginx.ingress.kubernetes.io/stream-snippet: x\n    \
             nginx.ingress.kubernetes.io/modsecurity-snippet: x\n    \
             nginx.ingress.kubernetes.io/rewrite-target: /$2\n");
        assert_eq!(
            found,
            [
                "/metadata/annotations/nginx.ingress.kubernetes.io~1server-snippet",
                "/metadata/annotations/nginx.ingress.kubernetes.io~1configuration-snippet",
                "/metadata/annotations/nginx.ingress.kubernetes.io~1auth-snippet",
                "/metadata/annotations/nginx.ingress.kubernetes.io~1stream-snippet",
                "/metadata/annotations/nginx.ingress.kubernetes.io~1modsecurity-snippet",
            ]
        );
    }

    #[test]
    fn message_names_the_annotation_and_its_size() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  \
                    annotations:\n    nginx.ingress.kubernetes.io/server-snippet: |\n      \
                    location /x {\n        alias /var/run;\n      }\n";
        let findings = run_yaml(&NginxSnippetAnnotation, text);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "annotation `nginx.ingress.kubernetes.io/server-snippet` injects raw nginx \
             configuration (3 lines) into the `server` block of the shared ingress-nginx \
             controller, which can read every Secret its service account reaches"
        );
        assert_eq!(findings[0].location.as_ref().map(|l| l.line), Some(6));
    }

    #[test]
    fn empty_snippets_and_other_annotations_are_fine() {
        assert!(
            run(
                "    nginx.ingress.kubernetes.io/configuration-snippet: \"\"\n    \
                 nginx.ingress.kubernetes.io/server-snippet: \"  \"\n    \
                 nginx.ingress.kubernetes.io/ssl-redirect: \"true\"\n    \
                 example.com/configuration-snippet: x\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn only_ingresses_are_checked() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    \
                    nginx.ingress.kubernetes.io/server-snippet: x\n";
        assert!(run_yaml(&NginxSnippetAnnotation, text).is_empty());
    }
}
