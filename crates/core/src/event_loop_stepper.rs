//! The event-loop stepper: a JavaScript-style call stack, task queue, microtask queue and timers on
//! a virtual clock, stepped forward and back over small built-in programs (with `async`/`await`).
//!
//! Implementation note: a [`Program`] is data — the JavaScript the learner reads, plus an internal
//! script of [`Op`]s, each tied to the source line it highlights. [`Sim`] keeps every state it has
//! been in (states are small), so [`Sim::back`] restores the previous one exactly by dropping the
//! last; nothing is ever undone by hand. One step is one visible move of the mechanism, chosen in
//! this order: an expired timer moves its callback to the task queue; else the top frame runs one
//! op (or returns); else the oldest microtask starts; else the oldest task starts; else the clock
//! jumps to the next timer. Promises are modelled just enough for `.then` chains, `await` and
//! `Promise.all` to take the same number of microtask turns as in a real engine.
//!
//! ```
//! use interleave_core::event_loop_stepper::{expected_output, program};
//! let program = program("timeout-vs-then").unwrap();
//! assert_eq!(expected_output(program), ["A", "D", "C", "B"]);
//! ```

use std::collections::VecDeque;
use std::fmt;

/// Most steps a [`Sim`] takes before it stops a program (built-ins need far fewer).
pub const MAX_STEPS: usize = 500;

/// One operation of a program's internal script. Promise-valued ops push onto the running
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
        /// Index of the callback in [`Program::functions`].
        callback: usize,
    },
    /// `queueMicrotask(callback)`.
    QueueMicrotask {
        /// Index of the callback in [`Program::functions`].
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
        /// Index of the callback in [`Program::functions`].
        callback: usize,
    },
    /// `await` of the last promise pushed; only inside an async function.
    Await,
    /// A synchronous call of another function of the program (by index).
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
    /// Line in [`Program::source`].
    pub line: usize,
    /// What runs.
    pub op: Op,
}

/// A function of a program: the main script (index 0), a named function or a callback.
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

/// A built-in program: the JavaScript shown to the learner and the script the stepper runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Program {
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
    /// 0-based line of [`Program::source`] to highlight.
    pub current_line: Option<usize>,
    /// What the event loop is doing.
    pub phase: Phase,
    /// One sentence on what the last step did.
    pub note: String,
}

/// A step-by-step run of one program, with its whole history for stepping back.
#[derive(Debug, Clone)]
pub struct Sim {
    program: Program,
    history: Vec<(Machine, Snapshot)>,
}

impl Sim {
    /// A run of `program`, before its first step.
    pub fn new(program: &Program) -> Sim {
        let machine = Machine::new(program);
        let snapshot = machine.snapshot(0);
        Sim { program: *program, history: vec![(machine, snapshot)] }
    }

    /// The program being run.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Takes one step forward; false (and no change) when the program is finished.
    pub fn step(&mut self) -> bool {
        let (machine, _) = self.history.last().expect("history always holds the start");
        if machine.finished() || self.history.len() > MAX_STEPS {
            return false;
        }
        let mut next = machine.clone();
        next.step(&self.program);
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

    /// Steps until the program is finished.
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
        let (machine, _) = self.history.last().expect("history always holds the start");
        machine.finished() || self.history.len() > MAX_STEPS
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

/// The console output of `program`, in order, found by running the simulator to the end.
pub fn expected_output(program: &Program) -> Vec<String> {
    let mut sim = Sim::new(program);
    sim.run_to_end();
    sim.snapshot().console.iter().map(|(text, _)| text.clone()).collect()
}

/// Grades a predicted console output against the real one.
pub fn check_prediction(program: &Program, predicted: &[impl AsRef<str>]) -> Prediction {
    let expected = expected_output(program);
    let first_difference = (0..expected.len().max(predicted.len()))
        .find(|&i| expected.get(i).map(String::as_str) != predicted.get(i).map(AsRef::as_ref));
    Prediction { correct: first_difference.is_none(), first_difference, expected }
}

/// The distinct texts `program` logs, in source order: the tokens a learner puts in order.
pub fn log_texts(program: &Program) -> Vec<String> {
    let mut logs: Vec<(usize, &str)> = program
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

/// The built-in programs.
pub fn programs() -> &'static [Program] {
    &PROGRAMS
}

/// The built-in program with this id.
pub fn program(id: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.id == id)
}

// ---------------------------------------------------------------------------------------------
// The machine.

/// Where a frame came from: decides the phase shown while it is at the bottom of the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Script,
    Task,
    Microtask,
    Call,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ActiveFrame {
    func: usize,
    name: String,
    origin: Origin,
    /// Index of the next op in the body.
    pc: usize,
    line: Option<usize>,
    /// Promises pushed by ops, for the op that uses them.
    operands: Vec<usize>,
    /// Virtual ms already spent in the current [`Op::Busy`].
    busy_done: u64,
    /// Promise fulfilled when this frame returns (the promise a `.then` returned).
    resolves: Option<usize>,
}

impl ActiveFrame {
    fn new(func: usize, name: String, origin: Origin, line: Option<usize>) -> Self {
        ActiveFrame { func, name, origin, pc: 0, line, operands: Vec::new(), busy_done: 0, resolves: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Job {
    /// Puts this frame on the stack: a fresh callback, or an async function resuming.
    Run(ActiveFrame),
    /// `resolve()` of a sleep promise, run by its timer; `line` is the `sleep` call.
    Resolve { promise: usize, line: usize },
    /// One promise given to `Promise.all` was fulfilled; `line` is the `Promise.all` call.
    AllElement { all: usize, line: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Queued {
    label: String,
    job: Job,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Timer {
    due: u64,
    /// Creation order: breaks ties between timers due at the same time.
    seq: u64,
    /// Line of the `setTimeout` (or `sleep`) that started it.
    line: usize,
    task: Queued,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct PromiseState {
    fulfilled: bool,
    /// Microtasks queued when it is fulfilled.
    reactions: Vec<Queued>,
    /// For a `Promise.all` promise: elements not yet fulfilled.
    waiting: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Machine {
    now: u64,
    stack: Vec<ActiveFrame>,
    tasks: VecDeque<Queued>,
    microtasks: VecDeque<Queued>,
    /// Sorted by (due, seq).
    timers: Vec<Timer>,
    promises: Vec<PromiseState>,
    console: Vec<(String, u64)>,
    next_seq: u64,
    sleeps: usize,
    phase: Phase,
    note: String,
    /// Line to highlight when the stack is empty.
    focus: Option<usize>,
}

impl Machine {
    fn new(program: &Program) -> Self {
        let script = ActiveFrame::new(0, "main script".into(), Origin::Script, None);
        let label = "main script".to_string();
        Machine {
            now: 0,
            stack: Vec::new(),
            tasks: VecDeque::from([Queued { label, job: Job::Run(script) }]),
            microtasks: VecDeque::new(),
            timers: Vec::new(),
            promises: Vec::new(),
            console: Vec::new(),
            next_seq: 0,
            sleeps: 0,
            phase: Phase::Ready,
            note: format!(
                "The script \"{}\" is itself the first task: it waits in the task queue.",
                program.title
            ),
            focus: None,
        }
    }

    fn finished(&self) -> bool {
        self.stack.is_empty() && self.tasks.is_empty() && self.microtasks.is_empty() && self.timers.is_empty()
    }

    fn snapshot(&self, step: usize) -> Snapshot {
        let labels = |q: &VecDeque<Queued>| q.iter().map(|t| t.label.clone()).collect();
        Snapshot {
            step,
            call_stack: self.stack.iter().map(|f| Frame { name: f.name.clone(), line: f.line }).collect(),
            task_queue: labels(&self.tasks),
            microtask_queue: labels(&self.microtasks),
            timers: self.timers.iter().map(|t| (t.task.label.clone(), t.due)).collect(),
            console: self.console.clone(),
            now_ms: self.now,
            current_line: self.stack.last().map_or(self.focus, |f| f.line),
            phase: self.phase,
            note: self.note.clone(),
        }
    }

    /// One step; the caller checks [`Machine::finished`] first.
    fn step(&mut self, program: &Program) {
        self.focus = None;
        if self.timers.first().is_some_and(|t| t.due <= self.now) {
            self.expire_timer();
        } else if let Some(top) = self.stack.last() {
            if top.pc < program.functions[top.func].body.len() {
                self.run_op(program);
            } else {
                self.return_from_top();
            }
        } else if let Some(job) = self.microtasks.pop_front() {
            self.start(job, Origin::Microtask);
        } else if let Some(job) = self.tasks.pop_front() {
            self.start(job, Origin::Task);
        } else {
            self.wait_for_timer();
        }
        self.phase = self.phase_now();
        if self.finished() {
            self.note.push_str(" Nothing is left to run: the program is done.");
        }
    }

    fn phase_now(&self) -> Phase {
        match self.stack.first().map(|f| f.origin) {
            Some(Origin::Script | Origin::Call) => Phase::RunningScript,
            Some(Origin::Task) => Phase::RunningTask,
            Some(Origin::Microtask) => Phase::RunningMicrotasks,
            None if !self.microtasks.is_empty() => Phase::RunningMicrotasks,
            None if !self.tasks.is_empty() => Phase::NextTask,
            None if !self.timers.is_empty() => Phase::Idle,
            None => Phase::Done,
        }
    }

    fn expire_timer(&mut self) {
        let timer = self.timers.remove(0);
        let busy = !self.stack.is_empty();
        self.focus = Some(timer.line);
        self.note = if busy {
            format!(
                "The timer due at {} ms has expired: \"{}\" joins the task queue, but must wait \
                 until the stack and the microtask queue are empty.",
                timer.due, timer.task.label
            )
        } else {
            format!(
                "The timer due at {} ms has expired: \"{}\" joins the task queue.",
                timer.due, timer.task.label
            )
        };
        self.tasks.push_back(timer.task);
    }

    fn wait_for_timer(&mut self) {
        let timer = &self.timers[0];
        self.focus = Some(timer.line);
        self.note = format!(
            "The stack and both queues are empty, so the event loop waits: the clock jumps from {} \
             to {} ms, when the next timer expires.",
            self.now, timer.due
        );
        self.now = timer.due;
    }

    fn start(&mut self, job: Queued, queue: Origin) {
        let from = if queue == Origin::Microtask { "microtask" } else { "task" };
        match job.job {
            Job::Run(mut frame) => {
                if frame.origin == Origin::Script {
                    self.note = "The event loop takes the script, the first task, and pushes its frame on \
                                 the call stack."
                        .into();
                } else {
                    frame.origin = queue;
                    self.note = if queue == Origin::Microtask {
                        format!(
                            "The stack is empty, so the event loop runs the next microtask, \"{}\" — \
                             microtasks always come before tasks.",
                            job.label
                        )
                    } else {
                        format!(
                            "The stack and the microtask queue are empty, so the event loop takes the \
                             oldest task, \"{}\", and pushes it on the stack.",
                            job.label
                        )
                    };
                }
                self.stack.push(frame);
            }
            Job::Resolve { promise, line } => {
                self.focus = Some(line);
                let queued = self.fulfill(promise);
                self.note = format!(
                    "The {from} \"{}\" runs: resolve() fulfills the sleep promise{}",
                    job.label,
                    queued_sentence(&queued)
                );
            }
            Job::AllElement { all, line } => {
                self.focus = Some(line);
                let state = &mut self.promises[all];
                state.waiting -= 1;
                let left = state.waiting;
                self.note = if left == 0 {
                    let queued = self.fulfill(all);
                    format!(
                        "The {from} \"{}\" runs: that was the last promise, so Promise.all's promise is \
                         fulfilled{}",
                        job.label,
                        queued_sentence(&queued)
                    )
                } else {
                    format!(
                        "The {from} \"{}\" runs: Promise.all still waits for {left} more promise{}.",
                        job.label,
                        if left == 1 { "" } else { "s" }
                    )
                };
            }
        }
    }

    fn return_from_top(&mut self) {
        let frame = self.stack.pop().expect("a frame to return from");
        let queued = frame.resolves.map(|p| self.fulfill(p)).unwrap_or_default();
        self.note = match frame.origin {
            Origin::Script if self.microtasks.is_empty() => {
                "The script has finished and leaves the stack; no microtask is queued.".into()
            }
            Origin::Script => "The script has finished and leaves the stack. Before any other task, the \
                               event loop now runs every queued microtask."
                .into(),
            Origin::Call => {
                format!("{} returns: its frame leaves the stack and the caller carries on.", frame.name)
            }
            Origin::Task | Origin::Microtask => {
                format!("{} returns and its frame leaves the stack.", frame.name)
            }
        };
        if frame.resolves.is_some() {
            self.note.push_str(" The promise its .then returned is now fulfilled");
            self.note.push_str(&queued_sentence(&queued));
        } else if frame.origin == Origin::Task && !self.microtasks.is_empty() {
            self.note.push_str(" Before the next task, every queued microtask runs.");
        }
    }

    fn run_op(&mut self, program: &Program) {
        let top = self.stack.len() - 1;
        let (func, pc) = (self.stack[top].func, self.stack[top].pc);
        let function = &program.functions[func];
        let instr = function.body[pc];
        self.stack[top].line = Some(instr.line);
        let mut advance = true;
        self.note = match instr.op {
            Op::Log(text) => {
                self.console.push((text.to_string(), self.now));
                format!("console.log prints \"{text}\" at {} ms.", self.now)
            }
            Op::Eval(note) => note.to_string(),
            Op::SetTimeout { delay_ms, callback } => {
                let frame = self.callback_frame(program, callback, "setTimeout");
                let label = frame.name.clone();
                self.add_timer(delay_ms, instr.line, Queued { label, job: Job::Run(frame) });
                if delay_ms == 0 {
                    "setTimeout starts a 0 ms timer. Even at 0 ms, its callback must go through the task \
                     queue, after the script and all microtasks."
                        .into()
                } else {
                    format!(
                        "setTimeout starts a {delay_ms} ms timer, due at {} ms: then its callback joins \
                         the task queue.",
                        self.now + delay_ms
                    )
                }
            }
            Op::QueueMicrotask { callback } => {
                let frame = self.callback_frame(program, callback, "queueMicrotask");
                let label = frame.name.clone();
                self.microtasks.push_back(Queued { label, job: Job::Run(frame) });
                "queueMicrotask puts its callback straight on the microtask queue: it runs before any \
                 task."
                    .into()
            }
            Op::ResolvedPromise => {
                let p = self.new_promise(true);
                self.stack[top].operands.push(p);
                "Promise.resolve() makes a promise that is already fulfilled.".into()
            }
            Op::Sleep { ms } => {
                let p = self.new_promise(false);
                self.sleeps += 1;
                let label = format!("setTimeout callback (resolve sleep #{})", self.sleeps);
                self.add_timer(
                    ms,
                    instr.line,
                    Queued { label, job: Job::Resolve { promise: p, line: instr.line } },
                );
                self.stack[top].operands.push(p);
                format!(
                    "sleep({ms}) starts a {ms} ms timer and returns a pending promise; the timer's \
                     callback will fulfill it at {} ms.",
                    self.now + ms
                )
            }
            Op::PromiseAll { count } => {
                let operands = &mut self.stack[top].operands;
                let elements = operands.split_off(operands.len() - count);
                let all = self.new_promise(count == 0);
                self.promises[all].waiting = count;
                for (i, element) in elements.into_iter().enumerate() {
                    let label = format!("Promise.all: promise {} of {count} fulfilled", i + 1);
                    self.react(element, Queued { label, job: Job::AllElement { all, line: instr.line } });
                }
                self.stack[top].operands.push(all);
                format!(
                    "Promise.all waits for the {count} promises at once: its own promise is fulfilled \
                     when the last of them is."
                )
            }
            Op::Then { callback } => {
                let on = self.stack[top].operands.pop().expect(".then needs a promise");
                let derived = self.new_promise(false);
                let mut frame = self.callback_frame(program, callback, "then");
                frame.resolves = Some(derived);
                let label = frame.name.clone();
                self.stack[top].operands.push(derived);
                if self.react(on, Queued { label, job: Job::Run(frame) }) {
                    "Promise.then queued its callback as a microtask: it runs as soon as the stack is \
                     empty, before any timer."
                        .into()
                } else {
                    ".then waits on a promise that is still pending: its callback will be queued as a \
                     microtask only once that promise is fulfilled."
                        .into()
                }
            }
            Op::Await => {
                assert!(function.is_async, "await outside an async function in {}", program.id);
                advance = false;
                let on = self.stack[top].operands.pop().expect("await needs a promise");
                let mut frame = self.stack.pop().expect("the awaiting frame");
                frame.pc += 1;
                frame.name = format!("{}() (resumed)", function.name);
                let label = format!("resume {}() after await", function.name);
                let rest = if self.stack.is_empty() { "" } else { " The code that called it carries on." };
                if self.react(on, Queued { label, job: Job::Run(frame) }) {
                    format!(
                        "{}() awaits a fulfilled promise: it pauses and leaves the stack, and its \
                         continuation is queued as a microtask.{rest}",
                        function.name
                    )
                } else {
                    format!(
                        "{}() awaits a pending promise: it pauses and leaves the stack until the promise \
                         is fulfilled.{rest}",
                        function.name
                    )
                }
            }
            Op::Call(callee) => {
                let target = &program.functions[callee];
                self.stack[top].pc += 1;
                advance = false;
                let name = format!("{}()", target.name);
                self.stack.push(ActiveFrame::new(callee, name, Origin::Call, target.line));
                if target.is_async {
                    format!(
                        "Calling {}() pushes its frame. An async function runs synchronously, like any \
                         other, until its first await.",
                        target.name
                    )
                } else {
                    format!("Calling {}() pushes its frame on the call stack.", target.name)
                }
            }
            Op::Busy { ms } => {
                let frame = &mut self.stack[top];
                let mut slice = ms - frame.busy_done;
                if let Some(timer) = self.timers.first() {
                    slice = slice.min(timer.due - self.now);
                }
                frame.busy_done += slice;
                self.now += slice;
                if frame.busy_done < ms {
                    advance = false;
                    format!(
                        "The synchronous loop keeps the stack busy: {} of {ms} ms so far (the clock reads \
                         {} ms). Nothing else can run meanwhile.",
                        frame.busy_done, self.now
                    )
                } else {
                    frame.busy_done = 0;
                    format!(
                        "The loop finally ends at {} ms: for {ms} ms the stack was busy and nothing else \
                         could run, not even an expired timer.",
                        self.now
                    )
                }
            }
        };
        if advance {
            self.stack[top].pc += 1;
        }
    }

    /// A frame for `callback`, labelled with the API that will run it.
    fn callback_frame(&self, program: &Program, callback: usize, api: &str) -> ActiveFrame {
        let function = &program.functions[callback];
        let name = format!("{api} {}", function.name);
        ActiveFrame::new(callback, name, Origin::Task, function.line)
    }

    fn add_timer(&mut self, delay_ms: u64, line: usize, task: Queued) {
        let timer = Timer { due: self.now + delay_ms, seq: self.next_seq, line, task };
        self.next_seq += 1;
        let at = self.timers.partition_point(|t| (t.due, t.seq) < (timer.due, timer.seq));
        self.timers.insert(at, timer);
    }

    fn new_promise(&mut self, fulfilled: bool) -> usize {
        self.promises.push(PromiseState { fulfilled, ..PromiseState::default() });
        self.promises.len() - 1
    }

    /// Queues `reaction` now if `promise` is fulfilled (true), else when it is.
    fn react(&mut self, promise: usize, reaction: Queued) -> bool {
        if self.promises[promise].fulfilled {
            self.microtasks.push_back(reaction);
            true
        } else {
            self.promises[promise].reactions.push(reaction);
            false
        }
    }

    /// Fulfills `promise`, queuing its reactions as microtasks; returns their labels.
    fn fulfill(&mut self, promise: usize) -> Vec<String> {
        let state = &mut self.promises[promise];
        state.fulfilled = true;
        let reactions = std::mem::take(&mut state.reactions);
        let labels = reactions.iter().map(|r| r.label.clone()).collect();
        self.microtasks.extend(reactions);
        labels
    }
}

/// Ends a sentence about a fulfilled promise with what it queued.
fn queued_sentence(queued: &[String]) -> String {
    match queued {
        [] => ", but nothing was waiting on it.".into(),
        [one] => format!(", which queues \"{one}\" as a microtask."),
        many => format!(", which queues {} microtasks: \"{}\".", many.len(), many.join("\", \"")),
    }
}

// ---------------------------------------------------------------------------------------------
// The built-in programs.

const fn at(line: usize, op: Op) -> Instr {
    Instr { line, op }
}

const fn script(body: &'static [Instr]) -> Function {
    Function { name: "main script", is_async: false, line: None, body }
}

const fn callback(name: &'static str, line: usize, body: &'static [Instr]) -> Function {
    Function { name, is_async: false, line: Some(line), body }
}

const fn async_fn(name: &'static str, line: usize, body: &'static [Instr]) -> Function {
    Function { name, is_async: true, line: Some(line), body }
}

static PROGRAMS: [Program; 5] = [
    // A, D, C, B: the script runs to the end, then the microtask (C), then the task (B).
    Program {
        id: "timeout-vs-then",
        title: "setTimeout 0 vs Promise.then",
        explain: "A 0 ms timer still waits in the task queue until the script and every microtask are \
                  done, so the .then callback runs first.",
        source: &[
            "console.log('A');",
            "setTimeout(() => console.log('B'), 0);",
            "Promise.resolve().then(() => console.log('C'));",
            "console.log('D');",
        ],
        functions: &[
            script(&[
                at(0, Op::Log("A")),
                at(1, Op::SetTimeout { delay_ms: 0, callback: 1 }),
                at(2, Op::ResolvedPromise),
                at(2, Op::Then { callback: 2 }),
                at(3, Op::Log("D")),
            ]),
            callback("callback (B)", 1, &[at(1, Op::Log("B"))]),
            callback("callback (C)", 2, &[at(2, Op::Log("C"))]),
        ],
    },
    // first: start, second: start, script end, first: middle, second: middle, first: end,
    // second: end. Each async function runs synchronously up to its first await. Awaiting an
    // already fulfilled native promise takes exactly one microtask turn (ES2019 and later), so
    // each continuation is queued behind the other function's: they alternate.
    Program {
        id: "two-async",
        title: "Two async functions take turns",
        explain: "Each await pauses its function and lets the other code run; the two functions \
                  interleave on one thread, one microtask at a time.",
        source: &[
            "async function first() {",
            "  console.log('first: start');",
            "  await Promise.resolve();",
            "  console.log('first: middle');",
            "  await Promise.resolve();",
            "  console.log('first: end');",
            "}",
            "async function second() {",
            "  console.log('second: start');",
            "  await Promise.resolve();",
            "  console.log('second: middle');",
            "  await Promise.resolve();",
            "  console.log('second: end');",
            "}",
            "first();",
            "second();",
            "console.log('script end');",
        ],
        functions: &[
            script(&[at(14, Op::Call(1)), at(15, Op::Call(2)), at(16, Op::Log("script end"))]),
            async_fn(
                "first",
                0,
                &[
                    at(1, Op::Log("first: start")),
                    at(2, Op::ResolvedPromise),
                    at(2, Op::Await),
                    at(3, Op::Log("first: middle")),
                    at(4, Op::ResolvedPromise),
                    at(4, Op::Await),
                    at(5, Op::Log("first: end")),
                ],
            ),
            async_fn(
                "second",
                7,
                &[
                    at(8, Op::Log("second: start")),
                    at(9, Op::ResolvedPromise),
                    at(9, Op::Await),
                    at(10, Op::Log("second: middle")),
                    at(11, Op::ResolvedPromise),
                    at(11, Op::Await),
                    at(12, Op::Log("second: end")),
                ],
            ),
        ],
    },
    // start (0 ms), loop done (200 ms), timer fired (200 ms): the 10 ms timer expires during the
    // loop, but its callback waits in the task queue until the stack is empty.
    Program {
        id: "long-loop-delays-timer",
        title: "A long loop delays a timer",
        explain: "setTimeout's delay is a minimum, not a promise: a 10 ms timer cannot fire while a \
                  200 ms synchronous loop holds the only thread.",
        source: &[
            "console.log('start');",
            "setTimeout(() => console.log('timer fired'), 10);",
            "const start = Date.now();",
            "while (Date.now() - start < 200) {} // busy for 200 ms",
            "console.log('loop done');",
        ],
        functions: &[
            script(&[
                at(0, Op::Log("start")),
                at(1, Op::SetTimeout { delay_ms: 10, callback: 1 }),
                at(2, Op::Eval("const start = Date.now() notes the time when the loop begins.")),
                at(3, Op::Busy { ms: 200 }),
                at(4, Op::Log("loop done")),
            ]),
            callback("callback (timer fired)", 1, &[at(1, Op::Log("timer fired"))]),
        ],
    },
    // script end, then 1, then 2, then 3, microtask 4, timeout: each .then callback is queued
    // only when the previous one returns, and a microtask may queue another; the queue is
    // drained completely before the 0 ms timer's task, already waiting, gets its turn.
    Program {
        id: "microtasks-starve",
        title: "Microtasks run before the next task",
        explain: "Microtasks queued by microtasks still run first: the whole chain finishes before the \
                  0 ms timer. An endless chain would starve the timers and freeze the page.",
        source: &[
            "setTimeout(() => console.log('timeout'), 0);",
            "Promise.resolve()",
            "  .then(() => console.log('then 1'))",
            "  .then(() => console.log('then 2'))",
            "  .then(() => {",
            "    console.log('then 3');",
            "    queueMicrotask(() => console.log('microtask 4'));",
            "  });",
            "console.log('script end');",
        ],
        functions: &[
            script(&[
                at(0, Op::SetTimeout { delay_ms: 0, callback: 1 }),
                at(1, Op::ResolvedPromise),
                at(2, Op::Then { callback: 2 }),
                at(3, Op::Then { callback: 3 }),
                at(4, Op::Then { callback: 4 }),
                at(8, Op::Log("script end")),
            ]),
            callback("callback (timeout)", 0, &[at(0, Op::Log("timeout"))]),
            callback("callback (then 1)", 2, &[at(2, Op::Log("then 1"))]),
            callback("callback (then 2)", 3, &[at(3, Op::Log("then 2"))]),
            callback(
                "callback (then 3)",
                4,
                &[at(5, Op::Log("then 3")), at(6, Op::QueueMicrotask { callback: 5 })],
            ),
            callback("callback (microtask 4)", 6, &[at(6, Op::Log("microtask 4"))]),
        ],
    },
    // together: done (100 ms), in turn: done (200 ms): the two sleeps of Promise.all run at the
    // same time, the awaited ones one after the other; both functions wait concurrently.
    Program {
        id: "await-in-turn-vs-all",
        title: "await one by one vs Promise.all",
        explain: "Awaiting two sleeps in turn takes 200 ms; starting both and awaiting Promise.all takes \
                  100 ms. Waiting overlaps even on one thread.",
        source: &[
            "const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));",
            "async function inTurn() {",
            "  await sleep(100);",
            "  await sleep(100);",
            "  console.log('in turn: done');",
            "}",
            "async function together() {",
            "  await Promise.all([sleep(100), sleep(100)]);",
            "  console.log('together: done');",
            "}",
            "inTurn();",
            "together();",
        ],
        functions: &[
            script(&[
                at(
                    0,
                    Op::Eval(
                        "const sleep = ... defines a function that returns a promise fulfilled by a timer.",
                    ),
                ),
                at(10, Op::Call(1)),
                at(11, Op::Call(2)),
            ]),
            async_fn(
                "inTurn",
                1,
                &[
                    at(2, Op::Sleep { ms: 100 }),
                    at(2, Op::Await),
                    at(3, Op::Sleep { ms: 100 }),
                    at(3, Op::Await),
                    at(4, Op::Log("in turn: done")),
                ],
            ),
            async_fn(
                "together",
                6,
                &[
                    at(7, Op::Sleep { ms: 100 }),
                    at(7, Op::Sleep { ms: 100 }),
                    at(7, Op::PromiseAll { count: 2 }),
                    at(7, Op::Await),
                    at(8, Op::Log("together: done")),
                ],
            ),
        ],
    },
];
