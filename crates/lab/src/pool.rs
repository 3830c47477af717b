//! The browser's worker pool: started once, when the lab loads, and the one way the widgets run
//! parallel work.
//!
//! Implementation note: the browser's main thread may never block (no `Atomics.wait` there), so
//! nothing here calls into rayon synchronously. [`run`] hands a job to the pool with
//! `rayon::spawn` and awaits a oneshot channel; without a pool it runs the same job in slices of
//! about [`SLICE_MS`] and yields to the event loop between them, so the page keeps painting.

use std::cell::RefCell;
use std::sync::Arc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use wasm_bindgen_futures::JsFuture;

use interleave_core::run::jobs::{spawn_on_pool, Job, JobError, Progress, Sliced};
pub use interleave_ui::pool_state::PoolState;
pub use interleave_ui::tasks::{cross_origin_isolated, hardware_concurrency, idle, now_ms, yield_now};

/// Memory grown at start-up, before the workers exist (see [`start`]).
const RESERVED_BYTES: usize = 256 << 20;

/// Longest stretch of main-thread work between two yields, when running without a pool.
pub const SLICE_MS: f64 = 8.0;

thread_local! {
    /// What [`start`] reached: the one record of whether there is a pool (each widget's
    /// `PoolState` context is a copy of it, for views to re-render on).
    static STARTED: RefCell<Option<PoolState>> = const { RefCell::new(None) };
    /// The one start, shared by every caller that comes while it runs.
    static STARTING: RefCell<Option<Shared<LocalBoxFuture<'static, PoolState>>>> = const { RefCell::new(None) };
}

/// Starts one worker per logical core, without blocking the page. Every call, during the start
/// or after it, answers with the state the one start reached (rayon's global pool can be built
/// only once).
pub async fn start() -> PoolState {
    let start = STARTING.with(|s| {
        s.borrow_mut()
            .get_or_insert_with(|| {
                async {
                    // Not in the way of the first paint and the first input: workers start when idle.
                    idle().await;
                    interleave_ui::tasks::mark("interleave:pool-start");
                    let state = start_once().await;
                    interleave_ui::tasks::mark("interleave:pool-settled");
                    STARTED.with(|s| *s.borrow_mut() = Some(state.clone()));
                    state
                }
                .boxed_local()
                .shared()
            })
            .clone()
    });
    start.await
}

/// The pool's state now, without waiting: [`PoolState::Starting`] until [`start`] has settled.
pub fn state() -> PoolState {
    STARTED.with(|s| s.borrow().clone()).unwrap_or(PoolState::Starting)
}

async fn start_once() -> PoolState {
    if !cross_origin_isolated() {
        return PoolState::Fallback {
            reason: "This page is not cross-origin isolated: it was served without the \
                     Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers, so the \
                     browser does not let web workers share memory with it. Every experiment \
                     still works, on this one thread, but nothing runs in parallel."
                .into(),
        };
    }
    if !js_sys::Reflect::has(&js_sys::global(), &"SharedArrayBuffer".into()).unwrap_or(false) {
        return PoolState::Fallback {
            reason: "This browser has no SharedArrayBuffer, which threads need to share memory. \
                     Every experiment still works, on this one thread, but nothing runs in \
                     parallel."
                .into(),
        };
    }
    let workers = hardware_concurrency();
    // Grow the shared memory once, before any worker starts: Chromium does not always let a
    // worker see pages another thread grows later (it traps reading them), so the common jobs
    // should find the room already there. Untouched pages cost no physical memory.
    drop(std::hint::black_box(Vec::<u8>::with_capacity(RESERVED_BYTES)));
    match JsFuture::from(wasm_bindgen_rayon::init_thread_pool(workers)).await {
        Ok(_) => PoolState::Ready { workers },
        Err(e) => PoolState::Fallback {
            reason: format!(
                "The web workers could not be started ({}), so everything runs on this one thread.",
                e.as_string().unwrap_or_else(|| format!("{e:?}"))
            ),
        },
    }
}

/// Workers in the running pool (0 while it starts, or without one).
pub fn workers() -> usize {
    STARTED.with(|s| s.borrow().as_ref().map_or(0, PoolState::workers))
}

/// Runs `job` without blocking the page: on the pool when there is one, otherwise on this
/// thread in slices that yield to the event loop. Progress and cancellation go through
/// `progress`.
pub async fn run<J: Job>(job: J, progress: Arc<Progress>) -> Result<J::Output, JobError> {
    if workers() > 0 {
        return spawn_on_pool(Arc::new(job), progress).await;
    }
    run_sliced(job, progress).await
}

/// Runs `job` on this thread only, in slices that yield to the event loop.
pub async fn run_sliced<J: Job>(job: J, progress: Arc<Progress>) -> Result<J::Output, JobError> {
    let mut sliced = Sliced::new(Arc::new(job), progress);
    in_slices(|should_yield| sliced.run_until(should_yield)).await
}

/// The page's one "slice, then yield" loop: calls `step` with a deadline test (true once about
/// [`SLICE_MS`] have passed in this slice) until it returns its result, and gives the event loop
/// a turn between two calls. Anything with a `run_until(should_yield)` runs this way.
pub async fn in_slices<T>(mut step: impl FnMut(&mut dyn FnMut() -> bool) -> Option<T>) -> T {
    loop {
        let start = now_ms();
        if let Some(done) = step(&mut || now_ms() - start > SLICE_MS) {
            return done;
        }
        yield_now().await;
    }
}
