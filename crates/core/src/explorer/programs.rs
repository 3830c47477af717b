//! The explorer's built-in programs and challenges: content as data, checked by the tests.

use super::machine::{Machine, State, Status};
use super::report::Report;

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
    ("store-buffering", "Store buffering (TSO)", STORE_BUFFERING),
    ("store-buffering-fenced", "Store buffering, with fences (TSO)", STORE_BUFFERING_FENCED),
    ("store-buffering-one-fence", "Store buffering, one fence (TSO)", STORE_BUFFERING_ONE_FENCE),
    ("message-passing", "Message passing (TSO)", MESSAGE_PASSING),
    ("peterson-tso", "Peterson's algorithm on x86 (TSO)", PETERSON_TSO),
    ("peterson-fence", "Peterson's algorithm with fences (TSO)", PETERSON_FENCE),
    ("bounded-buffer", "A bounded buffer, done right", BOUNDED_BUFFER),
    ("bounded-buffer-if", "A bounded buffer with “if” instead of “while”", BOUNDED_BUFFER_IF),
    ("bounded-buffer-notify", "A bounded buffer with one condition and “notify”", BOUNDED_BUFFER_NOTIFY),
    ("wait-without-lock", "A wait without the lock", WAIT_WITHOUT_LOCK),
    ("lost-wakeup", "A lost wake-up", LOST_WAKEUP),
    ("barrier-phases", "A barrier between two phases", BARRIER_PHASES),
    ("barrier-deadlock", "A barrier one thread reaches too often", BARRIER_DEADLOCK),
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
# Correct under sequential consistency (this program's memory model, the
# default): every write is seen by all threads in the step that makes it.
# Real CPUs reorder: see the same algorithm under `memory tso`.
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

const STORE_BUFFERING: &str = "\
# Store buffering, the classic litmus test, on x86's memory model (TSO).
# Each write waits in its thread's store buffer until it is flushed, and a
# read of another variable does not wait for it. Can both threads read 0?
memory tso
shared x = 0
shared y = 0
shared a = 0
shared b = 0

thread A {
  x = 1
  r = y
  a = r
}

thread B {
  y = 1
  r = x
  b = r
}

check a == 1 || b == 1
";

const STORE_BUFFERING_FENCED: &str = "\
# The same litmus test with a fence after each first write: a fence waits
# until the thread's store buffer is empty, so each write reaches memory
# before that thread reads the other variable.
memory tso
shared x = 0
shared y = 0
shared a = 0
shared b = 0

thread A {
  x = 1
  fence
  r = y
  a = r
}

thread B {
  y = 1
  fence
  r = x
  b = r
}

check a == 1 || b == 1
";

const STORE_BUFFERING_ONE_FENCE: &str = "\
# Only thread A has a fence. Is that enough to keep a = 0, b = 0 away?
memory tso
shared x = 0
shared y = 0
shared a = 0
shared b = 0

thread A {
  x = 1
  fence
  r = y
  a = r
}

thread B {
  y = 1
  r = x
  b = r
}

check a == 1 || b == 1
";

const MESSAGE_PASSING: &str = "\
# Message passing: the writer fills in data, then raises a flag; the reader
# reads the flag, then the data. Under TSO store buffers are FIFO, so the
# data reaches memory before the flag: a reader that sees the flag sees
# the data. (ARM and RISC-V allow more reordering: there it takes a
# Release write and an Acquire read.)
memory tso
shared data = 0
shared flag = 0
shared sawflag = 0
shared sawdata = 0

thread Writer {
  data = 42
  flag = 1
}

thread Reader {
  f = flag
  d = data
  sawflag = f
  sawdata = d
}

check sawflag == 0 || sawdata == 42
";

const PETERSON_TSO: &str = "\
# Peterson's algorithm on x86's memory model: each thread's flag can wait
# in its store buffer while the thread reads the other's flag, so both can
# read 0 and both enter.
memory tso
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

const PETERSON_FENCE: &str = "\
# Peterson's algorithm with a fence after each thread's writes: its flag
# and turn reach memory before it reads the other's flag. Mutual exclusion
# holds again (in Rust or C++, SeqCst atomics give this).
memory tso
shared flagA = 0
shared flagB = 0
shared turn = 0
shared count = 0

thread A {
  flagA = 1
  turn = 1
  fence
  while flagB == 1 && turn == 1 { }
  count = count + 1
  flagA = 0
}

thread B {
  flagB = 1
  turn = 0
  fence
  while flagA == 1 && turn == 0 { }
  count = count + 1
  flagB = 0
}

check count == 2
";

const BOUNDED_BUFFER: &str = "\
# A bounded buffer of one slot, two producers and two consumers, one item
# each. Producers wait on notfull, consumers on notempty, each in a `while`
# that checks again after waking.
shared count = 0
shared got = 0
lock m
cond notfull
cond notempty

thread P1 {
  lock m
  while count == 1 { wait notfull m }
  count = count + 1
  notify notempty
  unlock m
}

thread P2 {
  lock m
  while count == 1 { wait notfull m }
  count = count + 1
  notify notempty
  unlock m
}

thread C1 {
  lock m
  while count == 0 { wait notempty m }
  count = count - 1
  got = got + 1
  notify notfull
  unlock m
}

thread C2 {
  lock m
  while count == 0 { wait notempty m }
  count = count - 1
  got = got + 1
  notify notfull
  unlock m
}

check count == 0 && got == 2
";

const BOUNDED_BUFFER_IF: &str = "\
# The same buffer, with `if` instead of `while`: a woken thread does not
# check again, though another may have changed the buffer first. Each
# thread notes whether the count ever left the range 0 to 1.
shared count = 0
shared got = 0
shared broken = 0
lock m
cond notfull
cond notempty

thread P1 {
  lock m
  if count == 1 { wait notfull m }
  count = count + 1
  if count > 1 { broken = 1 }
  notify notempty
  unlock m
}

thread P2 {
  lock m
  if count == 1 { wait notfull m }
  count = count + 1
  if count > 1 { broken = 1 }
  notify notempty
  unlock m
}

thread C1 {
  lock m
  if count == 0 { wait notempty m }
  count = count - 1
  if count < 0 { broken = 1 }
  got = got + 1
  notify notfull
  unlock m
}

thread C2 {
  lock m
  if count == 0 { wait notempty m }
  count = count - 1
  if count < 0 { broken = 1 }
  got = got + 1
  notify notfull
  unlock m
}

check broken == 0
";

const BOUNDED_BUFFER_NOTIFY: &str = "\
# The same buffer with one condition variable for both kinds of waiting,
# and `notify`, which wakes one waiter: it may wake a thread of the wrong
# kind, which goes back to sleep, while the right one sleeps on.
shared count = 0
shared got = 0
lock m
cond changed

thread P1 {
  lock m
  while count == 1 { wait changed m }
  count = count + 1
  notify changed
  unlock m
}

thread P2 {
  lock m
  while count == 1 { wait changed m }
  count = count + 1
  notify changed
  unlock m
}

thread C1 {
  lock m
  while count == 0 { wait changed m }
  count = count - 1
  got = got + 1
  notify changed
  unlock m
}

thread C2 {
  lock m
  while count == 0 { wait changed m }
  count = count - 1
  got = got + 1
  notify changed
  unlock m
}

check count == 0 && got == 2
";

const LOST_WAKEUP: &str = "\
# The waiter sleeps without first checking whether the event has happened.
# If the notifier runs first, its notification finds no one waiting and is
# lost; the waiter then sleeps for ever. The fix: keep a flag, and wait only
# `while ready == 0`.
shared ready = 0
lock m
cond c

thread Waiter {
  lock m
  wait c m
  unlock m
}

thread Notifier {
  lock m
  ready = 1
  notify c
  unlock m
}
";

const WAIT_WITHOUT_LOCK: &str = "\
# The waiter checks ready and waits, but never takes the lock: `wait c m`
# must hold m, which it releases while it sleeps.
shared ready = 0
lock m
cond c

thread Waiter {
  while ready == 0 { wait c m }
}

thread Notifier {
  lock m
  ready = 1
  notify c
  unlock m
}
";

const BARRIER_PHASES: &str = "\
# Two phases: each thread writes its half, meets the other at the barrier,
# then reads the other's half. No thread starts phase 2 before both have
# finished phase 1.
shared left = 0
shared right = 0
shared seenA = 0
shared seenB = 0
barrier b = 2

thread A {
  left = 1
  arrive b
  r = right
  seenA = r
}

thread B {
  right = 1
  arrive b
  r = left
  seenB = r
}

check seenA == 1 && seenB == 1
";

const BARRIER_DEADLOCK: &str = "\
# A barrier for two, and two workers that should meet at it once a round.
# A runs two rounds but B only one: A's second arrival waits for ever.
barrier b = 2
shared rounds = 0

thread A {
  i = 0
  while i < 2 {
    i = i + 1
    arrive b
  }
}

thread B {
  i = 0
  while i < 1 {
    i = i + 1
    arrive b
  }
  rounds = 1
}
";

/// What a challenge asks of the learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// Reach, by hand, a complete schedule whose final shared values satisfy this condition
    /// (explorer syntax).
    Outcome(&'static str),
    /// Reach, by hand, a complete schedule whose outcome fails the program's `check`.
    Bad,
    /// Reach, by hand, a deadlock.
    Deadlock,
    /// Reach, by hand, an error.
    Error,
    /// Prove, by exploring every schedule, that no complete schedule ends with final values that
    /// satisfy this condition.
    Never(&'static str),
    /// Prove, by exploring every schedule, that every schedule completes and passes the check.
    AlwaysGood,
    /// Decide whether some complete schedule ends with values that satisfy this condition: reach
    /// one by hand if there is one, else prove by exploring every schedule that there is none.
    Decide(&'static str),
}

impl Goal {
    /// Whether exploring every schedule may solve it (else only the learner's own schedule can).
    pub fn by_exploring(&self) -> bool {
        matches!(self, Goal::Never(_) | Goal::AlwaysGood | Goal::Decide(_))
    }
}

/// A puzzle on a built-in program: a goal the engine checks, a hint, and what it teaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge {
    /// Stable id (saved progress refers to it).
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// The id of the built-in program it uses.
    pub program: &'static str,
    /// The task, as told to the learner.
    pub task: &'static str,
    /// When it is solved.
    pub goal: Goal,
    /// A nudge for a learner who is stuck.
    pub hint: &'static str,
    /// What solving it shows, told once it is solved.
    pub teaches: &'static str,
}

/// The challenges, in the order a learner meets them: first steps, locks and semaphores,
/// condition variables, barriers, then store buffers and fences.
pub const CHALLENGES: &[Challenge] = &[
    Challenge {
        id: "lose-an-update",
        title: "Lose an update",
        program: "lost-update",
        task: "Both threads add 1 to x. Schedule them so that x ends at 1.",
        goal: Goal::Outcome("x == 1"),
        hint: "Each `x = x + 1` is two steps: a read, then a write. Let both threads read before either writes.",
        teaches: "An increment is a read and a write. A thread that writes a value computed from a stale read \
                  overwrites the other's update: that is a lost update.",
    },
    Challenge {
        id: "lock-saves-it",
        title: "Prove the lock works",
        program: "lost-update-lock",
        task: "Show that with the lock, no schedule at all ends with x = 1.",
        goal: Goal::Never("x == 1"),
        hint: "You cannot prove it by trying schedules one by one: run Explore all, which checks every one.",
        teaches: "A lock makes the read and the write one unit that the other thread cannot step into. \
                  Exploring every schedule proves it for this program, which testing alone never does.",
    },
    Challenge {
        id: "overdraw",
        title: "Overdraw the account",
        program: "check-then-act",
        task: "Both threads check there is enough money before withdrawing. Make the balance go negative.",
        goal: Goal::Bad,
        hint: "Let both threads pass the check before either withdraws.",
        teaches: "Check-then-act is a race when the check and the act are separate steps: the check \
                  can be stale by the time the thread acts on it.",
    },
    Challenge {
        id: "both-inside",
        title: "Get both threads inside",
        program: "broken-flags",
        task: "Each thread raises a flag to keep the other out. Make both threads enter the critical section.",
        goal: Goal::Outcome("both == 1"),
        hint: "Both threads look at the other's flag before raising their own.",
        teaches: "Looking, then raising a flag, is check-then-act again: a lock built from plain flags needs \
                  more than that (Peterson's algorithm, or an atomic instruction).",
    },
    Challenge {
        id: "deadlock",
        title: "Cause a deadlock",
        program: "two-locks",
        task: "Each thread needs both locks. Schedule them so that neither can go on.",
        goal: Goal::Deadlock,
        hint: "Let each thread take its first lock before either takes its second.",
        teaches: "Two threads that take two locks in opposite orders can each hold one and wait for the \
                  other for ever. Taking locks in one agreed order prevents it.",
    },
    Challenge {
        id: "semaphore-room",
        title: "Prove the room never overfills",
        program: "semaphore",
        task: "The semaphore lets at most two threads in. Prove that no schedule ends with a peak above 2.",
        goal: Goal::Never("peak > 2"),
        hint: "Explore all lists every outcome the program can reach.",
        teaches: "A semaphore counts permits: `wait` takes one and blocks at zero, `signal` gives one back, \
                  so at most as many threads as the starting count are ever inside.",
    },
    Challenge {
        id: "peterson-holds",
        title: "Prove Peterson's algorithm",
        program: "peterson",
        task: "Under sequential consistency, prove that both increments always count: no schedule ends with count = 1.",
        goal: Goal::Never("count == 1"),
        hint: "The waiting loops make the schedules endless, but Explore all still lists every reachable outcome.",
        teaches: "With every write seen at once by every thread, Peterson's flags and turn give mutual \
                  exclusion from plain reads and writes. Keep this in mind for the store-buffer challenges.",
    },
    Challenge {
        id: "wait-without-lock",
        title: "Wait without the lock",
        program: "wait-without-lock",
        task: "The waiter forgot to take the lock. Make it fail.",
        goal: Goal::Error,
        hint: "Step the waiter before the notifier sets ready.",
        teaches: "A wait must hold the lock that guards the condition: it releases the lock and goes to sleep \
                  in one step, so no notification can slip in between the check and the sleep.",
    },
    Challenge {
        id: "lose-a-wakeup",
        title: "Lose a wake-up",
        program: "lost-wakeup",
        task: "Make the waiter sleep for ever.",
        goal: Goal::Deadlock,
        hint: "Let the notifier run first, while nobody is waiting.",
        teaches: "A notification wakes only threads already waiting; one sent earlier is lost. So a waiter \
                  checks a condition under the lock, and waits only while it does not hold.",
    },
    Challenge {
        id: "if-not-while",
        title: "Break the buffer's count",
        program: "bounded-buffer-if",
        task: "With `if` instead of `while`, make the count leave the range 0 to 1.",
        goal: Goal::Bad,
        hint: "Let a consumer wait, a producer wake it, and the other consumer take the item before the woken one \
               takes the lock again.",
        teaches: "Between its wake-up and taking the lock again, a woken thread can be overtaken, so the \
                  condition may no longer hold. Always wait in a `while` loop that checks again.",
    },
    Challenge {
        id: "notify-wrong-thread",
        title: "Make the bounded buffer deadlock",
        program: "bounded-buffer-notify",
        task: "With one condition variable and `notify`, make every thread that is left sleep.",
        goal: Goal::Deadlock,
        hint: "When several threads wait, `notify` lets you choose which wakes: wake a thread of the same kind \
               as the one that notified.",
        teaches: "`notify` wakes one waiter, and with one condition for two kinds of waiting it can wake the \
                  wrong kind, which sleeps again while the right one sleeps on. Use one condition per kind, \
                  or `notify_all`.",
    },
    Challenge {
        id: "buffer-done-right",
        title: "Prove the buffer right",
        program: "bounded-buffer",
        task: "Prove that with two condition variables and `while`, every schedule finishes with the check holding.",
        goal: Goal::AlwaysGood,
        hint: "Explore all: look for deadlocks and bad outcomes.",
        teaches: "Two condition variables (not full, not empty) and a `while` around each wait: every \
                  notification wakes a thread that can use it, and a woken thread checks again.",
    },
    Challenge {
        id: "barrier-orders",
        title: "Prove the barrier orders the phases",
        program: "barrier-phases",
        task: "Prove that each thread always sees the other's phase-one write.",
        goal: Goal::AlwaysGood,
        hint: "Explore all.",
        teaches: "No thread passes a barrier until all have arrived, so everything before it in every thread \
                  happens before anything after it in any thread.",
    },
    Challenge {
        id: "barrier-stuck",
        title: "Strand a thread at the barrier",
        program: "barrier-deadlock",
        task: "Run the workers until one waits at the barrier for ever.",
        goal: Goal::Deadlock,
        hint: "Any schedule will do: count the arrivals.",
        teaches: "A barrier for N needs N arrivals in every round: threads that do different numbers of rounds \
                  leave one waiting for ever.",
    },
    Challenge {
        id: "store-buffering",
        title: "Both threads read 0",
        program: "store-buffering",
        task: "Each thread writes 1, then reads the other's variable. Reach a = 0 and b = 0.",
        goal: Goal::Outcome("a == 0 && b == 0"),
        hint: "Keep both first writes in their store buffers (do not flush them) while both threads read.",
        teaches: "Under TSO a write waits in its thread's store buffer, and a later read of another variable \
                  goes ahead of it: the outcome no interleaving of the program could give.",
    },
    Challenge {
        id: "fences-forbid",
        title: "Prove the fences work",
        program: "store-buffering-fenced",
        task: "Prove that with a fence after each first write, no schedule ends with a = 0 and b = 0.",
        goal: Goal::Never("a == 0 && b == 0"),
        hint: "Try to hold a write back past the fence, then run Explore all.",
        teaches: "A fence waits until the thread's store buffer has drained, so its write is in memory before \
                  its read: x86's `mfence`, or what a SeqCst store compiles to.",
    },
    Challenge {
        id: "one-fence",
        title: "Is one fence enough?",
        program: "store-buffering-one-fence",
        task: "Only thread A has a fence. Can a = 0 and b = 0 still happen? Reach it, or prove it cannot.",
        goal: Goal::Decide("a == 0 && b == 0"),
        hint: "Let B read x before A writes it, and keep B's write in its buffer.",
        teaches: "A fence orders only its own thread's accesses: both sides of the store-buffering pattern \
                  need one.",
    },
    Challenge {
        id: "message-passing",
        title: "Can the reader see the flag without the data?",
        program: "message-passing",
        task: "Can the reader see flag = 1 yet data = 0? Reach it, or prove it cannot.",
        goal: Goal::Decide("sawflag == 1 && sawdata == 0"),
        hint: "Store buffers are first in, first out.",
        teaches: "Under TSO one thread's writes reach memory in order, so message passing works with plain \
                  writes and reads. ARM and RISC-V allow more reordering: there it needs a Release write and \
                  an Acquire read.",
    },
    Challenge {
        id: "break-peterson",
        title: "Break Peterson's algorithm",
        program: "peterson-tso",
        task: "On x86's memory model, make both threads enter the critical section, so count ends at 1.",
        goal: Goal::Outcome("count == 1"),
        hint: "Hold back two flushes: keep each thread's flag in its store buffer while both read the other's.",
        teaches: "Peterson's algorithm needs each thread's write of its flag to be seen before it reads the \
                  other's, the one reordering TSO allows. Proofs made under sequential consistency do not \
                  carry over to real hardware.",
    },
    Challenge {
        id: "mend-peterson",
        title: "Prove the fence mends Peterson",
        program: "peterson-fence",
        task: "With a fence after each thread's writes, prove that no schedule ends with count = 1.",
        goal: Goal::Never("count == 1"),
        hint: "Explore all.",
        teaches: "One fence per thread, between its writes and its reads, restores mutual exclusion on x86. \
                  In Rust or C++, SeqCst atomics give the same guarantee on every architecture.",
    },
];

/// Whether `state` of `machine` reaches `goal` by hand (a goal is only reached where a schedule ends).
pub fn is_solved(goal: &Goal, machine: &Machine, state: &State) -> bool {
    match (goal, machine.status(state)) {
        (Goal::Outcome(cond) | Goal::Decide(cond), Status::Complete { .. }) => {
            machine.condition_holds(cond, state).unwrap_or(false)
        }
        (Goal::Bad, Status::Complete { bad }) => bad,
        (Goal::Deadlock, Status::Deadlock) => true,
        (Goal::Error, Status::Error { .. }) => true,
        _ => false,
    }
}

/// Whether `report`, an exploration of every schedule of `machine`'s program, proves `goal`.
pub fn is_proved(goal: &Goal, machine: &Machine, report: &Report) -> bool {
    let never = |cond: &str| {
        !report.outcomes.iter().any(|o| machine.values_satisfy(cond, &o.values).unwrap_or(true))
    };
    match goal {
        Goal::Never(cond) | Goal::Decide(cond) => never(cond),
        Goal::AlwaysGood => !report.reachable.bad && !report.reachable.deadlock && !report.reachable.error,
        _ => false,
    }
}
