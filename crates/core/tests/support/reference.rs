//! A reference interpreter of the explorer's whole language (Part 1 and Part 2 of
//! `shared/explorer-language.md`) that lists every schedule one by one, for the tests to check
//! the engine's path counting against. It has its own parser, its own syntax tree and its own
//! step rules, written from the spec alone; it shares no code with the engine.
//!
//! Clarity first, speed second: names stay names (no indices), a thread's position is the stack
//! of statements it has still to run, and every move clones the whole state. A *move* is one
//! thread's step or (under `tso`) one thread's flush; a schedule is a maximal sequence of moves.
//!
//! The spec's rules, and the few the project adds, as this file reads them:
//! - A statement's *shared reads* are its expression's occurrences of shared variables, left to
//!   right; each read takes one step into a hidden temporary, except that a statement whose
//!   target is a register (and an `if` or `while` test) makes its last read in the step that
//!   computes. So `x = x + 1` is 2 steps, `r = x` 1, `y = x + z` 3, `if x == y` 2, `if r` 1.
//! - `&&` and `||` stop early (the right side is not evaluated, so it cannot divide by zero);
//!   the reads of its shared variables still happen, one step each, as counted above.
//! - `atomic { … }` is one step; a `while` in it may test at most [`ATOMIC_FUEL`] times in that
//!   step, and the thread fails past that (the project's rule: nothing else could ever run).
//! - Under `memory tso`, each thread's writes go to its FIFO store buffer, which holds at most
//!   [`buffer_cap`] entries (the project's bound); a write step waits while it is full.
//! - Under `tso`, a step that fails (an `unlock` of a lock not held, a `wait C M` without M)
//!   is one of those that wait for an empty buffer: it is enabled once the buffer is empty,
//!   and fails when it runs. Inside `atomic`, only assignments, `if`, `while` and `atomic`.
//! - `notify C` with k waiters is k moves, one per waiter it may wake (identical threads
//!   included); a woken thread's `lock M` step is a step of its own, before the statement after
//!   its `wait`.
//! - A thread waiting at a barrier has not finished, even when `arrive` was its last statement.

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

/// Most `while` tests one `atomic` block may make within its one step.
const ATOMIC_FUEL: u32 = 10_000;
/// Most entries any store buffer may hold.
const MOST_BUFFERED: usize = 8;
/// A schedule longer than this many moves is taken for a loop that can spin.
const MAX_MOVES: usize = 500;

// ----------------------------------------------------------------------------------------------
// Syntax

/// A name from the source (shared variable, register, lock, …): cheap to clone, since the whole
/// state is cloned at every move.
type Name = Rc<str>;

/// An expression; names are already sorted into shared variables and registers.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Int(i64),
    Shared(Name),
    Reg(Name),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin(&'static str, Box<Expr>, Box<Expr>),
}

/// Where an assignment writes.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Shared(Name),
    Reg(Name),
}

type Block = Vec<Rc<Stmt>>;

#[derive(Debug, Clone, PartialEq)]
enum Stmt {
    Assign(Target, Expr),
    If(Expr, Block, Block),
    While(Expr, Block),
    Atomic(Block),
    Lock(Name),
    Unlock(Name),
    /// `wait S` on a semaphore.
    SemWait(Name),
    Signal(Name),
    Fence,
    /// `wait C M`: cond, lock.
    CondWait(Name, Name),
    Notify(Name),
    NotifyAll(Name),
    Arrive(Name),
}

/// A whole program, as declared.
#[derive(Debug, Clone, Default)]
struct Program {
    tso: bool,
    shared: Vec<(Name, i64)>,
    locks: Vec<Name>,
    sems: Vec<(Name, i64)>,
    conds: Vec<Name>,
    barriers: Vec<(Name, usize)>,
    threads: Vec<(Name, Block)>,
    checks: Vec<Expr>,
}

// ----------------------------------------------------------------------------------------------
// Parsing (valid programs only: anything else panics)

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Num(u64),
    Sym(&'static str),
}

const SYMBOLS: [&str; 19] =
    ["==", "!=", "<=", ">=", "&&", "||", "{", "}", "(", ")", "=", "<", ">", "+", "-", "*", "/", "%", "!"];

/// Binary operators and how tightly they bind (all associate to the left).
const BINARY: [(&str, u8); 13] = [
    ("||", 1),
    ("&&", 2),
    ("==", 3),
    ("!=", 3),
    ("<", 4),
    ("<=", 4),
    (">", 4),
    (">=", 4),
    ("+", 5),
    ("-", 5),
    ("*", 6),
    ("/", 6),
    ("%", 6),
];

fn lex(source: &str) -> Vec<Tok> {
    let chars: Vec<char> = source.chars().collect();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            out.push(Tok::Num(digits.parse().expect("a literal that fits in 64 bits")));
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let sym = SYMBOLS.iter().find(|s| two.starts_with(**s)).unwrap_or_else(|| panic!("unexpected `{c}`"));
            i += sym.len();
            out.push(Tok::Sym(sym));
        }
    }
    out
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    program: Program,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Tok {
        let t = self.toks.get(self.pos).cloned().expect("more input");
        self.pos += 1;
        t
    }

    fn at_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(s)) if s == w)
    }

    fn at_sym(&self, sym: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(s)) if *s == sym)
    }

    fn word(&mut self) -> Name {
        match self.next() {
            Tok::Word(w) => w.into(),
            t => panic!("expected a name, found {t:?}"),
        }
    }

    fn expect(&mut self, sym: &str) {
        let t = self.next();
        assert_eq!(t, Tok::Sym(SYMBOLS.iter().copied().find(|s| *s == sym).unwrap()), "expected `{sym}`");
    }

    fn signed_int(&mut self) -> i64 {
        let negative = self.at_sym("-");
        if negative {
            self.next();
        }
        match self.next() {
            Tok::Num(m) if negative => (m as i128).wrapping_neg() as i64,
            Tok::Num(m) => m as i64,
            t => panic!("expected a number, found {t:?}"),
        }
    }

    fn is_shared(&self, name: &str) -> bool {
        self.program.shared.iter().any(|(n, _)| &**n == name)
    }

    fn program(mut self) -> Program {
        if self.at_word("memory") {
            self.next();
            self.program.tso = match &*self.word() {
                "sc" => false,
                "tso" => true,
                other => panic!("unknown memory model `{other}`"),
            };
        }
        // Declarations, until the first `thread`.
        while let Some(Tok::Word(w)) = self.peek().cloned() {
            match w.as_str() {
                "shared" | "sem" | "barrier" => {
                    self.next();
                    let name = self.word();
                    self.expect("=");
                    let value = self.signed_int();
                    match w.as_str() {
                        "shared" => self.program.shared.push((name, value)),
                        "sem" => self.program.sems.push((name, value)),
                        _ => self.program.barriers.push((name, value as usize)),
                    }
                }
                "lock" => {
                    self.next();
                    let name = self.word();
                    self.program.locks.push(name);
                }
                "cond" => {
                    self.next();
                    let name = self.word();
                    self.program.conds.push(name);
                }
                _ => break,
            }
        }
        while self.at_word("thread") {
            self.next();
            let name = self.word();
            let body = self.block();
            self.program.threads.push((name, body));
        }
        while self.at_word("check") {
            self.next();
            let e = self.expr();
            self.program.checks.push(e);
        }
        assert!(self.peek().is_none(), "unexpected {:?}", self.peek());
        assert!(!self.program.threads.is_empty(), "no threads");
        self.program
    }

    fn block(&mut self) -> Block {
        self.expect("{");
        let mut body = Vec::new();
        while !self.at_sym("}") {
            body.push(Rc::new(self.statement()));
        }
        self.expect("}");
        body
    }

    fn statement(&mut self) -> Stmt {
        let w = self.word();
        match &*w {
            "if" => self.if_rest(),
            "while" => {
                let cond = self.expr();
                Stmt::While(cond, self.block())
            }
            "atomic" => Stmt::Atomic(self.block()),
            "lock" => Stmt::Lock(self.word()),
            "unlock" => Stmt::Unlock(self.word()),
            "signal" => Stmt::Signal(self.word()),
            "fence" => Stmt::Fence,
            "notify" => Stmt::Notify(self.word()),
            "notify_all" => Stmt::NotifyAll(self.word()),
            "arrive" => Stmt::Arrive(self.word()),
            "wait" => {
                let first = self.word();
                if self.program.conds.contains(&first) {
                    Stmt::CondWait(first, self.word())
                } else {
                    Stmt::SemWait(first)
                }
            }
            _ => {
                self.expect("=");
                let target = if self.is_shared(&w) { Target::Shared(w) } else { Target::Reg(w) };
                Stmt::Assign(target, self.expr())
            }
        }
    }

    /// After `if`: the test, the block, and an optional `else` block or `else if`.
    fn if_rest(&mut self) -> Stmt {
        let cond = self.expr();
        let then = self.block();
        let mut otherwise = Vec::new();
        if self.at_word("else") {
            self.next();
            if self.at_word("if") {
                self.next();
                otherwise.push(Rc::new(self.if_rest()));
            } else {
                otherwise = self.block();
            }
        }
        Stmt::If(cond, then, otherwise)
    }

    fn expr(&mut self) -> Expr {
        self.binary(1)
    }

    fn binary(&mut self, min_prec: u8) -> Expr {
        let mut lhs = self.unary();
        while let Some(Tok::Sym(s)) = self.peek() {
            let Some(&(op, prec)) = BINARY.iter().find(|(o, p)| o == s && *p >= min_prec) else { break };
            self.next();
            let rhs = self.binary(prec + 1);
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        lhs
    }

    fn unary(&mut self) -> Expr {
        match self.next() {
            Tok::Sym("-") => match self.peek() {
                // A negative literal (so the most negative one can be written).
                Some(&Tok::Num(m)) => {
                    self.next();
                    Expr::Int((m as i128).wrapping_neg() as i64)
                }
                _ => Expr::Neg(Box::new(self.unary())),
            },
            Tok::Sym("!") => Expr::Not(Box::new(self.unary())),
            Tok::Sym("(") => {
                let e = self.expr();
                self.expect(")");
                e
            }
            Tok::Num(m) => Expr::Int(m as i64),
            Tok::Word(name) if self.is_shared(&name) => Expr::Shared(name.into()),
            Tok::Word(name) => Expr::Reg(name.into()),
            t => panic!("expected a value, found {t:?}"),
        }
    }
}

fn parse(source: &str) -> Program {
    Parser { toks: lex(source), pos: 0, program: Program::default() }.program()
}

// ----------------------------------------------------------------------------------------------
// Expressions

/// The shared variables `e` reads, one per occurrence, left to right.
fn shared_reads(e: &Expr, out: &mut Vec<Name>) {
    match e {
        Expr::Int(_) | Expr::Reg(_) => {}
        Expr::Shared(name) => out.push(name.clone()),
        Expr::Neg(a) | Expr::Not(a) => shared_reads(a, out),
        Expr::Bin(_, a, b) => {
            shared_reads(a, out);
            shared_reads(b, out);
        }
    }
}

/// `e` with its shared occurrences replaced, left to right, by the values read into `temps`.
fn substitute(e: &Expr, temps: &mut std::slice::Iter<'_, i64>) -> Expr {
    match e {
        Expr::Shared(_) => Expr::Int(*temps.next().expect("a temporary per shared read")),
        Expr::Int(_) | Expr::Reg(_) => e.clone(),
        Expr::Neg(a) => Expr::Neg(Box::new(substitute(a, temps))),
        Expr::Not(a) => Expr::Not(Box::new(substitute(a, temps))),
        Expr::Bin(op, a, b) => {
            let a = substitute(a, temps);
            Expr::Bin(op, Box::new(a), Box::new(substitute(b, temps)))
        }
    }
}

/// The value of `e` (`None` on division or remainder by zero); shared variables are looked up
/// with `shared`, registers in `regs` (0 when never written).
fn eval(e: &Expr, shared: &dyn Fn(&str) -> i64, regs: &BTreeMap<Name, i64>) -> Option<i64> {
    Some(match e {
        Expr::Int(v) => *v,
        Expr::Shared(name) => shared(name),
        Expr::Reg(name) => regs.get(name).copied().unwrap_or(0),
        Expr::Neg(a) => eval(a, shared, regs)?.wrapping_neg(),
        Expr::Not(a) => (eval(a, shared, regs)? == 0) as i64,
        Expr::Bin(op, a, b) => {
            let x = eval(a, shared, regs)?;
            match *op {
                "&&" if x == 0 => return Some(0),
                "||" if x != 0 => return Some(1),
                _ => {}
            }
            let y = eval(b, shared, regs)?;
            match *op {
                "+" => x.wrapping_add(y),
                "-" => x.wrapping_sub(y),
                "*" => x.wrapping_mul(y),
                "/" | "%" if y == 0 => return None,
                "/" => x.wrapping_div(y),
                "%" => x.wrapping_rem(y),
                "==" => (x == y) as i64,
                "!=" => (x != y) as i64,
                "<" => (x < y) as i64,
                "<=" => (x <= y) as i64,
                ">" => (x > y) as i64,
                ">=" => (x >= y) as i64,
                "&&" | "||" => (y != 0) as i64,
                other => unreachable!("operator {other}"),
            }
        }
    })
}

// ----------------------------------------------------------------------------------------------
// Store buffer bound

/// How many entries thread `body`'s store buffer may hold: the most shared writes along any path
/// through its code (writes inside `atomic` go straight to memory and do not count) when it has
/// no `while`, [`MOST_BUFFERED`] when it has one, and never more than [`MOST_BUFFERED`].
///
/// (Without a loop the buffer can never reach the first figure before a write, since it holds at
/// most the writes made so far; so the bound only bites at [`MOST_BUFFERED`].)
fn buffer_cap(body: &[Rc<Stmt>]) -> usize {
    fn has_while(body: &[Rc<Stmt>]) -> bool {
        body.iter().any(|s| match &**s {
            Stmt::While(..) => true,
            Stmt::If(_, a, b) => has_while(a) || has_while(b),
            _ => false,
        })
    }
    fn most_writes(body: &[Rc<Stmt>]) -> usize {
        body.iter()
            .map(|s| match &**s {
                Stmt::Assign(Target::Shared(_), _) => 1,
                Stmt::If(_, a, b) => most_writes(a).max(most_writes(b)),
                _ => 0,
            })
            .sum()
    }
    if has_while(body) {
        MOST_BUFFERED
    } else {
        most_writes(body).min(MOST_BUFFERED)
    }
}

// ----------------------------------------------------------------------------------------------
// States and moves

/// One thread's part of a state.
#[derive(Debug, Clone)]
struct Thread {
    /// Statements still to run, the next one last (a `while` whose test holds stays, under
    /// its body).
    todo: Vec<Rc<Stmt>>,
    /// Values the statement in progress has read so far: its hidden temporaries.
    temps: Vec<i64>,
    regs: BTreeMap<Name, i64>,
    /// Under `tso`: writes not yet in memory, oldest first.
    buffer: VecDeque<(Name, i64)>,
    /// In the wait set of this cond, and the lock to take again once notified.
    waiting: Option<(Name, Name)>,
    /// Notified: must take this lock again before going on.
    retake: Option<Name>,
    /// Arrived at this barrier, whose current round is not complete yet.
    at_barrier: Option<Name>,
}

impl Thread {
    /// Ran its last statement, and (under `tso`) its buffer is empty.
    fn finished(&self) -> bool {
        self.todo.is_empty()
            && self.buffer.is_empty()
            && self.waiting.is_none()
            && self.retake.is_none()
            && self.at_barrier.is_none()
    }

    /// What the thread reads for `var`: the newest value in its own buffer, else memory's.
    fn read(&self, memory: &BTreeMap<Name, i64>, var: &str) -> i64 {
        let own = self.buffer.iter().rev().find(|(v, _)| &**v == var);
        own.map_or(memory[var], |(_, value)| *value)
    }
}

#[derive(Debug, Clone)]
struct State {
    threads: Vec<Thread>,
    memory: BTreeMap<Name, i64>,
    /// Lock to the thread holding it.
    holders: BTreeMap<Name, Option<usize>>,
    sems: BTreeMap<Name, i64>,
    /// Cond to the threads in its wait set (in the order they came).
    wait_sets: BTreeMap<Name, Vec<usize>>,
    /// Barrier to the threads that arrived in its current round.
    arrivals: BTreeMap<Name, Vec<usize>>,
    /// A thread failed: the schedule ends here.
    failed: bool,
}

/// How a schedule ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ending {
    Complete { values: BTreeMap<String, i64>, bad: bool },
    Deadlock,
    Error,
}

struct Interpreter {
    program: Program,
    /// Each thread's store buffer bound.
    caps: Vec<usize>,
}

impl Interpreter {
    fn new(program: Program) -> Self {
        let caps = program.threads.iter().map(|(_, body)| buffer_cap(body)).collect();
        Interpreter { program, caps }
    }

    fn initial(&self) -> State {
        let p = &self.program;
        State {
            threads: p
                .threads
                .iter()
                .map(|(_, body)| Thread {
                    todo: body.iter().rev().cloned().collect(),
                    temps: Vec::new(),
                    regs: BTreeMap::new(),
                    buffer: VecDeque::new(),
                    waiting: None,
                    retake: None,
                    at_barrier: None,
                })
                .collect(),
            memory: p.shared.iter().cloned().collect(),
            holders: p.locks.iter().map(|l| (l.clone(), None)).collect(),
            sems: p.sems.iter().cloned().collect(),
            wait_sets: p.conds.iter().map(|c| (c.clone(), Vec::new())).collect(),
            arrivals: p.barriers.iter().map(|(b, _)| (b.clone(), Vec::new())).collect(),
            failed: false,
        }
    }

    /// Every move from `s`, as the state it leads to: each thread's flush (under `tso`, when its
    /// buffer holds something) and its next step when that is enabled (a `notify` with k
    /// waiters is k moves, one per thread it may wake). None once a thread has failed.
    fn moves(&self, s: &State) -> Vec<State> {
        let mut out = Vec::new();
        if s.failed {
            return out;
        }
        for t in 0..s.threads.len() {
            if !s.threads[t].buffer.is_empty() {
                let mut n = s.clone();
                let (var, value) = n.threads[t].buffer.pop_front().unwrap();
                n.memory.insert(var, value);
                out.push(n);
            }
            if self.enabled(s, t) {
                out.extend(self.step(s, t));
            }
        }
        out
    }

    /// Whether thread `t`'s next step (not its flush) may run in `s`.
    fn enabled(&self, s: &State, t: usize) -> bool {
        let th = &s.threads[t];
        if th.waiting.is_some() || th.at_barrier.is_some() {
            return false;
        }
        // Under `tso`, every step but those of assignments, `if` and `while` (reads, writes,
        // computing) waits for the thread's own buffer to be empty; under `sc` it always is.
        let drained = th.buffer.is_empty();
        if let Some(m) = &th.retake {
            // Notified: its next step is the `lock M` that takes the lock again.
            return drained && s.holders[m].is_none();
        }
        let Some(stmt) = th.todo.last() else { return false };
        match &**stmt {
            Stmt::Assign(Target::Shared(_), e) if self.program.tso && !Self::is_read_step(th, e, false) => {
                // The writing step waits while the buffer is full.
                th.buffer.len() < self.caps[t]
            }
            Stmt::Assign(..) | Stmt::If(..) | Stmt::While(..) => true,
            _ if !drained => false,
            Stmt::Lock(m) => s.holders[m].is_none(),
            Stmt::SemWait(sem) => s.sems[sem] > 0,
            _ => true,
        }
    }

    /// The states thread `t`'s next step leads to (it is enabled): one, or one per waiter a
    /// `notify` may wake.
    fn step(&self, s: &State, t: usize) -> Vec<State> {
        let mut n = s.clone();
        if let Some(m) = n.threads[t].retake.take() {
            n.holders.insert(m, Some(t));
            return vec![n];
        }
        let stmt = n.threads[t].todo.last().cloned().expect("an enabled thread has a next step");
        match &*stmt {
            Stmt::Assign(target, e) => {
                let Some(value) = Self::compute_step(&mut n, t, e, matches!(target, Target::Reg(_))) else {
                    return vec![n];
                };
                let Some(value) = value else { return fail(n) };
                match target {
                    Target::Reg(r) => {
                        n.threads[t].regs.insert(r.clone(), value);
                    }
                    Target::Shared(x) if self.program.tso => n.threads[t].buffer.push_back((x.clone(), value)),
                    Target::Shared(x) => {
                        n.memory.insert(x.clone(), value);
                    }
                }
                n.threads[t].todo.pop();
            }
            Stmt::If(cond, then, otherwise) => {
                let Some(value) = Self::compute_step(&mut n, t, cond, true) else { return vec![n] };
                let Some(value) = value else { return fail(n) };
                let todo = &mut n.threads[t].todo;
                todo.pop();
                todo.extend(if value != 0 { then } else { otherwise }.iter().rev().cloned());
            }
            Stmt::While(cond, body) => {
                let Some(value) = Self::compute_step(&mut n, t, cond, true) else { return vec![n] };
                let Some(value) = value else { return fail(n) };
                if value == 0 {
                    n.threads[t].todo.pop();
                } else {
                    n.threads[t].todo.extend(body.iter().rev().cloned());
                }
            }
            Stmt::Atomic(body) => {
                let mut fuel = ATOMIC_FUEL;
                if !run_atomic(body, &mut n, t, &mut fuel) {
                    return fail(n);
                }
                n.threads[t].todo.pop();
            }
            Stmt::Lock(m) => {
                n.holders.insert(m.clone(), Some(t));
                n.threads[t].todo.pop();
            }
            Stmt::Unlock(m) => {
                if n.holders[m] != Some(t) {
                    return fail(n);
                }
                n.holders.insert(m.clone(), None);
                n.threads[t].todo.pop();
            }
            Stmt::SemWait(sem) => {
                *n.sems.get_mut(sem).unwrap() -= 1;
                n.threads[t].todo.pop();
            }
            Stmt::Signal(sem) => {
                let count = n.sems.get_mut(sem).unwrap();
                *count = count.wrapping_add(1);
                n.threads[t].todo.pop();
            }
            Stmt::Fence => {
                n.threads[t].todo.pop();
            }
            Stmt::CondWait(c, m) => {
                if n.holders[m] != Some(t) {
                    return fail(n);
                }
                n.holders.insert(m.clone(), None);
                n.wait_sets.get_mut(c).unwrap().push(t);
                n.threads[t].waiting = Some((c.clone(), m.clone()));
                n.threads[t].todo.pop();
            }
            Stmt::Notify(c) => {
                n.threads[t].todo.pop();
                let waiters = n.wait_sets[c].clone();
                if waiters.is_empty() {
                    // Lost: nobody waits.
                    return vec![n];
                }
                // Which waiter leaves is the scheduler's choice: one move per waiter.
                return waiters
                    .into_iter()
                    .map(|w| {
                        let mut k = n.clone();
                        wake(&mut k, c, w);
                        k
                    })
                    .collect();
            }
            Stmt::NotifyAll(c) => {
                n.threads[t].todo.pop();
                for w in n.wait_sets[c].clone() {
                    wake(&mut n, c, w);
                }
            }
            Stmt::Arrive(b) => {
                n.threads[t].todo.pop();
                let needed = self.program.barriers.iter().find(|(name, _)| name == b).unwrap().1;
                let round = n.arrivals.get_mut(b).unwrap();
                round.push(t);
                if round.len() == needed {
                    // The N-th arrival releases the round (itself included) and starts a new one.
                    for a in std::mem::take(round) {
                        n.threads[a].at_barrier = None;
                    }
                } else {
                    n.threads[t].at_barrier = Some(b.clone());
                }
            }
        }
        vec![n]
    }

    /// Whether a thread's next step on a statement computing `e` only reads a shared variable
    /// into a temporary: each read has its own step, except that the computing step makes the
    /// last read itself when `last_read_computes` (a register's assignment, a test).
    fn is_read_step(th: &Thread, e: &Expr, last_read_computes: bool) -> bool {
        let mut reads = Vec::new();
        shared_reads(e, &mut reads);
        let separate = if last_read_computes { reads.len().saturating_sub(1) } else { reads.len() };
        th.temps.len() < separate
    }

    /// One step of thread `t` on a statement that reads `e`'s shared variables and then
    /// computes it. `None`: this step only read a variable into a temporary (the statement goes
    /// on). `Some(value)`: this was the computing step (see [`Self::is_read_step`]), and the
    /// temporaries are cleared; the value is `None` on division or remainder by zero.
    fn compute_step(n: &mut State, t: usize, e: &Expr, last_read_computes: bool) -> Option<Option<i64>> {
        let mut reads = Vec::new();
        shared_reads(e, &mut reads);
        let read_only = Self::is_read_step(&n.threads[t], e, last_read_computes);
        let th = &mut n.threads[t];
        if let Some(var) = reads.get(th.temps.len()) {
            let value = th.read(&n.memory, var);
            th.temps.push(value);
        }
        if read_only {
            return None;
        }
        let closed = substitute(e, &mut th.temps.iter());
        let value = eval(&closed, &|name| panic!("`{name}` should have been read"), &th.regs);
        th.temps.clear();
        Some(value)
    }

    /// How a state with no move ends.
    fn ending(&self, s: &State) -> Ending {
        if s.failed {
            Ending::Error
        } else if s.threads.iter().all(Thread::finished) {
            let no_regs = BTreeMap::new();
            let holds = |c: &Expr| eval(c, &|x| s.memory[x], &no_regs).is_some_and(|v| v != 0);
            let bad = !self.program.checks.iter().all(holds);
            let values = s.memory.iter().map(|(name, v)| (name.to_string(), *v)).collect();
            Ending::Complete { values, bad }
        } else {
            Ending::Deadlock
        }
    }
}

/// Runs an `atomic` block, reading and writing memory directly; false when the thread fails
/// (division by zero, or a loop past [`ATOMIC_FUEL`] tests).
fn run_atomic(body: &[Rc<Stmt>], n: &mut State, t: usize, fuel: &mut u32) -> bool {
    for s in body {
        let value = |n: &State, e: &Expr| eval(e, &|x| n.memory[x], &n.threads[t].regs);
        match &**s {
            Stmt::Assign(target, e) => {
                let Some(v) = value(n, e) else { return false };
                match target {
                    Target::Shared(x) => n.memory.insert(x.clone(), v),
                    Target::Reg(r) => n.threads[t].regs.insert(r.clone(), v),
                };
            }
            Stmt::If(c, a, b) => {
                let Some(v) = value(n, c) else { return false };
                if !run_atomic(if v != 0 { a } else { b }, n, t, fuel) {
                    return false;
                }
            }
            Stmt::While(c, b) => loop {
                if *fuel == 0 {
                    return false;
                }
                *fuel -= 1;
                let Some(v) = value(n, c) else { return false };
                if v == 0 {
                    break;
                }
                if !run_atomic(b, n, t, fuel) {
                    return false;
                }
            },
            Stmt::Atomic(b) => {
                if !run_atomic(b, n, t, fuel) {
                    return false;
                }
            }
            other => panic!("{other:?} is not allowed inside `atomic`"),
        }
    }
    true
}

/// Thread `w` leaves cond `c`'s wait set; it must take its lock again before going on.
fn wake(n: &mut State, c: &str, w: usize) {
    n.wait_sets.get_mut(c).unwrap().retain(|&x| x != w);
    let (_, m) = n.threads[w].waiting.take().expect("a waiting thread");
    n.threads[w].retake = Some(m);
}

/// The step fails: the schedule ends in an error.
fn fail(mut n: State) -> Vec<State> {
    n.failed = true;
    vec![n]
}

// ----------------------------------------------------------------------------------------------
// Enumeration

/// Every schedule of a program, listed one by one, and the figures they add up to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Brute {
    pub(crate) schedules: u64,
    pub(crate) complete: u64,
    pub(crate) bad: u64,
    pub(crate) deadlock: u64,
    pub(crate) error: u64,
    /// Each distinct outcome (final shared values by name): its schedules, and whether it is bad.
    pub(crate) outcomes: BTreeMap<BTreeMap<String, i64>, (u64, bool)>,
}

impl Brute {
    /// Schedules whose outcome has every value of `pairs` (summed over such outcomes).
    pub(crate) fn reaching(&self, pairs: &[(&str, i64)]) -> u64 {
        self.outcomes
            .iter()
            .filter(|(values, _)| pairs.iter().all(|(name, v)| values.get(*name) == Some(v)))
            .map(|(_, (n, _))| n)
            .sum()
    }

    fn record(&mut self, ending: Ending) {
        self.schedules += 1;
        match ending {
            Ending::Complete { values, bad } => {
                self.complete += 1;
                self.bad += bad as u64;
                self.outcomes.entry(values).or_insert((0, bad)).0 += 1;
            }
            Ending::Deadlock => self.deadlock += 1,
            Ending::Error => self.error += 1,
        }
    }
}

/// Lists every schedule of `source` depth-first. `None` past `cap` schedules, or when some
/// schedule runs past [`MAX_MOVES`] moves (a loop that may spin).
pub(crate) fn enumerate(source: &str, cap: u64) -> Option<Brute> {
    let interpreter = Interpreter::new(parse(source));
    let mut brute = Brute::default();
    walk(&interpreter, &interpreter.initial(), 0, &mut brute, cap).then_some(brute)
}

fn walk(interpreter: &Interpreter, s: &State, depth: usize, brute: &mut Brute, cap: u64) -> bool {
    if depth > MAX_MOVES {
        return false;
    }
    let next = interpreter.moves(s);
    if next.is_empty() {
        brute.record(interpreter.ending(s));
        return brute.schedules <= cap;
    }
    next.iter().all(|n| walk(interpreter, n, depth + 1, brute, cap))
}
