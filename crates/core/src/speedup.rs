//! The speedup lab's engine: one kernel run at 1, 2, … k threads, every answer checked against
//! the one-thread answer, and Amdahl's law fitted to the timings.
//!
//! Implementation note: a batch of runs is planned by a [`Session`] from the learner's
//! [`RunPlan`]; each run is [`run_timed`] on a pool thread (timed there, with the caller's clock,
//! so the page's own latency is not in the figures), or, on a page without workers, the same job
//! in slices. The Mandelbrot image is published row by row through [`live::LiveRows`] as it is
//! computed. [`amdahl`] fits the serial fraction; [`chart`] places what the page draws.

use std::sync::Arc;

use crate::run::jobs::{Job, JobError, Progress};
use crate::run::kernels::{Kernel, KernelSize, LabPrimes};
use crate::run::threads::run_with_threads;

pub mod amdahl;
pub mod chart;
pub mod live;
pub mod session;

pub use session::{Batch, BatchEnd, Measured, RunOrder, Session};

use live::{LiveMandelbrot, LiveRows};

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

/// Runs `kernel` at `size` with `threads` threads on the current pool, timed with `now` (ms)
/// from the first slice to the last; a Mandelbrot run publishes its rows to `rows`. The blur's
/// source image is generated before the clock starts. Blocks the calling thread; call it from a
/// pool thread (the page does, through [`crate::run::jobs::spawn_task`]).
pub fn run_timed(
    kernel: Kernel,
    size: KernelSize,
    threads: usize,
    progress: &Progress,
    rows: Option<Arc<LiveRows>>,
    now: impl Fn() -> f64,
) -> Result<Measured, JobError> {
    match kernel {
        Kernel::Mandelbrot => timed(LiveMandelbrot::new(size, rows), threads, progress, now, |img| img.checksum),
        Kernel::Primes => timed(LabPrimes { limit: size }, threads, progress, now, |&c| c),
        Kernel::Blur => timed(kernel.blur(size), threads, progress, now, |&c| c),
    }
}

fn timed<J: Job>(
    job: J,
    threads: usize,
    progress: &Progress,
    now: impl Fn() -> f64,
    checksum: impl Fn(&J::Output) -> u64,
) -> Result<Measured, JobError>
where
    J::Part: 'static,
{
    let job = Arc::new(job);
    let start = now();
    let run = run_with_threads(&job, threads, progress)?;
    let wall_ms = now() - start;
    Ok(Measured { threads, wall_ms, checksum: checksum(&run.output), slices_by_worker: run.slices_by_thread })
}
