//! The widgets the reader draws itself, once the page is live: the three that need neither
//! threads nor the pool (the lab, `crates/lab`, draws the rest). Each is named as its engine in
//! `interleave_core` and its `data-widget`.

pub(crate) mod barista;
pub(crate) mod event_loop;
pub(crate) mod event_loop_stepper;
