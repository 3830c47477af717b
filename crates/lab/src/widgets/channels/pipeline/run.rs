//! A pipeline run in the browser: the stages' work calibrated to this device, the stages on the
//! pool or taking turns on the page's thread, every item checked, and the figures it publishes.
//!
//! Implementation note: the stages run through `spawn_pipeline` on the pool, or
//! `SteppedPipeline::run_in_slices` on the page's thread; neither blocks a thread, so the page can
//! never hang on a run. The stages leave samples in a [`SampleLog`], which the view collects each
//! time it draws (every 100 ms while a run goes on, on the run's ticker) without ever waiting for
//! a stage.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;

use interleave_core::channels::pipeline::{
    calibrate, spawn_pipeline, PipelineCheck, PipelineError, PipelinePlan, PipelineSettings, SampleLog, SteppedPipeline,
};
use interleave_core::run::jobs::{spawn_task, JobError, Progress};

use interleave_ui::use_run::Stop;
use crate::widgets::channels::{Lab, Recorded};
use crate::pool;
use crate::widgets::lab_common::{clock, now_abs_ms, reserve_memory, round1};

/// What a run that delivered wrong items says.
const CHECKSUMS_DIFFER: &str = "Some items were lost, repeated or changed on the way: the checksums differ.";

/// The figures of a finished run, published as `data-result.pipeline`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(in crate::widgets::channels) struct PipelineJson {
    pub(super) items: u64,
    pub(super) capacity: usize,
    pub(super) unbounded: bool,
    pub(super) workers: usize,
    pub(super) stage_us: [u64; 3],
    pub(super) wall_ms: f64,
    pub(super) throughput_per_s: f64,
    pub(super) max_depths: [u64; 2],
    pub(super) waiting_ms: [f64; 3],
    pub(super) exactly_once: bool,
    pub(super) mode: &'static str,
    /// The calibration: hash steps per µs on this device.
    pub(super) spins_per_us: f64,
}

/// What the view shows of the last run, while it goes and after.
#[derive(Default)]
pub(super) struct Live {
    /// The samples the stages leave.
    pub(super) log: SampleLog,
    /// The run's settings, once calibrated, and whether its queues are unbounded.
    pub(super) settings: Option<(PipelineSettings, bool)>,
    /// Whether every item's value is being checked.
    pub(super) checking: bool,
}

/// Spin iterations per µs on this device, measured once (on a worker when there is a pool).
async fn spins_per_micro(cache: &RefCell<Option<f64>>) -> Result<f64, JobError> {
    if let Some(known) = *cache.borrow() {
        return Ok(known);
    }
    let measure = || async {
        match pool::workers() {
            0 => Ok(calibrate(now_abs_ms)),
            _ => spawn_task(|| calibrate(now_abs_ms)).await,
        }
    };
    // A first, discarded round, then a pause: the browser runs new code with a quick compiler and
    // swaps in optimized code in the background; calibrating the quick code would make every
    // item's work too short later.
    measure().await?;
    gloo::timers::future::TimeoutFuture::new(60).await;
    let per_us = measure().await?;
    *cache.borrow_mut() = Some(per_us);
    Ok(per_us)
}

/// One run of `plan`, shown in `live` as it goes.
async fn run(
    plan: PipelinePlan,
    live: &RefCell<Live>,
    calibration: &RefCell<Option<f64>>,
    progress: Arc<Progress>,
) -> Result<PipelineJson, PipelineError> {
    reserve_memory(plan.memory_bytes()).await?;
    let per_us = spins_per_micro(calibration).await?;
    let settings = plan.settings(per_us);
    live.borrow_mut().settings = Some((settings, plan.unbounded));
    let observe = live.borrow().log.observer();
    let receipt = if pool::workers() > 0 {
        spawn_pipeline(settings, clock(), observe, progress)?.await?
    } else {
        let stepped = SteppedPipeline::new(settings, clock(), observe, progress)?;
        stepped.run_in_slices(pool::SLICE_MS, pool::yield_now).await?
    };
    live.borrow_mut().checking = true;
    let expected = pool::run(PipelineCheck::of(&settings), Progress::new(plan.items)).await?;
    let mut live = live.borrow_mut();
    live.log.collect();
    Ok(PipelineJson {
        items: plan.items,
        capacity: plan.capacity,
        unbounded: plan.unbounded,
        workers: plan.workers,
        stage_us: plan.stage_us,
        wall_ms: round1(receipt.wall_ms),
        throughput_per_s: round1(receipt.throughput_per_s()),
        max_depths: live.log.max_depths(),
        waiting_ms: receipt.waiting_ms.map(round1),
        exactly_once: receipt.outcome(expected).exactly_once(),
        mode: if pool::workers() > 0 { "pool" } else { "one-thread" },
        spins_per_us: round1(per_us),
    })
}

/// Starts a run of `plan` as the widget's run, shown in `live` (which it starts afresh).
pub(super) fn start(lab: &Lab, plan: PipelinePlan, live: Rc<RefCell<Live>>, calibration: Rc<RefCell<Option<f64>>>) {
    let record = lab.record.clone();
    lab.start(plan.items, "the items", move |progress| {
        *live.borrow_mut() = Live::default();
        async move {
            let result = run(plan, &live, &calibration, progress).await;
            {
                let mut live = live.borrow_mut();
                live.log.collect();
                live.checking = false;
            }
            match result {
                Ok(json) => {
                    let exactly_once = json.exactly_once;
                    record.dispatch(Recorded::Pipeline(json));
                    if exactly_once { Ok(()) } else { Err(Stop::Failed(CHECKSUMS_DIFFER.into())) }
                }
                Err(PipelineError::Job(e)) => Err(Stop::Job(e)),
                Err(e) => Err(Stop::Failed(format!("The pipeline could not run: {e}"))),
            }
        }
    });
}
