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
    /// The report of `program`, which took `ms`; under `tso`, marked with `sc`, the report of
    /// the same program under `sc` and its time. Its JSON is written here, once, on the thread
    /// that explored: for a report of thousands of outcomes that takes milliseconds.
    fn finish(mut report: Report, ms: f64, sc: Option<(Report, f64)>) -> Self {
        let sc_ms = sc.map(|(sc, ms)| {
            report.mark_store_buffer_outcomes(&sc);
            ms
        });
        let json = report_json(&report, ms, sc_ms);
        Explored { report, ms, sc_ms, json }
    }
}

/// Explores every interleaving of `program` within `limits`, counting states into `progress`
/// (which also cancels it); under `tso`, the same program under `sc` too, to mark the outcomes
/// only store buffers allow. On the pool when there is one: both explorations and the report's
/// JSON in one task, timed on the worker that runs it. Else in slices on this thread that yield
/// to the event loop, each timed from its first slice to its last (the pauses between included).
pub async fn explore_all(program: Program, limits: Limits, progress: Arc<Progress>) -> Result<Explored, ExploreError> {
    let tso = program.memory() == MemoryModel::Tso;
    // On the pool only with the room made first (workers cannot always see memory grown during a
    // run); a device that cannot give it explores on this thread, which may grow it as it goes.
    if pool::workers() > 0 && reserve_memory(MEMORY_BUDGET + BATCH_BYTES).await.is_ok() {
        let task = move || {
            let timed = |program: &Program| {
                let start = now_abs_ms();
                let report = explore(program, &limits, &ExploreControl::parallel().with_progress(&progress))?;
                Ok::<_, ExploreError>((report, now_abs_ms() - start))
            };
            let (report, ms) = timed(&program)?;
            let sc = if tso { Some(timed(&program.with_memory(MemoryModel::Sc))?) } else { None };
            Ok(Explored::finish(report, ms, sc))
        };
        return spawn_task(task).await.unwrap_or(Err(ExploreError::Cancelled));
    }
    let (report, ms) = in_slices(&program, limits, progress.clone()).await?;
    let sc = if tso { Some(in_slices(&program.with_memory(MemoryModel::Sc), limits, progress).await?) } else { None };
    Ok(Explored::finish(report, ms, sc))
}

/// One exploration in slices on this thread, and the milliseconds from its first slice to its last.
async fn in_slices(program: &Program, limits: Limits, progress: Arc<Progress>) -> Result<(Report, f64), ExploreError> {
    let start = now_abs_ms();
    let mut exploration = Exploration::new(program, &limits, true).with_progress(progress);
    let report = pool::in_slices(|should_yield| exploration.run_until(should_yield)).await?;
    Ok((report, now_abs_ms() - start))
}
