//! Criterion benchmarks of the rule engine's hot functions over the repository's `examples/`
//! (read at start, so the bench needs nothing outside the repository):
//!
//! - `check_with` with every rule over the example objects repeated 50 times, each copy of
//!   each example file in namespaces of its own, so cross-object rules see many namespaces;
//! - `Object::workload()` and `Object::get` on a Deployment;
//! - `Inventory::pods_matching` with a Deployment's selector.
//!
//! Run with `cargo bench -p palisade-rules`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use palisade_load::{Limits, parse_source};
use palisade_model::{Inventory, LabelSelector, Object, Value};
use palisade_rules::{Context, all_rules, check_with};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Copies of the examples in the inventory of the `check_with` bench.
const COPIES: usize = 50;

/// Every `*.yaml` under `dir`, recursively, in sorted path order.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples/ folder is readable")
        .map(|entry| entry.expect("examples/ entry is readable").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "yaml") {
            out.push(path);
        }
    }
}

/// The objects of every example file, one list per file, with the file's path under the
/// repository root.
fn example_objects() -> Vec<(String, Vec<Object>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    yaml_files(&root.join("examples"), &mut files);
    assert!(!files.is_empty(), "no *.yaml under examples/");
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("example manifest is readable");
            let shown = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            let loaded = parse_source(&text, shown.as_str().into(), &Limits::default());
            assert!(loaded.errors.is_empty(), "{shown}: {:?}", loaded.errors);
            (shown, loaded.objects)
        })
        .collect()
}

/// `object` moved to `namespace` (a Namespace object is renamed to it) and to file `file`,
/// built anew so that its reference and lazily found views match the new value.
fn relocated(object: &Object, namespace: &dyn Fn(&str) -> String, file: &str) -> Object {
    let mut value = object.value.clone();
    if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        let field = if object.kind() == "Namespace" {
            "name"
        } else {
            "namespace"
        };
        if let Some(Value::String(name)) = metadata.get_mut(field) {
            *name = namespace(name).into();
        }
    }
    let mut copy = Object::new(
        value,
        file.into(),
        object.document,
        object.positions.clone(),
    );
    copy.item = object.item;
    copy.template = object.template.clone();
    copy.duplicates = object.duplicates.clone();
    copy
}

/// A copy of `object` with its lazy caches empty.
fn fresh_clone(object: &Object) -> Object {
    relocated(object, &|ns| ns.to_string(), &object.file)
}

/// The example objects repeated [`COPIES`] times; copy `c` of the `f`th example file lives in
/// namespaces suffixed `-f-c` (`shop-0-7`) and in the file `copy-c/PATH`.
fn repeated(examples: &[(String, Vec<Object>)]) -> Vec<Object> {
    let mut objects = Vec::new();
    for copy in 0..COPIES {
        for (index, (path, list)) in examples.iter().enumerate() {
            let file = format!("copy-{copy}/{path}");
            let rename = |ns: &str| format!("{ns}-{index}-{copy}");
            objects.extend(list.iter().map(|o| relocated(o, &rename, &file)));
        }
    }
    objects
}

fn check(c: &mut Criterion) {
    let examples = example_objects();
    // Never queried: each fresh inventory is cloned from it with empty lazy caches, as a scan
    // starts with.
    let pristine = repeated(&examples);
    let rules = all_rules();
    let context = Context::default();
    let reused = Inventory::new(pristine.clone());
    let findings = check_with(&reused, rules, &context).len();
    eprintln!(
        "check_with inventory: {} objects in {} namespaces, {} rules, {findings} findings",
        reused.len(),
        reused.namespaces().len(),
        rules.len()
    );

    let mut group = c.benchmark_group("check_with");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.warm_up_time(Duration::from_secs(1));
    // What a scan pays: the per-object caches (pod spec shape, application) and the
    // inventory's pod index start empty. Cloning the objects is outside the timing.
    group.bench_function("all_rules/fresh_inventory", |b| {
        b.iter_batched_ref(
            || Inventory::new(pristine.clone()),
            |inventory| check_with(inventory, rules, &context),
            BatchSize::LargeInput,
        )
    });
    // The same inventory every time: the lazy caches are warm after the first call.
    group.bench_function("all_rules/reused_inventory", |b| {
        b.iter(|| check_with(black_box(&reused), rules, &context))
    });
    group.finish();
}

fn object(c: &mut Criterion) {
    let examples = example_objects();
    let deployment = examples
        .iter()
        .flat_map(|(_, objects)| objects)
        .find(|o| o.kind() == "Deployment")
        .expect("examples/ hold a Deployment");
    assert!(
        deployment.workload().is_some(),
        "a Deployment is a workload"
    );

    let mut group = c.benchmark_group("object");
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    // As the rules call it: the shape of the pod spec is already known.
    group.bench_function("workload", |b| {
        b.iter(|| black_box(deployment).workload().map(|w| w.containers.len()))
    });
    // The first call on an object also finds the shape of its pod spec.
    group.bench_function("workload/first_call", |b| {
        b.iter_batched_ref(
            || fresh_clone(deployment),
            |fresh| fresh.workload().map(|w| w.containers.len()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("get_containers", |b| {
        b.iter(|| black_box(deployment).get(black_box("/spec/template/spec/containers")))
    });
    group.finish();
}

fn pods_matching(c: &mut Criterion) {
    let examples = example_objects();
    let inventory = Inventory::new(repeated(&examples));
    let deployment = inventory
        .of_kind("Deployment")
        .nth(inventory.of_kind("Deployment").count() / 2)
        .expect("the inventory holds Deployments");
    let selector = deployment
        .get("/spec/selector")
        .map(LabelSelector::from_value)
        .expect("the Deployment has a selector")
        .expect("the selector is valid");
    let namespace = deployment.namespace();
    let matched = inventory.pods_matching(namespace, &selector).len();
    assert!(matched >= 1, "a Deployment's selector matches its own pods");
    eprintln!(
        "pods_matching: {} objects, namespace {namespace:?}, {selector:?} matches {matched}",
        inventory.len()
    );

    let mut group = c.benchmark_group("inventory");
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    // The pod index is built by the call above, as by the first rule that selects pods.
    group.bench_function("pods_matching", |b| {
        b.iter(|| inventory.pods_matching(black_box(namespace), black_box(&selector)))
    });
    group.finish();
}

criterion_group!(benches, check, object, pods_matching);
criterion_main!(benches);
