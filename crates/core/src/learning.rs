//! What the learner reads and answers: the lesson model, quizzes and their grading, the spaced
//! review, the learner's saved record (and whether the browser keeps it) and offline search.

use serde::{Deserialize, Serialize};

pub mod grading;
pub mod keeping;
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

/// What every page needs to know of the content, small enough to ship with the app: each lesson's
/// place on the map and each quiz's size. The lessons' bodies and the quizzes' questions are
/// loaded by the pages that show them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// The lessons, in order.
    pub lessons: Vec<LessonEntry>,
    /// The quizzes, in the content's order.
    pub quizzes: Vec<QuizEntry>,
}

/// A lesson on the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonEntry {
    /// URL slug: `/lessons/<slug>`.
    pub slug: String,
    /// Page title.
    pub title: String,
    /// Position on the map (1-based).
    pub order: u32,
    /// One or two sentences for the map.
    pub summary: String,
}

/// A quiz, without its questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizEntry {
    /// The lesson slug, or [`quiz::FINAL`].
    pub lesson: String,
    /// Heading shown above the quiz.
    pub title: String,
    /// How many questions it asks (for the final test, the included ones too).
    pub questions: usize,
}

impl Catalog {
    /// The lesson with this slug.
    pub fn lesson(&self, slug: &str) -> Option<&LessonEntry> {
        self.lessons.iter().find(|l| l.slug == slug)
    }

    /// The lessons before and after the one with this slug.
    pub fn neighbours(&self, slug: &str) -> (Option<&LessonEntry>, Option<&LessonEntry>) {
        match self.lessons.iter().position(|l| l.slug == slug) {
            None => (None, None),
            Some(i) => (i.checked_sub(1).map(|j| &self.lessons[j]), self.lessons.get(i + 1)),
        }
    }

    /// The quiz of a lesson (by slug), or the final test (`"final"`).
    pub fn quiz(&self, lesson: &str) -> Option<&QuizEntry> {
        self.quizzes.iter().find(|q| q.lesson == lesson)
    }
}

impl Content {
    /// The catalog of this content.
    pub fn catalog(&self) -> Catalog {
        Catalog {
            lessons: self
                .lessons
                .iter()
                .map(|l| LessonEntry { slug: l.slug.clone(), title: l.title.clone(), order: l.order, summary: l.summary.clone() })
                .collect(),
            quizzes: self
                .quizzes
                .iter()
                .map(|q| QuizEntry { lesson: q.lesson.clone(), title: q.title.clone(), questions: q.questions_in(&self.quizzes).len() })
                .collect(),
        }
    }

    /// The lesson with this slug.
    pub fn lesson(&self, slug: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.slug == slug)
    }

    /// The quiz of a lesson (by slug), or the final test (`"final"`).
    pub fn quiz(&self, lesson: &str) -> Option<&Quiz> {
        self.quizzes.iter().find(|q| q.lesson == lesson)
    }
}
