//! Compiles a parsed thread into flat code the machine runs: one instruction per step, exactly
//! as the language spec counts steps.
//!
//! Implementation note: a statement's shared reads become `Read` steps into hidden temporaries;
//! its last step computes from them and clears them, so temporaries are zero between statements
//! and equal states meet in the explorer's memo. `Jump`s are resolved away here and never hold a
//! program counter. Each instruction keeps the short text the step-by-step view shows
//! (rendered by [`super::describe`]).

use super::describe::{render, render_block};
use super::parse::{BinOp, Expr, Place, Stmt, StmtKind, ThreadDef, UnOp};

/// An expression over a thread's words: constants, temporaries, registers, shared variables.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum CExpr {
    Int(i64),
    Temp(u32),
    Reg(u32),
    Shared(u32),
    Un(UnOp, Box<CExpr>),
    Bin(BinOp, Box<CExpr>, Box<CExpr>),
}

/// A statement inside `atomic`, run all at once.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum AStmt {
    Set(Place, CExpr),
    If(CExpr, Vec<AStmt>, Vec<AStmt>),
    While(CExpr, Vec<AStmt>),
}

/// What one step does. `read` is the shared read a computing step makes itself: (variable, temporary).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Op {
    Read { var: u32, temp: u32 },
    Set { read: Option<(u32, u32)>, place: Place, expr: CExpr, temps: u32 },
    Branch { read: Option<(u32, u32)>, cond: CExpr, else_pc: u32, temps: u32 },
    Atomic(Vec<AStmt>),
    Lock(u32),
    Unlock(u32),
    Wait(u32),
    Signal(u32),
    Fence,
    /// Releases the lock and joins the condition variable's wait set; the next step is `Relock`.
    CondWait { cond: u32, lock: u32 },
    /// Takes the lock again after a `wait` (enabled once woken and the lock is free).
    Relock(u32),
    Notify(u32),
    NotifyAll(u32),
    Arrive(u32),
    Jump(u32),
}

impl Op {
    /// Whether the step synchronizes, so under `tso` it waits for the thread's store buffer to drain.
    pub(super) fn drains(&self) -> bool {
        matches!(
            self,
            Op::Atomic(_)
                | Op::Lock(_)
                | Op::Unlock(_)
                | Op::Wait(_)
                | Op::Signal(_)
                | Op::Fence
                | Op::CondWait { .. }
                | Op::Relock(_)
                | Op::Notify(_)
                | Op::NotifyAll(_)
                | Op::Arrive(_)
        )
    }
}

/// Most entries a store buffer holds under `tso`, for a thread with a loop (one without holds as
/// many as it can write, so it never fills).
pub const STORE_BUFFER_MOST: usize = 8;

/// How many buffered writes thread `body` can make at most along any path, or `None` with a loop.
fn most_writes(body: &[Stmt]) -> Option<usize> {
    body.iter().try_fold(0usize, |sum, s| {
        let n = match &s.kind {
            StmtKind::Assign(Place::Shared(_), _) => 1,
            StmtKind::If(_, a, b) => most_writes(a)?.max(most_writes(b)?),
            StmtKind::While(..) => return None,
            _ => 0,
        };
        Some(sum + n)
    })
}

/// One step of a thread's code: what it does, where it goes next, and how the view shows it.
#[derive(Debug, Clone)]
pub(super) struct Instr {
    pub(super) op: Op,
    pub(super) next: u32,
    pub(super) line: u32,
    pub(super) text: String,
    /// About what the step costs, in ordinary steps (see [`atomic_cost`]).
    pub(super) cost: u32,
}

/// Expression nodes an ordinary step may evaluate (an expression's cap): the unit of [`Instr::cost`].
const STEP_NODES: usize = super::parse::MAX_EXPR_NODES;

/// What an `atomic` block's one step costs at most, in ordinary steps: its statements and
/// expression nodes once, or, with a loop in it, once per loop test it may run.
fn atomic_cost(body: &[AStmt]) -> u32 {
    fn nodes(e: &CExpr) -> usize {
        match e {
            CExpr::Un(_, a) => 1 + nodes(a),
            CExpr::Bin(_, a, b) => 1 + nodes(a) + nodes(b),
            _ => 1,
        }
    }
    fn size(body: &[AStmt], loops: &mut bool) -> usize {
        body.iter()
            .map(|s| match s {
                AStmt::Set(_, e) => 1 + nodes(e),
                AStmt::If(c, a, b) => 1 + nodes(c) + size(a, loops) + size(b, loops),
                AStmt::While(c, b) => {
                    *loops = true;
                    1 + nodes(c) + size(b, loops)
                }
            })
            .sum()
    }
    let mut loops = false;
    let once = size(body, &mut loops);
    let runs = if loops { super::machine::ATOMIC_FUEL as usize + 1 } else { 1 };
    (1 + once.saturating_mul(runs) / STEP_NODES).min(u32::MAX as usize) as u32
}

/// One compiled thread, and where its registers and temporaries sit in a state's words.
#[derive(Debug, Clone)]
pub(super) struct ThreadCode {
    pub(super) name: String,
    /// Its block's source lines, from `thread` to the closing `}`.
    pub(super) lines: std::ops::RangeInclusive<usize>,
    pub(super) instrs: Vec<Instr>,
    pub(super) start: u32,
    /// First word of its registers.
    pub(super) regs: usize,
    /// First word of its temporaries (right after the registers).
    pub(super) temps: usize,
    pub(super) reg_names: Vec<String>,
    pub(super) n_temps: usize,
    /// The word saying what the thread waits for (a wait set or a barrier), when the program has any.
    pub(super) flag: Option<usize>,
    /// First word of its store buffer (two words an entry: variable + 1, value), under `tso`.
    pub(super) buf: usize,
    /// Entries its store buffer holds (0 under `sc`).
    pub(super) cap: usize,
}

impl ThreadCode {
    /// The first word after this thread's words.
    pub(super) fn end(&self) -> usize {
        self.buf + 2 * self.cap
    }
}

/// The program's names, for the step texts.
pub(super) struct Names<'a> {
    pub(super) shared: &'a [&'a str],
    pub(super) regs: &'a [String],
    pub(super) locks: &'a [String],
    pub(super) sems: &'a [(String, i64)],
    pub(super) conds: &'a [String],
    pub(super) barriers: &'a [(String, i64)],
}

/// How a thread's words are laid out beyond its registers and temporaries.
pub(super) struct Layout {
    /// Whether the program has condition variables or barriers (a thread may wait in one).
    pub(super) waits: bool,
    /// Whether the program runs under `tso` (each thread has a store buffer).
    pub(super) tso: bool,
}

/// Compiles `thread`, placing its words from word `base` on.
pub(super) fn compile_thread(thread: &ThreadDef, names: Names<'_>, base: usize, layout: Layout) -> ThreadCode {
    let mut c = Compiler { names, instrs: Vec::new(), max_temps: 0 };
    c.block(&thread.body);
    let Compiler { mut instrs, max_temps, .. } = c;
    resolve_jumps(&mut instrs);
    let start = resolve(&instrs, 0);
    let temps = base + thread.registers.len();
    let after_temps = temps + max_temps as usize;
    let flag = layout.waits.then_some(after_temps);
    let buf = after_temps + usize::from(layout.waits);
    let cap = if layout.tso { most_writes(&thread.body).map_or(STORE_BUFFER_MOST, |n| n.min(STORE_BUFFER_MOST)) } else { 0 };
    ThreadCode {
        name: thread.name.clone(),
        lines: thread.lines.clone(),
        instrs,
        start,
        regs: base,
        temps,
        reg_names: thread.registers.clone(),
        n_temps: max_temps as usize,
        flag,
        buf,
        cap,
    }
}

/// Whether two threads run the same code (names, lines and texts aside).
pub(super) fn same_code(a: &ThreadCode, b: &ThreadCode) -> bool {
    a.start == b.start
        && a.reg_names.len() == b.reg_names.len()
        && a.n_temps == b.n_temps
        && a.cap == b.cap
        && a.instrs.len() == b.instrs.len()
        && a.instrs.iter().zip(&b.instrs).all(|(x, y)| x.op == y.op && x.next == y.next)
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
pub(super) fn lower_direct(e: &Expr) -> CExpr {
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
            // The parser refuses the others inside `atomic`.
            _ => {}
        }
    }
    out
}

struct Compiler<'a> {
    names: Names<'a>,
    instrs: Vec<Instr>,
    max_temps: u32,
}

impl Compiler<'_> {
    fn emit(&mut self, op: Op, line: usize, text: String) -> usize {
        let pc = self.instrs.len();
        let cost = if let Op::Atomic(body) = &op { atomic_cost(body) } else { 1 };
        self.instrs.push(Instr { op, next: pc as u32 + 1, line: line as u32, text, cost });
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
            StmtKind::Fence => {
                self.emit(Op::Fence, line, "fence".into());
            }
            StmtKind::CondWait(c, m) => {
                let (cond, lock) = (&self.names.conds[*c], &self.names.locks[*m]);
                let text = format!("wait {cond} {lock} (release {lock}, sleep on {cond})");
                self.emit(Op::CondWait { cond: *c as u32, lock: *m as u32 }, line, text);
                let text = format!("lock {lock} again, after waiting on {cond}");
                self.emit(Op::Relock(*m as u32), line, text);
            }
            StmtKind::Notify(c) => {
                let text = format!("notify {}", self.names.conds[*c]);
                self.emit(Op::Notify(*c as u32), line, text);
            }
            StmtKind::NotifyAll(c) => {
                let text = format!("notify_all {}", self.names.conds[*c]);
                self.emit(Op::NotifyAll(*c as u32), line, text);
            }
            StmtKind::Arrive(b) => {
                let text = format!("arrive {}", self.names.barriers[*b].0);
                self.emit(Op::Arrive(*b as u32), line, text);
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
