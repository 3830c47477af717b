//! The runs of one kernel at one size, as the speedup lab collects them: which thread counts to
//! run, the one-thread answer every run must give, and the figures the page shows (speedups,
//! their medians, the fitted serial fraction).
//!
//! Implementation note: a session outlives a batch of runs. Runs of the same kernel at the same
//! size add up (so a learner can run 1, then 4, then 2 threads and see all three); a different
//! kernel or size starts afresh. Only the set of warmed-up kernels survives that. A [`Batch`]
//! runs on the page's event loop and shares the session with the view through a `RefCell`,
//! borrowing it only between two awaits, so the view can draw (and cancel) while it runs.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use crate::numbers::{duration_ms, group_digits};
use crate::run::jobs::{JobError, Progress};
use crate::run::kernels::{Kernel, KernelSize};
use crate::speedup::amdahl::{amdahl_limit, fit_serial_fraction};
use crate::run::threads::Lock;
use crate::run::timeline::Timeline;
use crate::speedup::{warm_up_size, RunMode, RunPlan};

/// One finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// The thread count asked for.
    pub threads: usize,
    /// Wall time, ms.
    pub wall_ms: f64,
    /// The kernel's checksum.
    pub checksum: u64,
    /// Slices each worker ran, by worker; empty when the page's own thread ran them all.
    pub slices_by_worker: BTreeMap<usize, u64>,
    /// Its timeline, when it was recorded (the session keeps only the last run's).
    pub timeline: Option<Timeline>,
}

impl Measured {
    /// Slices per worker, in words: `12 / 9 / 11`, or `page thread` when it ran them all.
    pub fn slices_text(&self) -> String {
        if self.slices_by_worker.is_empty() {
            "page thread".to_string()
        } else {
            self.slices_by_worker.values().map(|v| group_digits(*v)).collect::<Vec<_>>().join(" / ")
        }
    }
}

/// How a batch of runs ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchEnd {
    /// Every run finished with the one-thread answer.
    Done,
    /// The learner stopped it; [`Session::note`] says where.
    Cancelled,
    /// A run failed, or gave a different answer ([`Session::mismatch`]).
    Failed,
}

/// The runs of one kernel at one size, and the batch going on.
#[derive(Debug, Default)]
pub struct Session {
    key: Option<(Kernel, KernelSize, Lock)>,
    runs: Vec<Measured>,
    /// The one-thread checksum every run must equal.
    reference: Option<u64>,
    mismatch: Option<String>,
    note: Option<String>,
    failed: bool,
    warmed: BTreeSet<Kernel>,
    /// How the last batch ended; `None` while one runs, and before the first.
    ended: Option<BatchEnd>,
    running: bool,
    stop: bool,
    /// The progress of the run going on.
    progress: Option<Arc<Progress>>,
    /// (index of the run going on, runs planned, its thread count).
    step: (usize, usize, usize),
    /// Whether the untimed warm-up run is going on.
    warming: bool,
    /// The last run's timeline, with its thread count, if it was recorded.
    timeline: Option<(usize, Arc<Timeline>)>,
}

impl Session {
    /// Begins a batch of runs of `kernel` at `size` as `plan` says, made as `mode` says, on a
    /// page with `max_threads` workers: the thread counts in order, with a one-thread run first
    /// if the session has none yet, since every answer is checked against one. Runs under the
    /// global lock and runs without it are sessions of their own (recording or not is the same
    /// session). Refuses a plan the page cannot run, with the reason, and then changes nothing.
    pub fn begin(&mut self, kernel: Kernel, size: KernelSize, plan: RunPlan, mode: RunMode, max_threads: usize) -> Result<Batch, String> {
        let mut counts = plan.thread_counts(max_threads)?;
        if self.key != Some((kernel, size, mode.lock)) {
            let warmed = std::mem::take(&mut self.warmed);
            *self = Session { key: Some((kernel, size, mode.lock)), warmed, ..Session::default() };
        }
        if !self.runs.iter().any(|r| r.threads == 1) && counts[0] != 1 {
            counts.insert(0, 1);
        }
        (self.note, self.failed, self.ended, self.running, self.stop) = (None, false, None, true, false);
        Ok(Batch { kernel, size, counts, max_threads, mode })
    }

    /// Stops the batch: the run going on at its next slice, and no run after it.
    pub fn cancel(&mut self) {
        self.stop = true;
        if let Some(p) = &self.progress {
            p.cancel();
        }
    }

    /// Whether a batch is going on.
    pub fn running(&self) -> bool {
        self.running
    }

    /// How the last batch ended; `None` while one runs, and before the first.
    pub fn ended(&self) -> Option<BatchEnd> {
        self.ended
    }

    /// The batch's finished share, 0.0 to 1.0: of the warm-up while it runs, then of all runs.
    pub fn fraction(&self) -> f64 {
        let (index, total, _) = self.step;
        match &self.progress {
            Some(p) if self.warming => p.fraction(),
            Some(p) => (index as f64 + p.fraction()) / total.max(1) as f64,
            None => 0.0,
        }
    }

    /// What the batch is doing, in words.
    pub fn doing(&self) -> String {
        let (index, total, threads) = self.step;
        if self.warming {
            "Warming up: a short untimed run first, while the browser optimizes the code…".to_string()
        } else {
            format!("Run {} of {}: {} thread{}…", index + 1, total, threads, if threads == 1 { "" } else { "s" })
        }
    }

    /// The size of an untimed warm-up run of `kernel` to make first, if it has had none yet: a
    /// browser first runs WebAssembly with quickly compiled code and optimizes the hot functions
    /// while they run, so the first timed run would be slower for a reason that has nothing to
    /// do with threads.
    fn warm_up_due(&self, kernel: Kernel) -> Option<KernelSize> {
        (!self.warmed.contains(&kernel)).then(|| warm_up_size(kernel))
    }

    /// Records how the warm-up run of `kernel` ended: done (no more warm-ups of it), cancelled
    /// (noted), or lost (ignored: the timed runs will say what is wrong).
    fn warmed_up<T>(&mut self, kernel: Kernel, result: &Result<T, JobError>) {
        match result {
            Ok(_) => {
                self.warmed.insert(kernel);
            }
            Err(JobError::Cancelled) => self.note = Some("Cancelled during the warm-up run.".into()),
            Err(JobError::Lost | JobError::Stopped(_) | JobError::NoMemory { .. }) => {}
        }
    }

    /// Records the run at `threads` that `progress` counted: its figures, or why it stopped.
    /// Returns whether the batch goes on.
    fn record(&mut self, threads: usize, result: Result<Measured, JobError>, progress: &Progress) -> bool {
        match result {
            Ok(mut run) => {
                self.timeline = run.timeline.take().map(|t| (threads, Arc::new(t)));
                let reference = *self.reference.get_or_insert(run.checksum);
                if run.checksum != reference && self.mismatch.is_none() {
                    self.mismatch = Some(format!(
                        "Wrong answer: the run at {threads} threads gave checksum {}, but the one-thread run gave {}. \
                         The work was split or combined incorrectly.",
                        run.checksum, reference
                    ));
                }
                self.runs.push(run);
                true
            }
            Err(JobError::Cancelled) => {
                self.note = Some(format!(
                    "Cancelled: the run at {threads} thread{} stopped at {:.0}% of its work.",
                    if threads == 1 { "" } else { "s" },
                    progress.fraction() * 100.0
                ));
                false
            }
            Err(e) => {
                self.note = Some(format!("The run at {threads} threads failed: {e}."));
                self.failed = true;
                false
            }
        }
    }

    fn ending(&self) -> BatchEnd {
        if self.failed || self.mismatch.is_some() {
            BatchEnd::Failed
        } else if self.note.is_some() {
            BatchEnd::Cancelled
        } else {
            BatchEnd::Done
        }
    }

    /// The kernel and size of these runs, once a batch has begun.
    pub fn key(&self) -> Option<(Kernel, KernelSize)> {
        self.key.map(|(kernel, size, _)| (kernel, size))
    }
    /// Whether these runs hold the global lock around every slice.
    pub fn lock(&self) -> Lock {
        self.key.map_or(Lock::Free, |(_, _, lock)| lock)
    }
    /// The last finished run's timeline and its thread count, if it was recorded.
    pub fn timeline(&self) -> Option<(usize, Arc<Timeline>)> {
        self.timeline.clone()
    }
    /// Every finished run, in order.
    pub fn runs(&self) -> &[Measured] {
        &self.runs
    }
    /// The one-thread checksum, once known.
    pub fn reference(&self) -> Option<u64> {
        self.reference
    }
    /// Whether `run` gave the one-thread answer.
    pub fn agrees(&self, run: &Measured) -> bool {
        Some(run.checksum) == self.reference
    }
    /// The first wrong answer, in words.
    pub fn mismatch(&self) -> Option<&str> {
        self.mismatch.as_deref()
    }
    /// Why the last batch stopped early, in words.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// Median one-thread time, ms.
    pub fn t1(&self) -> Option<f64> {
        let mut times: Vec<f64> = self.runs.iter().filter(|r| r.threads == 1).map(|r| r.wall_ms).collect();
        times.sort_by(f64::total_cmp);
        match times.len() {
            0 => None,
            n if n % 2 == 1 => Some(times[n / 2]),
            n => Some((times[n / 2 - 1] + times[n / 2]) / 2.0),
        }
    }
    /// Each run's speedup over the median one-thread time (NaN before there is one).
    pub fn speedups(&self) -> Vec<f64> {
        let t1 = self.t1();
        self.runs.iter().map(|r| t1.map_or(f64::NAN, |t1| t1 / r.wall_ms)).collect()
    }
    /// The fitted serial fraction, once there are runs at 1 and at more threads.
    pub fn serial_fraction(&self) -> Option<f64> {
        let usable = self.t1().is_some() && self.runs.iter().any(|r| r.threads > 1);
        usable.then(|| {
            let points: Vec<(u32, f64)> = self.runs.iter().map(|r| (r.threads as u32, r.wall_ms)).collect();
            fit_serial_fraction(&points)
        })
    }
    /// Median speedup per thread count (the upper median of an even count), by thread count.
    pub fn medians(&self) -> Vec<(usize, f64)> {
        let mut by: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
        for (r, s) in self.runs.iter().zip(self.speedups()) {
            by.entry(r.threads).or_default().push(s);
        }
        by.into_iter()
            .map(|(n, mut v)| {
                v.sort_by(f64::total_cmp);
                (n, v[v.len() / 2])
            })
            .collect()
    }

    /// What the runs show, in a sentence: the median speedup at the most threads run, or the
    /// one-thread time alone; and whether every run agreed.
    pub fn summary(&self) -> String {
        let best = self.medians().into_iter().filter(|&(n, _)| n > 1).max_by_key(|&(n, _)| n);
        let figures = match (best, self.t1()) {
            (Some((n, sp)), Some(t1)) => format!(
                "At {n} threads{}: {sp:.2}× faster than one thread ({} → {}); the ideal is {n}×.",
                if self.lock() == Lock::Global { ", under one global lock" } else { "" },
                duration_ms(t1),
                duration_ms(t1 / sp)
            ),
            (_, Some(t1)) => format!("One thread: {}. Run with more threads to compare.", duration_ms(t1)),
            _ => String::new(),
        };
        let agreed = if self.mismatch.is_none() { " Every run gave the one-thread answer." } else { "" };
        figures + agreed
    }

    /// The fitted serial fraction and the limit it sets, in words, on a page of `max_threads`.
    pub fn serial_fraction_text(&self, max_threads: usize) -> String {
        let serial = self.serial_fraction();
        let text = match serial {
            Some(f) if f > 0.0005 => format!(
                "Fitted serial fraction: {:.1}% of the one-thread time behaves as if it cannot be shared. \
                 Amdahl's law then caps the speedup at {:.1}× however many threads you add.",
                f * 100.0,
                amdahl_limit(f)
            ),
            Some(_) => "Fitted serial fraction: about 0%: these runs scaled as if all the work could be shared.".to_string(),
            None => "The serial fraction is fitted once there are runs at one thread and at more.".to_string(),
        };
        let rough = if serial.is_some() && max_threads <= 2 { " With two thread counts only, it is a rough estimate." } else { "" };
        text + rough
    }
}

/// A run the page is asked to make, for a [`Batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOrder {
    /// The kernel.
    pub kernel: Kernel,
    /// Its size.
    pub size: KernelSize,
    /// Threads to run it with.
    pub threads: usize,
    /// Whether this is the untimed warm-up run (nobody draws it; after it the page may pause).
    pub warm_up: bool,
    /// Whether one global lock is held around every slice.
    pub lock: Lock,
    /// Whether the run's timeline is recorded (never the warm-up's).
    pub record: bool,
}

/// A batch of runs begun by [`Session::begin`]: the thread counts to run, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    kernel: Kernel,
    size: KernelSize,
    counts: Vec<usize>,
    max_threads: usize,
    mode: RunMode,
}

impl Batch {
    /// The thread counts of the timed runs, in order.
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }

    /// Runs the batch: the kernel's warm-up run if it is due (at every thread), then one run per
    /// thread count, each made by `run` with a fresh [`Progress`] and recorded in `session`,
    /// until one stops or the session is cancelled. Ends the batch ([`Session::ended`]).
    pub async fn run<R, F>(self, session: &RefCell<Session>, mut run: R)
    where
        R: FnMut(RunOrder, Arc<Progress>) -> F,
        F: Future<Output = Result<Measured, JobError>>,
    {
        let Batch { kernel, size, counts, max_threads, mode } = self;
        let RunMode { lock, record } = mode;
        let warm_up = session.borrow().warm_up_due(kernel);
        if let Some(warm_size) = warm_up {
            let progress = Progress::new(kernel.units(warm_size));
            {
                let mut s = session.borrow_mut();
                (s.progress, s.warming) = (Some(progress.clone()), true);
            }
            let order = RunOrder { kernel, size: warm_size, threads: max_threads, warm_up: true, lock, record: false };
            let warm = run(order, progress).await;
            let mut s = session.borrow_mut();
            s.warming = false;
            s.warmed_up(kernel, &warm);
        }
        for (i, &threads) in counts.iter().enumerate() {
            if session.borrow().stop {
                break;
            }
            let progress = Progress::new(kernel.units(size));
            {
                let mut s = session.borrow_mut();
                (s.progress, s.step) = (Some(progress.clone()), (i, counts.len(), threads));
            }
            let result = run(RunOrder { kernel, size, threads, warm_up: false, lock, record }, progress.clone()).await;
            if !session.borrow_mut().record(threads, result, &progress) {
                break;
            }
        }
        let mut s = session.borrow_mut();
        (s.progress, s.running) = (None, false);
        s.ended = Some(s.ending());
    }
}
