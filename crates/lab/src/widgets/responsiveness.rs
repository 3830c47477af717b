//! The responsiveness meter: something always moving, a text box, and the same CPU-bound job run
//! three ways, with the longest frame gap and the long tasks of each.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::timers::callback::Interval;
use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use serde::Serialize;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::widgets::lab_common::lab_table;

use interleave_core::numbers::duration_ms;
use interleave_core::prime_count::PrimeCount;
use interleave_core::responsiveness::{long_tasks_since, parse_limit, RunMode, Try};
use interleave_core::run::jobs::{JobError, Sliced};

use crate::pool::{self, now_ms, PoolState};
use interleave_ui::widget::{ProgressBar, Widget, WidgetFrame};
use interleave_ui::use_run::use_run;

#[derive(Default)]
struct Frames {
    last: f64,
    max_gap: f64,
    /// Blocking periods (start, end) the browser reported, as long tasks or long frames.
    long_periods: Vec<(f64, f64)>,
    /// When the current measurement started.
    since: f64,
    phase: f64,
}

/// `data-result`: the last try, its mode by [`RunMode::as_str`].
#[derive(Serialize)]
struct TryJson {
    mode: &'static str,
    wall_ms: f64,
    max_frame_gap_ms: f64,
    long_tasks: Option<u32>,
}

type FrameCallback = Rc<RefCell<Option<Box<dyn FnMut(f64)>>>>;

/// Runs a callback on every animation frame until dropped.
struct FrameLoop(Rc<RefCell<Option<AnimationFrame>>>, FrameCallback);

impl FrameLoop {
    fn start(mut on_frame: impl FnMut(f64) + 'static) -> Self {
        let slot: Rc<RefCell<Option<AnimationFrame>>> = Rc::new(RefCell::new(None));
        let cb: FrameCallback = Rc::new(RefCell::new(None));
        let (slot2, cb2) = (slot.clone(), cb.clone());
        *cb.borrow_mut() = Some(Box::new(move |t| {
            on_frame(t);
            let cb3 = cb2.clone();
            *slot2.borrow_mut() = Some(request_animation_frame(move |t| {
                if let Some(f) = cb3.borrow_mut().as_mut() {
                    f(t);
                }
            }));
        }));
        let cb4 = cb.clone();
        *slot.borrow_mut() = Some(request_animation_frame(move |t| {
            if let Some(f) = cb4.borrow_mut().as_mut() {
                f(t);
            }
        }));
        Self(slot, cb)
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        // The callback holds itself (to schedule the next frame): break that cycle.
        self.0.borrow_mut().take();
        self.1.borrow_mut().take();
    }
}

/// Resolves at the next animation frame.
async fn next_frame() {
    let (tx, rx) = futures::channel::oneshot::channel();
    let _handle = request_animation_frame(move |_| {
        let _ = tx.send(());
    });
    let _ = rx.await;
}

impl Frames {
    /// Distinct blocking periods reported since `since`.
    fn long_tasks_since(&self, since: f64) -> u32 {
        long_tasks_since(&self.long_periods, since)
    }
}

type EntryCallback = Closure<dyn FnMut(web_sys::PerformanceObserverEntryList)>;

/// Records the long tasks (> 50 ms) the browser reports, where it can. Chromium attributes work
/// done inside a frame's callbacks to long animation frames rather than long tasks, so both
/// kinds are watched and overlapping reports merged.
fn observe_long_tasks(frames: Rc<RefCell<Frames>>) -> Option<(Vec<web_sys::PerformanceObserver>, EntryCallback)> {
    let cb = EntryCallback::new(move |list: web_sys::PerformanceObserverEntryList| {
        let mut f = frames.borrow_mut();
        for entry in list.get_entries().iter() {
            let entry: web_sys::PerformanceEntry = entry.unchecked_into();
            if entry.duration() > 50.0 {
                f.long_periods.push((entry.start_time(), entry.start_time() + entry.duration()));
            }
        }
    });
    let mut observers = Vec::new();
    for kind in ["longtask", "long-animation-frame"] {
        let Ok(observer) = web_sys::PerformanceObserver::new(cb.as_ref().unchecked_ref()) else { continue };
        let init = js_sys::Object::new();
        js_sys::Reflect::set(&init, &"type".into(), &kind.into()).ok()?;
        // Throws where the kind is unknown to the browser; then it is simply not watched.
        let observe: js_sys::Function = js_sys::Reflect::get(&observer, &"observe".into()).ok()?.unchecked_into();
        if observe.call1(&observer, &init).is_ok() {
            observers.push(observer);
        }
    }
    (!observers.is_empty()).then_some((observers, cb))
}

#[function_component]
pub(crate) fn ResponsivenessMeter() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let input = use_state(|| "5,000,000".to_string());
    let refusal = use_state(|| None::<String>);
    // The outcome of a run is the whole table of tries, this one last.
    let run = use_run::<Vec<Try>>();
    let last_mode = use_state(|| None::<RunMode>);
    let frames = use_mut_ref(Frames::default);
    let ball = use_node_ref();
    let redraw = use_force_update();
    let long_tasks_supported = use_mut_ref(|| false);

    // The ball moves on every frame; the readout is redrawn four times a second.
    {
        let (frames, ball, redraw, supported) = (frames.clone(), ball.clone(), redraw.clone(), long_tasks_supported.clone());
        use_effect_with((), move |_| {
            frames.borrow_mut().last = now_ms();
            let f = frames.clone();
            let looper = FrameLoop::start(move |t| {
                let mut fr = f.borrow_mut();
                let gap = t - fr.last;
                fr.max_gap = fr.max_gap.max(gap);
                fr.last = t;
                fr.phase = (fr.phase + gap / 1600.0) % 2.0;
                let x = if fr.phase < 1.0 { fr.phase } else { 2.0 - fr.phase };
                if let Some(el) = ball.cast::<web_sys::HtmlElement>() {
                    let _ = el.style().set_property("left", &format!("calc({:.4} * (100% - 1.5rem))", x));
                }
            });
            let observer = observe_long_tasks(frames.clone());
            *supported.borrow_mut() = observer.is_some();
            let readout = Interval::new(250, move || redraw.force_update());
            move || {
                drop(looper);
                drop(readout);
                if let Some((observers, _cb)) = observer {
                    observers.iter().for_each(web_sys::PerformanceObserver::disconnect);
                }
            }
        });
    }

    let start = {
        let (input, refusal, run, last_mode, frames) = (input.clone(), refusal.clone(), run.clone(), last_mode.clone(), frames.clone());
        let supported = long_tasks_supported.clone();
        move |mode: RunMode| {
            let (input, refusal, run, last_mode, frames) = (input.clone(), refusal.clone(), run.clone(), last_mode.clone(), frames.clone());
            let supported = supported.clone();
            Callback::from(move |_| {
                if run.running() {
                    return;
                }
                let limit = match parse_limit(&input) {
                    Ok(l) => l,
                    Err(reason) => return refusal.set(Some(reason)),
                };
                if mode == RunMode::Pool && pool::workers() == 0 {
                    return refusal.set(Some("There is no worker pool on this page (see the thread status below), so this way cannot run here.".into()));
                }
                let job = PrimeCount { limit };
                last_mode.set(Some(mode));
                let mut tries = run.outcome().cloned().unwrap_or_default();
                let (frames, supported) = (frames.clone(), supported.clone());
                run.start(limit, "the numbers", move |p| async move {
                    // Let the page show that the run started before measuring from a fresh frame.
                    TimeoutFuture::new(30).await;
                    next_frame().await;
                    // Start in a task of its own (not inside the frame's callbacks), where the
                    // browser's long-task reporting can see it.
                    pool::yield_now().await;
                    let started = now_ms();
                    {
                        let mut f = frames.borrow_mut();
                        f.max_gap = 0.0;
                        f.last = started;
                        f.since = started;
                    }
                    let result = match mode {
                        RunMode::MainThread => {
                            let mut sliced = Sliced::new(Arc::new(job), p);
                            sliced.run_until(|| false).unwrap_or(Err(JobError::Lost))
                        }
                        RunMode::Sliced => pool::run_sliced(job, p).await,
                        RunMode::Pool => pool::run(job, p).await,
                    };
                    let wall_ms = now_ms() - started;
                    // The frame after a freeze is where its gap is seen; long tasks arrive after it.
                    next_frame().await;
                    TimeoutFuture::new(60).await;
                    result?;
                    let f = frames.borrow();
                    let long_tasks = (*supported.borrow()).then_some(f.long_tasks_since(started));
                    tries.push(Try::new(mode, wall_ms, f.max_gap, long_tasks));
                    Ok::<_, JobError>(tries)
                });
            })
        }
    };

    let running = run.running();
    let f = frames.borrow();
    let tries: &[Try] = run.outcome().map_or(&[], Vec::as_slice);
    let result = tries.last().map(|t| {
        let json = TryJson { mode: t.mode.as_str(), wall_ms: t.wall_ms, max_frame_gap_ms: t.max_frame_gap_ms, long_tasks: t.long_tasks };
        AttrValue::from(serde_json::to_string(&json).unwrap_or_default())
    });
    let fraction = run.fraction();
    let oninput = {
        let (input, refusal) = (input.clone(), refusal.clone());
        Callback::from(move |e: InputEvent| {
            input.set(e.target_unchecked_into::<HtmlInputElement>().value());
            refusal.set(None);
        })
    };
    html! {
        <WidgetFrame widget={Widget::Responsiveness} state={run.state()} {result}>
            <p>{ "The dot moves on every frame the browser draws; type in the box while a job runs. \
                  Then run the same CPU-bound job (counting primes) three ways and compare." }</p>
            <div class="track" aria-hidden="true"><div class="ball" ref={ball}></div></div>
            <div class="meter-row">
                <label>{ "Type here while it runs" }<input type="text" name="typing" placeholder="Does it keep up?" /></label>
                <p class="readout" aria-live="off">
                    <span>{ "Longest frame gap: " }<strong data-testid="frame-gap">{ duration_ms(f.max_gap) }</strong></span>
                    <span>{ "Long tasks: " }<strong>{ if *long_tasks_supported.borrow() { f.long_tasks_since(f.since).to_string() } else { "not reported by this browser".to_string() } }</strong></span>
                </p>
            </div>
            <div class="controls">
                <label for="meter-limit">{ "Count primes below" }</label>
                <input id="meter-limit" name="limit" inputmode="numeric" value={(*input).clone()} {oninput} disabled={running} />
            </div>
            <div class="controls mode-buttons">
                { for RunMode::ALL.iter().map(|&m| {
                    let unavailable = m == RunMode::Pool && pool_state.workers() == 0;
                    html! {
                        <button type="button" data-mode={m.as_str()} class={classes!((running && *last_mode == Some(m)).then_some("primary"))}
                                disabled={running || unavailable || !pool_state.settled()} onclick={start(m)}
                                title={unavailable.then_some("No worker pool on this page")}>
                            { m.label() }
                        </button>
                    }
                }) }
            </div>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar {fraction} label="Numbers tested" /> }
            if !tries.is_empty() {
                { lab_table("Your tries", "Your tries", classes!("tries"), &["Way", "Wall time", "Longest frame gap", "Long tasks"], html! {
                    <>{ for tries.iter().map(|t| html! {
                        <tr class={classes!((!t.smooth()).then_some("janky"))}>
                            <td>{ t.mode.label() }</td>
                            <td>{ duration_ms(t.wall_ms) }</td>
                            <td>{ duration_ms(t.max_frame_gap_ms) }{ if t.smooth() { " (smooth)" } else { " (frozen)" } }</td>
                            <td>{ t.long_tasks.map_or("n/a".to_string(), |n| n.to_string()) }</td>
                        </tr>
                    }) }</>
                }) }
                <p class="help">{ "In one go, the page cannot draw or react until the job ends. In slices, it stays smooth but the job \
                    is no faster: that is concurrency without parallelism. On the pool, the work runs on other cores: smooth and faster." }</p>
            }
        </WidgetFrame>
    }
}
