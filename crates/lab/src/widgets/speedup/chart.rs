//! The speedup lab's results: the chart of speedup against threads (core's `SpeedupChart`
//! places it) and the table of runs.

use yew::prelude::*;

use crate::widgets::lab_common::lab_table;

use interleave_core::numbers::duration_ms;
use interleave_core::speedup::chart::SpeedupChart;
use interleave_core::speedup::Session;

/// Speedup against threads: each run, the medians joined, the ideal line and Amdahl's curve.
pub(super) fn chart(session: &Session, max_threads: usize) -> Html {
    let (left, right, bottom, w, h) = (SpeedupChart::LEFT, SpeedupChart::RIGHT, SpeedupChart::BOTTOM, SpeedupChart::WIDTH, SpeedupChart::HEIGHT);
    let chart = SpeedupChart::new(session, max_threads);
    let (x1, y1, x2, y2) = chart.ideal;
    html! {
        <svg class="lab-chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-label={chart.label}>
            { for chart.y_ticks.iter().map(|(y, label)| html! {
                <g class="tick">
                    <line class="grid" x1={left.to_string()} x2={right.to_string()} y1={y.to_string()} y2={y.to_string()} />
                    <text x={(left - 6.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end">{ label.clone() }</text>
                </g>
            }) }
            { for chart.x_ticks.iter().map(|(x, label)| html! {
                <text class="tick" x={x.to_string()} y={(bottom + 16.0).to_string()} text-anchor="middle">{ label.clone() }</text>
            }) }
            <text class="axis-label" x={((left + right) / 2.0).to_string()} y={(h - 4.0).to_string()} text-anchor="middle">{ "threads" }</text>
            <line class="ideal" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
            if let Some(points) = chart.amdahl { <polyline class="amdahl" {points} /> }
            <polyline class="measured" points={chart.measured} />
            { for chart.dots.iter().map(|(x, y)| html! { <circle class="run" cx={x.to_string()} cy={y.to_string()} r="4.5" /> }) }
        </svg>
    }
}

/// The runs: threads, wall time, speedup, whether the answer matched, slices per worker.
pub(super) fn runs_table(s: &Session) -> Html {
    let speedups = s.speedups();
    html! {
        { lab_table("Runs", "Runs", classes!("tries", "lab-table"), &["Threads", "Wall time", "Speedup", "Answer", "Slices per worker"], html! {
            <>{ for s.runs().iter().zip(&speedups).map(|(r, sp)| {
                let ok = s.agrees(r);
                html! {
                    <tr class={classes!((!ok).then_some("mismatch"))}>
                        <td>{ r.threads }</td>
                        <td>{ duration_ms(r.wall_ms) }</td>
                        <td>{ if sp.is_finite() { format!("{sp:.2}×") } else { "–".to_string() } }</td>
                        <td>{ if ok { "✓ matches" } else { "✗ differs" } }</td>
                        <td>{ r.slices_text() }</td>
                    </tr>
                }
            }) }</>
        }) }
    }
}
