//! Tests of the public API: streams, diagnostics, folders and the shared corpus.

use super::*;
use palisade_model::Span;
use serde_json::json;
use std::time::Instant;

fn parse(text: &str) -> Loaded {
    parse_source(text, "test.yaml".into(), &Limits::default())
}

fn line(object: &Object, pointer: &str) -> u32 {
    let (span, found) = object.positions.locate(&object.value, pointer);
    assert!(found, "{pointer} not found in {}", object.reference);
    span.line
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n";

#[test]
fn broken_document_in_the_middle() {
    let text =
        format!("{POD}---\napiVersion: v1\nkind: Pod\nmetadata: [oops\n  name: q\n---\n{POD}");
    let loaded = parse(&text);
    assert_eq!(loaded.objects.len(), 2, "{:?}", loaded.errors);
    assert_eq!(loaded.objects[0].document, 0);
    assert_eq!(loaded.objects[1].document, 2);
    assert_eq!(line(&loaded.objects[1], "/metadata/name"), 14);
    assert_eq!(loaded.errors.len(), 1);
    let error = &loaded.errors[0];
    assert_eq!(error.document, Some(1));
    assert_eq!(&*error.file, "test.yaml");
    let error_line = error.line.unwrap();
    assert!((7..=10).contains(&error_line), "{error}");
    assert!(error.message.contains("YAML"), "{error}");
    assert_eq!(loaded.documents, 3);
    assert_eq!(loaded.files, 1);
}

#[test]
fn bom_and_crlf() {
    let text = "\u{feff}apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: c\r\ndata:\r\n  k: |\r\n    a\r\n    b\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\n";
    let loaded = parse(text);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.objects.len(), 2);
    let config = &loaded.objects[0];
    assert_eq!(config.value["data"]["k"], json!("a\nb\n"));
    assert_eq!(config.positions.span(), Span::new(1, 1));
    assert_eq!(config.location("/metadata/name").column, 3);
    assert_eq!(line(&loaded.objects[1], "/metadata/name"), 13);
}

#[test]
fn helm_source_comments() {
    let text = "---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n";
    let loaded = parse(text);
    let templates: Vec<_> = loaded
        .objects
        .iter()
        .map(|o| o.template.as_deref())
        .collect();
    assert_eq!(
        templates,
        [
            Some("web/templates/deployment.yaml"),
            Some("web/templates/service.yaml"),
            None
        ]
    );
    let location = loaded.objects[0].location("/kind");
    assert_eq!(location.line, 4);
    assert_eq!(
        location.template.as_deref(),
        Some("web/templates/deployment.yaml")
    );
}

#[test]
fn list_items_become_objects() {
    let text = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: a
- just: data
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: b
    name: c
";
    let loaded = parse(text);
    assert_eq!(loaded.objects.len(), 2);
    let (first, second) = (&loaded.objects[0], &loaded.objects[1]);
    assert_eq!((first.item, second.item), (Some(0), Some(2)));
    assert_eq!(first.name(), "a");
    assert_eq!(second.name(), "c");
    assert_eq!(first.positions.span().line, 4);
    assert_eq!(line(first, "/metadata/name"), 7);
    assert_eq!(line(second, "/kind"), 10);
    assert_eq!(second.duplicates.len(), 1);
    assert_eq!(second.duplicates[0].pointer, "/metadata/name");
    assert_eq!(second.duplicates[0].first.line, 12);
    assert_eq!(second.duplicates[0].second.line, 13);
    assert_eq!(loaded.notices.len(), 1);
    assert_eq!(loaded.notices[0].line, Some(8));
    assert!(loaded.notices[0].message.contains("item 1"));

    let other = parse("apiVersion: v1\nkind: PodList\nitems: []\n");
    assert!(other.objects.is_empty() && other.notices.is_empty());
}

#[test]
fn duplicate_keys_recorded_on_the_object() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  hostPID: true\n  hostPID: false\n";
    let loaded = parse(text);
    let pod = &loaded.objects[0];
    assert_eq!(pod.value["spec"]["hostPID"], json!(false));
    assert_eq!(pod.duplicates.len(), 1);
    let duplicate = &pod.duplicates[0];
    assert_eq!(duplicate.pointer, "/spec/hostPID");
    assert_eq!(
        (duplicate.first, duplicate.second),
        (Span::new(6, 3), Span::new(7, 3))
    );
    assert_eq!(line(pod, "/spec/hostPID"), 7);
}

#[test]
fn anchors_in_objects_keep_their_positions() {
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: &labels
    app: web
spec:
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels:
        <<: *labels
        tier: front
    spec:
      containers:
      - &c
        name: a
        image: x
        securityContext:
          privileged: on
      - <<: *c
        name: b
";
    let loaded = parse(text);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let object = &loaded.objects[0];
    let spec = &object.value["spec"];
    assert_eq!(spec["selector"]["matchLabels"], json!({"app": "web"}));
    assert_eq!(
        spec["template"]["metadata"]["labels"],
        json!({"app": "web", "tier": "front"})
    );
    let containers = &spec["template"]["spec"]["containers"];
    assert_eq!(containers[1]["name"], json!("b"));
    assert_eq!(containers[1]["securityContext"]["privileged"], json!(true));
    assert_eq!(line(object, "/spec/selector/matchLabels/app"), 6);
    assert_eq!(line(object, "/spec/template/metadata/labels/app"), 6);
    assert_eq!(line(object, "/spec/template/metadata/labels/tier"), 14);
    let privileged = "/spec/template/spec/containers/1/securityContext/privileged";
    assert_eq!(line(object, privileged), 21);
    assert_eq!(line(object, "/spec/template/spec/containers/1/name"), 23);
    assert!(object.duplicates.is_empty());
}

#[test]
fn notices_for_what_is_not_an_object() {
    let text = "just a string\n---\nfoo: bar\n---\n- a\n---\n---\n~\n";
    let loaded = parse(text);
    assert!(loaded.objects.is_empty());
    assert_eq!(loaded.notices.len(), 3);
    assert!(
        loaded
            .notices
            .iter()
            .all(|n| n.message.contains("no apiVersion/kind"))
    );
    assert_eq!(loaded.notices[1].document, Some(1));
    assert_eq!(loaded.notices[1].line, Some(3));
    assert_eq!(loaded.documents, 3);

    let limits = Limits::default();
    let by_name = |name: &str, text: &str| parse_source(text, name.into(), &limits).notices;
    let kustomize = by_name("app/kustomization.yaml", "resources: [a.yaml]\n");
    assert!(kustomize[0].message.contains("Kustomize"), "{kustomize:?}");
    let kind = by_name(
        "k.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
    );
    assert!(kind[0].message.contains("Kustomize"), "{kind:?}");
    let chart = by_name("chart/Chart.yaml", "apiVersion: v2\nname: web\n");
    assert!(chart[0].message.contains("Chart.yaml"), "{chart:?}");
    let values = by_name("chart/values-prod.yaml", "replicas: 2\n");
    assert!(values[0].message.contains("values"), "{values:?}");
}

#[test]
fn json_files_and_streams() {
    let limits = Limits::default();
    let tabbed = "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Pod\",\n\t\"metadata\": {\n\t\t\"name\": \"p\"\n\t}\n}\n";
    let loaded = parse_source(tabbed, "pod.json".into(), &limits);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.objects.len(), 1);
    assert_eq!(line(&loaded.objects[0], "/metadata/name"), 5);

    let ndjson = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}}\n{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\"}}\n";
    let loaded = parse_source(ndjson, "pods.json".into(), &limits);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let names: Vec<_> = loaded
        .objects
        .iter()
        .map(|o| (o.name(), o.document))
        .collect();
    assert_eq!(names, [("a", 0), ("b", 1)]);
    assert_eq!(line(&loaded.objects[1], "/metadata/name"), 2);

    let plain = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"p\"}}";
    let loaded = parse_source(plain, "pod.json".into(), &limits);
    assert_eq!(line(&loaded.objects[0], "/metadata/name"), 2);

    let broken = parse_source("{\"a\": ", "x.json".into(), &limits);
    assert_eq!(broken.errors.len(), 1, "{:?}", broken.errors);
}

#[test]
fn limits_produce_errors() {
    let limits = Limits {
        max_document_bytes: 60,
        ..Limits::default()
    };
    let text = format!("{POD}---\n{POD}  labels: {{a: b, c: d, e: f}}\n---\n{POD}");
    let loaded = parse_source(&text, "big.yaml".into(), &limits);
    assert_eq!(loaded.objects.len(), 2, "{:?}", loaded.errors);
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.errors[0].document, Some(1));
    assert_eq!(loaded.errors[0].line, Some(5));
    assert!(loaded.errors[0].message.contains("limit"));

    let started = Instant::now();
    let deep = format!("{}\n---\n{POD}", "[".repeat(100_000));
    let loaded = parse(&deep);
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.objects.len(), 1);
    let deep_block = format!("{}x\n", "- ".repeat(100_000));
    assert_eq!(parse(&deep_block).errors.len(), 1);
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn folders_files_and_missing_paths() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |path: &str, name: &str| {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        let text = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n");
        std::fs::write(full, text).unwrap();
    };
    write("b.yaml", "b");
    write("a/z.yml", "az");
    write("a/y.json", "ay");
    write("c.txt", "ignored");
    write(".hidden/h.yaml", "hidden");
    write(".git/g.yaml", "git");
    std::fs::write(root.join("a/bad.yaml"), [0xff, 0xfe, 0x00]).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere.yaml"), root.join("dangling.yaml")).unwrap();
    }
    let single = root.join("c.txt");
    let missing = root.join("missing.yaml");
    let inputs = [
        Input::Path(root.to_path_buf()),
        Input::Path(single),
        Input::Path(missing),
    ];
    let loaded = load(&inputs, &Limits::default());
    let names: Vec<_> = loaded.objects.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["ay", "az", "b", "ignored"]);
    let errors: Vec<_> = loaded.errors.iter().map(ToString::to_string).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("bad.yaml") && e.contains("UTF-8")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("missing.yaml")),
        "{errors:?}"
    );
    #[cfg(unix)]
    assert!(
        errors.iter().any(|e| e.contains("dangling.yaml")),
        "{errors:?}"
    );
    assert_eq!(loaded.files, 4);
}

fn corpus(path: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
    .join(path);
    if dir.exists() {
        Some(dir)
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

#[test]
fn corpus_apps() {
    let Some(dir) = corpus("apps") else {
        return;
    };
    let started = Instant::now();
    let loaded = load(&[Input::Path(dir)], &Limits::default());
    println!(
        "files {} documents {} objects {} errors {} notices {} in {:?}",
        loaded.files,
        loaded.documents,
        loaded.objects.len(),
        loaded.errors.len(),
        loaded.notices.len(),
        started.elapsed()
    );
    for error in &loaded.errors {
        println!("error: {error}");
    }
    assert!(loaded.objects.len() > 1000);
    for object in &loaded.objects {
        assert!(!object.kind().is_empty() && object.positions.span().line >= 1);
    }
}

#[test]
fn corpus_kubesec_assets() {
    let Some(dir) = corpus("peers/kubesec/test/asset") else {
        return;
    };
    let limits = Limits::default();
    let file = |name: &str| load(&[Input::Path(dir.join(name))], &limits);

    let multi = file("multi.yml");
    assert!(
        multi.objects.len() >= 2 && multi.errors.is_empty(),
        "{:?}",
        multi.errors
    );
    let empty = file("empty-file");
    assert!(empty.objects.is_empty() && empty.errors.is_empty());
    let empty_json = file("empty-json-file");
    assert!(empty_json.objects.is_empty());
    let privileged = file("allowPrivilegeEscalation.yaml");
    assert!(!privileged.objects.is_empty(), "{:?}", privileged.errors);
    for name in [
        "invalid-input-pod-dump.json",
        "invalid-schema.yml",
        "invalid-type.yml",
        "bug-dump-2.json",
    ] {
        let loaded = file(name);
        println!(
            "{name}: objects {} errors {:?} notices {:?}",
            loaded.objects.len(),
            loaded.errors,
            loaded.notices
        );
    }
    let all = load(&[Input::Path(dir)], &limits);
    println!(
        "kubesec assets: files {} objects {} errors {}",
        all.files,
        all.objects.len(),
        all.errors.len()
    );
    for error in &all.errors {
        println!("error: {error}");
    }
}

#[test]
fn api_list_items_get_their_type_from_the_list() {
    let text = r#"{"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "7"},
 "items": [
  {"metadata": {"name": "a", "namespace": "ns"}, "spec": {"hostPID": true, "containers": []}},
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"}}
 ]}"#;
    let loaded = parse_source(text, "pods.json".into(), &Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let refs: Vec<String> = loaded
        .objects
        .iter()
        .map(|o| o.reference.to_string())
        .collect();
    assert_eq!(refs, ["Pod ns/a", "Pod b"]);
    // Positions still point at the item's own fields.
    assert_eq!(loaded.objects[0].location("/spec/hostPID").line, 3);
}
