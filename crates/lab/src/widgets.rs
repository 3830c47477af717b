//! One view per widget, named as its engine in `interleave_core` and its `data-widget`.

pub(crate) mod barista;
pub(crate) mod channels;
pub(crate) mod event_loop;
pub(crate) mod event_loop_stepper;
pub(crate) mod explorer;
pub(crate) mod granularity;
pub(crate) mod lab_common;
pub(crate) mod prime_count;
pub(crate) mod race;
pub(crate) mod responsiveness;
pub(crate) mod speedup;
