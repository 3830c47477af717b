//! What the event-loop stepper speaks: a [`Script`] (the JavaScript shown and the ops run for
//! it), and the [`Snapshot`] of the call stack, queues, timers and console after each step.

use std::fmt;

/// One operation of a script's function bodies. Promise-valued ops push onto the running
/// frame's operand stack; ops that use a promise pop it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `console.log(text)`.
    Log(&'static str),
    /// A statement that does not touch the event loop (e.g. `const start = Date.now()`); the
    /// text is the step's note.
    Eval(&'static str),
    /// `setTimeout(callback, delay_ms)`: a timer that queues a task when it expires.
    SetTimeout {
        /// Delay before the callback may run, in virtual ms.
        delay_ms: u64,
        /// Index of the callback in [`Script::functions`].
        callback: usize,
    },
    /// `queueMicrotask(callback)`.
    QueueMicrotask {
        /// Index of the callback in [`Script::functions`].
        callback: usize,
    },
    /// `Promise.resolve()`: pushes an already fulfilled promise.
    ResolvedPromise,
    /// `sleep(ms)`, i.e. `new Promise((resolve) => setTimeout(resolve, ms))`: pushes a pending
    /// promise that a timer's callback fulfills.
    Sleep {
        /// Delay of the timer, in virtual ms.
        ms: u64,
    },
    /// `Promise.all([...])` of the last `count` promises pushed: pushes one promise, fulfilled
    /// when all of them are.
    PromiseAll {
        /// How many promises it waits for.
        count: usize,
    },
    /// `.then(callback)` on the last promise pushed: replaces it with the promise `.then` returns,
    /// fulfilled when the callback returns.
    Then {
        /// Index of the callback in [`Script::functions`].
        callback: usize,
    },
    /// `await` of the last promise pushed; only inside an async function.
    Await,
    /// A synchronous call of another function of the script (by index).
    Call(usize),
    /// A synchronous loop that keeps the stack busy for `ms` of virtual time.
    Busy {
        /// How long the loop runs, in virtual ms.
        ms: u64,
    },
}

/// One op of a function body and the 0-based source line it highlights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instr {
    /// Line in [`Script::source`].
    pub line: usize,
    /// What runs.
    pub op: Op,
}

/// A function of a script: the main script (index 0), a named function or a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Function {
    /// Name shown on the stack and in queue labels (`first`, `callback (B)`).
    pub name: &'static str,
    /// Whether it is an `async` function (only those may [`Op::Await`]).
    pub is_async: bool,
    /// Line where the function is written, highlighted when its frame is pushed.
    pub line: Option<usize>,
    /// Its ops, in order; the function returns after the last.
    pub body: &'static [Instr],
}

/// A built-in script: the JavaScript shown to the learner, and the ops the stepper runs for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Script {
    /// Stable identifier (for URLs and lessons).
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// What the program shows, in a sentence or two.
    pub explain: &'static str,
    /// JavaScript source, one line per entry.
    pub source: &'static [&'static str],
    /// The main script first, then the functions and callbacks it refers to by index.
    pub functions: &'static [Function],
}

/// What the event loop is doing after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing has run yet: the script waits in the task queue.
    Ready,
    /// The main script is on the stack.
    RunningScript,
    /// A microtask is running, or more are queued and run before any task.
    RunningMicrotasks,
    /// A task (a timer's callback) is on the stack.
    RunningTask,
    /// The stack and microtask queue are empty; the oldest task is next.
    NextTask,
    /// Nothing to run until a timer expires.
    Idle,
    /// Nothing is left: no frame, no queued callback, no pending timer.
    Done,
}

impl Phase {
    /// A short label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Ready => "ready: the script waits to run",
            Phase::RunningScript => "running script",
            Phase::RunningMicrotasks => "running microtasks",
            Phase::RunningTask => "running task",
            Phase::NextTask => "picking the next task",
            Phase::Idle => "idle: waiting for timer",
            Phase::Done => "done",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One frame of the call stack as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Function or callback name (`main script`, `first()`, `then callback (C)`).
    pub name: String,
    /// Source line the frame is at: the line it just ran, or the call it waits on.
    pub line: Option<usize>,
}

/// A read-only view of the simulated machine after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Steps taken from the start.
    pub step: usize,
    /// Call stack, bottom first.
    pub call_stack: Vec<Frame>,
    /// Task (macrotask) queue labels, oldest first.
    pub task_queue: Vec<String>,
    /// Microtask queue labels, oldest first.
    pub microtask_queue: Vec<String>,
    /// Pending timers as (label, virtual due time in ms), soonest first.
    pub timers: Vec<(String, u64)>,
    /// Console lines as (text, virtual ms when logged).
    pub console: Vec<(String, u64)>,
    /// Virtual clock, in ms.
    pub now_ms: u64,
    /// 0-based line of [`Script::source`] to highlight.
    pub current_line: Option<usize>,
    /// What the event loop is doing.
    pub phase: Phase,
    /// One sentence on what the last step did.
    pub note: String,
}
