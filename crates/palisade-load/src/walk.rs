//! Expands inputs into the sources to read: files as given, folders walked recursively for
//! `.yaml`, `.yml` and `.json` files in sorted path order (hidden folders such as `.git`
//! skipped, symbolic links followed with each real folder visited once), and standard input.

use crate::Input;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// One thing to load, in output order.
pub(crate) enum Source {
    File(PathBuf),
    Text { name: String, text: String },
    Failed { name: String, message: String },
}

pub(crate) const STDIN_NAME: &str = "<stdin>";

/// Whether a file found in a folder is a manifest.
pub(crate) fn is_manifest(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        e.eq_ignore_ascii_case("yaml")
            || e.eq_ignore_ascii_case("yml")
            || e.eq_ignore_ascii_case("json")
    })
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

pub(crate) fn sources(inputs: &[Input]) -> Vec<Source> {
    let mut out = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin => match std::io::read_to_string(std::io::stdin()) {
                Ok(text) => out.push(Source::Text {
                    name: STDIN_NAME.to_string(),
                    text,
                }),
                Err(e) => out.push(Source::Failed {
                    name: STDIN_NAME.to_string(),
                    message: format!("cannot read: {e}"),
                }),
            },
            Input::Path(path) => match std::fs::metadata(path) {
                Err(e) => out.push(Source::Failed {
                    name: path.display().to_string(),
                    message: format!("cannot read: {e}"),
                }),
                Ok(meta) if meta.is_dir() => walk(path, &mut out),
                Ok(_) => out.push(Source::File(path.clone())),
            },
        }
    }
    out
}

fn walk(root: &Path, out: &mut Vec<Source>) {
    let mut found: Vec<(PathBuf, Option<String>)> = Vec::new();
    let mut visited = HashSet::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        match std::fs::canonicalize(&folder) {
            Ok(real) => {
                if !visited.insert(real) {
                    continue;
                }
            }
            Err(e) => {
                found.push((folder, Some(format!("cannot read folder: {e}"))));
                continue;
            }
        }
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) => {
                found.push((folder, Some(format!("cannot read folder: {e}"))));
                continue;
            }
        };
        for entry in entries {
            let path = match entry {
                Ok(entry) => entry.path(),
                Err(e) => {
                    found.push((folder.clone(), Some(format!("cannot read folder: {e}"))));
                    continue;
                }
            };
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => {
                    if !is_hidden(&path) {
                        folders.push(path);
                    }
                }
                Ok(meta) => {
                    if meta.is_file() && is_manifest(&path) {
                        found.push((path, None));
                    }
                }
                Err(e) => {
                    if is_manifest(&path) {
                        found.push((path, Some(format!("cannot read: {e}"))));
                    }
                }
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    out.extend(found.into_iter().map(|(path, error)| match error {
        None => Source::File(path),
        Some(message) => Source::Failed {
            name: path.display().to_string(),
            message,
        },
    }));
}
