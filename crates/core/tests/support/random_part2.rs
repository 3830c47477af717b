//! Random small programs, made from a seed, for checking the explorer against the reference
//! interpreter (`reference.rs`): two or three threads and a few shared variables; with Part 2 of
//! the language, also `memory sc` or `memory tso`, fences, condition variables (waits with and
//! without their lock held), `notify`, `notify_all` and barriers (some for more threads than
//! there are, so some deadlock). Every loop ends, some threads are copies of the first (for
//! symmetry reduction), and most programs have at most a few thousand schedules.

/// The program of `seed`: Part 1 of the language only, or with Part 2 too.
pub(crate) fn random_program(seed: u64, part2: bool) -> String {
    let mut g = Gen { rng: fastrand::Rng::with_seed(seed), part2, tso: false, threads: 0, counters: 0 };
    g.program()
}

const SHARED: [&str; 3] = ["x", "y", "z"];
const REGISTERS: [&str; 2] = ["r", "q"];
/// Loop counters: each loop has its own, never assigned elsewhere, so every loop ends.
const COUNTERS: [&str; 3] = ["i", "j", "k"];
/// Themes of a program (see [`Gen::program`]); the others are free.
const FREE: u8 = 0;
const BARRIER: u8 = 1;
const COND: u8 = 2;
const BUFFERS: u8 = 3;

const OPERATORS: [&str; 10] = ["+", "-", "*", "/", "%", "==", "<", "!=", "&&", "||"];

struct Gen {
    rng: fastrand::Rng,
    part2: bool,
    tso: bool,
    threads: usize,
    /// Loop counters used so far in the current thread.
    counters: usize,
}

/// A piece of a thread and about how many moves it takes (its flushes included); each thread
/// keeps within a budget of moves, so that schedules stay few.
type Piece = (String, usize);

impl Gen {
    fn program(&mut self) -> String {
        let mut src = String::new();
        if self.part2 {
            match self.rng.u8(0..4) {
                0 => {}
                1 => src += "memory sc\n",
                _ => {
                    src += "memory tso\n";
                    self.tso = true;
                }
            }
        }
        // Now and then the threads share a theme: they meet at the barrier; or some wait on the
        // cond and the last notifies it; or each writes, reads and passes on what it read
        // (store buffering, and reading its own write back).
        let theme = if self.part2 { self.rng.u8(0..5) } else { FREE };
        let three = match theme {
            COND => self.rng.bool(),
            // Three threads of up to 8 moves each would have too many schedules.
            BUFFERS => false,
            _ => self.rng.u8(0..4) == 0,
        };
        self.threads = if three { 3 } else { 2 };
        for name in SHARED {
            src += &format!("shared {name} = {}\n", self.rng.i64(0..=2));
        }
        src += &format!("lock m\nsem s = {}\n", self.rng.u8(0..2));
        if self.part2 {
            src += &format!("cond c\nbarrier b = {}\n", self.rng.usize(1..=self.threads + 1));
        }
        // Two threads of 8 moves have C(16, 8) = 12870 schedules, three of 4 have 34650 (few
        // programs come near either). Under `tso` a thread's own moves come in several orders
        // too (its flushes among its steps): fewer moves.
        let budget = match (self.threads, self.tso) {
            (3, false) => 4,
            (3, true) => 3,
            (_, false) => 8,
            (_, true) => 6,
        };
        let mut bodies: Vec<String> = Vec::new();
        for t in 0..self.threads {
            // (Not the notifier: it has code of its own.)
            let notifier = theme == COND && t + 1 == self.threads;
            if t > 0 && !notifier && self.rng.u8(0..3) == 0 {
                // The same code as the first thread, for symmetry reduction.
                bodies.push(bodies[0].clone());
                continue;
            }
            self.counters = 0;
            let mut left = self.rng.usize(2..=budget);
            let themed = match theme {
                BARRIER => Some(("arrive b\n".to_string(), 1)),
                COND if t + 1 == self.threads => Some(self.notification()),
                COND => Some(self.cond_wait()),
                BUFFERS => Some(self.write_read_pass()),
                _ => None,
            };
            let mut statements = Vec::new();
            if let Some((text, moves)) = themed {
                left = left.saturating_sub(moves);
                statements.push(text);
            }
            for _ in 0..4 {
                let (text, moves) = self.statement(0, false);
                if moves > left {
                    break;
                }
                left -= moves;
                // The themed statement stays anywhere among the others.
                let at = self.rng.usize(..=statements.len());
                statements.insert(at, text);
            }
            if statements.is_empty() {
                statements.push(self.assignment().0);
            }
            bodies.push(statements.concat());
        }
        for (t, body) in bodies.iter().enumerate() {
            src += &format!("thread T{t} {{\n{body}}}\n");
        }
        if self.rng.bool() {
            let (a, b) = (self.shared(), self.shared());
            let op = ["==", "!=", "<", ">="][self.rng.usize(..4)];
            src += &format!("check {a} {op} {b} + {}\n", self.rng.u8(0..2));
        }
        src
    }

    fn shared(&mut self) -> &'static str {
        SHARED[self.rng.usize(..SHARED.len())]
    }

    /// A literal, a shared variable or a register, and its shared reads.
    fn value(&mut self) -> (String, usize) {
        match self.rng.u8(0..5) {
            0 | 1 => (self.rng.i64(-1..=2).to_string(), 0),
            2 | 3 => (self.shared().to_string(), 1),
            _ => (REGISTERS[self.rng.usize(..REGISTERS.len())].to_string(), 0),
        }
    }

    /// A value, or two joined by an operator, and its shared reads (at most two).
    fn expr(&mut self) -> (String, usize) {
        match self.rng.u8(0..6) {
            0 | 1 => self.value(),
            2 => {
                let (v, reads) = self.value();
                (format!("!{v}"), reads)
            }
            _ => {
                let op = OPERATORS[self.rng.usize(..OPERATORS.len())];
                let ((a, ra), (b, rb)) = (self.value(), self.value());
                (format!("{a} {op} {b}"), ra + rb)
            }
        }
    }

    /// An assignment to a shared variable or a register.
    fn assignment(&mut self) -> Piece {
        let (e, reads) = self.expr();
        if self.rng.bool() {
            // A step per read, one to write, and a flush under `tso`.
            (format!("{} = {e}\n", self.shared()), reads + 1 + self.tso as usize)
        } else {
            (format!("{} = {e}\n", REGISTERS[self.rng.usize(..REGISTERS.len())]), reads.max(1))
        }
    }

    /// At most `n` statements at nesting `depth` (inside `atomic` when `atomic`), within the
    /// `left` moves they may take (and take from it).
    fn block(&mut self, n: usize, left: &mut usize, depth: usize, atomic: bool) -> String {
        let mut out = String::new();
        for _ in 0..n {
            let (text, moves) = self.statement(depth, atomic);
            if moves > *left {
                break;
            }
            *left -= moves;
            out += &text;
        }
        out
    }

    fn statement(&mut self, depth: usize, atomic: bool) -> Piece {
        let kinds = if self.part2 { 20 } else { 12 };
        let kind = if depth >= 2 { 0 } else { self.rng.u8(0..kinds) };
        match kind {
            0..=3 => self.assignment(),
            4 => {
                let (cond, reads) = self.expr();
                let (mut a, mut b) = (3, 3);
                let then = self.block(2, &mut a, depth + 1, atomic);
                let then = if then.is_empty() { "r = 1\n".to_string() } else { then };
                let text = if self.rng.bool() {
                    let otherwise = self.block(1, &mut b, depth + 1, atomic);
                    format!("if {cond} {{\n{then}}} else {{\n{otherwise}}}\n")
                } else {
                    format!("if {cond} {{\n{then}}}\n")
                };
                // The test, then the longer branch.
                (text, if atomic { 1 } else { reads.max(1) + 3 - a.min(b) })
            }
            5 if self.counters < COUNTERS.len() => {
                // A loop that ends: its own counter counts up to 1 or 2.
                let i = COUNTERS[self.counters];
                self.counters += 1;
                let k = self.rng.usize(1..=2);
                let mut room = 2;
                let body = self.block(1, &mut room, depth + 1, atomic);
                // Each round: the test, the body, the count; then the last test.
                let moves = if atomic { 1 } else { k * (1 + (2 - room) + 1) + 1 };
                (format!("while {i} < {k} {{\n{body}{i} = {i} + 1\n}}\n"), moves)
            }
            // Inside `atomic`, or out of loop counters.
            5 => self.assignment(),
            _ if atomic => self.assignment(),
            6 => {
                let mut room = 4;
                let n = self.rng.usize(1..=2);
                let body = self.block(n, &mut room, depth + 1, true);
                let body = if body.is_empty() { "x = x + 1\n".to_string() } else { body };
                (format!("atomic {{\n{body}}}\n"), 1)
            }
            7 => {
                // A critical section.
                let mut room = 3;
                let body = self.block(1, &mut room, depth + 1, false);
                (format!("lock m\n{body}unlock m\n"), 2 + 3 - room)
            }
            8 => (["lock m\n", "unlock m\n"][self.rng.usize(..2)].to_string(), 1),
            9 => (["wait s\n", "signal s\n"][self.rng.usize(..2)].to_string(), 1),
            10 | 11 => self.assignment(),
            // Part 2 only from here on.
            12 | 13 => ("fence\n".to_string(), 1),
            14 => self.cond_wait(),
            15 => ("wait c m\n".to_string(), 1),
            16 | 17 => self.notification(),
            _ => ("arrive b\n".to_string(), 1),
        }
    }

    /// Waiting on the cond as it should be done, holding the lock (and taking it again after).
    fn cond_wait(&mut self) -> Piece {
        let (before, moves) = if self.rng.bool() { self.assignment() } else { (String::new(), 0) };
        (format!("lock m\n{before}wait c m\nunlock m\n"), 4 + moves)
    }

    /// `notify c` (once or twice) or `notify_all c`, sometimes holding the lock.
    fn notification(&mut self) -> Piece {
        let (op, moves) = [("notify c\n", 1), ("notify c\nnotify c\n", 2), ("notify_all c\n", 1)][self.rng.usize(..3)];
        if self.rng.bool() {
            (format!("lock m\n{op}unlock m\n"), moves + 2)
        } else {
            (op.to_string(), moves)
        }
    }

    /// A write or two, maybe a fence, a read of the same or another variable, and a write of
    /// what was read (under `tso`, the read may come from the thread's own buffer or memory).
    fn write_read_pass(&mut self) -> Piece {
        let (a, c) = (self.shared(), self.shared());
        // Half the time it reads its own write back, a value no variable starts with.
        let b = if self.rng.bool() { a } else { self.shared() };
        let fence = if self.rng.u8(0..3) == 0 { "fence\n" } else { "" };
        let v = self.rng.i64(3..=5);
        // Sometimes two writes, whose order another thread may see.
        let second = if self.rng.u8(0..4) < 2 - self.tso as u8 {
            format!("{} = {}\n", self.shared(), v + 3)
        } else {
            String::new()
        };
        let writes = 2 + !second.is_empty() as usize;
        let moves = writes * (1 + self.tso as usize) + 1 + !fence.is_empty() as usize;
        (format!("{a} = {v}\n{second}{fence}r = {b}\n{c} = r\n"), moves)
    }
}
