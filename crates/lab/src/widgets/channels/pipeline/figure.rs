//! The pipeline drawn: its stages and queues as they are now, queue depths over time, and what a
//! finished run showed, in words.

use yew::prelude::*;

use interleave_core::channels::pipeline::{max_depths, Observation};
use interleave_core::numbers::{duration_ms, group_digits};

use super::run::{Live, PipelineJson};

/// `part` as a whole percentage of `whole`, or a dash before there is a whole.
fn percent(part: f64, whole: f64) -> String {
    if whole > 0.0 {
        format!("{:.0}%", (part / whole * 100.0).clamp(0.0, 100.0))
    } else {
        "–".to_string()
    }
}

/// Queue depths over time, against the capacity.
fn depth_chart(samples: &[Observation], capacity: usize) -> Html {
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
    let [max1, max2] = max_depths(samples.iter().map(|s| &s.0));
    let label = format!(
        "Queue depths over {}: queue 1 (producer to workers) reached {max1} and queue 2 (workers to consumer) reached {max2}, of a capacity of {capacity}.",
        duration_ms(end),
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

/// A stage as it is now: its name, what it has done, and how much of the run it has waited.
fn stage(name: String, done: String, waited_ms: f64, at_ms: f64) -> Html {
    html! {
        <div class="stage">
            <strong>{ name }</strong>
            <span>{ done }</span>
            <span class="waiting">{ format!("waited {}", percent(waited_ms, at_ms)) }</span>
        </div>
    }
}

/// The last run as it is now (or ended): stages and queues, throughput while it runs (once it has
/// ended, the outcome gives the run's own), and depths over time; nothing before its first sample.
pub(super) fn live(live: &Live, running: bool) -> Html {
    let (Some((settings, unbounded)), Some((sample, waiting))) = (live.settings, live.log.samples().last()) else {
        return Html::default();
    };
    let workers = if settings.workers == 1 { "1 worker".to_string() } else { format!("{} workers", settings.workers) };
    html! {
        <>
            <div class="pipeline" aria-live="off" data-testid="pipeline-live">
                { stage("Producer".into(), format!("{} made", group_digits(sample.produced)), waiting[0], sample.at_ms) }
                { gauge("Queue 1", sample.queue_depths[0], settings.capacity, unbounded) }
                { stage(workers, format!("{} done", group_digits(sample.processed)), waiting[1], sample.at_ms) }
                { gauge("Queue 2", sample.queue_depths[1], settings.capacity, unbounded) }
                { stage("Consumer".into(), format!("{} finished", group_digits(sample.consumed)), waiting[2], sample.at_ms) }
            </div>
            if running {
                <p class="help">{ format!("Throughput: {} items per second after {}.", group_digits((sample.throughput_per_ms * 1000.0).round() as u64), duration_ms(sample.at_ms)) }</p>
            }
            <figure class="lab-figure">
                { depth_chart(live.log.samples(), settings.capacity) }
                <figcaption>
                    <ul class="lab-legend">
                        <li><span class="key key-q1"></span>{ "queue 1: producer → workers" }</li>
                        <li><span class="key key-q2"></span>{ "queue 2: workers → consumer" }</li>
                        <li><span class="key key-capacity"></span>{ "capacity" }</li>
                    </ul>
                </figcaption>
            </figure>
        </>
    }
}

/// What a finished run showed, in words.
pub(super) fn outcome(r: &PipelineJson) -> Html {
    html! {
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
}
