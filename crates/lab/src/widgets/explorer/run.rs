//! Running "explore all" without holding up the page: on the worker pool when there is one, else
//! in slices on the page's thread; under `tso`, a second run under `sc` to mark what only store
//! buffers allow; how long each took; and the report's JSON (the widget's `data-result`), written
//! once, when the report is made.
//!
//! Implementation note: a worker does not always see memory that another thread grows while it
//! runs (see `lab_common::reserve_memory`), and a parallel exploration grows memory on one worker
//! while the others read it. So the page grows it first, by the explorer's whole
//! [`MEMORY_BUDGET`] and a batch ([`BATCH_BYTES`]): the budget bounds what an exploration holds,
//! so the run itself never has to grow it, and past the budget it stops with its refusal instead
//! of running out of memory.

use std::sync::Arc;

use interleave_core::explorer::{
    explore, Exploration, ExploreControl, ExploreError, Limits, MemoryModel, Program, Report, BATCH_BYTES,
    MEMORY_BUDGET,
};
use interleave_core::run::jobs::{spawn_task, Progress};

use super::json::report_json;
use crate::pool;
use crate::widgets::lab_common::{now_abs_ms, reserve_memory};

/// A finished exploration: the report, how long it took, and its JSON for `data-result`.
#[derive(Debug, Clone, PartialEq)]
pub struct Explored {
    /// What the exploration found.
    pub report: Report,
    /// Milliseconds the exploration of the program took, from its start to its report, on the
    /// thread that ran it.
    pub ms: f64,
    /// Under `tso`, milliseconds the second exploration (the program under `sc`) took.
    pub sc_ms: Option<f64>,
    /// The report as the site publishes it.
    pub json: String,
}

impl Explored {
    fn new(report: Report, ms: f64, sc_ms: Option<f64>) -> Self {
        let json = report_json(&report, ms, sc_ms);
        Explored { report, ms, sc_ms, json }
    }
}

/// Explores every interleaving of `program` within `limits`, counting states into `progress`
/// (which also cancels it); under `tso`, the same program under `sc` too, to mark the outcomes
/// only store buffers allow. See [`explore_one`].
pub async fn explore_all(program: Program, limits: Limits, progress: Arc<Progress>) -> Result<Explored, ExploreError> {
    let (mut report, ms) = explore_one(program.clone(), limits, progress.clone()).await?;
    let mut sc_ms = None;
    if program.memory() == MemoryModel::Tso {
        let (sc, ms) = explore_one(program.with_memory(MemoryModel::Sc), limits, progress).await?;
        report.mark_store_buffer_outcomes(&sc);
        sc_ms = Some(ms);
    }
    Ok(Explored::new(report, ms, sc_ms))
}

/// One exploration, and the milliseconds it took: on the pool when there is one (timed on the
/// worker that runs it), else in slices that yield to the event loop (timed from the first slice
/// to the last, the pauses between them included).
async fn explore_one(program: Program, limits: Limits, progress: Arc<Progress>) -> Result<(Report, f64), ExploreError> {
    // On the pool only with the room made first (workers cannot always see memory grown during a
    // run); a device that cannot give it explores on this thread, which may grow it as it goes.
    if pool::workers() > 0 && reserve_memory(MEMORY_BUDGET + BATCH_BYTES).await.is_ok() {
        let task = move || {
            let start = now_abs_ms();
            let report = explore(&program, &limits, &ExploreControl::parallel().with_progress(&progress))?;
            Ok((report, now_abs_ms() - start))
        };
        return spawn_task(task).await.unwrap_or(Err(ExploreError::Cancelled));
    }
    let start = now_abs_ms();
    let mut exploration = Exploration::new(&program, &limits, true).with_progress(progress);
    let report = pool::in_slices(|should_yield| exploration.run_until(should_yield)).await?;
    Ok((report, now_abs_ms() - start))
}
