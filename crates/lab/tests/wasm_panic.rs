//! In a real browser: a job that panics on a worker ends with an error saying so (where a panic
//! aborts the worker's thread), the page hears that the worker stopped, and the next job still
//! gives the right answer, on the page's one thread. Its own test binary: the pool it leaves
//! behind is one without workers.
#![cfg(target_arch = "wasm32")]

use interleave_core::prime_count::{count_primes, PrimeCount};
use interleave_core::run::jobs::{spawn_task, JobError, Progress};
use interleave_lab::pool::{self, PoolState};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_panicking_job_fails_and_the_next_job_is_right() {
    pool::install_panic_hook();
    let state = pool::start().await;
    assert!(matches!(state, PoolState::Ready { workers } if workers >= 2), "{state:?}");

    let out = spawn_task(|| -> u64 { panic!("a test panics on a worker") }).await;
    assert_eq!(out, Err(JobError::Stopped("a test panics on a worker".into())));

    // The page is told, over the channel, and gives up the pool.
    for _ in 0..100 {
        if pool::state() != state {
            break;
        }
        gloo::timers::future::TimeoutFuture::new(20).await;
    }
    match pool::state() {
        PoolState::Fallback { reason } => assert!(reason.contains("a test panics on a worker"), "{reason}"),
        other => panic!("the pool should have fallen back, not {other:?}"),
    }
    assert_eq!(pool::workers(), 0);

    // The next job runs, on this thread, and is right.
    let job = PrimeCount { limit: 200_000 };
    let next = pool::run(job, Progress::new(job.limit)).await.unwrap();
    assert_eq!(next.primes, count_primes(0..job.limit));
    assert!(next.threads.is_empty(), "no pool thread was used: {:?}", next.threads);
}
