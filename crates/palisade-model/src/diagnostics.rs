//! Load diagnostics: errors (a document or file that could not be read) and notices (something
//! deliberately skipped, and why). Both are data; neither stops a scan.

use crate::intern::Str;
use serde::Serialize;

/// A file or document that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadError {
    pub file: Str,
    /// 0-based index of the document in a multi-document stream, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(doc) = self.document {
            write!(f, " (document {})", doc + 1)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Something that was read but deliberately not scanned, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub file: Str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(doc) = self.document {
            write!(f, " (document {})", doc + 1)?;
        }
        write!(f, ": {}", self.message)
    }
}
