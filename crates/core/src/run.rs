//! How CPU-bound work runs without blocking its caller: jobs on the rayon pool or in slices
//! ([`jobs`]), "k threads" runs on a pool that has more ([`threads`]), one rayon task per index
//! ([`tasks`]), the timelines of such runs ([`timeline`]), the lab's kernels ([`kernels`]) and
//! deterministic busy work ([`busy`]).
//!
//! Implementation note: nothing here blocks a browser's main thread or reads a clock. Every entry
//! point that waits (on rayon, a lock or a channel) must run on a pool thread — the views reach
//! them through [`jobs::spawn_task`] or [`jobs::spawn_on_pool`] — and every measurement takes the
//! caller's clock as a closure `now: impl Fn() -> f64` (milliseconds), so the same code runs
//! natively and on web workers.

pub mod busy;
pub mod jobs;
pub mod kernels;
pub mod tasks;
pub mod threads;
pub mod timeline;
