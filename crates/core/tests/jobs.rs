//! Jobs on the pool when a worker stops: every job still waiting is ended with the reason, and the
//! pool takes the next job as before.

use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

use futures_executor::block_on;
use interleave_core::run::jobs::{abandon_all, jobs_in_flight, spawn_task, JobError};

// `abandon_all` reaches every job of the process: the tests that call it take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn a_stopped_worker_ends_the_waiting_job_and_the_next_job_is_right() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // A job that cannot answer until it is let go, as a job on a worker that stopped never does.
    let (release, held) = mpsc::channel::<()>();
    let stuck = spawn_task(move || {
        let _ = held.recv_timeout(Duration::from_secs(10));
        1u64
    });
    assert_eq!(jobs_in_flight(), 1);
    abandon_all("index out of bounds: the len is 3 but the index is 7");
    assert_eq!(jobs_in_flight(), 0);
    assert_eq!(
        block_on(stuck),
        Err(JobError::Stopped("index out of bounds: the len is 3 but the index is 7".into()))
    );
    let _ = release.send(());
    // The pool is usable for the next job, which gives the right answer.
    let sum = block_on(spawn_task(|| (1..=100u64).sum::<u64>()));
    assert_eq!(sum, Ok(5050));
    assert_eq!(jobs_in_flight(), 0);
}

#[test]
fn an_answered_job_is_not_abandoned() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    assert_eq!(block_on(spawn_task(|| 7u8)), Ok(7));
    assert_eq!(jobs_in_flight(), 0, "an answered job leaves the list");
    abandon_all("too late");
    assert_eq!(block_on(spawn_task(|| 8u8)), Ok(8));
}

#[test]
fn the_errors_say_what_happened() {
    assert_eq!(JobError::Stopped("boom".into()).to_string(), "a worker thread stopped (boom)");
    let no_memory = JobError::NoMemory { bytes: 300 << 20 }.to_string();
    assert!(no_memory.contains("300 MB"), "{no_memory}");
}
