//! The explorer's built-in programs and challenges: content as data, checked by the tests.

use super::machine::{Machine, State, Status};

/// Built-in programs as `(id, title, source)`.
pub const BUILTINS: &[(&str, &str, &str)] = &[
    ("lost-update", "Lost update", LOST_UPDATE),
    ("lost-update-lock", "Lost update, fixed with a lock", LOST_UPDATE_LOCK),
    ("lost-update-atomic", "Lost update, fixed with atomic", LOST_UPDATE_ATOMIC),
    ("local-counting", "Count locally, publish once", LOCAL_COUNTING),
    ("check-then-act", "Check, then act", CHECK_THEN_ACT),
    ("two-locks", "Two locks in opposite order", TWO_LOCKS),
    ("semaphore", "A semaphore limits entry", SEMAPHORE),
    ("peterson", "Peterson's algorithm", PETERSON),
    ("broken-flags", "A lock made of flags", BROKEN_FLAGS),
];

/// The source of the built-in program `id`.
pub fn builtin(id: &str) -> Option<&'static str> {
    BUILTINS.iter().find(|(i, _, _)| *i == id).map(|(_, _, s)| *s)
}

const LOST_UPDATE: &str = "\
# Two threads increment a shared counter without a lock.
shared x = 0

thread A {
  x = x + 1
}

thread B {
  x = x + 1
}

check x == 2
";

const LOST_UPDATE_LOCK: &str = "\
# The same counter, each increment guarded by a lock.
shared x = 0
lock m

thread A {
  lock m
  x = x + 1
  unlock m
}

thread B {
  lock m
  x = x + 1
  unlock m
}

check x == 2
";

const LOST_UPDATE_ATOMIC: &str = "\
# The same counter, each increment one atomic step.
shared x = 0

thread A {
  atomic { x = x + 1 }
}

thread B {
  atomic { x = x + 1 }
}

check x == 2
";

const LOCAL_COUNTING: &str = "\
# Each thread counts in its own register, then publishes once, to its own slot.
# No two threads write the same variable, so no update can be lost.
shared a = 0
shared b = 0

thread A {
  n = n + 1
  n = n + 1
  a = n
}

thread B {
  n = n + 1
  n = n + 1
  b = n
}

check a + b == 4
";

const CHECK_THEN_ACT: &str = "\
# Both threads check the balance, then withdraw 80: the check can be stale.
shared balance = 100

thread A {
  if balance >= 80 {
    balance = balance - 80
  }
}

thread B {
  if balance >= 80 {
    balance = balance - 80
  }
}

check balance >= 0
";

const TWO_LOCKS: &str = "\
# Each thread takes both locks, in opposite orders.
shared x = 0
lock a
lock b

thread A {
  lock a
  lock b
  x = x + 1
  unlock b
  unlock a
}

thread B {
  lock b
  lock a
  x = x + 1
  unlock a
  unlock b
}

check x == 2
";

const SEMAPHORE: &str = "\
# A semaphore lets at most two of three threads into the room at once.
# The bookkeeping of who is inside is atomic, so it cannot race itself.
sem s = 2
shared inside = 0
shared peak = 0

thread A {
  wait s
  atomic {
    inside = inside + 1
    if inside > peak { peak = inside }
  }
  atomic { inside = inside - 1 }
  signal s
}

thread B {
  wait s
  atomic {
    inside = inside + 1
    if inside > peak { peak = inside }
  }
  atomic { inside = inside - 1 }
  signal s
}

thread C {
  wait s
  atomic {
    inside = inside + 1
    if inside > peak { peak = inside }
  }
  atomic { inside = inside - 1 }
  signal s
}

check peak <= 2
";

const PETERSON: &str = "\
# Peterson's algorithm: mutual exclusion from plain reads and writes.
# Correct only under sequential consistency, which this explorer assumes:
# every write is seen by all threads in the step that makes it.
# Real CPUs reorder: on x86 a store can wait in the store buffer while a
# later load of another variable goes ahead, so both threads read the
# other's flag as 0 and enter. Real code needs SeqCst atomics or fences.
shared flagA = 0
shared flagB = 0
shared turn = 0
shared count = 0

thread A {
  flagA = 1
  turn = 1
  while flagB == 1 && turn == 1 { }
  count = count + 1
  flagA = 0
}

thread B {
  flagB = 1
  turn = 0
  while flagA == 1 && turn == 0 { }
  count = count + 1
  flagB = 0
}

check count == 2
";

const BROKEN_FLAGS: &str = "\
# A home-made lock: look at the other thread's flag, then raise your own.
# The bookkeeping of who is inside is atomic; the flags are not.
shared flagA = 0
shared flagB = 0
shared inside = 0
shared both = 0

thread A {
  if flagB == 0 {
    flagA = 1
    atomic {
      inside = inside + 1
      if inside == 2 { both = 1 }
    }
    atomic { inside = inside - 1 }
    flagA = 0
  }
}

thread B {
  if flagA == 0 {
    flagB = 1
    atomic {
      inside = inside + 1
      if inside == 2 { both = 1 }
    }
    atomic { inside = inside - 1 }
    flagB = 0
  }
}

check both == 0
";

/// What a challenge asks the learner's own schedule to reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// A complete schedule whose final shared values satisfy this condition (explorer syntax).
    Outcome(&'static str),
    /// A complete schedule whose outcome fails the program's `check`.
    Bad,
    /// A deadlock.
    Deadlock,
    /// An error.
    Error,
}

/// A puzzle: find a schedule of a built-in program that reaches a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge {
    /// Stable id.
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// The id of the built-in program it uses.
    pub program: &'static str,
    /// The task, as told to the learner.
    pub task: &'static str,
    /// When it is solved.
    pub goal: Goal,
}

/// The challenges, in the order a learner meets them.
pub const CHALLENGES: &[Challenge] = &[
    Challenge {
        id: "lose-an-update",
        title: "Lose an update",
        program: "lost-update",
        task: "Both threads add 1 to x. Schedule them so that x ends at 1.",
        goal: Goal::Outcome("x == 1"),
    },
    Challenge {
        id: "overdraw",
        title: "Overdraw the account",
        program: "check-then-act",
        task: "Both threads check there is enough money before withdrawing. Make the balance go negative.",
        goal: Goal::Bad,
    },
    Challenge {
        id: "both-inside",
        title: "Get both threads inside",
        program: "broken-flags",
        task:
            "Each thread raises a flag to keep the other out. Make both threads enter the critical section.",
        goal: Goal::Outcome("both == 1"),
    },
    Challenge {
        id: "deadlock",
        title: "Cause a deadlock",
        program: "two-locks",
        task: "Each thread needs both locks. Schedule them so that neither can go on.",
        goal: Goal::Deadlock,
    },
];

/// Whether `state` of `machine` reaches `goal` (a goal is only reached where a schedule ends).
pub fn is_solved(goal: &Goal, machine: &Machine, state: &State) -> bool {
    match (goal, machine.status(state)) {
        (Goal::Outcome(cond), Status::Complete { .. }) => {
            machine.condition_holds(cond, state).unwrap_or(false)
        }
        (Goal::Bad, Status::Complete { bad }) => bad,
        (Goal::Deadlock, Status::Deadlock) => true,
        (Goal::Error, Status::Error { .. }) => true,
        _ => false,
    }
}
