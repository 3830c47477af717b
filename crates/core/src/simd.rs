//! The SIMD widget's engine: one kernel (a Mandelbrot picture in `f32`) written four ways —
//! scalar, four lanes, threads, threads × lanes — checked to give the same answer and timed side
//! by side.
//!
//! Implementation note: the lanes are `wide::f32x4`, four `f32`s in one 128-bit register: wasm's
//! `v128` when the module is built with `+simd128` (as the site's is: `.cargo/config.toml`),
//! SSE natively on x86-64, NEON on 64-bit ARM. The answer is exactly the same every way because
//! each lane performs the very IEEE operations the scalar loop does, in the same order, with no
//! fused multiply-add: a pixel's count is the number of steps `z ← z² + c` before `|z|² ≤ 4`
//! fails, and a lane that has escaped stops counting (its mask is off) while the other three go
//! on. That is also why four lanes usually give less than 4×: a group of four pixels runs until
//! its slowest pixel is done (they can give a little more, since the loop's own bookkeeping is
//! paid once per group). The checksum of a picture weights each pixel's count by its position,
//! so a count in the wrong place would show. The threads ways run the same rows on k threads
//! ([`run_with_threads`]); the one-thread ways run them as one task on the pool, or in slices
//! on a page without workers.

use std::ops::{Range, RangeInclusive};
use std::sync::Arc;

use wide::f32x4;

use crate::numbers::{group_digits, parse_whole, round_to};
use crate::run::jobs::{JobError, Progress, SumJob};
use crate::run::threads::run_with_threads;

/// The kernel's id, as in the JSON of a run.
pub const KERNEL: &str = "mandelbrot";
/// Lanes in one 128-bit register of `f32`s.
pub const LANES: usize = 4;
/// Picture widths the learner may ask for, in pixels (the height is two thirds of it).
pub const WIDTHS: RangeInclusive<u64> = 64..=2_400;
/// Iteration caps the learner may ask for.
pub const ITERATIONS: RangeInclusive<u64> = 16..=5_000;

/// The picture: `width × height` pixels over the rectangle from −2 − i to 1 + i of the complex
/// plane, each iterated at most `max_iter` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picture {
    /// Pixels across.
    pub width: u32,
    /// Pixels down (two thirds of the width, at least 1).
    pub height: u32,
    /// Steps before a point counts as inside the set.
    pub max_iter: u32,
}

impl Picture {
    /// The page's first picture.
    pub const DEFAULT: Picture = Picture::new(960, 400);

    /// A picture `width` pixels wide (at least 1), two thirds as high, iterated at most
    /// `max_iter` times.
    pub const fn new(width: u32, max_iter: u32) -> Self {
        let width = if width == 0 { 1 } else { width };
        let height = if width * 2 / 3 == 0 { 1 } else { width * 2 / 3 };
        Picture { width, height, max_iter }
    }
    /// Reads the learner's fields, or says why not.
    pub fn parse(width: &str, iterations: &str) -> Result<Self, String> {
        let w = parse_whole(width, "Picture width", WIDTHS).map_err(|why| format!("{why} Narrower is too quick to time; wider takes too long on a phone."))?;
        let n = parse_whole(iterations, "Iterations", ITERATIONS).map_err(|why| format!("{why} More would take too long on a phone."))?;
        Ok(Picture::new(w as u32, n as u32))
    }
    /// Pixels in the picture.
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
    /// The picture in words: "960 × 640 pixels, up to 400 steps each".
    pub fn describe(&self) -> String {
        format!("{} × {} pixels, up to {} steps each", group_digits(self.width.into()), group_digits(self.height.into()), group_digits(self.max_iter.into()))
    }
    /// The distance between two pixels on the complex plane, and the corner −2 − i.
    fn grid(&self) -> (f32, f32, f32) {
        (3.0 / self.width as f32, -2.0, -1.0)
    }
}

/// Steps of `z ← z² + c` from 0 while `|z|² ≤ 4`, at most `max_iter`: one pixel, scalar.
#[inline]
fn escape_time(cx: f32, cy: f32, max_iter: u32) -> u32 {
    let (mut x, mut y, mut n) = (0.0f32, 0.0f32, 0);
    while n < max_iter {
        let (x2, y2) = (x * x, y * y);
        // Written as the lanes test it (`≤ 4`, not `> 4`), so a NaN would stop both alike.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        if !(x2 + y2 <= 4.0) {
            break;
        }
        let xy = x * y;
        y = xy + xy + cy;
        x = x2 - y2 + cx;
        n += 1;
    }
    n
}

/// [`escape_time`] for four pixels at once, one per lane: the same operations, in the same
/// order, on all four; a lane whose pixel has escaped stops counting. The loop ends when all
/// four have escaped or `max_iter` steps are done.
#[inline]
fn escape_time_x4(cx: f32x4, cy: f32x4, max_iter: u32) -> [u32; LANES] {
    let (four, one) = (f32x4::splat(4.0), f32x4::splat(1.0));
    let (mut x, mut y, mut n) = (f32x4::ZERO, f32x4::ZERO, f32x4::ZERO);
    // All bits set in every lane: every pixel still counting.
    let mut counting = f32x4::ZERO.simd_le(f32x4::ZERO);
    for _ in 0..max_iter {
        let (x2, y2) = (x * x, y * y);
        counting &= (x2 + y2).simd_le(four);
        if !counting.any() {
            break;
        }
        n += counting & one;
        let xy = x * y;
        y = xy + xy + cy;
        x = x2 - y2 + cx;
    }
    // Counts are whole numbers far below 2²⁴, so `f32` holds them exactly.
    n.to_array().map(|c| c as u32)
}

/// The checksum of one row: each pixel's count times its position in the picture, plus one.
fn weigh(picture: &Picture, row: u32, px: u32, count: u32) -> u64 {
    let position = u64::from(row) * u64::from(picture.width) + u64::from(px) + 1;
    u64::from(count).wrapping_mul(position)
}

/// The picture's rows as a job (one unit per row), computed scalar or in lanes; its output is
/// the picture's checksum, the same however the rows are split.
#[derive(Debug, Clone, Copy)]
pub struct Rows {
    picture: Picture,
    lanes: bool,
}

impl Rows {
    /// The rows of `picture`, four pixels at a time if `lanes`.
    pub fn new(picture: Picture, lanes: bool) -> Self {
        Self { picture, lanes }
    }
    fn row_scalar(&self, row: u32) -> u64 {
        let p = &self.picture;
        let (step, x0, y0) = p.grid();
        let cy = y0 + row as f32 * step;
        (0..p.width).fold(0u64, |sum, px| sum.wrapping_add(weigh(p, row, px, escape_time(x0 + px as f32 * step, cy, p.max_iter))))
    }
    fn row_lanes(&self, row: u32) -> u64 {
        let p = &self.picture;
        let (step, x0, y0) = p.grid();
        let row_y = y0 + row as f32 * step;
        let cy = f32x4::splat(row_y);
        let (steps, origin) = (f32x4::splat(step), f32x4::splat(x0));
        let whole = p.width - p.width % LANES as u32;
        let mut sum = 0u64;
        for px in (0..whole).step_by(LANES) {
            let first = px as f32;
            // Lane j holds pixel px + j: the same `x0 + px · step` the scalar loop computes.
            let at = f32x4::new([first, first + 1.0, first + 2.0, first + 3.0]);
            let counts = escape_time_x4(origin + at * steps, cy, p.max_iter);
            for (j, &count) in counts.iter().enumerate() {
                sum = sum.wrapping_add(weigh(p, row, px + j as u32, count));
            }
        }
        // The last pixels of a row whose width is not a multiple of four: scalar.
        for px in whole..p.width {
            sum = sum.wrapping_add(weigh(p, row, px, escape_time(x0 + px as f32 * step, row_y, p.max_iter)));
        }
        sum
    }
}

impl SumJob for Rows {
    fn len(&self) -> u64 {
        u64::from(self.picture.height)
    }
    /// One row per slice: rows differ in cost, and k threads share them out best one by one.
    fn slice_len(&self) -> u64 {
        1
    }
    fn sum(&self, range: Range<u64>) -> u64 {
        range.fold(0u64, |sum, row| {
            let row = row as u32;
            sum.wrapping_add(if self.lanes { self.row_lanes(row) } else { self.row_scalar(row) })
        })
    }
}

/// The four ways of writing the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Way {
    /// One pixel at a time on one thread.
    Scalar,
    /// Four pixels at a time, one per lane, on one thread.
    Lanes,
    /// One pixel at a time on each of k threads.
    Threads,
    /// Four pixels at a time on each of k threads.
    ThreadsLanes,
}

impl Way {
    /// Every way, in the page's order.
    pub const ALL: [Way; 4] = [Way::Scalar, Way::Lanes, Way::Threads, Way::ThreadsLanes];
    /// The two that need no second thread.
    pub const ONE_THREAD: [Way; 2] = [Way::Scalar, Way::Lanes];

    /// Name for the page.
    pub fn name(self) -> &'static str {
        match self {
            Way::Scalar => "Scalar",
            Way::Lanes => "4 lanes",
            Way::Threads => "Threads",
            Way::ThreadsLanes => "Threads × lanes",
        }
    }
    /// Stable id, as in the JSON of a run.
    pub fn id(self) -> &'static str {
        match self {
            Way::Scalar => "scalar",
            Way::Lanes => "lanes",
            Way::Threads => "threads",
            Way::ThreadsLanes => "threads_lanes",
        }
    }
    /// Whether it computes four pixels at a time.
    pub fn lanes(self) -> bool {
        matches!(self, Way::Lanes | Way::ThreadsLanes)
    }
    /// Whether it runs on k threads.
    pub fn threaded(self) -> bool {
        matches!(self, Way::Threads | Way::ThreadsLanes)
    }
}

/// One way's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WayRun {
    /// Which way.
    pub way: Way,
    /// Threads it ran on.
    pub threads: usize,
    /// Wall time, in ms (to 0.1 ms).
    pub ms: f64,
    /// The picture's checksum.
    pub checksum: u64,
}

impl WayRun {
    /// A way's run of `ms` on `threads` threads that came to `checksum`.
    pub fn new(way: Way, threads: usize, ms: f64, checksum: u64) -> Self {
        Self { way, threads, ms: round_to(ms, 1), checksum }
    }
}

/// A bar of the chart: one way's time as a share of the slowest, and its speedup over scalar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Which way.
    pub way: Way,
    /// Its time, in ms.
    pub ms: f64,
    /// Its time ÷ the slowest way's, in `0..=1`: the bar's length.
    pub share: f64,
    /// Scalar time ÷ its time (to 0.01).
    pub speedup: f64,
}

/// A run of the widget: the picture, and each way that ran, in [`Way::ALL`]'s order.
#[derive(Debug, Clone, PartialEq)]
pub struct SimdRun {
    /// What was computed.
    pub picture: Picture,
    /// The ways that ran (the threaded ones only on a page with workers).
    pub runs: Vec<WayRun>,
}

impl SimdRun {
    /// The run of `way`, if it ran.
    pub fn of(&self, way: Way) -> Option<&WayRun> {
        self.runs.iter().find(|r| r.way == way)
    }
    /// The time of `way`, if it ran.
    pub fn ms(&self, way: Way) -> Option<f64> {
        self.of(way).map(|r| r.ms)
    }
    /// Whether every way that ran came to the same checksum (and some did).
    pub fn results_match(&self) -> bool {
        self.runs.first().is_some_and(|first| self.runs.iter().all(|r| r.checksum == first.checksum))
    }
    /// Scalar time ÷ `way`'s time (to 0.01), if both ran.
    pub fn speedup(&self, way: Way) -> Option<f64> {
        let (scalar, other) = (self.ms(Way::Scalar)?, self.ms(way)?);
        Some(if other > 0.0 { round_to(scalar / other, 2) } else { 1.0 })
    }
    /// The chart's bars, one per way that ran.
    pub fn bars(&self) -> Vec<Bar> {
        let slowest = self.runs.iter().map(|r| r.ms).fold(0.0, f64::max);
        self.runs
            .iter()
            .map(|r| Bar {
                way: r.way,
                ms: r.ms,
                share: if slowest > 0.0 { r.ms / slowest } else { 1.0 },
                speedup: self.speedup(r.way).unwrap_or(1.0),
            })
            .collect()
    }
    /// Threads the threaded ways ran on (1 if none ran).
    pub fn threads(&self) -> usize {
        self.of(Way::Threads).map_or(1, |r| r.threads)
    }
    /// What the figures mean, in a few sentences for the page.
    pub fn verdict(&self) -> String {
        if !self.results_match() {
            return "The ways disagree, which should never happen: each lane does exactly what the scalar loop does.".into();
        }
        let lanes = self.speedup(Way::Lanes).unwrap_or(1.0);
        let mut words = if lanes >= 4.0 {
            format!(
                "All ways computed the same picture. Four lanes were {lanes:.2}× as fast as scalar, at or above their width: \
                 the loop's own bookkeeping (its counter, its tests and branches) is paid once per step of a group of four, \
                 where the scalar loop pays it for every pixel, and that makes up for the lanes left idle."
            )
        } else if lanes >= 1.3 {
            format!(
                "All ways computed the same picture. Four lanes were {lanes:.2}× as fast as scalar: less than 4×, because a \
                 group of four pixels steps until its slowest pixel escapes, and loading, testing and counting cost \
                 instructions too."
            )
        } else {
            format!(
                "All ways computed the same picture. Four lanes were only {lanes:.2}× as fast as scalar this time: other work \
                 on this machine probably took the core during one of the runs. Run it again."
            )
        };
        let k = self.threads();
        match (self.speedup(Way::Threads), self.speedup(Way::ThreadsLanes)) {
            (Some(_), Some(_)) if k == 1 => words.push_str(" With one worker thread, the threaded ways are the one-thread ways again."),
            (Some(t), Some(tl)) if t >= 1.3 => words.push_str(&format!(
                " {k} threads were {t:.2}× as fast, and threads × lanes {tl:.2}×: the two multiply, because each thread has its own core and each core its own vector units."
            )),
            (Some(t), Some(tl)) => words.push_str(&format!(
                " {k} threads were only {t:.2}× as fast (threads × lanes {tl:.2}×): the workers shared their cores with other work on this machine, so the threads could not all compute at once."
            )),
            _ => words.push_str(" The threaded ways need worker threads, which this page does not have."),
        }
        words
    }
}

/// Work units of a run of `ways` over `picture`: its rows, once per way.
pub fn units(picture: Picture, ways: usize) -> u64 {
    u64::from(picture.height) * ways as u64
}

/// Runs `way` over `picture` on `threads` threads (1 for the one-thread ways), timed by the
/// caller's clock (`now`, in ms). Blocks the calling thread: call it from a pool thread.
pub fn run_way(way: Way, picture: Picture, threads: usize, progress: &Progress, now: &impl Fn() -> f64) -> Result<WayRun, JobError> {
    let k = if way.threaded() { threads.max(1) } else { 1 };
    let job = Arc::new(Rows::new(picture, way.lanes()));
    let start = now();
    let run = run_with_threads(&job, k, progress)?;
    Ok(WayRun::new(way, k, now() - start, run.output))
}

/// The page's run on the pool: the four ways, one after another, the threaded ones on `threads`
/// threads, with `4 × height` units of progress. Blocks the calling thread: call it from a pool
/// thread.
pub fn run_four_ways(picture: Picture, threads: usize, progress: &Progress, now: impl Fn() -> f64) -> Result<SimdRun, JobError> {
    let runs = Way::ALL.into_iter().map(|way| run_way(way, picture, threads, progress, &now)).collect::<Result<_, _>>()?;
    Ok(SimdRun { picture, runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    // One pixel, scalar and in a lane: the same count, inside and outside the set.
    #[test]
    fn a_lane_counts_as_scalar() {
        let cx = [-0.75, 0.3, -2.0, 0.26];
        let cy = [0.1, 0.5, 1.0, 0.0];
        let lanes = escape_time_x4(f32x4::new(cx), f32x4::new(cy), 500);
        for j in 0..LANES {
            assert_eq!(lanes[j], escape_time(cx[j], cy[j], 500), "lane {j}");
        }
        assert_eq!(escape_time(0.0, 0.0, 500), 500);
        assert_eq!(escape_time(-2.0, 1.0, 500), 1);
    }

    // The height is two thirds of the width; sizes out of range are refused with reasons.
    #[test]
    fn pictures() {
        assert_eq!(Picture::parse("960", "400"), Ok(Picture { width: 960, height: 640, max_iter: 400 }));
        assert!(Picture::parse("10", "400").unwrap_err().contains("from 64 to 2,400 (you asked for 10)"));
        assert!(Picture::parse("960", "lots").unwrap_err().contains("not a whole number"));
        assert_eq!(Picture::new(1, 10).height, 1);
    }
}
