//! Loads Kubernetes manifests from files, folders and standard input into
//! [`palisade_model::Object`]s with the source position of every field. YAML is read the way
//! kubectl reads it (YAML 1.1 scalars, merge keys, last duplicate key wins); JSON goes through
//! the same path, with a `serde_json` fallback. Files, and the documents of large streams, are
//! parsed in parallel; the output order is deterministic. Per-document failures are data
//! ([`palisade_model::LoadError`]), and hostile input is bounded by [`Limits`].
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod build;
mod classify;
mod error;
mod json;
mod relax;
mod scalar;
mod split;
mod walk;

use error::{Failure, Located};
use palisade_model::{LoadError, Notice, Object};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// Something to read manifests from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file (read whatever its extension) or a folder (walked for `.yaml`, `.yml`, `.json`).
    Path(PathBuf),
    /// Standard input, shown as `<stdin>`.
    Stdin,
}

/// Bounds on what one document may cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest document, in bytes (default 64 MiB).
    pub max_document_bytes: usize,
    /// Deepest nesting of mappings and sequences (default 512).
    pub max_depth: usize,
    /// Most nodes that alias expansion may produce per document (default 1,000,000).
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_document_bytes: 64 * 1024 * 1024,
            max_depth: 512,
            max_alias_nodes: 1_000_000,
        }
    }
}

/// Everything read from a set of inputs.
#[derive(Debug, Default)]
pub struct Loaded {
    /// In input order, then sorted path order within folders, then document order.
    pub objects: Vec<Object>,
    pub errors: Vec<LoadError>,
    pub notices: Vec<Notice>,
    /// Sources read (files and standard input).
    pub files: usize,
    /// Non-empty documents seen, including those that failed to load.
    pub documents: usize,
}

impl Loaded {
    fn append(&mut self, other: Loaded) {
        self.objects.extend(other.objects);
        self.errors.extend(other.errors);
        self.notices.extend(other.notices);
        self.files += other.files;
        self.documents += other.documents;
    }
}

/// Load every input: files, folders (recursively) and standard input.
pub fn load(inputs: &[Input], limits: &Limits) -> Loaded {
    let parts: Vec<Loaded> = walk::sources(inputs)
        .into_par_iter()
        .map(|source| load_source(source, limits))
        .collect();
    let mut loaded = Loaded::default();
    for part in parts {
        loaded.append(part);
    }
    loaded
}

fn load_source(source: walk::Source, limits: &Limits) -> Loaded {
    match source {
        walk::Source::Text { name, text } => parse_source(&text, name.into(), limits),
        walk::Source::Failed { name, message } => file_error(name.into(), message),
        walk::Source::File(path) => {
            let file: Arc<str> = path.display().to_string().into();
            match std::fs::read(&path) {
                Err(e) => file_error(file, Failure::Read(e.to_string()).to_string()),
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => parse_source(&text, file, limits),
                    Err(e) => {
                        let offset = e.utf8_error().valid_up_to();
                        file_error(file, Failure::NotUtf8(offset).to_string())
                    }
                },
            }
        }
    }
}

fn file_error(file: Arc<str>, message: String) -> Loaded {
    Loaded {
        errors: vec![LoadError {
            file,
            document: None,
            line: None,
            column: None,
            message,
        }],
        ..Loaded::default()
    }
}

/// The outcome for one document of a stream.
enum Outcome {
    Empty,
    Built(build::Document),
    Failed(Located),
}

/// Parse one stream of YAML (or JSON) documents; `file` names it in objects and diagnostics.
pub fn parse_source(text: &str, file: Arc<str>, limits: &Limits) -> Loaded {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let chunks = split::split(text);
    let mut outcomes: Vec<(Outcome, Option<Arc<str>>)> = chunks
        .par_iter()
        .map(|chunk| {
            let template = chunk
                .source
                .map(|(start, end)| Arc::from(&text[start..end]));
            let size = chunk.end - chunk.start;
            let outcome = if size > limits.max_document_bytes {
                Outcome::Failed(Located {
                    line: chunk.line.saturating_add(1),
                    column: 1,
                    failure: Failure::DocumentTooLarge {
                        size,
                        limit: limits.max_document_bytes,
                    },
                })
            } else {
                match relax::parse_tolerant(&text[chunk.start..chunk.end], chunk.line, limits) {
                    Ok(Some(document)) => Outcome::Built(document),
                    Ok(None) => Outcome::Empty,
                    Err(located) => Outcome::Failed(located),
                }
            };
            (outcome, template)
        })
        .collect();

    if outcomes
        .iter()
        .any(|(o, _)| matches!(o, Outcome::Failed(_)))
        && looks_like_json(&file, text)
    {
        let json = json::parse_stream(text, limits);
        let json_ok = json.iter().filter(|d| d.is_ok()).count();
        let yaml_ok = outcomes
            .iter()
            .filter(|(o, _)| matches!(o, Outcome::Built(_)))
            .count();
        if json_ok >= yaml_ok {
            outcomes = json
                .into_iter()
                .map(|d| match d {
                    Ok(document) => (Outcome::Built(document), None),
                    Err(located) => (Outcome::Failed(located), None),
                })
                .collect();
        }
    }

    let mut loaded = Loaded {
        files: 1,
        ..Loaded::default()
    };
    for (index, (outcome, template)) in outcomes.into_iter().enumerate() {
        let document = u32::try_from(index).unwrap_or(u32::MAX);
        match outcome {
            Outcome::Empty => {}
            Outcome::Failed(located) => {
                loaded.documents += 1;
                loaded.errors.push(LoadError {
                    file: file.clone(),
                    document: Some(document),
                    line: Some(located.line),
                    column: Some(located.column),
                    message: located.failure.to_string(),
                });
            }
            Outcome::Built(built) => {
                if !built.value.is_null() {
                    loaded.documents += 1;
                }
                let origin = classify::Origin {
                    file: &file,
                    document,
                    template,
                };
                let found = classify::classify(built, &origin);
                loaded.objects.extend(found.objects);
                loaded.notices.extend(found.notices);
            }
        }
    }
    loaded
}

/// JSON files, and text that starts like JSON, may use the `serde_json` fallback.
fn looks_like_json(file: &str, text: &str) -> bool {
    let named = file
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("json"));
    named || text.trim_start().starts_with(['{', '['])
}

#[cfg(test)]
mod tests;
