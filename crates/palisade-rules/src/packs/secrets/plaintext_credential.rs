//! SE001: a credential written in plain text where it does not belong: a container's
//! environment, command or arguments, a ConfigMap, or an annotation.

use super::detect::{self, Detection, Kind};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::{Container, Object, PositionTree, Workload, pointer};
use palisade_model::{Map, Value};
use std::cell::OnceCell;

pub struct PlaintextCredential;

pub static META: RuleMeta = RuleMeta {
    code: "SE001",
    name: "plaintext-credential",
    pack: Pack::Secrets,
    severity: Severity::High,
    kinds: &["*"],
    summary: "A credential is written in plain text in a container's `env[].value`, `command` \
        or `args`, in a ConfigMap's `data`, or in an annotation.",
    rationale: "Everything in a manifest is in source control, in CI logs, in `kubectl get -o \
        yaml` output and in the API server's objects, readable by every role that can read \
        pods, deployments or ConfigMaps, which is far more than the roles that can read \
        Secrets. Command lines are also visible to every process on the node through \
        `/proc/<pid>/cmdline`. Detectors, most specific first: PEM private keys with a body \
        (`-----BEGIN ... PRIVATE KEY-----`) and GCP service account JSON; AWS access key IDs \
        (`AKIA`/`ASIA` and 16 characters; AWS's documentation keys ending in `EXAMPLE` are \
        ignored) and AWS secret access keys (40 base64 characters under a name such as \
        `AWS_SECRET_ACCESS_KEY` or next to an access key ID in the same env list or \
        ConfigMap); GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), \
        GitLab tokens (`glpat-`), Slack tokens (`xoxa-`, `xoxb-`, `xoxp-`, `xoxr-`, `xoxs-`) \
        and webhooks, Stripe live keys (`sk_live_`, `rk_live_`; test keys are ignored); Azure \
        `AccountKey=` and `SharedAccessKey=` in connection strings and `sig=` in SAS URLs; \
        JSON Web Tokens (three base64url parts whose header decodes to JSON with `alg`); URLs \
        and connection strings with a password (`scheme://user:password@host`); `Bearer` \
        tokens; and, as a last resort, keys, flags and settings named like a credential \
        (`password`, `passwd`, `pass`, `secret`, `token`, `api_key`, `apikey`, `access_key`, \
        `private_key`, `credentials`, in any case or separator style) whose value is a real \
        value of six characters or more, or a well-known default password such as \
        `changeme` or `admin`. Names are read from env var names, ConfigMap keys, annotation \
        keys, `--flag=value` and `--flag value` in `command` and `args`, `NAME=value` in \
        shell commands, and `key=value`, `key: value` and `\"key\": \"value\"` lines of \
        configuration files held in a ConfigMap. Not reported: references \
        (`valueFrom.secretKeyRef`), settings about credentials (names ending in words such as \
        `name`, `file`, `path`, `ref`, `id`, `url`, `ttl`, `length`, `min`, `max`, \
        `timeout`), booleans, numbers and durations, file paths, URLs without a password, \
        interpolation (`$(VAR)`, `${VAR}`, `$VAR`, `{{ ... }}`), placeholders (`<redacted>`, \
        `***`, `xxx`, `REPLACE_ME`, `null`, anything containing `example`), other variables' \
        names, resource names (`my-secret`) under `secret`, `token` and `credentials` keys, \
        and prose. `kubectl.kubernetes.io/last-applied-configuration` is read as the manifest \
        it copies: a Secret's data or a credential inside it is reported on the annotation. \
        Limits: a value's format or its name must give it away, so an unnamed random string \
        is missed; ConfigMap `binaryData`, `mysql -pPASSWORD`-style short flags and \
        multi-line values of configuration files are not read. Messages never contain the \
        value: at most the first four characters of a public format prefix (`AKIA…`).",
    remediation: "Move the credential into a Secret (or an external secret store synced by \
        External Secrets, the Secrets Store CSI driver or Vault), mount it as a file or \
        reference it with `secretKeyRef`, and rotate it: the value is already in source \
        control and in the API server.",
    bad_example: "spec:\n  containers:\n  - name: api\n    image: registry.example/api:2.3.1\n    env:\n    - name: DB_PASSWORD\n      value: Tr0ub4dor-and-3\n    args:\n    - --stripe-key=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
    good_example: "spec:\n  containers:\n  - name: api\n    image: registry.example/api:2.3.1\n    env:\n    - name: DB_PASSWORD_FILE\n      value: /var/run/secrets/db/password\n    volumeMounts:\n    - name: db\n      mountPath: /var/run/secrets/db\n      readOnly: true\n  volumes:\n  - name: db\n    secret:\n      secretName: api-db\n",
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
            title: "MITRE ATT&CK T1552.007: Unsecured Credentials: Container API",
            url: "https://attack.mitre.org/techniques/T1552/007/",
        },
        Reference {
            title: "OWASP Secrets Management Cheat Sheet",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
        },
        Reference {
            title: "OWASP Kubernetes Top Ten K08: Secrets Management Failures",
            url: "https://owasp.org/www-project-kubernetes-top-ten/2022/en/src/K08-secrets-management",
        },
    ],
};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

const ENV_FIX: &str = "Move the value into a Secret and mount it as a file (or reference it with \
    `valueFrom.secretKeyRef`), then rotate the credential: it is already in source control.";
const ARGS_FIX: &str = "Pass the credential through a file mounted from a Secret (most tools \
    have a `--password-file` style flag) instead of the command line, which every process on \
    the node can read in `/proc/<pid>/cmdline`, then rotate the credential.";
const CONFIG_MAP_FIX: &str = "Move the credential out of the ConfigMap into a Secret mounted \
    as a file (ConfigMaps are readable by more roles and are never encrypted at rest), then \
    rotate the credential.";
const ANNOTATION_FIX: &str = "Remove the credential from the annotation (annotations are \
    readable by every role that can read the object and are copied into events, logs and \
    tools), keep it in a Secret, then rotate it.";
const LAST_APPLIED_FIX: &str = "Apply with `kubectl apply --server-side` (or create the object \
    with `kubectl create`), which does not copy the manifest into \
    `kubectl.kubernetes.io/last-applied-configuration`; remove the annotation, move \
    credentials into Secrets and rotate them.";

/// A credential found in one field.
struct Hit {
    path: String,
    /// The field in words: "env `DB_PASSWORD` of container `api`".
    field: String,
    container: Option<String>,
    detection: Detection,
    fix: &'static str,
}

impl Rule for PlaintextCredential {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let workload = sink.workload(object);
        for hit in scan(object, workload.as_deref(), true) {
            let finding = sink.report(
                object,
                hit.path,
                format!("{} holds {}", hit.field, hit.detection.describe()),
            );
            finding.with_remediation(hit.fix);
            if let Some(container) = &hit.container {
                finding.in_container(container);
            }
        }
    }
}

/// Every credential in `object`, whose workload view is `workload`; `top` is false for the
/// copy inside last-applied.
fn scan(object: &Object, workload: Option<&Workload<'_>>, top: bool) -> Vec<Hit> {
    let mut hits = Vec::new();
    annotations(
        object,
        "/metadata",
        "annotation",
        object.annotations(),
        top,
        &mut hits,
    );
    if let Some(workload) = workload {
        if workload.pod_metadata_path != "/metadata"
            && let Some(pod_annotations) = workload.pod_annotations()
        {
            annotations(
                object,
                workload.pod_metadata_path,
                "pod template annotation",
                pod_annotations,
                top,
                &mut hits,
            );
        }
        for container in &workload.containers {
            env(container, &mut hits);
            for field in ["command", "args"] {
                arguments(container, field, &mut hits);
            }
        }
    }
    if object.kind() == "ConfigMap" {
        config_map(object, &mut hits);
    }
    hits
}

fn annotations(
    object: &Object,
    metadata_path: &str,
    label: &str,
    annotations: &Map,
    top: bool,
    hits: &mut Vec<Hit>,
) {
    let path = |key: &str| pointer::join(&pointer::join(metadata_path, "annotations"), key);
    let field = |key: &str| format!("{label} `{key}`");
    for (key, value) in annotations {
        let Some(text) = value.as_str() else {
            continue;
        };
        if key == LAST_APPLIED {
            if top && let Some(hit) = last_applied(object, text, &path(key), &field(key)) {
                hits.push(hit);
            }
            continue;
        }
        // `example.com/api-token`: the name is the part after the prefix.
        let name = key.rsplit('/').next().unwrap_or(key);
        if let Some(detection) = detect::assess(Some(name), text) {
            hits.push(Hit {
                path: path(key),
                field: field(key),
                container: None,
                detection,
                fix: ANNOTATION_FIX,
            });
        }
    }
}

/// `kubectl apply` copies the whole manifest into the annotation: a Secret's data, and any
/// credential the manifest holds, are then in the object's metadata too.
fn last_applied(object: &Object, text: &str, path: &str, field: &str) -> Option<Hit> {
    let hit = |field: String, detection: Detection| Hit {
        path: path.to_string(),
        field,
        container: None,
        detection,
        fix: LAST_APPLIED_FIX,
    };
    let Ok(copy @ Value::Object(_)) = serde_json::from_str::<Value>(text) else {
        return detect::detect_format(text).map(|detection| hit(field.to_string(), detection));
    };
    if copy.get("kind").and_then(Value::as_str) == Some("Secret") {
        for data in ["stringData", "data"] {
            let has_values = copy
                .get(data)
                .and_then(Value::as_object)
                .is_some_and(|map| {
                    map.values()
                        .any(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                });
            if has_values {
                return Some(hit(
                    format!("{field} (a copy of the Secret's `{data}`)"),
                    Detection {
                        kind: Kind::Credentials,
                        prefix: None,
                    },
                ));
            }
        }
    }
    let copy = Object::new(copy, object.file.clone(), 0, PositionTree::default());
    if let Some(inner) = scan(&copy, copy.workload().as_ref(), false)
        .into_iter()
        .next()
    {
        return Some(hit(
            format!("{field} (a copy of {})", inner.field),
            inner.detection,
        ));
    }
    detect::detect_format(text).map(|detection| hit(field.to_string(), detection))
}

fn holds_aws_access_key_id(text: &str) -> bool {
    detect::detect_format(text).is_some_and(|d| d.kind == Kind::AwsAccessKeyId)
}

/// An AWS secret access key is recognised by its shape only next to an access key ID.
/// `neighbour_has_key_id` is asked only for a value of that shape, and at most once per list.
fn aws_neighbour(
    neighbour_has_key_id: &OnceCell<bool>,
    scan: impl FnOnce() -> bool,
    value: &str,
) -> Option<Detection> {
    (detect::aws_secret_shape(value) && *neighbour_has_key_id.get_or_init(scan)).then_some(
        Detection {
            kind: Kind::AwsSecretAccessKey,
            prefix: None,
        },
    )
}

fn env(container: &Container<'_>, hits: &mut Vec<Hit>) {
    let Some(list) = container.spec.get("env").and_then(Value::as_array) else {
        return;
    };
    fn value_of(entry: &Value) -> Option<&str> {
        entry.get("value").and_then(Value::as_str)
    }
    let has_key_id = OnceCell::new();
    let scan = || {
        list.iter()
            .filter_map(value_of)
            .any(holds_aws_access_key_id)
    };
    for (index, entry) in list.iter().enumerate() {
        let Some(value) = value_of(entry) else {
            continue;
        };
        let name = entry.get("name").and_then(Value::as_str).unwrap_or("");
        let Some(detection) =
            detect::assess(Some(name), value).or_else(|| aws_neighbour(&has_key_id, scan, value))
        else {
            continue;
        };
        hits.push(Hit {
            path: format!("{}/env/{index}/value", container.path),
            field: format!("env `{name}` of {}", container.describe()),
            container: Some(container.name.to_string()),
            detection,
            fix: ENV_FIX,
        });
    }
}

fn unquote(token: &str) -> &str {
    token.trim_matches(|c| c == '"' || c == '\'')
}

/// A credential given to a flag or a variable inside one item of `command` or `args`:
/// `--password=x`, `DB_PASSWORD=x`, or `--password x` with the value in the same item.
/// Returns the detection and the flag, or the flag whose value is the next item.
fn flag_credential(text: &str) -> (Option<(Detection, &str)>, Option<&str>) {
    let mut tokens = text.split_whitespace().map(unquote).peekable();
    while let Some(token) = tokens.next() {
        if let Some((flag, value)) = token.split_once('=') {
            let name = flag.trim_start_matches('-');
            if !name.is_empty()
                && let Some(detection) = detect::assess(Some(name), unquote(value))
            {
                return (Some((detection, flag)), None);
            }
            continue;
        }
        let name = token.trim_start_matches('-');
        if token.starts_with('-') && name.len() >= 3 && detect::credential_name(name).is_some() {
            match tokens.peek() {
                Some(value) if !value.starts_with('-') => {
                    if let Some(detection) = detect::assess(Some(name), value) {
                        return (Some((detection, token)), None);
                    }
                }
                None => return (None, Some(token)),
                Some(_) => {}
            }
        }
    }
    (None, None)
}

fn arguments(container: &Container<'_>, field: &str, hits: &mut Vec<Hit>) {
    let Some(items) = container.spec.get(field).and_then(Value::as_array) else {
        return;
    };
    // A flag at the end of the previous item whose value is this item.
    let mut pending_flag: Option<&str> = None;
    for (index, item) in items.iter().enumerate() {
        let Some(text) = item.as_str() else {
            pending_flag = None;
            continue;
        };
        let place = || format!("`{field}[{index}]` of {}", container.describe());
        let found = if let Some(detection) = detect::detect_format(text) {
            Some((detection, place()))
        } else if let Some(detection) = pending_flag
            .filter(|_| !text.starts_with('-'))
            .and_then(|flag| detect::assess(Some(flag.trim_start_matches('-')), text))
        {
            let flag = pending_flag.unwrap_or_default();
            Some((detection, format!("the value of `{flag}` in {}", place())))
        } else {
            match flag_credential(text) {
                (Some((detection, flag)), _) => {
                    Some((detection, format!("`{flag}` in {}", place())))
                }
                (None, next) => {
                    pending_flag = next;
                    None
                }
            }
        };
        if let Some((detection, place)) = found {
            pending_flag = None;
            hits.push(Hit {
                path: format!("{}/{field}/{index}", container.path),
                field: place,
                container: Some(container.name.to_string()),
                detection,
                fix: ARGS_FIX,
            });
        }
    }
}

fn config_map(object: &Object, hits: &mut Vec<Hit>) {
    let Some(data) = object.get("/data").and_then(Value::as_object) else {
        return;
    };
    let has_key_id = OnceCell::new();
    let scan = || {
        data.values()
            .filter_map(Value::as_str)
            .any(holds_aws_access_key_id)
    };
    for (key, value) in data {
        let Some(text) = value.as_str() else {
            continue;
        };
        // The detection, and the setting of a configuration file that holds it.
        let found = detect::assess(Some(key), text)
            .or_else(|| aws_neighbour(&has_key_id, scan, text))
            .map(|detection| (detection, None))
            .or_else(|| {
                detect::settings_in(text).find_map(|(name, value)| {
                    detect::assess(Some(name), value).map(|detection| (detection, Some(name)))
                })
            });
        if let Some((detection, setting)) = found {
            let field = format!("ConfigMap key `{key}`");
            hits.push(Hit {
                path: pointer::join("/data", key),
                field: match setting {
                    Some(name) => format!("{field} (setting `{name}`)"),
                    None => field,
                },
                container: None,
                detection,
                fix: CONFIG_MAP_FIX,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use palisade_model::Inventory;
    use palisade_model::value;

    fn run(value: Value) -> Vec<Finding> {
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        check(&Inventory::new(vec![object]), &[&PlaintextCredential])
    }

    fn pod(container: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [container]}})
    }

    fn summary(findings: &[Finding]) -> Vec<(String, String)> {
        findings
            .iter()
            .map(|f| (f.path.to_string(), f.message.to_string()))
            .collect()
    }

    const PASSWORD: &str = "Tr0ub4dor-and-3";

    #[test]
    fn env_values() {
        let key_id = format!("AKIA{}", "Z7QXW3PL9M2KD4TB");
        let findings = run(pod(value!({"name": "api", "env": [
            {"name": "DB_PASSWORD", "value": PASSWORD},
            {"name": "AWS_ACCESS_KEY_ID", "value": key_id},
            {"name": "AWS_SECRET", "value": "q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6Gz4Ym0Ue2Ai8Oo"},
            {"name": "UPSTREAM", "value": "q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6Gz4Ym0Ue2Ai8Ox"},
            {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "db", "key": "p"}}},
            {"name": "PASSWORD_MIN_LENGTH", "value": "12"},
            {"name": "TOKEN_TTL", "value": "3600"},
            {"name": "SECRET_NAME", "value": "my-secret"},
            {"name": "DB_PASSWORD_FILE", "value": "/var/run/secrets/db/password"},
            {"name": "API_TOKEN", "value": "$(TOKEN_FROM_SECRET)"},
            {"name": "ADMIN_PASSWORD", "value": "<redacted>"},
            {"name": "ROOT_PASSWORD", "value": "changeme"},
        ]})));
        assert_eq!(
            summary(&findings),
            [
                (
                    "/spec/containers/0/env/0/value".to_string(),
                    "env `DB_PASSWORD` of container `api` holds a password in plain text"
                        .to_string()
                ),
                (
                    "/spec/containers/0/env/1/value".to_string(),
                    "env `AWS_ACCESS_KEY_ID` of container `api` holds an AWS access key ID in \
                     plain text (`AKIA…`)"
                        .to_string()
                ),
                (
                    "/spec/containers/0/env/11/value".to_string(),
                    "env `ROOT_PASSWORD` of container `api` holds a weak default password in \
                     plain text"
                        .to_string()
                ),
                (
                    "/spec/containers/0/env/2/value".to_string(),
                    "env `AWS_SECRET` of container `api` holds an AWS secret access key in plain \
                     text"
                        .to_string()
                ),
                (
                    "/spec/containers/0/env/3/value".to_string(),
                    "env `UPSTREAM` of container `api` holds an AWS secret access key in plain \
                     text"
                        .to_string()
                ),
            ]
        );
        assert!(
            findings
                .iter()
                .all(|f| f.container.as_deref() == Some("api"))
        );
        assert!(findings.iter().all(|f| !f.message.contains(PASSWORD)));
    }

    #[test]
    fn command_and_args() {
        let findings = run(pod(value!({"name": "api",
            "command": ["sh", "-c", format!("export DB_PASSWORD={PASSWORD}; exec app")],
            "args": ["--db-password", PASSWORD, "--api-key=q8Vd2Lr0Tn5Xw9Kc3", "--verbose",
                     "--token", "$(TOKEN)", "--password-file=/etc/db/password",
                     "--dsn=postgres://app:Tr0ub4dor3@db:5432/app"]})));
        let paths: Vec<_> = findings.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/spec/containers/0/args/1",
                "/spec/containers/0/args/2",
                "/spec/containers/0/args/7",
                "/spec/containers/0/command/2",
            ]
        );
        assert_eq!(
            findings[0].message,
            "the value of `--db-password` in `args[1]` of container `api` holds a password in \
             plain text"
        );
        assert_eq!(
            findings[1].message,
            "`--api-key` in `args[2]` of container `api` holds an API key in plain text"
        );
        assert!(
            findings[2]
                .message
                .contains("a connection string with a password")
        );
    }

    #[test]
    fn config_maps() {
        let findings = run(value!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c"},
            "data": {
                "SMTP_PASSWORD": PASSWORD,
                "app.properties": format!("db.url=jdbc:postgresql://db/app\ndb.password={PASSWORD}\n"),
                "LOG_LEVEL": "debug",
                "TOKEN_TTL": "3600",
                "enable_secrets": "true",
            },
            "binaryData": {"password": "VHIwdWI0ZG9y"}}));
        assert_eq!(
            summary(&findings),
            [
                (
                    "/data/SMTP_PASSWORD".to_string(),
                    "ConfigMap key `SMTP_PASSWORD` holds a password in plain text".to_string()
                ),
                (
                    "/data/app.properties".to_string(),
                    "ConfigMap key `app.properties` (setting `db.password`) holds a password in \
                     plain text"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn annotations_and_last_applied() {
        let token = format!("ghp_{}", "Q7m2Xk9Lp4Rt8Wz1Nc6Vb3Hj5Df0Gs2Ay8Ue");
        let applied_secret = value!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "s"}, "stringData": {"password": PASSWORD}});
        let findings = run(value!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "s", "annotations": {
                "ci.example/github-token": token,
                "ci.example/token-secret-name": "ci-token",
                LAST_APPLIED: applied_secret.to_string()}},
            "stringData": {"password": PASSWORD}}));
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert_eq!(
            findings[0].message,
            "annotation `ci.example/github-token` holds a GitHub token in plain text (`ghp_…`)"
        );
        assert_eq!(
            findings[1].message,
            "annotation `kubectl.kubernetes.io/last-applied-configuration` (a copy of the \
             Secret's `stringData`) holds credentials in plain text"
        );
        assert_eq!(
            findings[1].path,
            "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"
        );

        let applied_deployment = value!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [
                {"name": "api", "env": [{"name": "DB_PASSWORD", "value": PASSWORD}]}]}}}});
        let findings = run(value!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "annotations": {LAST_APPLIED: applied_deployment.to_string()}},
            "spec": {"template": {
                "metadata": {"annotations": {"vault.example/role": "api"}},
                "spec": {"containers": [{"name": "api"}]}}}}));
        assert_eq!(
            summary(&findings),
            [(
                "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"
                    .to_string(),
                "annotation `kubectl.kubernetes.io/last-applied-configuration` (a copy of env \
                 `DB_PASSWORD` of container `api`) holds a password in plain text"
                    .to_string()
            )]
        );
    }

    #[test]
    fn a_clean_last_applied_is_fine() {
        let applied = value!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "type": "kubernetes.io/service-account-token"});
        assert!(
            run(value!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "s", "annotations": {LAST_APPLIED: applied.to_string()}}}))
            .is_empty()
        );
    }
}
