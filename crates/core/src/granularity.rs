//! Task granularity: the same work cut into tasks of different sizes, timed sequentially and on
//! the pool, to show where per-task overhead eats the gain of parallelism.
//!
//! Implementation note: the parallel run makes one rayon task per chunk of `task_size` items —
//! [`sum_tasks`], the chunk indices split in halves down to single ones, as a parallel iterator
//! with `with_max_len(1)` does, so rayon never groups two chunks into one task — and each task
//! spins through its items sequentially. The items are
//! hashes ([`spin`]), so both runs compute the same checksum and nothing can be optimised away.
//! A [`Sweep`] measures one task size after another, each the best of [`TRIES`] timings on the
//! pool ([`measure_point`]); a page without workers measures the same items as the jobs
//! [`PlainLoop`] and [`QueuedTasks`], in slices on its one thread. The timeline of a point
//! ([`record_point`]) comes from one more parallel run, untimed, with every task's start and end
//! recorded: at the smallest sizes reading the clock costs about as much as a task, so the timed
//! runs never record; and the records are kept to [`SPANS_PER_WORKER`] per worker.

use std::collections::VecDeque;
use std::future::Future;
use std::ops::{Range, RangeInclusive};

use crate::numbers::{duration_ms, group_digits, parse_whole};
use crate::run::busy::spin;
use crate::run::jobs::{JobError, Progress, SumJob};
use crate::run::tasks::sum_tasks;
use crate::run::timeline::{clock_cost, Timeline};
use crate::speedup::amdahl::least_squares_line;

/// Items a learner may ask for.
pub const ITEMS: RangeInclusive<u64> = 1_024..=4_194_304;
/// Hash steps per item a learner may ask for.
pub const SPINS: RangeInclusive<u64> = 1..=10_000;
/// Most hash steps in one sweep's work (4 × the default): each point runs it `2 × TRIES` times.
pub const MAX_TOTAL: u64 = 1 << 25;
/// Timings per point on the pool; the best of them is kept (a stray interruption only ever adds
/// time).
pub const TRIES: u32 = 3;

/// The total work of a sweep: `items` small CPU items of `spins_per_item` hash steps each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GranularitySetup {
    /// Number of items.
    pub items: u64,
    /// Hash steps per item: its cost (a few hundred is well under a microsecond).
    pub spins_per_item: u64,
}

impl GranularitySetup {
    /// Reads the two fields as the learner typed them, refusing what is out of [`ITEMS`] or
    /// [`SPINS`], or more work in all than [`MAX_TOTAL`], with the reason.
    pub fn parse(items: &str, spins_per_item: &str) -> Result<Self, String> {
        let items = parse_whole(items, "Items", ITEMS)?;
        let spins_per_item = parse_whole(spins_per_item, "Hash steps per item", SPINS)?;
        if items * spins_per_item > MAX_TOTAL {
            return Err(format!(
                "Items × hash steps must be at most {} (you asked for {}): every task size runs the whole work six times, \
                 so more would take too long.",
                group_digits(MAX_TOTAL),
                group_digits(items * spins_per_item)
            ));
        }
        Ok(GranularitySetup { items, spins_per_item })
    }

    /// Hash steps in all: items × steps per item.
    pub fn total_work(&self) -> u64 {
        self.items * self.spins_per_item
    }
}

impl Default for GranularitySetup {
    /// 1,048,576 items of 8 hash steps (about 10 ns each natively, 10 ms in all): small enough
    /// that rayon's per-task cost shows at 1 to 4 items per task. With a few hundred steps per
    /// item, even one item per task beats the plain loop; raise it to see the crossover move.
    fn default() -> Self {
        Self { items: 1 << 20, spins_per_item: 8 }
    }
}

/// One task size, measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GranularityPoint {
    /// Items per task.
    pub task_size: u64,
    /// Number of tasks the items were cut into.
    pub tasks: u64,
    /// Pool threads available to the parallel run.
    pub threads: usize,
    /// Wall time of the plain loop, in ms.
    pub seq_ms: f64,
    /// Wall time of the parallel run, in ms.
    pub par_ms: f64,
}

impl GranularityPoint {
    /// The point of `setup` cut into tasks of `task_size` items, timed on `threads` threads.
    pub fn new(setup: &GranularitySetup, task_size: u64, threads: usize, seq_ms: f64, par_ms: f64) -> Self {
        GranularityPoint { task_size, tasks: setup.items.div_ceil(task_size), threads, seq_ms, par_ms }
    }

    /// Whether the parallel run was slower than the plain loop.
    pub fn lost(&self) -> bool {
        self.par_ms > self.seq_ms
    }

    /// `seq_ms / par_ms`: above 1, parallel won.
    pub fn speedup(&self) -> f64 {
        self.seq_ms / self.par_ms
    }
}

/// Task sizes for a sweep: 1, 4, 16, … (powers of 4) below `items / threads`, then `items / threads`
/// itself (one task per thread, the coarsest split that still uses them all).
pub fn task_sizes(items: u64, threads: usize) -> Vec<u64> {
    let largest = (items / threads.max(1) as u64).max(1);
    let mut sizes: Vec<u64> = std::iter::successors(Some(1u64), |s| s.checked_mul(4))
        .take_while(|&s| s < largest)
        .collect();
    sizes.push(largest);
    sizes
}

/// The items' checksum from one plain loop on the calling thread.
pub fn sum_sequential(setup: &GranularitySetup) -> u64 {
    sum_items(setup, 0..setup.items)
}

/// Spans a timeline of the granularity explorer keeps per worker: enough for a bar per pixel
/// of its chart, and a few hundred kilobytes for all its task sizes.
pub const SPANS_PER_WORKER: usize = 512;

/// The items' checksum from one rayon task per `task_size` items, on the current pool.
pub fn sum_parallel(setup: &GranularitySetup, task_size: u64) -> u64 {
    let task_size = task_size.max(1);
    let task = |t: u64| sum_items(setup, t * task_size..((t + 1) * task_size).min(setup.items));
    sum_tasks(setup.items.div_ceil(task_size), &task, None).0
}

/// One more parallel run at `task_size`, untimed, with every task's start and end recorded with
/// `now` (ms): its timeline, a row per worker (see [`SPANS_PER_WORKER`]), with the clock's own
/// cost (measured first, [`clock_cost`]) taken off the tasks' time. Blocks the calling thread;
/// call it from a pool thread.
pub fn record_point(setup: &GranularitySetup, task_size: u64, now: impl Fn() -> f64 + Sync) -> Timeline {
    let task_size = task_size.max(1);
    let task = |t: u64| sum_items(setup, t * task_size..((t + 1) * task_size).min(setup.items));
    let per_reading = clock_cost(&now);
    let start = now();
    let (sum, spans) = sum_tasks(setup.items.div_ceil(task_size), &task, Some((&now, SPANS_PER_WORKER)));
    let end = now();
    debug_assert_eq!(sum, sum_sequential(setup), "the recorded run computes the same items");
    Timeline::new(spans, start, end).without_clock_cost(per_reading)
}

fn sum_items(setup: &GranularitySetup, items: Range<u64>) -> u64 {
    items.fold(0u64, |acc, i| acc.wrapping_add(spin(i, setup.spins_per_item)))
}

/// Times the plain loop and the parallel run at `task_size`, with the caller's clock in ms.
/// Blocks the calling thread; call it from a pool thread.
pub fn run_point(setup: &GranularitySetup, task_size: u64, now: impl Fn() -> f64) -> GranularityPoint {
    let task_size = task_size.max(1);
    let start = now();
    let seq = std::hint::black_box(sum_sequential(setup));
    let seq_ms = now() - start;
    let start = now();
    let par = std::hint::black_box(sum_parallel(setup, task_size));
    let par_ms = now() - start;
    debug_assert_eq!(seq, par, "both runs compute the same items");
    GranularityPoint::new(setup, task_size, rayon::current_num_threads(), seq_ms, par_ms)
}

/// The point the page shows for `task_size`: [`run_point`] [`TRIES`] times, keeping the best
/// time of each run. Blocks the calling thread; call it from a pool thread.
pub fn measure_point(setup: &GranularitySetup, task_size: u64, now: impl Fn() -> f64) -> GranularityPoint {
    (1..TRIES).fold(run_point(setup, task_size, &now), |best, _| {
        let p = run_point(setup, task_size, &now);
        GranularityPoint { seq_ms: best.seq_ms.min(p.seq_ms), par_ms: best.par_ms.min(p.par_ms), ..best }
    })
}

/// A short untimed run before a sweep on the pool, with the sweep's cost per item: a browser
/// compiles hot code again, faster, after a while, and the first timed point should not pay for
/// that. Blocks the calling thread; call it from a pool thread.
pub fn warm_up(spins_per_item: u64, now: impl Fn() -> f64) {
    let small = GranularitySetup { items: 8_192, spins_per_item };
    run_point(&small, 1, &now);
    run_point(&small, 1_024, &now);
}

/// One sweep: the work, the pool threads it may use and the task sizes it measures, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// The work measured at every size.
    pub setup: GranularitySetup,
    /// Threads of the parallel runs.
    pub threads: usize,
    /// Items per task, in the order measured ([`task_sizes`]).
    pub sizes: Vec<u64>,
}

impl Sweep {
    /// The sweep of `setup` on `threads` threads.
    pub fn new(setup: GranularitySetup, threads: usize) -> Self {
        Sweep { setup, threads, sizes: task_sizes(setup.items, threads) }
    }

    /// Measures every size in order with `measure` (on the pool: [`measure_point`] in a pool
    /// task; without one: [`PlainLoop`] and [`QueuedTasks`] in slices), handing the points so far
    /// to `observe` after each (for a chart that grows). `progress` counts points (its total
    /// should be `sizes.len()`); a cancel stops the sweep before the next point.
    pub async fn run<M, F>(
        &self,
        progress: &Progress,
        mut measure: M,
        mut observe: impl FnMut(&[GranularityPoint]),
    ) -> Result<Vec<GranularityPoint>, JobError>
    where
        M: FnMut(u64) -> F,
        F: Future<Output = Result<GranularityPoint, JobError>>,
    {
        let mut points = Vec::with_capacity(self.sizes.len());
        for &size in &self.sizes {
            if progress.is_cancelled() {
                return Err(JobError::Cancelled);
            }
            points.push(measure(size).await?);
            progress.add(1);
            observe(&points);
        }
        Ok(points)
    }
}

/// The plain loop over a sweep's items, as a job a page without workers runs in slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainLoop(pub GranularitySetup);

impl SumJob for PlainLoop {
    fn len(&self) -> u64 {
        self.0.items
    }
    fn slice_len(&self) -> u64 {
        4_096
    }
    fn sum(&self, range: Range<u64>) -> u64 {
        sum_items(&self.0, range)
    }
}

/// Without a pool: the items made into tasks of `task_size` (each boxed and queued, then run),
/// one after another on the one thread. There is nothing to gain, only the cost of tasks. Its
/// units are tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedTasks {
    /// The work.
    pub setup: GranularitySetup,
    /// Items per task.
    pub task_size: u64,
}

impl SumJob for QueuedTasks {
    fn len(&self) -> u64 {
        self.setup.items.div_ceil(self.task_size)
    }
    fn slice_len(&self) -> u64 {
        (4_096 / self.task_size).max(1)
    }
    fn sum(&self, tasks: Range<u64>) -> u64 {
        let (setup, size) = (self.setup, self.task_size);
        let mut queue: VecDeque<Box<dyn FnOnce() -> u64>> = VecDeque::new();
        for t in tasks {
            let range = t * size..((t + 1) * size).min(setup.items);
            queue.push_back(Box::new(move || sum_items(&setup, range)));
        }
        queue.into_iter().fold(0u64, |acc, task| acc.wrapping_add(task()))
    }
}

/// Estimated cost of one task in ms: the slope of the parallel run's extra CPU time
/// (`par_ms × threads − seq_ms`) against the number of tasks, never negative; 0.0 when the
/// points cannot tell (fewer than two task counts).
pub fn estimate_overhead_per_task(points: &[GranularityPoint]) -> f64 {
    let xy: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.seq_ms.is_finite() && p.par_ms.is_finite())
        .map(|p| (p.tasks as f64, p.par_ms * p.threads as f64 - p.seq_ms))
        .collect();
    match least_squares_line(&xy) {
        Some((slope, _)) if slope.is_finite() => slope.max(0.0),
        _ => 0.0,
    }
}

/// What the sweep shows, in words for the page: where parallel became slower than the plain
/// loop, and what that means.
pub fn verdict(points: &[GranularityPoint]) -> String {
    if points.is_empty() {
        return "No measurements yet: run the sweep, then profile first before choosing a task size."
            .to_string();
    }
    let overhead_us = estimate_overhead_per_task(points) * 1000.0;
    let overhead = if overhead_us >= 0.01 {
        format!("Each task cost about {overhead_us:.2} µs to create, schedule and combine.")
    } else {
        "The per-task cost was too small to measure here.".to_string()
    };
    let best = points
        .iter()
        .max_by(|a, b| a.speedup().total_cmp(&b.speedup()))
        .expect("points is not empty");
    let best_text = format!(
        "best: {:.2}× with {} items per task, {} against {} sequential",
        best.speedup(),
        group_digits(best.task_size),
        duration_ms(best.par_ms),
        duration_ms(best.seq_ms)
    );
    let slower: Vec<&GranularityPoint> = points.iter().filter(|p| p.lost()).collect();
    let sizes = |ps: &[&GranularityPoint]| {
        let list = ps.iter().map(|p| group_digits(p.task_size)).collect::<Vec<_>>().join(", ");
        let unit = if ps.len() == 1 && ps[0].task_size == 1 { "item" } else { "items" };
        format!("{list} {unit}")
    };
    if slower.is_empty() {
        format!(
            "Parallel beat the plain loop at every task size ({best_text}). {overhead} Here each \
             task's work outweighed that cost — but that is this work on this machine: profile \
             first, and measure again before assuming it elsewhere."
        )
    } else if slower.len() == points.len() {
        format!(
            "Parallel was slower than the plain loop at every task size ({best_text}). {overhead} \
             The work is too small to pay for splitting it: profile first, and parallelise only \
             what the profile shows is worth it."
        )
    } else {
        let mut by_size: Vec<&GranularityPoint> = points.iter().collect();
        by_size.sort_by_key(|p| p.task_size);
        let smallest_first = by_size.iter().take(slower.len()).all(|p| p.lost());
        let noise = if smallest_first {
            ""
        } else {
            " (Not every slower size is at the small end: runs this short are noisy, so run the \
             sweep again or give each item more work before trusting one point.)"
        };
        format!(
            "Parallel was slower than the plain loop for tasks of {} ({best_text}). {overhead} \
             When a task's own work is smaller than that cost, splitting finer loses time instead \
             of saving it. Parallelism is not free: profile first, then choose a task size that \
             amortises the overhead.{noise}",
            sizes(&slower)
        )
    }
}

/// The estimated overhead, as the page words it.
pub fn overhead_text(points: &[GranularityPoint]) -> String {
    let overhead_us = estimate_overhead_per_task(points) * 1000.0;
    if overhead_us >= 0.01 {
        format!("Estimated overhead: about {overhead_us:.2} µs per task.")
    } else {
        "Estimated overhead: too small to measure here.".to_string()
    }
}

/// A duration with a decimal below 10 ms, where these timings live.
pub fn short_ms(ms: f64) -> String {
    if (1.0..10.0).contains(&ms) {
        format!("{ms:.1} ms")
    } else {
        duration_ms(ms)
    }
}

/// A task size for an axis: `1K`, `64K`, `1M` for multiples of 1,024 and 1,048,576.
pub fn size_label(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{}M", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{}K", n >> 10),
        n => group_digits(n),
    }
}

/// The chart of a sweep: sequential and parallel time against task size, both axes logarithmic,
/// in the coordinates of a [`TimeChart::WIDTH`] × [`TimeChart::HEIGHT`] view box.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeChart {
    /// A grid line per power of ten of milliseconds: its y and its label.
    pub grid: Vec<(f64, String)>,
    /// The labelled task sizes: x, label, and how the label is anchored (`start`, `middle`, `end`).
    pub ticks: Vec<(f64, String, &'static str)>,
    /// The plain loop's polyline points.
    pub seq_line: String,
    /// The parallel run's polyline points.
    pub par_line: String,
    /// A dot pair per point: x, the plain loop's y, the parallel run's y, whether parallel lost.
    pub dots: Vec<(f64, f64, f64, bool)>,
    /// What the chart shows, in words (its accessible name).
    pub label: String,
}

impl TimeChart {
    /// View box width.
    pub const WIDTH: f64 = 480.0;
    /// View box height.
    pub const HEIGHT: f64 = 298.0;
    /// The plot's left edge.
    pub const LEFT: f64 = 52.0;
    /// The plot's right edge.
    pub const RIGHT: f64 = 468.0;
    /// The plot's top edge.
    pub const TOP: f64 = 36.0;
    /// The plot's bottom edge (the size axis).
    pub const BOTTOM: f64 = 246.0;

    /// The chart of `points`, measured at `sizes` (the axis runs to the largest).
    pub fn new(points: &[GranularityPoint], sizes: &[u64]) -> Self {
        let (left, right, top, bottom) = (Self::LEFT, Self::RIGHT, Self::TOP, Self::BOTTOM);
        let max_size = sizes.last().copied().unwrap_or(4).max(4) as f64;
        let times = points.iter().flat_map(|p| [p.seq_ms, p.par_ms]).filter(|t| *t > 0.0);
        let (lo, hi) = times.fold((f64::INFINITY, 0.0f64), |(lo, hi), t| (lo.min(t), hi.max(t)));
        let (lo, hi) = if hi > 0.0 { (lo.log10().floor(), hi.log10().ceil().max(lo.log10().floor() + 1.0)) } else { (0.0, 1.0) };
        let x = |size: u64| left + (size.max(1) as f64).ln() / max_size.ln() * (right - left);
        let y = |ms: f64| bottom - (ms.max(1e-6).log10() - lo) / (hi - lo) * (bottom - top);
        let line = |f: fn(&GranularityPoint) -> f64| {
            points.iter().map(|p| format!("{:.1},{:.1}", x(p.task_size), y(f(p)))).collect::<Vec<_>>().join(" ")
        };
        // Labels far enough apart to read on a phone: the last size always, the others when they fit.
        const GAP: f64 = 64.0;
        let last = sizes.last().copied().unwrap_or(1);
        let mut labelled: Vec<u64> = Vec::new();
        for &s in sizes {
            let fits_before = labelled.last().is_none_or(|&t| x(s) - x(t) >= GAP);
            if s != last && fits_before && x(last) - x(s) >= GAP {
                labelled.push(s);
            }
        }
        labelled.push(last);
        let anchor = |s: u64| if s == last { "end" } else if s == 1 { "start" } else { "middle" };
        let label = format!(
            "Chart of time against task size, both on logarithmic scales: {}.",
            points
                .iter()
                .map(|p| format!("{} items per task: parallel {} vs sequential {}", group_digits(p.task_size), duration_ms(p.par_ms), duration_ms(p.seq_ms)))
                .collect::<Vec<_>>()
                .join("; ")
        );
        TimeChart {
            grid: (lo as i32..=hi as i32)
                .map(|d| {
                    let ms = 10f64.powi(d);
                    (y(ms), if ms >= 1.0 { format!("{ms:.0}") } else { format!("{ms}") })
                })
                .collect(),
            ticks: labelled.iter().map(|&s| (x(s), size_label(s), anchor(s))).collect(),
            seq_line: line(|p| p.seq_ms),
            par_line: line(|p| p.par_ms),
            dots: points.iter().map(|p| (x(p.task_size), y(p.seq_ms), y(p.par_ms), p.lost())).collect(),
            label,
        }
    }
}
