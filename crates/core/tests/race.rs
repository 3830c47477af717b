//! The race lab as the page runs it: a timed try on the pool (with progress and cancel), and
//! the same five ways on one thread, in slices, for a page without workers.

use std::sync::Arc;

use interleave_core::race::{run_race_timed, OneThreadRace, RaceOutcome, Strategy};
use interleave_core::run::jobs::{spawn_task, Job, JobError, Progress, Sliced};
use interleave_core::run::threads::run_sequential;

#[path = "support/lab.rs"]
mod common;
use common::{pool, clock};

/// Runs `job` slice by slice as a page without workers does, yielding after every slice.
fn in_slices<J: Job>(job: J, progress: Arc<Progress>) -> Result<J::Output, JobError> {
    let mut sliced = Sliced::new(Arc::new(job), progress);
    loop {
        if let Some(done) = sliced.run_until(|| true) {
            return done;
        }
    }
}

// A try carries the figures the page publishes (its JSON is the web view's), the strategy by id.
#[test]
fn try_figures() {
    let tried = pool(2).install(|| run_race_timed(Strategy::LocalThenCombine, 2, 1_000, &Progress::default(), clock())).unwrap();
    assert_eq!(tried.strategy.id(), "local_then_combine");
    assert_eq!((tried.threads, tried.increments_per_thread, tried.expected), (2, 1_000, 2_000));
    assert_eq!(tried.lost, tried.expected - tried.actual);
    assert!(tried.wall_ms >= 0.0);
}

// The page's try on the pool, through a pool task: the counts, every increment in the progress,
// the time to 0.1 ms; safe ways exact, the racy one never over.
#[test]
fn timed_try_through_a_pool_task() {
    for strategy in Strategy::ALL {
        let progress = Progress::new(3 * 20_000);
        let shared = progress.clone();
        let tried = futures_executor::block_on(spawn_task(move || run_race_timed(strategy, 3, 20_000, &shared, clock())))
            .unwrap()
            .unwrap();
        assert_eq!((tried.strategy, tried.threads, tried.increments_per_thread, tried.expected), (strategy, 3, 20_000, 60_000));
        assert_eq!(tried.lost, tried.expected - tried.actual);
        if strategy != Strategy::Racy {
            assert_eq!(tried.lost, 0, "{}", strategy.name());
        }
        assert_eq!((tried.wall_ms * 10.0).round(), tried.wall_ms * 10.0);
        assert_eq!(progress.done(), 60_000);
    }
    let progress = Progress::new(2_000);
    progress.cancel();
    assert_eq!(pool(2).install(|| run_race_timed(Strategy::Mutex, 2, 1_000, &progress, clock())), Err(JobError::Cancelled));
}

// One thread, in slices: every way gives the exact count, as the page explains, with every
// increment counted and the same answer as a plain sequential run.
#[test]
fn one_thread_in_slices_is_exact() {
    for strategy in Strategy::ALL {
        let increments = 200_001;
        let progress = Progress::new(increments);
        let outcome = in_slices(OneThreadRace::new(strategy, increments), progress.clone()).unwrap();
        assert_eq!(outcome, RaceOutcome { expected: increments, actual: increments, lost: 0 }, "{}", strategy.name());
        assert_eq!(progress.fraction(), 1.0);
        assert_eq!(run_sequential(&OneThreadRace::new(strategy, 1_000)).actual, 1_000);
    }
}

// Several slices per run, and a cancel between two slices stops it.
#[test]
fn one_thread_cancel() {
    let job = OneThreadRace::new(Strategy::Atomic, 1 << 20);
    assert_eq!(job.len().div_ceil(job.slice_len()), 16);
    let progress = Progress::new(1 << 20);
    let mut sliced = Sliced::new(Arc::new(job), progress.clone());
    assert!(sliced.run_until(|| true).is_none());
    progress.cancel();
    assert_eq!(sliced.run_until(|| false), Some(Err(JobError::Cancelled)));
    assert!(progress.fraction() < 1.0);
}
