//! What a state of the explorer's machine looks like to the learner: each thread's next step and
//! registers, the shared variables, locks and semaphores, and how a schedule ended, in the words
//! the step-by-step view shows; also the step texts the compiler stores with each instruction.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use super::compile::{AStmt, CExpr, Names, Op};
use super::machine::{decode_error, Machine, State, Status, ThreadId, ATOMIC_FUEL, OUT_OF_FUEL, UNLOCK_NOT_HELD};
use super::parse::{Place, UnOp};

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

impl ThreadState {
    /// The word the view shows for it (also its CSS class).
    pub fn label(self) -> &'static str {
        match self {
            ThreadState::Ready => "ready",
            ThreadState::Blocked => "blocked",
            ThreadState::Finished => "finished",
            ThreadState::Failed => "failed",
            ThreadState::Stopped => "stopped",
        }
    }
}

/// One thread of a state, described for the step-by-step view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadView {
    /// The thread's name.
    pub name: String,
    /// What it is doing.
    pub state: ThreadState,
    /// Its block's source lines, from `thread` to the closing `}` (1-based, inclusive).
    pub lines: RangeInclusive<usize>,
    /// Source line of its next step (or of its failure); `None` once finished.
    pub line: Option<usize>,
    /// Short text of its next step, e.g. `read x into t0`, `write x = t0 + 1`,
    /// `lock m (waits: held by B)`; for a failed thread, the error.
    pub next: Option<String>,
    /// Its registers (then hidden temporaries `t0`, `t1`...) and their values.
    pub registers: Vec<(String, i64)>,
}

impl ThreadView {
    /// Its registers and temporaries as `r = 1, t0 = 0`.
    pub fn registers_text(&self) -> String {
        self.registers.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
    }
}

/// How a finished schedule is told to the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndNote {
    /// Whether it is bad news: a failed check, a deadlock or an error.
    pub bad_news: bool,
    /// The sentence, e.g. `Finished: x = 2. The check holds.`
    pub text: String,
}

/// Values as `x = 1, y = 2` (or `no shared variables`).
pub fn values_text(values: &BTreeMap<String, i64>) -> String {
    if values.is_empty() {
        return "no shared variables".into();
    }
    values.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
}

impl Machine {
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
                ThreadView { name: code.name.clone(), state, lines: code.lines.clone(), line, next, registers }
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

    /// The shared variables of `state` as `x = 1, y = 2`.
    pub fn shared_text(&self, state: &State) -> String {
        values_text(&self.shared_values(state))
    }

    /// The locks of `state` as `m: held by A, n: free`; `None` without locks.
    pub fn locks_text(&self, state: &State) -> Option<String> {
        let names = self.thread_names();
        let locks = self.locks(state);
        let text = |(l, h): &(String, Option<ThreadId>)| {
            format!("{l}: {}", h.map_or("free".to_string(), |t| format!("held by {}", names[t])))
        };
        (!locks.is_empty()).then(|| locks.iter().map(text).collect::<Vec<_>>().join(", "))
    }

    /// The semaphores of `state` as `s = 2`; `None` without semaphores.
    pub fn semaphores_text(&self, state: &State) -> Option<String> {
        let sems = self.semaphores(state);
        let text = |(s, n): &(String, i64)| format!("{s} = {n}");
        (!sems.is_empty()).then(|| sems.iter().map(text).collect::<Vec<_>>().join(", "))
    }

    /// How the schedule that reached `state` ended; `None` while some thread can still step.
    pub fn end_note(&self, state: &State) -> Option<EndNote> {
        let (bad_news, text) = match self.status(state) {
            Status::Running => return None,
            Status::Complete { bad } => {
                let verdict = if bad {
                    "The check fails: this is a bad outcome."
                } else if self.check_passes(state) {
                    "The check holds."
                } else {
                    ""
                };
                (bad, format!("Finished: {}. {verdict}", self.shared_text(state)))
            }
            Status::Deadlock => (
                true,
                "Deadlock: threads are left, and every one of them is waiting for something another holds."
                    .to_string(),
            ),
            Status::Error { thread, line, message } => {
                (true, format!("Error in thread {} at line {line}: {message}", self.threads[thread].name))
            }
        };
        Some(EndNote { bad_news, text })
    }

    /// Why thread `t` failed at `pc` with error `code`.
    pub(super) fn error_message(&self, t: ThreadId, pc: usize, code: i64) -> String {
        match (code, self.threads[t].instrs.get(pc).map(|i| &i.op)) {
            (UNLOCK_NOT_HELD, Some(Op::Unlock(m))) => {
                format!("unlock {} while not holding it", self.locks[*m as usize])
            }
            (OUT_OF_FUEL, _) => format!("the atomic block ran more than {ATOMIC_FUEL} loop iterations"),
            _ => "division by zero".to_string(),
        }
    }
}

/// Writes `e` as source text; `last` names the temporary that holds a shared read the step makes itself.
pub(super) fn render(e: &CExpr, names: &Names<'_>, last: Option<(u32, u32)>, parent: u8, out: &mut String) {
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

/// Writes the statements of an `atomic` block as one line (cut short past 200 characters).
pub(super) fn render_block(body: &[AStmt], names: &Names<'_>, out: &mut String) {
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
