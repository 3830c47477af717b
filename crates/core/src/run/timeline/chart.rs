//! The timeline chart's geometry: one row per worker, a bar for each chunk (or for the chunks
//! that share a pixel), a mark where a worker began stolen work, and a time axis, in the
//! coordinates of a [`TimelineChart::WIDTH`]-wide view box. The view only draws what is placed:
//! each row's bars come as one path per shade, so thousands of chunks are a handful of elements.

use crate::numbers::duration_ms;
use crate::run::timeline::Timeline;

/// The bars of one shade in a row, as one SVG path of rectangles: `shade` is their fill
/// opacity, the share of their time spent inside chunks (bars that share a pixel are drawn as
/// one), in [`TimelineChart::SHADES`] steps from 0.2 (almost all gaps) to 1.0 (all work).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartBars {
    /// Fill opacity.
    pub shade: f64,
    /// The rectangles, as path data (`M x y h w v h h -w z` for each).
    pub path: String,
    /// How many rectangles it holds.
    pub count: usize,
}

/// One worker's row, placed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartRow {
    /// Its name, left of the row: `worker 3`, or `page` for the page's own thread.
    pub label: String,
    /// Top of its bars.
    pub y: f64,
    /// Its bars, one path per shade, palest first.
    pub bars: Vec<ChartBars>,
    /// Its rectangles, left to right: `(x, width, shade)`.
    pub rects: Vec<(f64, f64, f64)>,
    /// A triangle above each place where it began stolen work, as path data (empty if none).
    pub marks: String,
    /// How many triangles `marks` holds.
    pub steals_marked: usize,
}

/// A part of the run to show: the whole, or its beginning magnified.
#[derive(Debug, Clone, PartialEq)]
pub struct Zoom {
    /// How much the beginning is magnified: 1 for the whole run.
    pub factor: u32,
    /// In words, for a choice: `the whole run (212 ms)`, `its first 21 ms`.
    pub label: String,
}

/// The zooms worth offering for `timeline`: the whole run, and its first tenth and hundredth
/// while they still span a few chunks' worth of time.
pub fn zooms(timeline: &Timeline) -> Vec<Zoom> {
    let mut zooms = vec![Zoom { factor: 1, label: format!("the whole run ({})", duration_ms(timeline.wall_ms)) }];
    let per_chunk = timeline.wall_ms * timeline.rows.len() as f64 / timeline.chunks.max(1) as f64;
    for factor in [10, 100] {
        let shown = timeline.wall_ms / f64::from(factor);
        if shown >= 3.0 * per_chunk && shown >= 0.05 {
            zooms.push(Zoom { factor, label: format!("its first {}", duration_ms(shown)) });
        }
    }
    zooms
}

/// What the page draws, already placed.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineChart {
    /// View box height (it grows with the rows).
    pub height: f64,
    /// The rows, top to bottom.
    pub rows: Vec<ChartRow>,
    /// The time axis: x and label (ms after the run started).
    pub ticks: Vec<(f64, String)>,
    /// The y of the time axis.
    pub axis_y: f64,
    /// The time shown, `(from, to)` in ms after the run started.
    pub window: (f64, f64),
    /// What the chart shows, in words (its accessible name).
    pub label: String,
}

impl TimelineChart {
    /// View box width.
    pub const WIDTH: f64 = 480.0;
    /// The bars' left edge (row names go left of it).
    pub const LEFT: f64 = 96.0;
    /// The bars' right edge.
    pub const RIGHT: f64 = 470.0;
    /// Height of a row's bars.
    pub const ROW: f64 = 18.0;
    /// Space above each row (where the steal marks go).
    pub const GAP: f64 = 10.0;
    /// Bars closer than this (in view box units) are drawn as one.
    const MERGE: f64 = 1.0;
    /// The narrowest bar drawn.
    const MIN_W: f64 = 0.75;
    /// Shades above the palest: a bar's share of work is rounded to one of `SHADES + 1` steps.
    pub const SHADES: u32 = 4;

    /// The fill opacity of shade step `level` (0 to [`Self::SHADES`]).
    fn shade_of(level: u32) -> f64 {
        0.2 + 0.8 * f64::from(level) / f64::from(Self::SHADES)
    }

    /// The shade of a bar that spent `work` (0.0 to 1.0) of its time inside chunks: the nearest
    /// step.
    fn shade(work: f64) -> f64 {
        Self::shade_of((work * f64::from(Self::SHADES)).round() as u32)
    }

    /// The chart of `timeline`, its first `1 / zoom` shown.
    pub fn new(timeline: &Timeline, zoom: u32) -> Self {
        let (left, right) = (Self::LEFT, Self::RIGHT);
        let to = (timeline.wall_ms / f64::from(zoom.max(1))).max(1e-6);
        let x = |ms: f64| left + ms.clamp(0.0, to) / to * (right - left);
        let rows: Vec<ChartRow> = timeline
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let y = Self::GAP + i as f64 * (Self::ROW + Self::GAP);
                // (start, end, busy) in ms of the rectangle being built.
                let mut rects: Vec<(f64, f64, f64)> = Vec::new();
                let mut marks: Vec<f64> = Vec::new();
                for bar in row.bars.iter().filter(|b| b.start_ms <= to) {
                    let (start, end) = (bar.start_ms, bar.end_ms.min(to));
                    let shown = if bar.end_ms > bar.start_ms { (end - start) / (bar.end_ms - bar.start_ms) } else { 1.0 };
                    let busy = bar.busy_ms * shown;
                    match rects.last_mut() {
                        // The gap between them goes into the rectangle's time, not its work.
                        Some(last) if x(start) - x(last.1) < Self::MERGE => (last.1, last.2) = (last.1.max(end), last.2 + busy),
                        _ => rects.push((start, end, busy)),
                    }
                    if bar.steals > 0 && marks.last().is_none_or(|&m| x(start) - m >= 4.0) {
                        marks.push(x(start));
                    }
                }
                let rects: Vec<(f64, f64, f64)> = rects
                    .into_iter()
                    .map(|(start, end, busy)| {
                        let work = if end > start { (busy / (end - start)).clamp(0.0, 1.0) } else { 1.0 };
                        (x(start), (x(end) - x(start)).max(Self::MIN_W), Self::shade(work))
                    })
                    .collect();
                let bars = (0..=Self::SHADES)
                    .filter_map(|level| {
                        let shade = Self::shade_of(level);
                        let mine: Vec<&(f64, f64, f64)> = rects.iter().filter(|r| r.2 == shade).collect();
                        let path = mine.iter().map(|(x, w, _)| format!("M{x:.2} {y}h{w:.2}v{}h{:.2}z", Self::ROW, -w)).collect::<String>();
                        (!mine.is_empty()).then_some(ChartBars { shade, path, count: mine.len() })
                    })
                    .collect();
                ChartRow {
                    label: row.worker.map_or_else(|| "page".to_string(), |w| format!("worker {w}")),
                    y,
                    bars,
                    rects,
                    marks: marks.iter().map(|m| format!("M{:.1} {:.1}h7l-3.5 7z", m - 3.5, y - 8.0)).collect(),
                    steals_marked: marks.len(),
                }
            })
            .collect();
        let axis_y = Self::GAP + rows.len() as f64 * (Self::ROW + Self::GAP);
        let step = nice_step(to / 5.0);
        let ticks = std::iter::successors(Some(0.0f64), |t| Some(t + step))
            .take_while(|&t| t <= to * 1.0001)
            .map(|t| (x(t), tick_label(t, step)))
            .collect();
        let label = {
            let per_row: Vec<String> = timeline
                .rows
                .iter()
                .map(|r| format!("{} inside a chunk {:.0}% of the time ({} chunks)", r.name(), 100.0 * r.busy_ms / timeline.wall_ms.max(1e-9), r.chunks))
                .collect();
            let shown = if zoom > 1 { format!(", of which the first {} are shown", duration_ms(to)) } else { String::new() };
            format!("Timeline of the run, one row per worker, over {}{shown}: {}.", duration_ms(timeline.wall_ms), per_row.join("; "))
        };
        TimelineChart { height: axis_y + 30.0, rows, ticks, axis_y, window: (0.0, to), label }
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = raw.max(1e-6);
    let power = 10f64.powi(raw.log10().floor() as i32);
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|&s| s >= raw * 0.999).unwrap_or(10.0 * power)
}

/// A tick's label: as many decimals as the step needs.
fn tick_label(t: f64, step: f64) -> String {
    let decimals = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize };
    format!("{t:.decimals$}")
}
