//! Quizzes: the model of the files under `lessons/quizzes/`, and the order options are shown in.
//! Grading an answer is [`super::grading`].
//!
//! Implementation note: the files are read and checked when the site is built, by
//! `crates/content` (`quizzes.rs` reads them, naming file and line for every problem;
//! `answers.rs` asks the interleaving explorer which options of a `possible` question are right
//! and writes them into [`Choice::correct`]). So by the time a quiz reaches the app every option
//! says whether it is right ([`Question::key`]), and grading never runs the explorer.
//!
//! # The file format
//!
//! One file per lesson, `lessons/quizzes/<lesson-slug>.toml`, plus `final.toml`:
//!
//! ```toml
//! lesson = "race-conditions"      # a lesson slug, or "final" for the final test
//! title = "Race conditions"
//!
//! [[question]]
//! id = "rc-lost-update-cause"     # unique across every quiz file: lowercase, digits, dashes
//! kind = "single"                 # single | multiple | scenario | possible
//! topic = "race"                  # what it tests: one of the names of `Topic`, e.g. race, liveness
//! prompt = "Why can ...?"
//! code = """..."""                # optional snippet shown under the prompt,
//! language = "python"             # with its language: python, go, rust, javascript or text
//!
//! [[question.option]]
//! id = "a"                        # the option's identity, unique in the question: saved answers name it
//! text = "Because ..."
//! correct = true                  # omitted means false
//! explain = "Shown after answering, whether or not this option was picked."
//! ```
//!
//! - `single` and `scenario` (a described workload, the options are approaches) have exactly one
//!   option with `correct = true`; `multiple` has at least one, and all of them must be picked.
//! - `possible` asks what can happen: `program` is a thread program in the explorer's language and
//!   `variable` one of its `shared` variables; each option has a `value` (an integer) instead of a
//!   `text`, and no `correct` key. The right options are the values `variable` can end with in
//!   some complete schedule, which the explorer computes when the site is built
//!   (`interleave_content::answers::possible_values`). Some schedule must complete, and every value
//!   the variable can end with must be offered, or the build fails.
//! - Every question has at least two options, no two with the same text, and every option an
//!   `explain`.
//! - Options are shown in a fresh random order for each attempt ([`display_order`]), so their
//!   order in the file means nothing to the learner; saved answers name options by `id`, never by
//!   position. An option whose meaning changes gets a new `id` (an old answer must not come back
//!   pointing at a different statement); ids of removed options are not reused. The options of a
//!   `possible` question have no `id`: their value is their identity, and they are shown in
//!   numeric order.
//! - `final.toml` says `lesson = "final"`. Its `include = ["id", ...]` picks questions from the
//!   lesson quizzes by id, in the order given; it may also hold `[[question]]`s of its own, asked
//!   after the included ones (not ones it also includes). Lesson quizzes may not have an `include`.
//! - Each lesson has at most one quiz, and there is at most one final test.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// The `lesson` value that marks the final test.
pub const FINAL: &str = "final";

/// The four kinds of question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// One right option.
    Single,
    /// Several right options; all must be picked.
    Multiple,
    /// A described workload; pick the one right approach.
    Scenario,
    /// A thread program; pick every final value of one variable that some schedule produces.
    Possible,
}

impl Kind {
    /// Every kind, in the order of the format description.
    pub const ALL: [Kind; 4] = [Kind::Single, Kind::Multiple, Kind::Scenario, Kind::Possible];

    /// The name used in quiz files.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::Scenario => "scenario",
            Kind::Possible => "possible",
        }
    }
}

/// What a question is about, for counting coverage and for mixing the final test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Topic {
    /// Race conditions and data races: shared state, atomicity, locks and atomics.
    Race,
    /// Message passing: channels, actors, ownership of messages, backpressure.
    MessagePassing,
    /// Liveness: deadlock, livelock, starvation and their prevention.
    Liveness,
    /// Choosing concurrency or parallelism, and the tool for it in a given language.
    ToolChoice,
    /// Concurrency versus parallelism, the ideas.
    Concepts,
    /// How concurrency works: threads, coroutines, async/await, event loops.
    Concurrency,
    /// How parallelism works: cores, processes, SIMD, GPUs.
    Parallelism,
}

impl Topic {
    /// Every topic.
    pub const ALL: [Topic; 7] = [
        Topic::Concepts,
        Topic::Concurrency,
        Topic::Parallelism,
        Topic::Race,
        Topic::MessagePassing,
        Topic::Liveness,
        Topic::ToolChoice,
    ];

    /// The name used in quiz files.
    pub fn name(self) -> &'static str {
        match self {
            Topic::Race => "race",
            Topic::MessagePassing => "message-passing",
            Topic::Liveness => "liveness",
            Topic::ToolChoice => "tool-choice",
            Topic::Concepts => "concepts",
            Topic::Concurrency => "concurrency",
            Topic::Parallelism => "parallelism",
        }
    }
}

/// One option of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What the learner sees (for `possible` questions, the value written out).
    pub text: String,
    /// The candidate final value, for `possible` questions only.
    pub value: Option<i64>,
    /// Its identity within the question: the file's `id`, or for a `possible` question the value
    /// written out. Saved answers name options by it.
    pub id: String,
    /// Whether the option is right: as written in the file, or for a `possible` question as the
    /// explorer decided when the site was built (`None` until then).
    pub correct: Option<bool>,
    /// Why the option is right or wrong, shown after answering.
    pub explain: String,
}

/// The thread program of a `possible` question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// Source in the explorer's language.
    pub source: String,
    /// The shared variable whose final values the options name.
    pub variable: String,
    /// The line of the quiz file holding the program's first line (to place explorer errors).
    pub first_line: usize,
}

/// A code snippet shown with a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// Its language's tag (one the content step knows: python, go, rust, javascript or text).
    pub language: String,
    /// The code.
    pub code: String,
}

/// A validated question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable id, unique across every quiz.
    pub id: String,
    /// How it is answered.
    pub kind: Kind,
    /// What it is about.
    pub topic: Topic,
    /// The question itself.
    pub prompt: String,
    /// Code shown under the prompt, if any.
    pub snippet: Option<Snippet>,
    /// The program, for `possible` questions.
    pub program: Option<Program>,
    /// The options, in file order: an [`Answer`](super::grading::Answer) picks them by index,
    /// a saved answer names them by [`Choice::id`].
    pub options: Vec<Choice>,
    /// The line of its `[[question]]` header.
    pub line: usize,
}

impl Question {
    /// Indices of the right options: those marked `correct` (for a `possible` question, once the
    /// content step has asked the explorer). Pass it to [`grade`](super::grading::grade).
    pub fn key(&self) -> BTreeSet<usize> {
        self.options.iter().enumerate().filter(|(_, o)| o.correct == Some(true)).map(|(i, _)| i).collect()
    }

    /// The index of the option with this identity ([`Choice::id`]).
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
    }

    /// The identities of these option indices (indices past the last option are dropped).
    pub fn ids_of(&self, picked: &BTreeSet<usize>) -> BTreeSet<String> {
        picked.iter().filter_map(|&i| self.options.get(i)).map(|o| o.id.clone()).collect()
    }

    /// The indices of these option identities (unknown ones, e.g. of options since removed, are
    /// dropped).
    pub fn indices_of<'s>(&self, ids: impl IntoIterator<Item = &'s String>) -> BTreeSet<usize> {
        ids.into_iter().filter_map(|id| self.index_of(id)).collect()
    }

    /// Indices of the options whose `value` is in `values` (how a `possible` question's set of
    /// reachable values becomes its answer key).
    pub fn options_with_values(&self, values: &BTreeSet<i64>) -> BTreeSet<usize> {
        self.options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.value.is_some_and(|v| values.contains(&v)))
            .map(|(i, _)| i)
            .collect()
    }
}

/// The order to show a question's options in, as indices into its options: a `possible`
/// question's values in numeric order; any other question's options shuffled by `seed` (one seed
/// per attempt at a quiz), differently for each question, and the same again for the same seed
/// and question, so a reload during an attempt shows what the learner saw.
pub fn display_order(question: &Question, seed: u64) -> Vec<usize> {
    if question.kind == Kind::Possible {
        let mut order: Vec<usize> = (0..question.options.len()).collect();
        order.sort_by_key(|&i| question.options[i].value);
        return order;
    }
    // FNV-1a of the id, so that each question of one attempt gets its own permutation.
    let id_hash = question.id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    shuffled(question.options.len(), seed ^ id_hash)
}

/// `0..len` shuffled by `seed`: the same permutation on every platform, because the server
/// renders the page the browser hydrates. (Fisher-Yates with 32-bit draws; a `usize` draw
/// differs between wasm32 and a 64-bit machine.)
pub fn shuffled(len: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut rng = fastrand::Rng::with_seed(seed);
    for i in (1..len).rev() {
        let j = rng.u32(..=i as u32) as usize;
        order.swap(i, j);
    }
    order
}

/// A validated quiz file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiz {
    /// Where it came from.
    pub file: String,
    /// The lesson slug, or [`FINAL`].
    pub lesson: String,
    /// Heading shown above the quiz.
    pub title: String,
    /// For the final test: ids of lesson-quiz questions it asks first, in order.
    pub include: Vec<String>,
    /// The questions written in this file.
    pub questions: Vec<Question>,
}

impl Quiz {
    /// Whether this is the final test.
    pub fn is_final(&self) -> bool {
        self.lesson == FINAL
    }

    /// Every question the quiz asks, in order: for the final test, the included questions
    /// (looked up in `all`) and then its own; for a lesson quiz, its own.
    pub fn questions_in<'a>(&'a self, all: &'a [Quiz]) -> Vec<&'a Question> {
        let included = self.include.iter().filter_map(|id| find_question(all, id));
        included.chain(self.questions.iter()).collect()
    }
}

/// The question with this id, in any of `quizzes`.
pub fn find_question<'a>(quizzes: &'a [Quiz], id: &str) -> Option<&'a Question> {
    quizzes.iter().flat_map(|q| &q.questions).find(|q| q.id == id)
}
