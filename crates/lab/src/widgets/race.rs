//! The race lab: k threads increment one shared counter, in one of five ways; a table of tries
//! shows the racy way losing a different number of updates each time, and the others none.

use serde::Serialize;
use yew::prelude::*;

use interleave_core::numbers::{duration_ms, group_digits};
use interleave_core::race::{run_race_timed, OneThreadRace, RaceTry, Strategy, ONE_THREAD_LOSES_NOTHING};
use interleave_core::run::jobs::{spawn_task, JobError};

use crate::pool::{self, PoolState};
use interleave_ui::widget::{ProgressBar, RunButtons, Widget, WidgetFrame};
use interleave_ui::use_run::use_run;
use crate::widgets::lab_common::{event_value, lab_table, lab_threads, now_abs_ms, number_field, on_select, parse_whole, reserve_memory, threads_select, PoolNote};

/// Most increments per thread: a few seconds for the slowest way (the mutex) on a phone.
const MAX_INCREMENTS: u64 = 5_000_000;

/// `data-result`: the last try, its strategy by [`Strategy::id`].
#[derive(Serialize)]
struct TryJson {
    strategy: &'static str,
    threads: usize,
    increments_per_thread: u64,
    expected: u64,
    actual: u64,
    lost: u64,
    wall_ms: f64,
}

impl TryJson {
    fn of(t: &RaceTry) -> Self {
        let RaceTry { strategy, threads, increments_per_thread, expected, actual, lost, wall_ms } = *t;
        TryJson { strategy: strategy.id(), threads, increments_per_thread, expected, actual, lost, wall_ms }
    }
}

#[function_component]
pub(crate) fn RaceLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let max_threads = lab_threads(&pool_state);
    let strategy = use_state(|| Strategy::Racy);
    let threads_text = use_state(|| None::<String>);
    let increments_text = use_state(|| "1,000,000".to_string());
    let refusal = use_state(|| None::<String>);
    let tries = use_state(Vec::<RaceTry>::new);
    let run = use_run::<RaceTry>();
    // Leaving the page cancels a run.

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
    let on_threads = on_select(&threads_text, &refusal);

    let on_run = {
        let (strategy, increments_text, refusal, tries, run) = (strategy.clone(), increments_text.clone(), refusal.clone(), tries.clone(), run.clone());
        let threads_value = threads_value.clone();
        let settled = pool_state.settled();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if run.running() || !settled {
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
            let (s, tries) = (*strategy, tries.clone());
            run.start(threads as u64 * increments, "the increments", move |progress| {
                async move {
                    reserve_memory(0).await?;
                    let tried = if pool::workers() > 0 {
                        spawn_task(move || run_race_timed(s, threads, increments, &progress, now_abs_ms)).await??
                    } else {
                        // No pool: the same increments on the page's one thread, in slices that yield.
                        let start = pool::now_ms();
                        let outcome = pool::run_sliced(OneThreadRace::new(s, increments), progress).await?;
                        RaceTry::new(s, 1, increments, outcome, pool::now_ms() - start)
                    };
                    let mut list = (*tries).clone();
                    list.push(tried);
                    tries.set(list);
                    Ok::<_, JobError>(tried)
                }
            });
        })
    };

    let running = run.running();
    let result = run.outcome().map(|t| AttrValue::from(serde_json::to_string(&TryJson::of(t)).unwrap_or_default()));
    let fraction = run.fraction();
    let last = run.outcome();
    html! {
        <WidgetFrame widget={Widget::Race} state={run.state()} {result}>
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
                { threads_select("race-threads", max_threads, &threads_value, on_threads, running) }
                { number_field(("race-increments", "increments", "Increments per thread".into()), &increments_text, &refusal, running, "race-increments-help") }
                <RunButtons {running} ready={pool_state.settled()} on_cancel={run.cancel()} />
            </form>
            <p id="race-increments-help" class="help">{ format!("From 1 to {} per thread.", group_digits(MAX_INCREMENTS)) }</p>
            <p class="lab-explain-line"><strong>{ format!("{}: ", strategy.name()) }</strong>{ strategy.explain() }</p>
            if threads_value == "1" { <p class="help">{ ONE_THREAD_LOSES_NOTHING }</p> }
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar {fraction} label="Increments done" /> }
            if let Some(n) = run.note() { <p class="note" role="status">{ n.to_string() }</p> }
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
                { lab_table("Your tries", "Your tries", classes!("tries", "lab-table", "losses"), &["Way", "Lost", "Actual", "Expected", "Threads", "Wall time"], html! {
                    <>{ for tries.iter().rev().map(|t| html! {
                        <tr class={classes!((t.lost > 0).then_some("lost"))}>
                            <td>{ t.strategy.name() }</td>
                            <td>{ group_digits(t.lost) }</td>
                            <td>{ group_digits(t.actual) }</td>
                            <td>{ group_digits(t.expected) }</td>
                            <td>{ t.threads }</td>
                            <td>{ duration_ms(t.wall_ms) }</td>
                        </tr>
                    }) }</>
                }) }
                <p class="help">{ "Newest first. The racy way loses a different number each run: it depends on how the threads' \
                    reads and writes happened to interleave. The safe ways never lose one, but compare their times." }</p>
            }
        </WidgetFrame>
    }
}
