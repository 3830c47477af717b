//! The simulated JavaScript engine behind the stepper: a call stack, a task queue, a microtask
//! queue, timers on a virtual clock and just enough of promises, moved one visible step at a time.
//!
//! Implementation note: one step is one visible move of the mechanism, chosen in this order: an
//! expired timer moves its callback to the task queue; else the top frame runs one op (or
//! returns); else the oldest microtask starts; else the oldest task starts; else the clock jumps
//! to the next timer. Promises are modelled just enough for `.then` chains, `await` and
//! `Promise.all` to take the same number of microtask turns as in a real engine. What waits in a
//! queue is a [`Callback`]: a frame to push, a sleep's `resolve()`, or one `Promise.all` element.

use std::collections::VecDeque;

use super::model::{Frame, Op, Phase, Script, Snapshot};

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

/// What a queued entry does when the event loop takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Callback {
    /// Puts this frame on the stack: a fresh callback, or an async function resuming.
    Run(ActiveFrame),
    /// `resolve()` of a sleep promise, run by its timer; `line` is the `sleep` call.
    Resolve { promise: usize, line: usize },
    /// One promise given to `Promise.all` was fulfilled; `line` is the `Promise.all` call.
    AllElement { all: usize, line: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// An entry of the task or microtask queue (or of a timer, or a promise's reactions).
struct Queued {
    label: String,
    callback: Callback,
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

/// The whole engine at one moment; [`super::Stepper`] keeps one per step taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EventLoop {
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

impl EventLoop {
    pub(super) fn new(script: &Script) -> Self {
        let main = ActiveFrame::new(0, "main script".into(), Origin::Script, None);
        let label = "main script".to_string();
        EventLoop {
            now: 0,
            stack: Vec::new(),
            tasks: VecDeque::from([Queued { label, callback: Callback::Run(main) }]),
            microtasks: VecDeque::new(),
            timers: Vec::new(),
            promises: Vec::new(),
            console: Vec::new(),
            next_seq: 0,
            sleeps: 0,
            phase: Phase::Ready,
            note: format!(
                "The script \"{}\" is itself the first task: it waits in the task queue.",
                script.title
            ),
            focus: None,
        }
    }

    pub(super) fn finished(&self) -> bool {
        self.stack.is_empty() && self.tasks.is_empty() && self.microtasks.is_empty() && self.timers.is_empty()
    }

    pub(super) fn snapshot(&self, step: usize) -> Snapshot {
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

    /// One step; the caller checks [`EventLoop::finished`] first.
    pub(super) fn step(&mut self, script: &Script) {
        self.focus = None;
        if self.timers.first().is_some_and(|t| t.due <= self.now) {
            self.expire_timer();
        } else if let Some(top) = self.stack.last() {
            if top.pc < script.functions[top.func].body.len() {
                self.run_op(script);
            } else {
                self.return_from_top();
            }
        } else if let Some(entry) = self.microtasks.pop_front() {
            self.start(entry, Origin::Microtask);
        } else if let Some(entry) = self.tasks.pop_front() {
            self.start(entry, Origin::Task);
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

    fn start(&mut self, entry: Queued, queue: Origin) {
        let from = if queue == Origin::Microtask { "microtask" } else { "task" };
        match entry.callback {
            Callback::Run(mut frame) => {
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
                            entry.label
                        )
                    } else {
                        format!(
                            "The stack and the microtask queue are empty, so the event loop takes the \
                             oldest task, \"{}\", and pushes it on the stack.",
                            entry.label
                        )
                    };
                }
                self.stack.push(frame);
            }
            Callback::Resolve { promise, line } => {
                self.focus = Some(line);
                let queued = self.fulfill(promise);
                self.note = format!(
                    "The {from} \"{}\" runs: resolve() fulfills the sleep promise{}",
                    entry.label,
                    queued_sentence(&queued)
                );
            }
            Callback::AllElement { all, line } => {
                self.focus = Some(line);
                let state = &mut self.promises[all];
                state.waiting -= 1;
                let left = state.waiting;
                self.note = if left == 0 {
                    let queued = self.fulfill(all);
                    format!(
                        "The {from} \"{}\" runs: that was the last promise, so Promise.all's promise is \
                         fulfilled{}",
                        entry.label,
                        queued_sentence(&queued)
                    )
                } else {
                    format!(
                        "The {from} \"{}\" runs: Promise.all still waits for {left} more promise{}.",
                        entry.label,
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

    fn run_op(&mut self, script: &Script) {
        let top = self.stack.len() - 1;
        let (func, pc) = (self.stack[top].func, self.stack[top].pc);
        let function = &script.functions[func];
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
                let frame = self.callback_frame(script, callback, "setTimeout");
                let label = frame.name.clone();
                self.add_timer(delay_ms, instr.line, Queued { label, callback: Callback::Run(frame) });
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
                let frame = self.callback_frame(script, callback, "queueMicrotask");
                let label = frame.name.clone();
                self.microtasks.push_back(Queued { label, callback: Callback::Run(frame) });
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
                    Queued { label, callback: Callback::Resolve { promise: p, line: instr.line } },
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
                    let callback = Callback::AllElement { all, line: instr.line };
                    self.react(element, Queued { label, callback });
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
                let mut frame = self.callback_frame(script, callback, "then");
                frame.resolves = Some(derived);
                let label = frame.name.clone();
                self.stack[top].operands.push(derived);
                if self.react(on, Queued { label, callback: Callback::Run(frame) }) {
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
                assert!(function.is_async, "await outside an async function in {}", script.id);
                advance = false;
                let on = self.stack[top].operands.pop().expect("await needs a promise");
                let mut frame = self.stack.pop().expect("the awaiting frame");
                frame.pc += 1;
                frame.name = format!("{}() (resumed)", function.name);
                let label = format!("resume {}() after await", function.name);
                let rest = if self.stack.is_empty() { "" } else { " The code that called it carries on." };
                if self.react(on, Queued { label, callback: Callback::Run(frame) }) {
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
                let target = &script.functions[callee];
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
    fn callback_frame(&self, script: &Script, callback: usize, api: &str) -> ActiveFrame {
        let function = &script.functions[callback];
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
