//! The channels widgets' engines as the page runs them: the pipeline from a learner's plan, on a
//! pool of any size or in slices on one thread, checked item by item; and the bank, racy or with
//! an actor, from its plan.

use std::sync::Arc;

use interleave_core::channels::bank::{euros, run_bank, AccountOp, Actor, BankForm, BankPlan, Banking};
use interleave_core::channels::pipeline::{
    calibrate, spawn_pipeline, Clock, Observer, PipelineCheck, PipelineError, PipelineField, PipelineForm, PipelinePlan,
    PipelineReceipt, PipelineSettings, SampleLog, SteppedPipeline,
};
use interleave_core::run::busy::{mix, spin};
use interleave_core::run::jobs::{run_parallel, JobError, Progress};

#[path = "support/lab.rs"]
mod common;
use common::pool;

/// A local pool of `threads` workers.

/// A millisecond clock for the engines.
fn clock() -> Clock {
    Arc::new(common::clock())
}

/// A log of a run's samples, as the page keeps, and its observer.
fn recorder() -> (SampleLog, Observer) {
    let log = SampleLog::default();
    let observe = log.observer();
    (log, observe)
}

/// Collects what `log` holds once the run is over (a stage still finishing may hold the inbox
/// for a moment).
fn collect(log: &mut SampleLog) {
    while !log.collect() {
        std::thread::yield_now();
    }
}

fn settings(items: u64, stage_work: [u64; 3], capacity: usize, workers: usize) -> PipelineSettings {
    PipelineSettings { items, stage_work, capacity, workers }
}

/// The checksum of a correct run, by hand: every item through the three stages' work.
fn plain_checksum(s: &PipelineSettings) -> u64 {
    let [a, b, c] = s.stage_work;
    (0..s.items).fold(0u64, |acc, id| acc.wrapping_add(mix(spin(spin(spin(id, a), b), c))))
}

/// The check the page runs after a pipeline, here on the calling thread's pool.
fn expected(s: &PipelineSettings) -> u64 {
    run_parallel(&PipelineCheck::of(s), &Progress::new(s.items)).unwrap()
}

/// A pipeline on a pool of `threads`, started as the page starts it on its pool.
fn on_pool(threads: usize, s: PipelineSettings, observe: Observer, progress: Arc<Progress>) -> Result<PipelineReceipt, JobError> {
    let future = pool(threads).install(|| spawn_pipeline(s, clock(), observe, progress)).unwrap();
    futures_executor::block_on(future)
}

/// A pipeline on the calling thread alone, as the page runs it without a pool, counting the
/// slices it yielded between.
fn in_slices(s: PipelineSettings, observe: Observer, progress: Arc<Progress>) -> (Result<PipelineReceipt, JobError>, usize) {
    let yields = std::cell::Cell::new(0);
    let run = SteppedPipeline::new(s, clock(), observe, progress).unwrap().run_in_slices(0.5, || {
        yields.set(yields.get() + 1);
        std::future::ready(())
    });
    (futures_executor::block_on(run), yields.get())
}

mod pipeline_plan {
    use super::*;

    /// The opening form with these fields changed.
    fn typed(changes: &[(PipelineField, &str)]) -> PipelineForm {
        let mut form = PipelineForm::default();
        for &(field, text) in changes {
            form.set(field, text.to_string());
        }
        form
    }

    // The form opens with settings that make a plan: 3,000 items, 50/100/500 µs, 1 worker, 8 places.
    #[test]
    fn form_opens_with_a_plan() {
        let plan = PipelineForm::default().plan(4).unwrap();
        assert_eq!(plan, PipelinePlan { items: 3_000, stage_us: [50, 100, 500], workers: 1, capacity: 8, unbounded: false });
        let plan = typed(&[(PipelineField::Items, "1 500"), (PipelineField::Workers, "2")]).plan(4).unwrap();
        assert_eq!((plan.items, plan.workers), (1_500, 2));
    }

    // Each field is read within its range and named by the refusal; the first bad field, in the
    // form's order, is the one refused.
    #[test]
    fn form_refuses_each_field() {
        let refusal = |changes: &[(PipelineField, &str)]| typed(changes).plan(4).unwrap_err();
        assert_eq!(refusal(&[(PipelineField::Capacity, "0")]), "Capacity must be from 1 to 10,000 (you asked for 0).");
        assert_eq!(refusal(&[(PipelineField::Items, "lots")]), "Items: “lots” is not a whole number.");
        assert_eq!(refusal(&[(PipelineField::Items, "5")]), "Items must be from 10 to 20,000 (you asked for 5).");
        assert_eq!(
            refusal(&[(PipelineField::WorkerUs, "6000")]),
            "Worker µs per item must be from 0 to 5,000 (you asked for 6,000)."
        );
        assert!(refusal(&[(PipelineField::Workers, "5")]).starts_with("Workers must be from 1 to 4"));
        assert!(refusal(&[(PipelineField::ConsumerUs, "x"), (PipelineField::Capacity, "0")]).starts_with("Consumer µs per item:"));
        for field in PipelineField::ALL {
            assert!(refusal(&[(field, "")]).starts_with(field.name()), "{field:?}");
        }
    }

    // Without a bound the capacity field is not read, and a queue has room for every item.
    #[test]
    fn unbounded_ignores_capacity() {
        let mut form = typed(&[(PipelineField::Capacity, "0")]);
        form.unbounded = true;
        let plan = form.plan(4).unwrap();
        assert_eq!((plan.capacity, plan.unbounded), (3_000, true));
    }

    // The slowest stage sets the pace: a run it would make longer than 20 s is refused, saying
    // how long and why, in one sentence with single spaces.
    #[test]
    fn refuses_runs_that_take_too_long() {
        let form = typed(&[(PipelineField::Items, "20000"), (PipelineField::ConsumerUs, "5000")]);
        let reason = form.plan(4).unwrap_err();
        assert_eq!(
            reason,
            "These settings would take about 100.00 s (the slowest stage alone needs 5000 µs per item for 20,000 items); \
             at most 20.00 s is allowed: use fewer items or faster stages."
        );
        assert!(!reason.contains("  "));
        assert!(PipelinePlan::new(3_000, [50, 100, 500], 1, Some(8), 4).is_ok());
    }

    // Workers share their stage's work only as far as there are threads for them.
    #[test]
    fn pace_counts_workers_up_to_threads() {
        let plan = PipelinePlan::new(1_000, [0, 4_000, 0], 4, Some(8), 2).unwrap();
        assert_eq!(plan.pace_us(2), 2_000.0);
        assert_eq!(plan.pace_us(8), 1_000.0);
        assert_eq!(plan.estimate_ms(2), 2_000.0);
        assert!(PipelinePlan::new(10_000, [0, 4_000, 0], 4, Some(8), 1).unwrap_err().contains("would take about 40.00 s"));
        assert!(PipelinePlan::new(10_000, [0, 4_000, 0], 4, Some(8), 4).is_ok());
    }

    // Without a bound a queue has room for every item; the settings turn µs into spins.
    #[test]
    fn capacity_and_settings() {
        let bounded = PipelinePlan::new(3_000, [50, 100, 500], 2, Some(8), 4).unwrap();
        assert_eq!((bounded.capacity, bounded.unbounded), (8, false));
        let unbounded = PipelinePlan::new(3_000, [50, 100, 500], 2, None, 4).unwrap();
        assert_eq!((unbounded.capacity, unbounded.unbounded), (3_000, true));
        let s = bounded.settings(2.0);
        assert_eq!(s, settings(3_000, [100, 200, 1_000], 8, 2));
        assert!(s.check().is_ok());
        assert!(bounded.memory_bytes() > 3_000);
    }

    // Every plan in range makes settings the engine accepts.
    #[test]
    fn every_plan_runs() {
        let items = *PipelinePlan::ITEMS.end();
        let capacity = *PipelinePlan::CAPACITY.end();
        for workers in 1..=PipelinePlan::MAX_WORKERS {
            for capacity in [Some(1), Some(capacity), None] {
                let plan = PipelinePlan::new(items, [0, 0, 0], workers, capacity, 4).unwrap();
                assert_eq!(plan.settings(100.0).check(), Ok(()));
            }
        }
    }

    // The calibration measures a positive rate.
    #[test]
    fn calibration() {
        let now = clock();
        let per_us = calibrate(|| now());
        assert!(per_us > 0.0);
    }
}

mod pipeline_run {
    use super::*;

    // Every item arrives once with its value, on pools smaller than `workers + 2` too; depths
    // never exceed the capacity; the last sample has everything consumed.
    #[test]
    fn any_pool_size_every_item_once() {
        for (threads, workers, capacity) in [(1, 1, 1), (2, 1, 4), (2, 3, 2), (4, 2, 16), (3, 8, 1)] {
            let s = settings(2_000, [20, 200, 40], capacity, workers);
            let (mut log, observe) = recorder();
            let progress = Progress::new(s.items);
            let receipt = on_pool(threads, s, observe, progress.clone()).unwrap();
            collect(&mut log);
            assert_eq!(expected(&s), plain_checksum(&s));
            assert!(receipt.outcome(expected(&s)).exactly_once(), "{threads} threads, {workers} workers: {receipt:?}");
            assert_eq!(progress.done(), 2_000);
            let samples = log.samples();
            for (sample, _) in samples {
                assert!(sample.queue_depths.iter().all(|&d| d <= capacity as u64), "{sample:?}");
                assert!(sample.consumed <= sample.processed && sample.processed <= sample.produced);
            }
            let last = samples.last().unwrap().0;
            assert_eq!((last.produced, last.processed, last.consumed), (2_000, 2_000, 2_000));
            assert!(receipt.throughput_per_s() > 0.0);
        }
    }

    // Started from outside any pool (as the browser's main thread does), on the global pool.
    #[test]
    fn started_from_outside_the_pool() {
        let s = settings(500, [10, 100, 10], 2, 3);
        let (_, observe) = recorder();
        let receipt = futures_executor::block_on(spawn_pipeline(s, clock(), observe, Progress::new(s.items)).unwrap()).unwrap();
        assert!(receipt.outcome(expected(&s)).exactly_once());
    }

    // A slow consumer fills both queues and makes the producer wait: backpressure.
    #[test]
    fn slow_consumer_backpressure() {
        let s = settings(300, [0, 0, 200_000], 4, 1);
        let (mut log, observe) = recorder();
        let receipt = on_pool(2, s, observe, Progress::new(s.items)).unwrap();
        assert_eq!(receipt.received, 300);
        collect(&mut log);
        let max = log.max_depths();
        // Queue 2 refills as soon as the worker gets a turn, which a sample may just miss.
        assert!(max[0] == 4 && max[1] >= 3, "{max:?} in {} samples, {receipt:?}", log.samples().len());
        assert!(receipt.waiting_ms[0] > receipt.wall_ms * 0.5, "{receipt:?}");
        assert!(receipt.waiting_ms[2] < receipt.wall_ms * 0.2, "{receipt:?}");
    }

    // Without a pool the stages take turns on the calling thread, yielding between slices, and
    // every item still arrives once; without a bound the queues grow instead of the producer
    // waiting.
    #[test]
    fn in_slices_on_one_thread() {
        let plan = PipelinePlan::new(1_000, [1, 10, 1], 2, Some(3), 1).unwrap();
        let s = plan.settings(10.0);
        assert_eq!(s, settings(1_000, [10, 100, 10], 3, 2));
        let (mut log, observe) = recorder();
        let progress = Progress::new(s.items);
        let (receipt, yields) = in_slices(s, observe, progress.clone());
        let receipt = receipt.unwrap();
        assert!(yields > 0);
        assert!(receipt.outcome(expected(&s)).exactly_once(), "{receipt:?}");
        assert_eq!(progress.done(), 1_000);
        collect(&mut log);
        assert!(log.max_depths()[0] <= 3 && log.max_depths()[1] <= 3);

        let s = PipelinePlan::new(1_000, [0, 0, 2_000], 1, None, 1).unwrap().settings(10.0);
        assert_eq!((s.capacity, s.stage_work), (1_000, [0, 0, 20_000]));
        let (mut log, observe) = recorder();
        let (receipt, _) = in_slices(s, observe, Progress::new(s.items));
        assert!(receipt.unwrap().outcome(expected(&s)).exactly_once());
        collect(&mut log);
        let depths = log.max_depths();
        assert!(depths[0].max(depths[1]) > 100, "{depths:?}");
    }

    // Cancelling stops a run on the pool and one in slices, with `Cancelled`.
    #[test]
    fn cancel() {
        let s = settings(1_000, [10, 100, 10], 3, 2);
        let (_, observe) = recorder();
        let progress = Progress::new(s.items);
        progress.cancel();
        assert_eq!(on_pool(2, s, observe.clone(), progress.clone()), Err(JobError::Cancelled));
        assert_eq!(in_slices(s, observe, progress).0, Err(JobError::Cancelled));
    }

    // Settings that make no sense are refused with a reason, before anything runs.
    #[test]
    fn refusals() {
        assert!(settings(10, [1, 1, 1], 0, 1).check().unwrap_err().contains("at least one item"));
        assert!(settings(10, [1, 1, 1], 1, 0).check().unwrap_err().contains("from 1 to 8 workers"));
        assert!(settings(10, [1, 1, 1], 1, 9).check().unwrap_err().contains("you asked for 9"));
        assert!(settings(1_000_001, [1, 1, 1], 1, 1).check().unwrap_err().contains("At most"));
        let (_, observe) = recorder();
        let refused = spawn_pipeline(settings(10, [1, 1, 1], 0, 1), clock(), observe.clone(), Progress::new(10)).err();
        assert_eq!(refused, Some(PipelineError::Refused("Each queue needs room for at least one item.".into())));
        let refused = SteppedPipeline::new(settings(10, [1, 1, 1], 1, 0), clock(), observe, Progress::new(10)).err().unwrap();
        assert!(refused.to_string().contains("from 1 to 8 workers"));
        assert_eq!(PipelineError::from(JobError::Cancelled), PipelineError::Job(JobError::Cancelled));
    }
}

mod bank {
    use super::*;

    // The form opens with a plan: 2 racy clients of 1,000,000 operations each; the actor is chosen
    // by its id.
    #[test]
    fn form_opens_with_a_plan() {
        assert_eq!(BankForm::default().plan(4), Ok(BankPlan { banking: Banking::Racy, clients: 2, ops_per_client: 1_000_000 }));
        let form = BankForm { banking: Banking::from_id("actor").unwrap(), clients: "8".into(), ops: "250,000".into() };
        assert_eq!(form.plan(4).map(|p| (p.banking, p.total_ops())), Ok((Banking::Actor, 2_000_000)));
    }

    // Without worker threads the bank is refused before anything is read; then each field, then
    // the total.
    #[test]
    fn form_refusals_in_order() {
        let form = |clients: &str, ops: &str| BankForm { banking: Banking::Racy, clients: clients.into(), ops: ops.into() };
        assert_eq!(form("x", "x").plan(0).unwrap_err(), BankPlan::NEEDS_THREADS);
        assert_eq!(form("9", "x").plan(4).unwrap_err(), "Clients must be from 1 to 8 (you asked for 9).");
        assert_eq!(form("2", "0").plan(4).unwrap_err(), "Operations per client must be from 1 to 1,000,000 (you asked for 0).");
        assert!(form("8", "1000000").plan(4).unwrap_err().contains("at most 2,000,000 (you asked for 8,000,000)"));
    }

    fn plan(banking: Banking, clients: u64, ops: u64) -> BankPlan {
        BankPlan::new(banking, clients, ops).unwrap()
    }

    // The actor applies each message to its balance and counts it.
    #[test]
    fn actor_applies_messages() {
        let mut actor = Actor::new(1_000);
        actor.apply(AccountOp::Deposit(250));
        actor.apply(AccountOp::Withdraw(1_500));
        assert_eq!((actor.balance(), actor.applied()), (-250, 2));
    }

    // More than 2,000,000 operations in all are refused, in one sentence with single spaces.
    #[test]
    fn plan_refuses_too_many_operations() {
        let reason = BankPlan::new(Banking::Actor, 8, 1_000_000).unwrap_err();
        assert_eq!(
            reason,
            "Clients × operations must be at most 2,000,000 (you asked for 8,000,000): the actor's mailbox may have to \
             hold most of them at once, and that takes memory."
        );
        let ok = plan(Banking::Actor, 2, 1_000_000);
        assert_eq!((ok.clients, ok.ops_per_client, ok.total_ops()), (2, 1_000_000, 2_000_000));
        assert_eq!(ok.memory_bytes(), 64_000_000);
        assert_eq!(plan(Banking::Racy, 2, 1_000_000).memory_bytes(), 0);
        assert!(BankPlan::NEEDS_THREADS.contains("cannot run here") && !BankPlan::NEEDS_THREADS.contains("  "));
    }

    // Messages from 4 clients at once never lose an update, on a full pool and on one thread.
    #[test]
    fn actor_balance_is_exact() {
        for threads in [4, 1] {
            let pool = pool(threads);
            for _ in 0..10 {
                let progress = Progress::new(80_000);
                let now = clock();
                let outcome = pool.install(|| run_bank(&plan(Banking::Actor, 4, 20_000), &progress, || now())).unwrap();
                assert_eq!((outcome.actual, outcome.lost()), (outcome.expected, 0), "pool of {threads}");
                assert_eq!(outcome.operations, 80_000);
                assert_eq!(progress.done(), 80_000);
                assert!(outcome.wall_ms >= 0.0);
            }
        }
    }

    // The racy account is exact with one client, and has the actor's expected balance with more
    // (whether it loses updates this time is up to the scheduler).
    #[test]
    fn racy_account() {
        let pool = pool(4);
        let run = |p: BankPlan| pool.install(|| run_bank(&p, &Progress::new(p.total_ops()), || 0.0)).unwrap();
        let alone = run(plan(Banking::Racy, 1, 50_000));
        assert_eq!(alone.actual, alone.expected);
        let crowd = run(plan(Banking::Racy, 4, 50_000));
        let actor = run(plan(Banking::Actor, 4, 50_000));
        assert_eq!(crowd.expected, actor.expected);
        assert_eq!(actor.actual, actor.expected);
        assert_eq!(actor.expected - BankPlan::OPENING_CENTS, crowd.expected - BankPlan::OPENING_CENTS);
    }

    // A cancelled run ends with `Cancelled`, whichever way it banks.
    #[test]
    fn cancel() {
        for banking in [Banking::Racy, Banking::Actor] {
            let progress = Progress::new(40_000);
            progress.cancel();
            assert_eq!(pool(2).install(|| run_bank(&plan(banking, 2, 20_000), &progress, || 0.0)), Err(JobError::Cancelled));
        }
    }

    // The form's values name the ways of banking; money reads as euros.
    #[test]
    fn ids_and_euros() {
        for banking in [Banking::Racy, Banking::Actor] {
            assert_eq!(Banking::from_id(banking.id()), Some(banking));
        }
        assert_eq!(Banking::from_id("shared"), None);
        assert_eq!(euros(BankPlan::OPENING_CENTS), "€1,000.00");
        assert_eq!(euros(-123_450), "−€1,234.50");
        assert_eq!(euros(5), "€0.05");
    }
}
