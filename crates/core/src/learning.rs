//! What the learner reads and answers: the lesson model, quizzes and their grading, the spaced
//! review, the learner's saved record and offline search.

use serde::{Deserialize, Serialize};

pub mod grading;
pub mod lesson;
pub mod progress;
pub mod quiz;
pub mod review;
pub mod search;

use lesson::Lesson;
use quiz::Quiz;

/// Everything the content step checked: the lessons in order, then the quizzes (lesson quizzes
/// in lesson order, the final test last), with every answer key filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    /// The lessons, in order.
    pub lessons: Vec<Lesson>,
    /// The quizzes.
    pub quizzes: Vec<Quiz>,
}

impl Content {
    /// The lesson with this slug.
    pub fn lesson(&self, slug: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.slug == slug)
    }

    /// The lessons before and after the one with this slug.
    pub fn neighbours(&self, slug: &str) -> (Option<&Lesson>, Option<&Lesson>) {
        match self.lessons.iter().position(|l| l.slug == slug) {
            None => (None, None),
            Some(i) => (i.checked_sub(1).map(|j| &self.lessons[j]), self.lessons.get(i + 1)),
        }
    }

    /// The quiz of a lesson (by slug), or the final test (`"final"`).
    pub fn quiz(&self, lesson: &str) -> Option<&Quiz> {
        self.quizzes.iter().find(|q| q.lesson == lesson)
    }
}
