//! A bank account run as an actor: clients on several threads send deposits and withdrawals as
//! messages to the one owner of the balance, beside a racy shared balance that loses updates.
//!
//! Implementation note: the actor is the `rayon::scope` body itself, draining its inbox while the
//! clients run as spawned tasks. It polls rather than blocks (and runs pending clients itself
//! when idle), so it works on a pool of any size, even one thread.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};

use crate::run::jobs::{JobError, Progress};
use crate::race::{receive_all, StartGate};

/// A message to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Banking {
    /// Every client reads the shared balance and writes it back changed: updates get lost.
    Racy,
    /// Every client sends messages to the [`Actor`], which alone changes the balance.
    Actor,
}

/// The end of a banking run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankOutcome {
    /// Balance if every operation counted.
    pub expected: i64,
    /// Final balance.
    pub actual: i64,
    /// Operations sent in all.
    pub operations: u64,
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

/// `clients` clients (at least 1), each a rayon task, send `ops_per_client` operations
/// ([`client_op`]) to an account opened with `opening` cents. Blocks the calling thread; call it
/// from a pool thread.
pub fn run_bank(banking: Banking, clients: usize, ops_per_client: u64, opening: i64) -> BankOutcome {
    run_bank_with(banking, clients, ops_per_client, opening, &Progress::default()).expect("nobody cancels this run")
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

/// [`run_bank`] reporting operations sent to `progress` (out of `clients × ops_per_client`) and
/// stopping early, with [`JobError::Cancelled`], when it is cancelled.
pub fn run_bank_with(
    banking: Banking,
    clients: usize,
    ops_per_client: u64,
    opening: i64,
    progress: &Progress,
) -> Result<BankOutcome, JobError> {
    let k = clients.max(1);
    let expected = opening
        + (0..k).map(|c| (0..ops_per_client).map(|i| client_op(c, i).delta()).sum::<i64>()).sum::<i64>();
    let gate = StartGate::new(k);
    let actual = match banking {
        Banking::Racy => {
            let balance = AtomicI64::new(opening);
            rayon::scope(|s| {
                for client in 0..k {
                    let (balance, gate) = (&balance, &gate);
                    s.spawn(move |_| {
                        gate.arrive_and_wait();
                        for_each_op(ops_per_client, progress, |i| {
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
                        for_each_op(ops_per_client, progress, |i| {
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
    Ok(BankOutcome { expected, actual, operations: k as u64 * ops_per_client })
}
