//! The RBAC model against real RBAC objects: the manifests of argo-cd, ingress-nginx,
//! kube-prometheus and kubernetes-goat, and the lists recorded from a live 1.32 API server.
//! Every expected answer below was checked by hand against the manifests. Skipped with a
//! message when the corpus folder is absent.

use palisade_model::Value;
use palisade_model::{Inventory, Object, PositionTree};
use palisade_rules::rbac::paths::Graph;
use palisade_rules::rbac::{Model, Request, Subject, SubjectKind, defaults};
use palisade_rules::{Rule, check};
use std::path::{Path, PathBuf};

fn corpus(relative: &str) -> Option<PathBuf> {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
    .join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

fn load(paths: &[PathBuf]) -> Inventory {
    let mut objects = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).expect("readable corpus file");
        let loaded = palisade_load::parse_source(
            &text,
            path.display().to_string().into(),
            &palisade_load::Limits::default(),
        );
        objects.extend(loaded.objects);
    }
    Inventory::new(objects)
}

/// `(kind, namespace/name, scope)` of every subject allowed, sorted, without system:masters.
fn who(model: &Model<'_>, request: &Request) -> Vec<String> {
    model
        .who_can(request)
        .into_iter()
        .filter(|a| a.subject.name != "system:masters")
        .map(|a| format!("{} [{}]", a.subject.display(), a.scope.as_str()))
        .collect()
}

fn get(resource: &str) -> Request {
    Request::resource("get", "", resource)
}

#[test]
fn kubernetes_goat_insecure_rbac() {
    let Some(dir) = corpus("apps/kubernetes-goat/scenarios/insecure-rbac") else {
        return;
    };
    let inventory = load(&[dir.join("setup.yaml")]);
    let model = Model::build(&inventory);
    assert_eq!(model.defaults_used, ["cluster-admin"]);
    assert_eq!(
        who(&model, &get("secrets").in_namespace("default")),
        ["ServiceAccount kube-system/superadmin [cluster]"]
    );
    let mut graph = Graph::build(&model);
    let superadmin = Subject::service_account("kube-system", "superadmin");
    assert!(graph.is_admin(&superadmin).is_some());
}

#[test]
fn argo_cd_install() {
    let Some(file) = corpus("apps/argo-cd/manifests/install.yaml") else {
        return;
    };
    let inventory = load(&[file]);
    let model = Model::build(&inventory);
    // `*` on everything for the application controller; the applicationset controller lists
    // secrets and configmaps cluster-wide; argocd-server has get/patch/delete on `*` but no
    // `list`.
    let list = who(
        &model,
        &Request::resource("list", "", "secrets").in_namespace("prod"),
    );
    assert_eq!(
        list,
        [
            "ServiceAccount argocd/argocd-application-controller [cluster]",
            "ServiceAccount argocd/argocd-applicationset-controller [cluster]",
        ]
    );
    let get_secret = who(&model, &get("secrets").in_namespace("prod"));
    assert!(get_secret.contains(&"ServiceAccount argocd/argocd-server [cluster]".to_string()));
    // `*` resources include nodes/proxy.
    assert!(
        who(&model, &get("nodes/proxy"))
            .contains(&"ServiceAccount argocd/argocd-server [cluster]".to_string())
    );
    let mut graph = Graph::build(&model);
    let controller = Subject::service_account("argocd", "argocd-application-controller");
    assert!(graph.is_admin(&controller).is_some());
    // argocd-server may create Jobs anywhere: a Job in `argocd` running as the application
    // controller's service account is cluster-admin.
    let server = Subject::service_account("argocd", "argocd-server");
    let path = graph
        .shortest_path(&server)
        .expect("a path from argocd-server");
    assert_eq!(path.steps.len(), 2);
    assert_eq!(path.steps[0].to.as_ref(), Some(&controller));
}

#[test]
fn ingress_nginx_cloud() {
    let Some(file) = corpus("apps/ingress-nginx/deploy/static/provider/cloud/deploy.yaml") else {
        return;
    };
    let inventory = load(&[file]);
    let model = Model::build(&inventory);
    // ClusterRole ingress-nginx: list/watch secrets everywhere; Role ingress-nginx:
    // get/list/watch in its namespace; Role ingress-nginx-admission: get/create there.
    assert_eq!(
        who(&model, &get("secrets").in_namespace("ingress-nginx")),
        [
            "ServiceAccount ingress-nginx/ingress-nginx [ingress-nginx]",
            "ServiceAccount ingress-nginx/ingress-nginx-admission [ingress-nginx]",
        ]
    );
    assert!(who(&model, &get("secrets").in_namespace("shop")).is_empty());
    assert_eq!(
        who(
            &model,
            &Request::resource("watch", "", "secrets").in_namespace("shop")
        ),
        ["ServiceAccount ingress-nginx/ingress-nginx [cluster]"]
    );
    let findings = check(&inventory, palisade_rules::packs::rbac::RULES);
    let mut secret_findings: Vec<String> = findings
        .iter()
        .filter(|f| f.rule.code == "RB001")
        .map(|f| format!("{} {} {}", f.object, f.path, f.severity))
        .collect();
    secret_findings.sort();
    assert_eq!(
        secret_findings,
        [
            "ClusterRole ingress-nginx /rules/0 high",
            "Role ingress-nginx/ingress-nginx /rules/1 medium",
            "Role ingress-nginx/ingress-nginx-admission /rules/0 medium",
        ]
    );
}

#[test]
fn kube_prometheus() {
    let Some(dir) = corpus("apps/kube-prometheus/manifests") else {
        return;
    };
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    let inventory = load(&files);
    let model = Model::build(&inventory);
    assert_eq!(
        who(&model, &Request::resource("list", "", "secrets")),
        [
            "ServiceAccount monitoring/kube-state-metrics [cluster]",
            "ServiceAccount monitoring/prometheus-operator [cluster]",
        ]
    );
    assert_eq!(
        who(&model, &get("nodes/metrics")),
        ["ServiceAccount monitoring/prometheus-k8s [cluster]"]
    );
    // The adapter's RoleBinding to `extension-apiserver-authentication-reader` in kube-system
    // names a Role that is not in the input.
    assert!(
        model
            .defaults_used
            .iter()
            .any(|n| n == "system:auth-delegator")
    );
}

/// The recorded API responses: `*List` objects whose items carry no kind or apiVersion.
fn live_inventory(dir: &Path) -> Inventory {
    let mut objects = Vec::new();
    for resource in [
        "clusterroles",
        "clusterrolebindings",
        "roles",
        "rolebindings",
    ] {
        let path = dir.join(format!(
            "apis__rbac.authorization.k8s.io__v1__{resource}.json"
        ));
        let text = std::fs::read_to_string(&path).expect("readable recording");
        let list: Value = serde_json::from_str(&text).expect("JSON");
        let kind = list["kind"]
            .as_str()
            .unwrap_or("")
            .trim_end_matches("List")
            .to_string();
        for item in list["items"].as_array().into_iter().flatten() {
            let mut item = item.clone();
            item["kind"] = Value::from(kind.clone());
            item["apiVersion"] = list["apiVersion"].clone();
            objects.push(Object::new(item, "live".into(), 0, PositionTree::default()));
        }
    }
    Inventory::new(objects)
}

#[test]
fn live_recording() {
    let Some(dir) = corpus("live/k8s-1.32") else {
        return;
    };
    let inventory = live_inventory(&dir);
    let model = Model::build(&inventory);
    // Every default role is in the recording: nothing is filled in.
    assert!(model.defaults_used.is_empty());
    // Recomputed aggregation agrees with what the controller stored.
    for name in ["admin", "edit", "view"] {
        let role = model.cluster_role(name).expect("default role");
        assert_eq!(role.rules.len(), role.own_rules.len(), "{name}");
    }
    // scan-test-view binds `view` to scan-test/default cluster-wide.
    let sa = Subject::service_account("scan-test", "default").identity();
    assert!(model.is_allowed(
        &sa,
        &Request::resource("list", "apps", "deployments").in_namespace("x")
    ));
    assert!(!model.is_allowed(
        &sa,
        &Request::resource("list", "", "secrets").in_namespace("x")
    ));
    // system:basic-user and system:public-info-viewer through the implicit groups.
    let alice = Subject::user("alice").identity();
    assert!(model.is_allowed(
        &alice,
        &Request::resource("create", "authorization.k8s.io", "selfsubjectaccessreviews")
    ));
    let anonymous = Subject::user("system:anonymous").identity();
    assert!(model.is_allowed(&anonymous, &Request::non_resource("get", "/healthz")));
    // Exact URLs only: `/livez` but not `/livez/ping`.
    assert!(model.is_allowed(&anonymous, &Request::non_resource("get", "/livez")));
    assert!(!model.is_allowed(&anonymous, &Request::non_resource("get", "/livez/ping")));
    assert!(!model.is_allowed(&anonymous, &Request::non_resource("get", "/metrics")));
    assert!(!model.is_allowed(&anonymous, &Request::non_resource("get", "/api")));
    assert!(model.is_allowed(&alice, &Request::non_resource("get", "/api")));
    // The kube-controller-manager user reads secrets; the kube-scheduler user does not.
    let kcm = Subject::user("system:kube-controller-manager").identity();
    assert!(model.is_allowed(&kcm, &get("secrets").in_namespace("kube-system")));
    let scheduler = Subject::user("system:kube-scheduler").identity();
    assert!(!model.is_allowed(&scheduler, &get("secrets").in_namespace("kube-system")));
    // Who may exec cluster-wide: the argo-cd controller (`*`) and system:masters.
    let exec = who(
        &model,
        &Request::resource("create", "", "pods/exec").in_namespace("shop"),
    );
    assert_eq!(
        exec,
        ["ServiceAccount argocd/argocd-application-controller [cluster]"]
    );

    // The rules leave the bootstrap objects alone and report the applications' roles.
    let rules: Vec<&'static dyn Rule> = palisade_rules::packs::rbac::RULES.to_vec();
    let findings = check(&inventory, &rules);
    for finding in &findings {
        let object = inventory
            .get(
                &finding.object.kind,
                finding.object.namespace.as_deref(),
                &finding.object.name,
            )
            .expect("reported object");
        assert!(
            !defaults::is_bootstrap_object(object),
            "{} {}",
            finding.rule.code,
            finding.object
        );
    }
    assert!(findings.iter().any(|f| f.rule.code == "RB010"
        && f.object.name == "argocd-application-controller"
        && f.severity == palisade_rules::Severity::Critical));
    let _ = SubjectKind::User;
}
