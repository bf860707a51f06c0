//! SE002: a Secret with its data is part of the manifests, and so of source control.

use super::detect;
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;

pub struct SecretInManifest;

pub static META: RuleMeta = RuleMeta {
    code: "SE002",
    name: "secret-in-manifest",
    pack: Pack::Secrets,
    severity: Severity::Info,
    kinds: &["Secret"],
    summary: "A Secret with `data` or `stringData` is part of the manifests, so its values are \
        committed to source control.",
    rationale: "`data` is base64, an encoding anyone can reverse, and `stringData` is plain \
        text: a Secret in a manifest puts its values in the repository, in every clone and \
        fork, in CI logs and artifacts, and in the history long after the file is deleted. \
        Whoever can read the repository holds the credentials, and rotating them means \
        rewriting history or accepting they leaked. Not reported: Secrets whose values are all \
        empty, `kubernetes.io/service-account-token` Secrets without data (the token \
        controller fills them), values that are render-time templates or interpolation \
        (`${DB_PASSWORD}`, `{{ .Values.password }}`), and Secrets encrypted with SOPS (a \
        `sops` section or `ENC[...]` values). The rule is informational: Secret manifests \
        are sometimes intentional in throwaway environments; raise its severity where they \
        never are.",
    remediation: "Keep Secret values out of the repository: sync them from a secret store with \
        External Secrets Operator or the Secrets Store CSI driver, commit them encrypted as \
        Sealed Secrets or with SOPS, or create them at deploy time from the CI system's secret \
        store; rotate any value that was committed.",
    bad_example: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-db\ntype: Opaque\nstringData:\n  password: Tr0ub4dor-and-3\n",
    good_example: "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: api-db\nspec:\n  secretStoreRef:\n    name: vault\n    kind: ClusterSecretStore\n  target:\n    name: api-db\n  data:\n  - secretKey: password\n    remoteRef:\n      key: shop/api-db\n      property: password\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Good practices for Kubernetes Secrets",
            url: "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Secrets",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1552.001: Unsecured Credentials: Credentials In Files",
            url: "https://attack.mitre.org/techniques/T1552/001/",
        },
        Reference {
            title: "OWASP Secrets Management Cheat Sheet",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
        },
        Reference {
            title: "External Secrets Operator",
            url: "https://external-secrets.io/",
        },
        Reference {
            title: "Sealed Secrets",
            url: "https://github.com/bitnami-labs/sealed-secrets",
        },
        Reference {
            title: "SOPS: Secrets OPerationS",
            url: "https://github.com/getsops/sops",
        },
    ],
};

/// A value that puts nothing secret in the repository: empty, encrypted by SOPS, or a
/// template filled in at render or deploy time.
fn holds_nothing(value: &Value, base64: bool) -> bool {
    let Some(text) = value.as_str() else {
        return value.is_null();
    };
    let text = text.trim();
    if text.is_empty() || text.starts_with("ENC[") || detect::is_interpolated(text) {
        return true;
    }
    base64
        && detect::decode_base64(text)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .is_some_and(|decoded| decoded.trim().is_empty() || detect::is_interpolated(&decoded))
}

impl Rule for SecretInManifest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        if object.kind() != "Secret" || object.api_group() != "" || object.get("/sops").is_some() {
            return;
        }
        for (field, pointer) in [("data", "/data"), ("stringData", "/stringData")] {
            let Some(map) = object.get(pointer).and_then(Value::as_object) else {
                continue;
            };
            let keys: Vec<&str> = map
                .iter()
                .filter(|(_, value)| !holds_nothing(value, field == "data"))
                .map(|(key, _)| key)
                .collect();
            if keys.is_empty() {
                continue;
            }
            let shown: Vec<String> = keys.iter().take(5).map(|key| format!("`{key}`")).collect();
            let more = if keys.len() > 5 {
                format!(" and {} more", keys.len() - 5)
            } else {
                String::new()
            };
            let encoding = if field == "data" {
                "base64, which anyone can decode"
            } else {
                "plain text"
            };
            sink.report(
                object,
                format!("/{field}"),
                format!(
                    "Secret `{}` has its values in the manifest: `{field}` holds {}{more} in \
                     {encoding}",
                    object.name(),
                    shown.join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(value: Value) -> Vec<Finding> {
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        check(&Inventory::new(vec![object]), &[&SecretInManifest])
    }

    #[test]
    fn data_and_string_data_are_reported_once_each() {
        let findings = run(value!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db"},
            "data": {"username": "YXBw", "password": "VHIwdWI0ZG9y"},
            "stringData": {"url": "postgres://db"}}));
        let paths: Vec<_> = findings.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/data", "/stringData"]);
        assert_eq!(
            findings[0].message,
            "Secret `db` has its values in the manifest: `data` holds `username`, `password` in \
             base64, which anyone can decode"
        );
        assert!(!findings[0].message.contains("VHIw"));
    }

    #[test]
    fn empty_templated_encrypted_and_token_secrets_are_fine() {
        for secret in [
            value!({"apiVersion": "v1", "kind": "Secret",
                   "type": "kubernetes.io/service-account-token",
                   "metadata": {"name": "t", "annotations": {"kubernetes.io/service-account.name": "sa"}}}),
            value!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "e"},
                   "data": {"a": "", "b": null}, "stringData": {}}),
            value!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tpl"},
                   "stringData": {"password": "${DB_PASSWORD}", "token": "{{ .Values.token }}"}}),
            value!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sops"},
                   "data": {"password": "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]"},
                   "sops": {"version": "3.9.0"}}),
            value!({"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret",
                   "metadata": {"name": "sealed"}, "spec": {"encryptedData": {"p": "AgB"}}}),
        ] {
            assert!(run(secret.clone()).is_empty(), "{secret}");
        }
    }
}
