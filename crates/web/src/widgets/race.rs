//! The race lab: k threads increment one shared counter, in one of five ways; a table of tries
//! shows the racy way losing a different number of updates each time, and the others none.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use yew::prelude::*;

use crate::widgets::lab_common::{event_value, lab_threads, now_abs_ms, on_text, parse_whole, reserve_memory, round1, PoolNote};
use crate::components::widget::{cancel_callback, ProgressBar, RunState, WidgetFrame};
use interleave_core::run::jobs::{JobError, Progress};
use interleave_core::run::on_pool;
use interleave_core::race::{run_race_with, RaceTry, Strategy, ONE_THREAD_LOSES_NOTHING};
use interleave_core::numbers::{duration_ms, group_digits};
use crate::browser::pool::{self, PoolState};

/// Most increments per thread: a few seconds for the slowest way (the mutex) on a phone.
const MAX_INCREMENTS: u64 = 5_000_000;

/// Runs the race on the pool, timed on the worker.
async fn race_on_pool(strategy: Strategy, threads: usize, increments: u64, progress: Arc<Progress>) -> Result<RaceTry, JobError> {
    on_pool(move || {
        let start = now_abs_ms();
        let outcome = run_race_with(strategy, threads, increments, &progress)?;
        Ok(RaceTry {
            strategy,
            threads,
            increments_per_thread: increments,
            expected: outcome.expected,
            actual: outcome.actual,
            lost: outcome.lost,
            wall_ms: round1(now_abs_ms() - start),
        })
    })
    .await?
}

/// Without a pool: the same five ways with one thread, on the page, in chunks that yield.
async fn race_on_page(strategy: Strategy, increments: u64, progress: Arc<Progress>) -> Result<RaceTry, JobError> {
    const CHUNK: u64 = 1 << 16;
    let counter = AtomicU64::new(0);
    let locked = Mutex::new(0u64);
    let (tx, rx) = mpsc::channel::<u64>();
    let mut local = 0u64;
    let start = pool::now_ms();
    let mut slice_start = start;
    let mut done = 0;
    while done < increments {
        if progress.is_cancelled() {
            return Err(JobError::Cancelled);
        }
        let n = CHUNK.min(increments - done);
        for _ in 0..n {
            match strategy {
                Strategy::Racy => counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed),
                Strategy::Atomic => {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                Strategy::Mutex => *locked.lock().unwrap_or_else(|e| e.into_inner()) += 1,
                Strategy::LocalThenCombine | Strategy::Messages => local = std::hint::black_box(local) + 1,
            }
        }
        progress.add(n);
        done += n;
        if pool::now_ms() - slice_start > pool::SLICE_MS {
            pool::yield_now().await;
            slice_start = pool::now_ms();
        }
    }
    let actual = match strategy {
        Strategy::Racy | Strategy::Atomic => counter.load(Ordering::Relaxed),
        Strategy::Mutex => *locked.lock().unwrap_or_else(|e| e.into_inner()),
        Strategy::LocalThenCombine => local,
        Strategy::Messages => {
            let _ = tx.send(local);
            drop(tx);
            rx.iter().sum()
        }
    };
    Ok(RaceTry {
        strategy,
        threads: 1,
        increments_per_thread: increments,
        expected: increments,
        actual,
        lost: increments.saturating_sub(actual),
        wall_ms: round1(pool::now_ms() - start),
    })
}

#[function_component]
pub(crate) fn RaceLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let max_threads = lab_threads(&pool_state);
    let strategy = use_state(|| Strategy::Racy);
    let threads_text = use_state(|| None::<String>);
    let increments_text = use_state(|| "1,000,000".to_string());
    let refusal = use_state(|| None::<String>);
    let run_state = use_state(|| RunState::Idle);
    let note = use_state(|| None::<String>);
    let progress = use_state(|| None::<Arc<Progress>>);
    let tries = use_state(Vec::<RaceTry>::new);
    let redraw = use_force_update();
    let ticker = use_mut_ref(|| None::<gloo::timers::callback::Interval>);

    // Leaving the page cancels a run.
    {
        let (progress, ticker) = (progress.clone(), ticker.clone());
        use_effect_with((), move |_| {
            move || {
                ticker.borrow_mut().take();
                if let Some(p) = progress.as_ref() {
                    p.cancel();
                }
            }
        });
    }

    // Threads default to every worker: a race needs at least two.
    let threads_value = threads_text.as_ref().cloned().unwrap_or_else(|| max_threads.to_string());
    let on_strategy = {
        let strategy = strategy.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = Strategy::from_id(&event_value(&e)) {
                strategy.set(s);
            }
        })
    };
    let on_threads = {
        let (threads_text, refusal) = (threads_text.clone(), refusal.clone());
        Callback::from(move |e: Event| {
            threads_text.set(Some(event_value(&e)));
            refusal.set(None);
        })
    };

    let on_run = {
        let (strategy, increments_text, refusal, run_state, note, progress, tries) =
            (strategy.clone(), increments_text.clone(), refusal.clone(), run_state.clone(), note.clone(), progress.clone(), tries.clone());
        let (threads_value, redraw, ticker) = (threads_value.clone(), redraw.clone(), ticker.clone());
        let settled = pool_state.settled();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *run_state == RunState::Running || !settled {
                return;
            }
            let threads = match parse_whole(&threads_value, "Threads", 1..=max_threads as u64) {
                Ok(t) => t as usize,
                Err(reason) => return refusal.set(Some(format!("{reason} This page has {max_threads} worker thread{}.", if max_threads == 1 { "" } else { "s" }))),
            };
            let increments = match parse_whole(&increments_text, "Increments per thread", 1..=MAX_INCREMENTS) {
                Ok(m) => m,
                Err(reason) => return refusal.set(Some(format!("{reason} More would take too long with the slowest way."))),
            };
            refusal.set(None);
            note.set(None);
            let s = *strategy;
            let p = Progress::new(threads as u64 * increments);
            progress.set(Some(p.clone()));
            run_state.set(RunState::Running);
            let redraw = redraw.clone();
            *ticker.borrow_mut() = Some(gloo::timers::callback::Interval::new(100, move || redraw.force_update()));
            let (run_state, note, tries, ticker) = (run_state.clone(), note.clone(), tries.clone(), ticker.clone());
            wasm_bindgen_futures::spawn_local(async move {
                reserve_memory(0).await;
                let result = if pool::workers() > 0 {
                    race_on_pool(s, threads, increments, p.clone()).await
                } else {
                    race_on_page(s, increments, p.clone()).await
                };
                ticker.borrow_mut().take();
                match result {
                    Ok(t) => {
                        let mut list = (*tries).clone();
                        list.push(t);
                        tries.set(list);
                        run_state.set(RunState::Done);
                    }
                    Err(JobError::Cancelled) => {
                        note.set(Some(format!("Cancelled after {:.0}% of the increments.", p.fraction() * 100.0)));
                        run_state.set(RunState::Idle);
                    }
                    Err(e) => {
                        note.set(Some(format!("The run failed: {e}.")));
                        run_state.set(RunState::Error);
                    }
                }
            });
        })
    };
    let on_cancel = cancel_callback(&progress);

    let running = *run_state == RunState::Running;
    let result = tries.last().map(|t| AttrValue::from(t.to_json()));
    let fraction = progress.as_ref().map_or(0.0, |p| p.fraction());
    let last = tries.last();
    html! {
        <WidgetFrame name="race" title="Race lab: one counter, many threads" state={*run_state} {result}>
            <p>{ "Each thread adds 1 to the same counter, again and again. Afterwards the counter should read \
                  threads × increments. Pick how the threads share it, run it a few times, and compare." }</p>
            <PoolNote without="So only one thread can run here, and one thread cannot race with itself: every way gives the exact count." />
            <form class="lab-fields" onsubmit={on_run}>
                <div class="field">
                    <label for="race-strategy">{ "Way of sharing" }</label>
                    <select id="race-strategy" name="strategy" onchange={on_strategy} disabled={running}>
                        { for Strategy::ALL.iter().map(|&st| html! {
                            <option value={st.id()} selected={st == *strategy}>{ st.name() }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="race-threads">{ "Threads" }</label>
                    <select id="race-threads" name="threads" onchange={on_threads} disabled={running}>
                        { for (1..=max_threads).map(|n| html! {
                            <option value={n.to_string()} selected={threads_value == n.to_string()}>{ n.to_string() }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="race-increments">{ "Increments per thread" }</label>
                    <input id="race-increments" name="increments" inputmode="numeric" value={(*increments_text).clone()}
                           oninput={on_text(&increments_text, &refusal)} disabled={running}
                           aria-describedby="race-increments-help" aria-invalid={refusal.is_some().to_string()} />
                </div>
                <div class="buttons">
                    <button type="submit" class="primary" disabled={running || !pool_state.settled()}>{ "Run" }</button>
                    <button type="button" onclick={on_cancel} disabled={!running}>{ "Cancel" }</button>
                </div>
            </form>
            <p id="race-increments-help" class="help">{ format!("From 1 to {} per thread.", group_digits(MAX_INCREMENTS)) }</p>
            <p class="lab-explain-line"><strong>{ format!("{}: ", strategy.name()) }</strong>{ strategy.explain() }</p>
            if threads_value == "1" { <p class="help">{ ONE_THREAD_LOSES_NOTHING }</p> }
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar {fraction} label="Increments done" /> }
            if let Some(n) = note.as_ref() { <p class="note" role="status">{ n }</p> }
            if let Some(t) = last {
                <p class={classes!("outcome", (t.lost > 0).then_some("lost"))} role="status">
                    { if t.lost > 0 {
                        format!("{} of {} increments were lost ({:.2}%): the counter reads {}.",
                            group_digits(t.lost), group_digits(t.expected), t.lost as f64 * 100.0 / t.expected as f64, group_digits(t.actual))
                    } else {
                        format!("Exact: the counter reads {}, as expected, in {}.", group_digits(t.actual), duration_ms(t.wall_ms))
                    } }
                </p>
            }
            if !tries.is_empty() {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Your tries">
                    <table class="tries lab-table losses">
                        <caption>{ "Your tries" }</caption>
                        <thead><tr>
                            <th scope="col">{ "Way" }</th><th scope="col">{ "Lost" }</th><th scope="col">{ "Actual" }</th>
                            <th scope="col">{ "Expected" }</th><th scope="col">{ "Threads" }</th><th scope="col">{ "Wall time" }</th>
                        </tr></thead>
                        <tbody>
                            { for tries.iter().rev().map(|t| html! {
                                <tr class={classes!((t.lost > 0).then_some("lost"))}>
                                    <td>{ t.strategy.name() }</td>
                                    <td>{ group_digits(t.lost) }</td>
                                    <td>{ group_digits(t.actual) }</td>
                                    <td>{ group_digits(t.expected) }</td>
                                    <td>{ t.threads }</td>
                                    <td>{ duration_ms(t.wall_ms) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <p class="help">{ "Newest first. The racy way loses a different number each run: it depends on how the threads' \
                    reads and writes happened to interleave. The safe ways never lose one, but compare their times." }</p>
            }
        </WidgetFrame>
    }
}
