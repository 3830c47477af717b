//! One view per widget the lab draws, named as its engine in `interleave_core` and its
//! `data-widget`. (The three that need neither threads nor the pool, the barista and the two
//! event-loop widgets, are the reader's: `crates/web/src/widgets`.) Beside them, what several
//! views share: `lab_common`, and `timeline`, the worker timeline of the speedup lab and the
//! granularity explorer.

pub(crate) mod channels;
pub(crate) mod explorer;
pub(crate) mod false_sharing;
pub(crate) mod gpu;
pub(crate) mod granularity;
pub(crate) mod lab_common;
pub(crate) mod prime_count;
pub(crate) mod race;
pub(crate) mod responsiveness;
pub(crate) mod simd;
pub(crate) mod speedup;
pub(crate) mod timeline;
