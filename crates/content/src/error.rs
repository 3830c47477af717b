//! The content step's one error: a problem in a lesson or quiz file, at a 1-based line.

use std::fmt;

/// A problem in a lesson or quiz file, shown as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The file, as given to the loader.
    pub file: String,
    /// 1-based line number (0 when the file or its folder could not be read).
    pub line: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for Error {}

/// The error at `line` of `file`.
pub(crate) fn err(file: &str, line: usize, message: impl Into<String>) -> Error {
    Error { file: file.to_string(), line, message: message.into() }
}

/// Sorts errors by file and line, drops repeats, and hands them back as the failure of a load
/// (`Ok(())` when there are none).
pub(crate) fn sorted(mut errors: Vec<Error>) -> Result<(), Vec<Error>> {
    if errors.is_empty() {
        return Ok(());
    }
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    errors.dedup();
    Err(errors)
}
