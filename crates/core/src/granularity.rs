//! Task granularity: the same work cut into tasks of different sizes, timed sequentially and on
//! the pool, to show where per-task overhead eats the gain of parallelism.
//!
//! Implementation note: the parallel run makes one rayon task per chunk of `task_size` items —
//! a parallel iterator over chunk indices with `with_max_len(1)`, so rayon never groups two
//! chunks into one task — and each task spins through its items sequentially. The items are
//! hashes ([`spin`]), so both runs compute the same checksum and nothing can be optimised away.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::speedup::amdahl::least_squares_line;
use crate::run::busy::spin;
use crate::numbers::{duration_ms, group_digits};

/// The total work of a sweep: `items` small CPU items of `spins_per_item` hash steps each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GranularitySetup {
    /// Number of items.
    pub items: u64,
    /// Hash steps per item: its cost (a few hundred is well under a microsecond).
    pub spins_per_item: u64,
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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

/// The items' checksum from one rayon task per `task_size` items, on the current pool.
pub fn sum_parallel(setup: &GranularitySetup, task_size: u64) -> u64 {
    let task_size = task_size.max(1);
    // `usize` indices: rayon splits only ranges of `usize`-sized integers into exact pieces.
    (0..setup.items.div_ceil(task_size) as usize)
        .into_par_iter()
        .with_max_len(1)
        .map(|t| {
            let t = t as u64;
            sum_items(setup, t * task_size..((t + 1) * task_size).min(setup.items))
        })
        .reduce(|| 0, u64::wrapping_add)
}

fn sum_items(setup: &GranularitySetup, items: std::ops::Range<u64>) -> u64 {
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
    GranularityPoint {
        task_size,
        tasks: setup.items.div_ceil(task_size),
        threads: rayon::current_num_threads(),
        seq_ms,
        par_ms,
    }
}

/// Runs [`run_point`] for every size of [`task_sizes`] on the current pool, handing each point to
/// `observe` as it is measured (for a chart that grows), and returns them all.
pub fn run_sweep(
    setup: &GranularitySetup,
    now: impl Fn() -> f64,
    mut observe: impl FnMut(&GranularityPoint),
) -> Vec<GranularityPoint> {
    task_sizes(setup.items, rayon::current_num_threads())
        .into_iter()
        .map(|size| {
            let point = run_point(setup, size, &now);
            observe(&point);
            point
        })
        .collect()
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
    let slower: Vec<&GranularityPoint> = points.iter().filter(|p| p.par_ms > p.seq_ms).collect();
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
        let smallest_first = by_size.iter().take(slower.len()).all(|p| p.par_ms > p.seq_ms);
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
