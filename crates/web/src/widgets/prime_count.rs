//! "Count primes on every core": one CPU-bound job run through the pool, with progress and cancel.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use gloo::timers::callback::Interval;
use serde::Serialize;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::widget::{cancel_callback, ProgressBar, RunState, WidgetFrame};
use interleave_core::run::jobs::{JobError, Progress};
use interleave_core::prime_count::PrimeCount;
use interleave_core::numbers::{duration_ms, group_digits};
use crate::browser::pool::{self, PoolState};

/// The figures of one run, also published as `data-result`.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Outcome {
    limit: u64,
    primes: u64,
    wall_ms: f64,
    mode: &'static str,
    workers: usize,
    threads_used: usize,
}

#[function_component]
pub(crate) fn PrimeCountLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let input = use_state(|| "5,000,000".to_string());
    let refusal = use_state(|| None::<String>);
    let run_state = use_state(|| RunState::Idle);
    let note = use_state(|| None::<String>);
    let progress = use_state(|| None::<Arc<Progress>>);
    let outcome = use_state(|| None::<Outcome>);
    let redraw = use_force_update();
    let ticker: Rc<RefCell<Option<Interval>>> = use_mut_ref(|| None);

    let oninput = {
        let input = input.clone();
        let refusal = refusal.clone();
        Callback::from(move |e: InputEvent| {
            input.set(e.target_unchecked_into::<HtmlInputElement>().value());
            refusal.set(None);
        })
    };

    let start = {
        let (input, refusal, run_state, note) = (input.clone(), refusal.clone(), run_state.clone(), note.clone());
        let (progress, outcome, ticker) = (progress.clone(), outcome.clone(), ticker.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *run_state == RunState::Running {
                return;
            }
            let job = match PrimeCount::parse(&input) {
                Ok(job) => job,
                Err(reason) => return refusal.set(Some(reason)),
            };
            let p = Progress::new(job.limit);
            progress.set(Some(p.clone()));
            run_state.set(RunState::Running);
            note.set(None);
            let redraw = redraw.clone();
            *ticker.borrow_mut() = Some(Interval::new(100, move || redraw.force_update()));
            let (run_state, note, outcome, ticker) = (run_state.clone(), note.clone(), outcome.clone(), ticker.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let workers = pool::workers();
                let started = pool::now_ms();
                let result = pool::run(job, p.clone()).await;
                let wall_ms = pool::now_ms() - started;
                ticker.borrow_mut().take();
                match result {
                    Ok(out) => {
                        outcome.set(Some(Outcome {
                            limit: job.limit,
                            primes: out.primes,
                            wall_ms: (wall_ms * 10.0).round() / 10.0,
                            mode: if workers > 0 { "pool" } else { "main-thread" },
                            workers,
                            threads_used: out.threads.len().max(1),
                        }));
                        run_state.set(RunState::Done);
                    }
                    Err(JobError::Cancelled) => {
                        note.set(Some(format!("Cancelled after {:.0}% of the numbers.", p.fraction() * 100.0)));
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

    let cancel = cancel_callback(&progress);

    let running = *run_state == RunState::Running;
    let result_json = outcome.as_ref().map(|o| AttrValue::from(serde_json::to_string(o).unwrap_or_default()));
    let fraction = progress.as_ref().map_or(0.0, |p| p.fraction());
    html! {
        <WidgetFrame name="prime-count" title="Count primes on every core" state={*run_state} result={result_json}>
            <p>{ "Counting primes is pure computation: every number is tested on its own, so the work splits cleanly across cores. " }
               { match &pool_state {
                   PoolState::Ready { workers } => format!("Here it is shared among {workers} worker threads."),
                   PoolState::Fallback { .. } => "Here it runs on the page's one thread, in short slices so the page never freezes.".to_string(),
                   PoolState::Starting => "The worker threads are still starting.".to_string(),
               } }</p>
            <form class="controls" onsubmit={start}>
                <label for="prime-limit">{ "Count the primes below" }</label>
                <input id="prime-limit" name="limit" inputmode="numeric" value={(*input).clone()} {oninput}
                       aria-describedby="prime-limit-help" aria-invalid={refusal.is_some().to_string()} disabled={running} />
                <button type="submit" class="primary" disabled={running || !pool_state.settled()}>{ "Run" }</button>
                <button type="button" onclick={cancel} disabled={!running}>{ "Cancel" }</button>
            </form>
            <p id="prime-limit-help" class="help">{ format!("A whole number from 2 to {}.", group_digits(PrimeCount::MAX_LIMIT)) }</p>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar fraction={fraction} label="Numbers tested" /> }
            if let Some(n) = note.as_ref() { <p class="note" role="status">{ n }</p> }
            if let Some(o) = outcome.as_ref() {
                <p class="outcome" role="status">
                    { format!("{} primes below {} in {}, ", group_digits(o.primes), group_digits(o.limit), duration_ms(o.wall_ms)) }
                    { if o.mode == "pool" {
                        format!("shared by {} of {} worker threads; the page's own thread only waited.", o.threads_used, o.workers)
                      } else {
                        "on the page's one thread, in slices that let it keep drawing.".to_string()
                      } }
                </p>
            }
        </WidgetFrame>
    }
}
