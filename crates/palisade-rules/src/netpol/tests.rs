//! Table-driven tests of the evaluator, one table per semantic point.

use super::*;
use palisade_model::Inventory;

/// Namespaces `web` (team=web) and `data` (team=data) are declared; `other` is not, so it has
/// only the automatic name label.
const WORLD: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {team: web}}
---
apiVersion: v1
kind: Namespace
metadata: {name: data, labels: {team: data}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: web}
spec:
  template:
    metadata: {labels: {app: frontend, tier: ui}}
    spec:
      containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: web}
spec:
  template:
    metadata: {labels: {app: api, tier: backend}}
    spec:
      containers: [{name: c, image: x}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: postgres
        image: x
        ports: [{name: pg, containerPort: 5432}, {name: metrics, containerPort: 9187}]
      - name: dns
        image: x
        ports: [{name: dns, containerPort: 5353, protocol: UDP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: data}
spec:
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers: [{name: c, image: x, ports: [{name: redis, containerPort: 6379}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: tool, namespace: other}
spec:
  template:
    metadata: {labels: {app: tool}}
    spec:
      containers: [{name: c, image: x}]
"#;

fn inventory(extra: &str) -> Inventory {
    let text = format!("{WORLD}\n---\n{extra}");
    let loaded =
        palisade_load::parse_source(&text, "t.yaml".into(), &palisade_load::Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    Inventory::new(loaded.objects)
}

fn endpoint(network: &Network<'_>, text: &str) -> Endpoint {
    match text.parse::<IpAddr>() {
        Ok(address) => Endpoint::Address(address),
        Err(_) => Endpoint::Workload(network.find(text).unwrap_or_else(|e| panic!("{e}"))),
    }
}

/// `(from, to, "5432" | "5432/UDP" | "pg", allowed)`.
type Query = (&'static str, &'static str, &'static str, bool);

fn decide(network: &Network<'_>, from: &str, to: &str, port: &str) -> Decision {
    let (port, protocol) = match port.split_once('/') {
        Some((p, proto)) => (p, proto.parse().unwrap_or(Protocol::Tcp)),
        None => (port, Protocol::Tcp),
    };
    let port = match port.parse::<u16>() {
        Ok(n) => PortQuery::Number(n),
        Err(_) => PortQuery::Name(port.to_string()),
    };
    network
        .can_reach(
            endpoint(network, from),
            endpoint(network, to),
            &port,
            protocol,
        )
        .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"))
}

fn check_table(cases: &[(&str, &str, &[Query])]) {
    let mut failures = Vec::new();
    for (name, policies, queries) in cases {
        let inventory = inventory(policies);
        let network = Network::build(&inventory);
        for policy in &network.policies {
            assert!(
                policy.problems.is_empty() || name.contains("invalid"),
                "{name}: {:?}",
                policy.problems
            );
        }
        for &(from, to, port, expected) in *queries {
            let decision = decide(&network, from, to, port);
            if decision.allowed != expected {
                failures.push(format!(
                    "{name}: {from} -> {to} on {port}: expected {expected}, got {decision:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn selection_isolation_and_policy_types() {
    check_table(&[
        (
            "no policy: everything is open",
            "",
            &[
                ("web/frontend", "data/db", "5432", true),
                ("other/tool", "data/db", "1", true),
                ("data/db", "203.0.113.9", "443", true),
            ],
        ),
        (
            "default deny ingress in data",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: data}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n",
            &[
                ("web/frontend", "data/db", "5432", false),
                ("data/cache", "data/db", "5432", false),
                // Egress of data is not isolated; web's ingress is untouched.
                ("data/db", "web/frontend", "8080", true),
                ("data/db", "203.0.113.9", "443", true),
            ],
        ),
        (
            "ingress: [] without policyTypes denies all ingress",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: data}\nspec: {podSelector: {matchLabels: {app: db}}, ingress: []}\n",
            &[
                ("web/frontend", "data/db", "5432", false),
                ("web/frontend", "data/cache", "6379", true),
            ],
        ),
        (
            "ingress: [{}] allows all ingress",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: data}\nspec: {podSelector: {}, ingress: [{}]}\n",
            &[
                ("web/frontend", "data/db", "5432", true),
                ("198.51.100.1", "data/db", "5432", true),
            ],
        ),
        (
            "egress rules without policyTypes isolate ingress too",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress-only, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  egress: [{to: [{podSelector: {matchLabels: {app: cache}}}]}]\n",
            &[
                ("web/frontend", "data/db", "5432", false),
                ("data/db", "data/cache", "6379", true),
                ("data/db", "web/frontend", "8080", false),
            ],
        ),
        (
            "egress: [] without policyTypes does not isolate egress",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec: {podSelector: {matchLabels: {app: db}}, ingress: [{}], egress: []}\n",
            &[
                ("data/db", "web/frontend", "8080", true),
                ("data/db", "203.0.113.9", "443", true),
            ],
        ),
        (
            "policyTypes [Egress] without rules denies egress only",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Egress]}\n",
            &[
                ("data/db", "data/cache", "6379", false),
                ("data/db", "203.0.113.9", "443", false),
                ("web/frontend", "data/db", "5432", true),
            ],
        ),
        (
            "policyTypes [Egress] ignores ingress rules",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec: {podSelector: {}, policyTypes: [Egress], ingress: [{from: [{podSelector: {matchLabels: {app: none}}}]}], egress: [{}]}\n",
            &[("web/frontend", "data/db", "5432", true)],
        ),
        (
            "a policy selects pods of its own namespace only",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: web}\nspec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress, Egress]}\n",
            &[("web/frontend", "data/db", "5432", true)],
        ),
        (
            "podSelector with matchExpressions",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: web}\nspec:\n  podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [ui]}]}\n  policyTypes: [Ingress]\n",
            &[
                ("data/db", "web/frontend", "8080", true),
                ("data/db", "web/api", "8080", false),
            ],
        ),
        (
            "policies are additive: the union of their rules",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: frontend}}}], ports: [{port: 5432}]}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: api}}}], ports: [{port: 9187}]}]\n",
            &[
                ("web/frontend", "data/db", "5432", true),
                ("web/frontend", "data/db", "9187", false),
                ("web/api", "data/db", "9187", true),
                ("web/api", "data/db", "5432", false),
            ],
        ),
    ]);
}

#[test]
fn peers() {
    check_table(&[
        (
            "namespaceSelector on the automatic name label, declared namespace",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]}]\n",
            &[
                ("web/frontend", "data/db", "5432", true),
                ("web/api", "data/db", "5432", true),
                ("other/tool", "data/db", "5432", false),
                // A podSelector-less namespaceSelector does not include the policy's namespace.
                ("data/cache", "data/db", "5432", false),
            ],
        ),
        (
            "namespaceSelector on the automatic label of an undeclared namespace",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}}]}]\n",
            &[
                ("other/tool", "data/db", "5432", true),
                ("web/frontend", "data/db", "5432", false),
            ],
        ),
        (
            "namespaceSelector on a custom label",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: web}}}]}]\n",
            &[
                ("web/api", "data/db", "5432", true),
                ("other/tool", "data/db", "5432", false),
            ],
        ),
        (
            "namespaceSelector and podSelector in one peer: AND",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: web}}\n      podSelector: {matchLabels: {app: frontend}}\n",
            &[
                ("web/frontend", "data/db", "5432", true),
                ("web/api", "data/db", "5432", false),
                ("other/tool", "data/db", "5432", false),
                ("data/cache", "data/db", "5432", false),
            ],
        ),
        (
            "namespaceSelector and podSelector as two peers: OR",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: web}}\n    - podSelector: {matchLabels: {app: cache}}\n",
            &[
                ("web/frontend", "data/db", "5432", true),
                ("web/api", "data/db", "5432", true),
                ("data/cache", "data/db", "5432", true),
                ("other/tool", "data/db", "5432", false),
            ],
        ),
        (
            "a podSelector peer picks pods of the policy's namespace only",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{podSelector: {matchLabels: {app: tool}}}]}]\n",
            &[("other/tool", "data/db", "5432", false)],
        ),
        (
            "namespaceSelector {} with a podSelector: those pods in every namespace",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: tool}}}]}]\n",
            &[
                ("other/tool", "data/db", "5432", true),
                ("web/frontend", "data/db", "5432", false),
            ],
        ),
        (
            "from: [] admits every source",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec: {podSelector: {}, ingress: [{from: [], ports: [{port: 5432}]}]}\n",
            &[
                ("other/tool", "data/db", "5432", true),
                ("203.0.113.1", "data/db", "5432", true),
                ("other/tool", "data/db", "5433", false),
            ],
        ),
        (
            "ipBlock with except, egress",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: web}\nspec:\n  podSelector: {matchLabels: {app: frontend}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]\n",
            &[
                ("web/frontend", "10.2.3.4", "443", true),
                ("web/frontend", "10.1.2.3", "443", false),
                ("web/frontend", "192.168.1.1", "443", false),
                // ipBlock never matches workloads.
                ("web/frontend", "data/db", "5432", false),
                ("web/api", "10.1.2.3", "443", true),
            ],
        ),
        (
            "ipBlock on ingress admits addresses, not workloads",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n",
            &[
                ("203.0.113.5", "data/db", "5432", true),
                ("2001:db8::1", "data/db", "5432", false),
                ("web/frontend", "data/db", "5432", false),
            ],
        ),
        (
            "invalid: an empty peer matches nothing",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: data}\nspec: {podSelector: {}, ingress: [{from: [{}]}]}\n",
            &[("web/frontend", "data/db", "5432", false)],
        ),
    ]);
}

#[test]
fn ports_and_protocols() {
    let allow = |ports: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: data}}\nspec:\n  podSelector: {{}}\n  ingress: [{{ports: {ports}}}]\n"
        )
    };
    let cases: Vec<(String, &str, Vec<Query>)> = vec![
        (
            allow("[{port: 5432}]"),
            "by number, TCP by default",
            vec![
                ("web/frontend", "data/db", "5432", true),
                ("web/frontend", "data/db", "5433", false),
                ("web/frontend", "data/db", "5432/UDP", false),
            ],
        ),
        (
            allow("[{port: pg}]"),
            "by name, resolved on the destination",
            vec![
                ("web/frontend", "data/db", "5432", true),
                ("web/frontend", "data/db", "pg", true),
                ("web/frontend", "data/db", "9187", false),
                // The cache has no port named pg: nothing is admitted there.
                ("web/frontend", "data/cache", "5432", false),
                ("web/frontend", "data/cache", "6379", false),
            ],
        ),
        (
            allow("[{port: dns}]"),
            "by name: the protocol must match the container port's",
            vec![("web/frontend", "data/db", "5353/UDP", false)],
        ),
        (
            allow("[{port: dns, protocol: UDP}]"),
            "by name with UDP",
            vec![
                ("web/frontend", "data/db", "5353/UDP", true),
                ("web/frontend", "data/db", "5353", false),
            ],
        ),
        (
            allow("[{port: 5000, endPort: 6000}]"),
            "endPort range",
            vec![
                ("web/frontend", "data/db", "5000", true),
                ("web/frontend", "data/db", "5432", true),
                ("web/frontend", "data/db", "6000", true),
                ("web/frontend", "data/db", "6001", false),
                ("web/frontend", "data/db", "4999", false),
            ],
        ),
        (
            allow("[{protocol: UDP}]"),
            "a protocol without a port: every port of it",
            vec![
                ("web/frontend", "data/db", "53/UDP", true),
                ("web/frontend", "data/db", "53", false),
            ],
        ),
        (
            allow("[{protocol: SCTP, port: 3868}]"),
            "SCTP",
            vec![
                ("web/frontend", "data/db", "3868/SCTP", true),
                ("web/frontend", "data/db", "3868", false),
            ],
        ),
        (
            allow("[]"),
            "ports: [] admits every port",
            vec![("web/frontend", "data/db", "1/SCTP", true)],
        ),
    ];
    let mut failures = Vec::new();
    for (policy, name, queries) in &cases {
        let inventory = inventory(policy);
        let network = Network::build(&inventory);
        for &(from, to, port, expected) in queries {
            let decision = decide(&network, from, to, port);
            if decision.allowed != expected {
                failures.push(format!(
                    "{name}: {from} -> {to} on {port}: expected {expected}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn both_directions_must_allow_and_decisions_are_traced() {
    let inventory = inventory(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: frontend-egress, namespace: web}\nspec:\n  podSelector: {matchLabels: {app: frontend}}\n  policyTypes: [Egress]\n  egress: [{to: [{namespaceSelector: {matchLabels: {team: data}}}], ports: [{port: 5432}]}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db-ingress, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: frontend}}}]}]\n",
    );
    let network = Network::build(&inventory);
    let allowed = decide(&network, "web/frontend", "data/db", "5432");
    assert!(allowed.allowed);
    assert!(allowed.egress.isolated && allowed.ingress.isolated);
    assert_eq!(allowed.egress.allowed_by_names(), ["frontend-egress"]);
    assert_eq!(allowed.ingress.allowed_by_names(), ["db-ingress"]);
    assert_eq!(allowed.ingress.allowed_by[0].rule, "/spec/ingress/0");

    // Ingress allows 9187, egress does not.
    let denied = decide(&network, "web/frontend", "data/db", "9187");
    assert!(!denied.allowed && !denied.egress.allowed && denied.ingress.allowed);
    // Egress allows the cache, its ingress is open.
    assert!(decide(&network, "web/frontend", "data/cache", "5432").allowed);
    // The api is not isolated for egress, but the db's ingress admits only the frontend.
    let api = decide(&network, "web/api", "data/db", "5432");
    assert!(!api.allowed && !api.egress.isolated && api.ingress.isolated);
    assert_eq!(api.ingress.isolated_by[0].name, "db-ingress");

    let edge = network.reachable_ports(
        network.find("web/frontend").unwrap_or(0),
        network.find("data/db").unwrap_or(0),
    );
    assert_eq!(edge.labels(), ["TCP/5432"]);
}

#[test]
fn matrix_lists_ports_per_pair() {
    let inventory = inventory(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: web}}}]\n    ports: [{port: pg}, {port: 9000, endPort: 9200}]\n",
    );
    let network = Network::build(&inventory);
    let edges = network.matrix(Some("data"));
    let into_db: Vec<(String, String)> = edges
        .iter()
        .filter(|e| network.workloads[e.to].name == "db")
        .map(|e| (network.workloads[e.from].id(), e.ports.to_string()))
        .collect();
    assert_eq!(
        into_db,
        [
            (
                "web/frontend".to_string(),
                "TCP/5432,TCP/9000-9200".to_string()
            ),
            ("web/api".to_string(), "TCP/5432,TCP/9000-9200".to_string()),
        ]
    );
    // Pairs with no end in `data` are left out; open pairs are listed with every port.
    assert!(edges.iter().all(|e| {
        network.workloads[e.from].namespace == "data" || network.workloads[e.to].namespace == "data"
    }));
    assert!(edges.iter().any(|e| network.workloads[e.from].name == "db"
        && network.workloads[e.to].name == "tool"
        && e.ports.is_all()));
    assert_eq!(network.matrix(None).len(), 5 * 4 - 2);
}

#[test]
fn workloads_are_named_after_their_controller() {
    let inventory = inventory(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: frontend-7d9f-abcde\n  namespace: web\n  labels: {app: frontend, pod-template-hash: 7d9f}\n  ownerReferences: [{kind: ReplicaSet, name: frontend-7d9f, controller: true}]\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: worker-5c8b-xyz\n  namespace: web\n  labels: {app: worker, pod-template-hash: 5c8b}\n  ownerReferences: [{kind: ReplicaSet, name: worker-5c8b, controller: true}]\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: worker-5c8b-uvw\n  namespace: web\n  labels: {app: worker, pod-template-hash: 5c8b}\n  ownerReferences: [{kind: ReplicaSet, name: worker-5c8b, controller: true}]\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: loose, labels: {app: loose}}\nspec: {containers: [{name: c}]}\n",
    );
    let network = Network::build(&inventory);
    let mut ids: Vec<(String, &str)> = network
        .workloads
        .iter()
        .map(|w| (w.id(), w.kind.as_str()))
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            ("data/cache".to_string(), "Deployment"),
            ("data/db".to_string(), "StatefulSet"),
            ("default/loose".to_string(), "Pod"),
            ("other/tool".to_string(), "Deployment"),
            ("web/api".to_string(), "Deployment"),
            ("web/frontend".to_string(), "Deployment"),
            ("web/worker".to_string(), "Deployment"),
        ]
    );
    assert!(network.find("web/nothing").is_err());
    assert!(network.find("web/Deployment/api").is_ok());
}

#[test]
fn port_sets() {
    let named = [NamedPort {
        name: "http".into(),
        number: 8080,
        protocol: Protocol::Tcp,
    }];
    let spec = |port: Option<PortValue>, end: Option<u16>| PortSpec {
        protocol: Protocol::Tcp,
        port,
        end_port: end,
    };
    let a = PortSet::of_specs(
        &[
            spec(Some(PortValue::Number(80)), None),
            spec(Some(PortValue::Number(81)), Some(90)),
            spec(Some(PortValue::Name("http".into())), None),
            spec(Some(PortValue::Name("missing".into())), None),
        ],
        &named,
    );
    assert_eq!(a.labels(), ["TCP/80-90", "TCP/8080"]);
    let b = PortSet::of_specs(&[spec(Some(PortValue::Number(85)), Some(9000))], &named);
    assert_eq!(a.intersect(&b).labels(), ["TCP/85-90", "TCP/8080"]);
    assert_eq!(PortSet::all().intersect(&a), a);
    let mut all = PortSet::default();
    for protocol in Protocol::ALL {
        all.union_with(&PortSet::of_specs(
            &[PortSpec {
                protocol,
                port: None,
                end_port: None,
            }],
            &named,
        ));
    }
    assert!(all.is_all());
    assert_eq!(all.labels(), ["any"]);
}

#[test]
fn address_blocks() {
    let net = |s: &str| s.parse::<IpNet>().unwrap_or_else(|e| panic!("{s}: {e}"));
    assert_eq!(
        cidr::subtract(net("10.0.0.0/8"), &[net("10.0.0.0/9")]),
        [net("10.128.0.0/9")]
    );
    assert!(cidr::subtract(net("10.1.0.0/16"), &[net("10.0.0.0/8")]).is_empty());
    let cases = [
        ("0.0.0.0/0", vec![], true),
        ("10.0.0.0/8", vec![], false),
        ("0.0.0.0/0", vec!["0.0.0.0/1", "128.0.0.0/1"], false),
        ("192.168.0.0/16", vec![], false),
        ("8.8.8.8/32", vec![], true),
        ("::/0", vec![], true),
        ("fd00::/8", vec![], false),
    ];
    for (cidr, except, expected) in cases {
        let except: Vec<IpNet> = except.into_iter().map(net).collect();
        assert_eq!(
            cidr::reaches_internet(&net(cidr), &except),
            expected,
            "{cidr} except {except:?}"
        );
    }
}

#[test]
fn policy_parsing_defaults_and_problems() {
    let inventory = inventory(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector: {matchExpressions: [{key: a, operator: Gt, values: ['1']}]}\n  ingress: [{ports: [{port: http, endPort: 90}]}]\n",
    );
    let network = Network::build(&inventory);
    let policy = &network.policies[0];
    assert_eq!(policy.namespace, "default");
    assert!(policy.pod_selector.is_none());
    assert!(policy.isolates_ingress && !policy.isolates_egress && !policy.explicit_types);
    assert_eq!(policy.problems.len(), 2, "{:?}", policy.problems);
    // The only port item was invalid: the rule admits nothing rather than everything.
    assert_eq!(policy.ingress[0].peers.as_ref().map(Vec::len), Some(0));
    assert!(network.selected_by(0).is_empty());
}

#[test]
fn internet_egress() {
    let inventory = inventory(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: private-only, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: anywhere, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: cache}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}], ports: [{port: 443}]}]\n",
    );
    let network = Network::build(&inventory);
    let index = |id: &str| network.find(id).unwrap_or(usize::MAX);
    assert_eq!(network.internet_egress(index("data/db")), None);
    let cache = network.internet_egress(index("data/cache"));
    assert_eq!(
        cache.map(|rules| rules.into_iter().map(|r| r.policy.name).collect::<Vec<_>>()),
        Some(vec!["anywhere".to_string()])
    );
    assert_eq!(network.internet_egress(index("web/api")), Some(Vec::new()));
}
