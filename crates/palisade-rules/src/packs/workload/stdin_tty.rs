//! WL041: a container keeps stdin open or allocates a terminal.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{ContainerKind, Object};

pub struct StdinTty;

pub static META: RuleMeta = RuleMeta {
    code: "WL041",
    name: "stdin-tty-enabled",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "A container sets `stdin: true` or `tty: true`, which is meant for interactive \
        sessions rather than services.",
    rationale: "`stdin` and `tty` are what `kubectl run -it` sets for an interactive shell. In a \
        long-running workload they usually mean the container's main process is a shell or an \
        interpreter waiting for input: anyone allowed `pods/attach` (often granted together \
        with `pods/exec`, and less often audited) gets an interactive session as the \
        container's user with `kubectl attach -it`, without starting a new process that \
        exec-based monitoring would see. A debugging pod left running this way is a standing \
        foothold. Low: it needs an RBAC grant to use, but it has no place in production. \
        Ephemeral containers are not reported: `kubectl debug` creates them interactive on \
        purpose.",
    remediation: "Remove `stdin: true` and `tty: true` from the container; run the service's \
        own process as the entrypoint, and open debugging sessions with `kubectl debug` when \
        needed.",
    bad_example: "containers:\n- name: toolbox\n  image: registry.example/toolbox:1.0\n  command: [\"/bin/sh\"]\n  stdin: true\n  tty: true\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  command: [\"/app/server\"]\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes API reference: Container (stdin, tty)",
            url: "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Container",
        },
        Reference {
            title: "Kubernetes documentation: kubectl attach",
            url: "https://kubernetes.io/docs/reference/kubectl/generated/kubectl_attach/",
        },
        Reference {
            title: "MITRE ATT&CK T1609: Container Administration Command",
            url: "https://attack.mitre.org/techniques/T1609/",
        },
    ],
};

impl Rule for StdinTty {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        for container in &workload.containers {
            if container.kind == ContainerKind::Ephemeral {
                continue;
            }
            let set = |field: &str| container.spec.get(field) == Some(&Value::Bool(true));
            let (path, what) = match (set("stdin"), set("tty")) {
                (false, false) => continue,
                (true, true) => (
                    "stdin",
                    "keeps stdin open and allocates a terminal (`stdin: true`, `tty: true`)",
                ),
                (true, false) => ("stdin", "keeps stdin open (`stdin: true`)"),
                (false, true) => ("tty", "allocates a terminal (`tty: true`)"),
            };
            sink.report(
                object,
                format!("{}/{path}", container.path),
                format!(
                    "{} {what}: `kubectl attach -it` gives whoever may attach an interactive \
                     session",
                    container.describe()
                ),
            )
            .in_container(container.name);
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
        check(&Inventory::new(vec![object]), &[&StdinTty])
    }

    #[test]
    fn one_finding_per_interactive_container() {
        let findings = run(value!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {
                "initContainers": [{"name": "init", "tty": true}],
                "containers": [
                    {"name": "both", "stdin": true, "tty": true},
                    {"name": "off", "stdin": false, "tty": false},
                    {"name": "in", "stdin": true, "stdinOnce": true}
                ],
                "ephemeralContainers": [{"name": "debugger", "stdin": true, "tty": true}]
            }
        }));
        let mut found: Vec<_> = findings
            .iter()
            .map(|f| (f.container.as_deref().unwrap_or(""), f.path.as_str()))
            .collect();
        found.sort_unstable();
        assert_eq!(
            found,
            [
                ("both", "/spec/containers/0/stdin"),
                ("in", "/spec/containers/2/stdin"),
                ("init", "/spec/initContainers/0/tty"),
            ]
        );
        assert!(findings.iter().any(|f| f.message
            == "container `both` keeps stdin open and allocates a terminal (`stdin: true`, \
                `tty: true`): `kubectl attach -it` gives whoever may attach an interactive \
                session"));
    }
}
