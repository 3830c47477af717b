//! "The GPU": core's Mandelbrot kernel as a WebGPU compute shader, where this browser has a GPU,
//! and on one CPU thread; both timed (the GPU's including the copy back), the counts compared.
//! Where there is no GPU, the widget says so, says what it would show, and runs the CPU half.

// web-sys has WebGPU only with its unstable APIs, which the wasm builds turn on.
#[cfg(web_sys_unstable_apis)]
mod webgpu;
#[cfg(not(web_sys_unstable_apis))]
#[path = "gpu/no_webgpu.rs"]
mod webgpu;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;
use yew::prelude::*;

use interleave_core::gpu::{run_on_one_thread, Agreement, Availability, Counts, GpuTimes, Grid, Try, DEFAULT_SIDE, MAX_ITER, SIDES, WGSL, WOULD_SHOW};
use interleave_core::numbers::{duration_ms, group_digits};
use interleave_core::run::jobs::{spawn_task, JobError, Progress};
use interleave_ui::use_run::{use_run, Stop};
use interleave_ui::widget::{ProgressBar, RunButtons, Widget, WidgetFrame};

use crate::pool::{self, PoolState};
use crate::widgets::lab_common::{lab_table, now_abs_ms, number_field, reserve_memory, round1};
use webgpu::Kernel;

/// `data-result`: the last run.
#[derive(Serialize)]
struct ResultJson {
    available: bool,
    cpu_ms: f64,
    gpu_ms: Option<f64>,
    results_match: Option<bool>,
    copy_ms: Option<f64>,
    setup_ms: Option<f64>,
    side: u32,
    cells: u64,
    mismatches: Option<u64>,
    software: bool,
    /// Where the CPU half ran: "worker" (one pool thread) or "page" (the page's thread, in slices).
    cpu_on: &'static str,
}

fn result_json(t: &Try, cpu_on: &'static str) -> ResultJson {
    let times = t.gpu.as_ref().map(|(times, _)| *times);
    ResultJson {
        available: t.gpu.is_some(),
        cpu_ms: round1(t.cpu_ms),
        gpu_ms: times.map(|g| round1(g.gpu_ms)),
        results_match: t.results_match(),
        copy_ms: times.map(|g| round1(g.copy_ms)),
        setup_ms: times.and_then(|g| g.setup_ms).map(round1),
        side: t.grid.side,
        cells: t.grid.cells(),
        mismatches: t.gpu.as_ref().map(|(_, a)| a.mismatches),
        software: t.software,
        cpu_on,
    }
}

/// The CPU half on one thread: a pool worker (timed there), or the page's thread in slices
/// (only the slices timed, not the pauses between them).
async fn on_cpu(grid: Grid, progress: Arc<Progress>) -> Result<(Counts, f64, &'static str), JobError> {
    if pool::workers() > 0 {
        let (counts, ms) = spawn_task(move || run_on_one_thread(grid, &progress, now_abs_ms)).await??;
        return Ok((counts, ms, "worker"));
    }
    let (counts, ms) = pool::run_sliced_busy(grid, progress).await?;
    Ok((counts, ms, "page"))
}

/// The GPU half: a device and pipeline made on the first run (timed apart), then the run.
async fn on_gpu(kernel: Rc<RefCell<Option<Kernel>>>, grid: Grid) -> Result<(Vec<u32>, GpuTimes), String> {
    let mut setup_ms = None;
    let ready = kernel.borrow().clone();
    let ready = match ready {
        Some(k) => k,
        None => {
            let start = pool::now_ms();
            let adapter = webgpu::probe().await.1.ok_or_else(|| "the browser no longer offers a GPU adapter".to_string())?;
            let k = Kernel::new(&adapter).await?;
            setup_ms = Some(pool::now_ms() - start);
            *kernel.borrow_mut() = Some(k.clone());
            k
        }
    };
    match ready.run(grid).await {
        Ok(run) => Ok((run.counts, GpuTimes { gpu_ms: run.gpu_ms, copy_ms: run.copy_ms, setup_ms })),
        Err(e) => {
            // The next run starts again from a new adapter and device.
            kernel.borrow_mut().take();
            Err(e)
        }
    }
}

#[function_component]
pub(crate) fn GpuLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let availability = use_state(|| Availability::Probing);
    let kernel: Rc<RefCell<Option<Kernel>>> = use_mut_ref(|| None);
    let side = use_state(|| group_digits(u64::from(DEFAULT_SIDE)));
    let refusal = use_state(|| None::<String>);
    let tries = use_state(Vec::<Rc<Try>>::new);
    let run = use_run::<(Rc<Try>, &'static str)>();
    {
        let availability = availability.clone();
        use_effect_with((), move |_| wasm_bindgen_futures::spawn_local(async move { availability.set(webgpu::probe().await.0) }));
    }

    let on_run = {
        let (side, refusal, tries, run, availability, kernel) = (side.clone(), refusal.clone(), tries.clone(), run.clone(), availability.clone(), kernel.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let grid = match Grid::parse(&side) {
                Ok(grid) => grid,
                Err(reason) => return refusal.set(Some(reason)),
            };
            let (tries, available, kernel) = (tries.clone(), (*availability).clone(), kernel.clone());
            run.start(u64::from(grid.side), "the rows", move |progress| async move {
                // The CPU's counts, the parts they are made of, and the GPU's copy.
                reserve_memory(grid.bytes() as usize * 3).await?;
                let (cpu, cpu_ms, cpu_on) = on_cpu(grid, progress.clone()).await?;
                let gpu = match &available {
                    Availability::Ready(info) => {
                        let (counts, times) = on_gpu(kernel, grid)
                            .await
                            .map_err(|e| Stop::Failed(format!("One CPU thread took {}, but the GPU run failed: {e}.", duration_ms(cpu_ms))))?;
                        Some((times, Agreement::of(&cpu.counts, &counts), info.is_software()))
                    }
                    _ => None,
                };
                if progress.is_cancelled() {
                    return Err(Stop::Job(JobError::Cancelled));
                }
                let software = gpu.as_ref().is_some_and(|g| g.2);
                let tried = Rc::new(Try { grid, cpu_ms, gpu: gpu.map(|(t, a, _)| (t, a)), software });
                let mut list = (*tries).clone();
                list.push(tried.clone());
                tries.set(list);
                Ok::<_, Stop>((tried, cpu_on))
            });
        })
    };

    let running = run.running();
    let result = run.outcome().and_then(|(t, on)| serde_json::to_string(&result_json(t, on)).ok()).map(AttrValue::from);
    let ready = pool_state.settled() && *availability != Availability::Probing;
    html! {
        <WidgetFrame widget={Widget::Gpu} state={run.state()} {result}>
            <p>{ format!("Every cell of a grid over the Mandelbrot set gets its escape count: how many times z ← z² + c \
                  can repeat, up to {MAX_ITER}, before z leaves a circle of radius 2. Each cell is independent of every other, the shape of work a GPU \
                  is built for. The kernel runs as a WebGPU compute shader, one invocation per cell, and on one CPU thread; \
                  the two answers are compared count by count. Both use integers (fixed point), so they must agree exactly.") }</p>
            <p class="lab-pool" data-testid="gpu-status" data-gpu={availability.as_str()}>{ availability.sentence() }</p>
            if !availability.available() && *availability != Availability::Probing {
                <p class="lab-explain-line" data-testid="gpu-would-show">{ WOULD_SHOW }</p>
            }
            <form class="lab-fields" onsubmit={on_run}>
                { number_field(("gpu-side", "side", "Cells on a side".into()), &side, &refusal, running, "gpu-side-help") }
                <RunButtons {running} {ready} on_cancel={run.cancel()} />
            </form>
            <p id="gpu-side-help" class="help">{ format!("From {} to {}: the grid is side × side cells, one 4-byte count each, all copied back from the GPU.", group_digits(*SIDES.start()), group_digits(*SIDES.end())) }</p>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar fraction={run.fraction()} label="Rows done on the CPU" /> }
            if let Some(n) = run.note() { <p class="note" role="status">{ n.to_string() }</p> }
            if let Some((t, _)) = run.outcome() {
                <div class="lab-results">
                    <p class={classes!("outcome", (t.results_match() == Some(false)).then_some("lost"))} role="status">{ t.verdict() }</p>
                    <p class="lab-explain-line" data-testid="gpu-match">{ t.comparison() }</p>
                    if let Some(setup) = t.gpu.as_ref().and_then(|(g, _)| g.setup_ms) {
                        <p class="help">{ format!("Before this first run, getting a device and compiling the shader took {} more: a one-time cost, left out of the GPU's time.", duration_ms(setup)) }</p>
                    }
                </div>
            }
            if !tries.is_empty() {
                { lab_table("Your runs", "Your runs", classes!("tries", "lab-table"), &["Cells", "CPU, one thread", "GPU, all in", "Copy back", "Answers"], html! {
                    <>{ for tries.iter().rev().map(|t| html! {
                        <tr>
                            <td>{ format!("{} × {}", group_digits(u64::from(t.grid.side)), group_digits(u64::from(t.grid.side))) }</td>
                            <td>{ duration_ms(t.cpu_ms) }</td>
                            <td>{ t.gpu.as_ref().map_or("—".to_string(), |(g, _)| duration_ms(g.gpu_ms)) }</td>
                            <td>{ t.gpu.as_ref().map_or("—".to_string(), |(g, _)| duration_ms(g.copy_ms)) }</td>
                            <td>{ match t.results_match() { Some(true) => "match", Some(false) => "differ", None => "CPU only" } }</td>
                        </tr>
                    }) }</>
                }) }
                <p class="help">{ "Newest first. Try a small grid and a large one: the GPU's fixed costs (starting the kernel, \
                    mapping the results) weigh most when there is little to compute, and the copy back grows with the cells." }</p>
            }
            <details class="lab-explain">
                <summary>{ "The kernel, in WGSL" }</summary>
                <pre class="lab-code"><code>{ WGSL }</code></pre>
            </details>
        </WidgetFrame>
    }
}
