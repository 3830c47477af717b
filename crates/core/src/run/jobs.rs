//! Runs CPU-bound jobs without blocking the caller: on the rayon pool, or slice by slice.
//!
//! Implementation note: a [`Job`] is a range of work units `0..len` that can be cut into
//! slices, run independently and combined. That one description serves both ways of running it:
//! [`spawn_on_pool`] hands the whole job to rayon and returns a future (the caller awaits, never
//! blocks), and [`Sliced`] runs it a slice at a time so a single-threaded caller can yield to its
//! event loop between slices. Both report through a shared [`Progress`] and stop early when it is
//! cancelled. Most jobs add up a `u64` per slice (a count or a checksum): they say only how to
//! sum a range, as a [`SumJob`], and are jobs through it.

use std::future::Future;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::run::timeline::{Recorder, Span, SPANS_PER_TASK};

/// A divisible piece of CPU-bound work over the units `0..len()`.
pub trait Job: Send + Sync + 'static {
    /// What one slice produces, before combining.
    type Part: Send;
    /// What the whole job produces.
    type Output: Send + 'static;

    /// Number of work units.
    fn len(&self) -> u64;
    /// Work units per slice: the grain of progress, cancellation and yielding.
    fn slice_len(&self) -> u64 {
        (self.len() / 256).max(1)
    }
    /// Runs the units in `range` (a sub-range of `0..len()`).
    fn run(&self, range: Range<u64>) -> Self::Part;
    /// The part of an empty range.
    fn identity(&self) -> Self::Part;
    /// Combines two parts; `a` covers units before `b`.
    fn combine(&self, a: Self::Part, b: Self::Part) -> Self::Part;
    /// Turns the combined part of all units into the output.
    fn finish(&self, part: Self::Part) -> Self::Output;
}

/// A [`Job`] whose output is the wrapping sum of one `u64` per slice: a count, or a checksum that
/// is the same however the units are split. Every `SumJob` is a `Job`.
pub trait SumJob: Send + Sync + 'static {
    /// Number of work units.
    fn len(&self) -> u64;
    /// Work units per slice, as [`Job::slice_len`].
    fn slice_len(&self) -> u64 {
        (self.len() / 256).max(1)
    }
    /// The sum of the units in `range` (a sub-range of `0..len()`).
    fn sum(&self, range: Range<u64>) -> u64;
}

impl<S: SumJob> Job for S {
    type Part = u64;
    type Output = u64;

    fn len(&self) -> u64 {
        SumJob::len(self)
    }
    fn slice_len(&self) -> u64 {
        SumJob::slice_len(self)
    }
    fn run(&self, range: Range<u64>) -> u64 {
        self.sum(range)
    }
    fn identity(&self) -> u64 {
        0
    }
    fn combine(&self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    fn finish(&self, part: u64) -> u64 {
        part
    }
}

/// Why a job produced no output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// The job was cancelled through its [`Progress`].
    Cancelled,
    /// The pool dropped the job without an answer (a panic in a worker).
    Lost,
    /// A worker thread stopped, with this message, while the job was on the pool (see
    /// [`abandon_all`]).
    Stopped(String),
    /// The memory the job needs could not be had: this many bytes were asked for.
    NoMemory {
        /// Bytes asked for.
        bytes: usize,
    },
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobError::Cancelled => f.write_str("cancelled"),
            JobError::Lost => f.write_str("the worker stopped without an answer"),
            JobError::Stopped(why) => write!(f, "a worker thread stopped ({why})"),
            JobError::NoMemory { bytes } => write!(
                f,
                "this device could not give the page the {} MB the run needs (a smaller size needs less; closing other tabs may help)",
                bytes.div_ceil(1 << 20)
            ),
        }
    }
}

/// Shared progress and cancellation flag of one job run; safe to read from any thread.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
}

impl Progress {
    /// A fresh progress record for `total` units.
    pub fn new(total: u64) -> Arc<Self> {
        Arc::new(Self { total: AtomicU64::new(total), ..Self::default() })
    }
    /// Units finished so far.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
    /// Units in the whole job.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
    /// Finished share in `0.0..=1.0`.
    pub fn fraction(&self) -> f64 {
        match self.total() {
            0 => 1.0,
            t => self.done() as f64 / t as f64,
        }
    }
    /// Asks the job to stop at its next slice boundary.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
    /// Whether [`Progress::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
    /// Counts `units` more as finished (for runners outside this module, such as the lab's).
    pub fn add(&self, units: u64) {
        self.done.fetch_add(units, Ordering::Relaxed);
    }
}

fn slice_range(len: u64, slice_len: u64, index: u64) -> Range<u64> {
    let start = index * slice_len;
    start..(start + slice_len).min(len)
}

fn slice_count(len: u64, slice_len: u64) -> u64 {
    len.div_ceil(slice_len.max(1))
}

/// Runs `job` on the current rayon pool, blocking the calling thread. Call it from a pool thread
/// (as [`spawn_on_pool`] does) or natively; never from a browser's main thread.
pub fn run_parallel<J: Job>(job: &J, progress: &Progress) -> Result<J::Output, JobError> {
    let (len, slice_len) = (job.len(), job.slice_len().max(1));
    let part = (0..slice_count(len, slice_len))
        .into_par_iter()
        .map(|i| {
            if progress.is_cancelled() {
                return None;
            }
            let range = slice_range(len, slice_len, i);
            let units = range.end - range.start;
            let part = job.run(range);
            progress.add(units);
            Some(part)
        })
        .try_reduce(|| job.identity(), |a, b| Some(job.combine(a, b)));
    match part {
        Some(part) if !progress.is_cancelled() => Ok(job.finish(part)),
        _ => Err(JobError::Cancelled),
    }
}

/// Hands `job` to the rayon pool and returns a future of its output. The caller is never
/// blocked: the work runs on pool threads, and the answer comes back over a oneshot channel.
pub fn spawn_on_pool<J: Job>(
    job: Arc<J>,
    progress: Arc<Progress>,
) -> impl Future<Output = Result<J::Output, JobError>> {
    let (answer, rx) = in_flight();
    rayon::spawn(move || answer.send(run_parallel(&*job, &progress)));
    async move { rx.await.unwrap_or(Err(JobError::Lost)) }
}

/// Hands a one-off closure to the rayon pool and returns a future of its result, for work that
/// is not a divisible [`Job`] (it may use rayon inside). The caller is never blocked.
pub fn spawn_task<T: Send + 'static>(
    task: impl FnOnce() -> T + Send + 'static,
) -> impl Future<Output = Result<T, JobError>> {
    let (answer, rx) = in_flight();
    rayon::spawn(move || answer.send(Ok(task())));
    async move { rx.await.unwrap_or(Err(JobError::Lost)) }
}

type Slot<T> = Arc<Mutex<Option<futures_channel::oneshot::Sender<Result<T, JobError>>>>>;

/// Where a job on the pool sends its answer; also known to [`abandon_all`] until it is sent.
struct Answer<T> {
    id: u64,
    slot: Slot<T>,
}

impl<T> Answer<T> {
    fn send(self, result: Result<T, JobError>) {
        IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner()).retain(|(id, _)| *id != self.id);
        if let Some(tx) = self.slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = tx.send(result);
        }
    }
}

/// Every job on the pool that has not answered yet: how to end it with an error.
type Abandon = Box<dyn FnOnce(JobError) + Send>;
static IN_FLIGHT: Mutex<Vec<(u64, Abandon)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn in_flight<T: Send + 'static>() -> (Answer<T>, futures_channel::oneshot::Receiver<Result<T, JobError>>) {
    let (tx, rx) = futures_channel::oneshot::channel();
    let slot: Slot<T> = Arc::new(Mutex::new(Some(tx)));
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let abandon = {
        let slot = slot.clone();
        Box::new(move |e: JobError| {
            if let Some(tx) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
                let _ = tx.send(Err(e));
            }
        }) as Abandon
    };
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner()).push((id, abandon));
    (Answer { id, slot }, rx)
}

/// Ends every job still on the pool with [`JobError::Stopped`]`(why)`, so that nobody waits
/// forever for an answer that will not come. For a worker that is about to stop (where a panic
/// aborts the thread, as in the browser, its job's answer is never sent). Jobs that go on running
/// elsewhere have their answers dropped.
pub fn abandon_all(why: &str) {
    let abandoned = std::mem::take(&mut *IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner()));
    for (_, abandon) in abandoned {
        abandon(JobError::Stopped(why.to_string()));
    }
}

/// Jobs on the pool that have not answered yet.
pub fn jobs_in_flight() -> usize {
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner()).len()
}

/// A job run one slice at a time on the calling thread, for callers without a pool.
pub struct Sliced<J: Job> {
    job: Arc<J>,
    progress: Arc<Progress>,
    next: u64,
    part: Option<J::Part>,
    /// The clock and the record of each slice's times, when asked for ([`Sliced::recorded`]).
    timeline: Option<(Box<dyn Fn() -> f64>, Recorder)>,
}

impl<J: Job> Sliced<J> {
    /// Prepares `job` to run in slices.
    pub fn new(job: Arc<J>, progress: Arc<Progress>) -> Self {
        let part = Some(job.identity());
        Self { job, progress, next: 0, part, timeline: None }
    }

    /// Records every slice's start and end with `now` (ms) as it runs, as the page's own
    /// thread's row of a timeline ([`Sliced::take_spans`]).
    pub fn recorded(mut self, now: impl Fn() -> f64 + 'static) -> Self {
        let count = usize::try_from(slice_count(self.job.len(), self.job.slice_len())).unwrap_or(usize::MAX);
        self.timeline = Some((Box::new(now), Recorder::new(None, SPANS_PER_TASK, count)));
        self
    }

    /// The slices recorded so far (none unless [`Sliced::recorded`]), handed over once.
    pub fn take_spans(&mut self) -> Vec<Span> {
        self.timeline.as_mut().map(|(_, r)| std::mem::replace(r, Recorder::new(None, SPANS_PER_TASK, 0)).into_spans()).unwrap_or_default()
    }

    /// Runs slices until the job is finished (`Some(result)`) or `should_yield` says to hand
    /// control back (`None`; call again later). At least one slice runs per call.
    pub fn run_until(&mut self, mut should_yield: impl FnMut() -> bool) -> Option<Result<J::Output, JobError>> {
        let (len, slice_len) = (self.job.len(), self.job.slice_len().max(1));
        let count = slice_count(len, slice_len);
        loop {
            if self.progress.is_cancelled() {
                return Some(Err(JobError::Cancelled));
            }
            if self.next >= count {
                let part = self.part.take().expect("a finished job is not run again");
                return Some(Ok(self.job.finish(part)));
            }
            let range = slice_range(len, slice_len, self.next);
            let units = range.end - range.start;
            let began = self.timeline.as_ref().map(|(now, _)| now());
            let piece = self.job.run(range);
            if let (Some((now, recorder)), Some(began)) = (self.timeline.as_mut(), began) {
                recorder.chunk(self.next, began, now(), None);
            }
            let acc = self.part.take().expect("part is present until finished");
            self.part = Some(self.job.combine(acc, piece));
            self.progress.add(units);
            self.next += 1;
            if self.next < count && should_yield() {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sums `0..n` and records which slices ran, in order.
    struct RangeSum(u64);
    impl Job for RangeSum {
        type Part = (u64, Vec<u64>);
        type Output = (u64, Vec<u64>);
        fn len(&self) -> u64 {
            self.0
        }
        fn slice_len(&self) -> u64 {
            10
        }
        fn run(&self, r: Range<u64>) -> Self::Part {
            (r.clone().sum(), vec![r.start])
        }
        fn identity(&self) -> Self::Part {
            (0, vec![])
        }
        fn combine(&self, mut a: Self::Part, b: Self::Part) -> Self::Part {
            a.1.extend(b.1);
            (a.0 + b.0, a.1)
        }
        fn finish(&self, p: Self::Part) -> Self::Output {
            p
        }
    }

    // Parallel and sliced runs give the sequential answer, combined in order, with full progress.
    #[test]
    fn parallel_and_sliced_agree_with_sequential() {
        let progress = Progress::new(105);
        let (sum, starts) = run_parallel(&RangeSum(105), &progress).unwrap();
        assert_eq!(sum, (0..105).sum::<u64>());
        assert_eq!(starts, (0..11).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(progress.done(), 105);

        let progress = Progress::new(105);
        let mut sliced = Sliced::new(Arc::new(RangeSum(105)), progress.clone());
        let mut calls = 0;
        let out = loop {
            calls += 1;
            if let Some(out) = sliced.run_until(|| true) {
                break out;
            }
            assert!(progress.fraction() < 1.0);
        };
        assert_eq!(out.unwrap().0, (0..105).sum::<u64>());
        assert_eq!(calls, 11, "one slice per call when the caller always yields");
        assert_eq!(progress.fraction(), 1.0);
    }

    // A cancelled job stops and says so, on the pool and in slices.
    #[test]
    fn cancellation_is_reported() {
        let progress = Progress::new(1000);
        progress.cancel();
        assert_eq!(run_parallel(&RangeSum(1000), &progress), Err(JobError::Cancelled));

        let progress = Progress::new(1000);
        let mut sliced = Sliced::new(Arc::new(RangeSum(1000)), progress.clone());
        assert!(sliced.run_until(|| true).is_none());
        progress.cancel();
        assert_eq!(sliced.run_until(|| false), Some(Err(JobError::Cancelled)));
        assert_eq!(progress.done(), 10);
    }

    // The future from spawn_on_pool resolves with the answer computed on pool threads.
    #[test]
    fn spawn_on_pool_resolves() {
        let progress = Progress::new(1000);
        let fut = spawn_on_pool(Arc::new(RangeSum(1000)), progress.clone());
        let (sum, _) = futures_executor::block_on(fut).unwrap();
        assert_eq!(sum, 499_500);
        assert_eq!(progress.done(), 1000);
    }

    // A one-off task runs on the pool and its result comes back through the future.
    #[test]
    fn spawn_task_resolves() {
        let out = futures_executor::block_on(spawn_task(|| rayon::current_thread_index().is_some()));
        assert_eq!(out, Ok(true));
    }

    /// Counts the even numbers below `n`, as a [`SumJob`].
    struct Evens(u64);
    impl SumJob for Evens {
        fn len(&self) -> u64 {
            self.0
        }
        fn sum(&self, range: Range<u64>) -> u64 {
            range.filter(|n| n % 2 == 0).count() as u64
        }
    }

    // A sum job is a job: its slices are summed, on the pool and in slices alike.
    #[test]
    fn sum_job_is_a_job() {
        let job = Evens(1_001);
        assert_eq!(Job::slice_len(&job), 3);
        assert_eq!(run_parallel(&job, &Progress::new(1_001)).unwrap(), 501);
        let mut sliced = Sliced::new(Arc::new(Evens(1_001)), Progress::new(1_001));
        assert_eq!(sliced.run_until(|| false), Some(Ok(501)));
    }

    // An empty job finishes at once with the identity.
    #[test]
    fn empty_job() {
        let progress = Progress::new(0);
        assert_eq!(run_parallel(&RangeSum(0), &progress).unwrap().0, 0);
        let mut sliced = Sliced::new(Arc::new(RangeSum(0)), progress);
        assert_eq!(sliced.run_until(|| true).unwrap().unwrap().0, 0);
    }
}
