//! Channels: a producer → workers → consumer pipeline over bounded queues, with live queue depths
//! and throughput so backpressure shows; and a bank account whose race an actor fixes.
//!
//! Implementation note: the pipeline runs on `lab::pipeline::spawn_pipeline`, whose stages never
//! block a thread (they give their turn away when a queue is full or empty), so it runs on any
//! number of workers — on a two-core device the stages take turns — and the page can never hang
//! on it. The stages push samples into a `Mutex<Vec<_>>`; the page drains it with `try_lock` on a
//! timer and simply tries again next time if a stage holds the lock.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use yew::prelude::*;

use crate::widgets::lab_common::{clock, event_value, lab_threads, now_abs_ms, on_text, parse_whole, reserve_memory, round1, PoolNote, Poller};
use crate::components::widget::{cancel_callback, ProgressBar, RunState, WidgetFrame};
use interleave_core::run::jobs::{JobError, Progress};
use interleave_core::channels::bank::{run_bank_with, BankOutcome, Banking};
use interleave_core::run::on_pool;
use interleave_core::channels::pipeline::{
    spawn_pipeline, Observer, PipelineCheck, PipelineReceipt, PipelineSample, PipelineSettings, SteppedPipeline,
};
use interleave_core::run::busy::{calibrate_spins_per_micro, spins_for_micros};
use interleave_core::numbers::{duration_ms, group_digits};
use crate::browser::pool::{self, PoolState};

const ITEMS: std::ops::RangeInclusive<u64> = 10..=20_000;
const STAGE_US: std::ops::RangeInclusive<u64> = 0..=5_000;
const CAPACITY: std::ops::RangeInclusive<u64> = 1..=10_000;
const MAX_STAGE_WORKERS: usize = 4;
/// Longest run the settings may ask for, by the slowest stage alone.
const MAX_RUN_MS: f64 = 20_000.0;
const OPS: std::ops::RangeInclusive<u64> = 1..=1_000_000;
/// Most operations in one bank run: the actor's mailbox may hold most of them at once.
const MAX_TOTAL_OPS: u64 = 2_000_000;
const MAX_CLIENTS: usize = 8;
/// The account opens with €1,000.00.
const OPENING_CENTS: i64 = 100_000;

type Sample = (PipelineSample, [f64; 3]);

#[derive(Debug, Clone, PartialEq, Serialize)]
struct PipelineJson {
    items: u64,
    capacity: usize,
    unbounded: bool,
    workers: usize,
    stage_us: [u64; 3],
    wall_ms: f64,
    throughput_per_s: f64,
    max_depths: [u64; 2],
    waiting_ms: [f64; 3],
    exactly_once: bool,
    mode: &'static str,
    /// The calibration: hash steps per µs on this device.
    spins_per_us: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct BankJson {
    banking: Banking,
    clients: usize,
    ops_per_client: u64,
    expected_cents: i64,
    actual_cents: i64,
    lost_cents: i64,
    wall_ms: f64,
}

#[derive(Serialize)]
struct ResultJson<'a> {
    pipeline: Option<&'a PipelineJson>,
    bank: Option<&'a BankJson>,
}

/// What the page shows while a pipeline runs and after.
#[derive(Default)]
struct Live {
    samples: Vec<Sample>,
    settings: Option<(PipelineSettings, bool)>,
    checking: bool,
}

/// €1,234.50 from cents.
fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "−" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}€{}.{:02}", group_digits(c / 100), c % 100)
}

fn percent(part: f64, whole: f64) -> String {
    if whole > 0.0 {
        format!("{:.0}%", (part / whole * 100.0).clamp(0.0, 100.0))
    } else {
        "–".to_string()
    }
}

/// The spin iterations per µs of this machine, measured once (on a worker when there is a pool).
async fn spins_per_micro(cache: &Rc<RefCell<Option<f64>>>) -> Result<f64, JobError> {
    if let Some(v) = *cache.borrow() {
        return Ok(v);
    }
    // The fastest of three: an interruption while measuring only makes the machine look slower.
    let best = || (0..3).map(|_| calibrate_spins_per_micro(now_abs_ms)).fold(0.0, f64::max);
    // A first, discarded round, then a pause: the browser runs new code with a quick compiler and
    // swaps in optimized code in the background; calibrating the quick code would make every
    // item's work too short later.
    let v = if pool::workers() > 0 {
        on_pool(best).await?;
        gloo::timers::future::TimeoutFuture::new(60).await;
        on_pool(best).await?
    } else {
        best();
        gloo::timers::future::TimeoutFuture::new(60).await;
        best()
    };
    *cache.borrow_mut() = Some(v);
    Ok(v)
}

/// Runs the pipeline: its stages on the pool, or taking turns on the page's thread.
async fn run_pipeline_here(
    settings: PipelineSettings,
    observe: Observer,
    progress: Arc<Progress>,
) -> Result<Result<PipelineReceipt, JobError>, String> {
    if pool::workers() > 0 {
        let run = spawn_pipeline(settings, clock(), observe, progress)?;
        return Ok(run.await);
    }
    let mut stepped = SteppedPipeline::new(settings, clock(), observe, progress)?;
    loop {
        let start = pool::now_ms();
        if let Some(done) = stepped.run_until(|| pool::now_ms() - start > pool::SLICE_MS) {
            return Ok(done);
        }
        pool::yield_now().await;
    }
}

/// Queue depths over time, against the capacity.
fn depth_chart(samples: &[Sample], capacity: usize) -> Html {
    const W: f64 = 480.0;
    const H: f64 = 230.0;
    const LEFT: f64 = 64.0;
    const RIGHT: f64 = 470.0;
    const TOP: f64 = 10.0;
    const BOTTOM: f64 = 204.0;
    let end = samples.last().map_or(1.0, |s| s.0.at_ms).max(1.0);
    let top = samples.iter().flat_map(|s| s.0.queue_depths).max().unwrap_or(0).max(capacity.min(10_000) as u64).max(1) as f64;
    let x = |t: f64| LEFT + t / end * (RIGHT - LEFT);
    let y = |d: f64| BOTTOM - d / top * (BOTTOM - TOP);
    let line = |q: usize| samples.iter().map(|s| format!("{:.1},{:.1}", x(s.0.at_ms), y(s.0.queue_depths[q] as f64))).collect::<Vec<_>>().join(" ");
    let max = |q: usize| samples.iter().map(|s| s.0.queue_depths[q]).max().unwrap_or(0);
    let label = format!(
        "Queue depths over {}: queue 1 (producer to workers) reached {} and queue 2 (workers to consumer) reached {}, of a capacity of {}.",
        duration_ms(end),
        max(0),
        max(1),
        capacity
    );
    html! {
        <svg class="lab-chart depth-chart" viewBox={format!("0 0 {W} {H}")} role="img" aria-label={label}>
            <line class="grid" x1={LEFT.to_string()} x2={RIGHT.to_string()} y1={y(0.0).to_string()} y2={y(0.0).to_string()} />
            <line class="capacity" x1={LEFT.to_string()} x2={RIGHT.to_string()} y1={y(capacity as f64).to_string()} y2={y(capacity as f64).to_string()} />
            <text class="tick" x={(LEFT - 6.0).to_string()} y={(y(0.0) + 4.0).to_string()} text-anchor="end">{ "0" }</text>
            <text class="tick" x={(LEFT - 6.0).to_string()} y={(y(capacity as f64) + 4.0).to_string()} text-anchor="end">{ group_digits(capacity as u64) }</text>
            <text class="tick" x={RIGHT.to_string()} y={(BOTTOM + 16.0).to_string()} text-anchor="end">{ duration_ms(end) }</text>
            <text class="axis-label" x={((LEFT + RIGHT) / 2.0).to_string()} y={(H - 4.0).to_string()} text-anchor="middle">{ "time" }</text>
            <polyline class="q1" points={line(0)} />
            <polyline class="q2" points={line(1)} />
        </svg>
    }
}

/// A queue as a gauge: how full it is now.
fn gauge(name: &str, depth: u64, capacity: usize, unbounded: bool) -> Html {
    let full = !unbounded && depth >= capacity as u64;
    let pct = (depth as f64 / capacity.max(1) as f64 * 100.0).clamp(0.0, 100.0);
    html! {
        <div class={classes!("queue", full.then_some("full"))}>
            <span class="queue-name">{ name }</span>
            <div class="meter" role="meter" aria-label={format!("{name} depth")} aria-valuemin="0"
                 aria-valuemax={capacity.to_string()} aria-valuenow={depth.to_string()}>
                <span style={format!("width: {pct:.1}%")}></span>
            </div>
            <span class="queue-count">{ if unbounded { format!("{} waiting", group_digits(depth)) } else { format!("{} / {}", group_digits(depth), group_digits(capacity as u64)) } }</span>
            if full { <span class="queue-full">{ "full" }</span> }
        </div>
    }
}

#[function_component]
pub(crate) fn ChannelsLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let threads = lab_threads(&pool_state);
    let items_text = use_state(|| "3,000".to_string());
    let producer_text = use_state(|| "50".to_string());
    let worker_text = use_state(|| "100".to_string());
    let consumer_text = use_state(|| "500".to_string());
    let workers_text = use_state(|| "1".to_string());
    let capacity_text = use_state(|| "8".to_string());
    let unbounded = use_state(|| false);
    let refusal = use_state(|| None::<String>);
    let bank_refusal = use_state(|| None::<String>);
    let clients_text = use_state(|| None::<String>);
    let ops_text = use_state(|| "1,000,000".to_string());
    let banking = use_state(|| Banking::Racy);
    let run_state = use_state(|| RunState::Idle);
    let note = use_state(|| None::<String>);
    let progress = use_state(|| None::<Arc<Progress>>);
    let pipeline_result = use_state(|| None::<PipelineJson>);
    let bank_tries = use_state(Vec::<BankJson>::new);
    let live = use_mut_ref(Live::default);
    let calibration = use_mut_ref(|| None::<f64>);
    let redraw = use_force_update();
    let poller = use_state(Poller::default);

    {
        let (progress, poller) = (progress.clone(), (*poller).clone());
        use_effect_with((), move |_| {
            move || {
                poller.stop();
                if let Some(p) = progress.as_ref() {
                    p.cancel();
                }
            }
        });
    }

    let on_run_pipeline = {
        let (items_text, producer_text, worker_text, consumer_text, workers_text, capacity_text, unbounded) = (
            items_text.clone(),
            producer_text.clone(),
            worker_text.clone(),
            consumer_text.clone(),
            workers_text.clone(),
            capacity_text.clone(),
            unbounded.clone(),
        );
        let (refusal, run_state, note, progress, pipeline_result, live, calibration, redraw, poller) = (
            refusal.clone(),
            run_state.clone(),
            note.clone(),
            progress.clone(),
            pipeline_result.clone(),
            live.clone(),
            calibration.clone(),
            redraw.clone(),
            (*poller).clone(),
        );
        let settled = pool_state.settled();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *run_state == RunState::Running || !settled {
                return;
            }
            let checked = (|| {
                let items = parse_whole(&items_text, "Items", ITEMS)?;
                let us = [
                    parse_whole(&producer_text, "Producer µs per item", STAGE_US)?,
                    parse_whole(&worker_text, "Worker µs per item", STAGE_US)?,
                    parse_whole(&consumer_text, "Consumer µs per item", STAGE_US)?,
                ];
                let workers = parse_whole(&workers_text, "Workers", 1..=MAX_STAGE_WORKERS as u64)? as usize;
                let capacity = if *unbounded { items as usize } else { parse_whole(&capacity_text, "Capacity", CAPACITY)? as usize };
                // The slowest stage sets the pace: refuse runs that would take too long.
                let worker_pace = us[1] as f64 / workers.min(threads) as f64;
                let pace_us = (us[0] as f64).max(worker_pace).max(us[2] as f64);
                let estimate_ms = items as f64 * pace_us / 1000.0;
                if estimate_ms > MAX_RUN_MS {
                    return Err(format!(
                        "These settings would take about {} (the slowest stage alone needs {:.0} µs per item for {} items); \
                         at most {} is allowed: use fewer items or faster stages.",
                        duration_ms(estimate_ms),
                        pace_us,
                        group_digits(items),
                        duration_ms(MAX_RUN_MS)
                    ));
                }
                Ok((items, us, workers, capacity))
            })();
            let (items, us, workers, capacity) = match checked {
                Ok(v) => v,
                Err(reason) => return refusal.set(Some(reason)),
            };
            refusal.set(None);
            note.set(None);
            let p = Progress::new(items);
            progress.set(Some(p.clone()));
            run_state.set(RunState::Running);
            let is_unbounded = *unbounded;
            {
                let mut l = live.borrow_mut();
                l.samples.clear();
                l.settings = None;
                l.checking = false;
            }
            let inbox: Arc<Mutex<Vec<Sample>>> = Arc::default();
            {
                let (inbox, live, redraw) = (inbox.clone(), live.clone(), redraw.clone());
                poller.start(100, move || {
                    // Never wait for the lock here: a stage may hold it for a moment; try next tick.
                    if let Ok(mut new) = inbox.try_lock() {
                        live.borrow_mut().samples.append(&mut new);
                    }
                    redraw.force_update();
                });
            }
            let (run_state, note, pipeline_result, live, calibration, redraw, poller) =
                (run_state.clone(), note.clone(), pipeline_result.clone(), live.clone(), calibration.clone(), redraw.clone(), poller.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome: Result<PipelineJson, String> = async {
                    // Two queues, one flag per item, and the samples (a few thousand).
                    reserve_memory(capacity * 2 * 32 + items as usize + (1 << 20)).await;
                    let per_us = spins_per_micro(&calibration).await.map_err(|e| e.to_string())?;
                    let settings = PipelineSettings {
                        items,
                        stage_work: us.map(|u| spins_for_micros(u as f64, per_us)),
                        capacity,
                        workers,
                    };
                    live.borrow_mut().settings = Some((settings, is_unbounded));
                    let sink = inbox.clone();
                    let observe: Observer = Arc::new(move |sample, waiting| {
                        sink.lock().unwrap_or_else(|e| e.into_inner()).push((sample, waiting));
                    });
                    let receipt = run_pipeline_here(settings, observe, p.clone()).await?.map_err(|e| e.to_string())?;
                    live.borrow_mut().checking = true;
                    let check = PipelineCheck { items, stage_work: settings.stage_work };
                    let expected = pool::run(check, Progress::new(items)).await.map_err(|e| e.to_string())?;
                    let outcome = receipt.outcome(expected);
                    let samples = inbox.try_lock().map(|s| s.clone()).unwrap_or_default();
                    let max_depths = [0, 1].map(|q| {
                        samples.iter().chain(live.borrow().samples.iter()).map(|s| s.0.queue_depths[q]).max().unwrap_or(0)
                    });
                    Ok(PipelineJson {
                        items,
                        capacity,
                        unbounded: is_unbounded,
                        workers,
                        stage_us: us,
                        wall_ms: round1(receipt.wall_ms),
                        throughput_per_s: round1(receipt.received as f64 / receipt.wall_ms.max(1e-3) * 1000.0),
                        max_depths,
                        waiting_ms: receipt.waiting_ms.map(round1),
                        exactly_once: outcome.exactly_once(),
                        mode: if pool::workers() > 0 { "pool" } else { "one-thread" },
                        spins_per_us: round1(per_us),
                    })
                }
                .await;
                poller.stop();
                if let Ok(mut rest) = inbox.try_lock() {
                    live.borrow_mut().samples.append(&mut rest);
                }
                live.borrow_mut().checking = false;
                match outcome {
                    Ok(json) => {
                        let ok = json.exactly_once;
                        pipeline_result.set(Some(json));
                        if !ok {
                            note.set(Some("Some items were lost, repeated or changed on the way: the checksums differ.".into()));
                        }
                        run_state.set(if ok { RunState::Done } else { RunState::Error });
                    }
                    Err(reason) if reason == JobError::Cancelled.to_string() => {
                        note.set(Some(format!("Cancelled after {:.0}% of the items.", p.fraction() * 100.0)));
                        run_state.set(RunState::Idle);
                    }
                    Err(reason) => {
                        note.set(Some(format!("The pipeline could not run: {reason}")));
                        run_state.set(RunState::Error);
                    }
                }
                redraw.force_update();
            });
        })
    };

    let clients_value = clients_text.as_ref().cloned().unwrap_or_else(|| "2".to_string());
    let on_run_bank = {
        let (ops_text, banking, bank_refusal, run_state, note, progress, bank_tries) =
            (ops_text.clone(), banking.clone(), bank_refusal.clone(), run_state.clone(), note.clone(), progress.clone(), bank_tries.clone());
        let (clients_value, redraw, poller) = (clients_value.clone(), redraw.clone(), (*poller).clone());
        let settled = pool_state.settled();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *run_state == RunState::Running || !settled {
                return;
            }
            if pool::workers() == 0 {
                return bank_refusal.set(Some(
                    "The bank's clients are threads, and this page has no worker threads (see above), so this comparison \
                     cannot run here: with one thread there is nobody to race with."
                        .into(),
                ));
            }
            let checked = parse_whole(&clients_value, "Clients", 1..=MAX_CLIENTS as u64).and_then(|c| {
                let ops = parse_whole(&ops_text, "Operations per client", OPS)?;
                if c * ops > MAX_TOTAL_OPS {
                    return Err(format!(
                        "Clients × operations must be at most {} (you asked for {}): the actor's mailbox may have to hold                          most of them at once, and that takes memory.",
                        group_digits(MAX_TOTAL_OPS),
                        group_digits(c * ops)
                    ));
                }
                Ok((c as usize, ops))
            });
            let (clients, ops) = match checked {
                Ok(v) => v,
                Err(reason) => return bank_refusal.set(Some(reason)),
            };
            bank_refusal.set(None);
            note.set(None);
            let way = *banking;
            let p = Progress::new(clients as u64 * ops);
            progress.set(Some(p.clone()));
            run_state.set(RunState::Running);
            {
                let redraw = redraw.clone();
                poller.start(100, move || redraw.force_update());
            }
            let (run_state, note, bank_tries, poller) = (run_state.clone(), note.clone(), bank_tries.clone(), poller.clone());
            wasm_bindgen_futures::spawn_local(async move {
                // The actor's mailbox may hold most messages at once (about 32 bytes each).
                reserve_memory(if way == Banking::Actor { clients * ops as usize * 32 } else { 0 }).await;
                let run = on_pool(move || {
                    let start = now_abs_ms();
                    run_bank_with(way, clients, ops, OPENING_CENTS, &p).map(|o: BankOutcome| (o, now_abs_ms() - start))
                })
                .await;
                poller.stop();
                match run.and_then(|r| r) {
                    Ok((o, wall_ms)) => {
                        let mut list = (*bank_tries).clone();
                        list.push(BankJson {
                            banking: way,
                            clients,
                            ops_per_client: ops,
                            expected_cents: o.expected,
                            actual_cents: o.actual,
                            lost_cents: o.expected - o.actual,
                            wall_ms: round1(wall_ms),
                        });
                        bank_tries.set(list);
                        run_state.set(RunState::Done);
                    }
                    Err(JobError::Cancelled) => {
                        note.set(Some("The bank run was cancelled.".into()));
                        run_state.set(RunState::Idle);
                    }
                    Err(e) => {
                        note.set(Some(format!("The bank run failed: {e}.")));
                        run_state.set(RunState::Error);
                    }
                }
            });
        })
    };

    let on_cancel = cancel_callback(&progress);
    let on_unbounded = {
        let (unbounded, refusal) = (unbounded.clone(), refusal.clone());
        Callback::from(move |e: Event| {
            let checked = e.target_dyn_into::<web_sys::HtmlInputElement>().is_some_and(|i| i.checked());
            unbounded.set(checked);
            refusal.set(None);
        })
    };
    let on_workers = {
        let (workers_text, refusal) = (workers_text.clone(), refusal.clone());
        Callback::from(move |e: Event| {
            workers_text.set(event_value(&e));
            refusal.set(None);
        })
    };
    let on_clients = {
        let (clients_text, bank_refusal) = (clients_text.clone(), bank_refusal.clone());
        Callback::from(move |e: Event| {
            clients_text.set(Some(event_value(&e)));
            bank_refusal.set(None);
        })
    };
    let on_banking = {
        let banking = banking.clone();
        Callback::from(move |e: Event| {
            banking.set(if event_value(&e) == "actor" { Banking::Actor } else { Banking::Racy });
        })
    };

    let running = *run_state == RunState::Running;
    let fraction = progress.as_ref().map_or(0.0, |p| p.fraction());
    let result = (pipeline_result.is_some() || !bank_tries.is_empty()).then(|| {
        let json = ResultJson { pipeline: pipeline_result.as_ref(), bank: bank_tries.last() };
        AttrValue::from(serde_json::to_string(&json).unwrap_or_default())
    });
    let l = live.borrow();
    let last = l.samples.last();
    let stages_now = workers_text.parse::<usize>().unwrap_or(1) + 2;
    let pipeline_running = running && l.settings.is_some();
    html! {
        <WidgetFrame name="channels" title="Channels: a pipeline with bounded queues" state={*run_state} {result}>
            <p>{ "A producer makes items, workers transform them, a consumer finishes them; bounded queues connect the stages. \
                  Set how long each stage spends per item and how many items each queue holds, then watch the queues while it runs." }</p>
            <PoolNote without="The stages take turns on that thread: the queues still fill and empty the same way, only nothing runs at the same time." />
            <form class="lab-form" onsubmit={on_run_pipeline}>
                <fieldset class="lab-fieldset" disabled={running}>
                    <legend>{ "Pipeline" }</legend>
                    <div class="lab-fields">
                        <div class="field">
                            <label for="ch-items">{ "Items" }</label>
                            <input id="ch-items" name="items" inputmode="numeric" value={(*items_text).clone()} oninput={on_text(&items_text, &refusal)} />
                        </div>
                        <div class="field">
                            <label for="ch-producer">{ "Producer µs per item" }</label>
                            <input id="ch-producer" name="producer-us" inputmode="numeric" value={(*producer_text).clone()} oninput={on_text(&producer_text, &refusal)} />
                        </div>
                        <div class="field">
                            <label for="ch-worker">{ "Worker µs per item" }</label>
                            <input id="ch-worker" name="worker-us" inputmode="numeric" value={(*worker_text).clone()} oninput={on_text(&worker_text, &refusal)} />
                        </div>
                        <div class="field">
                            <label for="ch-consumer">{ "Consumer µs per item" }</label>
                            <input id="ch-consumer" name="consumer-us" inputmode="numeric" value={(*consumer_text).clone()} oninput={on_text(&consumer_text, &refusal)} />
                        </div>
                        <div class="field">
                            <label for="ch-workers">{ "Workers" }</label>
                            <select id="ch-workers" name="workers" onchange={on_workers}>
                                { for (1..=MAX_STAGE_WORKERS).map(|n| html! { <option value={n.to_string()} selected={*workers_text == n.to_string()}>{ n }</option> }) }
                            </select>
                        </div>
                        <div class="field">
                            <label for="ch-capacity">{ "Queue capacity" }</label>
                            <input id="ch-capacity" name="capacity" inputmode="numeric" value={(*capacity_text).clone()} oninput={on_text(&capacity_text, &refusal)}
                                   disabled={*unbounded} />
                        </div>
                        <label class="check"><input type="checkbox" name="unbounded" checked={*unbounded} onchange={on_unbounded} />{ "No bound (a queue can hold every item)" }</label>
                    </div>
                </fieldset>
                <div class="buttons">
                    <button type="submit" class="primary" disabled={running || !pool_state.settled()}>{ "Run the pipeline" }</button>
                    <button type="button" onclick={on_cancel.clone()} disabled={!running}>{ "Cancel" }</button>
                </div>
                <p class="help">{ format!(
                    "Items from {} to {}; each stage from 0 to {} µs per item; capacity from 1 to {}. Each item's work is real computation, \
                     calibrated to this device.", group_digits(*ITEMS.start()), group_digits(*ITEMS.end()), group_digits(*STAGE_US.end()),
                    group_digits(*CAPACITY.end())) }
                    { if pool_state.workers() > 0 && stages_now > threads {
                        format!(" This page has {threads} worker threads for {stages_now} stages: a stage that cannot send or receive gives its \
                                 thread to another instead of waiting on it, so the stages take turns.")
                    } else { String::new() } }
                </p>
            </form>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar {fraction} label={if pipeline_running { "Items consumed" } else { "Operations sent" }} /> }
            if l.checking { <p class="help" aria-live="polite">{ "Checking every item's value against a plain loop…" }</p> }
            if let Some(n) = note.as_ref() { <p class="note" role="status">{ n }</p> }
            if let (Some((settings, unb)), Some((sample, waiting))) = (l.settings, last) {
                <div class="pipeline" aria-live="off" data-testid="pipeline-live">
                    <div class="stage">
                        <strong>{ "Producer" }</strong>
                        <span>{ format!("{} made", group_digits(sample.produced)) }</span>
                        <span class="waiting">{ format!("waited {}", percent(waiting[0], sample.at_ms)) }</span>
                    </div>
                    { gauge("Queue 1", sample.queue_depths[0], settings.capacity, unb) }
                    <div class="stage">
                        <strong>{ if settings.workers == 1 { "1 worker".to_string() } else { format!("{} workers", settings.workers) } }</strong>
                        <span>{ format!("{} done", group_digits(sample.processed)) }</span>
                        <span class="waiting">{ format!("waited {}", percent(waiting[1], sample.at_ms)) }</span>
                    </div>
                    { gauge("Queue 2", sample.queue_depths[1], settings.capacity, unb) }
                    <div class="stage">
                        <strong>{ "Consumer" }</strong>
                        <span>{ format!("{} finished", group_digits(sample.consumed)) }</span>
                        <span class="waiting">{ format!("waited {}", percent(waiting[2], sample.at_ms)) }</span>
                    </div>
                </div>
                <p class="help">{ format!("Throughput: {} items per second after {}.", group_digits((sample.throughput_per_ms * 1000.0).round() as u64), duration_ms(sample.at_ms)) }</p>
                <figure class="lab-figure">
                    { depth_chart(&l.samples, settings.capacity) }
                    <figcaption>
                        <ul class="lab-legend">
                            <li><span class="key key-q1"></span>{ "queue 1: producer → workers" }</li>
                            <li><span class="key key-q2"></span>{ "queue 2: workers → consumer" }</li>
                            <li><span class="key key-capacity"></span>{ "capacity" }</li>
                        </ul>
                    </figcaption>
                </figure>
            }
            if let Some(r) = pipeline_result.as_ref() {
                <p class="outcome" role="status">
                    { format!("{} items in {} ({} per second). ", group_digits(r.items), duration_ms(r.wall_ms), group_digits(r.throughput_per_s.round() as u64)) }
                    { if r.waiting_ms[0] > r.wall_ms * 0.3 && !r.unbounded {
                        format!("The producer waited {} of the time with queue 1 full: backpressure from a slower stage downstream. ", percent(r.waiting_ms[0], r.wall_ms))
                    } else if r.unbounded {
                        format!("With no bound nobody waits for room: the queues grew instead, to {} and {} items (and every waiting item takes memory). ",
                            group_digits(r.max_depths[0]), group_digits(r.max_depths[1]))
                    } else {
                        format!("The producer waited {} of the time. ", percent(r.waiting_ms[0], r.wall_ms))
                    } }
                    { if r.exactly_once { "Every item arrived exactly once, with the right value." } else { "" } }
                </p>
            }

            <section class="bank" aria-labelledby="bank-title">
                <h3 id="bank-title">{ "A bank account: shared balance or actor" }</h3>
                <p>{ format!("Clients deposit and withdraw at the same time on an account that opens with {}. Shared, each client reads the balance \
                      and writes it back changed, and updates get lost. As an actor, the clients send messages and one owner applies them \
                      one by one: the balance is exact.", euros(OPENING_CENTS)) }</p>
                <form class="lab-fields" onsubmit={on_run_bank}>
                    <div class="field">
                        <label for="bank-way">{ "Balance" }</label>
                        <select id="bank-way" name="banking" onchange={on_banking} disabled={running}>
                            <option value="racy" selected={*banking == Banking::Racy}>{ "Shared (racy)" }</option>
                            <option value="actor" selected={*banking == Banking::Actor}>{ "Owned by an actor" }</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="bank-clients">{ "Clients" }</label>
                        <select id="bank-clients" name="clients" onchange={on_clients} disabled={running}>
                            { for (1..=MAX_CLIENTS).map(|n| html! { <option value={n.to_string()} selected={clients_value == n.to_string()}>{ n }</option> }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="bank-ops">{ "Operations per client" }</label>
                        <input id="bank-ops" name="ops" inputmode="numeric" value={(*ops_text).clone()} oninput={on_text(&ops_text, &bank_refusal)} disabled={running}
                               aria-describedby="bank-help" />
                    </div>
                    <div class="buttons">
                        <button type="submit" class="primary" disabled={running || !pool_state.settled()}>{ "Run the bank" }</button>
                        <button type="button" onclick={on_cancel} disabled={!running}>{ "Cancel" }</button>
                    </div>
                </form>
                <p id="bank-help" class="help">{ format!("From 1 to {} operations per client, up to {MAX_CLIENTS} clients, {} operations in all.",
                    group_digits(*OPS.end()), group_digits(MAX_TOTAL_OPS)) }</p>
                if let Some(reason) = bank_refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
                if !bank_tries.is_empty() {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Bank runs">
                        <table class="tries lab-table losses">
                            <caption>{ "Bank runs (newest first)" }</caption>
                            <thead><tr>
                                <th scope="col">{ "Balance" }</th><th scope="col">{ "Lost" }</th><th scope="col">{ "Actual" }</th>
                                <th scope="col">{ "Expected" }</th><th scope="col">{ "Clients" }</th><th scope="col">{ "Wall time" }</th>
                            </tr></thead>
                            <tbody>
                                { for bank_tries.iter().rev().map(|b| html! {
                                    <tr class={classes!((b.lost_cents != 0).then_some("lost"))}>
                                        <td>{ if b.banking == Banking::Actor { "actor" } else { "shared" } }</td>
                                        <td>{ euros(b.lost_cents) }</td>
                                        <td>{ euros(b.actual_cents) }</td>
                                        <td>{ euros(b.expected_cents) }</td>
                                        <td>{ b.clients }</td>
                                        <td>{ duration_ms(b.wall_ms) }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                }
            </section>
        </WidgetFrame>
    }
}
