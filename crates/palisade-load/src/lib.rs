//! Loads Kubernetes manifests from files, folders and standard input into
//! [`palisade_model::Object`]s with the source position of every field. YAML is read the way
//! kubectl reads it (YAML 1.1 scalars, merge keys, last duplicate key wins); JSON goes through
//! the same path, with a `serde_json` fallback. Files, and the documents of large streams, are
//! parsed in parallel; YAML files are read in blocks, so the text of a large stream is never
//! held whole; the output order is deterministic. Per-document failures are data
//! ([`palisade_model::LoadError`]), and hostile input is bounded by [`Limits`].
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod build;
mod classify;
#[cfg(feature = "cluster")]
pub mod cluster;
mod error;
mod fast;
mod json;
mod relax;
mod scalar;
mod split;
mod stream;
mod walk;

use error::{Failure, Located};
use palisade_model::intern::Str;
use palisade_model::{LoadError, Notice, Object};
use rayon::prelude::*;
use std::path::PathBuf;

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
    let mut parts = parts.into_iter();
    let mut loaded = parts.next().unwrap_or_default();
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
            let file: Str = path.display().to_string().into();
            match stream::load_file(&path, &file, limits) {
                Ok(loaded) => loaded,
                Err(failure) => file_error(file, failure.to_string()),
            }
        }
    }
}

fn file_error(file: Str, message: String) -> Loaded {
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
pub fn parse_source(text: &str, file: Str, limits: &Limits) -> Loaded {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let chunks = split::split(text);
    let mut loaded = Loaded {
        files: 1,
        ..Loaded::default()
    };
    if !looks_like_json(&file, text) {
        // No fallback can replace what the YAML path reads: classify as documents come.
        let batch = Batch {
            text,
            chunks: &chunks,
            first_line: 0,
            first_document: 0,
        };
        batch.load(&file, limits, &mut loaded);
        return loaded;
    }
    let mut outcomes: Vec<(Outcome, Option<Str>)> = chunks
        .par_iter()
        .map(|chunk| parse_chunk(text, chunk, 0, limits))
        .collect();

    if outcomes
        .iter()
        .any(|(o, _)| matches!(o, Outcome::Failed(_)))
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

    for (index, (outcome, template)) in outcomes.into_iter().enumerate() {
        let document = u32::try_from(index).unwrap_or(u32::MAX);
        settle(outcome, &file, document, template).add_to(&mut loaded);
    }
    loaded
}

/// Complete documents of one piece of a stream.
pub(crate) struct Batch<'t> {
    pub text: &'t str,
    pub chunks: &'t [split::Chunk],
    /// 0-based line of `text` in its source.
    pub first_line: u32,
    /// Index of the first chunk's document in its source.
    pub first_document: usize,
}

impl Batch<'_> {
    /// Parse and classify the documents in parallel and add them to `loaded` in order.
    pub(crate) fn load(&self, file: &Str, limits: &Limits, loaded: &mut Loaded) {
        Self::add(self.parse(file, limits), loaded);
    }

    /// Parse and classify the documents in parallel, in order.
    fn parse(&self, file: &Str, limits: &Limits) -> Vec<Settled> {
        self.chunks
            .par_iter()
            .enumerate()
            .map(|(i, chunk)| {
                let (outcome, template) = parse_chunk(self.text, chunk, self.first_line, limits);
                let index = self.first_document.saturating_add(i);
                let document = u32::try_from(index).unwrap_or(u32::MAX);
                settle(outcome, file, document, template)
            })
            .collect()
    }

    fn add(settled: Vec<Settled>, loaded: &mut Loaded) {
        loaded.objects.reserve(settled.len());
        for one in settled {
            one.add_to(loaded);
        }
    }
}

fn parse_chunk(
    text: &str,
    chunk: &split::Chunk,
    first_line: u32,
    limits: &Limits,
) -> (Outcome, Option<Str>) {
    let template = chunk
        .source
        .and_then(|(start, end)| text.get(start..end))
        .map(Str::from);
    let line = first_line.saturating_add(chunk.line);
    let size = chunk.end - chunk.start;
    let outcome = if size > limits.max_document_bytes {
        Outcome::Failed(Located {
            line: line.saturating_add(1),
            column: 1,
            failure: Failure::DocumentTooLarge {
                size,
                limit: limits.max_document_bytes,
            },
        })
    } else {
        match relax::parse_tolerant(&text[chunk.start..chunk.end], line, limits) {
            Ok(Some(document)) => Outcome::Built(document),
            Ok(None) => Outcome::Empty,
            Err(located) => Outcome::Failed(located),
        }
    };
    (outcome, template)
}

/// What one document adds to [`Loaded`].
enum Settled {
    Empty,
    Failed(LoadError),
    Built {
        counted: bool,
        found: classify::Yield,
    },
}

fn settle(outcome: Outcome, file: &Str, document: u32, template: Option<Str>) -> Settled {
    match outcome {
        Outcome::Empty => Settled::Empty,
        Outcome::Failed(located) => Settled::Failed(LoadError {
            file: file.clone(),
            document: Some(document),
            line: Some(located.line),
            column: Some(located.column),
            message: located.failure.to_string(),
        }),
        Outcome::Built(built) => {
            let counted = !built.value.is_null();
            let origin = classify::Origin {
                file,
                document,
                template,
            };
            Settled::Built {
                counted,
                found: classify::classify(built, &origin),
            }
        }
    }
}

impl Settled {
    fn add_to(self, loaded: &mut Loaded) {
        match self {
            Settled::Empty => {}
            Settled::Failed(error) => {
                loaded.documents += 1;
                loaded.errors.push(error);
            }
            Settled::Built { counted, found } => {
                if counted {
                    loaded.documents += 1;
                }
                loaded.objects.extend(found.objects);
                loaded.notices.extend(found.notices);
            }
        }
    }
}

/// JSON files, and text that starts like JSON, may use the `serde_json` fallback.
pub(crate) fn looks_like_json(file: &str, text: &str) -> bool {
    let named = file
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("json"));
    named || text.trim_start().starts_with(['{', '['])
}

#[cfg(test)]
mod tests;
