//! The SIMD lab: one Mandelbrot picture computed scalar, in four lanes, on threads and on
//! threads × lanes; the answers checked against each other, the times drawn side by side.

use serde::Serialize;
use yew::prelude::*;

use interleave_core::numbers::{duration_ms, group_digits};
use interleave_core::run::jobs::{spawn_task, JobError};
use interleave_core::simd::{run_four_ways, units, Picture, Rows, SimdRun, Way, WayRun, ITERATIONS, KERNEL, WIDTHS};

use crate::pool::{self, PoolState};
use crate::widgets::lab_common::{lab_threads, now_abs_ms, number_field, reserve_memory, PoolNote};
use interleave_ui::use_run::use_run;
use interleave_ui::widget::{ProgressBar, RunButtons, Widget, WidgetFrame};

/// `data-result`: each way's time (`null` for a way that did not run), and whether they agree.
#[derive(Serialize)]
struct RunJson {
    kernel: &'static str,
    width: u32,
    height: u32,
    max_iter: u32,
    threads: usize,
    scalar_ms: Option<f64>,
    lanes_ms: Option<f64>,
    threads_ms: Option<f64>,
    threads_lanes_ms: Option<f64>,
    results_match: bool,
    checksum: Option<u64>,
    mode: &'static str,
}

impl RunJson {
    fn of(r: &SimdRun, mode: &'static str) -> Self {
        RunJson {
            kernel: KERNEL,
            width: r.picture.width,
            height: r.picture.height,
            max_iter: r.picture.max_iter,
            threads: r.threads(),
            scalar_ms: r.ms(Way::Scalar),
            lanes_ms: r.ms(Way::Lanes),
            threads_ms: r.ms(Way::Threads),
            threads_lanes_ms: r.ms(Way::ThreadsLanes),
            results_match: r.results_match(),
            checksum: r.runs.first().map(|w| w.checksum),
            mode,
        }
    }
}

#[function_component]
pub(crate) fn SimdLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let threads = lab_threads(&pool_state);
    let width_text = use_state(|| Picture::DEFAULT.width.to_string());
    let iterations_text = use_state(|| Picture::DEFAULT.max_iter.to_string());
    let refusal = use_state(|| None::<String>);
    let run = use_run::<(SimdRun, &'static str)>();

    let on_run = {
        let (width_text, iterations_text, refusal, run) = (width_text.clone(), iterations_text.clone(), refusal.clone(), run.clone());
        let settled = pool_state.settled();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if run.running() || !settled {
                return;
            }
            let picture = match Picture::parse(&width_text, &iterations_text) {
                Ok(p) => p,
                Err(reason) => return refusal.set(Some(reason)),
            };
            refusal.set(None);
            let pooled = pool::workers() > 0;
            let ways = if pooled { Way::ALL.len() } else { Way::ONE_THREAD.len() };
            run.start(units(picture, ways), "the rows", move |progress| async move {
                reserve_memory(0).await?;
                if pooled {
                    let done = spawn_task(move || run_four_ways(picture, threads, &progress, now_abs_ms)).await??;
                    return Ok::<_, JobError>((done, "pool"));
                }
                // No pool: the two one-thread ways on the page's thread, in slices that yield.
                let mut runs = Vec::new();
                for way in Way::ONE_THREAD {
                    let start = pool::now_ms();
                    let checksum = pool::run_sliced(Rows::new(picture, way.lanes()), progress.clone()).await?;
                    runs.push(WayRun::new(way, 1, pool::now_ms() - start, checksum));
                }
                Ok((SimdRun { picture, runs }, "one-thread"))
            });
        })
    };

    let running = run.running();
    let last = run.outcome();
    let result = last.map(|(r, mode)| AttrValue::from(serde_json::to_string(&RunJson::of(r, mode)).unwrap_or_default()));
    let fraction = run.fraction();
    html! {
        <WidgetFrame widget={Widget::Simd} state={run.state()} {result}>
            <p>{ "The same picture of the Mandelbrot set, in 32-bit floats, four ways: one pixel at a time; four pixels at a \
                  time, one in each lane of a 128-bit SIMD register; one pixel at a time on every worker thread; and four \
                  lanes on every worker thread. Each way's answer is checked against the others." }</p>
            <PoolNote without="So only the two one-thread ways can run here: scalar and four lanes, which SIMD does inside one core." />
            <form class="lab-fields" onsubmit={on_run}>
                { number_field(("simd-width", "width", "Picture width".into()), &width_text, &refusal, running, "simd-help") }
                { number_field(("simd-iterations", "iterations", "Iterations".into()), &iterations_text, &refusal, running, "simd-help") }
                <RunButtons {running} ready={pool_state.settled()} on_cancel={run.cancel()} />
            </form>
            <p id="simd-help" class="help">{ format!("Width from {} to {} pixels (the height is two thirds of it); from {} to {} iterations per pixel.",
                WIDTHS.start(), group_digits(*WIDTHS.end()), ITERATIONS.start(), group_digits(*ITERATIONS.end())) }</p>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar {fraction} label="Rows done" /> }
            if let Some(n) = run.note() { <p class="note" role="status">{ n.to_string() }</p> }
            if let Some((r, _)) = last {
                <figure class="lab-figure">
                    { chart(r) }
                    <figcaption class="help">{ format!("{}; bars by wall time, speedup over scalar at the right.", r.picture.describe()) }</figcaption>
                </figure>
                <p class={classes!("outcome", (!r.results_match()).then_some("lost"))} role="status" data-testid="simd-match">
                    { if r.results_match() { "Every way computed the same picture (the same checksum)." } else { "The ways disagree." } }
                </p>
                <p class="lab-verdict">{ r.verdict() }</p>
            }
        </WidgetFrame>
    }
}

/// The four bars, longest for the slowest way.
fn chart(r: &SimdRun) -> Html {
    let bars = r.bars();
    let (w, row, left, right) = (600.0, 34.0, 130.0, 150.0);
    let h = row * bars.len() as f64 + 12.0;
    let label = bars.iter().map(|b| format!("{} {}", b.way.name(), duration_ms(b.ms))).collect::<Vec<_>>().join(", ");
    html! {
        <svg class="lab-chart simd-chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-label={format!("Wall time of each way: {label}")}>
            { for bars.iter().enumerate().map(|(i, b)| {
                let y = 8.0 + row * i as f64;
                let len = (w - left - right) * b.share;
                html! {
                    <g>
                        <text class="axis-label" x={(left - 8.0).to_string()} y={(y + 17.0).to_string()} text-anchor="end">{ b.way.name() }</text>
                        <rect class={classes!("bar", b.way.id())} x={left.to_string()} y={y.to_string()} width={len.max(1.0).to_string()} height={(row - 10.0).to_string()} rx="3" />
                        <text x={(left + len + 8.0).to_string()} y={(y + 17.0).to_string()}>{ format!("{} ({:.2}×)", duration_ms(b.ms), b.speedup) }</text>
                    </g>
                }
            }) }
        </svg>
    }
}
