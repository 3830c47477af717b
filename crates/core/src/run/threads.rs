//! Runs a [`Job`] "at k threads" on a shared pool that has more workers, without building a pool.
//!
//! Implementation note: the browser's rayon pool can be built only once, with every worker, so
//! "k threads" cannot mean "a pool of k". Instead [`run_with_threads`] starts exactly k rayon
//! tasks in one `rayon::scope`; each task takes the next slice index from a shared atomic counter
//! until none are left. A task runs on one pool thread from start to end (the slices never call
//! back into rayon), so at most k threads ever compute, and the counter balances the load among
//! them. The thread indices that ran slices are recorded so tests (and the page) can check it.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::run::jobs::{Job, JobError, Progress};

/// What "k threads" means, in words for the page.
pub const K_THREADS_EXPLANATION: &str = "“k threads” means exactly k workers: the run starts k \
tasks on the shared pool, and each task takes the next slice from a shared counter until none are \
left. So at most k threads compute at once, however many the pool has, and a thread that finishes \
its slice early simply takes another.";

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
}

/// Runs `job` with at most `k` threads computing at once (`k` is raised to 1), blocking the
/// calling thread; parts are combined in slice order, so the output equals a sequential run.
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
    let k = k.max(1);
    let (len, slice_len) = (job.len(), job.slice_len().max(1));
    let count = len.div_ceil(slice_len);
    let next = AtomicU64::new(0);
    // One entry per task, pushed once when the task ends: (thread index, [(slice index, part)]).
    type Report<P> = (Option<usize>, Vec<(u64, P)>);
    let reports: Mutex<Vec<Report<J::Part>>> = Mutex::new(Vec::with_capacity(k));

    rayon::scope(|scope| {
        for _ in 0..k {
            scope.spawn(|_| {
                let mut parts = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= count {
                        break;
                    }
                    let start = index * slice_len;
                    match run_slice(&**job, start..(start + slice_len).min(len), progress) {
                        Ok(part) => parts.push((index, part)),
                        Err(_) => break,
                    }
                }
                let thread = rayon::current_thread_index();
                reports.lock().unwrap_or_else(|e| e.into_inner()).push((thread, parts));
            });
        }
    });

    if progress.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    let mut threads = BTreeSet::new();
    let mut slices_by_thread = BTreeMap::new();
    let mut parts = Vec::with_capacity(count as usize);
    for (thread, task_parts) in reports.into_inner().unwrap_or_else(|e| e.into_inner()) {
        if let (Some(t), false) = (thread, task_parts.is_empty()) {
            threads.insert(t);
            *slices_by_thread.entry(t).or_insert(0) += task_parts.len() as u64;
        }
        parts.extend(task_parts);
    }
    if parts.len() as u64 != count {
        return Err(JobError::Lost);
    }
    parts.sort_unstable_by_key(|(index, _)| *index);
    let part = parts.into_iter().fold(job.identity(), |acc, (_, part)| job.combine(acc, part));
    Ok(ThreadedRun { output: job.finish(part), tasks: k, threads, slices_by_thread })
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
