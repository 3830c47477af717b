//! A three-stage pipeline over bounded channels — producer, workers, consumer — reporting its
//! queue depths and throughput as it runs: the plan a learner's settings make ([`PipelineForm`],
//! [`PipelinePlan`]), the run on a pool ([`spawn_pipeline`]) or on one thread
//! ([`SteppedPipeline`]), what it is seen doing ([`SampleLog`]), and the check that every item
//! arrived once with the right value ([`PipelineCheck`]).
//!
//! Implementation note: no stage ever blocks a thread (see `stages`): a stage whose queue is full
//! or empty gives its turn away. So a run needs no thread per stage: it runs on a pool of any
//! size, even one thread, and on a page without threads the same stages take turns in slices —
//! concurrency without parallelism — and the caller never hangs on it.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::numbers::group_digits;
use crate::run::busy::{calibrate_spins_per_micro, mix, spin};
use crate::run::jobs::{Job, JobError, Progress};

mod plan;
mod stages;

pub use plan::{PipelineField, PipelineForm, PipelinePlan};
use stages::{build, run_stages, Ready, Reply, Stages, Turn};

/// Most items one run may carry (the consumer keeps one flag per item to prove exactly-once).
pub const MAX_ITEMS: u64 = 1_000_000;

/// Most worker stages a run may have.
pub const MAX_WORKERS: usize = 8;

/// Why a pipeline run produced no receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineError {
    /// The settings make no sense or are too large ([`PipelineSettings::check`]); nothing ran.
    Refused(String),
    /// The run was cancelled or lost ([`JobError`]).
    Job(JobError),
}

impl From<JobError> for PipelineError {
    fn from(e: JobError) -> Self {
        PipelineError::Job(e)
    }
}

impl std::fmt::Display for PipelineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PipelineError::Refused(reason) => f.write_str(reason),
            PipelineError::Job(e) => e.fmt(f),
        }
    }
}

/// A millisecond clock every stage can read; on the web, one that agrees between workers.
pub type Clock = Arc<dyn Fn() -> f64 + Send + Sync>;

/// Receives each sample, and the ms each stage has spent waiting so far (`[producer, workers
/// (mean per worker), consumer]`): the producer waits on a full queue, the consumer on an empty
/// one.
pub type Observer = Arc<dyn Fn(PipelineSample, [f64; 3]) + Send + Sync>;

/// What an [`Observer`] receives: a sample, and the ms each stage has waited so far.
pub type Observation = (PipelineSample, [f64; 3]);

/// The observations of one run, for a reader that must never wait for them (a page drawing while
/// the stages run on other threads): the [`SampleLog::observer`] adds to an inbox behind a lock,
/// and [`SampleLog::collect`] takes what is there, unless a stage holds the lock just then (the
/// next call takes it). A new log for each run: a stage of the last one may still be finishing.
#[derive(Debug, Default)]
pub struct SampleLog {
    inbox: Arc<Mutex<Vec<Observation>>>,
    samples: Vec<Observation>,
}

impl SampleLog {
    /// An observer that leaves each observation in this log's inbox.
    pub fn observer(&self) -> Observer {
        let inbox = Arc::clone(&self.inbox);
        Arc::new(move |sample, waiting| inbox.lock().unwrap_or_else(|e| e.into_inner()).push((sample, waiting)))
    }

    /// Takes what the observer has left since the last call, without waiting for it: `false`
    /// when a stage held the inbox just then (and nothing was taken).
    pub fn collect(&mut self) -> bool {
        match self.inbox.try_lock() {
            Ok(mut new) => {
                self.samples.append(&mut new);
                true
            }
            Err(_) => false,
        }
    }

    /// The observations collected so far, oldest first.
    pub fn samples(&self) -> &[Observation] {
        &self.samples
    }

    /// The deepest each queue got in the observations collected so far.
    pub fn max_depths(&self) -> [u64; 2] {
        max_depths(self.samples.iter().map(|(s, _)| s))
    }
}

/// Spin iterations per µs on the calling thread: the fastest of three calibrations, since an
/// interruption while measuring only makes the machine look slower.
pub fn calibrate(now: impl Fn() -> f64) -> f64 {
    (0..3).map(|_| calibrate_spins_per_micro(&now)).fold(0.0, f64::max)
}

/// A snapshot of a run as it goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PipelineSample {
    /// Time since the run started, in ms.
    pub at_ms: f64,
    /// Items the producer has queued.
    pub produced: u64,
    /// Items the workers have passed on.
    pub processed: u64,
    /// Items the consumer has finished.
    pub consumed: u64,
    /// Items waiting in the producer→workers and workers→consumer queues (at most the capacity).
    pub queue_depths: [u64; 2],
    /// Items consumed per ms since the start.
    pub throughput_per_ms: f64,
}

/// The deepest each queue got in `samples`: `[producer→workers, workers→consumer]`.
pub fn max_depths<'a>(samples: impl IntoIterator<Item = &'a PipelineSample>) -> [u64; 2] {
    samples.into_iter().fold([0, 0], |m, s| [m[0].max(s.queue_depths[0]), m[1].max(s.queue_depths[1])])
}

/// What a pipeline run carries and how much work each stage does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineSettings {
    /// Items sent through.
    pub items: u64,
    /// Spin iterations of work per item: `[producer, each worker, consumer]`.
    pub stage_work: [u64; 3],
    /// Places in each of the two queues.
    pub capacity: usize,
    /// Worker stages between the queues.
    pub workers: usize,
}

impl PipelineSettings {
    /// Refuses, with a reason, settings that make no sense or are too large.
    pub fn check(&self) -> Result<(), String> {
        if self.capacity == 0 {
            return Err("Each queue needs room for at least one item.".to_string());
        }
        if !(1..=MAX_WORKERS).contains(&self.workers) {
            return Err(format!(
                "The pipeline needs from 1 to {MAX_WORKERS} workers (you asked for {}).",
                self.workers
            ));
        }
        if self.items > MAX_ITEMS {
            return Err(format!(
                "At most {} items (you asked for {}).",
                group_digits(MAX_ITEMS),
                group_digits(self.items)
            ));
        }
        Ok(())
    }
}

/// What the consumer saw in a run, before it is checked against [`PipelineCheck`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PipelineReceipt {
    /// Items sent.
    pub items: u64,
    /// Items received, counting repeats.
    pub received: u64,
    /// Items received more than once.
    pub duplicates: u64,
    /// Checksum of every item's final value, in any order.
    pub checksum: u64,
    /// From the start to the last item consumed, in ms.
    pub wall_ms: f64,
    /// Ms each stage spent waiting: `[producer, workers (mean per worker), consumer]`.
    pub waiting_ms: [f64; 3],
}

impl PipelineReceipt {
    /// The outcome, given the checksum a correct run must have ([`PipelineCheck`]).
    pub fn outcome(&self, expected_checksum: u64) -> PipelineOutcome {
        PipelineOutcome {
            items: self.items,
            received: self.received,
            duplicates: self.duplicates,
            checksum: self.checksum,
            expected_checksum,
        }
    }

    /// Items received per second over the whole run.
    pub fn throughput_per_s(&self) -> f64 {
        self.received as f64 / self.wall_ms.max(1e-3) * 1000.0
    }
}

/// How a pipeline run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineOutcome {
    /// Items sent.
    pub items: u64,
    /// Items the consumer received, counting repeats.
    pub received: u64,
    /// Items received more than once (always 0 if channels work).
    pub duplicates: u64,
    /// Checksum of every item's final value, in any order.
    pub checksum: u64,
    /// The same checksum computed apart from the pipeline ([`PipelineCheck`]).
    pub expected_checksum: u64,
}

impl PipelineOutcome {
    /// Whether every item arrived exactly once with the right value.
    pub fn exactly_once(&self) -> bool {
        self.received == self.items && self.duplicates == 0 && self.checksum == self.expected_checksum
    }
}

/// The checksum a correct run must produce, as a [`Job`] of plain loops over the items, so that
/// checking a run can go on the pool or in slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineCheck {
    /// Items of the run.
    pub items: u64,
    /// Its stage work.
    pub stage_work: [u64; 3],
}

impl PipelineCheck {
    /// The check of a run of `settings`.
    pub fn of(settings: &PipelineSettings) -> Self {
        Self { items: settings.items, stage_work: settings.stage_work }
    }
}

impl Job for PipelineCheck {
    type Part = u64;
    type Output = u64;
    fn len(&self) -> u64 {
        self.items
    }
    fn run(&self, range: std::ops::Range<u64>) -> u64 {
        let [produce, process, consume] = self.stage_work;
        range.fold(0u64, |acc, id| acc.wrapping_add(mix(spin(spin(spin(id, produce), process), consume))))
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

/// Starts a pipeline on the current rayon pool — any number of threads, even one — and returns a
/// future of what the consumer received; the caller never blocks. `observe` gets a sample about
/// every 10 ms and a last one at the end; `progress` counts items consumed and can cancel the run.
/// Refuses, with a reason, settings that make no sense ([`PipelineSettings::check`]).
pub fn spawn_pipeline(
    settings: PipelineSettings,
    now: Clock,
    observe: Observer,
    progress: Arc<Progress>,
) -> Result<impl Future<Output = Result<PipelineReceipt, JobError>>, PipelineError> {
    let (tx, rx) = futures_channel::oneshot::channel();
    let reply: Reply = Box::new(move |result| {
        let _ = tx.send(result);
    });
    let (shared, stages) = build(settings, now, observe, progress, reply).map_err(PipelineError::Refused)?;
    // One runner per pool thread (no more than there are stages). The runners share the stages,
    // so every thread takes part however the pool schedules them, and a runner that starts late
    // (its thread was busy elsewhere) simply joins in.
    let runners = rayon::current_num_threads().clamp(1, stages.len());
    let ready = Arc::new(Ready::new(stages));
    for _ in 0..runners {
        let (ready, shared) = (Arc::clone(&ready), Arc::clone(&shared));
        rayon::spawn(move || run_stages(&ready, &shared));
    }
    Ok(async move { rx.await.unwrap_or(Err(JobError::Lost)) })
}

/// The same pipeline on the calling thread alone: the stages take turns, round-robin, for a page
/// without worker threads (concurrency without parallelism).
pub struct SteppedPipeline {
    shared: Arc<stages::Shared>,
    stages: Stages,
    result: Arc<Mutex<Option<Result<PipelineReceipt, JobError>>>>,
}

impl SteppedPipeline {
    /// Prepares a run; refuses settings as [`spawn_pipeline`] does.
    pub fn new(settings: PipelineSettings, now: Clock, observe: Observer, progress: Arc<Progress>) -> Result<Self, PipelineError> {
        let result = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&result);
        let reply: Reply = Box::new(move |r| *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(r));
        let (shared, stages) = build(settings, now, observe, progress, reply).map_err(PipelineError::Refused)?;
        Ok(Self { shared, stages, result })
    }

    /// Gives every stage a turn, again and again, until the run ends (`Some`) or `should_yield`
    /// says to hand control back (`None`; call again later).
    pub fn run_until(&mut self, mut should_yield: impl FnMut() -> bool) -> Option<Result<PipelineReceipt, JobError>> {
        loop {
            let shared = &self.shared;
            self.stages.retain_mut(|stage| stage.turn(shared) != Turn::Finished);
            shared.maybe_sample();
            if let Some(result) = self.result.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Some(result);
            }
            if self.stages.is_empty() {
                return Some(Err(JobError::Lost));
            }
            if should_yield() {
                return None;
            }
        }
    }

    /// Runs to the end in slices of about `slice_ms` (by the run's clock), awaiting
    /// `yield_now()` between two: on a browser's main thread, a future that lets the page draw
    /// and take input first.
    pub async fn run_in_slices<Y: Future<Output = ()>>(
        mut self,
        slice_ms: f64,
        mut yield_now: impl FnMut() -> Y,
    ) -> Result<PipelineReceipt, JobError> {
        let shared = Arc::clone(&self.shared);
        loop {
            let start = shared.now();
            if let Some(done) = self.run_until(|| shared.now() - start > slice_ms) {
                return done;
            }
            yield_now().await;
        }
    }
}
