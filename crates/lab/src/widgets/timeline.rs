//! The worker timeline the speedup lab and the granularity explorer draw under their results: a
//! row per worker on the run's time axis (core's `TimelineChart` places every rectangle), a zoom
//! into the run's beginning, and the same picture in words beside it.

use std::sync::Arc;

use serde::Serialize;
use yew::prelude::*;

use interleave_core::numbers::round_to;
use interleave_core::run::timeline::chart::{zooms, TimelineChart};
use interleave_core::run::timeline::Timeline;

use crate::widgets::lab_common::event_value;

/// `data-result`'s `timeline`: what the timeline shows, in figures.
#[derive(Serialize)]
pub(crate) struct TimelineJson {
    /// The speedup lab's run: its thread count.
    #[serde(skip_serializing_if = "Option::is_none")]
    threads: Option<usize>,
    /// The granularity explorer's run: its items per task.
    #[serde(skip_serializing_if = "Option::is_none")]
    task_size: Option<u64>,
    wall_ms: f64,
    chunks: u64,
    per_bar: u64,
    steals: u32,
    overlap_ms: f64,
    longest_overlap_ms: f64,
    took_turns: bool,
    /// What reading the clock cost the workers in all, when measured.
    recording_ms: Option<f64>,
    workers: Vec<WorkerJson>,
}

#[derive(Serialize)]
struct WorkerJson {
    /// The pool thread's index; `null` for the page's own thread.
    worker: Option<usize>,
    chunks: u64,
    busy_ms: f64,
    idle_ms: f64,
    steals: u32,
}

impl TimelineJson {
    /// The figures of `t`, a run at `threads` threads (speedup) or of tasks of `task_size` items
    /// (granularity).
    pub(crate) fn of(t: &Timeline, threads: Option<usize>, task_size: Option<u64>) -> Self {
        let (overlap, longest) = t.overlap_ms();
        TimelineJson {
            threads,
            task_size,
            wall_ms: round_to(t.wall_ms, 3),
            chunks: t.chunks,
            per_bar: t.per_bar,
            steals: t.steals(),
            overlap_ms: round_to(overlap, 3),
            longest_overlap_ms: round_to(longest, 4),
            took_turns: t.took_turns(),
            recording_ms: t.recording_ms().map(|x| round_to(x, 4)),
            workers: t
                .rows
                .iter()
                .map(|r| WorkerJson {
                    worker: r.worker,
                    chunks: r.chunks,
                    busy_ms: round_to(r.busy_ms, 3),
                    idle_ms: round_to(r.idle_ms(t.wall_ms), 3),
                    steals: r.steals,
                })
                .collect(),
        }
    }
}

#[derive(Properties)]
pub(crate) struct TimelineProps {
    /// The run's timeline.
    pub timeline: Arc<Timeline>,
    /// Prefix of the element ids (one per widget on a page).
    pub id: AttrValue,
    /// What run this is, in a few words: `Timeline of the last run (4 threads)`.
    pub caption: AttrValue,
    /// A sentence after the summary, if any (how the run was recorded).
    #[prop_or_default]
    pub note: Option<AttrValue>,
}

impl PartialEq for TimelineProps {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.timeline, &other.timeline) && (&self.id, &self.caption, &self.note) == (&other.id, &other.caption, &other.note)
    }
}

/// The timeline, its zoom, its summary and a line per worker.
#[function_component]
pub(crate) fn TimelineFigure(props: &TimelineProps) -> Html {
    let zoom = use_state(|| 1u32);
    let t = &*props.timeline;
    let offered = zooms(t);
    let factor = if offered.iter().any(|z| z.factor == *zoom) { *zoom } else { 1 };
    let chart = TimelineChart::new(t, factor);
    let (left, right, row_h) = (TimelineChart::LEFT, TimelineChart::RIGHT, TimelineChart::ROW);
    let on_zoom = {
        let zoom = zoom.clone();
        Callback::from(move |e: Event| zoom.set(event_value(&e).parse().unwrap_or(1)))
    };
    let select_id = format!("{}-timeline-zoom", props.id);
    html! {
        <div class="worker-timeline" data-testid="timeline">
            <p class="wt-title">{ props.caption.clone() }</p>
            if offered.len() > 1 {
                <p class="wt-zoom">
                    <label for={select_id.clone()}>{ "Show " }</label>
                    <select id={select_id} name="timeline-zoom" onchange={on_zoom}>
                        { for offered.iter().map(|z| html! {
                            <option value={z.factor.to_string()} selected={z.factor == factor}>{ z.label.clone() }</option>
                        }) }
                    </select>
                </p>
            }
            <svg class="lab-chart wt-chart" viewBox={format!("0 0 {} {:.0}", TimelineChart::WIDTH, chart.height)} role="img" aria-label={chart.label}>
                { for chart.rows.iter().map(|row| html! {
                    <g class="wt-row">
                        <text x={(left - 6.0).to_string()} y={(row.y + row_h - 4.0).to_string()} text-anchor="end">{ row.label.clone() }</text>
                        <rect class="track" x={left.to_string()} y={row.y.to_string()} width={(right - left).to_string()} height={row_h.to_string()} />
                        { for row.bars.iter().map(|b| html! { <path class="bar" d={b.path.clone()} fill-opacity={b.shade.to_string()} /> }) }
                        <path class="stolen" d={row.marks.clone()} />
                    </g>
                }) }
                { for chart.ticks.iter().map(|(x, label)| html! {
                    <text x={x.to_string()} y={(chart.axis_y + 12.0).to_string()} text-anchor="middle">{ label.clone() }</text>
                }) }
                <text class="axis-label" x={(left - 6.0).to_string()} y={(chart.axis_y + 12.0).to_string()} text-anchor="end">{ "ms" }</text>
            </svg>
            <p class="help">{ "Bars: time inside a chunk (paler where a bar stands for chunks with gaps between them). \
                                Track: time between chunks, waiting or looking for work. ▼: a worker began work it stole from another." }</p>
            <p class="wt-summary" data-testid="timeline-summary">{ t.summary() }{ props.note.as_ref().map(|n| format!(" {n}")) }</p>
            <ul class="wt-workers">
                { for t.rows.iter().map(|r| html! { <li>{ r.describe(t.wall_ms) }</li> }) }
            </ul>
        </div>
    }
}
