//! The browser's worker pool: started once at load, and the one way the views run parallel work.
//!
//! Implementation note: the browser's main thread may never block (no `Atomics.wait` there), so
//! nothing here calls into rayon synchronously. [`run`] hands a job to the pool with
//! `rayon::spawn` and awaits a oneshot channel; without a pool it runs the same job in slices of
//! about [`SLICE_MS`] and yields to the event loop between them, so the page keeps painting.

use std::cell::RefCell;
use std::sync::Arc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use interleave_core::run::jobs::{spawn_on_pool, Job, JobError, Progress, Sliced};

/// Memory grown at start-up, before the workers exist (see [`start`]).
const RESERVED_BYTES: usize = 256 << 20;

/// Longest stretch of main-thread work between two yields, when running without a pool.
pub const SLICE_MS: f64 = 8.0;

/// Whether the page has a worker pool, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolState {
    /// The workers are being started.
    Starting,
    /// The pool runs this many workers.
    Ready {
        /// Number of web workers in the pool.
        workers: usize,
    },
    /// Everything runs on the main thread.
    Fallback {
        /// Why there are no threads, in plain words.
        reason: String,
    },
}

impl PoolState {
    /// Workers in the pool (0 while starting or falling back).
    pub fn workers(&self) -> usize {
        match self {
            PoolState::Ready { workers } => *workers,
            _ => 0,
        }
    }
    /// Whether a job can be started (the pool is ready, or we know we run without it).
    pub fn settled(&self) -> bool {
        !matches!(self, PoolState::Starting)
    }
}

thread_local! {
    /// What [`start`] reached: the one record of whether there is a pool (the app's
    /// `PoolState` context is a copy of it, for views to re-render on).
    static STARTED: RefCell<Option<PoolState>> = const { RefCell::new(None) };
}

/// Whether the page is cross-origin isolated (required for shared memory between workers).
pub fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// `navigator.hardwareConcurrency`, at least 1.
pub fn hardware_concurrency() -> usize {
    web_sys::window().map_or(1, |w| w.navigator().hardware_concurrency() as usize).max(1)
}

/// Starts one worker per logical core, without blocking the page. Later calls return the state
/// the first one reached (rayon's global pool can be built only once).
pub async fn start() -> PoolState {
    if let Some(state) = STARTED.with(|s| s.borrow().clone()) {
        return state;
    }
    let state = start_once().await;
    STARTED.with(|s| *s.borrow_mut() = Some(state.clone()));
    state
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

/// Resolves once the browser is idle after the page is shown (`requestIdleCallback`, waiting at
/// most a second; where there is none, 200 ms later), so that starting the workers stays out of
/// the way of the first paint and the first input.
pub async fn idle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let on_idle = js_sys::Reflect::get(&global, &"requestIdleCallback".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let _ = match on_idle {
            Some(on_idle) => {
                let options = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&options, &"timeout".into(), &1000.into());
                on_idle.call2(&global, &resolve, &options)
            }
            None => gloo::utils::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 200).map(JsValue::from),
        };
    });
    let _ = JsFuture::from(promise).await;
}

/// Workers in the running pool (0 while it starts, or without one).
pub fn workers() -> usize {
    STARTED.with(|s| s.borrow().as_ref().map_or(0, PoolState::workers))
}

/// Milliseconds since the page loaded.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Gives the event loop a turn: resolves on a fresh task, so the browser can paint and handle
/// input first. A `MessageChannel` message is used rather than `setTimeout(0)`, which browsers
/// clamp to 4 ms once nested.
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let channel = web_sys::MessageChannel::new().expect("MessageChannel is available");
        let port = channel.port1();
        let onmessage = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        port.set_onmessage(Some(onmessage.unchecked_ref()));
        let _ = channel.port2().post_message(&JsValue::UNDEFINED);
    });
    let _ = JsFuture::from(promise).await;
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
