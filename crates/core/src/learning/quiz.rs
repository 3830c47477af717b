//! Quizzes: the files under `lessons/quizzes/`, checked with file and line, and the grading of answers.
//!
//! Implementation note: like the lesson loader, this module is compiled twice, into the library
//! and into `build.rs` (through `#[path]`), so it depends only on `serde`, `toml` and std, and never
//! on the rest of the crate. The TOML reading (`load_quiz`, `load_all`, `load_dir`) is compiled
//! only off wasm, where `toml` is a dependency; the model and the grading compile everywhere, and
//! the model derives serde both ways, so `build.rs` can hand the checked quizzes to the browser as
//! JSON.
//! The answers of `possible` questions come from the interleaving explorer, so they are computed
//! in `quiz_answers.rs`, never here: this file only checks that such a question is well formed.
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
//!   some complete schedule, which the explorer computes (`quiz_answers::possible_values`).
//! - Every question has at least two options, and every option an `explain`.
//! - Options are shown in a fresh random order for each attempt ([`display_order`]), so their
//!   order in the file means nothing to the learner; saved answers name options by `id`, never by
//!   position. An option whose meaning changes gets a new `id` (an old answer must not come back
//!   pointing at a different statement); ids of removed options are not reused. The options of a
//!   `possible` question have no `id`: their value is their identity, and they are shown in
//!   numeric order.
//! - `final.toml` says `lesson = "final"`. Its `include = ["id", ...]` picks questions from the
//!   lesson quizzes by id, in the order given; it may also hold `[[question]]`s of its own, asked
//!   after the included ones. Lesson quizzes may not have an `include`.
//! - Each lesson has at most one quiz, and there is at most one final test.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The `lesson` value that marks the final test.
pub const FINAL: &str = "final";

/// Languages a question's `code` may be written in.
pub const CODE_LANGUAGES: &[&str] = &["python", "go", "rust", "javascript", "text"];

/// A problem in a quiz file, located at a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizError {
    /// The file, as given to the loader.
    pub file: String,
    /// 1-based line number (0 when the file itself could not be read).
    pub line: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

impl fmt::Display for QuizError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for QuizError {}

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
    /// Whether the option is right, as written in the file; `None` for `possible` questions,
    /// whose right options the explorer decides.
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
    /// One of [`CODE_LANGUAGES`].
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
    /// The options, in file order (answers refer to them by index).
    pub options: Vec<Choice>,
    /// The line of its `[[question]]` header.
    pub line: usize,
}

impl Question {
    /// Indices of the options marked right in the file; `None` for `possible` questions (ask
    /// `quiz_answers::answer_key`, which asks the explorer).
    pub fn written_key(&self) -> Option<BTreeSet<usize>> {
        if self.kind == Kind::Possible {
            return None;
        }
        Some(self.options.iter().enumerate().filter(|(_, o)| o.correct == Some(true)).map(|(i, _)| i).collect())
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
    let mut order: Vec<usize> = (0..question.options.len()).collect();
    if question.kind == Kind::Possible {
        order.sort_by_key(|&i| question.options[i].value);
        return order;
    }
    // FNV-1a of the id, so that each question of one attempt gets its own permutation.
    let id_hash = question.id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    fastrand::Rng::with_seed(seed ^ id_hash).shuffle(&mut order);
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

/// Grades `answer` against `correct`, the indices of the right options: the question's
/// [`Question::written_key`], or for a `possible` question the key the explorer computed.
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
    /// The quiz's lesson slug, or [`FINAL`].
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

// `build.rs` uses only some of these.
#[cfg(not(target_arch = "wasm32"))]
#[allow(unused_imports)]
pub use source::{load_all, load_dir, load_quiz};

/// Reading quiz files: TOML with spans, so that every problem names its line.
#[cfg(not(target_arch = "wasm32"))]
mod source {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use serde::Deserialize;
    use toml::Spanned;

    use super::{Choice, Kind, Program, Question, Quiz, QuizError, Snippet, Topic, CODE_LANGUAGES, FINAL};

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawQuiz {
        lesson: Spanned<String>,
        title: Spanned<String>,
        include: Option<Spanned<Vec<Spanned<String>>>>,
        #[serde(default)]
        question: Vec<Spanned<RawQuestion>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawQuestion {
        id: Spanned<String>,
        kind: Spanned<Kind>,
        topic: Spanned<Topic>,
        prompt: Spanned<String>,
        code: Option<Spanned<String>>,
        language: Option<Spanned<String>>,
        program: Option<Spanned<String>>,
        variable: Option<Spanned<String>>,
        #[serde(default)]
        option: Vec<Spanned<RawOption>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawOption {
        id: Option<Spanned<String>>,
        text: Option<Spanned<String>>,
        value: Option<Spanned<i64>>,
        correct: Option<Spanned<bool>>,
        explain: Option<Spanned<String>>,
    }

    fn err(file: &str, line: usize, message: impl Into<String>) -> QuizError {
        QuizError { file: file.to_string(), line, message: message.into() }
    }

    fn valid_id(id: &str) -> bool {
        !id.is_empty()
            && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !id.starts_with('-')
            && !id.ends_with('-')
    }

    /// Byte offsets to 1-based lines, for one file.
    struct Lines<'t>(&'t str);

    impl Lines<'_> {
        fn at(&self, byte: usize) -> usize {
            let text = self.0;
            text[..byte.min(text.len())].matches('\n').count() + 1
        }
        fn of<T>(&self, s: &Spanned<T>) -> usize {
            self.at(s.span().start)
        }
        /// The line of a multi-line string's first line of content: a `"""` or `'''` string
        /// drops the newline right after its opening quotes.
        fn content_of(&self, s: &Spanned<String>) -> usize {
            let rest = &self.0[s.span().start.min(self.0.len())..];
            let opens_block = rest.starts_with("\"\"\"") || rest.starts_with("'''");
            let after = rest.get(3..).unwrap_or("");
            let skips = opens_block && (after.starts_with('\n') || after.starts_with("\r\n"));
            self.of(s) + usize::from(skips)
        }
    }

    /// Parses and checks one quiz file. Checks needing the other files (ids unique across files,
    /// ids named by the final test's `include`) are made by [`load_all`].
    pub fn load_quiz(file: &str, text: &str, known_lessons: &[&str]) -> Result<Quiz, QuizError> {
        let lines = Lines(text);
        let raw: RawQuiz = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| lines.at(s.start));
            err(file, line, e.message().trim().to_string())
        })?;
        let lesson = raw.lesson.get_ref().trim().to_string();
        let is_final = lesson == FINAL;
        if !is_final && !known_lessons.contains(&lesson.as_str()) {
            return Err(err(
                file,
                lines.of(&raw.lesson),
                format!(
                    "unknown lesson `{lesson}` (known: {}, and `{FINAL}` for the final test)",
                    known_lessons.join(", ")
                ),
            ));
        }
        if raw.title.get_ref().trim().is_empty() {
            return Err(err(file, lines.of(&raw.title), "`title` is empty"));
        }
        let mut include = Vec::new();
        if let Some(list) = &raw.include {
            if !is_final {
                return Err(err(
                    file,
                    lines.of(list),
                    "only the final test (`lesson = \"final\"`) may `include` questions",
                ));
            }
            let mut seen = BTreeSet::new();
            for id in list.get_ref() {
                if !seen.insert(id.get_ref().as_str()) {
                    return Err(err(file, lines.of(id), format!("`{}` is included twice", id.get_ref())));
                }
                include.push(id.get_ref().clone());
            }
        }
        if raw.question.is_empty() && include.is_empty() {
            return Err(err(file, lines.of(&raw.lesson), "the quiz has no questions"));
        }
        let mut questions = Vec::new();
        let mut ids = BTreeSet::new();
        for q in &raw.question {
            let question = check_question(file, &lines, q)?;
            if !ids.insert(question.id.clone()) {
                return Err(err(
                    file,
                    lines.of(&q.get_ref().id),
                    format!("question id `{}` is used twice", question.id),
                ));
            }
            if include.contains(&question.id) {
                return Err(err(
                    file,
                    lines.of(&q.get_ref().id),
                    format!("question id `{}` is also in this file's `include`", question.id),
                ));
            }
            questions.push(question);
        }
        Ok(Quiz { file: file.to_string(), lesson, title: raw.title.into_inner(), include, questions })
    }

    fn check_question(file: &str, lines: &Lines<'_>, spanned: &Spanned<RawQuestion>) -> Result<Question, QuizError> {
        let q = spanned.get_ref();
        let header = lines.of(spanned);
        let id = q.id.get_ref().clone();
        if !valid_id(&id) {
            return Err(err(
                file,
                lines.of(&q.id),
                format!("question id `{id}` must be lowercase letters, digits and inner dashes"),
            ));
        }
        let at = |s_line: usize, message: String| err(file, s_line, format!("question `{id}`: {message}"));
        let kind = *q.kind.get_ref();
        if q.prompt.get_ref().trim().is_empty() {
            return Err(at(lines.of(&q.prompt), "`prompt` is empty".into()));
        }
        let snippet = match (&q.code, &q.language) {
            (None, None) => None,
            (Some(code), None) => return Err(at(lines.of(code), "`code` needs a `language`".into())),
            (None, Some(lang)) => return Err(at(lines.of(lang), "`language` without any `code`".into())),
            (Some(code), Some(lang)) => {
                if !CODE_LANGUAGES.contains(&lang.get_ref().as_str()) {
                    return Err(at(
                        lines.of(lang),
                        format!("unknown language `{}` (known: {})", lang.get_ref(), CODE_LANGUAGES.join(", ")),
                    ));
                }
                if code.get_ref().trim().is_empty() {
                    return Err(at(lines.of(code), "`code` is empty".into()));
                }
                Some(Snippet { language: lang.get_ref().clone(), code: code.get_ref().clone() })
            }
        };
        let program = if kind == Kind::Possible {
            let (Some(source), Some(variable)) = (&q.program, &q.variable) else {
                return Err(at(header, "a `possible` question needs a `program` and a `variable`".into()));
            };
            let name = variable.get_ref().trim();
            let declared = source.get_ref().lines().any(|l| {
                let mut words = l.split_whitespace();
                words.next() == Some("shared") && words.next().map(|w| w.trim_end_matches('=')) == Some(name)
            });
            if !declared {
                return Err(at(
                    lines.of(variable),
                    format!("`variable` `{name}` is not declared `shared` in the program"),
                ));
            }
            Some(Program {
                source: source.get_ref().clone(),
                variable: name.to_string(),
                first_line: lines.content_of(source),
            })
        } else {
            if let Some(key) = q.program.as_ref().or(q.variable.as_ref()) {
                return Err(at(
                    lines.of(key),
                    format!("only `possible` questions have a `program` and a `variable`, not `{}` ones", kind.name()),
                ));
            }
            None
        };
        if q.option.len() < 2 {
            return Err(at(header, format!("needs at least two options, found {}", q.option.len())));
        }
        let mut options = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        for spanned_option in &q.option {
            let o = spanned_option.get_ref();
            let option_line = lines.of(spanned_option);
            let explain = match &o.explain {
                None => return Err(at(option_line, "an option has no `explain`".into())),
                Some(e) if e.get_ref().trim().is_empty() => {
                    return Err(at(lines.of(e), "an option's `explain` is empty".into()))
                }
                Some(e) => e.get_ref().clone(),
            };
            let choice = if kind == Kind::Possible {
                if let Some(c) = &o.correct {
                    return Err(at(
                        lines.of(c),
                        "a `possible` question must not mark options `correct`: the explorer decides".into(),
                    ));
                }
                if let Some(t) = &o.text {
                    return Err(at(
                        lines.of(t),
                        "options of a `possible` question have a `value`, not a `text`".into(),
                    ));
                }
                let Some(value) = &o.value else {
                    return Err(at(option_line, "an option of a `possible` question needs a `value`".into()));
                };
                if let Some(id) = &o.id {
                    return Err(at(
                        lines.of(id),
                        "options of a `possible` question have no `id`: the value is the identity".into(),
                    ));
                }
                let text = value.get_ref().to_string();
                Choice { id: text.clone(), text, value: Some(*value.get_ref()), correct: None, explain }
            } else {
                if let Some(v) = &o.value {
                    return Err(at(
                        lines.of(v),
                        format!(
                            "only `possible` questions have option `value`s; use `text` in a `{}` one",
                            kind.name()
                        ),
                    ));
                }
                let text = match &o.text {
                    None => return Err(at(option_line, "an option has no `text`".into())),
                    Some(t) if t.get_ref().trim().is_empty() => {
                        return Err(at(lines.of(t), "an option's `text` is empty".into()))
                    }
                    Some(t) => t.get_ref().clone(),
                };
                let id = match &o.id {
                    None => return Err(at(option_line, "an option has no `id`".into())),
                    Some(id) if !valid_id(id.get_ref()) => {
                        return Err(at(
                            lines.of(id),
                            format!("option id `{}` must be lowercase letters, digits and inner dashes", id.get_ref()),
                        ))
                    }
                    Some(id) => id.get_ref().clone(),
                };
                if let Some(first) = ids.insert(id.clone(), option_line) {
                    return Err(at(option_line, format!("the option id `{id}` is used twice (first on line {first})")));
                }
                let correct = Some(o.correct.as_ref().is_some_and(|c| *c.get_ref()));
                Choice { id, text, value: None, correct, explain }
            };
            if seen.insert(choice.text.clone(), option_line).is_some() {
                return Err(at(option_line, format!("the option `{}` appears twice", choice.text)));
            }
            options.push(choice);
        }
        let right = options.iter().filter(|o| o.correct == Some(true)).count();
        match kind {
            Kind::Single | Kind::Scenario if right != 1 => {
                return Err(at(
                    header,
                    format!(
                        "a `{}` question needs exactly one option with `correct = true`, found {right}",
                        kind.name()
                    ),
                ));
            }
            Kind::Multiple if right == 0 => {
                return Err(at(header, "a `multiple` question needs at least one option with `correct = true`".into()));
            }
            _ => {}
        }
        Ok(Question {
            id: id.clone(),
            kind,
            topic: *q.topic.get_ref(),
            prompt: q.prompt.get_ref().clone(),
            snippet,
            program,
            options,
            line: header,
        })
    }

    /// Loads every quiz file given as `(file, text)`, checking each one and then the set: question
    /// ids unique across files, at most one quiz per lesson and one final test, and every id the
    /// final test includes naming a question of a lesson quiz. Returns the lesson quizzes in the
    /// order of `known_lessons`, then the final test; or every error found, by file and line.
    pub fn load_all(sources: &[(String, String)], known_lessons: &[&str]) -> Result<Vec<Quiz>, Vec<QuizError>> {
        let mut errors = Vec::new();
        let mut quizzes = Vec::new();
        for (file, text) in sources {
            match load_quiz(file, text, known_lessons) {
                Ok(q) => quizzes.push(q),
                Err(e) => errors.push(e),
            }
        }
        // Lines of things found after loading: the first line at or after `from` that `hit`s.
        let line_where = |file: &str, from: usize, hit: &dyn Fn(&str) -> bool| {
            let text = sources.iter().find(|(f, _)| f == file).map_or("", |(_, t)| t.as_str());
            text.lines()
                .enumerate()
                .skip(from.saturating_sub(1))
                .find(|(_, l)| hit(l))
                .map_or(from.max(1), |(i, _)| i + 1)
        };
        let key_line = |file: &str, from: usize, key: &str| {
            line_where(file, from, &|l: &str| {
                l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('='))
            })
        };
        let quoted_line = |file: &str, id: &str| {
            let quoted = format!("\"{id}\"");
            line_where(file, 1, &|l: &str| l.contains(&quoted))
        };

        let mut lessons: BTreeMap<&str, &Quiz> = BTreeMap::new();
        for quiz in &quizzes {
            if let Some(other) = lessons.insert(&quiz.lesson, quiz) {
                let what =
                    if quiz.is_final() { "the final test".to_string() } else { format!("lesson `{}`", quiz.lesson) };
                errors.push(err(
                    &quiz.file,
                    key_line(&quiz.file, 1, "lesson"),
                    format!("{what} already has a quiz: {}", other.file),
                ));
            }
        }
        let mut owners: BTreeMap<&str, &Quiz> = BTreeMap::new();
        for quiz in &quizzes {
            for q in &quiz.questions {
                if let Some(other) = owners.insert(&q.id, quiz) {
                    errors.push(err(
                        &quiz.file,
                        key_line(&quiz.file, q.line, "id"),
                        format!("question id `{}` is already used in {}", q.id, other.file),
                    ));
                }
            }
        }
        for quiz in quizzes.iter().filter(|q| q.is_final()) {
            for id in &quiz.include {
                match owners.get(id.as_str()) {
                    None => errors.push(err(
                        &quiz.file,
                        quoted_line(&quiz.file, id),
                        format!("`include` names `{id}`, which no quiz defines"),
                    )),
                    Some(owner) if owner.is_final() => errors.push(err(
                        &quiz.file,
                        quoted_line(&quiz.file, id),
                        format!("`include` names `{id}`, a question of the final test itself"),
                    )),
                    Some(_) => {}
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            errors.dedup();
            return Err(errors);
        }
        let rank = |q: &Quiz| known_lessons.iter().position(|l| *l == q.lesson).unwrap_or(usize::MAX);
        quizzes.sort_by_key(rank);
        Ok(quizzes)
    }

    /// Reads every `*.toml` file of a folder (sorted by name) and loads them with [`load_all`].
    pub fn load_dir(dir: &Path, known_lessons: &[&str]) -> Result<Vec<Quiz>, Vec<QuizError>> {
        let folder = dir.display().to_string();
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| vec![err(&folder, 0, format!("cannot read folder: {e}"))])?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut sources = Vec::new();
        for p in paths {
            let name = p.display().to_string();
            match std::fs::read_to_string(&p) {
                Ok(text) => sources.push((name, text)),
                Err(e) => return Err(vec![err(&name, 0, format!("cannot read file: {e}"))]),
            }
        }
        load_all(&sources, known_lessons)
    }
}
