//! The speedup lab: one kernel run at 1, 2, … k threads, every answer checked against the
//! one-thread answer, with the measured speedup, the ideal line and Amdahl's curve for the fitted
//! serial fraction.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;
use yew::prelude::*;

use crate::widgets::lab_canvas::{LiveMandelbrot, LiveRows, RowPainter};
use crate::widgets::lab_common::{event_value, lab_threads, now_abs_ms, on_text, reserve_memory, round1, PoolNote, Poller};
use crate::components::widget::{ProgressBar, RunState, WidgetFrame};
use interleave_core::run::jobs::{Job, JobError, Progress};
use interleave_core::speedup::amdahl::{amdahl_limit, amdahl_speedup, fit_serial_fraction};
use interleave_core::run::kernels::{Kernel, KernelSize, LabPrimes};
use interleave_core::run::on_pool;
use interleave_core::run::threads::{run_with_threads, K_THREADS_EXPLANATION};
use interleave_core::numbers::{duration_ms, group_digits};
use crate::browser::pool::{self, PoolState};

/// One finished run.
#[derive(Debug, Clone, PartialEq)]
struct Measured {
    threads: usize,
    wall_ms: f64,
    checksum: u64,
    /// Distinct workers that ran slices, and how many each ran.
    slices_by_worker: BTreeMap<usize, u64>,
}

/// The runs of one kernel at one size, and the run going on now.
#[derive(Default)]
struct Session {
    key: Option<(Kernel, KernelSize)>,
    runs: Vec<Measured>,
    /// The one-thread checksum every run must equal.
    reference: Option<u64>,
    mismatch: Option<String>,
    state: Option<RunState>,
    note: Option<String>,
    progress: Option<Arc<Progress>>,
    stop: bool,
    /// (index of the run going on, runs planned, its thread count).
    step: (usize, usize, usize),
    /// Whether the untimed warm-up run is going on.
    warming: bool,
    sliced: bool,
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

impl Session {
    /// Median one-thread time.
    fn t1(&self) -> Option<f64> {
        let mut times: Vec<f64> = self.runs.iter().filter(|r| r.threads == 1).map(|r| r.wall_ms).collect();
        times.sort_by(f64::total_cmp);
        match times.len() {
            0 => None,
            n if n % 2 == 1 => Some(times[n / 2]),
            n => Some((times[n / 2 - 1] + times[n / 2]) / 2.0),
        }
    }
    fn speedups(&self) -> Vec<f64> {
        let t1 = self.t1();
        self.runs.iter().map(|r| t1.map_or(f64::NAN, |t1| t1 / r.wall_ms)).collect()
    }
    /// The fitted serial fraction, once there are runs at 1 and at more threads.
    fn serial_fraction(&self) -> Option<f64> {
        let usable = self.t1().is_some() && self.runs.iter().any(|r| r.threads > 1);
        usable.then(|| {
            let points: Vec<(u32, f64)> = self.runs.iter().map(|r| (r.threads as u32, r.wall_ms)).collect();
            fit_serial_fraction(&points)
        })
    }
    /// Median speedup per thread count.
    fn medians(&self) -> Vec<(usize, f64)> {
        let mut by: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
        for (r, s) in self.runs.iter().zip(self.speedups()) {
            by.entry(r.threads).or_default().push(s);
        }
        by.into_iter()
            .map(|(n, mut v)| {
                v.sort_by(f64::total_cmp);
                (n, v[v.len() / 2])
            })
            .collect()
    }
    fn result_json(&self) -> Option<String> {
        let (kernel, size) = self.key?;
        if self.runs.is_empty() {
            return None;
        }
        let json = ResultJson {
            kernel: kernel.id(),
            size,
            runs: self.runs.iter().map(|r| RunJson { threads: r.threads, wall_ms: round1(r.wall_ms) }).collect(),
            speedup: self.speedups().iter().map(|s| (s * 1000.0).round() / 1000.0).collect(),
            serial_fraction: self.serial_fraction().map(|s| (s * 10_000.0).round() / 10_000.0),
            results_match: self.mismatch.is_none(),
            checksum: self.reference,
            mode: if self.sliced { "main-thread" } else { "pool" },
        };
        serde_json::to_string(&json).ok()
    }
}

/// What one run produced.
struct Finished {
    checksum: u64,
    wall_ms: f64,
    slices_by_worker: BTreeMap<usize, u64>,
}

/// Runs `job` at `k` threads on this pool thread's pool, timed here (on the worker).
fn timed<J: Job>(job: J, k: usize, progress: &Progress, checksum: impl Fn(&J::Output) -> u64) -> Result<Finished, JobError>
where
    J::Part: 'static,
{
    let job = Arc::new(job);
    let start = now_abs_ms();
    let run = run_with_threads(&job, k, progress)?;
    let wall_ms = now_abs_ms() - start;
    Ok(Finished { checksum: checksum(&run.output), wall_ms, slices_by_worker: run.slices_by_thread })
}

/// Runs `job` on the page's thread in slices that yield to the browser, timed by the page.
async fn sliced<J: Job>(job: J, progress: Arc<Progress>, checksum: impl Fn(&J::Output) -> u64) -> Result<Finished, JobError> {
    let start = pool::now_ms();
    let out = pool::run_sliced(job, progress).await?;
    Ok(Finished { checksum: checksum(&out), wall_ms: pool::now_ms() - start, slices_by_worker: BTreeMap::new() })
}

/// The size of a kernel's untimed warm-up run: some tens of milliseconds of work.
fn warm_up_size(kernel: Kernel) -> KernelSize {
    match kernel {
        Kernel::Mandelbrot => 300,
        Kernel::Primes => 1_000_000,
        Kernel::Blur => 400,
    }
}

/// One run of `kernel` at `size` with `k` threads: on the pool, or sliced without one.
async fn run_once(
    kernel: Kernel,
    size: KernelSize,
    k: usize,
    progress: Arc<Progress>,
    rows: Option<Arc<LiveRows>>,
) -> Result<Finished, JobError> {
    let mandelbrot = move |rows: Option<Arc<LiveRows>>| {
        let image = kernel.mandelbrot(size);
        let rows = rows.unwrap_or_else(|| LiveRows::new(&image));
        LiveMandelbrot { image, rows }
    };
    if pool::workers() == 0 {
        return match kernel {
            Kernel::Mandelbrot => sliced(mandelbrot(rows), progress, |img| img.checksum).await,
            Kernel::Primes => sliced(LabPrimes { limit: size }, progress, |&c| c).await,
            Kernel::Blur => sliced(kernel.blur(size), progress, |&c| c).await,
        };
    }
    on_pool(move || match kernel {
        Kernel::Mandelbrot => timed(mandelbrot(rows), k, &progress, |img| img.checksum),
        Kernel::Primes => timed(LabPrimes { limit: size }, k, &progress, |&c| c),
        // The source image is generated here, on the worker, and is not part of the time.
        Kernel::Blur => timed(kernel.blur(size), k, &progress, |&c| c),
    })
    .await?
}

/// How often the page redraws progress and the image during a run.
const POLL_MS: u32 = 250;

const W: f64 = 480.0;
const H: f64 = 300.0;
const LEFT: f64 = 50.0;
const RIGHT: f64 = 466.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 258.0;

/// Speedup against threads: each run, the medians joined, the ideal line and Amdahl's curve.
fn chart(session: &Session, max_threads: usize) -> Html {
    let speedups = session.speedups();
    let medians = session.medians();
    let xmax = session.runs.iter().map(|r| r.threads).chain([max_threads, 2]).max().unwrap_or(2) as f64;
    let top = speedups.iter().copied().filter(|s| s.is_finite()).fold(xmax, f64::max);
    let ymax = top.ceil().max(2.0);
    let x = |n: f64| LEFT + (n - 1.0) / (xmax - 1.0) * (RIGHT - LEFT);
    let y = |v: f64| BOTTOM - v.clamp(0.0, ymax) / ymax * (BOTTOM - TOP);
    let step = |max: f64| if max <= 10.0 { 1.0 } else { (max / 8.0).ceil() };
    let serial = session.serial_fraction();
    let xticks: Vec<f64> = std::iter::successors(Some(1.0), |&n| Some(n + step(xmax))).take_while(|&n| n <= xmax).collect();
    let yticks: Vec<f64> = std::iter::successors(Some(0.0), |&v| Some(v + step(ymax))).take_while(|&v| v <= ymax).collect();
    let amdahl = serial.map(|s| {
        let points: Vec<String> = (0..=100)
            .map(|i| 1.0 + (xmax - 1.0) * f64::from(i) / 100.0)
            .map(|n| format!("{:.1},{:.1}", x(n), y(amdahl_speedup(s, n))))
            .collect();
        html! { <polyline class="amdahl" points={points.join(" ")} /> }
    });
    let measured: Vec<String> = medians.iter().map(|&(n, s)| format!("{:.1},{:.1}", x(n as f64), y(s))).collect();
    let label = {
        let at: Vec<String> = medians.iter().map(|&(n, s)| format!("{s:.2}× at {n} thread{}", if n == 1 { "" } else { "s" })).collect();
        let fit = serial.map_or(String::new(), |s| format!(" Amdahl curve for a serial fraction of {:.1}%.", s * 100.0));
        format!("Chart of speedup against threads. Measured: {}. The ideal is n× at n threads.{fit}", at.join(", "))
    };
    html! {
        <svg class="lab-chart" viewBox={format!("0 0 {W} {H}")} role="img" aria-label={label}>
            { for yticks.iter().map(|&v| html! {
                <g class="tick">
                    <line class="grid" x1={LEFT.to_string()} x2={RIGHT.to_string()} y1={y(v).to_string()} y2={y(v).to_string()} />
                    <text x={(LEFT - 6.0).to_string()} y={(y(v) + 4.0).to_string()} text-anchor="end">{ format!("{v}×") }</text>
                </g>
            }) }
            { for xticks.iter().map(|&n| html! {
                <text class="tick" x={x(n).to_string()} y={(BOTTOM + 16.0).to_string()} text-anchor="middle">{ n.to_string() }</text>
            }) }
            <text class="axis-label" x={((LEFT + RIGHT) / 2.0).to_string()} y={(H - 4.0).to_string()} text-anchor="middle">{ "threads" }</text>
            <line class="ideal" x1={x(1.0).to_string()} y1={y(1.0).to_string()} x2={x(xmax).to_string()} y2={y(xmax).to_string()} />
            { for amdahl }
            <polyline class="measured" points={measured.join(" ")} />
            { for session.runs.iter().zip(&speedups).filter(|(_, s)| s.is_finite()).map(|(r, &s)| html! {
                <circle class="run" cx={x(r.threads as f64).to_string()} cy={y(s).to_string()} r="4.5" />
            }) }
        </svg>
    }
}

#[function_component]
pub(crate) fn SpeedupLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let max_threads = lab_threads(&pool_state);
    let kernel = use_state(|| Kernel::Mandelbrot);
    let size_text = use_state(|| group_digits(Kernel::Mandelbrot.default_size()));
    let choice = use_state(|| "sweep".to_string());
    let refusal = use_state(|| None::<String>);
    let session = use_mut_ref(Session::default);
    let redraw = use_force_update();
    let poller = use_state(Poller::default);
    let canvas = use_node_ref();
    let live_rows: Rc<RefCell<Option<Arc<LiveRows>>>> = use_mut_ref(|| None);
    let painter = use_mut_ref(RowPainter::default);
    let warmed: Rc<RefCell<Vec<Kernel>>> = use_mut_ref(Vec::new);

    // Leaving the page cancels a run and stops the redraws.
    {
        let (session, poller) = (session.clone(), (*poller).clone());
        use_effect_with((), move |_| {
            move || {
                poller.stop();
                let mut s = session.borrow_mut();
                s.stop = true;
                if let Some(p) = &s.progress {
                    p.cancel();
                }
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
            choice.set(event_value(&e));
            refusal.set(None);
        })
    };

    let on_run = {
        let (kernel, size_text, choice, refusal, session) = (kernel.clone(), size_text.clone(), choice.clone(), refusal.clone(), session.clone());
        let (redraw, poller, canvas, live_rows, painter) = (redraw.clone(), (*poller).clone(), canvas.clone(), live_rows.clone(), painter.clone());
        let settled = pool_state.settled();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if session.borrow().state == Some(RunState::Running) || !settled {
                return;
            }
            let k = *kernel;
            let size = match k.parse_size(&size_text) {
                Ok(size) => size,
                Err(reason) => return refusal.set(Some(reason)),
            };
            let mut plan: Vec<usize> = match choice.as_str() {
                "sweep" => (1..=max_threads).collect(),
                other => match other.parse::<usize>() {
                    Ok(n) if (1..=max_threads).contains(&n) => vec![n],
                    _ => {
                        return refusal.set(Some(format!(
                            "Choose from 1 to {max_threads} threads: this page has {max_threads} worker thread{}.",
                            if max_threads == 1 { "" } else { "s" }
                        )))
                    }
                },
            };
            refusal.set(None);
            {
                let mut s = session.borrow_mut();
                if s.key != Some((k, size)) {
                    *s = Session { key: Some((k, size)), ..Session::default() };
                }
                // Every answer is checked against a one-thread run: make one first if needed.
                if !s.runs.iter().any(|r| r.threads == 1) && plan[0] != 1 {
                    plan.insert(0, 1);
                }
                s.state = Some(RunState::Running);
                s.note = None;
                s.stop = false;
                s.sliced = pool::workers() == 0;
            }
            let rows = (k == Kernel::Mandelbrot).then(|| {
                let image = k.mandelbrot(size);
                let mut slot = live_rows.borrow_mut();
                match slot.as_ref() {
                    Some(rows) if rows.fits(&image) => rows.clone(),
                    _ => slot.insert(LiveRows::new(&image)).clone(),
                }
            });
            if rows.is_none() {
                live_rows.borrow_mut().take();
            }
            {
                let (rows, canvas, painter, redraw) = (rows.clone(), canvas.clone(), painter.clone(), redraw.clone());
                poller.start(POLL_MS, move || {
                    if let (Some(rows), Some(c)) = (&rows, canvas.cast::<web_sys::HtmlCanvasElement>()) {
                        painter.borrow_mut().paint(&c, rows);
                    }
                    redraw.force_update();
                });
            }
            redraw.force_update();
            let (session, redraw, poller, canvas, painter, warmed) =
                (session.clone(), redraw.clone(), poller.clone(), canvas.clone(), painter.clone(), warmed.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let total = plan.len();
                let mut failed = false;
                // The rows and the image (Mandelbrot), or the source and blurred rows (blur).
                reserve_memory(match k {
                    Kernel::Mandelbrot => {
                        let m = k.mandelbrot(size);
                        m.width as usize * m.height as usize * 6
                    }
                    Kernel::Blur => size as usize * size as usize * 3,
                    Kernel::Primes => 0,
                })
                .await;
                // A browser first runs WebAssembly with quickly compiled code and optimizes the hot
                // functions while they run: the first timed run would be slower for a reason that
                // has nothing to do with threads. So each kernel runs once, small and untimed.
                if !warmed.borrow().contains(&k) {
                    let progress = Progress::new(k.units(warm_up_size(k)));
                    {
                        let mut s = session.borrow_mut();
                        s.progress = Some(progress.clone());
                        s.warming = true;
                    }
                    let warm = run_once(k, warm_up_size(k), max_threads, progress, None).await;
                    gloo::timers::future::TimeoutFuture::new(50).await;
                    let mut s = session.borrow_mut();
                    s.warming = false;
                    match warm {
                        Ok(_) => warmed.borrow_mut().push(k),
                        Err(JobError::Cancelled) => s.note = Some("Cancelled during the warm-up run.".into()),
                        Err(_) => {}
                    }
                }
                for (i, &threads) in plan.iter().enumerate() {
                    if session.borrow().stop {
                        break;
                    }
                    let progress = Progress::new(k.units(size));
                    {
                        let mut s = session.borrow_mut();
                        s.progress = Some(progress.clone());
                        s.step = (i, total, threads);
                    }
                    if let Some(rows) = &rows {
                        rows.reset();
                        if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                            painter.borrow_mut().clear(&c, rows);
                        }
                    }
                    let result = run_once(k, size, threads, progress.clone(), rows.clone()).await;
                    let mut s = session.borrow_mut();
                    match result {
                        Ok(done) => {
                            let reference = *s.reference.get_or_insert(done.checksum);
                            if done.checksum != reference && s.mismatch.is_none() {
                                s.mismatch = Some(format!(
                                    "Wrong answer: the run at {threads} threads gave checksum {}, but the one-thread run gave {}. \
                                     The work was split or combined incorrectly.",
                                    done.checksum, reference
                                ));
                            }
                            s.runs.push(Measured {
                                threads,
                                wall_ms: done.wall_ms,
                                checksum: done.checksum,
                                slices_by_worker: done.slices_by_worker,
                            });
                        }
                        Err(JobError::Cancelled) => {
                            s.note = Some(format!(
                                "Cancelled: the run at {threads} thread{} stopped at {:.0}% of its work.",
                                if threads == 1 { "" } else { "s" },
                                progress.fraction() * 100.0
                            ));
                            break;
                        }
                        Err(e) => {
                            s.note = Some(format!("The run at {threads} threads failed: {e}."));
                            failed = true;
                            break;
                        }
                    }
                }
                poller.stop();
                if let (Some(rows), Some(c)) = (&rows, canvas.cast::<web_sys::HtmlCanvasElement>()) {
                    painter.borrow_mut().paint(&c, rows);
                }
                {
                    let mut s = session.borrow_mut();
                    s.progress = None;
                    s.state = Some(if failed || s.mismatch.is_some() {
                        RunState::Error
                    } else if s.note.is_some() {
                        RunState::Idle
                    } else {
                        RunState::Done
                    });
                }
                redraw.force_update();
            });
        })
    };

    let on_cancel = {
        let session = session.clone();
        Callback::from(move |_| {
            let mut s = session.borrow_mut();
            s.stop = true;
            if let Some(p) = &s.progress {
                p.cancel();
            }
        })
    };

    let s = session.borrow();
    let state = s.state.unwrap_or(RunState::Idle);
    let running = state == RunState::Running;
    let result = s.result_json().map(AttrValue::from);
    let k = *kernel;
    let limits = k.size_limits();
    let size_help = match k.parse_size(&size_text) {
        Ok(size) => format!("From {} to {}. Now: {}.", group_digits(*limits.start()), group_digits(*limits.end()), k.describe_size(size)),
        Err(_) => format!("From {} to {}.", group_digits(*limits.start()), group_digits(*limits.end())),
    };
    let (index, total, threads_now) = s.step;
    let fraction = match &s.progress {
        Some(p) if s.warming => p.fraction(),
        Some(p) => (index as f64 + p.fraction()) / total.max(1) as f64,
        None => 0.0,
    };
    let show_canvas = k == Kernel::Mandelbrot && (running || s.key.is_some_and(|(kk, _)| kk == k));
    let speedups = s.speedups();
    let best = s.medians().into_iter().filter(|&(n, _)| n > 1).max_by_key(|&(n, _)| n);
    html! {
        <WidgetFrame name="speedup" title="Speedup lab: the same work on 1, 2, … k threads" {state} {result}>
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
                            <option value={n.to_string()} selected={*choice == n.to_string()}>{ n.to_string() }</option>
                        }) }
                        if max_threads > 1 {
                            <option value="sweep" selected={*choice == "sweep"}>{ format!("Sweep 1 to {max_threads}") }</option>
                        }
                    </select>
                </div>
                <div class="buttons">
                    <button type="submit" class="primary" disabled={running || !pool_state.settled()}>{ "Run" }</button>
                    <button type="button" onclick={on_cancel} disabled={!running}>{ "Cancel" }</button>
                </div>
            </form>
            <p id="speedup-size-help" class="help">{ size_help }</p>
            <details class="lab-explain">
                <summary>{ "How “k threads” is enforced" }</summary>
                <p>{ K_THREADS_EXPLANATION }</p>
            </details>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running {
                <ProgressBar {fraction} label="Work done" />
                <p class="help" aria-live="polite">{ if s.warming {
                    "Warming up: a short untimed run first, while the browser optimizes the code…".to_string()
                } else {
                    format!("Run {} of {}: {} thread{}…", index + 1, total, threads_now, if threads_now == 1 { "" } else { "s" })
                } }</p>
            }
            if let Some(n) = s.note.as_ref() { <p class="note" role="status">{ n }</p> }
            if let Some(m) = s.mismatch.as_ref() { <p class="lab-error" role="alert">{ m }</p> }
            if show_canvas {
                <canvas ref={canvas.clone()} class="lab-canvas" role="img"
                        aria-label="The Mandelbrot set, drawn row by row as the threads finish each row: black inside the set, blue to gold outside." />
            }
            if !s.runs.is_empty() {
                <div class="lab-results">
                    <p class="outcome" role="status">
                        { match (best, s.t1()) {
                            (Some((n, sp)), Some(t1)) => format!("At {n} threads: {sp:.2}× faster than one thread ({} → {}); the ideal is {n}×.",
                                duration_ms(t1), duration_ms(t1 / sp)),
                            (_, Some(t1)) => format!("One thread: {}. Run with more threads to compare.", duration_ms(t1)),
                            _ => String::new(),
                        } }
                        { if s.mismatch.is_none() { " Every run gave the one-thread answer." } else { "" } }
                    </p>
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
                    <p data-testid="serial-fraction">
                        { match s.serial_fraction() {
                            Some(f) if f > 0.0005 => format!(
                                "Fitted serial fraction: {:.1}% of the one-thread time behaves as if it cannot be shared. \
                                 Amdahl's law then caps the speedup at {:.1}× however many threads you add.",
                                f * 100.0, amdahl_limit(f)),
                            Some(_) => "Fitted serial fraction: about 0%: these runs scaled as if all the work could be shared.".to_string(),
                            None => "The serial fraction is fitted once there are runs at one thread and at more.".to_string(),
                        } }
                        { if s.serial_fraction().is_some() && max_threads <= 2 { " With two thread counts only, it is a rough estimate." } else { "" } }
                    </p>
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Runs">
                        <table class="tries lab-table">
                            <caption>{ "Runs" }</caption>
                            <thead><tr>
                                <th scope="col">{ "Threads" }</th><th scope="col">{ "Wall time" }</th><th scope="col">{ "Speedup" }</th>
                                <th scope="col">{ "Answer" }</th><th scope="col">{ "Slices per worker" }</th>
                            </tr></thead>
                            <tbody>
                                { for s.runs.iter().zip(&speedups).map(|(r, sp)| {
                                    let ok = Some(r.checksum) == s.reference;
                                    html! {
                                        <tr class={classes!((!ok).then_some("mismatch"))}>
                                            <td>{ r.threads }</td>
                                            <td>{ duration_ms(r.wall_ms) }</td>
                                            <td>{ if sp.is_finite() { format!("{sp:.2}×") } else { "–".to_string() } }</td>
                                            <td>{ if ok { "✓ matches" } else { "✗ differs" } }</td>
                                            <td>{ if r.slices_by_worker.is_empty() { "page thread".to_string() } else {
                                                r.slices_by_worker.values().map(|v| group_digits(*v)).collect::<Vec<_>>().join(" / ")
                                            } }</td>
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
