//! "Be the scheduler": the learner's own schedule of one program, built a step at a time, with
//! undo, redo, restart, and a shortest schedule loaded on request.
//!
//! Implementation note: every step keeps the state it led to, so undo only moves the last step
//! over to the redo list and redo moves it back; nothing is recomputed and nothing is undone by
//! hand. A new step forgets what could be redone.

use super::explore::Limits;
use super::machine::{Machine, Move, MoveKind, State, ThreadId};
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

/// A move and the state it led to.
type Step = (Move, State);

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

    /// The moves the schedule may take next.
    pub fn moves(&self) -> Vec<Move> {
        self.machine.moves(self.state())
    }

    /// Takes `mv`; false (and nothing changes) when it is not one of the moves. A move forgets
    /// the moves that could be redone.
    pub fn take(&mut self, mv: Move) -> bool {
        let state = self.state();
        if !self.machine.moves(state).contains(&mv) {
            return false;
        }
        let next = self.machine.apply(state, mv);
        self.taken.push((mv, next));
        self.undone.clear();
        true
    }

    /// Lets `thread` take its next step (a `notify` with several waiters wakes the first; see
    /// [`Scheduler::take`] to choose); false, and nothing changes, when it is not enabled.
    pub fn step(&mut self, thread: ThreadId) -> bool {
        let found = self.moves().into_iter().find(|m| m.thread == thread && m.kind != MoveKind::Flush);
        found.is_some_and(|mv| self.take(mv))
    }

    /// Under `tso`, writes the oldest entry of `thread`'s store buffer to memory; false when its
    /// buffer is empty.
    pub fn flush(&mut self, thread: ThreadId) -> bool {
        self.take(Move::flush(thread))
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

    /// The moves chosen so far, in order.
    pub fn choices(&self) -> Vec<Move> {
        self.taken.iter().map(|(m, _)| *m).collect()
    }

    /// The schedule so far as thread names, `A B flush(A) A`, or `nothing yet`.
    pub fn schedule_text(&self) -> String {
        if self.taken.is_empty() {
            return "nothing yet".into();
        }
        self.taken.iter().map(|(m, _)| self.machine.move_text(*m)).collect::<Vec<_>>().join(" ")
    }

    /// What the schedule so far did that is worth saying, one sentence each, oldest first (a
    /// notification that no thread was waiting for, so it was lost).
    pub fn notes(&self) -> Vec<String> {
        let mut before = &self.initial;
        let mut notes = Vec::new();
        for (mv, after) in &self.taken {
            notes.extend(self.machine.move_note(before, *mv));
            before = after;
        }
        notes
    }

    /// Replaces the schedule with a shortest one that reaches `target` (searching within
    /// `limits`); false, and nothing changes, when there is none.
    pub fn show(&mut self, target: &Target, limits: &Limits) -> bool {
        let Some(choices) = shortest_path(&self.machine, target, limits) else { return false };
        self.restart();
        for mv in choices {
            self.take(mv);
        }
        true
    }

    /// Whether the schedule has reached `goal` (a goal is only reached where a schedule ends).
    pub fn solves(&self, goal: &Goal) -> bool {
        is_solved(goal, &self.machine, self.state())
    }
}
