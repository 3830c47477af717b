//! The event-loop lab: hundreds of real futures on the page's one thread, awaited one by one or
//! all at once, drawn live as they wait and run.

use std::cell::RefCell;
use std::rc::Rc;

use futures::future::{abortable, join_all, AbortHandle};
use gloo::timers::callback::Interval;
use gloo::timers::future::TimeoutFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::widget::{ProgressBar, RunState, WidgetFrame};
use interleave_core::event_loop::{Mode, Settings, Summary, MAX_TASKS};
use interleave_core::prime_count::is_prime;
use interleave_core::numbers::duration_ms;
use crate::browser::pool::now_ms;

/// Tasks drawn one row each; beyond this the timeline shows totals.
const MAX_ROWS: usize = 300;

#[derive(Clone, Copy, Default)]
struct TaskTimes {
    start: Option<f64>,
    io_done: Option<f64>,
    end: Option<f64>,
}

#[derive(Default)]
struct Live {
    base: f64,
    tasks: Vec<TaskTimes>,
    done: usize,
    cpu_ms: f64,
    /// (elapsed ms, tasks waiting) sampled at each redraw, for the aggregate view.
    waiting_samples: Vec<(f64, usize)>,
}

/// Real computation for `ms` milliseconds on this thread.
fn compute_for(ms: f64) -> f64 {
    let start = now_ms();
    let mut n = 1_000_003u64;
    while now_ms() - start < ms {
        for _ in 0..200 {
            std::hint::black_box(is_prime(n));
            n += 2;
        }
    }
    now_ms() - start
}

async fn task(i: usize, latency: u32, cpu_ms: f64, live: Rc<RefCell<Live>>) {
    {
        let mut l = live.borrow_mut();
        let t = now_ms() - l.base;
        l.tasks[i].start = Some(t);
    }
    TimeoutFuture::new(latency).await;
    let base = live.borrow().base;
    live.borrow_mut().tasks[i].io_done = Some(now_ms() - base);
    let spent = if cpu_ms > 0.0 { compute_for(cpu_ms) } else { 0.0 };
    let mut l = live.borrow_mut();
    l.tasks[i].end = Some(now_ms() - base);
    l.done += 1;
    l.cpu_ms += spent;
}

fn timeline(live: &Live, elapsed: f64) -> Html {
    let span = elapsed.max(1.0);
    let n = live.tasks.len();
    if n == 0 {
        return html! {};
    }
    if n <= MAX_ROWS {
        let row = 240.0 / n as f64;
        let x = |t: f64| t / span * 1000.0;
        let rows: Html = live
            .tasks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.start.map(|s| (i, s, t)))
            .map(|(i, start, t)| {
                let y = i as f64 * row;
                let io_end = t.io_done.unwrap_or(elapsed);
                let wait = html! { <rect class="wait" x={x(start).to_string()} y={y.to_string()} width={(x(io_end) - x(start)).max(0.5).to_string()} height={(row * 0.8).max(0.6).to_string()} /> };
                let run = t.io_done.map(|d| {
                    let end = t.end.unwrap_or(elapsed);
                    html! { <rect class="run" x={x(d).to_string()} y={y.to_string()} width={(x(end) - x(d)).max(1.5).to_string()} height={(row * 0.8).max(0.6).to_string()} /> }
                });
                html! { <>{ wait }{ for run }</> }
            })
            .collect();
        html! {
            <svg class="timeline" viewBox="0 0 1000 240" preserveAspectRatio="none" role="img"
                 aria-label={format!("Timeline of {n} tasks: pale bars are waits, dark bars are computation")}>
                { rows }
            </svg>
        }
    } else {
        let max_waiting = live.waiting_samples.iter().map(|s| s.1).max().unwrap_or(1).max(1) as f64;
        let points: String = live
            .waiting_samples
            .iter()
            .map(|(t, w)| format!("{:.1},{:.1} ", t / span * 1000.0, 240.0 - *w as f64 / max_waiting * 230.0))
            .collect();
        html! {
            <svg class="timeline aggregate" viewBox="0 0 1000 240" preserveAspectRatio="none" role="img"
                 aria-label={format!("Number of the {n} tasks waiting at the same time, over the run")}>
                <polyline points={points} />
            </svg>
        }
    }
}

#[function_component]
pub(crate) fn EventLoopLab() -> Html {
    let tasks = use_state(|| "200".to_string());
    let lat_min = use_state(|| "100".to_string());
    let lat_max = use_state(|| "100".to_string());
    let cpu = use_state(|| "0".to_string());
    let mode = use_state(|| Mode::Concurrent);
    let refusal = use_state(|| None::<String>);
    let run_state = use_state(|| RunState::Idle);
    let note = use_state(|| None::<String>);
    let summary = use_state(|| None::<Summary>);
    let live = use_mut_ref(Live::default);
    let abort = use_mut_ref(|| None::<AbortHandle>);
    let ticker = use_mut_ref(|| None::<Interval>);
    let redraw = use_force_update();

    let field = |state: &UseStateHandle<String>| {
        let state = state.clone();
        let refusal = refusal.clone();
        Callback::from(move |e: InputEvent| {
            state.set(e.target_unchecked_into::<HtmlInputElement>().value());
            refusal.set(None);
        })
    };
    let set_mode = |m: Mode| {
        let mode = mode.clone();
        Callback::from(move |_| mode.set(m))
    };

    let start = {
        let (tasks, lat_min, lat_max, cpu, mode) = (tasks.clone(), lat_min.clone(), lat_max.clone(), cpu.clone(), *mode);
        let (refusal, run_state, note, summary) = (refusal.clone(), run_state.clone(), note.clone(), summary.clone());
        let (live, abort, ticker) = (live.clone(), abort.clone(), ticker.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *run_state == RunState::Running {
                return;
            }
            let settings = match Settings::parse(&tasks, &lat_min, &lat_max, &cpu, mode) {
                Ok(s) => s,
                Err(reason) => return refusal.set(Some(reason)),
            };
            let latencies = settings.latencies(now_ms().to_bits());
            *live.borrow_mut() = Live { base: now_ms(), tasks: vec![TaskTimes::default(); latencies.len()], ..Live::default() };
            let futures: Vec<_> = latencies
                .iter()
                .enumerate()
                .map(|(i, &l)| task(i, l, settings.cpu_ms, live.clone()))
                .collect();
            let all = async move {
                match mode {
                    Mode::Concurrent => {
                        join_all(futures).await;
                    }
                    Mode::Sequential => {
                        for f in futures {
                            f.await;
                        }
                    }
                }
            };
            let (all, handle) = abortable(all);
            *abort.borrow_mut() = Some(handle);
            run_state.set(RunState::Running);
            note.set(None);
            summary.set(None);
            let (live_tick, redraw) = (live.clone(), redraw.clone());
            *ticker.borrow_mut() = Some(Interval::new(100, move || {
                let mut l = live_tick.borrow_mut();
                let elapsed = now_ms() - l.base;
                let waiting = l.tasks.iter().filter(|t| t.start.is_some() && t.io_done.is_none()).count();
                l.waiting_samples.push((elapsed, waiting));
                drop(l);
                redraw.force_update();
            }));
            let (run_state, note, summary, live, ticker) = (run_state.clone(), note.clone(), summary.clone(), live.clone(), ticker.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = all.await;
                ticker.borrow_mut().take();
                let l = live.borrow();
                let wall = now_ms() - l.base;
                match outcome {
                    Ok(()) => {
                        summary.set(Some(Summary::new(mode, &latencies, l.cpu_ms, wall)));
                        run_state.set(RunState::Done);
                    }
                    Err(_) => {
                        note.set(Some(format!("Cancelled after {} of {} tasks finished.", l.done, l.tasks.len())));
                        run_state.set(RunState::Idle);
                    }
                }
            });
        })
    };
    let cancel = {
        let abort = abort.clone();
        Callback::from(move |_| {
            if let Some(h) = abort.borrow_mut().take() {
                h.abort();
            }
        })
    };

    let running = *run_state == RunState::Running;
    let l = live.borrow();
    let elapsed = match (&*summary, running) {
        (Some(s), _) => s.wall_ms,
        (None, true) => now_ms() - l.base,
        _ => l.tasks.iter().filter_map(|t| t.end).fold(0.0, f64::max),
    };
    let fraction = if l.tasks.is_empty() { 0.0 } else { l.done as f64 / l.tasks.len() as f64 };
    let result = summary.as_ref().map(|s| AttrValue::from(serde_json::to_string(s).unwrap_or_default()));
    let waiting = l.tasks.iter().filter(|t| t.start.is_some() && t.io_done.is_none()).count();
    html! {
        <WidgetFrame name="event-loop" title="Event-loop lab: many tasks, one thread" state={*run_state} {result}>
            <p>{ "Each task waits for a simulated I/O reply (a real timer), then may compute for a while. \
                  Await them one after another, or start them all and await them together." }</p>
            <form class="controls lab-controls" onsubmit={start}>
                <label>{ "Tasks" }<input name="tasks" inputmode="numeric" value={(*tasks).clone()} oninput={field(&tasks)} disabled={running} /></label>
                <label>{ "Wait from (ms)" }<input name="latency-min" inputmode="numeric" value={(*lat_min).clone()} oninput={field(&lat_min)} disabled={running} /></label>
                <label>{ "to (ms)" }<input name="latency-max" inputmode="numeric" value={(*lat_max).clone()} oninput={field(&lat_max)} disabled={running} /></label>
                <label>{ "Computation per task (ms)" }<input name="cpu" inputmode="decimal" value={(*cpu).clone()} oninput={field(&cpu)} disabled={running} /></label>
                <fieldset class="mode" disabled={running}>
                    <legend>{ "Mode" }</legend>
                    <label><input type="radio" name="mode" value="sequential" checked={*mode == Mode::Sequential} onchange={set_mode(Mode::Sequential)} />{ "Sequential" }</label>
                    <label><input type="radio" name="mode" value="concurrent" checked={*mode == Mode::Concurrent} onchange={set_mode(Mode::Concurrent)} />{ "Concurrent" }</label>
                </fieldset>
                <div class="buttons">
                    <button type="submit" class="primary" disabled={running}>{ "Run" }</button>
                    <button type="button" onclick={cancel} disabled={!running}>{ "Cancel" }</button>
                </div>
            </form>
            <p class="help">{ format!("Up to {MAX_TASKS} tasks; waits up to 10 s; the same number twice gives a fixed wait.") }</p>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running || !l.tasks.is_empty() {
                <div class="timeline-wrap">
                    { timeline(&l, elapsed) }
                    <p class="legend">
                        <span class="key wait"></span>{ "waiting: for I/O, then for a turn on the thread" }
                        <span class="key run"></span>{ "computing" }
                        <span class="live-counts">{ format!("{} waiting · {} of {} done · {}", waiting, l.done, l.tasks.len(), duration_ms(elapsed)) }</span>
                    </p>
                </div>
            }
            if running { <ProgressBar {fraction} label="Tasks finished" /> }
            if let Some(n) = note.as_ref() { <p class="note" role="status">{ n }</p> }
            if let Some(s) = summary.as_ref() {
                <div class="outcome" role="status">
                    <dl class="figures">
                        <div><dt>{ "Wall time" }</dt><dd>{ duration_ms(s.wall_ms) }</dd></div>
                        <div><dt>{ "Sum of waits" }</dt><dd>{ duration_ms(s.sum_latency_ms) }</dd></div>
                        <div><dt>{ "Longest wait" }</dt><dd>{ duration_ms(s.max_latency_ms) }</dd></div>
                        <div><dt>{ "Computation" }</dt><dd>{ duration_ms(s.cpu_ms_total) }</dd></div>
                    </dl>
                    <p>{ s.explain() }</p>
                    <p>{ "Every task ran on this page's one main thread: no worker was involved. Waiting overlaps; computing does not." }</p>
                </div>
            }
        </WidgetFrame>
    }
}
