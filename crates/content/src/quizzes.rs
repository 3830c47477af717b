//! Reading quiz files (`lessons/quizzes/*.toml`): TOML with spans, so that every problem names its
//! file and line. The format is described at the top of `interleave_core::learning::quiz`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use interleave_core::learning::quiz::{Choice, Kind, Program, Question, Quiz, Snippet, Topic, FINAL};

use crate::error::{err, sorted, Error};
use crate::rules::{code_language, code_language_tags, valid_id, ID_RULE};
use crate::source::{key_line, line_of, line_where, read_folder};

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

/// Byte offsets to 1-based lines, for one file.
struct Lines<'t>(&'t str);

impl Lines<'_> {
    fn at(&self, byte: usize) -> usize {
        line_of(self.0, byte)
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
pub fn load_quiz(file: &str, text: &str, known_lessons: &[&str]) -> Result<Quiz, Error> {
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

fn check_question(file: &str, lines: &Lines<'_>, spanned: &Spanned<RawQuestion>) -> Result<Question, Error> {
    let q = spanned.get_ref();
    let header = lines.of(spanned);
    let id = q.id.get_ref().clone();
    if !valid_id(&id) {
        return Err(err(
            file,
            lines.of(&q.id),
            format!("question id `{id}` must be {ID_RULE}"),
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
            if code_language(lang.get_ref()).is_none() {
                return Err(at(
                    lines.of(lang),
                    format!("unknown language `{}` (known: {})", lang.get_ref(), code_language_tags()),
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
                        format!("option id `{}` must be {ID_RULE}", id.get_ref()),
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
pub fn load_all(sources: &[(String, String)], known_lessons: &[&str]) -> Result<Vec<Quiz>, Vec<Error>> {
    let mut errors = Vec::new();
    let mut quizzes = Vec::new();
    for (file, text) in sources {
        match load_quiz(file, text, known_lessons) {
            Ok(q) => quizzes.push(q),
            Err(e) => errors.push(e),
        }
    }
    // The line where the final test names an included id.
    let quoted_line = |file: &str, id: &str| {
        let quoted = format!("\"{id}\"");
        line_where(text_of(sources, file), 1, |l| l.contains(&quoted))
    };

    let mut lessons: BTreeMap<&str, &Quiz> = BTreeMap::new();
    for quiz in &quizzes {
        if let Some(other) = lessons.insert(&quiz.lesson, quiz) {
            let what =
                if quiz.is_final() { "the final test".to_string() } else { format!("lesson `{}`", quiz.lesson) };
            errors.push(err(
                &quiz.file,
                key_line(text_of(sources, &quiz.file), 1, "lesson"),
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
                    key_line(text_of(sources, &quiz.file), q.line, "id"),
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
    sorted(errors)?;
    let rank = |q: &Quiz| known_lessons.iter().position(|l| *l == q.lesson).unwrap_or(usize::MAX);
    quizzes.sort_by_key(rank);
    Ok(quizzes)
}

/// The text of `file` among `sources` (empty if it is not there).
fn text_of<'s>(sources: &'s [(String, String)], file: &str) -> &'s str {
    sources.iter().find(|(f, _)| f == file).map_or("", |(_, t)| t.as_str())
}

/// Reads every `*.toml` file of a folder (sorted by name) and loads them with [`load_all`].
pub fn load_dir(dir: &Path, known_lessons: &[&str]) -> Result<Vec<Quiz>, Vec<Error>> {
    load_all(&read_folder(dir, "toml")?, known_lessons)
}
