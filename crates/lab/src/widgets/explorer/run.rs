//! Running "explore all" without holding up the page: on the worker pool when there is one, else
//! in slices on the page's thread; under `tso`, a second run under `sc` to mark what only store
//! buffers allow; and the report's JSON (the widget's `data-result`), written once, when the
//! report is made.
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
use crate::widgets::lab_common::reserve_memory;

/// A finished exploration: the report, and its JSON for `data-result`.
#[derive(Debug, Clone, PartialEq)]
pub struct Explored {
    /// What the exploration found.
    pub report: Report,
    /// The report as the site publishes it.
    pub json: String,
}

impl Explored {
    fn new(report: Report) -> Self {
        let json = report_json(&report);
        Explored { report, json }
    }
}

/// Explores every interleaving of `program` within `limits`, counting states into `progress`
/// (which also cancels it); under `tso`, the same program under `sc` too, to mark the outcomes
/// only store buffers allow. See [`explore_one`].
pub async fn explore_all(program: Program, limits: Limits, progress: Arc<Progress>) -> Result<Explored, ExploreError> {
    let mut report = explore_one(program.clone(), limits, progress.clone()).await?;
    if program.memory() == MemoryModel::Tso {
        let sc = explore_one(program.with_memory(MemoryModel::Sc), limits, progress).await?;
        report.mark_store_buffer_outcomes(&sc);
    }
    Ok(Explored::new(report))
}

/// One exploration: on the pool when there is one, else in slices that yield to the event loop.
async fn explore_one(program: Program, limits: Limits, progress: Arc<Progress>) -> Result<Report, ExploreError> {
    // On the pool only with the room made first (workers cannot always see memory grown during a
    // run); a device that cannot give it explores on this thread, which may grow it as it goes.
    if pool::workers() > 0 && reserve_memory(MEMORY_BUDGET + BATCH_BYTES).await.is_ok() {
        let task = move || explore(&program, &limits, &ExploreControl::parallel().with_progress(&progress));
        return spawn_task(task).await.unwrap_or(Err(ExploreError::Cancelled));
    }
    let mut exploration = Exploration::new(&program, &limits, true).with_progress(progress);
    pool::in_slices(|should_yield| exploration.run_until(should_yield)).await
}
