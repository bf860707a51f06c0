//! Conformance with the upstream pod-security-admission fixtures in
//! `../shared/corpus/pss/<level>/v1.<minor>/<pass|fail>/<name>.yaml`: every `pass` Pod must
//! have no violation at its folder's level and version, and every `fail` Pod must violate the
//! check its file name names (`<checkid><N>`), or the restricted check that replaces that
//! baseline check under `restricted` at that version (as upstream evaluates it). Skipped with a
//! message when the corpus is absent.

use palisade_rules::pss::{self, Level, Version};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/pss"
    ))
    .to_path_buf()
}

/// One fixture file with where it sits in the tree.
struct Fixture {
    path: PathBuf,
    level: Level,
    version: Version,
    pass: bool,
    /// Lower-cased check ID, `None` for the `base*` Pods.
    check: Option<String>,
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

/// `capabilities_baseline12` → `capabilities_baseline`; `base`, `base_linux` → `None`.
fn check_of(stem: &str) -> Option<String> {
    if matches!(stem, "base" | "base_linux" | "base_windows") {
        return None;
    }
    let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    assert!(digits > 0, "fixture name without a case number: {stem}");
    let check = &stem[..stem.len() - digits];
    assert!(
        !check.is_empty() && check.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "unexpected fixture name: {stem}"
    );
    Some(check.to_string())
}

fn fixtures(root: &Path) -> Vec<Fixture> {
    let mut out = Vec::new();
    for level_dir in sorted_entries(root).into_iter().filter(|p| p.is_dir()) {
        let level_name = level_dir.file_name().expect("name").to_string_lossy();
        let level: Level = level_name.parse().expect("level folder");
        for version_dir in sorted_entries(&level_dir) {
            let version_name = version_dir.file_name().expect("name").to_string_lossy();
            let version: Version = version_name.parse().expect("version folder");
            for outcome in ["pass", "fail"] {
                let outcome_dir = version_dir.join(outcome);
                if !outcome_dir.is_dir() {
                    continue;
                }
                for path in sorted_entries(&outcome_dir) {
                    if path.extension().is_none_or(|e| e != "yaml") {
                        continue;
                    }
                    let stem = path.file_stem().expect("stem").to_string_lossy();
                    let check = check_of(&stem);
                    assert!(
                        outcome == "pass" || check.is_some(),
                        "base fixture in fail: {}",
                        path.display()
                    );
                    out.push(Fixture {
                        level,
                        version,
                        pass: outcome == "pass",
                        check,
                        path,
                    });
                }
            }
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    versions: Vec<u32>,
    cases: usize,
    pass_mismatches: usize,
    fail_mismatches: usize,
    examples: Vec<String>,
}

#[test]
fn upstream_fixtures_agree() {
    let root = corpus();
    if !root.is_dir() {
        eprintln!(
            "skipping Pod Security conformance: {} is absent",
            root.display()
        );
        return;
    }
    let fixtures = fixtures(&root);
    assert!(
        fixtures.len() > 4000,
        "only {} fixtures found",
        fixtures.len()
    );

    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total_mismatches = 0;
    let mut through_override = 0;
    for fixture in &fixtures {
        let text = std::fs::read_to_string(&fixture.path).expect("read fixture");
        let file = fixture.path.display().to_string();
        let loaded = palisade_load::parse_source(
            &text,
            file.clone().into(),
            &palisade_load::Limits::default(),
        );
        assert!(loaded.errors.is_empty(), "{file}: {:?}", loaded.errors);
        assert_eq!(loaded.objects.len(), 1, "{file}: expected one object");
        let workload = loaded.objects[0]
            .workload()
            .unwrap_or_else(|| panic!("{file}: not a workload"));
        let violations = pss::evaluate(&workload, fixture.level, fixture.version);

        let key = fixture.check.clone().unwrap_or_else(|| "base".to_string());
        let tally = tallies.entry(key).or_default();
        tally.cases += 1;
        if !tally.versions.contains(&fixture.version.minor) {
            tally.versions.push(fixture.version.minor);
        }
        let relative = fixture
            .path
            .strip_prefix(&root)
            .unwrap_or(&fixture.path)
            .display()
            .to_string();
        if fixture.pass {
            if !violations.is_empty() {
                tally.pass_mismatches += 1;
                total_mismatches += 1;
                let found: Vec<_> = violations
                    .iter()
                    .map(|v| format!("{}: {}", v.check, v.detail))
                    .collect();
                tally
                    .examples
                    .push(format!("{relative} [{}]", found.join("; ")));
            }
        } else {
            let named = fixture.check.as_deref().unwrap_or_default();
            let expected = pss::effective_check(named, fixture.level, fixture.version)
                .map(|check| check.id.to_ascii_lowercase());
            if expected.as_deref().is_some_and(|id| id != named) {
                through_override += 1;
            }
            let found = violations
                .iter()
                .any(|v| Some(v.check.to_ascii_lowercase()) == expected);
            if !found {
                tally.fail_mismatches += 1;
                total_mismatches += 1;
                let checks: Vec<_> = violations.iter().map(|v| v.check).collect();
                tally.examples.push(format!(
                    "{relative} (expected {}, got {checks:?})",
                    expected.as_deref().unwrap_or("an unknown check")
                ));
            }
        }
    }

    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<28} {:<13} {:>6} {:>6} {:>6}  examples",
        "check", "versions", "cases", "pass≠", "fail≠"
    );
    for (check, tally) in &tallies {
        let low = tally.versions.iter().min().copied().unwrap_or_default();
        let high = tally.versions.iter().max().copied().unwrap_or_default();
        let _ = writeln!(
            table,
            "{check:<28} {:<13} {:>6} {:>6} {:>6}  {}",
            format!("v1.{low}..v1.{high}"),
            tally.cases,
            tally.pass_mismatches,
            tally.fail_mismatches,
            tally
                .examples
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    eprintln!(
        "Pod Security conformance: {} fixtures, {} disagreements \
         ({through_override} fail cases judged by the restricted check that replaces theirs)\n{table}",
        fixtures.len(),
        total_mismatches
    );
    assert_eq!(
        total_mismatches, 0,
        "Pod Security evaluation disagrees with upstream fixtures:\n{table}"
    );
}
