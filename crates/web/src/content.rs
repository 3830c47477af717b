//! The lessons and quizzes as the app sees them: checked and rendered when the site was built
//! (`crates/content`, run by `build.rs`), embedded as JSON, read once on first use. What the
//! pages look up by id (every question a quiz asks, a question by its id) is worked out once too,
//! not on every render.

use std::collections::BTreeMap;
use std::sync::OnceLock;

pub(crate) use interleave_core::learning::lesson::{Block, Lesson};
use interleave_core::learning::quiz::{Question, Quiz};
use interleave_core::learning::Content;

/// Everything the build checked.
pub(crate) fn content() -> &'static Content {
    static CONTENT: OnceLock<Content> = OnceLock::new();
    CONTENT.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/content.json")))
            .expect("build.rs wrote the content it checked")
    })
}

/// Every lesson, in order.
pub(crate) fn lessons() -> &'static [Lesson] {
    &content().lessons
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

/// Every question the quiz `id` asks, in order (for the final test, the ones it includes and
/// then its own); empty for an unknown quiz.
pub(crate) fn questions_of(id: &str) -> &'static [&'static Question] {
    static ASKED: OnceLock<BTreeMap<&'static str, Vec<&'static Question>>> = OnceLock::new();
    let all = &content().quizzes;
    let asked = ASKED.get_or_init(|| all.iter().map(|q| (q.lesson.as_str(), q.questions_in(all))).collect());
    asked.get(id).map_or(&[], Vec::as_slice)
}

/// The question with this id, in any quiz.
pub(crate) fn question(id: &str) -> Option<&'static Question> {
    static BY_ID: OnceLock<BTreeMap<&'static str, &'static Question>> = OnceLock::new();
    // Ids are unique across quizzes: the build checked.
    let by_id = BY_ID.get_or_init(|| content().quizzes.iter().flat_map(|q| &q.questions).map(|q| (q.id.as_str(), q)).collect());
    by_id.get(id).copied()
}
