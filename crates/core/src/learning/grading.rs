//! Grading: how one answer to a question fares, option by option, and the summary of an attempt
//! at a quiz with the explanations of every mistake.
//!
//! Implementation note: a question's right options are already known when it reaches the app
//! ([`Question::key`], filled in by the content step), so grading is plain set arithmetic.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::learning::quiz::{Question, Quiz};

/// The options a learner picked, by index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// Picked option indices.
    pub picked: BTreeSet<usize>,
}

impl Answer {
    /// An answer picking these option indices.
    pub fn of(picked: impl IntoIterator<Item = usize>) -> Self {
        Answer { picked: picked.into_iter().collect() }
    }
}

/// How one answer fared, option by option (indices into the question's options, ascending).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graded {
    /// Every right option was picked, and nothing else.
    pub correct: bool,
    /// Right options that were picked.
    pub right_picked: Vec<usize>,
    /// Wrong options that were picked.
    pub wrong_picked: Vec<usize>,
    /// Right options that were not picked.
    pub missed: Vec<usize>,
}

/// Grades `answer` against `correct`, the indices of the right options (the question's
/// [`Question::key`]).
/// The answer is right when it picks exactly the right options, whatever the kind (for `single`
/// and `scenario` that is the one right option alone). Indices past the last option are ignored.
pub fn grade(question: &Question, answer: &Answer, correct: &BTreeSet<usize>) -> Graded {
    let n = question.options.len();
    let picked: BTreeSet<usize> = answer.picked.iter().copied().filter(|&i| i < n).collect();
    let right: BTreeSet<usize> = correct.iter().copied().filter(|&i| i < n).collect();
    Graded {
        correct: picked == right,
        right_picked: picked.intersection(&right).copied().collect(),
        wrong_picked: picked.difference(&right).copied().collect(),
        missed: right.difference(&picked).copied().collect(),
    }
}

/// An option the learner got wrong (picked but wrong, or right but missed), with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The option's text.
    pub option: String,
    /// Whether the learner picked it (a wrong pick) or not (a missed right option).
    pub picked: bool,
    /// Why it is right or wrong.
    pub explain: String,
}

/// A question answered wrongly, with what to read again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mistake {
    /// The question's id.
    pub id: String,
    /// The question's prompt.
    pub prompt: String,
    /// The options it went wrong on.
    pub notes: Vec<Note>,
}

/// A summary of one attempt at a quiz. It serialises as `{"quiz","answered","correct"}` (the
/// part worth saving); the mistakes are for the page that shows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizResult {
    /// The quiz's lesson slug, or [`FINAL`](super::quiz::FINAL).
    pub quiz: String,
    /// Questions answered.
    pub answered: usize,
    /// Questions answered right.
    pub correct: usize,
    /// The questions answered wrongly, in the order they were recorded.
    #[serde(skip)]
    pub mistakes: Vec<Mistake>,
    #[serde(skip)]
    seen: BTreeSet<String>,
}

impl QuizResult {
    /// An attempt at `quiz` with nothing answered yet.
    pub fn new(quiz: &Quiz) -> Self {
        QuizResult { quiz: quiz.lesson.clone(), ..QuizResult::default() }
    }

    /// Counts one graded answer. A question recorded again replaces its earlier answer.
    pub fn record(&mut self, question: &Question, graded: &Graded) {
        if !self.seen.insert(question.id.clone()) {
            if !self.mistakes.iter().any(|m| m.id == question.id) {
                self.correct -= 1;
            }
            self.mistakes.retain(|m| m.id != question.id);
            self.answered -= 1;
        }
        self.answered += 1;
        if graded.correct {
            self.correct += 1;
            return;
        }
        let note = |i: usize, picked: bool| {
            let o = &question.options[i];
            Note { option: o.text.clone(), picked, explain: o.explain.clone() }
        };
        let mut notes: Vec<Note> = graded.wrong_picked.iter().map(|&i| note(i, true)).collect();
        notes.extend(graded.missed.iter().map(|&i| note(i, false)));
        self.mistakes.push(Mistake { id: question.id.clone(), prompt: question.prompt.clone(), notes });
    }
}
