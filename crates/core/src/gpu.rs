//! The gpu widget's engine: one kernel (the Mandelbrot set's escape counts, in fixed-point
//! integers) written twice, as a WebGPU compute shader ([`WGSL`]) and as a CPU job ([`Grid`]),
//! the count-by-count comparison of the two answers, and what the widget says about the
//! browser's GPU (none, no adapter, a software one, a real one).
//!
//! Implementation note: the answers must agree exactly, so the kernel avoids floating point.
//! WGSL lets an implementation reassociate floating-point operations and fuse a multiply and an
//! add (WGSL § "Reassociation and Fusion"), so a GPU could round differently from the CPU and an
//! `f32` escape count near the set's edge could differ by one. Here every number is an `i32` in
//! fixed point with [`FRAC_BITS`] fraction bits, and WGSL defines `i32` arithmetic exactly (two's
//! complement, and `>>` of a negative number shifts in ones, as Rust's does). No value ever
//! leaves the `i32` range: a point is tested before each step (`x² + y² ≤ 4`, so `|x|, |y| ≤ 2`),
//! and with `|c| ≤ 2` the next `x` and `y` are below 6 in size, whose square (36 · 2²⁴) is below
//! 2³¹. `tests/gpu.rs` checks that bound on every cell, computing in `i64`.

use std::ops::{Range, RangeInclusive};
use std::sync::Arc;

use crate::numbers::{duration_ms, group_digits, read_whole};
use crate::run::jobs::{Job, JobError, Progress};
use crate::run::threads::run_with_threads;

/// Fraction bits of the fixed-point numbers: `1.0` is `1 << FRAC_BITS`.
pub const FRAC_BITS: u32 = 12;
/// `1.0` in fixed point.
pub const ONE: i32 = 1 << FRAC_BITS;
/// The view: real parts from −2 to 1, imaginary parts from −1.5 to 1.5 (the speedup lab's).
pub const RE_MIN: i32 = -2 * ONE;
/// The lowest imaginary part of the view.
pub const IM_MIN: i32 = -3 * ONE / 2;
/// The view's width and height on the complex plane.
pub const SPAN: i32 = 3 * ONE;
/// Iterations before a point counts as inside the set.
pub const MAX_ITER: u32 = 256;
/// Cells on a side of the grid a learner may ask for.
pub const SIDES: RangeInclusive<u64> = 64..=2048;
/// The side a widget starts with.
pub const DEFAULT_SIDE: u32 = 512;
/// The shader's workgroup: 8 × 8 invocations, one per cell.
pub const WORKGROUP: [u32; 2] = [8, 8];
/// The shader's entry point.
pub const ENTRY_POINT: &str = "main";
/// Bindings of group 0: the parameters (a uniform buffer) and the counts (a storage buffer).
pub const BINDING_PARAMS: u32 = 0;
/// The counts' binding.
pub const BINDING_COUNTS: u32 = 1;

/// The kernel as a WebGPU compute shader: one invocation per cell, each writing its cell's
/// escape count. Line for line the same arithmetic as [`escape_count`] and [`Grid::point`].
pub const WGSL: &str = r"// One invocation per cell: the Mandelbrot escape count, in 12-bit fixed point.
struct Params { side: u32, max_iter: u32, unused0: u32, unused1: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> counts: array<u32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let side = params.side;
    if (id.x >= side || id.y >= side) { return; }
    let cx = -8192 + (i32(2u * id.x + 1u) * 12288) / i32(2u * side);
    let cy = -6144 + (i32(2u * id.y + 1u) * 12288) / i32(2u * side);
    var x = 0i;
    var y = 0i;
    var i = 0u;
    loop {
        if (i >= params.max_iter) { break; }
        let xx = (x * x) >> 12u;
        let yy = (y * y) >> 12u;
        if (xx + yy > 16384) { break; }
        y = ((x * y) >> 11u) + cy;
        x = xx - yy + cx;
        i = i + 1u;
    }
    counts[id.y * side + id.x] = i;
}
";

/// Iterations of `z ← z² + c` (fixed point) before `|z|² > 4`, at most `max_iter`: the shader's
/// loop, in the same `i32` operations.
pub fn escape_count(cx: i32, cy: i32, max_iter: u32) -> u32 {
    let (mut x, mut y, mut i) = (0i32, 0i32, 0u32);
    while i < max_iter {
        let (xx, yy) = ((x * x) >> FRAC_BITS, (y * y) >> FRAC_BITS);
        if xx + yy > 4 * ONE {
            break;
        }
        y = ((x * y) >> (FRAC_BITS - 1)) + cy;
        x = xx - yy + cx;
        i += 1;
    }
    i
}

/// A `side` × `side` grid of cells over the view, each to get its escape count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    /// Cells on a side.
    pub side: u32,
}

/// A finished grid: the escape count of every cell, row after row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    /// Cells on a side.
    pub side: u32,
    /// One count per cell (`MAX_ITER` inside the set).
    pub counts: Vec<u32>,
}

impl Grid {
    /// Reads a side typed by the learner, refusing what is not a whole number in [`SIDES`].
    pub fn parse(text: &str) -> Result<Self, String> {
        let side = read_whole(text)?;
        if !SIDES.contains(&side) {
            return Err(format!(
                "The grid's side must be from {} to {} cells (you asked for {}): below that there is too little work to time, and above it the counts alone would fill more than {} MB.",
                group_digits(*SIDES.start()),
                group_digits(*SIDES.end()),
                group_digits(side),
                Grid { side: *SIDES.end() as u32 }.bytes() >> 20
            ));
        }
        Ok(Self { side: side as u32 })
    }

    /// Number of cells.
    pub fn cells(&self) -> u64 {
        u64::from(self.side) * u64::from(self.side)
    }

    /// Bytes of the counts (4 per cell): what the GPU copies back.
    pub fn bytes(&self) -> u64 {
        self.cells() * 4
    }

    /// The fixed-point `c` of the cell in column `px`, row `py` (its centre), as the shader
    /// computes it.
    pub fn point(&self, px: u32, py: u32) -> (i32, i32) {
        let along = |p: u32| (((2 * p + 1) as i32) * SPAN) / ((2 * self.side) as i32);
        (RE_MIN + along(px), IM_MIN + along(py))
    }

    /// The uniform buffer's contents, as the shader's `Params` lays them out (16 bytes).
    pub fn params(&self) -> [u32; 4] {
        [self.side, MAX_ITER, 0, 0]
    }

    /// Workgroups to dispatch along x and y so that every cell gets an invocation.
    pub fn workgroups(&self) -> [u32; 2] {
        [self.side.div_ceil(WORKGROUP[0]), self.side.div_ceil(WORKGROUP[1])]
    }

    /// Invocations the dispatch starts (a few beyond the grid's edge return at once).
    pub fn invocations(&self) -> u64 {
        let [x, y] = self.workgroups();
        u64::from(x * WORKGROUP[0]) * u64::from(y * WORKGROUP[1])
    }

    /// The counts of row `py`.
    pub fn row(&self, py: u32) -> impl Iterator<Item = u32> + '_ {
        (0..self.side).map(move |px| {
            let (cx, cy) = self.point(px, py);
            escape_count(cx, cy, MAX_ITER)
        })
    }
}

impl Job for Grid {
    type Part = Vec<u32>;
    type Output = Counts;

    /// One unit per row.
    fn len(&self) -> u64 {
        u64::from(self.side)
    }
    fn run(&self, range: Range<u64>) -> Vec<u32> {
        range.flat_map(|py| self.row(py as u32)).collect()
    }
    fn identity(&self) -> Vec<u32> {
        Vec::new()
    }
    fn combine(&self, mut a: Vec<u32>, b: Vec<u32>) -> Vec<u32> {
        a.extend(b);
        a
    }
    fn finish(&self, counts: Vec<u32>) -> Counts {
        Counts { side: self.side, counts }
    }
}

/// Runs `grid` on exactly one pool thread and times it with `now` (milliseconds): the CPU's
/// answer and its time. Call it on a pool thread, as [`run_with_threads`].
pub fn run_on_one_thread(grid: Grid, progress: &Progress, now: impl Fn() -> f64) -> Result<(Counts, f64), JobError> {
    let start = now();
    let run = run_with_threads(&Arc::new(grid), 1, progress)?;
    Ok((run.output, now() - start))
}

/// How the GPU's counts compare with the CPU's, cell by cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// Cells compared.
    pub cells: u64,
    /// Cells whose counts differ (a missing cell counts as differing).
    pub mismatches: u64,
    /// The first cell that differs: its index, the CPU's count and the GPU's.
    pub first: Option<(u64, u32, Option<u32>)>,
}

impl Agreement {
    /// Compares the two answers count by count.
    pub fn of(cpu: &[u32], gpu: &[u32]) -> Self {
        let mut mismatches = 0;
        let mut first = None;
        for (i, &c) in cpu.iter().enumerate() {
            let g = gpu.get(i).copied();
            if g != Some(c) {
                mismatches += 1;
                first.get_or_insert((i as u64, c, g));
            }
        }
        mismatches += gpu.len().saturating_sub(cpu.len()) as u64;
        Self { cells: cpu.len() as u64, mismatches, first }
    }

    /// Whether every count agrees.
    pub fn matches(&self) -> bool {
        self.mismatches == 0
    }

    /// The comparison in a sentence.
    pub fn sentence(&self) -> String {
        match self.first {
            None if self.matches() => format!("Results match: all {} counts are identical.", group_digits(self.cells)),
            None => format!("Results differ: the GPU returned {} counts too many.", group_digits(self.mismatches)),
            Some((i, cpu, gpu)) => format!(
                "Results differ in {} of {} cells; the first is cell {} (CPU {cpu}, GPU {}).",
                group_digits(self.mismatches),
                group_digits(self.cells),
                group_digits(i),
                gpu.map_or("nothing".to_string(), |g| g.to_string())
            ),
        }
    }
}

/// What a browser says of its WebGPU adapter (`GPUAdapterInfo`; any field may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdapterInfo {
    /// `vendor`, such as "google" or "nvidia".
    pub vendor: String,
    /// `architecture`, such as "swiftshader" or "ampere".
    pub architecture: String,
    /// `device`.
    pub device: String,
    /// `description`.
    pub description: String,
    /// `isFallbackAdapter`, where the browser has it.
    pub fallback: Option<bool>,
}

/// Names in an adapter's description that mean its "GPU" is software on the CPU.
const SOFTWARE: [&str; 5] = ["swiftshader", "llvmpipe", "lavapipe", "softpipe", "microsoft basic render"];

impl AdapterInfo {
    /// The adapter's name for people: its description, or else what else it says, or a
    /// placeholder when the browser says nothing (some hide it for privacy).
    pub fn name(&self) -> String {
        if !self.description.trim().is_empty() {
            return self.description.trim().to_string();
        }
        let parts: Vec<&str> = [&self.vendor, &self.architecture, &self.device].into_iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        if parts.is_empty() {
            "an adapter the browser does not describe".to_string()
        } else {
            parts.join(" ")
        }
    }

    /// Whether the adapter is a software rasterizer running on the CPU (a fallback adapter, or a
    /// known software renderer).
    pub fn is_software(&self) -> bool {
        let all = [&self.vendor, &self.architecture, &self.device, &self.description].map(|s| s.to_ascii_lowercase()).join(" ");
        self.fallback == Some(true) || SOFTWARE.iter().any(|name| all.contains(name))
    }

    /// The adapter in a sentence or two.
    pub fn sentence(&self) -> String {
        if self.is_software() {
            format!("This browser's WebGPU adapter is {}, a software rasterizer: it runs the shader on this computer's CPU, emulating a GPU, so its time says nothing about a real GPU's speed.", self.name())
        } else {
            format!("This browser's WebGPU adapter is {}.", self.name())
        }
    }
}

/// Whether this browser can run the shader, as the widget finds out when it is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Not known yet (the browser is asked for an adapter).
    Probing,
    /// No WebGPU at all (`navigator.gpu` is missing).
    NoWebGpu,
    /// WebGPU, but `requestAdapter()` gave no adapter.
    NoAdapter,
    /// An adapter, but no device from it, or another failure on the way; the browser's words.
    Failed(String),
    /// An adapter to run the shader on.
    Ready(AdapterInfo),
}

/// What the widget would show with a GPU, for a browser that cannot run the shader.
pub const WOULD_SHOW: &str = "With a GPU, the same kernel would also run as a WebGPU compute shader: \
one small invocation per cell, spread over the GPU's thousands of lanes, tens of thousands of \
cells at once. Its time would include creating the buffers, starting the kernel and copying the \
counts back into the page, because an answer that stays in the GPU's memory is of no use to the \
page, and for a small grid the copy can take longer than the computing. The CPU half still runs \
here, so you can see what the GPU would have to beat.";

impl Availability {
    /// Its `data-gpu` name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Availability::Probing => "probing",
            Availability::NoWebGpu => "no-webgpu",
            Availability::NoAdapter => "no-adapter",
            Availability::Failed(_) => "failed",
            Availability::Ready(_) => "ready",
        }
    }

    /// Whether the shader can run.
    pub fn available(&self) -> bool {
        matches!(self, Availability::Ready(_))
    }

    /// What the widget says about this browser's GPU.
    pub fn sentence(&self) -> String {
        match self {
            Availability::Probing => "Asking the browser for a GPU…".to_string(),
            Availability::NoWebGpu => "This browser has no WebGPU (there is no navigator.gpu), so the GPU half cannot run here.".to_string(),
            Availability::NoAdapter => "This browser has WebGPU, but it offers no GPU adapter (requestAdapter() gave none): WebGPU may be switched off, this graphics driver may be blocked, or there is no GPU it can use. So the GPU half cannot run here.".to_string(),
            Availability::Failed(why) => format!("The GPU could not be used: {why}"),
            Availability::Ready(info) => info.sentence(),
        }
    }
}

/// The GPU's half of a run: its times in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuTimes {
    /// Buffers made, parameters uploaded, kernel run, counts copied back and read by the page.
    pub gpu_ms: f64,
    /// Of that, the copy back: from the kernel's end to the counts in the page's memory.
    pub copy_ms: f64,
    /// The one-time set-up before the first run (device, shader compiled), not in `gpu_ms`.
    pub setup_ms: Option<f64>,
}

/// One run of the widget: the grid, one CPU thread's time, and the GPU's half if it ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Try {
    /// The grid computed.
    pub grid: Grid,
    /// One CPU thread's time (ms).
    pub cpu_ms: f64,
    /// The GPU's times, and how its counts compare with the CPU's; `None` without a GPU.
    pub gpu: Option<(GpuTimes, Agreement)>,
    /// Whether the GPU is software on the CPU.
    pub software: bool,
}

impl Try {
    /// Whether the two answers agree (`None` when only the CPU ran).
    pub fn results_match(&self) -> Option<bool> {
        self.gpu.as_ref().map(|(_, agreement)| agreement.matches())
    }

    /// The times, in a sentence: the GPU's against one CPU thread's, or the CPU's alone.
    pub fn verdict(&self) -> String {
        let cpu_ms = self.cpu_ms;
        let Some((GpuTimes { gpu_ms, copy_ms, .. }, _)) = self.gpu else {
            return format!("One CPU thread took {}; there was no GPU to compare it with.", duration_ms(cpu_ms));
        };
        let ratio = if gpu_ms > 0.0 { cpu_ms / gpu_ms } else { f64::INFINITY };
        let compared = if ratio >= 1.1 {
            format!("the GPU finished {ratio:.1}× sooner than one CPU thread")
        } else if ratio > 1.0 / 1.1 {
            "the GPU and one CPU thread took about as long".to_string()
        } else {
            format!("the GPU took {:.1}× as long as one CPU thread", 1.0 / ratio)
        };
        let mut s = format!(
            "One CPU thread took {}; the GPU took {}, of which {} was copying the counts back: {compared}.",
            duration_ms(cpu_ms),
            duration_ms(gpu_ms),
            duration_ms(copy_ms)
        );
        if self.software {
            s.push_str(" This GPU is software on the CPU, so read the ratio as the cost of emulating one, not as a GPU's speed.");
        }
        s
    }

    /// How the answers compare, in a sentence.
    pub fn comparison(&self) -> String {
        match &self.gpu {
            Some((_, agreement)) => agreement.sentence(),
            None => "Nothing to compare: only the CPU computed the grid.".to_string(),
        }
    }
}
