//! The race lab: k threads increment one shared counter m times each, with five ways of sharing it,
//! one of them wrong.
//!
//! Implementation note: the k workers are k rayon tasks in one `rayon::scope`, held at a start
//! gate until all have started (or briefly, if the pool has fewer threads than k) so that they
//! really overlap. The racy strategy is safe Rust — an `AtomicU64` read with one `load` and
//! written with a separate `store` — so its lost updates are real, yet never undefined behaviour.
//! The mutex is `std::sync::Mutex`: on a web worker it may block (`Atomics.wait`), which workers
//! may do; the browser's main thread never runs this (the page calls it through
//! [`crate::run::jobs::spawn_task`]), so no spin lock is needed. A page without workers runs the
//! same increments on its one thread, in slices, as the job [`OneThreadRace`].

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::Mutex;

use crate::numbers::round1;
use crate::run::jobs::{Job, JobError, Progress};

/// Why one thread never loses an update, in words for the page.
pub const ONE_THREAD_LOSES_NOTHING: &str = "With one thread, even the racy counter is exact: each \
increment reads the counter and writes it back before the next one starts, and nobody else writes \
in between. An update is lost only when two threads read the same old value and both write back \
that value plus one — a race needs at least two runners.";

/// How the workers share the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Read with `load`, write with a separate `store`: increments can overwrite each other.
    Racy,
    /// One indivisible `fetch_add` per increment.
    Atomic,
    /// A lock around each read-and-write.
    Mutex,
    /// Each worker counts privately; the counts are added once at the end.
    LocalThenCombine,
    /// Each worker sends its count as a message to one owner, the only one who adds.
    Messages,
}

impl Strategy {
    /// Every strategy, in the page's order.
    pub const ALL: [Strategy; 5] =
        [Strategy::Racy, Strategy::Atomic, Strategy::Mutex, Strategy::LocalThenCombine, Strategy::Messages];

    /// Name for the page.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Racy => "Racy read-then-write",
            Strategy::Atomic => "Atomic add",
            Strategy::Mutex => "Mutex",
            Strategy::LocalThenCombine => "Local counts, combined",
            Strategy::Messages => "Messages to an owner",
        }
    }
    /// Stable id, as in the JSON of a try.
    pub fn id(self) -> &'static str {
        match self {
            Strategy::Racy => "racy",
            Strategy::Atomic => "atomic",
            Strategy::Mutex => "mutex",
            Strategy::LocalThenCombine => "local_then_combine",
            Strategy::Messages => "messages",
        }
    }
    /// The strategy with this [`Strategy::id`].
    pub fn from_id(id: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.id() == id)
    }
    /// One sentence on what the strategy does and whether it can lose updates.
    pub fn explain(self) -> &'static str {
        match self {
            Strategy::Racy => "Two threads can read the same value; both write it plus one, and one increment vanishes.",
            Strategy::Atomic => "The hardware does read-add-write as one step, so no increment can slip in between; threads still fight over one cache line.",
            Strategy::Mutex => "Only the thread holding the lock may read and write, so nothing is lost — but the threads take turns, and turns cost time.",
            Strategy::LocalThenCombine => "Nothing is shared while counting; k additions at the end are all that touch shared state.",
            Strategy::Messages => "No counter is shared at all: one owner adds up the counts it receives, so there is no one to race with.",
        }
    }
}

/// What a race run counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaceOutcome {
    /// `threads × increments`: what the counter should read.
    pub expected: u64,
    /// What it read.
    pub actual: u64,
    /// Increments that vanished: `expected − actual`.
    pub lost: u64,
}

impl RaceOutcome {
    fn counted(expected: u64, actual: u64) -> Self {
        RaceOutcome { expected, actual, lost: expected.saturating_sub(actual) }
    }
}

/// One timed try, as the page records and exports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaceTry {
    /// How the counter was shared.
    pub strategy: Strategy,
    /// Workers.
    pub threads: usize,
    /// Increments by each worker.
    pub increments_per_thread: u64,
    /// What the counter should read.
    pub expected: u64,
    /// What it read.
    pub actual: u64,
    /// Increments that vanished.
    pub lost: u64,
    /// Wall time of the whole run, in ms, by the caller's clock.
    pub wall_ms: f64,
}

impl RaceTry {
    /// The try of `threads` workers making `increments` each, which counted `outcome` in
    /// `wall_ms` (kept to 0.1 ms, as the page shows and publishes it).
    pub fn new(strategy: Strategy, threads: usize, increments: u64, outcome: RaceOutcome, wall_ms: f64) -> Self {
        RaceTry {
            strategy,
            threads,
            increments_per_thread: increments,
            expected: outcome.expected,
            actual: outcome.actual,
            lost: outcome.lost,
            wall_ms: round1(wall_ms),
        }
    }
}

/// Holds k workers until all that can run at once have started, so that they overlap; gives up
/// after a bounded spin when a pool thread is busy elsewhere (it must not wait for a task that
/// has no thread).
// Why wait for `min(k, pool threads)` and spin this long: an idle pool thread sleeps, and waking
// one takes from microseconds natively to a millisecond or more on a web worker — longer than a
// short spin, and longer than one worker needs for 100,000 increments. A gate that gave up
// first would let the workers run one after another, and the racy counter would never race.
// More workers than threads cannot all start at once; waiting for them would only waste the spin.
pub(crate) struct StartGate {
    started: AtomicUsize,
    expected: usize,
}

impl StartGate {
    /// Spins a worker waits at most: tens of milliseconds, only if a thread never comes.
    const SPINS: u32 = 50_000_000;

    /// A gate for `workers` workers, on the current rayon pool.
    pub(crate) fn new(workers: usize) -> Self {
        Self { started: AtomicUsize::new(0), expected: workers.min(rayon::current_num_threads()) }
    }
    /// Counts this worker in, then waits (bounded) for the others.
    pub(crate) fn arrive_and_wait(&self) {
        self.started.fetch_add(1, Ordering::SeqCst);
        let mut spins = 0;
        while self.started.load(Ordering::SeqCst) < self.expected && spins < Self::SPINS {
            std::hint::spin_loop();
            spins += 1;
        }
    }
}

/// Increments a worker does between two looks at its [`Progress`]: rare enough not to disturb the
/// race, often enough to stop within a millisecond or so.
const CHUNK: u64 = 1 << 12;

/// Calls `body(n)` for chunks of `n` increments adding up to `increments`, counting each in
/// `progress` and stopping early once it is cancelled.
fn in_chunks(increments: u64, progress: &Progress, mut body: impl FnMut(u64)) {
    let mut left = increments;
    while left > 0 && !progress.is_cancelled() {
        let n = left.min(CHUNK);
        body(n);
        progress.add(n);
        left -= n;
    }
}

/// Adds `n` to `counter` one increment at a time, reading and writing separately: the racy way.
#[inline]
fn add_racy(counter: &AtomicU64, n: u64) {
    for _ in 0..n {
        // The bug on purpose: another thread may store between these two.
        let value = counter.load(Ordering::Relaxed);
        counter.store(value + 1, Ordering::Relaxed);
    }
}

/// Adds `n` to `counter` one indivisible `fetch_add` at a time.
#[inline]
fn add_atomic(counter: &AtomicU64, n: u64) {
    for _ in 0..n {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Adds `n` to `counter` one increment at a time, each under the lock.
#[inline]
fn add_locked(counter: &Mutex<u64>, n: u64) {
    for _ in 0..n {
        *counter.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    }
}

/// Runs `k` threads at once (each waits at the start gate), each making `increments` increments
/// in chunks through `add`, which adds `n` to the shared counter in its strategy's own way.
fn on_each_thread(k: usize, gate: &(dyn Fn() + Sync), increments: u64, progress: &Progress, add: impl Fn(u64) + Sync) {
    rayon::scope(|s| {
        for _ in 0..k {
            s.spawn(|_| {
                gate();
                in_chunks(increments, progress, &add);
            });
        }
    });
}

/// Runs the race: `threads` threads each increment one counter `increments` times, sharing it
/// the `strategy` way, reporting increments done to `progress` (out of `threads × increments`) and
/// stopping early, with [`JobError::Cancelled`], when it is cancelled.
pub fn run_race_with(
    strategy: Strategy,
    threads: usize,
    increments: u64,
    progress: &Progress,
) -> Result<RaceOutcome, JobError> {
    let k = threads.max(1);
    let start_gate = StartGate::new(k);
    let gate = || start_gate.arrive_and_wait();
    let gate = &gate;

    let actual = match strategy {
        Strategy::Racy => {
            let counter = AtomicU64::new(0);
            on_each_thread(k, gate, increments, progress, |n| add_racy(&counter, n));
            counter.into_inner()
        }
        Strategy::Atomic => {
            let counter = AtomicU64::new(0);
            on_each_thread(k, gate, increments, progress, |n| add_atomic(&counter, n));
            counter.into_inner()
        }
        Strategy::Mutex => {
            let counter = Mutex::new(0u64);
            on_each_thread(k, gate, increments, progress, |n| add_locked(&counter, n));
            counter.into_inner().unwrap_or_else(|e| e.into_inner())
        }
        Strategy::LocalThenCombine => {
            let slots: Vec<AtomicU64> = (0..k).map(|_| AtomicU64::new(0)).collect();
            rayon::scope(|s| {
                for slot in &slots {
                    s.spawn(move |_| {
                        gate();
                        let mut local = 0;
                        in_chunks(increments, progress, |n| local += count_privately(n));
                        slot.store(local, Ordering::Relaxed);
                    });
                }
            });
            slots.into_iter().map(AtomicU64::into_inner).sum()
        }
        Strategy::Messages => {
            let (tx, rx) = mpsc::channel::<u64>();
            let mut total = 0;
            rayon::scope(|s| {
                for _ in 0..k {
                    let tx = tx.clone();
                    s.spawn(move |_| {
                        gate();
                        let mut local = 0;
                        in_chunks(increments, progress, |n| local += count_privately(n));
                        let _ = tx.send(local);
                    });
                }
                drop(tx);
                // The owner: the only one who touches `total`.
                receive_all(rx, |count| total += count);
            });
            total
        }
    };
    if progress.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    Ok(RaceOutcome::counted(k as u64 * increments, actual))
}

/// [`run_race_with`], timed with the caller's clock (ms): the try the page runs on its pool.
/// Blocks the calling thread; call it from a pool thread.
pub fn run_race_timed(
    strategy: Strategy,
    threads: usize,
    increments: u64,
    progress: &Progress,
    now: impl Fn() -> f64,
) -> Result<RaceTry, JobError> {
    let start = now();
    let outcome = run_race_with(strategy, threads, increments, progress)?;
    Ok(RaceTry::new(strategy, threads.max(1), increments, outcome, now() - start))
}

/// Increments per slice when one thread runs the race in slices: about a millisecond of the
/// slowest way, so the page checks its clock often enough to yield in time.
const SLICE_ON_ONE_THREAD: u64 = 1 << 16;

/// The race on one thread, as a [`Job`] of `increments` units, for a page without workers: the
/// same increments in the same way as [`run_race_with`], in slices between which the page can
/// yield. One thread cannot race with itself, so nothing is lost ([`ONE_THREAD_LOSES_NOTHING`]).
#[derive(Debug)]
pub struct OneThreadRace {
    strategy: Strategy,
    increments: u64,
    shared: AtomicU64,
    locked: Mutex<u64>,
}

impl OneThreadRace {
    /// One worker making `increments` increments, shared by `strategy`.
    pub fn new(strategy: Strategy, increments: u64) -> Self {
        Self { strategy, increments, shared: AtomicU64::new(0), locked: Mutex::new(0) }
    }
}

impl Job for OneThreadRace {
    /// The private count of the slice (0 for the ways that add to the shared counter).
    type Part = u64;
    type Output = RaceOutcome;

    fn len(&self) -> u64 {
        self.increments
    }
    fn slice_len(&self) -> u64 {
        SLICE_ON_ONE_THREAD
    }
    fn run(&self, range: std::ops::Range<u64>) -> u64 {
        let n = range.end - range.start;
        match self.strategy {
            Strategy::Racy => add_racy(&self.shared, n),
            Strategy::Atomic => add_atomic(&self.shared, n),
            Strategy::Mutex => add_locked(&self.locked, n),
            Strategy::LocalThenCombine | Strategy::Messages => return count_privately(n),
        }
        0
    }
    fn identity(&self) -> u64 {
        0
    }
    fn combine(&self, a: u64, b: u64) -> u64 {
        a + b
    }
    fn finish(&self, local: u64) -> RaceOutcome {
        let actual = match self.strategy {
            Strategy::Racy | Strategy::Atomic => self.shared.load(Ordering::Relaxed),
            Strategy::Mutex => *self.locked.lock().unwrap_or_else(|e| e.into_inner()),
            Strategy::LocalThenCombine => local,
            Strategy::Messages => {
                let (tx, rx) = mpsc::channel::<u64>();
                let _ = tx.send(local);
                drop(tx);
                let mut total = 0;
                receive_all(rx, |count| total += count);
                total
            }
        };
        RaceOutcome::counted(self.increments, actual)
    }
}

/// Adds 1 `increments` times to a private count (kept a real loop, as in the shared strategies).
fn count_privately(increments: u64) -> u64 {
    let mut local = 0u64;
    for _ in 0..increments {
        local = std::hint::black_box(local) + 1;
    }
    local
}

/// Receives every message until all senders are gone, on a pool thread, without blocking it.
// Why not `for m in rx`: if the pool has one free thread and it blocks here, the senders queued
// behind it never run. Polling, and running pending rayon tasks while the inbox is empty, keeps
// every pool size deadlock-free. (No `recv_timeout`: it reads `Instant`, absent on wasm.)
pub(crate) fn receive_all<T>(rx: Receiver<T>, mut handle: impl FnMut(T)) {
    loop {
        match rx.try_recv() {
            Ok(message) => handle(message),
            Err(TryRecvError::Disconnected) => return,
            Err(TryRecvError::Empty) => match rayon::yield_now() {
                Some(rayon::Yield::Executed) => {}
                _ => std::hint::spin_loop(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap()
    }

    // Every increment is counted in the progress, and a cancelled run says so.
    #[test]
    fn progress_and_cancel() {
        for strategy in Strategy::ALL {
            let progress = Progress::new(3 * 10_000);
            let outcome = pool(2).install(|| run_race_with(strategy, 3, 10_000, &progress)).unwrap();
            assert_eq!(outcome.expected, 30_000);
            assert_eq!(progress.done(), 30_000, "{}", strategy.name());
            let progress = Progress::new(2 * 10_000);
            progress.cancel();
            let result = pool(2).install(|| run_race_with(strategy, 2, 10_000, &progress));
            assert_eq!(result, Err(JobError::Cancelled));
            assert_eq!(progress.done(), 0);
        }
    }

    // The wall time of a try is kept to 0.1 ms, and lost counts what is missing.
    #[test]
    fn try_rounds_its_time() {
        let outcome = RaceOutcome::counted(100, 97);
        let tried = RaceTry::new(Strategy::Racy, 2, 50, outcome, 12.345_6);
        assert_eq!((tried.wall_ms, tried.lost, tried.increments_per_thread), (12.3, 3, 50));
    }
}
