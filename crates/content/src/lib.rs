//! Interleave's content step, run when the site is built: loads `lessons/*.md` and
//! `lessons/quizzes/*.toml`, checks them, renders the lessons to HTML and computes the answers of
//! the "what can happen" questions with the explorer.
//!
//! Implementation note: every problem is an error naming its file and 1-based line
//! (`file:line: message`), and [`build`] reports all it finds at once, so a broken lesson or quiz
//! fails the build instead of reaching a learner. The result is the core's plain data
//! ([`Content`]); the web crate's `build.rs` embeds it.

use std::path::Path;

pub use interleave_core::learning::Content;

pub mod answers;
pub mod lessons;
pub mod quizzes;

/// Loads and checks everything under `dir` (the `lessons/` folder): the lessons, then the
/// quizzes against them, then every `possible` question's answer. On failure, every error as
/// `file:line: message`.
pub fn build(dir: &Path) -> Result<Content, Vec<String>> {
    let lessons = lessons::load_dir(dir).map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let slugs: Vec<&str> = lessons.iter().map(|l| l.slug.as_str()).collect();
    let mut quizzes = quizzes::load_dir(&dir.join("quizzes"), &slugs)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    answers::fill_keys(&mut quizzes).map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    Ok(Content { lessons, quizzes })
}
