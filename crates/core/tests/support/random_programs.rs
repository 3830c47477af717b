//! Random programs in the explorer's language, within every cap its parser keeps, made from a
//! seed, and a random walk through one: the same natively (`crates/core/tests/explorer.rs`, seeds
//! from proptest) and in the browser (`crates/lab/tests/wasm_explorer.rs`, fixed seeds).
//!
//! A program has 1 to [`MAX_THREADS`] threads (a third of them 9 or more, some exactly the cap),
//! runs under `sc` or `tso`, and has shared variables, locks, a semaphore, a condition variable
//! and a barrier; its statements are assignments, `if`, bounded and spinning `while` loops,
//! `atomic` blocks (some looping, up to [`MAX_LOOPING_ATOMIC_SIZE`]), lock, semaphore, fence,
//! wait, notify and arrive operations (some waits without the lock), division that may fail; some threads are copies of the first (for
//! symmetry reduction), some expressions are as long as an expression may be, and some programs
//! have as many statements as a program may. Overflow-prone literals appear too.

use interleave_core::explorer::{
    Machine, Program, Scheduler, State, Status, MAX_EXPR_NODES, MAX_LOOPING_ATOMIC_SIZE, MAX_STATEMENTS, MAX_THREADS,
};

/// The program of `seed`; it parses (the caps are kept), and every run of it must end.
pub(crate) fn random_program(seed: u64) -> String {
    let mut g = Gen { rng: fastrand::Rng::with_seed(seed), left: MAX_STATEMENTS, shared: Vec::new() };
    g.program()
}

/// Steps `program` along a schedule chosen at random from `seed`, as the step-by-step view
/// does, describing every state on the way, and the learner's schedule with it (undoing and
/// redoing now and then); returns the state reached (after at most 200 steps).
pub(crate) fn walk(program: &Program, seed: u64) -> State {
    let (m, mut rng) = (Machine::new(program), fastrand::Rng::with_seed(seed));
    let (mut s, mut scheduler) = (m.initial(), Scheduler::new(program));
    for _ in 0..200 {
        let (views, status, _) = (m.describe(&s), m.status(&s), m.end_note(&s));
        assert_eq!(views.len(), m.thread_names().len());
        let _ = (m.shared_text(&s), m.locks_text(&s), m.semaphores_text(&s), m.check_passes(&s));
        let _ = (m.wait_sets_text(&s), m.barriers_text(&s), views.iter().map(|v| v.buffer_text()).count());
        let moves = m.moves(&s);
        assert_eq!(moves.is_empty(), status != Status::Running, "{status:?}");
        let Some(&mv) = moves.get(rng.usize(..moves.len().max(1))) else { break };
        let _ = (m.move_label(&s, mv), m.move_text(mv), m.move_note(&s, mv));
        s = m.apply(&s, mv);
        assert!(scheduler.take(mv));
        if rng.u8(0..8) == 0 {
            assert!(scheduler.undo() && scheduler.redo());
        }
    }
    assert_eq!(scheduler.state(), &s);
    s
}

const REGISTERS: [&str; 3] = ["r", "q", "p"];
const OPERATORS: [&str; 13] = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||"];

struct Gen {
    rng: fastrand::Rng,
    /// Statements (declarations and checks included) the program may still have.
    left: usize,
    shared: Vec<&'static str>,
}

impl Gen {
    fn program(&mut self) -> String {
        let mut src = String::new();
        // A third under x86-TSO, some saying `memory sc`, the rest with no memory line.
        match self.rng.u8(0..6) {
            0 | 1 => src += "memory tso\n",
            2 => src += "memory sc\n",
            _ => self.left += 1,
        }
        for name in ["x", "y", "z"].into_iter().take(self.rng.usize(1..=3)) {
            src += &format!("shared {name} = {}\n", self.literal());
            self.shared.push(name);
        }
        let threads = match self.rng.u8(0..6) {
            0 | 1 => self.rng.usize(1..=3),
            2 | 3 => self.rng.usize(4..=8),
            4 => self.rng.usize(9..=MAX_THREADS),
            _ => MAX_THREADS,
        };
        // A barrier for as many threads as there are, one fewer, or one more (so it may deadlock).
        let parties = (threads as i64 + self.rng.i64(-1..=1)).clamp(1, MAX_THREADS as i64);
        src += &format!("lock m\nlock n\nsem s = 1\ncond c\nbarrier b = {parties}\n");
        self.left -= 1 + self.shared.len() + 5 + 1; // the memory line, declarations, one `check`
        // Now and then one thread takes every statement the others leave.
        let long = self.rng.u8(0..8) == 0;
        let share = self.left / threads;
        let (mut bodies, mut first): (Vec<String>, usize) = (Vec::new(), 0);
        for t in 0..threads {
            if t > 0 && self.rng.u8(0..3) == 0 && self.left - (threads - 1 - t) >= first {
                // A copy of the first thread: the same code, for symmetry reduction.
                self.left -= first;
                bodies.push(bodies[0].clone());
                continue;
            }
            // Each thread after this one needs a statement at least.
            let most = self.left - (threads - 1 - t);
            let wanted = if long && t == 0 { most } else { share.min(self.rng.usize(1..=6)).clamp(1, most) };
            let mut budget = wanted;
            let body = self.block(&mut budget, 0, false);
            let used = wanted - budget;
            self.left -= used;
            if t == 0 {
                first = used;
            }
            bodies.push(body);
        }
        for (t, body) in bodies.iter().enumerate() {
            src += &format!("thread T{t} {{\n{body}}}\n");
        }
        if self.rng.bool() {
            let check = self.expr(4, false, 2);
            src += &format!("check {check}\n");
        }
        src
    }

    fn literal(&mut self) -> String {
        match self.rng.u8(0..12) {
            0 => i64::MAX.to_string(),
            1 => (i64::MIN + 1).to_string(),
            _ => self.rng.i64(-3..=5).to_string(),
        }
    }

    /// A value: a literal, a shared variable or (in a thread) a register.
    fn value(&mut self, registers: bool) -> String {
        match self.rng.u8(0..4) {
            0 => self.literal(),
            1 if registers => REGISTERS[self.rng.usize(..REGISTERS.len())].to_string(),
            _ => self.shared[self.rng.usize(..self.shared.len())].to_string(),
        }
    }

    /// An expression of at most `nodes` nodes, nested at most `depth` deep.
    fn expr(&mut self, nodes: usize, registers: bool, depth: usize) -> String {
        if nodes < 3 || depth == 0 || self.rng.u8(0..3) == 0 {
            return match self.rng.u8(0..6) {
                0 if nodes >= 2 => format!("!{}", self.value(registers)),
                _ => self.value(registers),
            };
        }
        let op = OPERATORS[self.rng.usize(..OPERATORS.len())];
        let left = self.rng.usize(1..=(nodes - 2).max(1));
        let a = self.expr(left, registers, depth - 1);
        let b = self.expr(nodes - 1 - left, registers, depth - 1);
        format!("({a} {op} {b})")
    }

    /// An expression as long as an expression may be: a chain of values, no nesting.
    fn longest_expr(&mut self) -> String {
        let values = MAX_EXPR_NODES.div_ceil(2);
        let mut e = self.value(true);
        for _ in 1..values {
            e += &format!(" + {}", self.value(true));
        }
        e
    }

    fn target(&mut self) -> &'static str {
        if self.rng.bool() {
            self.shared[self.rng.usize(..self.shared.len())]
        } else {
            REGISTERS[self.rng.usize(..REGISTERS.len())]
        }
    }

    /// At least one statement (when `budget` allows) and at most `budget`, counting nested ones,
    /// which it takes from `budget`; at nesting `depth`, and inside `atomic` when `atomic` (no
    /// loops, lock or semaphore operations there).
    fn block(&mut self, budget: &mut usize, depth: usize, atomic: bool) -> String {
        let mut out = String::new();
        let wanted = self.rng.usize(1..=(*budget).max(1));
        let mut made = 0;
        while *budget > 0 && made < wanted {
            *budget -= 1;
            made += 1;
            out += &self.statement(budget, depth, atomic);
        }
        out
    }

    /// One statement (already taken from `budget`), and the statements nested in it.
    fn statement(&mut self, budget: &mut usize, depth: usize, atomic: bool) -> String {
        let kind = if depth >= 3 { self.rng.u8(0..5) } else { self.rng.u8(0..14) };
        match kind {
            0..=3 => {
                let nodes = self.rng.usize(1..=7);
                format!("{} = {}\n", self.target(), self.expr(nodes, true, 3))
            }
            4 if !atomic && depth < 3 => format!("{} = {}\n", self.target(), self.longest_expr()),
            4 => format!("{} = {} / {}\n", self.target(), self.value(true), self.value(true)),
            5 | 6 if !atomic => {
                let ops = [
                    "lock m", "unlock m", "lock n", "unlock n", "wait s", "signal s", "fence", "wait c m", "notify c",
                    "notify_all c", "arrive b",
                ];
                format!("{}\n", ops[self.rng.usize(..ops.len())])
            }
            5 | 6 => format!("{} = {}\n", self.target(), self.value(true)),
            7 | 8 => {
                let cond = self.expr(5, true, 2);
                let then = self.block(budget, depth + 1, atomic);
                if *budget > 0 && self.rng.bool() {
                    let otherwise = self.block(budget, depth + 1, atomic);
                    format!("if {cond} {{\n{then}}} else {{\n{otherwise}}}\n")
                } else {
                    format!("if {cond} {{\n{then}}}\n")
                }
            }
            9 if !atomic && *budget >= 1 => {
                // A loop that ends: a register counts up.
                *budget -= 1;
                let (r, k) = (REGISTERS[self.rng.usize(..3)], self.rng.u8(1..4));
                let body = self.block(budget, depth + 1, atomic);
                format!("while {r} < {k} {{\n{body}{r} = {r} + 1\n}}\n")
            }
            10 if !atomic => {
                // A loop that may spin: it waits for another thread.
                let v = self.shared[self.rng.usize(..self.shared.len())];
                format!("while {v} == {} {{\n}}\n", self.rng.u8(0..2))
            }
            11 | 12 if !atomic => {
                let mut inner = (*budget).min(3);
                *budget -= inner;
                let body = self.block(&mut inner, depth + 1, true);
                *budget += inner;
                format!("atomic {{\n{body}}}\n")
            }
            13 if !atomic && *budget >= 3 => {
                // A looping atomic block at the size cap (three statements inside), or one that
                // runs out of fuel (one inside).
                if self.rng.bool() {
                    *budget -= 3;
                    let r = REGISTERS[self.rng.usize(..3)];
                    let pad = (MAX_LOOPING_ATOMIC_SIZE - 8) / 2;
                    let sum: Vec<String> = (0..pad).map(|_| "1".to_string()).collect();
                    format!("atomic {{\n{r} = 0\nwhile {r} < 5000 {{\n{r} = {r} + {}\n}}\n}}\n", sum.join(" + "))
                } else {
                    *budget -= 1;
                    "atomic {\nwhile 1 {\n}\n}\n".to_string()
                }
            }
            _ => format!("{} = {}\n", self.target(), self.value(true)),
        }
    }
}
