//! Interleave's pure core: the engine of every widget, the way CPU-bound work runs without
//! blocking, and the learning model (lessons, quizzes, grading, review, progress, search).
//!
//! Implementation note: nothing in this crate knows about a browser. It has no `yew`, `web-sys`,
//! `js-sys` or `gloo` dependency (a test of `crates/web` reads this crate's manifest and fails if
//! one appears), reads no clock (callers pass `now` closures or times), and never blocks a
//! thread it was not given: every entry point that waits is meant to run on a pool thread. So
//! all of it is tested natively, and the same code runs on web workers.
//!
//! One module per widget, named as the widget's `data-widget` (with `_` for `-`); then [`run`]
//! (jobs, slices, thread counts, the lab's kernels), [`timer_wheel`] (the lab's timers) and
//! [`learning`].

pub mod barista;
pub mod channels;
pub mod event_loop;
pub mod event_loop_stepper;
pub mod explorer;
pub mod false_sharing;
pub mod gpu;
pub mod granularity;
pub mod prime_count;
pub mod race;
pub mod responsiveness;
pub mod simd;
pub mod speedup;

pub mod learning;
pub mod numbers;
pub mod run;
pub mod timer_wheel;
