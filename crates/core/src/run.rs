//! How CPU-bound work runs without blocking its caller: jobs on the rayon pool or in slices
//! ([`jobs`]), "k threads" runs on a pool that has more ([`threads`]), the lab's kernels
//! ([`kernels`]) and deterministic busy work ([`busy`]).
//!
//! Implementation note: nothing here blocks a browser's main thread or reads a clock. Every entry
//! point that waits (on rayon, a lock or a channel) must run on a pool thread — the views reach
//! them through [`on_pool`] — and every measurement takes the caller's clock as a closure
//! `now: impl Fn() -> f64` (milliseconds), so the same code runs natively and on web workers.

use std::future::Future;

use jobs::JobError;

pub mod busy;
pub mod jobs;
pub mod kernels;
pub mod threads;

/// Runs `f` on the rayon pool and returns a future of its result; the caller never blocks.
/// The lab's blocking entry points (`run_with_threads`, `run_race`, `run_pipeline`, …) are
/// meant to be called through this from the browser's main thread.
pub fn on_pool<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> impl Future<Output = Result<T, JobError>> {
    let (tx, rx) = futures_channel::oneshot::channel();
    rayon::spawn(move || {
        let _ = tx.send(f());
    });
    async move { rx.await.map_err(|_| JobError::Lost) }
}
