//! What a state of the explorer's machine looks like to the learner: each thread's next step and
//! registers, the shared variables, locks and semaphores, and how a schedule ended, in the words
//! the step-by-step view shows; also the step texts the compiler stores with each instruction.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use super::compile::{AStmt, CExpr, Names, Op};
use super::machine::{
    decode_error, Machine, Move, MoveKind, State, Status, ThreadId, ATOMIC_FUEL, OUT_OF_FUEL, UNLOCK_NOT_HELD,
    WAIT_NOT_HELD,
};
use super::parse::{MemoryModel, Place, UnOp};

/// What one thread is doing in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// Its next step can run now.
    Ready,
    /// Its next step waits for a lock, a semaphore, or (under `tso`) its store buffer.
    Blocked,
    /// It sleeps in a condition variable's wait set, or at a barrier, until another thread lets it go.
    Waiting,
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
            ThreadState::Waiting => "waiting",
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
    /// Under `tso`, its store buffer's entries, oldest first (empty under `sc`).
    pub buffer: Vec<(String, i64)>,
    /// Entries its store buffer holds at most (0 under `sc`).
    pub buffer_size: usize,
    /// Under `tso`, the shared variables it reads from its own buffer, with the value it sees
    /// (the newest entry for each), in declaration order.
    pub sees: Vec<(String, i64)>,
}

impl ThreadView {
    /// Its store buffer as `x = 1, y = 2` (oldest first), or `empty`.
    pub fn buffer_text(&self) -> String {
        if self.buffer.is_empty() {
            return "empty".into();
        }
        self.buffer.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
    }
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
    value_pairs(values).collect::<Vec<_>>().join(", ")
}

/// Each value as `x = 1`, in name order: what [`values_text`] joins.
pub fn value_pairs(values: &BTreeMap<String, i64>) -> impl Iterator<Item = String> + '_ {
    values.iter().map(|(k, v)| format!("{k} = {v}"))
}

impl Machine {
    /// Every thread's position and next step in `state`, for the step-by-step view.
    pub fn describe(&self, state: &State) -> Vec<ThreadView> {
        let w = &state.words;
        if w.len() != self.width {
            return Vec::new();
        }
        let any_failed = (0..self.threads.len()).any(|t| w[t] < 0);
        (0..self.threads.len()).map(|t| self.describe_thread(w, t, any_failed)).collect()
    }

    fn describe_thread(&self, w: &[i64], t: ThreadId, any_failed: bool) -> ThreadView {
        let code = &self.threads[t];
        let mut registers: Vec<(String, i64)> =
            code.reg_names.iter().enumerate().map(|(i, n)| (n.clone(), w[code.regs + i])).collect();
        registers.extend((0..code.n_temps).map(|i| (format!("t{i}"), w[code.temps + i])));
        let buffered = self.buffered(w, code);
        let buffer: Vec<(String, i64)> = (0..buffered)
            .map(|i| (self.shared[w[code.buf + 2 * i] as usize - 1].0.clone(), w[code.buf + 2 * i + 1]))
            .collect();
        let sees = (0..self.shared.len())
            .filter_map(|v| {
                let newest = (0..buffered).rev().find(|&i| w[code.buf + 2 * i] == v as i64 + 1)?;
                Some((self.shared[v].0.clone(), w[code.buf + 2 * newest + 1]))
            })
            .collect();
        let waiting = code.flag.map_or(0, |f| w[f]);
        let (state, line, next) = if w[t] < 0 {
            let (pc, err) = decode_error(w[t]);
            let msg = format!("error: {}", self.error_message(t, pc, err));
            (ThreadState::Failed, Some(self.line_at(t, pc)), Some(msg))
        } else if let Some(ins) = code.instrs.get(w[t] as usize) {
            let name = |h: i64| self.threads[h as usize - 1].name.as_str();
            let blocked = match ins.op {
                _ if waiting != 0 => None,
                _ if buffered > 0 && ins.op.drains() => {
                    Some("its store buffer must drain first: flush it".to_string())
                }
                Op::Set { place: Place::Shared(_), .. } if code.cap > 0 && buffered == code.cap => {
                    Some("its store buffer is full: flush it".to_string())
                }
                Op::Lock(m) | Op::Relock(m) => match w[self.lock_base + m as usize] {
                    0 => None,
                    h if h as usize - 1 == t => Some(format!("held by {} itself", code.name)),
                    h => Some(format!("held by {}", name(h))),
                },
                Op::Wait(s) if w[self.sem_base + s as usize] <= 0 => Some(format!("{} is 0", self.sems[s as usize].0)),
                _ => None,
            };
            let (st, text) = if waiting != 0 {
                (ThreadState::Waiting, format!("{} ({})", ins.text, self.waiting_text(w, waiting)))
            } else if let Some(why) = blocked {
                (ThreadState::Blocked, format!("{} (waits: {why})", ins.text))
            } else {
                let text = match ins.op {
                    Op::Notify(c) | Op::NotifyAll(c) if self.wait_set(w, c as usize).is_empty() => {
                        format!("{} (no thread waits: the notification will be lost)", ins.text)
                    }
                    _ => ins.text.clone(),
                };
                (if any_failed { ThreadState::Stopped } else { ThreadState::Ready }, text)
            };
            (st, Some(ins.line as usize), Some(text))
        } else if waiting != 0 {
            // Its last statement was `arrive`: it waits at the barrier.
            (ThreadState::Waiting, None, Some(self.waiting_text(w, waiting)))
        } else if buffered > 0 {
            (ThreadState::Ready, None, Some("done, once its store buffer is flushed".to_string()))
        } else {
            (ThreadState::Finished, None, None)
        };
        ThreadView {
            name: code.name.clone(),
            state,
            lines: code.lines.clone(),
            line,
            next,
            registers,
            buffer,
            buffer_size: code.cap,
            sees,
        }
    }

    /// What a thread whose wait word is `waiting` waits for.
    fn waiting_text(&self, w: &[i64], waiting: i64) -> String {
        let k = waiting as usize - 1;
        match self.conds.get(k) {
            Some(c) => format!("asleep on {c} until a notify wakes it"),
            None => {
                let b = k - self.conds.len();
                let (name, n) = &self.barriers[b];
                format!("at barrier {name}: {} of {n} arrived", w[self.barrier_base + b])
            }
        }
    }

    /// The threads in condition variable `c`'s wait set.
    fn wait_set(&self, w: &[i64], c: usize) -> Vec<ThreadId> {
        (0..self.threads.len()).filter(|&t| self.threads[t].flag.is_some_and(|f| w[f] == 1 + c as i64)).collect()
    }

    /// A move as the schedule's text shows it: `A`, `flush(A)`, `A→B` (A's notify wakes B).
    pub fn move_text(&self, mv: Move) -> String {
        let name = |t: ThreadId| self.threads.get(t).map_or("?", |c| c.name.as_str());
        match mv.kind {
            MoveKind::Step => name(mv.thread).to_string(),
            MoveKind::Flush => format!("flush({})", name(mv.thread)),
            MoveKind::Wake(u) => format!("{}→{}", name(mv.thread), name(u)),
        }
    }

    /// What the button for `mv` says: `Step A`, `Flush A (x = 1)`, `A: notify c, waking B`.
    pub fn move_label(&self, state: &State, mv: Move) -> String {
        let w = &state.words;
        let code = &self.threads[mv.thread];
        match mv.kind {
            MoveKind::Step => format!("Step {}", code.name),
            MoveKind::Flush if w.len() == self.width && w[code.buf] > 0 => {
                format!("Flush {}: {} = {}", code.name, self.shared[w[code.buf] as usize - 1].0, w[code.buf + 1])
            }
            MoveKind::Flush => format!("Flush {}", code.name),
            MoveKind::Wake(u) => format!("Step {}, waking {}", code.name, self.threads[u].name),
        }
    }

    /// A sentence on what `mv` from `before` did, when it is worth telling: a notification no
    /// thread was waiting for, so it was lost.
    pub fn move_note(&self, before: &State, mv: Move) -> Option<String> {
        let w = &before.words;
        if w.len() != self.width || mv.kind != MoveKind::Step || w[mv.thread] < 0 {
            return None;
        }
        let code = &self.threads[mv.thread];
        match code.instrs.get(w[mv.thread] as usize).map(|i| &i.op) {
            Some(Op::Notify(c) | Op::NotifyAll(c)) if self.wait_set(w, *c as usize).is_empty() => Some(format!(
                "Lost notification: {} notified {} while no thread was waiting on it, so nothing woke.",
                code.name, self.conds[*c as usize]
            )),
            _ => None,
        }
    }

    /// Each condition variable and the threads in its wait set.
    pub fn wait_sets(&self, state: &State) -> Vec<(String, Vec<ThreadId>)> {
        if state.words.len() != self.width {
            return Vec::new();
        }
        self.conds.iter().enumerate().map(|(c, n)| (n.clone(), self.wait_set(&state.words, c))).collect()
    }

    /// Each barrier, how many it waits for, and the threads that have arrived in this round.
    pub fn barrier_arrivals(&self, state: &State) -> Vec<(String, i64, Vec<ThreadId>)> {
        let w = &state.words;
        if w.len() != self.width {
            return Vec::new();
        }
        let code = |b: usize| 1 + (self.conds.len() + b) as i64;
        self.barriers
            .iter()
            .enumerate()
            .map(|(b, (n, k))| {
                let arrived = (0..self.threads.len())
                    .filter(|&t| self.threads[t].flag.is_some_and(|f| w[f] == code(b)))
                    .collect();
                (n.clone(), *k, arrived)
            })
            .collect()
    }

    /// The condition variables of `state` as `c: B waits`, `c: nobody waits`; `None` without any.
    pub fn wait_sets_text(&self, state: &State) -> Option<String> {
        let names = self.thread_names();
        let sets = self.wait_sets(state);
        let text = |(c, ts): &(String, Vec<ThreadId>)| match ts.as_slice() {
            [] => format!("{c}: nobody waits"),
            ts => format!("{c}: {} wait{}", ts.iter().map(|&t| names[t]).collect::<Vec<_>>().join(", "), if ts.len() == 1 { "s" } else { "" }),
        };
        (!sets.is_empty()).then(|| sets.iter().map(text).collect::<Vec<_>>().join("; "))
    }

    /// The barriers of `state` as `b: 1 of 3 arrived (A)`; `None` without any.
    pub fn barriers_text(&self, state: &State) -> Option<String> {
        let names = self.thread_names();
        let bars = self.barrier_arrivals(state);
        let text = |(b, n, ts): &(String, i64, Vec<ThreadId>)| {
            let who = ts.iter().map(|&t| names[t]).collect::<Vec<_>>().join(", ");
            if ts.is_empty() { format!("{b}: 0 of {n} arrived") } else { format!("{b}: {} of {n} arrived ({who})", ts.len()) }
        };
        (!bars.is_empty()).then(|| bars.iter().map(text).collect::<Vec<_>>().join("; "))
    }

    /// Whether the program runs under `tso` (so each thread has a store buffer to show).
    pub fn has_store_buffers(&self) -> bool {
        self.memory == MemoryModel::Tso
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
            (WAIT_NOT_HELD, Some(Op::CondWait { cond, lock })) => format!(
                "wait {} {} while not holding {}",
                self.conds[*cond as usize], self.locks[*lock as usize], self.locks[*lock as usize]
            ),
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
