//! A bank account run as an actor: clients on several threads send deposits and withdrawals as
//! messages to the one owner of the balance, beside a racy shared balance that loses updates;
//! with the plan a learner's settings make ([`BankForm`], [`BankPlan`]) and the run the page
//! starts from it ([`run_bank`]).
//!
//! Implementation note: the actor is the `rayon::scope` body itself, draining its inbox while the
//! clients run as spawned tasks. It polls rather than blocks (and runs pending clients itself
//! when idle), so it works on a pool of any size, even one thread.

use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc;

use crate::numbers::{group_digits, parse_whole};
use crate::race::{receive_all, StartGate};
use crate::run::jobs::{JobError, Progress};

/// A message to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountOp {
    /// Add this many cents.
    Deposit(u64),
    /// Take this many cents away (the balance may go negative: no overdraft rule, so the final
    /// balance does not depend on message order).
    Withdraw(u64),
}

impl AccountOp {
    /// The change to the balance.
    pub fn delta(self) -> i64 {
        match self {
            AccountOp::Deposit(cents) => cents as i64,
            AccountOp::Withdraw(cents) => -(cents as i64),
        }
    }
}

/// The owner of a balance: the only code that reads or writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    balance: i64,
    applied: u64,
}

impl Actor {
    /// An account opened with `balance` cents.
    pub fn new(balance: i64) -> Self {
        Self { balance, applied: 0 }
    }
    /// Handles one message.
    pub fn apply(&mut self, op: AccountOp) {
        self.balance += op.delta();
        self.applied += 1;
    }
    /// Current balance in cents.
    pub fn balance(&self) -> i64 {
        self.balance
    }
    /// Messages handled so far.
    pub fn applied(&self) -> u64 {
        self.applied
    }
}

/// How the clients reach the balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Banking {
    /// Every client reads the shared balance and writes it back changed: updates get lost.
    Racy,
    /// Every client sends messages to the [`Actor`], which alone changes the balance.
    Actor,
}

impl Banking {
    /// The id of this way of banking: its value in a form and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Banking::Racy => "racy",
            Banking::Actor => "actor",
        }
    }

    /// The way of banking with this [`Banking::id`].
    pub fn from_id(id: &str) -> Option<Banking> {
        [Banking::Racy, Banking::Actor].into_iter().find(|b| b.id() == id)
    }
}

/// The `i`-th operation of client `client`: deposits and withdrawals of a few euros, fixed so
/// every run has the same expected balance.
pub fn client_op(client: usize, i: u64) -> AccountOp {
    let cents = 100 * ((i + client as u64) % 7 + 1);
    if i % 3 == 2 {
        AccountOp::Withdraw(cents)
    } else {
        AccountOp::Deposit(cents)
    }
}

/// €1,234.50 from cents (a minus sign before the euro sign when negative).
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "−" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}€{}.{:02}", group_digits(c / 100), c % 100)
}

/// The bank's settings as the learner chooses and types them; [`Default`] is what the form opens
/// with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankForm {
    /// How the clients reach the balance.
    pub banking: Banking,
    /// Clients, as chosen.
    pub clients: String,
    /// Operations per client, as typed.
    pub ops: String,
}

impl Default for BankForm {
    fn default() -> Self {
        Self { banking: Banking::Racy, clients: "2".into(), ops: "1,000,000".into() }
    }
}

impl BankForm {
    /// The plan these settings make on a page with `workers` worker threads, or why there is none:
    /// no threads to race ([`BankPlan::NEEDS_THREADS`]), a field that is not a whole number in its
    /// range, or too many operations in all ([`BankPlan::new`]).
    pub fn plan(&self, workers: usize) -> Result<BankPlan, String> {
        if workers == 0 {
            return Err(BankPlan::NEEDS_THREADS.to_string());
        }
        let clients = parse_whole(&self.clients, "Clients", 1..=BankPlan::MAX_CLIENTS as u64)?;
        let ops = parse_whole(&self.ops, "Operations per client", BankPlan::OPS)?;
        BankPlan::new(self.banking, clients, ops)
    }
}

/// What a learner asks of the bank, checked: how the clients bank, how many there are (from 1 to
/// [`Self::MAX_CLIENTS`]), and how many operations each sends (within [`Self::OPS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BankPlan {
    /// How the clients reach the balance.
    pub banking: Banking,
    /// Clients, each a task on the pool.
    pub clients: usize,
    /// Operations each client sends ([`client_op`]).
    pub ops_per_client: u64,
}

impl BankPlan {
    /// Operations one client may send.
    pub const OPS: RangeInclusive<u64> = 1..=1_000_000;
    /// Most operations in one run: the actor's mailbox may hold most of them at once.
    pub const MAX_TOTAL_OPS: u64 = 2_000_000;
    /// Most clients the page offers.
    pub const MAX_CLIENTS: usize = 8;
    /// The account opens with €1,000.00.
    pub const OPENING_CENTS: i64 = 100_000;
    /// Bytes a message takes in the actor's mailbox, about.
    const MESSAGE_BYTES: usize = 32;
    /// Why the bank cannot run on a page without worker threads.
    pub const NEEDS_THREADS: &'static str = "The bank's clients are threads, and this page has no worker threads \
        (see above), so this comparison cannot run here: with one thread there is nobody to race with.";

    /// The plan for `clients` clients sending `ops_per_client` operations each, both within their
    /// ranges. Refuses, with a reason, more than [`Self::MAX_TOTAL_OPS`] operations in all.
    pub fn new(banking: Banking, clients: u64, ops_per_client: u64) -> Result<Self, String> {
        let total = clients.saturating_mul(ops_per_client);
        if total > Self::MAX_TOTAL_OPS {
            return Err(format!(
                "Clients × operations must be at most {} (you asked for {}): the actor's mailbox may have to hold \
                 most of them at once, and that takes memory.",
                group_digits(Self::MAX_TOTAL_OPS),
                group_digits(total)
            ));
        }
        Ok(Self { banking, clients: clients as usize, ops_per_client })
    }

    /// Operations the clients send in all.
    pub fn total_ops(&self) -> u64 {
        self.clients.max(1) as u64 * self.ops_per_client
    }

    /// Memory the run may allocate, in bytes: with an actor, the mailbox may hold every message
    /// at once; the shared balance needs none.
    pub fn memory_bytes(&self) -> usize {
        match self.banking {
            Banking::Racy => 0,
            Banking::Actor => self.total_ops() as usize * Self::MESSAGE_BYTES,
        }
    }
}

/// The end of a banking run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BankOutcome {
    /// Balance if every operation counted, in cents.
    pub expected: i64,
    /// Final balance, in cents.
    pub actual: i64,
    /// Operations sent in all.
    pub operations: u64,
    /// From the start to the end of the run, in ms, by the caller's clock.
    pub wall_ms: f64,
}

impl BankOutcome {
    /// Cents lost to the race (0 when every update counted).
    pub fn lost(&self) -> i64 {
        self.expected - self.actual
    }
}

/// Operations a client does between two looks at its [`Progress`].
const CHUNK: u64 = 1 << 10;

/// Runs `op(i)` for each of `ops` operations of one client, in chunks, until done or cancelled.
fn for_each_op(ops: u64, progress: &Progress, mut op: impl FnMut(u64)) {
    let mut i = 0;
    while i < ops && !progress.is_cancelled() {
        let end = (i + CHUNK).min(ops);
        (i..end).for_each(&mut op);
        progress.add(end - i);
        i = end;
    }
}

/// Runs `plan` on an account opened with [`BankPlan::OPENING_CENTS`]: its clients (at least
/// one), each a rayon task, send their operations ([`client_op`]) at once, reporting operations
/// sent to `progress` (out of [`BankPlan::total_ops`]) and stopping early, with
/// [`JobError::Cancelled`], when it is cancelled. Times the run with `now` (ms). Blocks the
/// calling thread; call it from a pool thread.
pub fn run_bank(plan: &BankPlan, progress: &Progress, now: impl Fn() -> f64) -> Result<BankOutcome, JobError> {
    let start = now();
    let (k, ops, opening) = (plan.clients.max(1), plan.ops_per_client, BankPlan::OPENING_CENTS);
    let expected = opening + (0..k).map(|c| (0..ops).map(|i| client_op(c, i).delta()).sum::<i64>()).sum::<i64>();
    let gate = StartGate::new(k);
    let actual = match plan.banking {
        Banking::Racy => {
            let balance = AtomicI64::new(opening);
            rayon::scope(|s| {
                for client in 0..k {
                    let (balance, gate) = (&balance, &gate);
                    s.spawn(move |_| {
                        gate.arrive_and_wait();
                        for_each_op(ops, progress, |i| {
                            // Read, compute, write back: another client may write in between.
                            let read = balance.load(Ordering::Relaxed);
                            balance.store(read + client_op(client, i).delta(), Ordering::Relaxed);
                        });
                    });
                }
            });
            balance.into_inner()
        }
        Banking::Actor => {
            let mut actor = Actor::new(opening);
            let (tx, inbox) = mpsc::channel::<AccountOp>();
            rayon::scope(|s| {
                for client in 0..k {
                    let (tx, gate) = (tx.clone(), &gate);
                    s.spawn(move |_| {
                        gate.arrive_and_wait();
                        for_each_op(ops, progress, |i| {
                            let _ = tx.send(client_op(client, i));
                        });
                    });
                }
                drop(tx);
                receive_all(inbox, |op| actor.apply(op));
            });
            actor.balance()
        }
    };
    if progress.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    Ok(BankOutcome { expected, actual, operations: k as u64 * ops, wall_ms: now() - start })
}
