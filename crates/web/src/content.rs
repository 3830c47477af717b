//! The lessons and quizzes as the app sees them: checked and rendered when the site was built
//! (`crates/content`, run by `build.rs`), embedded as JSON, read once on first use.

pub(crate) use interleave_core::learning::lesson::{Block, Lesson};
use interleave_core::learning::quiz::Quiz;
use interleave_core::learning::Content;

/// Everything the build checked.
pub(crate) fn content() -> &'static Content {
    static CONTENT: std::sync::OnceLock<Content> = std::sync::OnceLock::new();
    CONTENT.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/content.json")))
            .expect("build.rs wrote the content it checked")
    })
}

/// Every lesson, in order.
pub(crate) fn lessons() -> &'static [Lesson] {
    &content().lessons
}

/// Every quiz (lesson quizzes in lesson order, the final test last).
pub(crate) fn quizzes() -> &'static [Quiz] {
    &content().quizzes
}

/// The lesson with this slug.
pub(crate) fn lesson(slug: &str) -> Option<&'static Lesson> {
    content().lesson(slug)
}

/// The lessons before and after the one with this slug.
pub(crate) fn neighbours(slug: &str) -> (Option<&'static Lesson>, Option<&'static Lesson>) {
    content().neighbours(slug)
}

/// The quiz of a lesson (by slug), or the final test (`"final"`).
pub(crate) fn quiz(id: &str) -> Option<&'static Quiz> {
    content().quiz(id)
}
