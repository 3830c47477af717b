//! "Count primes on every core": one CPU-bound job run through the pool, with progress and cancel.

use serde::Serialize;
use yew::prelude::*;

use interleave_core::numbers::{duration_ms, group_digits, round1};
use interleave_core::prime_count::PrimeCount;
use interleave_core::run::jobs::JobError;

use crate::pool::{self, PoolState};
use interleave_ui::widget::{ProgressBar, Widget, WidgetFrame};
use interleave_ui::use_run::use_run;
use crate::widgets::lab_common::on_text;

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
    let run = use_run::<Outcome>();

    let start = {
        let (input, refusal, run) = (input.clone(), refusal.clone(), run.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let job = match PrimeCount::parse(&input) {
                Ok(job) => job,
                Err(reason) => return refusal.set(Some(reason)),
            };
            run.start(job.limit, "the numbers", move |progress| async move {
                let workers = pool::workers();
                let started = pool::now_ms();
                let out = pool::run(job, progress).await?;
                Ok::<_, JobError>(Outcome {
                    limit: job.limit,
                    primes: out.primes,
                    wall_ms: round1(pool::now_ms() - started),
                    mode: if workers > 0 { "pool" } else { "main-thread" },
                    workers,
                    threads_used: out.threads.len().max(1),
                })
            });
        })
    };

    let running = run.running();
    let cancel = run.cancel();
    let result_json = run.outcome().map(|o| AttrValue::from(serde_json::to_string(o).unwrap_or_default()));
    let fraction = run.fraction();
    html! {
        <WidgetFrame widget={Widget::PrimeCount} state={run.state()} result={result_json}>
            <p>{ "Counting primes is pure computation: every number is tested on its own, so the work splits cleanly across cores. " }
               { match &pool_state {
                   PoolState::Ready { workers } => format!("Here it is shared among {workers} worker threads."),
                   PoolState::Fallback { .. } => "Here it runs on the page's one thread, in short slices so the page never freezes.".to_string(),
                   PoolState::NotStarted | PoolState::Starting => "The worker threads are still starting.".to_string(),
               } }</p>
            <form class="controls" onsubmit={start}>
                <label for="prime-limit">{ "Count the primes below" }</label>
                <input id="prime-limit" name="limit" inputmode="numeric" value={(*input).clone()} oninput={on_text(&input, &refusal)}
                       aria-describedby="prime-limit-help" aria-invalid={refusal.is_some().to_string()} disabled={running} />
                <button type="submit" class="primary" disabled={running || !pool_state.settled()}>{ "Run" }</button>
                <button type="button" onclick={cancel} disabled={!running}>{ "Cancel" }</button>
            </form>
            <p id="prime-limit-help" class="help">{ format!("A whole number from 2 to {}.", group_digits(PrimeCount::MAX_LIMIT)) }</p>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar fraction={fraction} label="Numbers tested" /> }
            if let Some(n) = run.note() { <p class="note" role="status">{ n.to_string() }</p> }
            if let Some(o) = run.outcome() {
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
