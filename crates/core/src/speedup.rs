//! The speedup lab's engine: one kernel run at 1, 2, … k threads, every answer checked against
//! the one-thread answer, and Amdahl's law fitted to the timings.
//!
//! Implementation note: a batch of runs is planned by a [`Session`] from the learner's
//! [`RunPlan`]; each run is [`run_timed`] on a pool thread (timed there, with the caller's clock,
//! so the page's own latency is not in the figures), or, on a page without workers, the same job
//! in slices. The Mandelbrot image is published row by row through [`live::LiveRows`] as it is
//! computed. [`amdahl`] fits the serial fraction; [`chart`] places what the page draws. A
//! [`RunMode`] may hold one lock around every slice (the GIL switch: the same kernel on the same
//! threads, taking turns) and record each run's timeline (`crate::run::timeline`), of which the
//! session keeps the last.

use std::sync::Arc;

use crate::run::jobs::{Job, JobError, Progress};
use crate::run::kernels::{Kernel, KernelSize, LabPrimes};
use crate::run::threads::{run_threads, Threads};
use crate::run::timeline::{clock_cost, Clock, Timeline};

pub mod amdahl;
pub mod chart;
pub mod live;
pub mod session;

pub use session::{Batch, BatchEnd, Measured, RunOrder, Session};
pub use crate::run::threads::Lock;

use live::{LiveMandelbrot, LiveRows};

/// How the runs of a batch are made, besides their thread counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunMode {
    /// Whether one global lock is held around every slice (like CPython's GIL).
    pub lock: Lock,
    /// Whether each run's timeline is recorded (two clock readings per slice).
    pub record: bool,
}

/// What the learner asked for in the Threads field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunPlan {
    /// One run at every thread count from 1 to the page's workers.
    Sweep,
    /// One run at this many threads.
    Threads(usize),
}

impl RunPlan {
    /// The field's value for this plan: `sweep`, or the thread count.
    pub fn value(self) -> String {
        match self {
            RunPlan::Sweep => "sweep".to_string(),
            RunPlan::Threads(n) => n.to_string(),
        }
    }
    /// The plan of a field value (see [`RunPlan::value`]).
    pub fn from_value(value: &str) -> Option<RunPlan> {
        match value {
            "sweep" => Some(RunPlan::Sweep),
            n => n.parse().ok().map(RunPlan::Threads),
        }
    }
    /// The thread counts of the runs, on a page with `max_threads` workers; a count the page
    /// does not have is refused with the reason.
    pub fn thread_counts(self, max_threads: usize) -> Result<Vec<usize>, String> {
        match self {
            RunPlan::Sweep => Ok((1..=max_threads).collect()),
            RunPlan::Threads(n) if (1..=max_threads).contains(&n) => Ok(vec![n]),
            RunPlan::Threads(_) => Err(format!(
                "Choose from 1 to {max_threads} threads: this page has {max_threads} worker thread{}.",
                if max_threads == 1 { "" } else { "s" }
            )),
        }
    }
}

/// The size of a kernel's untimed warm-up run: some tens of milliseconds of work.
pub fn warm_up_size(kernel: Kernel) -> KernelSize {
    match kernel {
        Kernel::Mandelbrot => 300,
        Kernel::Primes => 1_000_000,
        Kernel::Blur => 400,
    }
}

/// Bytes a run of `kernel` at `size` allocates: the rows and the image (Mandelbrot), or the
/// source and the blurred rows (blur).
pub fn memory_needed(kernel: Kernel, size: KernelSize) -> usize {
    match kernel {
        Kernel::Mandelbrot => {
            let m = kernel.mandelbrot(size);
            m.width as usize * m.height as usize * 6
        }
        Kernel::Blur => size as usize * size as usize * 3,
        Kernel::Primes => 0,
    }
}

/// Runs the kernel of `order` at its size with its threads on the current pool, under its lock,
/// timed with `now` (ms) from the first slice to the last, and recorded as a timeline with the
/// same clock if it says so; a Mandelbrot run publishes its rows to `rows`. The blur's source
/// image is generated before the clock starts. Blocks the calling thread; call it from a pool
/// thread (the page does, through [`crate::run::jobs::spawn_task`]).
pub fn run_timed(
    order: RunOrder,
    progress: &Progress,
    rows: Option<Arc<LiveRows>>,
    now: impl Fn() -> f64 + Sync,
) -> Result<Measured, JobError> {
    let RunOrder { kernel, size, .. } = order;
    match kernel {
        Kernel::Mandelbrot => timed(LiveMandelbrot::new(size, rows), order, progress, now, |img| img.checksum),
        Kernel::Primes => timed(LabPrimes { limit: size }, order, progress, now, |&c| c),
        Kernel::Blur => timed(kernel.blur(size), order, progress, now, |&c| c),
    }
}

fn timed<J: Job>(
    job: J,
    order: RunOrder,
    progress: &Progress,
    now: impl Fn() -> f64 + Sync,
    checksum: impl Fn(&J::Output) -> u64,
) -> Result<Measured, JobError>
where
    J::Part: 'static,
{
    let job = Arc::new(job);
    let how = Threads { k: order.threads, lock: order.lock, record: order.record.then_some(&now as Clock<'_>) };
    // Measured first, untimed, so that the timeline can say what recording cost.
    let per_reading = order.record.then(|| clock_cost(&now));
    let start = now();
    let run = run_threads(&job, how, progress)?;
    let end = now();
    Ok(Measured {
        threads: order.threads,
        wall_ms: end - start,
        checksum: checksum(&run.output),
        slices_by_worker: run.slices_by_thread,
        timeline: per_reading.map(|c| Timeline::new(run.spans, start, end).with_clock_cost(c)),
    })
}
