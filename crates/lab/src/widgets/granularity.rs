//! The granularity explorer: the same work cut into tasks of 1, 4, 16, … items, each split timed
//! against the plain loop, to find where per-task overhead eats the gain of parallelism; and, on
//! the pool, each size's worker timeline from one more, recorded run.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;
use yew::prelude::*;

use interleave_core::granularity::{
    estimate_overhead_per_task, measure_point, overhead_text, record_point, short_ms, size_label, verdict, warm_up,
    GranularityPoint, GranularitySetup, PlainLoop, QueuedTasks, Sweep, TimeChart, ITEMS, MAX_TOTAL, SPINS, TRIES,
};
use interleave_core::run::timeline::Timeline;
use interleave_core::numbers::{group_digits, round_to};
use interleave_core::run::jobs::{spawn_task, JobError, Progress};

use crate::pool::{self, PoolState};
use interleave_ui::widget::{ProgressBar, RunButtons, Widget, WidgetFrame};
use interleave_ui::use_run::{use_run, Stop};
use crate::widgets::lab_common::{event_value, lab_table, lab_threads, now_abs_ms, number_field, reserve_memory, PoolNote};
use crate::widgets::timeline::{TimelineFigure, TimelineJson};

/// Each task size's timeline, in the order measured.
type Timelines = Rc<RefCell<Vec<(u64, Arc<Timeline>)>>>;

#[derive(Serialize)]
struct PointJson {
    task_size: u64,
    tasks: u64,
    seq_ms: f64,
    par_ms: f64,
}

#[derive(Serialize)]
struct ResultJson {
    /// Hash steps in all: items × steps per item.
    total_work: u64,
    items: u64,
    spins_per_item: u64,
    threads: usize,
    points: Vec<PointJson>,
    overhead_us_per_task: f64,
    mode: &'static str,
    /// Each task size's timeline (on the pool only).
    timelines: Vec<TimelineJson>,
}

/// One point measured on the page's thread, in slices: the plain loop, then the same items as
/// queued tasks of `task_size`.
async fn point_on_page(setup: GranularitySetup, task_size: u64) -> Result<GranularityPoint, JobError> {
    // Not the sweep's progress: a point on the page runs to its end, as on the pool.
    let progress = Progress::new(0);
    let start = pool::now_ms();
    let seq = pool::run_sliced(PlainLoop(setup), progress.clone()).await?;
    let seq_ms = pool::now_ms() - start;
    let start = pool::now_ms();
    let par = pool::run_sliced(QueuedTasks { setup, task_size }, progress).await?;
    let par_ms = pool::now_ms() - start;
    debug_assert_eq!(seq, par);
    Ok(GranularityPoint::new(&setup, task_size, 1, seq_ms, par_ms))
}

/// How the timeline of a size was made, beside its timed point.
fn timeline_note(t: &Timeline, point: Option<&GranularityPoint>) -> AttrValue {
    let timed = point.map_or(String::new(), |p| format!(" (the best timed one: {})", short_ms(p.par_ms)));
    AttrValue::from(format!(
        "It was drawn from one more run at this size, after the timed ones: that run read the clock as each task started and ended, \
         which for the smallest tasks costs about as much as the task itself, so it took {}{timed}. The clock's own cost, measured \
         first, is taken off the time shown inside tasks.",
        short_ms(t.wall_ms)
    ))
}

/// Sequential and parallel time against task size, both axes logarithmic.
fn chart(points: &[GranularityPoint], sizes: &[u64]) -> Html {
    let (left, right, bottom, w, h) = (TimeChart::LEFT, TimeChart::RIGHT, TimeChart::BOTTOM, TimeChart::WIDTH, TimeChart::HEIGHT);
    let chart = TimeChart::new(points, sizes);
    html! {
        <svg class="lab-chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-label={chart.label}>
            { for chart.grid.iter().map(|(y, label)| html! {
                <g class="tick">
                    <line class="grid" x1={left.to_string()} x2={right.to_string()} y1={y.to_string()} y2={y.to_string()} />
                    <text x={(left - 6.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end">{ label }</text>
                </g>
            }) }
            <text class="axis-label" x={(left - 6.0).to_string()} y="18" text-anchor="end">{ "ms" }</text>
            { for chart.ticks.iter().map(|(x, label, anchor)| html! {
                <text class="tick" x={x.to_string()} y={(bottom + 18.0).to_string()} text-anchor={*anchor}>{ label }</text>
            }) }
            <text class="axis-label" x={((left + right) / 2.0).to_string()} y={(h - 6.0).to_string()} text-anchor="middle">{ "items per task (log scale)" }</text>
            <polyline class="seq" points={chart.seq_line} />
            <polyline class="par" points={chart.par_line} />
            { for chart.dots.iter().map(|&(x, seq_y, par_y, lost)| html! {
                <>
                    <circle class="seq" cx={x.to_string()} cy={seq_y.to_string()} r="3.5" />
                    <circle class={classes!("par", lost.then_some("slower"))} cx={x.to_string()} cy={par_y.to_string()} r="4.5" />
                </>
            }) }
        </svg>
    }
}

#[function_component]
pub(crate) fn GranularityLab() -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let defaults = GranularitySetup::default();
    let items_text = use_state(|| group_digits(defaults.items));
    let spins_text = use_state(|| defaults.spins_per_item.to_string());
    let refusal = use_state(|| None::<String>);
    let points = use_state(Vec::<GranularityPoint>::new);
    let sweep = use_state(|| Sweep::new(defaults, 1));
    let run = use_run::<()>();
    let timelines: Timelines = use_mut_ref(Vec::new);
    let shown = use_state(|| None::<u64>);

    let on_run = {
        let (items_text, spins_text, refusal, points, sweep, run) =
            (items_text.clone(), spins_text.clone(), refusal.clone(), points.clone(), sweep.clone(), run.clone());
        let (timelines, shown) = (timelines.clone(), shown.clone());
        let (settled, threads) = (pool_state.settled(), lab_threads(&pool_state));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if run.running() || !settled {
                return;
            }
            let setup = match GranularitySetup::parse(&items_text, &spins_text) {
                Ok(setup) => setup,
                Err(reason) => return refusal.set(Some(reason)),
            };
            refusal.set(None);
            let planned = Sweep::new(setup, threads);
            sweep.set(planned.clone());
            points.set(Vec::new());
            timelines.borrow_mut().clear();
            shown.set(None);
            let (points, timelines) = (points.clone(), timelines.clone());
            // The progress counts task sizes measured; cancelling (or leaving the page) stops
            // before the next one.
            run.start(planned.sizes.len() as u64, "the task sizes", move |progress| {
                async move {
                    reserve_memory(0).await?;
                    let has_pool = pool::workers() > 0;
                    if has_pool {
                        let spins = setup.spins_per_item;
                        let _ = spawn_task(move || warm_up(spins, now_abs_ms)).await;
                    }
                    // On the pool, the timed tries, then one recorded run for the timeline.
                    let measure = |size| {
                        let timelines = timelines.clone();
                        async move {
                            if !has_pool {
                                return point_on_page(setup, size).await;
                            }
                            let (point, timeline) =
                                spawn_task(move || (measure_point(&setup, size, now_abs_ms), record_point(&setup, size, now_abs_ms))).await?;
                            timelines.borrow_mut().push((size, Arc::new(timeline)));
                            Ok(point)
                        }
                    };
                    let measured = std::cell::Cell::new(0);
                    let of = planned.sizes.len();
                    let swept = planned.run(&progress, measure, |so_far| {
                        measured.set(so_far.len());
                        points.set(so_far.to_vec());
                    });
                    swept.await.map(|_| ()).map_err(|e| match e {
                        JobError::Cancelled => Stop::Cancelled(format!("Cancelled after {} of {of} task sizes.", measured.get())),
                        e => Stop::Failed(format!("The sweep failed: {e}.")),
                    })
                }
            });
        })
    };

    let running = run.running();
    let Sweep { setup, sizes, threads } = &*sweep;
    let result = (!points.is_empty() && !running).then(|| {
        let json = ResultJson {
            total_work: setup.total_work(),
            items: setup.items,
            spins_per_item: setup.spins_per_item,
            threads: *threads,
            points: points
                .iter()
                .map(|p| PointJson { task_size: p.task_size, tasks: p.tasks, seq_ms: round_to(p.seq_ms, 2), par_ms: round_to(p.par_ms, 2) })
                .collect(),
            overhead_us_per_task: (estimate_overhead_per_task(&points) * 1e6).round() / 1000.0,
            mode: if pool_state.workers() > 0 { "pool" } else { "main-thread" },
            timelines: timelines.borrow().iter().map(|(size, t)| TimelineJson::of(t, None, Some(*size))).collect(),
        };
        AttrValue::from(serde_json::to_string(&json).unwrap_or_default())
    });
    let note = run.note();
    let recorded = timelines.borrow().clone();
    // The size chosen, else the smallest: tiny tasks are where the gaps between them show.
    let timeline = recorded.iter().find(|(size, _)| Some(*size) == *shown).or(recorded.first()).cloned();
    let on_shown = {
        let shown = shown.clone();
        Callback::from(move |e: Event| shown.set(event_value(&e).parse().ok()))
    };
    html! {
        <WidgetFrame widget={Widget::Granularity} state={run.state()} {result}>
            <p>{ "The same sum over many small items, cut into tasks of 1, 4, 16, … items. For each task size the plain loop \
                  and the parallel run are timed: when tasks are tiny, making and scheduling them costs more than the work." }</p>
            <PoolNote without="So the “parallel” column here runs the same tasks one after another on that thread: it can only show what making tasks costs." />
            <form class="lab-fields" onsubmit={on_run}>
                { number_field(("gran-items", "items", "Items".into()), &items_text, &refusal, running, "gran-help") }
                { number_field(("gran-spins", "spins", "Hash steps per item".into()), &spins_text, &refusal, running, "gran-help") }
                <RunButtons label="Run the sweep" {running} ready={pool_state.settled()} on_cancel={run.cancel()} />
            </form>
            <p id="gran-help" class="help">{ format!(
                "Items from {} to {}; hash steps per item from 1 to {} (one step is a few nanoseconds; raise it to give each item more work). \
                 Items × steps at most {}. Each time shown is the best of {TRIES} runs.",
                group_digits(*ITEMS.start()), group_digits(*ITEMS.end()), group_digits(*SPINS.end()), group_digits(MAX_TOTAL)) }</p>
            if let Some(reason) = refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running {
                <ProgressBar fraction={run.fraction()} label="Task sizes measured" />
                <p class="help" aria-live="polite">{ format!("Measuring task size {} of {}…", (points.len() + 1).min(sizes.len()), sizes.len()) }</p>
            }
            if let Some(n) = note { <p class="note" role="status">{ n.to_string() }</p> }
            if !points.is_empty() {
                <figure class="lab-figure">
                    { chart(&points, sizes) }
                    <figcaption>
                        <ul class="lab-legend">
                            <li><span class="key key-seq"></span>{ "plain loop (one thread)" }</li>
                            <li><span class="key key-par"></span>{ format!("split into tasks ({} thread{})", threads, if *threads == 1 { "" } else { "s" }) }</li>
                        </ul>
                    </figcaption>
                </figure>
                { lab_table("Timings per task size", "Timings per task size", classes!("tries", "lab-table"), &["Items per task", "Tasks", "Plain loop", "Parallel", "Speedup"], html! {
                    <>{ for points.iter().map(|p| html! {
                        <tr class={classes!(p.lost().then_some("lost"))}>
                            <td>{ group_digits(p.task_size) }</td>
                            <td>{ group_digits(p.tasks) }</td>
                            <td>{ short_ms(p.seq_ms) }</td>
                            <td>{ short_ms(p.par_ms) }</td>
                            <td>{ format!("{:.2}×", p.speedup()) }</td>
                        </tr>
                    }) }</>
                }) }
                if !running {
                    <p data-testid="overhead">{ overhead_text(&points) }</p>
                    <p class="lab-verdict" role="status">{ verdict(&points) }</p>
                }
                if let Some((size, t)) = timeline {
                    <div class="lab-fields">
                        <div class="field">
                            <label for="gran-timeline">{ "Timeline of the tasks of" }</label>
                            <select id="gran-timeline" name="timeline-size" onchange={on_shown}>
                                { for recorded.iter().map(|(s, _)| html! {
                                    <option value={s.to_string()} selected={*s == size}>{ format!("{} item{}", size_label(*s), if *s == 1 { "" } else { "s" }) }</option>
                                }) }
                            </select>
                        </div>
                    </div>
                    <TimelineFigure timeline={t.clone()} id="gran"
                        caption={format!("Timeline: tasks of {} item{}", group_digits(size), if size == 1 { "" } else { "s" })}
                        note={timeline_note(&t, points.iter().find(|p| p.task_size == size))} />
                }
            }
        </WidgetFrame>
    }
}
