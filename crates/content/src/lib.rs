//! Interleave's content step, run when the site is built: loads `lessons/*.md` and
//! `lessons/quizzes/*.toml`, checks them, renders the lessons to HTML and computes the answers of
//! the "what can happen" questions with the explorer.
//!
//! Implementation note: every problem is one [`Error`], naming its file and 1-based line
//! (`file:line: message`), and [`build`] reports all it finds at once, so a broken lesson or quiz
//! fails the build instead of reaching a learner. Lessons and quizzes share one reader of folders
//! (`source.rs`) and one set of rules for ids and code languages ([`rules`]). The result is the
//! core's plain data ([`Content`]); the web crate's `build.rs` embeds it.

use std::path::Path;

pub use interleave_core::learning::Content;

pub mod answers;
mod error;
pub mod lessons;
pub mod quizzes;
pub mod rules;
mod source;

pub use error::Error;

/// Loads and checks everything under `dir` (the `lessons/` folder): the lessons, then the
/// quizzes against them, then every `possible` question's answer. On failure, every error found
/// at that stage.
pub fn build(dir: &Path) -> Result<Content, Vec<Error>> {
    let lessons = lessons::load_dir(dir)?;
    let slugs: Vec<&str> = lessons.iter().map(|l| l.slug.as_str()).collect();
    let mut quizzes = quizzes::load_dir(&dir.join("quizzes"), &slugs)?;
    answers::fill_keys(&mut quizzes)?;
    Ok(Content { lessons, quizzes })
}

/// Errors one per line, as `file:line: message` (for a build's output or a failing test).
pub fn report(errors: &[Error]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}
