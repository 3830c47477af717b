//! The event-loop stepper: a JavaScript-style call stack, task queue, microtask queue and timers on
//! a virtual clock, stepped forward and back over small built-in scripts (with `async`/`await`),
//! and the learner's prediction of what they print, graded.
//!
//! By job: `model` is what the stepper speaks (a [`Script`] in, a [`Snapshot`] out); `machine`
//! is the simulated engine (an `EventLoop`); `programs` holds the built-in [`scripts()`]; this
//! file keeps a run's history ([`Stepper`]) and grades predictions.
//!
//! Implementation note: a [`Script`] is data — the JavaScript the learner reads, plus the
//! [`Op`]s of its functions, each tied to the source line it highlights. [`Stepper`] keeps every
//! state it has been in (states are small), so [`Stepper::back`] restores the previous one
//! exactly by dropping the last; nothing is ever undone by hand.
//!
//! ```
//! use interleave_core::event_loop_stepper::{expected_output, script};
//! let script = script("timeout-vs-then").unwrap();
//! assert_eq!(expected_output(script), ["A", "D", "C", "B"]);
//! ```

mod machine;
mod model;
mod programs;

use machine::EventLoop;
pub use model::{Frame, Function, Instr, Op, Phase, Script, Snapshot};
pub use programs::{script, scripts};

/// Most steps a [`Stepper`] takes before it stops a script (built-ins need far fewer).
pub const MAX_STEPS: usize = 500;

/// A step-by-step run of one script, with its whole history for stepping back.
#[derive(Debug, Clone)]
pub struct Stepper {
    script: Script,
    history: Vec<(EventLoop, Snapshot)>,
}

impl Stepper {
    /// A run of `script`, before its first step.
    pub fn new(script: &Script) -> Stepper {
        let engine = EventLoop::new(script);
        let snapshot = engine.snapshot(0);
        Stepper { script: *script, history: vec![(engine, snapshot)] }
    }

    /// The script being run.
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// Takes one step forward; false (and no change) when the script is finished.
    pub fn step(&mut self) -> bool {
        if self.finished() {
            return false;
        }
        let (engine, _) = self.history.last().expect("history always holds the start");
        let mut next = engine.clone();
        next.step(&self.script);
        let snapshot = next.snapshot(self.history.len());
        self.history.push((next, snapshot));
        true
    }

    /// Goes back one step, restoring the previous state exactly; false at the start.
    pub fn back(&mut self) -> bool {
        if self.at_start() {
            return false;
        }
        self.history.pop();
        true
    }

    /// Steps until the script is finished.
    pub fn run_to_end(&mut self) {
        while self.step() {}
    }

    /// Returns to the state before the first step.
    pub fn reset(&mut self) {
        self.history.truncate(1);
    }

    /// Whether no step has been taken.
    pub fn at_start(&self) -> bool {
        self.history.len() == 1
    }

    /// Whether no step is left.
    pub fn finished(&self) -> bool {
        let (engine, _) = self.history.last().expect("history always holds the start");
        engine.finished() || self.history.len() > MAX_STEPS
    }

    /// Steps taken from the start.
    pub fn steps_taken(&self) -> usize {
        self.history.len() - 1
    }

    /// The current state, for display.
    pub fn snapshot(&self) -> &Snapshot {
        &self.history.last().expect("history always holds the start").1
    }
}

/// How a learner's predicted console output compares with the real one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// Whether the prediction is exactly the output.
    pub correct: bool,
    /// Index of the first line that differs (or is missing, or is extra).
    pub first_difference: Option<usize>,
    /// The real output.
    pub expected: Vec<String>,
}

impl Prediction {
    /// The verdict as the learner reads it.
    pub fn verdict(&self) -> String {
        if self.correct {
            return "Your prediction was right.".into();
        }
        format!(
            "Not quite: the output was {}. The first difference is line {}.",
            self.expected.join(" → "),
            self.first_difference.map_or(0, |i| i + 1)
        )
    }
}

/// The console output of `script`, in order, found by running the stepper to the end.
pub fn expected_output(script: &Script) -> Vec<String> {
    let mut stepper = Stepper::new(script);
    stepper.run_to_end();
    stepper.snapshot().console.iter().map(|(text, _)| text.clone()).collect()
}

/// Grades a predicted console output against the real one.
pub fn check_prediction(script: &Script, predicted: &[impl AsRef<str>]) -> Prediction {
    let expected = expected_output(script);
    let first_difference = (0..expected.len().max(predicted.len()))
        .find(|&i| expected.get(i).map(String::as_str) != predicted.get(i).map(AsRef::as_ref));
    Prediction { correct: first_difference.is_none(), first_difference, expected }
}

/// The distinct texts `script` logs, in source order: the tokens a learner puts in order.
pub fn log_texts(script: &Script) -> Vec<String> {
    let mut logs: Vec<(usize, &str)> = script
        .functions
        .iter()
        .flat_map(|f| f.body)
        .filter_map(|i| match i.op {
            Op::Log(text) => Some((i.line, text)),
            _ => None,
        })
        .collect();
    logs.sort_by_key(|&(line, _)| line);
    let mut texts: Vec<String> = Vec::new();
    for (_, text) in logs {
        if !texts.iter().any(|t| t == text) {
            texts.push(text.to_string());
        }
    }
    texts
}

/// The tokens still left to place after `predicted`: those of [`log_texts`] not picked yet, in
/// source order (each token is distinct, so one pick uses it up).
pub fn tokens_left(script: &Script, predicted: &[impl AsRef<str>]) -> Vec<String> {
    log_texts(script).into_iter().filter(|t| !predicted.iter().any(|p| p.as_ref() == t)).collect()
}
