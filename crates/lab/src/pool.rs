//! The browser's worker pool: started once, when the lab loads, and the one way the widgets run
//! parallel work.
//!
//! Implementation note: the browser's main thread may never block (no `Atomics.wait` there), so
//! nothing here calls into rayon synchronously. [`run`] hands a job to the pool with
//! `rayon::spawn` and awaits a oneshot channel; without a pool it runs the same job in slices of
//! about [`SLICE_MS`] and yields to the event loop between them, so the page keeps painting.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use interleave_core::run::jobs::{spawn_on_pool, Job, JobError, Progress, Sliced};
use interleave_core::run::timeline::Span;
pub use interleave_ui::pool_state::PoolState;
pub use interleave_ui::tasks::{cross_origin_isolated, hardware_concurrency, idle, now_ms, yield_now};

/// Memory grown at start-up, before the workers exist (see [`start`]): room for the workers' own
/// stacks and some headroom. Each run then makes room for what it needs itself, before it starts
/// (`widgets::lab_common::reserve_memory`).
fn start_bytes(workers: usize) -> usize {
    (16 << 20) + workers * (2 << 20)
}

/// The name of the channel a worker that stops tells the page on.
const STOPPED_CHANNEL: &str = "interleave-lab-worker-stopped";

/// Set by a worker that panicked: the pool is not used again (its thread is gone, and with it
/// whatever it held), and every run goes to the page's one thread.
static BROKEN: AtomicBool = AtomicBool::new(false);

/// Longest stretch of main-thread work between two yields, when running without a pool.
pub const SLICE_MS: f64 = 8.0;

thread_local! {
    /// What [`start`] reached: the one record of whether there is a pool (each widget's
    /// `PoolState` context is a copy of it, for views to re-render on).
    static STARTED: RefCell<Option<PoolState>> = const { RefCell::new(None) };
    /// The one start, shared by every caller that comes while it runs.
    static STARTING: RefCell<Option<Shared<LocalBoxFuture<'static, PoolState>>>> = const { RefCell::new(None) };
    /// Who is told when the state changes after the start (a worker stopped).
    static LISTENERS: RefCell<Vec<(u64, Box<dyn Fn(&PoolState)>)>> = const { RefCell::new(Vec::new()) };
    /// The page's end of [`STOPPED_CHANNEL`], kept open while the pool runs.
    static STOPPED_LISTENER: RefCell<Option<(web_sys::BroadcastChannel, Closure<dyn FnMut(web_sys::MessageEvent)>)>> = const { RefCell::new(None) };
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
    // worker see pages another thread grows later (it traps reading them). Untouched pages cost
    // no physical memory. A device that cannot give it runs everything on this thread.
    let bytes = start_bytes(workers);
    if make_room(bytes).is_err() {
        return PoolState::Fallback {
            reason: format!(
                "This device could not give the page the {} MB of memory the worker threads need. \
                 Every experiment still works, on this one thread, but nothing runs in parallel.",
                bytes >> 20
            ),
        };
    }
    match JsFuture::from(wasm_bindgen_rayon::init_thread_pool(workers)).await {
        Ok(_) => {
            listen_for_stopped_workers();
            PoolState::Ready { workers }
        }
        Err(e) => PoolState::Fallback {
            reason: format!(
                "The web workers could not be started ({}), so everything runs on this one thread.",
                e.as_string().unwrap_or_else(|| format!("{e:?}"))
            ),
        },
    }
}

/// Grows the memory so that the allocator holds `bytes` free, or says it could not
/// ([`JobError::NoMemory`]) instead of aborting as a failed allocation does.
pub fn make_room(bytes: usize) -> Result<(), JobError> {
    let mut room = Vec::<u8>::new();
    room.try_reserve_exact(bytes).map_err(|_| JobError::NoMemory { bytes })?;
    drop(std::hint::black_box(room));
    Ok(())
}

/// Workers in the running pool (0 while it starts, without one, or once a worker has stopped).
pub fn workers() -> usize {
    if BROKEN.load(Ordering::Relaxed) {
        return 0;
    }
    STARTED.with(|s| s.borrow().as_ref().map_or(0, PoolState::workers))
}

/// Calls `then` with the pool's new state whenever it changes after the start; returns the key
/// to [`unsubscribe`] with.
pub fn subscribe(then: impl Fn(&PoolState) + 'static) -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let key = NEXT.fetch_add(1, Ordering::Relaxed);
    LISTENERS.with(|l| l.borrow_mut().push((key, Box::new(then))));
    key
}

/// Stops telling the one [`subscribe`] returned `key` for.
pub fn unsubscribe(key: u64) {
    LISTENERS.with(|l| l.borrow_mut().retain(|(k, _)| *k != key));
}

/// The pool's state changed after its start: every subscriber is told, and the page (its
/// footer) by an `interleave:pool` event.
fn changed(state: PoolState) {
    STARTED.with(|s| *s.borrow_mut() = Some(state.clone()));
    LISTENERS.with(|l| {
        for (_, then) in l.borrow().iter() {
            then(&state);
        }
    });
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&state.to_js());
    if let (Some(window), Ok(event)) = (web_sys::window(), web_sys::CustomEvent::new_with_event_init_dict("interleave:pool", &init)) {
        let _ = window.dispatch_event(&event);
    }
}

/// What the page does when a worker says it stopped: no more pool, and the learner told why.
fn listen_for_stopped_workers() {
    let Ok(channel) = web_sys::BroadcastChannel::new(STOPPED_CHANNEL) else { return };
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
        let why = event.data().as_string().unwrap_or_else(|| "no message".into());
        BROKEN.store(true, Ordering::Relaxed);
        changed(PoolState::Fallback {
            reason: format!(
                "A worker thread stopped because of an error in it ({why}). The experiment it was \
                 running stopped too; every experiment now runs on this page's one thread. Reload \
                 the page to get the worker threads back."
            ),
        });
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    STOPPED_LISTENER.with(|l| *l.borrow_mut() = Some((channel, on_message)));
}

/// Installs the lab's panic hook. A panic aborts the thread it happens on (the module is built
/// with `panic = "abort"`), so the hook is the last word: on a worker it ends every job still on
/// the pool with the panic's message (nobody waits for an answer that will not come) and tells
/// the page; on the page's thread it says, in every widget the lab drew, that the experiments
/// stopped and how to get them back ([`crate::stopped`]).
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        web_sys::console::error_1(&format!("Interleave's lab: {message}").into());
        if web_sys::window().is_some() {
            crate::stopped::show(&message);
        } else {
            BROKEN.store(true, Ordering::Relaxed);
            interleave_core::run::jobs::abandon_all(&message);
            if let Ok(channel) = web_sys::BroadcastChannel::new(STOPPED_CHANNEL) {
                let _ = channel.post_message(&message.as_str().into());
            }
        }
        previous(info);
    }));
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

/// Runs `job` on this thread in slices, as [`run_sliced`], and says how long the slices took
/// (milliseconds), without the pauses between them: the time one thread spent computing.
pub async fn run_sliced_busy<J: Job>(job: J, progress: Arc<Progress>) -> Result<(J::Output, f64), JobError> {
    let mut sliced = Sliced::new(Arc::new(job), progress);
    let mut busy = 0.0;
    in_slices(|should_yield| {
        let start = now_ms();
        let step = sliced.run_until(&mut *should_yield);
        busy += now_ms() - start;
        step
    })
    .await
    .map(|out| (out, busy))
}

/// Runs `job` on this thread only, in slices that yield to the event loop, each slice's start
/// and end recorded with the page's clock if `record`: the output, and the slices' spans (the
/// page thread's row of a timeline).
pub async fn run_sliced_recorded<J: Job>(job: J, progress: Arc<Progress>, record: bool) -> (Result<J::Output, JobError>, Vec<Span>) {
    let mut sliced = Sliced::new(Arc::new(job), progress);
    if record {
        sliced = sliced.recorded(now_ms);
    }
    let out = in_slices(|should_yield| sliced.run_until(should_yield)).await;
    (out, sliced.take_spans())
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
