//! The granularity explorer: the same work cut into tasks of 1, 4, 16, … items, each split timed
//! against the plain loop, to find where per-task overhead eats the gain of parallelism.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use yew::prelude::*;

use crate::widgets::lab_common::{lab_threads, now_abs_ms, on_text, parse_whole, reserve_memory, PoolNote};
use crate::components::widget::{cancel_callback, ProgressBar, RunState, WidgetFrame};
use interleave_core::run::jobs::{Job, JobError, Progress};
use interleave_core::granularity::{estimate_overhead_per_task, run_point, task_sizes, verdict, GranularityPoint, GranularitySetup};
use interleave_core::run::on_pool;
use interleave_core::run::busy::spin;
use interleave_core::numbers::{duration_ms, group_digits};
use crate::browser::pool::{self, PoolState};

const ITEMS: std::ops::RangeInclusive<u64> = 1_024..=4_194_304;
const SPINS: std::ops::RangeInclusive<u64> = 1..=10_000;
/// Most hash steps in one sweep's work (4 × the default): each point runs it `2 × TRIES` times.
const MAX_TOTAL: u64 = 1 << 25;
/// Timings per point on the pool; the best of them is kept.
const TRIES: u32 = 3;

#[derive(Serialize)]
struct PointJson {
    task_size: u64,
    tasks: u64,
    seq_ms: f64,
    par_ms: f64,
}

#[derive(Serialize)]
struct ResultJson {
    /// Hash steps in all: items × steps per item.
    total_work: u64,
    items: u64,
    spins_per_item: u64,
    threads: usize,
    points: Vec<PointJson>,
    overhead_us_per_task: f64,
    mode: &'static str,
}

/// The plain loop over the items, as a job the page can run in slices.
struct SeqSum(GranularitySetup);

impl Job for SeqSum {
    type Part = u64;
    type Output = u64;
    fn len(&self) -> u64 {
        self.0.items
    }
    fn slice_len(&self) -> u64 {
        4_096
    }
    fn run(&self, range: Range<u64>) -> u64 {
        range.fold(0u64, |acc, i| acc.wrapping_add(spin(i, self.0.spins_per_item)))
    }
    fn identity(&self) -> u64 {
        0
    }
    fn combine(&self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    fn finish(&self, part: u64) -> u64 {
        part
    }
}

/// Without a pool: the same items made into tasks of `task_size` (each boxed and queued, then
/// run), one after another on the page's thread. There is nothing to gain, only the cost of tasks.
struct OneThreadTasks {
    setup: GranularitySetup,
    task_size: u64,
}

impl Job for OneThreadTasks {
    type Part = u64;
    type Output = u64;
    fn len(&self) -> u64 {
        self.setup.items.div_ceil(self.task_size)
    }
    fn slice_len(&self) -> u64 {
        (4_096 / self.task_size).max(1)
    }
    fn run(&self, tasks: Range<u64>) -> u64 {
        let (items, spins, size) = (self.setup.items, self.setup.spins_per_item, self.task_size);
        let mut queue: VecDeque<Box<dyn FnOnce() -> u64>> = VecDeque::new();
        for t in tasks {
            let range = t * size..((t + 1) * size).min(items);
            queue.push_back(Box::new(move || range.fold(0u64, |acc, i| acc.wrapping_add(spin(i, spins)))));
        }
        queue.into_iter().fold(0u64, |acc, task| acc.wrapping_add(task()))
    }
    fn identity(&self) -> u64 {
        0
    }
    fn combine(&self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    fn finish(&self, part: u64) -> u64 {
        part
    }
}

/// One point measured on the page's thread, in slices.
async fn point_on_page(setup: GranularitySetup, task_size: u64, progress: Arc<Progress>) -> Result<GranularityPoint, JobError> {
    let start = pool::now_ms();
    let seq = pool::run_sliced(SeqSum(setup), progress.clone()).await?;
    let seq_ms = pool::now_ms() - start;
    let start = pool::now_ms();
    let par = pool::run_sliced(OneThreadTasks { setup, task_size }, progress).await?;
    let par_ms = pool::now_ms() - start;
    debug_assert_eq!(seq, par);
    Ok(GranularityPoint { task_size, tasks: setup.items.div_ceil(task_size), threads: 1, seq_ms, par_ms })
}

/// A duration with a decimal below 10 ms, where these timings live.
fn short_ms(ms: f64) -> String {
    if (1.0..10.0).contains(&ms) {
        format!("{ms:.1} ms")
    } else {
        duration_ms(ms)
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

const W: f64 = 480.0;
const H: f64 = 298.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 468.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 246.0;

fn size_label(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{}M", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{}K", n >> 10),
        n => group_digits(n),
    }
}

/// Sequential and parallel time against task size, both axes logarithmic.
fn chart(points: &[GranularityPoint], sizes: &[u64]) -> Html {
    let max_size = sizes.last().copied().unwrap_or(4).max(4) as f64;
    let times = points.iter().flat_map(|p| [p.seq_ms, p.par_ms]).filter(|t| *t > 0.0);
    let (lo, hi) = times.fold((f64::INFINITY, 0.0f64), |(lo, hi), t| (lo.min(t), hi.max(t)));
    let (lo, hi) = if hi > 0.0 { (lo.log10().floor(), hi.log10().ceil().max(lo.log10().floor() + 1.0)) } else { (0.0, 1.0) };
    let x = |size: u64| LEFT + (size.max(1) as f64).ln() / max_size.ln() * (RIGHT - LEFT);
    let y = |ms: f64| BOTTOM - (ms.max(1e-6).log10() - lo) / (hi - lo) * (BOTTOM - TOP);
    let line = |f: fn(&GranularityPoint) -> f64| {
        points.iter().map(|p| format!("{:.1},{:.1}", x(p.task_size), y(f(p)))).collect::<Vec<_>>().join(" ")
    };
    // Labels far enough apart to read on a phone: the last size always, the others when they fit.
    const GAP: f64 = 64.0;
    let last = sizes.last().copied().unwrap_or(1);
    let mut ticks: Vec<u64> = Vec::new();
    for &s in sizes {
        let fits_before = ticks.last().is_none_or(|&t| x(s) - x(t) >= GAP);
        if s != last && fits_before && x(last) - x(s) >= GAP {
            ticks.push(s);
        }
    }
    ticks.push(last);
    let label = format!(
        "Chart of time against task size, both on logarithmic scales: {}.",
        points
            .iter()
            .map(|p| format!("{} items per task: parallel {} vs sequential {}", group_digits(p.task_size), duration_ms(p.par_ms), duration_ms(p.seq_ms)))
            .collect::<Vec<_>>()
            .join("; ")
    );
    html! {
        <svg class="lab-chart" viewBox={format!("0 0 {W} {H}")} role="img" aria-label={label}>
            { for (lo as i32..=hi as i32).map(|d| {
                let ms = 10f64.powi(d);
                html! {
                    <g class="tick">
                        <line class="grid" x1={LEFT.to_string()} x2={RIGHT.to_string()} y1={y(ms).to_string()} y2={y(ms).to_string()} />
                        <text x={(LEFT - 6.0).to_string()} y={(y(ms) + 4.0).to_string()} text-anchor="end">{ if ms >= 1.0 { format!("{ms:.0}") } else { format!("{ms}") } }</text>
                    </g>
                }
            }) }
            <text class="axis-label" x={(LEFT - 6.0).to_string()} y="18" text-anchor="end">{ "ms" }</text>
            { for ticks.iter().map(|&s| html! {
                <text class="tick" x={x(s).to_string()} y={(BOTTOM + 18.0).to_string()}
                      text-anchor={if s == last { "end" } else if s == 1 { "start" } else { "middle" }}>{ size_label(s) }</text>
            }) }
            <text class="axis-label" x={((LEFT + RIGHT) / 2.0).to_string()} y={(H - 6.0).to_string()} text-anchor="middle">{ "items per task (log scale)" }</text>
            <polyline class="seq" points={line(|p| p.seq_ms)} />
            <polyline class="par" points={line(|p| p.par_ms)} />
            { for points.iter().map(|p| html! {
                <>
                    <circle class="seq" cx={x(p.task_size).to_string()} cy={y(p.seq_ms).to_string()} r="3.5" />
                    <circle class={classes!("par", (p.par_ms > p.seq_ms).then_some("slower"))} cx={x(p.task_size).to_string()} cy={y(p.par_ms).to_string()} r="4.5" />
                </>
            }) }
        </svg>
    }
}

#[function_component]
pub(crate) fn GranularityLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let defaults = GranularitySetup::default();
    let items_text = use_state(|| group_digits(defaults.items));
    let spins_text = use_state(|| defaults.spins_per_item.to_string());
    let refusal = use_state(|| None::<String>);
    let run_state = use_state(|| RunState::Idle);
    let note = use_state(|| None::<String>);
    let points = use_state(Vec::<GranularityPoint>::new);
    let sweep = use_state(|| (GranularitySetup::default(), Vec::<u64>::new(), 1usize));
    let progress = use_state(|| None::<Arc<Progress>>);
    let done_points = use_state(|| 0usize);

    {
        let progress = progress.clone();
        use_effect_with((), move |_| {
            move || {
                if let Some(p) = progress.as_ref() {
                    p.cancel();
                }
            }
        });
    }

    let on_run = {
        let (items_text, spins_text, refusal, run_state, note, points, sweep, progress, done_points) = (
            items_text.clone(),
            spins_text.clone(),
            refusal.clone(),
            run_state.clone(),
            note.clone(),
            points.clone(),
            sweep.clone(),
            progress.clone(),
            done_points.clone(),
        );
        let settled = pool_state.settled();
        let threads = lab_threads(&pool_state);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *run_state == RunState::Running || !settled {
                return;
            }
            let checked = parse_whole(&items_text, "Items", ITEMS).and_then(|items| {
                let spins = parse_whole(&spins_text, "Hash steps per item", SPINS)?;
                if items * spins > MAX_TOTAL {
                    return Err(format!(
                        "Items × hash steps must be at most {} (you asked for {}): every task size runs the whole work six times, \
                         so more would take too long.",
                        group_digits(MAX_TOTAL),
                        group_digits(items * spins)
                    ));
                }
                Ok(GranularitySetup { items, spins_per_item: spins })
            });
            let setup = match checked {
                Ok(setup) => setup,
                Err(reason) => return refusal.set(Some(reason)),
            };
            refusal.set(None);
            note.set(None);
            let sizes = task_sizes(setup.items, threads);
            // Cancellation goes through this progress; its count is the points measured.
            let p = Progress::new(sizes.len() as u64);
            progress.set(Some(p.clone()));
            sweep.set((setup, sizes.clone(), threads));
            points.set(Vec::new());
            done_points.set(0);
            run_state.set(RunState::Running);
            let (run_state, note, points, done_points) = (run_state.clone(), note.clone(), points.clone(), done_points.clone());
            wasm_bindgen_futures::spawn_local(async move {
                reserve_memory(0).await;
                let on_pool_here = pool::workers() > 0;
                if on_pool_here {
                    // A short warm-up, untimed: the browser compiles hot code again, faster, after a
                    // while; the first timed point should not pay for that.
                    let small = GranularitySetup { items: 8_192, spins_per_item: setup.spins_per_item };
                    let _ = on_pool(move || {
                        run_point(&small, 1, now_abs_ms);
                        run_point(&small, 1_024, now_abs_ms)
                    })
                    .await;
                }
                let mut measured = Vec::with_capacity(sizes.len());
                let mut outcome = Ok(());
                for (i, &size) in sizes.iter().enumerate() {
                    if p.is_cancelled() {
                        outcome = Err(JobError::Cancelled);
                        break;
                    }
                    let point = if on_pool_here {
                        // The best of a few tries: a stray interruption only ever adds time.
                        on_pool(move || {
                            (1..TRIES).fold(run_point(&setup, size, now_abs_ms), |best, _| {
                                let p = run_point(&setup, size, now_abs_ms);
                                GranularityPoint { seq_ms: best.seq_ms.min(p.seq_ms), par_ms: best.par_ms.min(p.par_ms), ..best }
                            })
                        })
                        .await
                    } else {
                        point_on_page(setup, size, Progress::new(0)).await
                    };
                    match point {
                        Ok(point) => {
                            measured.push(point);
                            points.set(measured.clone());
                            done_points.set(i + 1);
                        }
                        Err(e) => {
                            outcome = Err(e);
                            break;
                        }
                    }
                }
                match outcome {
                    Ok(()) => run_state.set(RunState::Done),
                    Err(JobError::Cancelled) => {
                        note.set(Some(format!("Cancelled after {} of {} task sizes.", measured.len(), sizes.len())));
                        run_state.set(RunState::Idle);
                    }
                    Err(e) => {
                        note.set(Some(format!("The sweep failed: {e}.")));
                        run_state.set(RunState::Error);
                    }
                }
            });
        })
    };
    let on_cancel = cancel_callback(&progress);

    let running = *run_state == RunState::Running;
    let (setup, sizes, threads) = &*sweep;
    let result = (!points.is_empty() && !running).then(|| {
        let json = ResultJson {
            total_work: setup.items * setup.spins_per_item,
            items: setup.items,
            spins_per_item: setup.spins_per_item,
            threads: *threads,
            points: points
                .iter()
                .map(|p| PointJson { task_size: p.task_size, tasks: p.tasks, seq_ms: round2(p.seq_ms), par_ms: round2(p.par_ms) })
                .collect(),
            overhead_us_per_task: (estimate_overhead_per_task(&points) * 1e6).round() / 1000.0,
            mode: if pool_state.workers() > 0 { "pool" } else { "main-thread" },
        };
        AttrValue::from(serde_json::to_string(&json).unwrap_or_default())
    });
    let fraction = *done_points as f64 / sizes.len().max(1) as f64;
    let overhead_us = estimate_overhead_per_task(&points) * 1000.0;
    html! {
        <WidgetFrame name="granularity" title="Granularity explorer: how big should a task be?" state={*run_state} {result}>
            <p>{ "The same sum over many small items, cut into tasks of 1, 4, 16, … items. For each task size the plain loop \
                  and the parallel run are timed: when tasks are tiny, making and scheduling them costs more than the work." }</p>
            <PoolNote without="So the “parallel” column here runs the same tasks one after another on that thread: it can only show what making tasks costs." />
            <form class="lab-fields" onsubmit={on_run}>
                <div class="field">
                    <label for="gran-items">{ "Items" }</label>
                    <input id="gran-items" name="items" inputmode="numeric" value={(*items_text).clone()}
                           oninput={on_text(&items_text, &refusal)} disabled={running} aria-describedby="gran-help"
                           aria-invalid={refusal.is_some().to_string()} />
                </div>
                <div class="field">
                    <label for="gran-spins">{ "Hash steps per item" }</label>
                    <input id="gran-spins" name="spins" inputmode="numeric" value={(*spins_text).clone()}
                           oninput={on_text(&spins_text, &refusal)} disabled={running} aria-describedby="gran-help" />
                </div>
                <div class="buttons">
                    <button type="submit" class="primary" disabled={running || !pool_state.settled()}>{ "Run the sweep" }</button>
                    <button type="button" onclick={on_cancel} disabled={!running}>{ "Cancel" }</button>
                </div>
            </form>
            <p id="gran-help" class="help">{ format!(
                "Items from {} to {}; hash steps per item from 1 to {} (one step is a few nanoseconds; raise it to give each item more work). \
                 Items × steps at most {}. Each time shown is the best of {TRIES} runs.",
                group_digits(*ITEMS.start()), group_digits(*ITEMS.end()), group_digits(*SPINS.end()), group_digits(MAX_TOTAL)) }</p>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running {
                <ProgressBar {fraction} label="Task sizes measured" />
                <p class="help" aria-live="polite">{ format!("Measuring task size {} of {}…", (*done_points + 1).min(sizes.len()), sizes.len()) }</p>
            }
            if let Some(n) = note.as_ref() { <p class="note" role="status">{ n }</p> }
            if !points.is_empty() {
                <figure class="lab-figure">
                    { chart(&points, sizes) }
                    <figcaption>
                        <ul class="lab-legend">
                            <li><span class="key key-seq"></span>{ "plain loop (one thread)" }</li>
                            <li><span class="key key-par"></span>{ format!("split into tasks ({} thread{})", threads, if *threads == 1 { "" } else { "s" }) }</li>
                        </ul>
                    </figcaption>
                </figure>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Timings per task size">
                    <table class="tries lab-table">
                        <caption>{ "Timings per task size" }</caption>
                        <thead><tr>
                            <th scope="col">{ "Items per task" }</th><th scope="col">{ "Tasks" }</th><th scope="col">{ "Plain loop" }</th>
                            <th scope="col">{ "Parallel" }</th><th scope="col">{ "Speedup" }</th>
                        </tr></thead>
                        <tbody>
                            { for points.iter().map(|p| html! {
                                <tr class={classes!((p.par_ms > p.seq_ms).then_some("lost"))}>
                                    <td>{ group_digits(p.task_size) }</td>
                                    <td>{ group_digits(p.tasks) }</td>
                                    <td>{ short_ms(p.seq_ms) }</td>
                                    <td>{ short_ms(p.par_ms) }</td>
                                    <td>{ format!("{:.2}×", p.speedup()) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                if !running {
                    <p data-testid="overhead">{ if overhead_us >= 0.01 {
                        format!("Estimated overhead: about {overhead_us:.2} µs per task.")
                    } else {
                        "Estimated overhead: too small to measure here.".to_string()
                    } }</p>
                    <p class="lab-verdict" role="status">{ verdict(&points) }</p>
                }
            }
        </WidgetFrame>
    }
}
