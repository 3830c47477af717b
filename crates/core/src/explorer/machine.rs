//! Runs a parsed program one step at a time, exactly as the language spec counts steps, and
//! describes each state for the step-by-step view.
//!
//! Implementation note: each thread is compiled to a flat list of instructions, one instruction
//! per step (`Jump`s are resolved away at compile time and never hold a program counter). A
//! statement's shared reads become `Read` steps into hidden temporaries; its last step computes
//! from them and clears them, so temporaries are zero between statements and equal states meet in
//! the explorer's memo. A [`State`] is one flat row of `i64` words:
//! `[pc per thread | shared | lock holders | semaphore counts | per thread: registers, temps]`.
//! A program counter below zero means the thread failed; it encodes where and why.

use std::collections::BTreeMap;

use super::parse::{parse_condition, BinOp, Expr, ParseError, Place, Program, Stmt, StmtKind, UnOp};

/// A thread's index in the program (source order).
pub type ThreadId = usize;

/// Most `while` iterations one `atomic` block may run within its single step; past it the
/// thread fails (no other thread could ever change what the loop waits for).
pub const ATOMIC_FUEL: u32 = 10_000;

const DIV_ZERO: i64 = 0;
const UNLOCK_NOT_HELD: i64 = 1;
const OUT_OF_FUEL: i64 = 2;

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

/// What one thread is doing in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// Its next step can run now.
    Ready,
    /// Its next step waits for a lock or a semaphore.
    Blocked,
    /// It has no steps left.
    Finished,
    /// It failed (division by zero, unlocking a lock it does not hold...).
    Failed,
    /// It has steps left, but the schedule ended because another thread failed.
    Stopped,
}

/// One thread of a state, described for the step-by-step view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadView {
    /// The thread's name.
    pub name: String,
    /// What it is doing.
    pub state: ThreadState,
    /// Source line of its next step (or of its failure); `None` once finished.
    pub line: Option<usize>,
    /// Short text of its next step, e.g. `read x into t0`, `write x = t0 + 1`,
    /// `lock m (waits: held by B)`; for a failed thread, the error.
    pub next: Option<String>,
    /// Its registers (then hidden temporaries `t0`, `t1`...) and their values.
    pub registers: Vec<(String, i64)>,
}

/// How a schedule ended, for the explorer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    Complete { bad: bool },
    Deadlock,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
enum CExpr {
    Int(i64),
    Temp(u32),
    Reg(u32),
    Shared(u32),
    Un(UnOp, Box<CExpr>),
    Bin(BinOp, Box<CExpr>, Box<CExpr>),
}

#[derive(Debug, Clone, PartialEq)]
enum AStmt {
    Set(Place, CExpr),
    If(CExpr, Vec<AStmt>, Vec<AStmt>),
    While(CExpr, Vec<AStmt>),
}

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Read { var: u32, temp: u32 },
    Set { read: Option<(u32, u32)>, place: Place, expr: CExpr, temps: u32 },
    Branch { read: Option<(u32, u32)>, cond: CExpr, else_pc: u32, temps: u32 },
    Atomic(Vec<AStmt>),
    Lock(u32),
    Unlock(u32),
    Wait(u32),
    Signal(u32),
    Jump(u32),
}

#[derive(Debug, Clone)]
struct Instr {
    op: Op,
    next: u32,
    line: u32,
    text: String,
}

#[derive(Debug, Clone)]
struct ThreadCode {
    name: String,
    instrs: Vec<Instr>,
    start: u32,
    regs: usize,
    temps: usize,
    reg_names: Vec<String>,
    n_temps: usize,
}

/// Offsets of one thread's words, for evaluating expressions.
#[derive(Clone, Copy)]
struct Ctx {
    regs: usize,
    temps: usize,
    shared: usize,
}

/// A compiled program: knows the initial state, which threads may step and what a step does.
#[derive(Debug, Clone)]
pub struct Machine {
    threads: Vec<ThreadCode>,
    shared: Vec<(String, i64)>,
    locks: Vec<String>,
    sems: Vec<(String, i64)>,
    checks: Vec<CExpr>,
    width: usize,
    shared_base: usize,
    lock_base: usize,
    sem_base: usize,
    /// Groups (two or more) of threads with identical code, for symmetry reduction.
    groups: Vec<Vec<ThreadId>>,
}

impl Machine {
    /// Compiles `program`.
    pub fn new(program: &Program) -> Machine {
        let n = program.threads.len();
        let shared_base = n;
        let lock_base = shared_base + program.shared.len();
        let sem_base = lock_base + program.locks.len();
        let mut next = sem_base + program.sems.len();
        let shared_names: Vec<&str> = program.shared.iter().map(|(s, _)| s.as_str()).collect();
        let mut threads = Vec::with_capacity(n);
        for t in &program.threads {
            let names = Names {
                shared: &shared_names,
                regs: &t.registers,
                locks: &program.locks,
                sems: &program.sems,
            };
            let mut c = Compiler { names, instrs: Vec::new(), max_temps: 0 };
            c.block(&t.body);
            let Compiler { mut instrs, max_temps, .. } = c;
            resolve_jumps(&mut instrs);
            let start = resolve(&instrs, 0);
            let regs = next;
            let temps = regs + t.registers.len();
            next = temps + max_temps as usize;
            threads.push(ThreadCode {
                name: t.name.clone(),
                instrs,
                start,
                regs,
                temps,
                reg_names: t.registers.clone(),
                n_temps: max_temps as usize,
            });
        }
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
            checks: program.checks.iter().map(lower_direct).collect(),
            width: next,
            shared_base,
            lock_base,
            sem_base,
        }
    }

    /// Number of threads.
    pub fn thread_count(&self) -> usize {
        self.threads.len()
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

    /// Threads whose next step may run in `state` (none once any thread has failed).
    pub fn enabled(&self, state: &State) -> Vec<ThreadId> {
        let mut out = Vec::new();
        if state.words.len() == self.width {
            self.enabled_into(&state.words, &mut out);
        }
        out
    }

    /// The state after `thread` takes its next step; `state` itself when that thread is not enabled.
    pub fn step(&self, state: &State, thread: ThreadId) -> State {
        let mut next = state.clone();
        if next.words.len() == self.width && self.enabled(state).contains(&thread) {
            self.step_words(&mut next.words, thread);
        }
        next
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

    /// Every thread's position and next step in `state`, for the step-by-step view.
    pub fn describe(&self, state: &State) -> Vec<ThreadView> {
        let w = &state.words;
        if w.len() != self.width {
            return Vec::new();
        }
        let any_failed = (0..self.threads.len()).any(|t| w[t] < 0);
        self.threads
            .iter()
            .enumerate()
            .map(|(t, code)| {
                let mut registers: Vec<(String, i64)> =
                    code.reg_names.iter().enumerate().map(|(i, n)| (n.clone(), w[code.regs + i])).collect();
                registers.extend((0..code.n_temps).map(|i| (format!("t{i}"), w[code.temps + i])));
                let (state, line, next) = if w[t] < 0 {
                    let (pc, err) = decode_error(w[t]);
                    let msg = format!("error: {}", self.error_message(t, pc, err));
                    (ThreadState::Failed, Some(self.line_at(t, pc)), Some(msg))
                } else if let Some(ins) = code.instrs.get(w[t] as usize) {
                    let blocked = match ins.op {
                        Op::Lock(m) => match w[self.lock_base + m as usize] {
                            0 => None,
                            h if h as usize - 1 == t => Some(format!("held by {} itself", code.name)),
                            h => Some(format!("held by {}", self.threads[h as usize - 1].name)),
                        },
                        Op::Wait(s) if w[self.sem_base + s as usize] <= 0 => {
                            Some(format!("{} is 0", self.sems[s as usize].0))
                        }
                        _ => None,
                    };
                    let (st, text) = match blocked {
                        Some(why) => (ThreadState::Blocked, format!("{} (waits: {why})", ins.text)),
                        None if any_failed => (ThreadState::Stopped, ins.text.clone()),
                        None => (ThreadState::Ready, ins.text.clone()),
                    };
                    (st, Some(ins.line as usize), Some(text))
                } else {
                    (ThreadState::Finished, None, None)
                };
                ThreadView { name: code.name.clone(), state, line, next, registers }
            })
            .collect()
    }

    /// The shared variables' values in `state`, by name.
    pub fn shared_values(&self, state: &State) -> BTreeMap<String, i64> {
        self.values_of(&state.words)
    }

    /// Each lock and the thread holding it, if any.
    pub fn locks(&self, state: &State) -> Vec<(String, Option<ThreadId>)> {
        self.locks
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let h = state.words.get(self.lock_base + i).copied().unwrap_or(0);
                (n.clone(), if h > 0 { Some(h as usize - 1) } else { None })
            })
            .collect()
    }

    /// Each semaphore and its count.
    pub fn semaphores(&self, state: &State) -> Vec<(String, i64)> {
        self.sems
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.clone(), state.words.get(self.sem_base + i).copied().unwrap_or(0)))
            .collect()
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

    pub(crate) fn width(&self) -> usize {
        self.width
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

    /// Fills `out` with the threads that may step in the state `w`.
    pub(crate) fn enabled_into(&self, w: &[i64], out: &mut Vec<ThreadId>) {
        out.clear();
        for (t, code) in self.threads.iter().enumerate() {
            let pc = w[t];
            if pc < 0 {
                out.clear();
                return;
            }
            let runnable = match code.instrs.get(pc as usize).map(|i| &i.op) {
                None => false,
                Some(Op::Lock(m)) => w[self.lock_base + *m as usize] == 0,
                Some(Op::Wait(s)) => w[self.sem_base + *s as usize] > 0,
                Some(_) => true,
            };
            if runnable {
                out.push(t);
            }
        }
    }

    /// How a state in which no thread is enabled ends.
    pub(crate) fn ending(&self, w: &[i64]) -> Ending {
        if (0..self.threads.len()).any(|t| w[t] < 0) {
            Ending::Error
        } else if self.threads.iter().enumerate().all(|(t, c)| w[t] as usize >= c.instrs.len()) {
            Ending::Complete { bad: !self.checks_pass(w) }
        } else {
            Ending::Deadlock
        }
    }

    /// Runs thread `t`'s next step on `w` in place; `t` must be enabled.
    pub(crate) fn step_words(&self, w: &mut [i64], t: ThreadId) {
        let code = &self.threads[t];
        let pc = w[t] as usize;
        let Some(ins) = code.instrs.get(pc) else { return };
        let ctx = Ctx { regs: code.regs, temps: code.temps, shared: self.shared_base };
        let mut next = ins.next;
        match &ins.op {
            Op::Read { var, temp } => w[ctx.temps + *temp as usize] = w[ctx.shared + *var as usize],
            Op::Set { read, place, expr, temps } => {
                if let Some((var, temp)) = read {
                    w[ctx.temps + *temp as usize] = w[ctx.shared + *var as usize];
                }
                let Some(v) = eval(expr, w, ctx) else { return fail(w, t, pc, DIV_ZERO) };
                w[ctx.temps..ctx.temps + *temps as usize].fill(0);
                write(w, ctx, *place, v);
            }
            Op::Branch { read, cond, else_pc, temps } => {
                if let Some((var, temp)) = read {
                    w[ctx.temps + *temp as usize] = w[ctx.shared + *var as usize];
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
            Op::Lock(m) => w[self.lock_base + *m as usize] = t as i64 + 1,
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
            Op::Jump(target) => next = *target,
        }
        w[t] = next as i64;
    }

    /// Whether some threads have identical code (so [`Machine::canonicalize`] can merge states).
    pub(crate) fn has_symmetry(&self) -> bool {
        !self.groups.is_empty()
    }

    /// Rewrites `w` to the one representative of all states that differ from it only by
    /// swapping threads with identical code: within each group, threads sorted by their
    /// position, registers, temporaries and locks held (lock holders renamed to match).
    pub(crate) fn canonicalize(&self, w: &mut [i64]) {
        for g in &self.groups {
            if g.windows(2).all(|p| self.compare_threads(w, p[0], p[1]) != std::cmp::Ordering::Greater) {
                continue;
            }
            let mut order = g.clone();
            order.sort_by(|&a, &b| self.compare_threads(w, a, b));
            let old = w.to_vec();
            for (&to, &from) in g.iter().zip(&order) {
                w[to] = old[from];
                let (a, b) = (self.local_range(to), self.local_range(from));
                w[a].copy_from_slice(&old[b]);
            }
            for slot in self.lock_base..self.sem_base {
                let h = old[slot];
                if let Some(pos) = order.iter().position(|&o| h == o as i64 + 1) {
                    w[slot] = g[pos] as i64 + 1;
                }
            }
        }
    }

    fn local_range(&self, t: ThreadId) -> std::ops::Range<usize> {
        let c = &self.threads[t];
        c.regs..c.temps + c.n_temps
    }

    fn compare_threads(&self, w: &[i64], a: ThreadId, b: ThreadId) -> std::cmp::Ordering {
        w[a].cmp(&w[b]).then_with(|| w[self.local_range(a)].cmp(&w[self.local_range(b)])).then_with(|| {
            let held = |t: ThreadId| (self.lock_base..self.sem_base).map(move |s| w[s] == t as i64 + 1);
            held(a).cmp(held(b))
        })
    }

    fn line_at(&self, t: ThreadId, pc: usize) -> usize {
        self.threads[t].instrs.get(pc).map_or(0, |i| i.line as usize)
    }

    fn error_message(&self, t: ThreadId, pc: usize, code: i64) -> String {
        match (code, self.threads[t].instrs.get(pc).map(|i| &i.op)) {
            (UNLOCK_NOT_HELD, Some(Op::Unlock(m))) => {
                format!("unlock {} while not holding it", self.locks[*m as usize])
            }
            (OUT_OF_FUEL, _) => format!("the atomic block ran more than {ATOMIC_FUEL} loop iterations"),
            _ => "division by zero".to_string(),
        }
    }
}

/// Whether two threads run the same code (names, lines and texts aside).
fn same_code(a: &ThreadCode, b: &ThreadCode) -> bool {
    a.start == b.start
        && a.reg_names.len() == b.reg_names.len()
        && a.n_temps == b.n_temps
        && a.instrs.len() == b.instrs.len()
        && a.instrs.iter().zip(&b.instrs).all(|(x, y)| x.op == y.op && x.next == y.next)
}

fn fail(w: &mut [i64], t: ThreadId, pc: usize, code: i64) {
    w[t] = -(1 + pc as i64 * 4 + code);
}

fn decode_error(v: i64) -> (usize, i64) {
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
fn eval(e: &CExpr, w: &[i64], ctx: Ctx) -> Option<i64> {
    Some(match e {
        CExpr::Int(v) => *v,
        CExpr::Temp(i) => w[ctx.temps + *i as usize],
        CExpr::Reg(i) => w[ctx.regs + *i as usize],
        CExpr::Shared(i) => w[ctx.shared + *i as usize],
        CExpr::Un(UnOp::Neg, a) => eval(a, w, ctx)?.wrapping_neg(),
        CExpr::Un(UnOp::Not, a) => (eval(a, w, ctx)? == 0) as i64,
        CExpr::Bin(op, a, b) => {
            let x = eval(a, w, ctx)?;
            match op {
                BinOp::And if x == 0 => 0,
                BinOp::Or if x != 0 => 1,
                _ => arith(*op, x, eval(b, w, ctx)?)?,
            }
        }
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

/// Lowers an expression for a stepped statement: the i-th shared occurrence (left to right)
/// becomes temporary `i`, and its variable is pushed on `reads`.
fn lower(e: &Expr, reads: &mut Vec<u32>) -> CExpr {
    match e {
        Expr::Int(v) => CExpr::Int(*v),
        Expr::Reg(i) => CExpr::Reg(*i as u32),
        Expr::Shared(i) => {
            reads.push(*i as u32);
            CExpr::Temp(reads.len() as u32 - 1)
        }
        Expr::Un(op, a) => CExpr::Un(*op, Box::new(lower(a, reads))),
        Expr::Bin(op, a, b) => {
            let a = lower(a, reads);
            CExpr::Bin(*op, Box::new(a), Box::new(lower(b, reads)))
        }
    }
}

/// Lowers an expression that reads shared variables directly (inside `atomic`, in checks).
fn lower_direct(e: &Expr) -> CExpr {
    match e {
        Expr::Int(v) => CExpr::Int(*v),
        Expr::Reg(i) => CExpr::Reg(*i as u32),
        Expr::Shared(i) => CExpr::Shared(*i as u32),
        Expr::Un(op, a) => CExpr::Un(*op, Box::new(lower_direct(a))),
        Expr::Bin(op, a, b) => CExpr::Bin(*op, Box::new(lower_direct(a)), Box::new(lower_direct(b))),
    }
}

fn lower_atomic(body: &[Stmt]) -> Vec<AStmt> {
    let mut out = Vec::new();
    for s in body {
        match &s.kind {
            StmtKind::Assign(p, e) => out.push(AStmt::Set(*p, lower_direct(e))),
            StmtKind::If(c, a, b) => out.push(AStmt::If(lower_direct(c), lower_atomic(a), lower_atomic(b))),
            StmtKind::While(c, b) => out.push(AStmt::While(lower_direct(c), lower_atomic(b))),
            StmtKind::Atomic(b) => out.extend(lower_atomic(b)),
            // The parser refuses these inside `atomic`.
            StmtKind::Lock(_) | StmtKind::Unlock(_) | StmtKind::Wait(_) | StmtKind::Signal(_) => {}
        }
    }
    out
}

struct Names<'a> {
    shared: &'a [&'a str],
    regs: &'a [String],
    locks: &'a [String],
    sems: &'a [(String, i64)],
}

struct Compiler<'a> {
    names: Names<'a>,
    instrs: Vec<Instr>,
    max_temps: u32,
}

impl Compiler<'_> {
    fn emit(&mut self, op: Op, line: usize, text: String) -> usize {
        let pc = self.instrs.len();
        self.instrs.push(Instr { op, next: pc as u32 + 1, line: line as u32, text });
        pc
    }

    fn here(&self) -> u32 {
        self.instrs.len() as u32
    }

    fn block(&mut self, body: &[Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    /// Emits the read steps of an expression and returns it lowered, with the shared read
    /// that the final step makes itself (all but the last read when `last_in_step`).
    fn reads(&mut self, e: &Expr, line: usize, last_in_step: bool) -> (CExpr, Vec<u32>, Option<(u32, u32)>) {
        let mut reads = Vec::new();
        let ce = lower(e, &mut reads);
        self.max_temps = self.max_temps.max(reads.len() as u32);
        let separate = if last_in_step { reads.len().saturating_sub(1) } else { reads.len() };
        for (i, &var) in reads.iter().enumerate().take(separate) {
            let text = format!("read {} into t{i}", self.names.shared[var as usize]);
            self.emit(Op::Read { var, temp: i as u32 }, line, text);
        }
        let last = if last_in_step && !reads.is_empty() {
            Some((reads[reads.len() - 1], reads.len() as u32 - 1))
        } else {
            None
        };
        (ce, reads, last)
    }

    fn render(&self, e: &CExpr, last: Option<(u32, u32)>) -> String {
        let mut s = String::new();
        render(e, &self.names, last, 0, &mut s);
        s
    }

    fn stmt(&mut self, s: &Stmt) {
        let line = s.line;
        match &s.kind {
            StmtKind::Assign(place, e) => {
                let shared = matches!(place, Place::Shared(_));
                let (expr, reads, read) = self.reads(e, line, !shared);
                let rhs = self.render(&expr, read);
                let text = match place {
                    Place::Shared(i) => format!("write {} = {rhs}", self.names.shared[*i]),
                    Place::Reg(i) => format!("{} = {rhs}", self.names.regs[*i]),
                };
                let temps = reads.len() as u32;
                self.emit(Op::Set { read, place: *place, expr, temps }, line, text);
            }
            StmtKind::If(c, a, b) => {
                let (cond, reads, read) = self.reads(c, line, true);
                let text = format!("if {}", self.render(&cond, read));
                let temps = reads.len() as u32;
                let br = self.emit(Op::Branch { read, cond, else_pc: 0, temps }, line, text);
                self.block(a);
                let else_pc = if b.is_empty() {
                    self.here()
                } else {
                    let j = self.emit(Op::Jump(0), line, String::new());
                    let else_pc = self.here();
                    self.block(b);
                    let end = self.here();
                    self.instrs[j].op = Op::Jump(end);
                    else_pc
                };
                if let Op::Branch { else_pc: target, .. } = &mut self.instrs[br].op {
                    *target = else_pc;
                }
            }
            StmtKind::While(c, body) => {
                let top = self.here();
                let (cond, reads, read) = self.reads(c, line, true);
                let text = format!("while {}", self.render(&cond, read));
                let temps = reads.len() as u32;
                let br = self.emit(Op::Branch { read, cond, else_pc: 0, temps }, line, text);
                self.block(body);
                self.emit(Op::Jump(top), line, String::new());
                let exit = self.here();
                if let Op::Branch { else_pc, .. } = &mut self.instrs[br].op {
                    *else_pc = exit;
                }
            }
            StmtKind::Atomic(body) => {
                let lowered = lower_atomic(body);
                let mut text = String::from("atomic { ");
                render_block(&lowered, &self.names, &mut text);
                if text.chars().count() > 60 {
                    text = text.chars().take(57).collect::<String>() + "…";
                    text.push_str(" }");
                } else {
                    text.push_str(" }");
                }
                self.emit(Op::Atomic(lowered), line, text);
            }
            StmtKind::Lock(m) => {
                let text = format!("lock {}", self.names.locks[*m]);
                self.emit(Op::Lock(*m as u32), line, text);
            }
            StmtKind::Unlock(m) => {
                let text = format!("unlock {}", self.names.locks[*m]);
                self.emit(Op::Unlock(*m as u32), line, text);
            }
            StmtKind::Wait(s) => {
                let text = format!("wait {}", self.names.sems[*s].0);
                self.emit(Op::Wait(*s as u32), line, text);
            }
            StmtKind::Signal(s) => {
                let text = format!("signal {}", self.names.sems[*s].0);
                self.emit(Op::Signal(*s as u32), line, text);
            }
        }
    }
}

/// Follows `Jump`s from `pc` to the first real step (or the end).
fn resolve(instrs: &[Instr], mut pc: u32) -> u32 {
    for _ in 0..=instrs.len() {
        match instrs.get(pc as usize).map(|i| &i.op) {
            Some(Op::Jump(t)) => pc = *t,
            _ => return pc,
        }
    }
    pc
}

fn resolve_jumps(instrs: &mut [Instr]) {
    for pc in 0..instrs.len() {
        let next = resolve(instrs, instrs[pc].next);
        instrs[pc].next = next;
        if let Op::Branch { else_pc, .. } = instrs[pc].op {
            let target = resolve(instrs, else_pc);
            if let Op::Branch { else_pc, .. } = &mut instrs[pc].op {
                *else_pc = target;
            }
        }
    }
}

fn render(e: &CExpr, names: &Names<'_>, last: Option<(u32, u32)>, parent: u8, out: &mut String) {
    match e {
        CExpr::Int(v) if *v < 0 && parent > 0 => out.push_str(&format!("({v})")),
        CExpr::Int(v) => out.push_str(&v.to_string()),
        CExpr::Temp(i) => match last {
            Some((var, temp)) if temp == *i => out.push_str(names.shared[var as usize]),
            _ => out.push_str(&format!("t{i}")),
        },
        CExpr::Reg(i) => out.push_str(&names.regs[*i as usize]),
        CExpr::Shared(i) => out.push_str(names.shared[*i as usize]),
        CExpr::Un(op, a) => {
            out.push(if *op == UnOp::Neg { '-' } else { '!' });
            render(a, names, last, 7, out);
        }
        CExpr::Bin(op, a, b) => {
            let p = op.precedence();
            if p < parent {
                out.push('(');
            }
            render(a, names, last, p, out);
            out.push_str(&format!(" {} ", op.symbol()));
            render(b, names, last, p + 1, out);
            if p < parent {
                out.push(')');
            }
        }
    }
}

fn render_block(body: &[AStmt], names: &Names<'_>, out: &mut String) {
    for (i, s) in body.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        match s {
            AStmt::Set(p, e) => {
                out.push_str(match p {
                    Place::Shared(i) => names.shared[*i],
                    Place::Reg(i) => &names.regs[*i],
                });
                out.push_str(" = ");
                render(e, names, None, 0, out);
            }
            AStmt::If(c, a, b) => {
                out.push_str("if ");
                render(c, names, None, 0, out);
                out.push_str(" { ");
                render_block(a, names, out);
                out.push_str(" }");
                if !b.is_empty() {
                    out.push_str(" else { ");
                    render_block(b, names, out);
                    out.push_str(" }");
                }
            }
            AStmt::While(c, b) => {
                out.push_str("while ");
                render(c, names, None, 0, out);
                out.push_str(" { ");
                render_block(b, names, out);
                out.push_str(" }");
            }
        }
        if out.len() > 200 {
            return;
        }
    }
}
