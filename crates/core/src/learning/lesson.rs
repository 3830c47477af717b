//! The lessons as the app sees them: validated and rendered when the site is built, embedded here.
//!
//! `build.rs` runs [`loader`] over `lessons/`, fails the build on any error (naming file and
//! line), and writes the result as the static [`LESSONS`] table, so the browser never parses
//! Markdown and never meets a broken lesson.

#[cfg(not(target_arch = "wasm32"))]
pub mod loader;

/// One piece of a lesson body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// Rendered, trusted HTML (the loader rejects raw HTML in sources).
    Html(&'static str),
    /// A live widget, by name, with the directive's optional argument.
    Widget {
        /// Widget name.
        name: &'static str,
        /// The directive's argument, if any.
        arg: Option<&'static str>,
    },
}

/// A section heading of a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heading {
    /// 2 for `##`, 3 for `###`.
    pub level: u8,
    /// Anchor id.
    pub id: &'static str,
    /// Heading text.
    pub text: &'static str,
}

/// The text under one `##` heading, for search (the first may have an empty id: the intro).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// Anchor id of the heading ("" for the text before the first heading).
    pub id: &'static str,
    /// Heading text.
    pub heading: &'static str,
    /// Plain text.
    pub text: &'static str,
}

/// A lesson, ready to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lesson {
    /// Page title.
    pub title: &'static str,
    /// URL slug.
    pub slug: &'static str,
    /// Position on the lesson map, from 1.
    pub order: u32,
    /// Short summary for the lesson map.
    pub summary: &'static str,
    /// Learning objectives.
    pub objectives: &'static [&'static str],
    /// Body pieces.
    pub blocks: &'static [Block],
    /// Headings, in order.
    pub headings: &'static [Heading],
    /// The body cut at its `##` headings, for search.
    pub sections: &'static [Section],
    /// Plain text of the body, for search.
    pub text: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// The lesson with this slug.
pub fn lesson(slug: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.slug == slug)
}

/// The lessons before and after the one with this slug.
pub fn neighbours(slug: &str) -> (Option<&'static Lesson>, Option<&'static Lesson>) {
    match LESSONS.iter().position(|l| l.slug == slug) {
        None => (None, None),
        Some(i) => (i.checked_sub(1).map(|j| &LESSONS[j]), LESSONS.get(i + 1)),
    }
}

/// Every quiz, checked when the site was built (lesson quizzes in lesson order, the final last).
pub fn quizzes() -> &'static [crate::quiz::Quiz] {
    static QUIZZES: std::sync::OnceLock<Vec<crate::quiz::Quiz>> = std::sync::OnceLock::new();
    QUIZZES.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/quizzes.json")))
            .expect("build.rs wrote the quizzes it checked")
    })
}

/// The quiz of a lesson (by slug), or the final test (`"final"`).
pub fn quiz(lesson: &str) -> Option<&'static crate::quiz::Quiz> {
    quizzes().iter().find(|q| q.lesson == lesson)
}
