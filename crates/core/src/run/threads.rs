//! Runs a [`Job`] "at k threads" on a shared pool that has more workers, without building a pool;
//! optionally with one lock held around every slice (like CPython's GIL), and optionally recorded
//! as a timeline.
//!
//! Implementation note: the browser's rayon pool can be built only once, with every worker, so
//! "k threads" cannot mean "a pool of k". Instead [`run_threads`] starts exactly k rayon tasks in
//! one `rayon::scope`; each task takes the next slice index from a shared atomic counter until
//! none are left. A task runs on one pool thread from start to end (the slices never call back
//! into rayon), so at most k threads ever compute, and the counter balances the load among them.
//! The thread indices that ran slices are recorded so tests (and the page) can check it. The
//! tasks are spawned by the thread that starts the run: a task another worker runs was stolen
//! from it (rayon's work stealing), and its timeline says so on the task's first slice; the
//! slices themselves are handed out by the counter, never stolen. Each task records its slices
//! into a [`Recorder`] of its own, handed over when it ends, as its parts are. Under
//! [`Lock::Global`] each slice is computed while holding one [`TurnLock`]: the slice's times are
//! read inside it, so no two slices' bars can overlap.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use crate::run::jobs::{Job, JobError, Progress};
use crate::run::timeline::{Clock, Recorder, Span, SPANS_PER_TASK};

/// What "k threads" means, in words for the page.
pub const K_THREADS_EXPLANATION: &str = "“k threads” means exactly k workers: the run starts k \
tasks on the shared pool, and each task takes the next slice from a shared counter until none are \
left. So at most k threads compute at once, however many the pool has, and a thread that finishes \
its slice early simply takes another.";

/// Whether the threads of a run share one lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Lock {
    /// Each thread computes its slices when it likes: the threads compute at once.
    #[default]
    Free,
    /// One global lock, held while computing each slice (like CPython's GIL): one thread
    /// computes at a time, and the lock is handed to the waiting threads in turn.
    Global,
}

impl Lock {
    /// Its id, for a form field and for `data-result`: `free` or `global`.
    pub fn id(self) -> &'static str {
        match self {
            Lock::Free => "free",
            Lock::Global => "global",
        }
    }
}

/// How a run at k threads is made.
#[derive(Clone, Copy)]
pub struct Threads<'a> {
    /// Tasks started (raised to 1): at most this many threads compute.
    pub k: usize,
    /// Whether one lock is held around every slice.
    pub lock: Lock,
    /// The clock a timeline is recorded with (ms); `None`: no timeline.
    pub record: Option<Clock<'a>>,
}

impl Threads<'_> {
    /// `k` threads, no lock, no timeline.
    pub fn free(k: usize) -> Self {
        Threads { k, lock: Lock::Free, record: None }
    }
}

/// The output of a job run at k threads, with who did the work.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadedRun<O> {
    /// What the job produced.
    pub output: O,
    /// Number of tasks started (the k asked for, at least 1).
    pub tasks: usize,
    /// Distinct rayon thread indices that ran at least one slice (never more than `tasks`).
    pub threads: BTreeSet<usize>,
    /// Slices run by each thread index, to show how the counter shared the load.
    pub slices_by_thread: BTreeMap<usize, u64>,
    /// Every slice's span (its worker, index and times), when the run was recorded; else empty.
    pub spans: Vec<Span>,
}

/// Runs `job` with at most `k` threads computing at once (`k` is raised to 1), blocking the
/// calling thread; parts are combined in slice order, so the output equals a sequential run.
/// The same as [`run_threads`] with [`Threads::free`].
///
/// “k threads” means exactly k workers: the run starts k tasks on the shared pool, and each task
/// takes the next slice from a shared counter until none are left. So at most k threads compute
/// at once, however many the pool has (fewer, if the pool has fewer than k), and a thread that
/// finishes its slice early simply takes another. This is [`K_THREADS_EXPLANATION`].
///
/// Progress is counted per slice and cancellation is checked before each slice. Call it from a
/// pool thread (for example through [`crate::run::jobs::spawn_task`]) or natively, never from a
/// browser's main thread.
pub fn run_with_threads<J>(job: &Arc<J>, k: usize, progress: &Progress) -> Result<ThreadedRun<J::Output>, JobError>
where
    J: Job,
    J::Part: 'static,
{
    run_threads(job, Threads::free(k), progress)
}

/// Runs `job` as `how` says: at most `how.k` threads computing (see [`run_with_threads`]), each
/// slice under one shared lock if `how.lock` is [`Lock::Global`], and every slice's start and end
/// recorded with `how.record`'s clock if there is one (read just inside the lock, when there is
/// one). Blocks the calling thread; call it from a pool thread.
pub fn run_threads<J>(job: &Arc<J>, how: Threads<'_>, progress: &Progress) -> Result<ThreadedRun<J::Output>, JobError>
where
    J: Job,
    J::Part: 'static,
{
    let k = how.k.max(1);
    let (len, slice_len) = (job.len(), job.slice_len().max(1));
    let count = len.div_ceil(slice_len);
    let next = AtomicU64::new(0);
    let lock = (how.lock == Lock::Global).then(TurnLock::default);
    let spawner = rayon::current_thread_index();
    // One entry per task, pushed once when the task ends: (thread index, [(slice index, part)], spans).
    type Report<P> = (Option<usize>, Vec<(u64, P)>, Vec<Span>);
    let reports: Mutex<Vec<Report<J::Part>>> = Mutex::new(Vec::with_capacity(k));

    rayon::scope(|scope| {
        for _ in 0..k {
            scope.spawn(|_| {
                let thread = rayon::current_thread_index();
                let mut parts = Vec::new();
                let expected = usize::try_from(count).unwrap_or(usize::MAX);
                let mut recorder = how.record.map(|_| Recorder::new(thread, SPANS_PER_TASK, expected));
                // The first slice a task runs on another worker than the one that spawned it
                // begins stolen work.
                let mut stolen_from = spawner.filter(|&s| Some(s) != thread);
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= count {
                        break;
                    }
                    let start = index * slice_len;
                    let _turn = lock.as_ref().map(TurnLock::lock);
                    let began = how.record.map(|now| now());
                    let part = run_slice(&**job, start..(start + slice_len).min(len), progress);
                    if let (Some(now), Some(began), Some(recorder), Ok(_)) = (how.record, began, recorder.as_mut(), &part) {
                        recorder.chunk(index, began, now(), stolen_from.take());
                    }
                    match part {
                        Ok(part) => parts.push((index, part)),
                        Err(_) => break,
                    }
                }
                let spans = recorder.map(Recorder::into_spans).unwrap_or_default();
                reports.lock().unwrap_or_else(|e| e.into_inner()).push((thread, parts, spans));
            });
        }
    });

    if progress.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    let mut threads = BTreeSet::new();
    let mut slices_by_thread = BTreeMap::new();
    let mut parts = Vec::with_capacity(count as usize);
    let mut spans = Vec::new();
    for (thread, task_parts, task_spans) in reports.into_inner().unwrap_or_else(|e| e.into_inner()) {
        if let (Some(t), false) = (thread, task_parts.is_empty()) {
            threads.insert(t);
            *slices_by_thread.entry(t).or_insert(0) += task_parts.len() as u64;
        }
        parts.extend(task_parts);
        spans.extend(task_spans);
    }
    if parts.len() as u64 != count {
        return Err(JobError::Lost);
    }
    parts.sort_unstable_by_key(|(index, _)| *index);
    let part = parts.into_iter().fold(job.identity(), |acc, (_, part)| job.combine(acc, part));
    Ok(ThreadedRun { output: job.finish(part), tasks: k, threads, slices_by_thread, spans })
}

/// One lock handed to its waiters in the order they asked (a ticket lock): a thread that lets it
/// go and asks again queues behind the others, so the threads take turns, as CPython's GIL makes
/// them (there, a thread that has waited a switch interval asks the holder to let go, and the
/// holder then waits until another thread has taken it).
// Why: with a plain `Mutex` the thread that just let go usually takes it again before a waiter
// has woken up, and one thread would compute long stretches while the others only wait. The
// ticket is taken with one atomic add, which never blocks, so a thread's place in the queue is
// fixed the moment it asks (were it taken under the mutex, a thread stalled on that mutex would
// have no place yet, and the one that just let go could take its turn again and again).
#[derive(Debug, Default)]
struct TurnLock {
    /// The next ticket to hand out.
    next: AtomicU64,
    /// The ticket being served.
    serving: Mutex<u64>,
    turn: Condvar,
}

impl TurnLock {
    /// Waits for this thread's turn; the turn ends when the guard is dropped.
    fn lock(&self) -> Turn<'_> {
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        let mut serving = self.serving.lock().unwrap_or_else(|e| e.into_inner());
        while *serving != ticket {
            serving = self.turn.wait(serving).unwrap_or_else(|e| e.into_inner());
        }
        Turn(self)
    }
}

/// A thread's turn with a [`TurnLock`].
struct Turn<'a>(&'a TurnLock);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.0.serving.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.turn.notify_all();
    }
}

/// Runs `job` slice by slice on the calling thread, in order: the reference answer that parallel
/// runs must equal.
pub fn run_sequential<J: Job>(job: &J) -> J::Output {
    let (len, slice_len) = (job.len(), job.slice_len().max(1));
    let part = (0..len.div_ceil(slice_len)).fold(job.identity(), |acc, index| {
        let start = index * slice_len;
        let part = job.run(start..(start + slice_len).min(len));
        job.combine(acc, part)
    });
    job.finish(part)
}

/// Runs one slice on this thread, counting it in `progress`; refuses to start once cancelled.
fn run_slice<J: Job>(job: &J, range: Range<u64>, progress: &Progress) -> Result<J::Part, JobError> {
    if progress.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    let units = range.end - range.start;
    let part = job.run(range);
    progress.add(units);
    Ok(part)
}
