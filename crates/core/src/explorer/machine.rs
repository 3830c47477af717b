//! Runs a compiled program one step at a time: the initial state, which threads may step, what a
//! step does, how a state ends, and the symmetry reduction the explorer uses.
//!
//! Implementation note: a [`State`] is one flat row of `i64` words:
//! `[pc per thread | shared | lock holders | semaphore counts | barrier arrivals |
//! per thread: registers, temps, what it waits for, store buffer]` (the last two only when the
//! program has condition variables or barriers, and runs under `tso`). A program counter below
//! zero means the thread failed; it encodes where and why. A store buffer is a row of
//! (variable + 1, value) pairs, oldest first, zero after the last entry. A thread's wait word is 0
//! while it runs, `1 + c` while it is in condition variable `c`'s wait set, and `1 + conds + b`
//! while it waits at barrier `b`.
//!
//! What the scheduler chooses is a [`Move`]: a thread's next step, a flush of the oldest entry of
//! its store buffer, or, for a `notify` with several waiters, the step that wakes one of them.
//! The code itself comes from [`super::compile`]; what a state looks like to the learner is
//! [`super::describe`].

use std::collections::BTreeMap;

use super::compile::{compile_thread, lower_direct, same_code, AStmt, CExpr, Layout, Names, Op, ThreadCode};
use super::parse::{parse_condition, BinOp, MemoryModel, ParseError, Place, Program, UnOp};

/// A thread's index in the program (source order).
pub type ThreadId = usize;

/// One choice of the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Move {
    /// The thread that moves.
    pub thread: ThreadId,
    /// What it does.
    pub kind: MoveKind,
}

/// What a [`Move`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MoveKind {
    /// The thread's next step.
    Step,
    /// Under `tso`: the oldest entry of the thread's store buffer is written to memory.
    Flush,
    /// The thread's next step is a `notify` with several waiters, and it wakes this one.
    Wake(ThreadId),
}

impl Move {
    /// Thread `t`'s next step.
    pub fn step(thread: ThreadId) -> Move {
        Move { thread, kind: MoveKind::Step }
    }
    /// Thread `t`'s flush.
    pub fn flush(thread: ThreadId) -> Move {
        Move { thread, kind: MoveKind::Flush }
    }
}

/// Most `while` iterations one `atomic` block may run within its single step; past it the
/// thread fails (no other thread could ever change what the loop waits for).
pub const ATOMIC_FUEL: u32 = 10_000;

pub(super) const DIV_ZERO: i64 = 0;
pub(super) const UNLOCK_NOT_HELD: i64 = 1;
pub(super) const OUT_OF_FUEL: i64 = 2;
pub(super) const WAIT_NOT_HELD: i64 = 3;

/// One state of the whole program: every thread's position, registers and hidden temporaries,
/// plus all shared variables, lock holders and semaphore counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct State {
    pub(crate) words: Box<[i64]>,
}

/// Where a state stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Some thread can take a step.
    Running,
    /// Every thread finished; `bad` when a `check` is false for the final values.
    Complete {
        /// Whether a `check` failed.
        bad: bool,
    },
    /// Unfinished threads remain and none can take a step.
    Deadlock,
    /// A thread failed; the schedule ends here.
    Error {
        /// The thread that failed.
        thread: ThreadId,
        /// Source line of the failing step.
        line: usize,
        /// What went wrong.
        message: String,
    },
}

/// How a schedule ended, for the explorer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    Complete { bad: bool },
    Deadlock,
    Error,
}

/// Room [`Machine::canonicalize`] works in, kept from one call to the next.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    order: Vec<ThreadId>,
    old: Vec<i64>,
}

/// Offsets of one thread's words, for evaluating expressions.
#[derive(Clone, Copy)]
pub(super) struct Ctx {
    pub(super) regs: usize,
    pub(super) temps: usize,
    pub(super) shared: usize,
}

/// A compiled program: knows the initial state, which threads may step and what a step does.
#[derive(Debug, Clone)]
pub struct Machine {
    pub(super) threads: Vec<ThreadCode>,
    pub(super) shared: Vec<(String, i64)>,
    pub(super) locks: Vec<String>,
    pub(super) sems: Vec<(String, i64)>,
    pub(super) conds: Vec<String>,
    pub(super) barriers: Vec<(String, i64)>,
    pub(super) memory: MemoryModel,
    pub(super) checks: Vec<CExpr>,
    pub(super) width: usize,
    pub(super) shared_base: usize,
    pub(super) lock_base: usize,
    pub(super) sem_base: usize,
    pub(super) barrier_base: usize,
    /// Most moves a state can have.
    pub(super) most_moves: usize,
    /// Groups (two or more) of threads with identical code, for symmetry reduction.
    pub(super) groups: Vec<Vec<ThreadId>>,
}

impl Machine {
    /// Compiles `program`.
    pub fn new(program: &Program) -> Machine {
        let n = program.threads.len();
        let shared_base = n;
        let lock_base = shared_base + program.shared.len();
        let sem_base = lock_base + program.locks.len();
        let barrier_base = sem_base + program.sems.len();
        let mut next = barrier_base + program.barriers.len();
        let shared_names: Vec<&str> = program.shared.iter().map(|(s, _)| s.as_str()).collect();
        let mut threads = Vec::with_capacity(n);
        for t in &program.threads {
            let names = Names {
                shared: &shared_names,
                regs: &t.registers,
                locks: &program.locks,
                sems: &program.sems,
                conds: &program.conds,
                barriers: &program.barriers,
            };
            let layout = Layout {
                waits: !program.conds.is_empty() || !program.barriers.is_empty(),
                tso: program.memory == MemoryModel::Tso,
            };
            let code = compile_thread(t, names, next, layout);
            next = code.end();
            threads.push(code);
        }
        // Per thread: a flush, and a step (or, for a `notify`, one step per other thread to wake).
        let notifies = !program.conds.is_empty();
        let per_thread = |c: &ThreadCode| usize::from(c.cap > 0) + if notifies { (n - 1).max(1) } else { 1 };
        let most_moves = threads.iter().map(per_thread).sum();
        let mut groups: Vec<Vec<ThreadId>> = Vec::new();
        for t in 0..threads.len() {
            match groups.iter_mut().find(|g| same_code(&threads[g[0]], &threads[t])) {
                Some(g) => g.push(t),
                None => groups.push(vec![t]),
            }
        }
        groups.retain(|g| g.len() > 1);
        Machine {
            threads,
            groups,
            shared: program.shared.clone(),
            locks: program.locks.clone(),
            sems: program.sems.clone(),
            conds: program.conds.clone(),
            barriers: program.barriers.clone(),
            memory: program.memory,
            checks: program.checks.iter().map(lower_direct).collect(),
            width: next,
            shared_base,
            lock_base,
            sem_base,
            barrier_base,
            most_moves,
        }
    }

    /// The memory model the program runs under.
    pub fn memory(&self) -> MemoryModel {
        self.memory
    }

    /// Names of the threads, by [`ThreadId`].
    pub fn thread_names(&self) -> Vec<&str> {
        self.threads.iter().map(|t| t.name.as_str()).collect()
    }

    /// The state before any step.
    pub fn initial(&self) -> State {
        let mut w = vec![0i64; self.width];
        for (i, t) in self.threads.iter().enumerate() {
            w[i] = t.start as i64;
        }
        for (i, (_, v)) in self.shared.iter().enumerate() {
            w[self.shared_base + i] = *v;
        }
        for (i, (_, v)) in self.sems.iter().enumerate() {
            w[self.sem_base + i] = *v;
        }
        State { words: w.into_boxed_slice() }
    }

    /// Every move the scheduler may choose in `state` (none once any thread has failed): steps,
    /// flushes, and a wake per waiter of a `notify` that has several.
    pub fn moves(&self, state: &State) -> Vec<Move> {
        let mut out = Vec::new();
        if state.words.len() == self.width {
            self.enabled_into(&state.words, &mut out);
        }
        out
    }

    /// Threads whose own next step (not a flush) may run in `state`.
    pub fn enabled(&self, state: &State) -> Vec<ThreadId> {
        let mut threads: Vec<ThreadId> =
            self.moves(state).into_iter().filter(|m| m.kind != MoveKind::Flush).map(|m| m.thread).collect();
        threads.dedup();
        threads
    }

    /// The state after `mv`; `state` itself when `mv` is not one of its moves.
    pub fn apply(&self, state: &State, mv: Move) -> State {
        let mut next = state.clone();
        if next.words.len() == self.width && self.moves(state).contains(&mv) {
            self.step_words(&mut next.words, mv);
        }
        next
    }

    /// The state after `thread` takes its next step (a `notify` with several waiters wakes the
    /// first of them); `state` itself when that thread's step is not enabled.
    pub fn step(&self, state: &State, thread: ThreadId) -> State {
        match self.moves(state).into_iter().find(|m| m.thread == thread && m.kind != MoveKind::Flush) {
            Some(mv) => self.apply(state, mv),
            None => state.clone(),
        }
    }

    /// Whether `state` is running, complete, deadlocked or failed.
    pub fn status(&self, state: &State) -> Status {
        let w = &state.words;
        if w.len() != self.width {
            return Status::Running;
        }
        if let Some(t) = (0..self.threads.len()).find(|&t| w[t] < 0) {
            let (pc, code) = decode_error(w[t]);
            return Status::Error {
                thread: t,
                line: self.line_at(t, pc),
                message: self.error_message(t, pc, code),
            };
        }
        let mut en = Vec::new();
        self.enabled_into(w, &mut en);
        if !en.is_empty() {
            return Status::Running;
        }
        match self.ending(w) {
            Ending::Complete { bad } => Status::Complete { bad },
            Ending::Deadlock => Status::Deadlock,
            Ending::Error => Status::Running,
        }
    }

    /// Whether every `check` holds for the shared values of `state` (true without checks;
    /// a check that divides by zero counts as false).
    pub fn check_passes(&self, state: &State) -> bool {
        state.words.len() == self.width && self.checks_pass(&state.words)
    }

    /// Whether `condition` (an expression over shared variables, like a `check`) holds in `state`.
    pub fn condition_holds(&self, condition: &str, state: &State) -> Result<bool, ParseError> {
        let e = lower_direct(&parse_condition(condition, &self.shared)?);
        let ctx = Ctx { regs: 0, temps: 0, shared: self.shared_base };
        Ok(state.words.len() == self.width && eval(&e, &state.words, ctx).is_some_and(|v| v != 0))
    }

    /// Whether `condition` holds for these final `values` of the shared variables (a variable
    /// not named keeps its starting value).
    pub fn values_satisfy(&self, condition: &str, values: &BTreeMap<String, i64>) -> Result<bool, ParseError> {
        let mut state = self.initial();
        for (i, (name, _)) in self.shared.iter().enumerate() {
            if let Some(v) = values.get(name) {
                state.words[self.shared_base + i] = *v;
            }
        }
        self.condition_holds(condition, &state)
    }

    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// Most successors a state can have.
    pub(crate) fn most_moves(&self) -> usize {
        self.most_moves
    }

    /// About what `mv` costs in `w`, in ordinary steps (an `atomic` block with a loop costs
    /// thousands); the explorer weighs its slices with it.
    pub(crate) fn step_cost(&self, w: &[i64], mv: Move) -> usize {
        match mv.kind {
            MoveKind::Step => self.threads[mv.thread].instrs.get(w[mv.thread] as usize).map_or(1, |i| i.cost as usize),
            _ => 1,
        }
    }

    pub(crate) fn shared_slice<'a>(&self, w: &'a [i64]) -> &'a [i64] {
        &w[self.shared_base..self.lock_base]
    }

    pub(crate) fn shared_names(&self) -> impl Iterator<Item = &str> {
        self.shared.iter().map(|(n, _)| n.as_str())
    }

    pub(crate) fn values_of(&self, w: &[i64]) -> BTreeMap<String, i64> {
        self.shared
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.clone(), w.get(self.shared_base + i).copied().unwrap_or(0)))
            .collect()
    }

    pub(crate) fn checks_pass(&self, w: &[i64]) -> bool {
        let ctx = Ctx { regs: 0, temps: 0, shared: self.shared_base };
        self.checks.iter().all(|c| eval(c, w, ctx).is_some_and(|v| v != 0))
    }

    /// Fills `out` with the moves the scheduler may choose in the state `w`.
    pub(crate) fn enabled_into(&self, w: &[i64], out: &mut Vec<Move>) {
        out.clear();
        for (t, code) in self.threads.iter().enumerate() {
            let pc = w[t];
            if pc < 0 {
                out.clear();
                return;
            }
            if code.flag.is_some_and(|f| w[f] != 0) {
                continue;
            }
            let buffered = if code.cap > 0 { self.buffered(w, code) } else { 0 };
            if buffered > 0 {
                out.push(Move::flush(t));
            }
            let Some(ins) = code.instrs.get(pc as usize) else { continue };
            if buffered > 0 && ins.op.drains() {
                continue;
            }
            let runnable = match &ins.op {
                Op::Lock(m) | Op::Relock(m) => w[self.lock_base + *m as usize] == 0,
                Op::Wait(s) => w[self.sem_base + *s as usize] > 0,
                Op::Set { place: Place::Shared(_), .. } => buffered < code.cap || code.cap == 0,
                Op::Notify(c) if self.waiters(w, 1 + *c as i64).nth(1).is_some() => {
                    // Several wait: which one wakes is the scheduler's choice.
                    out.extend(self.waiters(w, 1 + *c as i64).map(|u| Move { thread: t, kind: MoveKind::Wake(u) }));
                    false
                }
                _ => true,
            };
            if runnable {
                out.push(Move::step(t));
            }
        }
    }

    /// The threads whose wait word is `waiting`.
    fn waiters<'a>(&'a self, w: &'a [i64], waiting: i64) -> impl Iterator<Item = ThreadId> + 'a {
        self.threads.iter().enumerate().filter(move |(_, c)| c.flag.is_some_and(|f| w[f] == waiting)).map(|(u, _)| u)
    }

    /// Entries in thread `code`'s store buffer.
    pub(super) fn buffered(&self, w: &[i64], code: &ThreadCode) -> usize {
        (0..code.cap).take_while(|&i| w[code.buf + 2 * i] != 0).count()
    }

    /// How a state in which no thread is enabled ends.
    pub(crate) fn ending(&self, w: &[i64]) -> Ending {
        if (0..self.threads.len()).any(|t| w[t] < 0) {
            Ending::Error
        } else if self.threads.iter().enumerate().all(|(t, c)| {
            w[t] as usize >= c.instrs.len() && c.flag.is_none_or(|f| w[f] == 0) && (c.cap == 0 || w[c.buf] == 0)
        }) {
            Ending::Complete { bad: !self.checks_pass(w) }
        } else {
            Ending::Deadlock
        }
    }

    /// Reads shared variable `var` as thread `code` sees it: the newest entry for it in its own
    /// store buffer, else memory.
    fn read(&self, w: &[i64], code: &ThreadCode, var: u32) -> i64 {
        for i in (0..code.cap).rev() {
            if w[code.buf + 2 * i] == var as i64 + 1 {
                return w[code.buf + 2 * i + 1];
            }
        }
        w[self.shared_base + var as usize]
    }

    /// Runs `mv` on `w` in place; it must be one of the state's moves.
    pub(crate) fn step_words(&self, w: &mut [i64], mv: Move) {
        let t = mv.thread;
        let code = &self.threads[t];
        if mv.kind == MoveKind::Flush {
            let (var, value) = (w[code.buf], w[code.buf + 1]);
            w[self.shared_base + var as usize - 1] = value;
            let end = code.buf + 2 * code.cap;
            w.copy_within(code.buf + 2..end, code.buf);
            w[end - 2..end].fill(0);
            return;
        }
        let pc = w[t] as usize;
        let Some(ins) = code.instrs.get(pc) else { return };
        let ctx = Ctx { regs: code.regs, temps: code.temps, shared: self.shared_base };
        let mut next = ins.next;
        match &ins.op {
            Op::Read { var, temp } => w[ctx.temps + *temp as usize] = self.read(w, code, *var),
            Op::Set { read, place, expr, temps } => {
                if let Some((var, temp)) = read {
                    w[ctx.temps + *temp as usize] = self.read(w, code, *var);
                }
                let Some(v) = eval(expr, w, ctx) else { return fail(w, t, pc, DIV_ZERO) };
                w[ctx.temps..ctx.temps + *temps as usize].fill(0);
                match place {
                    Place::Shared(i) if code.cap > 0 => {
                        let at = code.buf + 2 * self.buffered(w, code);
                        w[at] = *i as i64 + 1;
                        w[at + 1] = v;
                    }
                    _ => write(w, ctx, *place, v),
                }
            }
            Op::Branch { read, cond, else_pc, temps } => {
                if let Some((var, temp)) = read {
                    w[ctx.temps + *temp as usize] = self.read(w, code, *var);
                }
                let Some(v) = eval(cond, w, ctx) else { return fail(w, t, pc, DIV_ZERO) };
                w[ctx.temps..ctx.temps + *temps as usize].fill(0);
                if v == 0 {
                    next = *else_pc;
                }
            }
            Op::Atomic(body) => {
                let mut fuel = ATOMIC_FUEL;
                if let Err(code) = run_atomic(body, w, ctx, &mut fuel) {
                    return fail(w, t, pc, code);
                }
            }
            Op::Lock(m) | Op::Relock(m) => w[self.lock_base + *m as usize] = t as i64 + 1,
            Op::Unlock(m) => {
                let slot = self.lock_base + *m as usize;
                if w[slot] != t as i64 + 1 {
                    return fail(w, t, pc, UNLOCK_NOT_HELD);
                }
                w[slot] = 0;
            }
            Op::Wait(s) => w[self.sem_base + *s as usize] -= 1,
            Op::Signal(s) => {
                let slot = self.sem_base + *s as usize;
                w[slot] = w[slot].wrapping_add(1);
            }
            Op::Fence => {}
            Op::CondWait { cond, lock } => {
                let slot = self.lock_base + *lock as usize;
                if w[slot] != t as i64 + 1 {
                    return fail(w, t, pc, WAIT_NOT_HELD);
                }
                w[slot] = 0;
                if let Some(f) = code.flag {
                    w[f] = 1 + *cond as i64;
                }
            }
            Op::Notify(c) => {
                let waiting = 1 + *c as i64;
                let woken = match mv.kind {
                    MoveKind::Wake(u) => Some(u),
                    _ => self.waiters(w, waiting).next(),
                };
                if let Some(f) = woken.and_then(|u| self.threads[u].flag) {
                    w[f] = 0;
                }
            }
            Op::NotifyAll(c) => self.release(w, 1 + *c as i64),
            Op::Arrive(b) => {
                let slot = self.barrier_base + *b as usize;
                if w[slot] + 1 == self.barriers[*b as usize].1 {
                    w[slot] = 0;
                    self.release(w, 1 + (self.conds.len() + *b as usize) as i64);
                } else {
                    w[slot] += 1;
                    if let Some(f) = code.flag {
                        w[f] = 1 + (self.conds.len() + *b as usize) as i64;
                    }
                }
            }
            Op::Jump(target) => next = *target,
        }
        w[t] = next as i64;
    }

    /// Lets every thread whose wait word is `waiting` go on.
    fn release(&self, w: &mut [i64], waiting: i64) {
        for f in self.threads.iter().filter_map(|c| c.flag) {
            if w[f] == waiting {
                w[f] = 0;
            }
        }
    }

    /// Whether some threads have identical code (so [`Machine::canonicalize`] can merge states).
    pub(crate) fn has_symmetry(&self) -> bool {
        !self.groups.is_empty()
    }

    /// Rewrites `w` to the one representative of all states that differ from it only by
    /// swapping threads with identical code: within each group, threads sorted by their
    /// position, registers, temporaries and locks held (lock holders renamed to match).
    pub(crate) fn canonicalize(&self, w: &mut [i64], scratch: &mut Scratch) {
        for g in &self.groups {
            if g.windows(2).all(|p| self.compare_threads(w, p[0], p[1]) != std::cmp::Ordering::Greater) {
                continue;
            }
            let Scratch { order, old } = scratch;
            order.clear();
            order.extend_from_slice(g);
            order.sort_by(|&a, &b| self.compare_threads(w, a, b));
            old.clear();
            old.extend_from_slice(w);
            for (&to, &from) in g.iter().zip(order.iter()) {
                w[to] = old[from];
                let (a, b) = (self.local_range(to), self.local_range(from));
                w[a].copy_from_slice(&old[b]);
            }
            for slot in self.lock_base..self.sem_base {
                // (Lock holders are the only words that name a thread.)
                let h = old[slot];
                if let Some(pos) = order.iter().position(|&o| h == o as i64 + 1) {
                    w[slot] = g[pos] as i64 + 1;
                }
            }
        }
    }

    fn local_range(&self, t: ThreadId) -> std::ops::Range<usize> {
        let c = &self.threads[t];
        c.regs..c.end()
    }

    /// Orders two threads of a group (so with as many words each) by their position, their own
    /// words, then the locks they hold.
    #[inline]
    fn compare_threads(&self, w: &[i64], a: ThreadId, b: ThreadId) -> std::cmp::Ordering {
        if w[a] != w[b] {
            return w[a].cmp(&w[b]);
        }
        if let Some((x, y)) = w[self.local_range(a)].iter().zip(&w[self.local_range(b)]).find(|(x, y)| x != y) {
            return x.cmp(y);
        }
        let held = |t: ThreadId| (self.lock_base..self.sem_base).map(move |s| w[s] == t as i64 + 1);
        held(a).cmp(held(b))
    }

    pub(super) fn line_at(&self, t: ThreadId, pc: usize) -> usize {
        self.threads[t].instrs.get(pc).map_or(0, |i| i.line as usize)
    }
}

fn fail(w: &mut [i64], t: ThreadId, pc: usize, code: i64) {
    w[t] = -(1 + pc as i64 * 4 + code);
}

pub(super) fn decode_error(v: i64) -> (usize, i64) {
    let x = -(v + 1);
    ((x / 4) as usize, x % 4)
}

fn write(w: &mut [i64], ctx: Ctx, place: Place, v: i64) {
    match place {
        Place::Shared(i) => w[ctx.shared + i] = v,
        Place::Reg(i) => w[ctx.regs + i] = v,
    }
}

fn run_atomic(body: &[AStmt], w: &mut [i64], ctx: Ctx, fuel: &mut u32) -> Result<(), i64> {
    for s in body {
        match s {
            AStmt::Set(place, e) => {
                let v = eval(e, w, ctx).ok_or(DIV_ZERO)?;
                write(w, ctx, *place, v);
            }
            AStmt::If(c, a, b) => {
                if eval(c, w, ctx).ok_or(DIV_ZERO)? != 0 {
                    run_atomic(a, w, ctx, fuel)?;
                } else {
                    run_atomic(b, w, ctx, fuel)?;
                }
            }
            AStmt::While(c, b) => loop {
                if *fuel == 0 {
                    return Err(OUT_OF_FUEL);
                }
                *fuel -= 1;
                if eval(c, w, ctx).ok_or(DIV_ZERO)? == 0 {
                    break;
                }
                run_atomic(b, w, ctx, fuel)?;
            },
        }
    }
    Ok(())
}

/// Evaluates `e`; `None` on division or remainder by zero. `&&` and `||` short-circuit.
pub(super) fn eval(e: &CExpr, w: &[i64], ctx: Ctx) -> Option<i64> {
    match e {
        CExpr::Bin(op, a, b) => {
            // Most expressions are a leaf or an operator over two: their leaves are read here,
            // without a call each.
            let x = operand(a, w, ctx)?;
            Some(match op {
                BinOp::And if x == 0 => 0,
                BinOp::Or if x != 0 => 1,
                _ => arith(*op, x, operand(b, w, ctx)?)?,
            })
        }
        CExpr::Un(UnOp::Neg, a) => Some(eval(a, w, ctx)?.wrapping_neg()),
        CExpr::Un(UnOp::Not, a) => Some((eval(a, w, ctx)? == 0) as i64),
        _ => operand(e, w, ctx),
    }
}

/// [`eval`], reading a leaf in place.
#[inline(always)]
fn operand(e: &CExpr, w: &[i64], ctx: Ctx) -> Option<i64> {
    Some(match e {
        CExpr::Int(v) => *v,
        CExpr::Temp(i) => w[ctx.temps + *i as usize],
        CExpr::Reg(i) => w[ctx.regs + *i as usize],
        CExpr::Shared(i) => w[ctx.shared + *i as usize],
        _ => return eval(e, w, ctx),
    })
}

/// Applies a binary operator; `None` on division or remainder by zero. Overflow wraps.
fn arith(op: BinOp, x: i64, y: i64) -> Option<i64> {
    Some(match op {
        BinOp::Add => x.wrapping_add(y),
        BinOp::Sub => x.wrapping_sub(y),
        BinOp::Mul => x.wrapping_mul(y),
        BinOp::Div if y == 0 => return None,
        BinOp::Rem if y == 0 => return None,
        BinOp::Div => x.wrapping_div(y),
        BinOp::Rem => x.wrapping_rem(y),
        BinOp::Eq => (x == y) as i64,
        BinOp::Ne => (x != y) as i64,
        BinOp::Lt => (x < y) as i64,
        BinOp::Le => (x <= y) as i64,
        BinOp::Gt => (x > y) as i64,
        BinOp::Ge => (x >= y) as i64,
        BinOp::And => (x != 0 && y != 0) as i64,
        BinOp::Or => (x != 0 || y != 0) as i64,
    })
}
