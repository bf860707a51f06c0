//! The evaluator on real NetworkPolicies: argo-cd, kube-prometheus, flux2 and calico from
//! `../shared/corpus/apps`, and a live k8s 1.32 cluster dump from `../shared/corpus/live`.
//! Every expected answer was worked out by reading the policies. Skipped with a message when
//! the corpus is absent.

use palisade_model::Value;
use palisade_model::{Inventory, Object, PositionTree};
use palisade_rules::netpol::{Endpoint, Network, PortQuery, Protocol};
use palisade_rules::{Rule, check, find_rule};
use std::path::{Path, PathBuf};

const APPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/apps");
const LIVE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/live/k8s-1.32"
);

fn present(path: &str) -> bool {
    let found = Path::new(path).is_dir();
    if !found {
        eprintln!("skipping: corpus folder {path} is absent");
    }
    found
}

fn load(paths: &[PathBuf], extra: &str) -> Inventory {
    let inputs: Vec<palisade_load::Input> = paths
        .iter()
        .map(|p| palisade_load::Input::Path(p.clone()))
        .collect();
    let mut loaded = palisade_load::load(&inputs, &palisade_load::Limits::default());
    let more = palisade_load::parse_source(
        extra,
        "extra.yaml".into(),
        &palisade_load::Limits::default(),
    );
    assert!(more.errors.is_empty(), "{:?}", more.errors);
    loaded.objects.extend(more.objects);
    Inventory::new(loaded.objects)
}

/// A live `*List` dump: API list responses leave `apiVersion` and `kind` off their items, so
/// they are filled in from the list.
fn load_live(files: &[&str]) -> Inventory {
    let mut objects = Vec::new();
    for file in files {
        let path = Path::new(LIVE).join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let list: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let api_version = list["apiVersion"].as_str().unwrap_or("v1").to_string();
        let kind = list["kind"]
            .as_str()
            .and_then(|k| k.strip_suffix("List"))
            .unwrap_or("")
            .to_string();
        for (index, mut item) in list["items"]
            .as_array()
            .map(<[Value]>::to_vec)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            item["apiVersion"] = Value::from(api_version.clone());
            item["kind"] = Value::from(kind.clone());
            let mut object = Object::new(item, (*file).into(), 0, PositionTree::default());
            object.item = u32::try_from(index).ok();
            objects.push(object);
        }
    }
    Inventory::new(objects)
}

/// `(from, to, "port[/PROTO]", allowed, ingress allowed_by, egress allowed_by)`.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
    &'static [&'static str],
);

fn check_cases(network: &Network<'_>, cases: &[Case]) {
    let mut failures = Vec::new();
    for &(from, to, port, allowed, ingress_by, egress_by) in cases {
        let endpoint = |text: &str| match text.parse() {
            Ok(address) => Ok(Endpoint::Address(address)),
            Err(_) => network.find(text).map(Endpoint::Workload),
        };
        let (number, protocol) = match port.split_once('/') {
            Some((n, p)) => (n, p.parse().unwrap_or(Protocol::Tcp)),
            None => (port, Protocol::Tcp),
        };
        let number = PortQuery::Number(number.parse().unwrap_or(0));
        let decision = endpoint(from)
            .and_then(|f| endpoint(to).map(|t| (f, t)))
            .and_then(|(f, t)| network.can_reach(f, t, &number, protocol));
        match decision {
            Err(e) => failures.push(format!("{from} -> {to}: {e}")),
            Ok(d) => {
                if d.allowed != allowed
                    || d.ingress.allowed_by_names() != ingress_by
                    || d.egress.allowed_by_names() != egress_by
                {
                    failures.push(format!(
                        "{from} -> {to} on {port}: expected {allowed} by {ingress_by:?}/{egress_by:?}, got {} by {:?}/{:?}",
                        d.allowed,
                        d.ingress.allowed_by_names(),
                        d.egress.allowed_by_names()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn codes(inventory: &Inventory, code: &str) -> Vec<String> {
    let rule: &'static dyn Rule = find_rule(code).unwrap_or_else(|| panic!("{code}"));
    let mut found: Vec<String> = check(inventory, &[rule])
        .iter()
        .map(|f| format!("{} {}", f.object, f.path))
        .collect();
    found.sort();
    found
}

#[test]
fn live_cluster_argocd() {
    if !present(LIVE) {
        return;
    }
    let inventory = load_live(&[
        "api__v1__namespaces.json",
        "api__v1__pods.json",
        "apis__apps__v1__deployments.json",
        "apis__apps__v1__statefulsets.json",
        "apis__apps__v1__daemonsets.json",
        "apis__apps__v1__replicasets.json",
        "apis__networking.k8s.io__v1__networkpolicies.json",
    ]);
    let network = Network::build(&inventory);
    assert_eq!(network.policies.len(), 7);
    // Pods and ReplicaSets fold into their Deployment or StatefulSet: seven argocd workloads.
    let argocd: Vec<String> = network
        .workloads_in("argocd")
        .iter()
        .map(|&i| network.workloads[i].id())
        .collect();
    assert_eq!(argocd.len(), 7, "{argocd:?}");
    check_cases(
        &network,
        &[
            // argocd-redis admits server, repo-server and application-controller (three
            // podSelector peers: OR) on 6379 only.
            (
                "argocd/argocd-server",
                "argocd/argocd-redis",
                "6379",
                true,
                &["argocd-redis-network-policy"],
                &[],
            ),
            (
                "argocd/argocd-application-controller",
                "argocd/argocd-redis",
                "6379",
                true,
                &["argocd-redis-network-policy"],
                &[],
            ),
            (
                "argocd/argocd-dex-server",
                "argocd/argocd-redis",
                "6379",
                false,
                &[],
                &[],
            ),
            (
                "argocd/argocd-server",
                "argocd/argocd-redis",
                "6380",
                false,
                &[],
                &[],
            ),
            // repo-server: 8081 from four argocd components, 8084 from every namespace.
            (
                "boutique/frontend",
                "argocd/argocd-repo-server",
                "8081",
                false,
                &[],
                &[],
            ),
            (
                "boutique/frontend",
                "argocd/argocd-repo-server",
                "8084",
                true,
                &["argocd-repo-server-network-policy"],
                &[],
            ),
            (
                "argocd/argocd-applicationset-controller",
                "argocd/argocd-repo-server",
                "8081",
                true,
                &["argocd-repo-server-network-policy"],
                &[],
            ),
            // argocd-server: `ingress: [{}]` admits everyone, inside or outside.
            (
                "boutique/frontend",
                "argocd/argocd-server",
                "8080",
                true,
                &["argocd-server-network-policy"],
                &[],
            ),
            (
                "198.51.100.7",
                "argocd/argocd-server",
                "443",
                true,
                &["argocd-server-network-policy"],
                &[],
            ),
            (
                "198.51.100.7",
                "argocd/argocd-redis",
                "6379",
                false,
                &[],
                &[],
            ),
            // dex: 5556 from argocd-server only (a podSelector peer: same namespace).
            (
                "argocd/argocd-server",
                "argocd/argocd-dex-server",
                "5556",
                true,
                &["argocd-dex-server-network-policy"],
                &[],
            ),
            (
                "boutique/frontend",
                "argocd/argocd-dex-server",
                "5556",
                false,
                &[],
                &[],
            ),
            (
                "boutique/frontend",
                "argocd/argocd-dex-server",
                "5558",
                true,
                &["argocd-dex-server-network-policy"],
                &[],
            ),
            // No policy elsewhere: open.
            (
                "argocd/argocd-redis",
                "boutique/frontend",
                "8080",
                true,
                &[],
                &[],
            ),
        ],
    );
    // Every argocd workload is isolated for ingress, none for egress; other namespaces have no
    // policy at all.
    assert!(
        !codes(&inventory, "NP001")
            .iter()
            .any(|f| f.contains(" argocd "))
    );
    assert!(codes(&inventory, "NP001").contains(&"Namespace boutique /metadata/name".to_string()));
    assert!(codes(&inventory, "NP002").contains(&"Namespace argocd /metadata/name".to_string()));
    assert_eq!(codes(&inventory, "NP003"), Vec::<String>::new());
    assert_eq!(codes(&inventory, "NP004"), Vec::<String>::new());
    assert_eq!(
        codes(&inventory, "NP005"),
        ["NetworkPolicy argocd/argocd-server-network-policy /spec/ingress/0"]
    );
}

#[test]
fn argo_cd_install_manifest() {
    if !present(APPS) {
        return;
    }
    let inventory = load(
        &[Path::new(APPS).join("argo-cd/manifests/install.yaml")],
        "",
    );
    let network = Network::build(&inventory);
    // The install manifest sets no namespace: everything lands in `default`.
    assert_eq!(network.policies.len(), 7);
    check_cases(
        &network,
        &[
            (
                "default/argocd-repo-server",
                "default/argocd-redis",
                "6379",
                true,
                &["argocd-redis-network-policy"],
                &[],
            ),
            (
                "default/argocd-dex-server",
                "default/argocd-redis",
                "6379",
                false,
                &[],
                &[],
            ),
            (
                "default/argocd-dex-server",
                "default/argocd-repo-server",
                "8084",
                true,
                &["argocd-repo-server-network-policy"],
                &[],
            ),
            (
                "default/argocd-dex-server",
                "default/argocd-repo-server",
                "8081",
                false,
                &[],
                &[],
            ),
        ],
    );
}

#[test]
fn kube_prometheus() {
    if !present(APPS) {
        return;
    }
    let manifests = Path::new(APPS).join("kube-prometheus/manifests");
    let files: Vec<PathBuf> = [
        "grafana-networkPolicy.yaml",
        "grafana-deployment.yaml",
        "kubeStateMetrics-networkPolicy.yaml",
        "kubeStateMetrics-deployment.yaml",
        "blackboxExporter-networkPolicy.yaml",
        "blackboxExporter-deployment.yaml",
        "prometheus-networkPolicy.yaml",
        "alertmanager-networkPolicy.yaml",
    ]
    .iter()
    .map(|f| manifests.join(f))
    .collect();
    let without_operator_pods = load(&files, "");
    // The Prometheus and Alertmanager pods come from custom resources without a pod template:
    // their policies select no scanned workload.
    assert_eq!(
        codes(&without_operator_pods, "NP004"),
        [
            "NetworkPolicy monitoring/alertmanager-main /spec/podSelector",
            "NetworkPolicy monitoring/prometheus-k8s /spec/podSelector",
        ]
    );
    // The StatefulSet the operator creates for Prometheus carries these labels.
    let prometheus = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: prometheus-k8s, namespace: monitoring}\nspec:\n  template:\n    metadata:\n      labels: {app.kubernetes.io/component: prometheus, app.kubernetes.io/instance: k8s, app.kubernetes.io/name: prometheus, app.kubernetes.io/part-of: kube-prometheus}\n    spec: {containers: [{name: prometheus, image: x}]}\n";
    let inventory = load(&files, prometheus);
    let network = Network::build(&inventory);
    check_cases(
        &network,
        &[
            // Grafana admits only pods named prometheus (same namespace) on 3000.
            (
                "monitoring/prometheus-k8s",
                "monitoring/grafana",
                "3000",
                true,
                &["grafana"],
                &["prometheus-k8s"],
            ),
            (
                "monitoring/blackbox-exporter",
                "monitoring/grafana",
                "3000",
                false,
                &[],
                &["blackbox-exporter"],
            ),
            (
                "monitoring/prometheus-k8s",
                "monitoring/grafana",
                "3001",
                false,
                &[],
                &["prometheus-k8s"],
            ),
            (
                "monitoring/prometheus-k8s",
                "monitoring/kube-state-metrics",
                "8443",
                true,
                &["kube-state-metrics"],
                &["prometheus-k8s"],
            ),
            (
                "monitoring/prometheus-k8s",
                "monitoring/kube-state-metrics",
                "8080",
                false,
                &[],
                &["prometheus-k8s"],
            ),
            // `egress: [{}]` everywhere: the internet is reachable.
            (
                "monitoring/grafana",
                "203.0.113.10",
                "443",
                true,
                &[],
                &["grafana"],
            ),
        ],
    );
    assert_eq!(codes(&inventory, "NP001"), Vec::<String>::new());
    assert_eq!(codes(&inventory, "NP002"), Vec::<String>::new());
    // Five policies of the set allow all egress.
    assert_eq!(codes(&inventory, "NP006").len(), 5);
}

#[test]
fn flux2_policies() {
    if !present(APPS) {
        return;
    }
    let policies = Path::new(APPS).join("flux2/manifests/policies");
    let controllers = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: notification-controller}\nspec: {template: {metadata: {labels: {app: notification-controller}}, spec: {containers: [{name: manager, image: x}]}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: source-controller}\nspec: {template: {metadata: {labels: {app: source-controller}}, spec: {containers: [{name: manager, image: x}]}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: client, namespace: apps}\nspec: {template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c, image: x}]}}}\n";
    let inventory = load(&[policies], controllers);
    let network = Network::build(&inventory);
    check_cases(
        &network,
        &[
            // allow-webhooks: any namespace to the notification controller on 9292.
            (
                "apps/client",
                "default/notification-controller",
                "9292",
                true,
                &["allow-webhooks"],
                &[],
            ),
            // allow-scraping: any namespace to every pod on 8080.
            (
                "apps/client",
                "default/source-controller",
                "8080",
                true,
                &["allow-scraping"],
                &[],
            ),
            (
                "apps/client",
                "default/source-controller",
                "9292",
                false,
                &[],
                &[],
            ),
            // allow-egress: the namespace's own pods on every port, and all egress.
            (
                "default/source-controller",
                "default/notification-controller",
                "9090",
                true,
                &["allow-egress"],
                &["allow-egress"],
            ),
            (
                "default/source-controller",
                "203.0.113.10",
                "443",
                true,
                &[],
                &["allow-egress"],
            ),
            // `namespaceSelector: {}` means every pod of every namespace, not outside addresses.
            (
                "203.0.113.10",
                "default/notification-controller",
                "9292",
                false,
                &[],
                &[],
            ),
            (
                "203.0.113.10",
                "default/notification-controller",
                "9090",
                false,
                &[],
                &[],
            ),
        ],
    );
    assert_eq!(
        codes(&inventory, "NP006"),
        ["NetworkPolicy allow-egress /spec/egress/0"]
    );
    assert_eq!(codes(&inventory, "NP005"), Vec::<String>::new());
}

#[test]
fn calico_apiserver() {
    if !present(APPS) {
        return;
    }
    let inventory = load(
        &[Path::new(APPS).join("calico/manifests/apiserver.yaml")],
        "apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: apps}\nspec: {containers: [{name: c}]}\n",
    );
    let network = Network::build(&inventory);
    check_cases(
        &network,
        &[
            // allow-apiserver: a rule without `from` admits every source on TCP 5443.
            (
                "apps/client",
                "calico-apiserver/calico-apiserver",
                "5443",
                true,
                &["allow-apiserver"],
                &[],
            ),
            (
                "198.51.100.7",
                "calico-apiserver/calico-apiserver",
                "5443",
                true,
                &["allow-apiserver"],
                &[],
            ),
            (
                "apps/client",
                "calico-apiserver/calico-apiserver",
                "8080",
                false,
                &[],
                &[],
            ),
            (
                "apps/client",
                "calico-apiserver/calico-apiserver",
                "5443/UDP",
                false,
                &[],
                &[],
            ),
            // Only ingress is isolated (policyTypes inferred).
            (
                "calico-apiserver/calico-apiserver",
                "203.0.113.10",
                "443",
                true,
                &[],
                &[],
            ),
        ],
    );
}
