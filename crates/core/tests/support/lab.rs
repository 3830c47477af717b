//! What the lab's native tests share: a local pool of a chosen size, and a millisecond clock.
#![allow(dead_code)] // each test binary uses what it needs of it

use std::sync::OnceLock;
use std::time::Instant;

/// A rayon pool of `threads` workers of its own, apart from the global one.
pub(crate) fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a local pool builds")
}

/// Milliseconds since the first reading in this test binary, as the engines take a clock.
pub(crate) fn clock() -> impl Fn() -> f64 + Send + Sync + Copy + 'static {
    fn since_start() -> f64 {
        static START: OnceLock<Instant> = OnceLock::new();
        START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
    }
    since_start
}
