//! The speedup lab: one kernel run at 1, 2, … k threads, every answer checked against the
//! one-thread answer, with the measured speedup, the ideal line and Amdahl's curve for the fitted
//! serial fraction. What to run and what the runs show is core's [`Session`]; this view runs the
//! batch (on the pool, or in slices without one), draws the image and the chart.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use yew::prelude::*;

use interleave_core::numbers::{duration_ms, group_digits, round_to};
use interleave_core::run::jobs::{spawn_task, Job, JobError, Progress};
use interleave_core::run::kernels::{parse_size, size_help, Kernel, KernelSize, LabPrimes};
use interleave_core::run::threads::K_THREADS_EXPLANATION;
use interleave_core::speedup::chart::SpeedupChart;
use interleave_core::speedup::live::{LiveMandelbrot, LiveRows};
use interleave_core::speedup::{memory_needed, run_timed, BatchEnd, Measured, RunOrder, RunPlan, Session};

use crate::pool::{self, PoolState};
use interleave_ui::widget::{ProgressBar, RunButtons, RunState, Widget, WidgetFrame};
use canvas::LiveImage;
use crate::widgets::lab_common::{event_value, lab_threads, now_abs_ms, on_text, reserve_memory, round1, PoolNote};

mod canvas;

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
}

/// Runs `job` on the page's thread in slices that yield to the browser, timed by the page.
async fn on_page<J: Job>(job: J, threads: usize, progress: Arc<Progress>, checksum: impl Fn(&J::Output) -> u64) -> Result<Measured, JobError> {
    let start = pool::now_ms();
    let out = pool::run_sliced(job, progress).await?;
    Ok(Measured { threads, wall_ms: pool::now_ms() - start, checksum: checksum(&out), slices_by_worker: BTreeMap::new() })
}

/// One run of `kernel` at `size` with `k` threads: on the pool (timed there), or sliced without one.
async fn run_once(kernel: Kernel, size: KernelSize, k: usize, progress: Arc<Progress>, rows: Option<Arc<LiveRows>>) -> Result<Measured, JobError> {
    if pool::workers() == 0 {
        return match kernel {
            Kernel::Mandelbrot => on_page(LiveMandelbrot::new(size, rows), k, progress, |img| img.checksum).await,
            Kernel::Primes => on_page(LabPrimes { limit: size }, k, progress, |&c| c).await,
            Kernel::Blur => on_page(kernel.blur(size), k, progress, |&c| c).await,
        };
    }
    spawn_task(move || run_timed(kernel, size, k, &progress, rows, now_abs_ms)).await?
}

/// Speedup against threads: each run, the medians joined, the ideal line and Amdahl's curve.
fn chart(session: &Session, max_threads: usize) -> Html {
    let (left, right, bottom, w, h) = (SpeedupChart::LEFT, SpeedupChart::RIGHT, SpeedupChart::BOTTOM, SpeedupChart::WIDTH, SpeedupChart::HEIGHT);
    let chart = SpeedupChart::new(session, max_threads);
    let (x1, y1, x2, y2) = chart.ideal;
    html! {
        <svg class="lab-chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-label={chart.label}>
            { for chart.y_ticks.iter().map(|(y, label)| html! {
                <g class="tick">
                    <line class="grid" x1={left.to_string()} x2={right.to_string()} y1={y.to_string()} y2={y.to_string()} />
                    <text x={(left - 6.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end">{ label.clone() }</text>
                </g>
            }) }
            { for chart.x_ticks.iter().map(|(x, label)| html! {
                <text class="tick" x={x.to_string()} y={(bottom + 16.0).to_string()} text-anchor="middle">{ label.clone() }</text>
            }) }
            <text class="axis-label" x={((left + right) / 2.0).to_string()} y={(h - 4.0).to_string()} text-anchor="middle">{ "threads" }</text>
            <line class="ideal" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
            if let Some(points) = chart.amdahl { <polyline class="amdahl" {points} /> }
            <polyline class="measured" points={chart.measured} />
            { for chart.dots.iter().map(|(x, y)| html! { <circle class="run" cx={x.to_string()} cy={y.to_string()} r="4.5" /> }) }
        </svg>
    }
}

#[function_component]
pub(crate) fn SpeedupLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let max_threads = lab_threads(&pool_state);
    let kernel = use_state(|| Kernel::Mandelbrot);
    let size_text = use_state(|| group_digits(Kernel::Mandelbrot.default_size()));
    let choice = use_state(|| RunPlan::Sweep);
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
            let batch = match lab.borrow_mut().begin(k, size, *choice, max_threads) {
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
                            Ok(()) => run_once(order.kernel, order.size, order.threads, progress, rows).await,
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
    let speedups = s.speedups();
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
                <div class="field">
                    <label for="speedup-size">{ k.size_label() }</label>
                    <input id="speedup-size" name="size" inputmode="numeric" value={(*size_text).clone()}
                           oninput={on_text(&size_text, &refusal)} disabled={running}
                           aria-describedby="speedup-size-help" aria-invalid={refusal.is_some().to_string()} />
                </div>
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
                <RunButtons {running} ready={pool_state.settled()} on_cancel={on_cancel} />
            </form>
            <p id="speedup-size-help" class="help">{ size_help(k, &size_text) }</p>
            <details class="lab-explain">
                <summary>{ "How “k threads” is enforced" }</summary>
                <p>{ K_THREADS_EXPLANATION }</p>
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
                        { chart(&s, max_threads) }
                        <figcaption>
                            <ul class="lab-legend">
                                <li><span class="key key-run"></span>{ "measured (dots: each run; line: medians)" }</li>
                                <li><span class="key key-ideal"></span>{ "ideal: n× faster on n threads" }</li>
                                if s.serial_fraction().is_some() { <li><span class="key key-amdahl"></span>{ "Amdahl's law for the fitted serial fraction" }</li> }
                            </ul>
                        </figcaption>
                    </figure>
                    <p data-testid="serial-fraction">{ s.serial_fraction_text(max_threads) }</p>
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Runs">
                        <table class="tries lab-table">
                            <caption>{ "Runs" }</caption>
                            <thead><tr>
                                <th scope="col">{ "Threads" }</th><th scope="col">{ "Wall time" }</th><th scope="col">{ "Speedup" }</th>
                                <th scope="col">{ "Answer" }</th><th scope="col">{ "Slices per worker" }</th>
                            </tr></thead>
                            <tbody>
                                { for s.runs().iter().zip(&speedups).map(|(r, sp)| {
                                    let ok = s.agrees(r);
                                    html! {
                                        <tr class={classes!((!ok).then_some("mismatch"))}>
                                            <td>{ r.threads }</td>
                                            <td>{ duration_ms(r.wall_ms) }</td>
                                            <td>{ if sp.is_finite() { format!("{sp:.2}×") } else { "–".to_string() } }</td>
                                            <td>{ if ok { "✓ matches" } else { "✗ differs" } }</td>
                                            <td>{ r.slices_text() }</td>
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    </div>
                </div>
            }
        </WidgetFrame>
    }
}
