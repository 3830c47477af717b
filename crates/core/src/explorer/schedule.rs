//! "Be the scheduler": the learner's own schedule of one program, built a step at a time, with
//! undo, redo, restart, and a shortest schedule loaded on request.
//!
//! Implementation note: every step keeps the state it led to, so undo only moves the last step
//! over to the redo list and redo moves it back; nothing is recomputed and nothing is undone by
//! hand. A new step forgets what could be redone.

use super::explore::Limits;
use super::machine::{Machine, State, ThreadId};
use super::parse::Program;
use super::programs::{is_solved, Goal};
use super::shortest::{shortest_path, Target};

/// One program's machine and the schedule the learner has made of it so far.
#[derive(Debug, Clone)]
pub struct Scheduler {
    machine: Machine,
    initial: State,
    /// Steps taken, each with the state it led to.
    taken: Vec<Step>,
    /// Steps undone, the most recently undone last.
    undone: Vec<Step>,
}

/// A thread's step and the state it led to.
type Step = (ThreadId, State);

/// Moves the last step of `from` onto `to`; false when `from` is empty.
fn move_last(from: &mut Vec<Step>, to: &mut Vec<Step>) -> bool {
    from.pop().map(|step| to.push(step)).is_some()
}

impl Scheduler {
    /// A schedule of `program` with no step taken yet.
    pub fn new(program: &Program) -> Self {
        let machine = Machine::new(program);
        let initial = machine.initial();
        Scheduler { machine, initial, taken: Vec::new(), undone: Vec::new() }
    }

    /// The compiled program (to describe the current state).
    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    /// The state the schedule has reached.
    pub fn state(&self) -> &State {
        self.taken.last().map_or(&self.initial, |(_, s)| s)
    }

    /// Lets `thread` take its next step; false (and nothing changes) when it is not enabled.
    /// A step forgets the steps that could be redone.
    pub fn step(&mut self, thread: ThreadId) -> bool {
        let state = self.state();
        if !self.machine.enabled(state).contains(&thread) {
            return false;
        }
        let next = self.machine.step(state, thread);
        self.taken.push((thread, next));
        self.undone.clear();
        true
    }

    /// Takes back the last step; false when none was taken.
    pub fn undo(&mut self) -> bool {
        move_last(&mut self.taken, &mut self.undone)
    }

    /// Takes again the step undone last; false when there is none.
    pub fn redo(&mut self) -> bool {
        move_last(&mut self.undone, &mut self.taken)
    }

    /// Back to the initial state, forgetting every step.
    pub fn restart(&mut self) {
        self.taken.clear();
        self.undone.clear();
    }

    /// Whether a step can be taken back (and the schedule restarted).
    pub fn can_undo(&self) -> bool {
        !self.taken.is_empty()
    }

    /// Whether an undone step can be taken again.
    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }

    /// The threads chosen so far, in order.
    pub fn choices(&self) -> Vec<ThreadId> {
        self.taken.iter().map(|(t, _)| *t).collect()
    }

    /// The schedule so far as thread names, `A B A`, or `nothing yet`.
    pub fn schedule_text(&self) -> String {
        if self.taken.is_empty() {
            return "nothing yet".into();
        }
        let names = self.machine.thread_names();
        self.taken.iter().map(|(t, _)| names[*t]).collect::<Vec<_>>().join(" ")
    }

    /// Replaces the schedule with a shortest one that reaches `target` (searching within
    /// `limits`); false, and nothing changes, when there is none.
    pub fn show(&mut self, target: &Target, limits: &Limits) -> bool {
        let Some(choices) = shortest_path(&self.machine, target, limits) else { return false };
        self.restart();
        for t in choices {
            self.step(t);
        }
        true
    }

    /// Whether the schedule has reached `goal` (a goal is only reached where a schedule ends).
    pub fn solves(&self, goal: &Goal) -> bool {
        is_solved(goal, &self.machine, self.state())
    }
}
