//! Reading the content files: a folder's files of one kind, and finding lines in their text
//! (shared by lessons and quizzes, so both place their errors alike).

use std::path::Path;

use crate::error::{err, Error};

/// Every file of `dir` whose name ends in `.{extension}`, sorted by name, as `(file, text)`.
/// An unreadable folder or file is an error at line 0.
pub(crate) fn read_folder(dir: &Path, extension: &str) -> Result<Vec<(String, String)>, Vec<Error>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| vec![err(&dir.display().to_string(), 0, format!("cannot read folder: {e}"))])?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.display().to_string();
            std::fs::read_to_string(&p).map(|text| (name.clone(), text)).map_err(|e| vec![err(&name, 0, format!("cannot read file: {e}"))])
        })
        .collect()
}

/// The 1-based line of the byte at offset `byte` of `text`.
pub(crate) fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// The first line at or after line `from` (1-based) that sets `key` (`key = …`), or `from`
/// (at least 1) when none does.
pub(crate) fn key_line(text: &str, from: usize, key: &str) -> usize {
    line_where(text, from, |l| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
}

/// The first line at or after line `from` (1-based) that `hit`s, or `from` (at least 1) when
/// none does.
pub(crate) fn line_where(text: &str, from: usize, hit: impl Fn(&str) -> bool) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| hit(l))
        .map_or(from.max(1), |(i, _)| i + 1)
}
