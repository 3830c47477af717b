//! The speedup lab: one kernel run at 1, 2, … k threads, every answer checked against the
//! one-thread answer, with the measured speedup, the ideal line and Amdahl's curve for the fitted
//! serial fraction; optionally under one global lock (the GIL switch), and with the last run's
//! worker timeline. What to run and what the runs show is core's [`Session`]; this view runs the
//! batch (on the pool, or in slices without one), draws the image, the chart and the timeline.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use yew::prelude::*;

use interleave_core::numbers::{group_digits, round_to};
use interleave_core::run::jobs::{spawn_task, Job, JobError, Progress};
use interleave_core::run::kernels::{parse_size, size_help, Kernel, KernelSize, LabPrimes};
use interleave_core::run::threads::K_THREADS_EXPLANATION;
use interleave_core::run::timeline::{clock_cost, Timeline};
use interleave_core::speedup::live::{LiveMandelbrot, LiveRows};
use interleave_core::speedup::{memory_needed, run_timed, BatchEnd, Lock, Measured, RunMode, RunOrder, RunPlan, Session};

use crate::pool::{self, PoolState};
use interleave_ui::widget::{ProgressBar, RunButtons, RunState, Widget, WidgetFrame};
use canvas::LiveImage;
use crate::widgets::lab_common::{event_value, lab_threads, now_abs_ms, number_field, on_check, reserve_memory, round1, PoolNote};
use crate::widgets::timeline::{TimelineFigure, TimelineJson};

mod canvas;
mod chart;

/// `data-result`: the session's runs and figures; `sliced` when they ran on the page's thread.
fn result_json(s: &Session, sliced: bool) -> Option<AttrValue> {
    let (kernel, size) = s.key().filter(|_| !s.runs().is_empty())?;
    let json = ResultJson {
        kernel: kernel.id(),
        size,
        runs: s.runs().iter().map(|r| RunJson { threads: r.threads, wall_ms: round1(r.wall_ms) }).collect(),
        speedup: s.speedups().iter().map(|&x| round_to(x, 3)).collect(),
        serial_fraction: s.serial_fraction().map(|x| round_to(x, 4)),
        results_match: s.mismatch().is_none(),
        checksum: s.reference(),
        mode: if sliced { "main-thread" } else { "pool" },
        lock: s.lock().id(),
        timeline: s.timeline().map(|(threads, t)| TimelineJson::of(&t, Some(threads), None)),
    };
    serde_json::to_string(&json).ok().map(AttrValue::from)
}

#[derive(Serialize)]
struct RunJson {
    threads: usize,
    wall_ms: f64,
}

#[derive(Serialize)]
struct ResultJson {
    kernel: &'static str,
    size: KernelSize,
    runs: Vec<RunJson>,
    speedup: Vec<f64>,
    serial_fraction: Option<f64>,
    results_match: bool,
    checksum: Option<u64>,
    mode: &'static str,
    /// `free`, or `global` under the one lock.
    lock: &'static str,
    /// The last run's timeline, when it was recorded.
    timeline: Option<TimelineJson>,
}

/// Runs `job` on the page's thread in slices that yield to the browser, timed (and recorded, if
/// asked) by the page. One thread: the lock would change nothing.
async fn on_page<J: Job>(job: J, order: RunOrder, progress: Arc<Progress>, checksum: impl Fn(&J::Output) -> u64) -> Result<Measured, JobError> {
    let start = pool::now_ms();
    let (out, spans) = pool::run_sliced_recorded(job, progress, order.record).await;
    let (end, out) = (pool::now_ms(), out?);
    let timeline = order.record.then(|| Timeline::new(spans, start, end).with_clock_cost(clock_cost(&pool::now_ms)));
    Ok(Measured { threads: order.threads, wall_ms: end - start, checksum: checksum(&out), slices_by_worker: BTreeMap::new(), timeline })
}

/// One run as `order` says: on the pool (timed there), or sliced without one.
async fn run_once(order: RunOrder, progress: Arc<Progress>, rows: Option<Arc<LiveRows>>) -> Result<Measured, JobError> {
    if pool::workers() == 0 {
        return match order.kernel {
            Kernel::Mandelbrot => on_page(LiveMandelbrot::new(order.size, rows), order, progress, |img| img.checksum).await,
            Kernel::Primes => on_page(LabPrimes { limit: order.size }, order, progress, |&c| c).await,
            Kernel::Blur => on_page(order.kernel.blur(order.size), order, progress, |&c| c).await,
        };
    }
    spawn_task(move || run_timed(order, &progress, rows, now_abs_ms)).await?
}

#[function_component]
pub(crate) fn SpeedupLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let max_threads = lab_threads(&pool_state);
    let kernel = use_state(|| Kernel::Mandelbrot);
    let size_text = use_state(|| group_digits(Kernel::Mandelbrot.default_size()));
    let choice = use_state(|| RunPlan::Sweep);
    let gil = use_state(|| false);
    let record = use_state(|| true);
    let refusal = use_state(|| None::<String>);
    let lab = use_mut_ref(Session::default);
    let sliced = use_mut_ref(|| false);
    let redraw = use_force_update();
    let image = (*use_state(LiveImage::default)).clone();

    // Leaving the page cancels a run and stops the redraws.
    {
        let (lab, image) = (lab.clone(), image.clone());
        use_effect_with((), move |_| {
            move || {
                image.stop();
                lab.borrow_mut().cancel();
            }
        });
    }

    let on_kernel = {
        let (kernel, size_text, refusal) = (kernel.clone(), size_text.clone(), refusal.clone());
        Callback::from(move |e: Event| {
            if let Some(k) = Kernel::from_id(&event_value(&e)) {
                kernel.set(k);
                size_text.set(group_digits(k.default_size()));
                refusal.set(None);
            }
        })
    };
    let on_choice = {
        let (choice, refusal) = (choice.clone(), refusal.clone());
        Callback::from(move |e: Event| {
            if let Some(plan) = RunPlan::from_value(&event_value(&e)) {
                choice.set(plan);
            }
            refusal.set(None);
        })
    };

    let on_run = {
        let (kernel, size_text, choice, refusal, lab, sliced) = (kernel.clone(), size_text.clone(), choice.clone(), refusal.clone(), lab.clone(), sliced.clone());
        let mode = RunMode { lock: if *gil { Lock::Global } else { Lock::Free }, record: *record };
        let (redraw, image, settled) = (redraw.clone(), image.clone(), pool_state.settled());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if lab.borrow().running() || !settled {
                return;
            }
            let k = *kernel;
            let size = match parse_size(k, &size_text) {
                Ok(size) => size,
                Err(reason) => return refusal.set(Some(reason)),
            };
            let batch = match lab.borrow_mut().begin(k, size, *choice, mode, max_threads) {
                Ok(batch) => batch,
                Err(reason) => return refusal.set(Some(reason)),
            };
            refusal.set(None);
            *sliced.borrow_mut() = pool::workers() == 0;
            let repaint = redraw.clone();
            image.start(k, size, move || repaint.force_update());
            redraw.force_update();
            let (lab, redraw, image) = (lab.clone(), redraw.clone(), image.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let need = memory_needed(k, size);
                let run = |order: RunOrder, progress| {
                    // A timed run starts from a blank image; the warm-up draws nothing.
                    let rows = if order.warm_up { None } else { image.restart() };
                    async move {
                        // Room first (a device that has none refuses the run and says so).
                        let result = match reserve_memory(need).await {
                            Ok(()) => run_once(order, progress, rows).await,
                            Err(e) => Err(e),
                        };
                        if order.warm_up {
                            gloo::timers::future::TimeoutFuture::new(50).await;
                        }
                        result
                    }
                };
                batch.run(&lab, run).await;
                image.stop();
                redraw.force_update();
            });
        })
    };

    let on_cancel = {
        let lab = lab.clone();
        Callback::from(move |_| lab.borrow_mut().cancel())
    };

    let s = lab.borrow();
    let running = s.running();
    let state = match s.ended() {
        _ if running => RunState::Running,
        Some(BatchEnd::Failed) => RunState::Error,
        Some(BatchEnd::Done) => RunState::Done,
        Some(BatchEnd::Cancelled) | None => RunState::Idle,
    };
    let result = result_json(&s, *sliced.borrow());
    let k = *kernel;
    let show_canvas = k == Kernel::Mandelbrot && (running || s.key().is_some_and(|(kk, _)| kk == k));
    let under_lock = if s.lock() == Lock::Global { ", under one global lock" } else { "" };
    html! {
        <WidgetFrame widget={Widget::Speedup} {state} {result}>
            <p>{ "Pick a kernel and a size, then run it on one thread and on more. Every run must give the \
                  one-thread answer (its checksum is compared), and the chart shows how much faster each was." }</p>
            <PoolNote without="So every run here uses that one thread, in slices that keep the page responsive: there is no speedup to measure." />
            <form class="lab-fields" onsubmit={on_run}>
                <div class="field">
                    <label for="speedup-kernel">{ "Kernel" }</label>
                    <select id="speedup-kernel" name="kernel" onchange={on_kernel} disabled={running}>
                        { for Kernel::ALL.iter().map(|&kk| html! {
                            <option value={kk.id()} selected={kk == k}>{ kk.name() }</option>
                        }) }
                    </select>
                </div>
                { number_field(("speedup-size", "size", k.size_label().into()), &size_text, &refusal, running, "speedup-size-help") }
                <div class="field">
                    <label for="speedup-threads">{ "Threads" }</label>
                    <select id="speedup-threads" name="threads" onchange={on_choice} disabled={running}>
                        { for (1..=max_threads).map(|n| html! {
                            <option value={n.to_string()} selected={*choice == RunPlan::Threads(n)}>{ n.to_string() }</option>
                        }) }
                        if max_threads > 1 {
                            <option value={RunPlan::Sweep.value()} selected={*choice == RunPlan::Sweep}>{ format!("Sweep 1 to {max_threads}") }</option>
                        }
                    </select>
                </div>
                <label class="check"><input type="checkbox" name="gil" checked={*gil} onchange={on_check(&gil)} disabled={running} />{ "One global lock (like CPython's GIL)" }</label>
                <label class="check"><input type="checkbox" name="record" checked={*record} onchange={on_check(&record)} disabled={running} />{ "Record a timeline" }</label>
                <RunButtons {running} ready={pool_state.settled()} on_cancel={on_cancel} />
            </form>
            <p id="speedup-size-help" class="help">{ size_help(k, &size_text) }</p>
            <details class="lab-explain">
                <summary>{ "How “k threads” is enforced" }</summary>
                <p>{ K_THREADS_EXPLANATION }</p>
                <p>{ "With one global lock, each thread must hold the one lock while it computes a slice, and the lock is handed \
                      to the waiting threads in turn: the same work on the same threads, one slice at a time. Recording the \
                      timeline reads the clock as each slice starts and ends; untick it to compare." }</p>
            </details>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running {
                <ProgressBar fraction={s.fraction()} label="Work done" />
                <p class="help" aria-live="polite">{ s.doing() }</p>
            }
            if let Some(n) = s.note() { <p class="note" role="status">{ n.to_string() }</p> }
            if let Some(m) = s.mismatch() { <p class="lab-error" role="alert">{ m.to_string() }</p> }
            if show_canvas {
                <canvas ref={image.canvas()} class="lab-canvas" role="img"
                        aria-label="The Mandelbrot set, drawn row by row as the threads finish each row: black inside the set, blue to gold outside." />
            }
            if !s.runs().is_empty() {
                <div class="lab-results">
                    <p class="outcome" role="status">{ s.summary() }</p>
                    <figure class="lab-figure">
                        { chart::chart(&s, max_threads) }
                        <figcaption>
                            <ul class="lab-legend">
                                <li><span class="key key-run"></span>{ "measured (dots: each run; line: medians)" }</li>
                                <li><span class="key key-ideal"></span>{ "ideal: n× faster on n threads" }</li>
                                if s.serial_fraction().is_some() { <li><span class="key key-amdahl"></span>{ "Amdahl's law for the fitted serial fraction" }</li> }
                            </ul>
                        </figcaption>
                    </figure>
                    <p data-testid="serial-fraction">{ s.serial_fraction_text(max_threads) }</p>
                    { chart::runs_table(&s) }
                    if let Some((threads, t)) = s.timeline() {
                        <TimelineFigure timeline={t} id="speedup"
                            caption={format!("Timeline of the last run ({threads} thread{}{under_lock})", if threads == 1 { "" } else { "s" })} />
                    }
                </div>
            }
        </WidgetFrame>
    }
}
