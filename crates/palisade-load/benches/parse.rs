//! Criterion benchmarks of the loader's hot function, [`palisade_load::parse_source`], on about
//! 2 MB of input: (a) a YAML stream, (b) the same objects as JSON documents (a YAML stream of
//! one-line compact JSON objects, each after a `---` line, as `gen_cluster.py --format json`
//! writes). Both are generated at start from every `*.yaml` under the repository's `examples/`,
//! so the bench needs nothing outside the repository.
//!
//! Run with `cargo bench -p palisade-load`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use palisade_load::{Limits, parse_source};
use palisade_model::intern::Str;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Size each input is repeated up to.
const TARGET_BYTES: usize = 2 * 1024 * 1024;

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

/// One copy of every example manifest, as one YAML stream.
fn examples_stream() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    assert!(!files.is_empty(), "no *.yaml under {}", dir.display());
    let mut stream = String::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("example manifest is readable");
        stream.push_str("---\n");
        stream.push_str(text.trim_end());
        stream.push('\n');
    }
    stream
}

/// The objects of `yaml` as JSON documents, each a compact line after `---`.
fn as_json_documents(yaml: &str) -> String {
    let loaded = parse_source(yaml, "examples.yaml".into(), &Limits::default());
    assert!(
        loaded.errors.is_empty(),
        "examples load: {:?}",
        loaded.errors
    );
    let mut stream = String::new();
    for object in &loaded.objects {
        stream.push_str("---\n");
        stream.push_str(&serde_json::to_string(&object.value).expect("a value serializes"));
        stream.push('\n');
    }
    stream
}

fn parse(c: &mut Criterion) {
    let one = examples_stream();
    let one_json = as_json_documents(&one);
    let copies = TARGET_BYTES.div_ceil(one.len());
    let inputs = [
        ("yaml_stream", one.repeat(copies), "bench.yaml"),
        ("json_documents", one_json.repeat(copies), "bench.json"),
        // The same text under a `.yaml` name, which starts with `---` so it is not taken for
        // JSON: the YAML path instead of the one `.json` files take.
        (
            "json_documents/named_yaml",
            one_json.repeat(copies),
            "bench-json.yaml",
        ),
    ];
    let limits = Limits::default();

    // Both inputs must hold the same objects, all loaded without error.
    let counts: Vec<usize> = inputs
        .iter()
        .map(|(_, text, file)| {
            let loaded = parse_source(text, Str::from(*file), &limits);
            assert!(loaded.errors.is_empty(), "{file}: {:?}", loaded.errors);
            loaded.objects.len()
        })
        .collect();
    assert!(
        counts.iter().all(|&n| n == counts[0]),
        "every input holds the same objects: {counts:?}"
    );
    eprintln!(
        "parse_source inputs: {copies} copies of examples/, {} objects; YAML {} bytes, JSON {} bytes",
        counts[0],
        inputs[0].1.len(),
        inputs[1].1.len()
    );

    let mut group = c.benchmark_group("parse_source");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.warm_up_time(Duration::from_secs(1));
    for (name, text, file) in &inputs {
        let file: Str = Str::from(*file);
        group.throughput(Throughput::Bytes(text.len() as u64));
        // The `Loaded` is dropped inside the timed loop, as it is at the end of a scan.
        group.bench_function(*name, |b| {
            b.iter(|| parse_source(black_box(text), file.clone(), &limits))
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
