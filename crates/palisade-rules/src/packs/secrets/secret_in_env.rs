//! SE003: a Secret reaches a container through environment variables.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;

pub struct SecretInEnv;

pub static META: RuleMeta = RuleMeta {
    code: "SE003",
    name: "secret-in-env",
    pack: Pack::Secrets,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "A container reads a Secret through environment variables \
        (`env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`).",
    rationale: "Environment variables leak: every child process inherits them, crash \
        reporters, debug endpoints and error pages dump them, they are readable in \
        `/proc/<pid>/environ` by any process running as the same user or with \
        `CAP_SYS_PTRACE` (and by anything that shares the pod's or the node's process \
        namespace), and `kubectl describe` and `docker inspect` style tools show them. They \
        are also fixed at container start, so a rotated Secret needs a restart. A Secret \
        volume is a file with restrictive permissions, on tmpfs, read only when needed, and \
        updated in place when the Secret changes. `envFrom` is reported too, and is worse: it \
        exposes every key of the Secret, including keys added later.",
    remediation: "Mount the Secret as a volume (`secret.secretName`, with `readOnly: true` on \
        the mount and a tight `defaultMode`) and have the application read the file, often \
        through a `*_FILE` setting such as `POSTGRES_PASSWORD_FILE`; keep environment \
        variables for non-secret configuration.",
    bad_example: "spec:\n  containers:\n  - name: api\n    image: registry.example/api:2.3.1\n    env:\n    - name: DB_PASSWORD\n      valueFrom:\n        secretKeyRef:\n          name: api-db\n          key: password\n",
    good_example: "spec:\n  containers:\n  - name: api\n    image: registry.example/api:2.3.1\n    env:\n    - name: DB_PASSWORD_FILE\n      value: /var/run/secrets/db/password\n    volumeMounts:\n    - name: db\n      mountPath: /var/run/secrets/db\n      readOnly: true\n  volumes:\n  - name: db\n    secret:\n      secretName: api-db\n      defaultMode: 0400\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.4.1: Prefer using secrets as files over secrets \
                as environment variables",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "Kubernetes documentation: Good practices for Kubernetes Secrets",
            url: "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Secrets",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1552.007: Unsecured Credentials: Container API",
            url: "https://attack.mitre.org/techniques/T1552/007/",
        },
        Reference {
            title: "OWASP Secrets Management Cheat Sheet",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
        },
    ],
};

fn name_of(reference: &Value) -> &str {
    reference.get("name").and_then(Value::as_str).unwrap_or("")
}

impl Rule for SecretInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        for container in &workload.containers {
            let env = container.spec.get("env").and_then(Value::as_array);
            for (index, entry) in env.into_iter().flatten().enumerate() {
                let Some(reference) = entry.pointer("/valueFrom/secretKeyRef") else {
                    continue;
                };
                let variable = entry.get("name").and_then(Value::as_str).unwrap_or("");
                let key = reference.get("key").and_then(Value::as_str).unwrap_or("");
                sink.report(
                    object,
                    format!("{}/env/{index}/valueFrom/secretKeyRef", container.path),
                    format!(
                        "env `{variable}` of {} is read from Secret `{}` (key `{key}`)",
                        container.describe(),
                        name_of(reference)
                    ),
                )
                .in_container(container.name);
            }
            let env_from = container.spec.get("envFrom").and_then(Value::as_array);
            for (index, entry) in env_from.into_iter().flatten().enumerate() {
                let Some(reference) = entry.get("secretRef") else {
                    continue;
                };
                sink.report(
                    object,
                    format!("{}/envFrom/{index}/secretRef", container.path),
                    format!(
                        "{} imports every key of Secret `{}` as environment variables",
                        container.describe(),
                        name_of(reference)
                    ),
                )
                .in_container(container.name);
            }
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
        check(&Inventory::new(vec![object]), &[&SecretInEnv])
    }

    #[test]
    fn secret_key_refs_and_env_from() {
        let findings = run(value!({"apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "c"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "initContainers": [{"name": "migrate", "envFrom": [
                {"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "db"}}]}],
            "containers": [{"name": "job", "env": [
                {"name": "PLAIN", "value": "x"},
                {"name": "CFG", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k"}}},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]}]
        }}}}}}));
        let found: Vec<_> = findings
            .iter()
            .map(|f| (f.path.as_str(), f.message.as_str(), f.container.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "/spec/jobTemplate/spec/template/spec/containers/0/env/2/valueFrom/secretKeyRef",
                    "env `DB_PASSWORD` of container `job` is read from Secret `db` (key `password`)",
                    Some("job")
                ),
                (
                    "/spec/jobTemplate/spec/template/spec/initContainers/0/envFrom/1/secretRef",
                    "init container `migrate` imports every key of Secret `db` as environment variables",
                    Some("migrate")
                ),
            ]
        );
    }

    #[test]
    fn secret_volumes_are_fine() {
        assert!(
            run(value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "a", "volumeMounts": [{"name": "s", "mountPath": "/s"}]}],
                         "volumes": [{"name": "s", "secret": {"secretName": "db"}}]}}))
            .is_empty()
        );
    }
}
