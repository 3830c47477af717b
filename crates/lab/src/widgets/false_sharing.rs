//! The false-sharing lab: each thread increments a counter of its own, the counters packed in one
//! cache line and then padded 128 bytes apart; both times, their ratio and what it means.

use serde::Serialize;
use yew::prelude::*;

use interleave_core::false_sharing::{
    run_false_sharing, FalseSharingRun, Layout, LayoutRun, OneThreadCounter, Settings, DEFAULT_INCREMENTS, INCREMENTS,
    ONE_THREAD_SHOWS_NOTHING, ROUNDS,
};
use interleave_core::numbers::{duration_ms, group_digits};
use interleave_core::run::jobs::{spawn_task, JobError};

use crate::pool::{self, PoolState};
use crate::widgets::lab_common::{lab_table, lab_threads, now_abs_ms, number_field, on_select, reserve_memory, threads_select, PoolNote};
use interleave_ui::use_run::use_run;
use interleave_ui::widget::{ProgressBar, RunButtons, Widget, WidgetFrame};

/// `data-result`: the run's figures.
#[derive(Serialize)]
struct RunJson<'a> {
    threads: usize,
    increments: u64,
    packed_ms: f64,
    padded_ms: f64,
    ratio: f64,
    packed_counts: &'a [u64],
    padded_counts: &'a [u64],
    counts_right: bool,
    mode: &'static str,
}

impl<'a> RunJson<'a> {
    fn of(r: &'a FalseSharingRun, mode: &'static str) -> Self {
        RunJson {
            threads: r.threads,
            increments: r.increments,
            packed_ms: r.packed.ms,
            padded_ms: r.padded.ms,
            ratio: r.ratio(),
            packed_counts: &r.packed.counts,
            padded_counts: &r.padded.counts,
            counts_right: r.counts_right(),
            mode,
        }
    }
}

#[function_component]
pub(crate) fn FalseSharingLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let workers = lab_threads(&pool_state);
    let threads_text = use_state(|| None::<String>);
    let increments_text = use_state(|| group_digits(DEFAULT_INCREMENTS));
    let refusal = use_state(|| None::<String>);
    let run = use_run::<(FalseSharingRun, &'static str)>();

    // Threads default to every worker: false sharing needs at least two.
    let threads_value = threads_text.as_ref().cloned().unwrap_or_else(|| workers.to_string());
    let on_threads = on_select(&threads_text, &refusal);
    let on_run = {
        let (increments_text, refusal, run, threads_value) = (increments_text.clone(), refusal.clone(), run.clone(), threads_value.clone());
        let settled = pool_state.settled();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if run.running() || !settled {
                return;
            }
            let settings = match Settings::parse(&threads_value, &increments_text, workers) {
                Ok(s) => s,
                Err(reason) => return refusal.set(Some(reason)),
            };
            refusal.set(None);
            let units = if pool::workers() > 0 { settings.units() } else { 2 * settings.increments };
            run.start(units, "the increments", move |progress| async move {
                reserve_memory(0).await?;
                if pool::workers() > 0 {
                    let done = spawn_task(move || run_false_sharing(settings, &progress, now_abs_ms)).await??;
                    return Ok::<_, JobError>((done, "pool"));
                }
                // No pool: one counter per layout on the page's one thread, in slices that yield.
                let mut layouts = Vec::new();
                for layout in Layout::ALL {
                    let start = pool::now_ms();
                    let counts = pool::run_sliced(OneThreadCounter::new(layout, settings.increments), progress.clone()).await?;
                    layouts.push(LayoutRun::new(layout, vec![pool::now_ms() - start], counts));
                }
                let padded = layouts.pop().expect("two layouts");
                let packed = layouts.pop().expect("two layouts");
                Ok((FalseSharingRun { threads: 1, increments: settings.increments, packed, padded }, "one-thread"))
            });
        })
    };

    let running = run.running();
    let last = run.outcome();
    let result = last.map(|(r, mode)| AttrValue::from(serde_json::to_string(&RunJson::of(r, mode)).unwrap_or_default()));
    let fraction = run.fraction();
    html! {
        <WidgetFrame widget={Widget::FalseSharing} state={run.state()} {result}>
            <p>{ format!("Each thread adds 1 to a counter of its own, again and again: no thread ever reads or writes another's. \
                  The run does it twice, with the counters packed side by side in one 64-byte cache line and with each \
                  padded to 128 bytes, {ROUNDS} rounds each, and compares the times.") }</p>
            <PoolNote without={ONE_THREAD_SHOWS_NOTHING} />
            <form class="lab-fields" onsubmit={on_run}>
                { threads_select("fs-threads", workers, &threads_value, on_threads, running) }
                { number_field(("fs-increments", "increments", "Increments per thread".into()), &increments_text, &refusal, running, "fs-increments-help") }
                <RunButtons {running} ready={pool_state.settled()} on_cancel={run.cancel()} />
            </form>
            <p id="fs-increments-help" class="help">{ format!("From {} to {} per thread.", group_digits(*INCREMENTS.start()), group_digits(*INCREMENTS.end())) }</p>
            if threads_value == "1" && pool::workers() > 0 { <p class="help">{ ONE_THREAD_SHOWS_NOTHING }</p> }
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar {fraction} label="Increments done" /> }
            if let Some(n) = run.note() { <p class="note" role="status">{ n.to_string() }</p> }
            if let Some((r, _)) = last {
                { lab_table("Packed and padded", format!("{} thread{} × {} increments", r.threads, if r.threads == 1 { "" } else { "s" }, group_digits(r.increments)), classes!("lab-table", "fs-table"), &["Layout", "Time (median)", "Each counter reads"], html! {
                    <>{ for [&r.packed, &r.padded].into_iter().map(|l| html! {
                        <tr>
                            <th scope="row">{ l.layout.name() }</th>
                            <td>{ duration_ms(l.ms) }</td>
                            <td>{ counts(&l.counts) }</td>
                        </tr>
                    }) }</>
                }) }
                <p class="outcome" role="status" data-testid="fs-ratio"><strong>{ format!("Packed ÷ padded: {:.2}×", r.ratio()) }</strong></p>
                <p class="lab-verdict">{ r.verdict() }</p>
            }
            <details class="lab-explain">
                <summary>{ "The two layouts" }</summary>
                { for Layout::ALL.into_iter().map(|l| html! { <p><strong>{ format!("{}: ", l.name()) }</strong>{ l.explain() }</p> }) }
            </details>
        </WidgetFrame>
    }
}

/// The counters' values, said once when they all agree.
fn counts(values: &[u64]) -> String {
    match values {
        [first, rest @ ..] if rest.iter().all(|v| v == first) => group_digits(*first),
        _ => values.iter().map(|&v| group_digits(v)).collect::<Vec<_>>().join(", "),
    }
}
