//! The answers of "what can happen" quiz questions, computed by the interleaving explorer.
//!
//! Implementation note: a `possible` question's file lists candidate values but never says which
//! are right; the right ones are the values its variable ends with in some complete schedule, so
//! the key cannot drift from the program. They are computed once, when the site is built
//! ([`fill_keys`]), and a question whose program does not explore fails the build at its line.
//! The programs are tiny, so exploring them sequentially takes well under a millisecond each.

use std::collections::BTreeSet;

use interleave_core::explorer::{explore, parse, ExploreControl, Limits};
use interleave_core::learning::quiz::{Kind, Question, Quiz};

use crate::error::{err, Error};

/// Bounds on exploring one quiz program: quiz programs are small, so a larger one is a mistake.
pub const LIMITS: Limits = Limits { max_states: 200_000 };

/// Why a `possible` question has no answer key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    /// The line of the program (1-based) the problem is on, when it is on one.
    program_line: Option<usize>,
    message: String,
}

fn failure(message: impl Into<String>) -> Failure {
    Failure { program_line: None, message: message.into() }
}

fn reachable_values(question: &Question) -> Result<BTreeSet<i64>, Failure> {
    let Some(program) = question.program.as_ref().filter(|_| question.kind == Kind::Possible) else {
        return Err(failure(format!("question `{}` is not a `possible` question", question.id)));
    };
    let parsed = parse(&program.source)
        .map_err(|e| Failure { program_line: Some(e.line), message: format!("column {}: {}", e.column, e.message) })?;
    if !parsed.shared_names().contains(&program.variable.as_str()) {
        return Err(failure(format!("`{}` is not a shared variable of the program", program.variable)));
    }
    let report = explore(&parsed, &LIMITS, &ExploreControl::sequential()).map_err(|e| failure(e.to_string()))?;
    Ok(report.outcomes.iter().filter_map(|o| o.values.get(&program.variable).copied()).collect())
}

/// Every final value of the question's variable over the complete schedules of its program
/// (empty when no schedule completes). An error for a question that is not `possible`, or whose
/// program does not parse or explore.
pub fn possible_values(question: &Question) -> Result<BTreeSet<i64>, String> {
    reachable_values(question).map_err(|f| match f.program_line {
        Some(line) => format!("program line {line}, {}", f.message),
        None => f.message,
    })
}

/// The indices of the right options of any question: written in the file, or for a `possible`
/// question, the options whose value [`possible_values`] contains. Pass it to `grading::grade`.
pub fn answer_key(question: &Question) -> Result<BTreeSet<usize>, String> {
    if question.kind != Kind::Possible {
        return Ok(question.key());
    }
    possible_values(question).map(|values| question.options_with_values(&values))
}

/// Writes the explorer's answer into every option of every `possible` question (`correct` says
/// whether its value is reachable), after [`check`] has made sure each program explores.
pub fn fill_keys(quizzes: &mut [Quiz]) -> Result<(), Vec<Error>> {
    check(quizzes)?;
    for question in quizzes.iter_mut().flat_map(|q| &mut q.questions).filter(|q| q.kind == Kind::Possible) {
        let values = possible_values(question).expect("checked above");
        for option in &mut question.options {
            option.correct = Some(option.value.is_some_and(|v| values.contains(&v)));
        }
    }
    Ok(())
}

/// Checks every `possible` question of `quizzes` with the explorer: its program parses (an error
/// names the quiz file's line), it explores within [`LIMITS`], some schedule completes, and every
/// reachable value is among the options (otherwise no answer could be right).
pub fn check(quizzes: &[Quiz]) -> Result<(), Vec<Error>> {
    let mut errors = Vec::new();
    for quiz in quizzes {
        for question in quiz.questions.iter().filter(|q| q.kind == Kind::Possible) {
            let at = |line: usize, message: String| err(&quiz.file, line, format!("question `{}`: {message}", question.id));
            match reachable_values(question) {
                Err(f) => {
                    let first = question.program.as_ref().map_or(question.line, |p| p.first_line);
                    let line = f.program_line.map_or(question.line, |l| first + l - 1);
                    let message =
                        if f.program_line.is_some() { format!("in the program, {}", f.message) } else { f.message };
                    errors.push(at(line, message));
                }
                Ok(values) if values.is_empty() => {
                    errors
                        .push(at(question.line, "no schedule of the program completes, so nothing is possible".into()));
                }
                Ok(values) => {
                    let offered: BTreeSet<i64> = question.options.iter().filter_map(|o| o.value).collect();
                    let absent: Vec<String> = values.difference(&offered).map(i64::to_string).collect();
                    if !absent.is_empty() {
                        errors.push(at(
                            question.line,
                            format!(
                                "the program can end with {} = {}, which no option offers, so no answer is right",
                                question.program.as_ref().map_or("", |p| p.variable.as_str()),
                                absent.join(", "),
                            ),
                        ));
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
