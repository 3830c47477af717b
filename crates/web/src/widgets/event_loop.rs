//! The event-loop lab: up to ten thousand real futures on the page's one thread, awaited one by
//! one or all at once, drawn live as they wait and run. Each waits on the module's timers
//! (`interleave_ui::timers`): one browser timer, armed for the nearest deadline.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use futures::future::{abortable, join_all, AbortHandle};
use gloo::timers::callback::Interval;
use serde::Serialize;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use interleave_core::event_loop::{MeasuredWaits, Mode, Settings, Summary, Timeline, MAX_TASKS};
use interleave_core::numbers::{duration_ms, group_digits};
use interleave_core::prime_count::is_prime;
use interleave_core::run::jobs::Progress;

use interleave_ui::tasks::now_ms;
use interleave_ui::timers::sleep_until;
use interleave_ui::widget::{ProgressBar, RunButtons, RunState, Widget, WidgetFrame};
use interleave_ui::use_run::{use_run, Stop};

/// Tasks drawn one row each; beyond this the timeline shows totals.
const MAX_ROWS: usize = 300;
/// How often the number of waiting tasks is sampled for the aggregate view, ms.
const SAMPLE_MS: u32 = 100;

/// `data-result`: a finished run's [`Summary`], its mode by [`Mode::as_str`].
#[derive(Serialize)]
struct SummaryJson {
    mode: &'static str,
    tasks: u32,
    wall_ms: f64,
    sum_latency_ms: f64,
    max_latency_ms: f64,
    cpu_ms_total: f64,
}

impl SummaryJson {
    fn of(s: &Summary) -> Self {
        let Summary { mode, tasks, wall_ms, sum_latency_ms, max_latency_ms, cpu_ms_total, .. } = *s;
        SummaryJson { mode: mode.as_str(), tasks, wall_ms, sum_latency_ms, max_latency_ms, cpu_ms_total }
    }
}

/// The run's timeline, and when (on the page's clock) the run began.
#[derive(Default)]
struct Live {
    base: f64,
    timeline: Timeline,
}

impl Live {
    fn since_base(&self) -> f64 {
        now_ms() - self.base
    }
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

async fn task(i: usize, latency: u32, cpu_ms: f64, live: Rc<RefCell<Live>>, progress: Arc<Progress>) {
    // One reading of the clock: the task starts, and its wait with it.
    let start = now_ms();
    let base = live.borrow().base;
    live.borrow_mut().timeline.started(i, start - base);
    sleep_until(start + f64::from(latency)).await;
    let waited = now_ms() - base;
    live.borrow_mut().timeline.waited(i, waited);
    let (spent, end) = if cpu_ms > 0.0 { (compute_for(cpu_ms), now_ms() - base) } else { (0.0, waited) };
    live.borrow_mut().timeline.finished(i, end, spent);
    progress.add(1);
}

fn timeline(live: &Timeline, elapsed: f64) -> Html {
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

/// Each task's wait as measured, shortest to longest; `data-early` counts waits that ended
/// before their time (a timer that fired early).
fn measured_waits(w: &MeasuredWaits) -> Html {
    let early = (w.early > 0).then(|| format!(" ({} ended early)", w.early));
    html! {
        <div data-testid="measured-waits" data-shortest-ms={format!("{:.3}", w.shortest_ms)} data-early={w.early.to_string()}>
            <dt>{ "Each wait, measured" }</dt>
            <dd>{ format!("{} to {}", duration_ms(w.shortest_ms), duration_ms(w.longest_ms)) }{ early }</dd>
        </div>
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
    let run = use_run::<Summary>();
    let live = use_mut_ref(Live::default);
    let abort = use_mut_ref(|| None::<AbortHandle>);

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
        let (refusal, run, live, abort) = (refusal.clone(), run.clone(), live.clone(), abort.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if run.running() {
                return;
            }
            let settings = match Settings::parse(&tasks, &lat_min, &lat_max, &cpu, mode) {
                Ok(s) => s,
                Err(reason) => return refusal.set(Some(reason)),
            };
            let latencies = settings.latencies(now_ms().to_bits());
            *live.borrow_mut() = Live { base: now_ms(), timeline: Timeline::new(latencies.len()) };
            let (live, abort) = (live.clone(), abort.clone());
            run.start(latencies.len() as u64, "the tasks", move |progress| {
                let futures: Vec<_> = latencies
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| task(i, l, settings.cpu_ms, live.clone(), progress.clone()))
                    .collect();
                let sampled = live.clone();
                let (all, handle) = abortable(async move {
                    let _sampler = Interval::new(SAMPLE_MS, move || {
                        let mut l = sampled.borrow_mut();
                        let at = l.since_base();
                        l.timeline.sample(at);
                    });
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
                });
                *abort.borrow_mut() = Some(handle);
                async move {
                    // Cancelled: say how many tasks had finished, in the lab's own words.
                    let aborted = all.await.is_err();
                    let l = live.borrow();
                    if aborted {
                        return Err(Stop::Cancelled(l.timeline.cancelled_note()));
                    }
                    Ok(l.timeline.summary(mode, &latencies, l.since_base()))
                }
            });
        })
    };
    // The hook's cancel flag, and an abort: the tasks are futures waiting on timers, so they
    // are dropped where they wait rather than asked to stop.
    let cancel = {
        let (stop, abort) = (run.cancel(), abort.clone());
        Callback::from(move |e: MouseEvent| {
            stop.emit(e);
            if let Some(h) = abort.borrow_mut().take() {
                h.abort();
            }
        })
    };

    let running = run.running();
    let l = live.borrow();
    let summary = (run.state() == RunState::Done).then(|| run.outcome()).flatten();
    let elapsed = match (summary, running) {
        (Some(s), _) => s.wall_ms,
        (None, true) => l.since_base(),
        _ => l.timeline.last_end(),
    };
    let fraction = run.fraction();
    let result = summary.map(|s| AttrValue::from(serde_json::to_string(&SummaryJson::of(s)).unwrap_or_default()));
    let note = run.note().map(str::to_string);
    let waiting = l.timeline.waiting();
    let count = l.timeline.tasks.len();
    html! {
        <WidgetFrame widget={Widget::EventLoop} state={run.state()} {result}>
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
                <RunButtons {running} on_cancel={cancel} />
            </form>
            <p class="help">{ format!("Up to {} tasks; waits up to 10 s; the same number twice gives a fixed wait.", group_digits(MAX_TASKS.into())) }</p>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running || count > 0 {
                <div class="timeline-wrap">
                    { timeline(&l.timeline, elapsed) }
                    <p class="legend">
                        <span class="key wait"></span>{ "waiting: for I/O, then for a turn on the thread" }
                        <span class="key run"></span>{ "computing" }
                        <span class="live-counts">{ format!("{} waiting · {} of {} done · {}", waiting, l.timeline.done, count, duration_ms(elapsed)) }</span>
                    </p>
                </div>
            }
            if running { <ProgressBar {fraction} label="Tasks finished" /> }
            if let Some(note) = note { <p class="note" role="status">{ note }</p> }
            if let Some(s) = summary {
                <div class="outcome" role="status">
                    <dl class="figures">
                        <div><dt>{ "Wall time" }</dt><dd>{ duration_ms(s.wall_ms) }</dd></div>
                        <div><dt>{ "Sum of waits" }</dt><dd>{ duration_ms(s.sum_latency_ms) }</dd></div>
                        <div><dt>{ "Longest wait" }</dt><dd>{ duration_ms(s.max_latency_ms) }</dd></div>
                        <div><dt>{ "Computation" }</dt><dd>{ duration_ms(s.cpu_ms_total) }</dd></div>
                        if let Some(w) = s.waits { { measured_waits(&w) } }
                    </dl>
                    <p>{ s.explain() }</p>
                    <p>{ "Every task ran on this page's one main thread: no worker was involved. Waiting overlaps; computing does not." }</p>
                </div>
            }
        </WidgetFrame>
    }
}
