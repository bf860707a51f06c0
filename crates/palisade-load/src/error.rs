//! Why a file or document could not be loaded. Every failure ends up as a
//! [`palisade_model::LoadError`] in [`crate::Loaded::errors`]; nothing here stops a scan.

/// A failure to read a source or to build one document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum Failure {
    #[error("cannot read: {0}")]
    Read(String),
    #[error("not valid UTF-8 text (invalid byte at offset {0})")]
    NotUtf8(usize),
    #[error("document is {size} bytes, over the limit of {limit} bytes")]
    DocumentTooLarge { size: usize, limit: usize },
    #[error("nesting is deeper than the limit of {0} levels")]
    TooDeep(usize),
    #[error("aliases expand to more than {0} nodes (limit on alias expansion)")]
    AliasNodes(usize),
    #[error("aliases expand to more than {0} bytes (limit on alias expansion)")]
    AliasBytes(usize),
    #[error("alias refers to an anchor whose node is not complete")]
    RecursiveAlias,
    #[error("YAML syntax error: {0}")]
    Syntax(String),
    #[error("JSON syntax error: {0}")]
    Json(String),
    #[error("cannot decode `{text}` as !!{tag}")]
    TagMismatch { text: String, tag: String },
    #[error("mapping keys must be scalars (a mapping or sequence is used as a key)")]
    ComplexKey,
    #[error("the merge key `<<` needs a mapping or a list of mappings")]
    BadMerge,
}

/// A failure with the 1-based line and column it was found at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located {
    pub line: u32,
    pub column: u32,
    pub failure: Failure,
}
