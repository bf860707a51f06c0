//! Reading the recorded Kubernetes 1.32 API server through the real client code.

use super::fake_api::{self, Behaviour, FakeApi};
use super::*;
use crate::Limits;

struct Served {
    api: FakeApi,
    _dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

fn serve(behaviour: Behaviour) -> Option<Served> {
    let Some(corpus) = fake_api::corpus() else {
        eprintln!("skipped: ../shared/corpus/live/k8s-1.32 is absent");
        return None;
    };
    let api = fake_api::start(&corpus, behaviour);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    std::fs::write(&kubeconfig, api.kubeconfig()).unwrap();
    Some(Served {
        api,
        _dir: dir,
        kubeconfig,
    })
}

fn options(served: &Served) -> ClusterOptions {
    ClusterOptions {
        kubeconfig: Some(served.kubeconfig.clone()),
        ..ClusterOptions::default()
    }
}

fn names(load: &ClusterLoad, kind: &str) -> Vec<String> {
    load.loaded
        .objects
        .iter()
        .filter(|o| o.kind() == kind)
        .map(|o| format!("{}/{}", o.namespace().unwrap_or(""), o.name()))
        .collect()
}

#[test]
fn reads_the_recorded_cluster() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let calls = Cell::new(0);
    let load = load_cluster(&options(&served), &|_| calls.set(calls.get() + 1)).unwrap();
    assert!(calls.get() > 0);
    assert_eq!(&*load.source, "cluster:recorded");
    let summary = &load.summary;
    assert!(summary.unreadable.is_empty(), "{:?}", summary.unreadable);
    assert!(!summary.nothing_read());
    assert!(load.loaded.errors.is_empty());
    assert_eq!(summary.counts["Pod"], 96);
    assert!(summary.counts["Deployment"] > 10);
    assert!(summary.counts["CustomResourceDefinition"] > 0);

    // Kinds and apiVersions are filled in; managed fields are gone; documents are indexes.
    for (i, object) in load.loaded.objects.iter().enumerate() {
        assert!(!object.kind().is_empty() && !object.reference.api_version.is_empty());
        assert!(object.get("/metadata/managedFields").is_none());
        assert_eq!(object.document as usize, i);
        assert_eq!(&*object.file, "cluster:recorded");
    }
    let deployment = load
        .loaded
        .objects
        .iter()
        .find(|o| o.kind() == "Deployment")
        .unwrap();
    assert_eq!(deployment.reference.api_version, "apps/v1");

    // ReplicaSets and Pods of listed controllers are folded into them.
    // Stand-alone ReplicaSets (badPods) stay; those of Deployments do not.
    for object in load
        .loaded
        .objects
        .iter()
        .filter(|o| o.kind() == "ReplicaSet")
    {
        assert!(
            object.get("/metadata/ownerReferences").is_none(),
            "{}",
            object.reference
        );
    }
    assert!(names(&load, "ReplicaSet").contains(&"badpods/priv-exec-replicaset".to_string()));
    let pods = names(&load, "Pod");
    assert!(pods.len() < 96);
    assert!(pods.iter().all(|p| !p.contains("frontend")), "{pods:?}");
    assert_eq!(
        summary.folded,
        summary.objects() - load.loaded.objects.len()
    );
    let folded = load
        .loaded
        .notices
        .iter()
        .find(|n| n.message.contains("Deployment boutique/frontend"))
        .unwrap();
    assert!(
        folded.message.contains("1 Pod and 1 ReplicaSet"),
        "{}",
        folded.message
    );

    // Secrets: metadata only, asked for as such.
    let secrets: Vec<&Object> = load
        .loaded
        .objects
        .iter()
        .filter(|o| o.kind() == "Secret")
        .collect();
    assert!(!secrets.is_empty());
    assert!(
        secrets
            .iter()
            .all(|s| s.get("/data").is_none() && s.get("/type").is_none())
    );
    let seen = served.api.seen();
    let secret_request = seen.iter().find(|s| s.path == "/api/v1/secrets").unwrap();
    assert!(
        secret_request
            .accept
            .contains("as=PartialObjectMetadataList")
    );
    assert!(seen.iter().all(|s| s.status == 200), "{seen:?}");
}

#[test]
fn reads_secret_values_only_when_allowed() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let options = ClusterOptions {
        read_secret_values: true,
        ..options(&served)
    };
    let load = load_cluster(&options, &|_| {}).unwrap();
    let secret = load
        .loaded
        .objects
        .iter()
        .find(|o| o.kind() == "Secret")
        .unwrap();
    assert!(secret.get("/type").is_some());
}

#[test]
fn forbidden_lists_are_reported_and_the_rest_is_read() {
    let Some(served) = serve(Behaviour {
        forbidden: [
            "/api/v1/secrets",
            "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        ..Behaviour::default()
    }) else {
        return;
    };
    let load = load_cluster(&options(&served), &|_| {}).unwrap();
    let summary = &load.summary;
    let unreadable: Vec<&str> = summary
        .unreadable
        .iter()
        .map(|u| u.resource.as_str())
        .collect();
    assert_eq!(
        unreadable,
        ["clusterroles.rbac.authorization.k8s.io", "secrets"]
    );
    assert!(summary.unreadable.iter().all(|u| u.denied));
    assert!(!summary.nothing_read());
    assert!(load.loaded.errors.is_empty());
    let notice = load
        .loaded
        .notices
        .iter()
        .find(|n| n.message.contains("secrets"))
        .unwrap();
    assert!(
        notice.message.contains("not allowed to list secrets"),
        "{}",
        notice.message
    );
    assert!(
        notice.message.contains("secrets (SE)"),
        "{}",
        notice.message
    );
    assert!(summary.counts.contains_key("Pod"));
    assert!(!summary.counts.contains_key("Secret"));
}

#[test]
fn nothing_readable_is_an_error() {
    let Some(corpus) = fake_api::corpus() else {
        return;
    };
    let index: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(corpus.join("INDEX.json")).unwrap()).unwrap();
    let forbidden = index
        .keys()
        .filter(|path| {
            path.matches('/').count() >= 3 && !path.starts_with("/apis/")
                || path.matches('/').count() >= 4
        })
        .cloned()
        .collect();
    let Some(served) = serve(Behaviour {
        forbidden,
        ..Behaviour::default()
    }) else {
        return;
    };
    let load = load_cluster(&options(&served), &|_| {}).unwrap();
    assert!(load.summary.nothing_read(), "{:?}", load.summary.counts);
    assert!(load.loaded.objects.is_empty());
    assert_eq!(load.loaded.errors.len(), 1);
    assert!(
        load.loaded.errors[0]
            .message
            .contains("nothing could be read")
    );
}

#[test]
fn lists_are_paged() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let whole = load_cluster(&options(&served), &|_| {}).unwrap();
    let paged_options = ClusterOptions {
        page_size: 7,
        concurrency: 2,
        ..options(&served)
    };
    let paged = load_cluster(&paged_options, &|_| {}).unwrap();
    assert_eq!(whole.summary.counts, paged.summary.counts);
    let refs = |load: &ClusterLoad| -> Vec<String> {
        load.loaded
            .objects
            .iter()
            .map(|o| o.reference.to_string())
            .collect()
    };
    assert_eq!(refs(&whole), refs(&paged));
    let pod_pages: Vec<_> = served
        .api
        .seen()
        .into_iter()
        .filter(|s| s.path == "/api/v1/pods" && s.query.starts_with("limit=7"))
        .collect();
    // 96 pods in pages of 7.
    assert_eq!(pod_pages.len(), 14);
    assert!(pod_pages[1].query.contains("&continue=offset-7"));
    assert!(paged.summary.pages > whole.summary.pages);
}

#[test]
fn one_namespace() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let options = ClusterOptions {
        namespaces: vec!["badpods".into()],
        ..options(&served)
    };
    let load = load_cluster(&options, &|_| {}).unwrap();
    assert!(load.summary.counts["Pod"] > 0);
    for object in &load.loaded.objects {
        assert!(
            matches!(object.namespace(), None | Some("badpods")),
            "{}",
            object.reference
        );
    }
    assert!(
        served
            .api
            .seen()
            .iter()
            .any(|s| s.path == "/api/v1/namespaces/badpods/pods")
    );
}

#[test]
fn snapshot_reads_back_as_the_same_objects() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let load = load_cluster(&options(&served), &|_| {}).unwrap();
    let mut out = Vec::new();
    write_snapshot(&load.loaded.objects, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let again = crate::parse_source(&text, "snapshot.json".into(), &Limits::default());
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(again.objects.len(), load.loaded.objects.len());
    for (a, b) in again.objects.iter().zip(&load.loaded.objects) {
        assert_eq!(a.value, b.value);
    }
}

#[test]
fn missing_context_is_a_config_error() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let options = ClusterOptions {
        context: Some("nope".into()),
        ..options(&served)
    };
    let error = load_cluster(&options, &|_| {}).unwrap_err();
    assert!(matches!(error, ClusterError::Config(_)), "{error}");
}

#[test]
fn a_group_that_cannot_be_discovered_is_reported() {
    let Some(served) = serve(Behaviour {
        forbidden: ["/apis/rbac.authorization.k8s.io/v1".to_string()].into(),
        ..Behaviour::default()
    }) else {
        return;
    };
    let load = load_cluster(&options(&served), &|_| {}).unwrap();
    let unreadable: Vec<&str> = load
        .summary
        .unreadable
        .iter()
        .map(|u| u.resource.as_str())
        .collect();
    assert_eq!(
        unreadable,
        [
            "clusterroles.rbac.authorization.k8s.io",
            "clusterrolebindings.rbac.authorization.k8s.io",
            "roles.rbac.authorization.k8s.io",
            "rolebindings.rbac.authorization.k8s.io"
        ]
    );
    assert!(load.summary.unreadable.iter().all(|u| u.denied));
    assert!(load.summary.counts.contains_key("Pod"));
}
