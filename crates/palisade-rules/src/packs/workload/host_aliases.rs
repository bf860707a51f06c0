//! WL039: the pod overrides name resolution with `hostAliases`.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;

pub struct HostAliases;

pub static META: RuleMeta = RuleMeta {
    code: "WL039",
    name: "host-aliases",
    pack: Pack::Workload,
    severity: Severity::Info,
    kinds: &["<workload>"],
    summary: "The pod sets `hostAliases`, which writes fixed name-to-address entries into its \
        `/etc/hosts`.",
    rationale: "Entries in `hostAliases` take precedence over DNS for the pod's containers. \
        That is sometimes legitimate (a legacy host without a DNS record), but it also \
        silently redirects traffic: a manifest that maps `login.example.com` or a package \
        registry to another address sends credentials or fetches code there, and reviewers \
        and DNS-based monitoring do not see it because the redirection lives in the pod spec. \
        Fixed addresses also go stale when the real service moves. Info: worth a look in \
        review, not a weakness by itself.",
    remediation: "Remove `hostAliases` and publish the names in DNS (a Service, an \
        ExternalName Service or a record in the cluster's DNS); keep any remaining entry \
        documented next to the manifest.",
    bad_example: "spec:\n  hostAliases:\n  - ip: 203.0.113.10\n    hostnames: [\"login.example.com\"]\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Adding entries to Pod /etc/hosts with HostAliases",
            url: "https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/",
        },
        Reference {
            title: "MITRE ATT&CK T1557: Adversary-in-the-Middle",
            url: "https://attack.mitre.org/techniques/T1557/",
        },
    ],
};

/// How many mappings a message spells out before summarising the rest.
const SHOWN: usize = 3;

impl Rule for HostAliases {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        let Some(aliases) = workload
            .pod_spec
            .get("hostAliases")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
        else {
            return;
        };
        let mut mappings: Vec<String> = Vec::new();
        for alias in aliases {
            let ip = alias.get("ip").and_then(Value::as_str).unwrap_or("?");
            let names = alias.get("hostnames").and_then(Value::as_array);
            for name in names.into_iter().flatten().filter_map(Value::as_str) {
                mappings.push(format!("`{name}` → {ip}"));
            }
        }
        let mut listed = mappings
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if mappings.len() > SHOWN {
            listed.push_str(&format!(" and {} more", mappings.len() - SHOWN));
        }
        if listed.is_empty() {
            listed = "entries without hostnames".to_string();
        }
        sink.report(
            object,
            workload.spec_path("hostAliases"),
            format!("the pod's /etc/hosts overrides DNS: {listed}"),
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

    fn run(aliases: Value) -> Vec<Finding> {
        let object = Object::new(
            value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                   "spec": {"hostAliases": aliases, "containers": [{"name": "a"}]}}),
            "t.yaml".into(),
            0,
            PositionTree::default(),
        );
        check(&Inventory::new(vec![object]), &[&HostAliases])
    }

    #[test]
    fn names_the_mappings() {
        let findings = run(value!([
            {"ip": "10.0.0.1", "hostnames": ["a.example", "b.example"]},
            {"ip": "10.0.0.2", "hostnames": ["c.example", "d.example"]}
        ]));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].path, "/spec/hostAliases");
        assert_eq!(
            findings[0].message,
            "the pod's /etc/hosts overrides DNS: `a.example` → 10.0.0.1, `b.example` → \
             10.0.0.1, `c.example` → 10.0.0.2 and 1 more"
        );
    }

    #[test]
    fn empty_or_absent_is_fine() {
        assert!(run(value!([])).is_empty());
        assert!(run(Value::Null).is_empty());
    }
}
