//! The gpu widget's engine: the CPU's fixed-point kernel equals the shader's arithmetic (re-done
//! here line by line in `i64`, checking that no value leaves `i32`), draws the Mandelbrot set,
//! runs alike however it is split, and the widget's sentences (refusals, adapters, verdicts).

use std::cell::Cell;
use std::sync::Arc;

use interleave_core::gpu::{
    escape_count, AdapterInfo, Agreement, Availability, GpuTimes, Grid, Try, BINDING_COUNTS, BINDING_PARAMS, DEFAULT_SIDE, ENTRY_POINT, FRAC_BITS, IM_MIN, MAX_ITER,
    ONE, RE_MIN, SIDES, SPAN, WGSL, WORKGROUP,
};
use interleave_core::run::jobs::{run_parallel, Progress, Sliced};
use interleave_core::run::kernels::Mandelbrot;
use interleave_core::run::threads::run_sequential;

/// The shader's lines that [`shader_cell`] re-does; each must be in [`WGSL`] as written.
const MIRRORED: [&str; 10] = [
    "let cx = -8192 + (i32(2u * id.x + 1u) * 12288) / i32(2u * side);",
    "let cy = -6144 + (i32(2u * id.y + 1u) * 12288) / i32(2u * side);",
    "if (i >= params.max_iter) { break; }",
    "let xx = (x * x) >> 12u;",
    "let yy = (y * y) >> 12u;",
    "if (xx + yy > 16384) { break; }",
    "y = ((x * y) >> 11u) + cy;",
    "x = xx - yy + cx;",
    "i = i + 1u;",
    "counts[id.y * side + id.x] = i;",
];

/// `v`, which must fit an `i32` (as every value of the shader must, or it would wrap).
fn fits(v: i64) -> i64 {
    assert!(i64::from(i32::MIN) <= v && v <= i64::from(i32::MAX), "{v} leaves i32");
    v
}

/// The shader's invocation for cell (`x`, `y`) of a `side` grid, line by line in `i64`, each
/// value checked to fit an `i32`; returns the count it would store.
fn shader_cell(id_x: u32, id_y: u32, side: u32, max_iter: u32) -> u32 {
    let (id_x, id_y, side) = (i64::from(id_x), i64::from(id_y), i64::from(side));
    let cx = fits(-8192 + fits(fits(2 * id_x + 1) * 12288) / (2 * side));
    let cy = fits(-6144 + fits(fits(2 * id_y + 1) * 12288) / (2 * side));
    let (mut x, mut y, mut i) = (0i64, 0i64, 0u32);
    loop {
        if i >= max_iter {
            break;
        }
        // `>>` of a negative i32 in WGSL shifts in ones: floor division, as i64's `>>`.
        let xx = fits(fits(x * x) >> 12);
        let yy = fits(fits(y * y) >> 12);
        if fits(xx + yy) > 16384 {
            break;
        }
        y = fits(fits(fits(x * y) >> 11) + cy);
        x = fits(fits(xx - yy) + cx);
        i += 1;
    }
    i
}

#[test]
fn the_shader_says_what_the_tests_re_do() {
    for line in MIRRORED {
        assert!(WGSL.contains(line), "the shader has no line `{line}`");
    }
    // Its numbers are the core's constants.
    assert_eq!((RE_MIN, IM_MIN, SPAN, 4 * ONE, FRAC_BITS), (-8192, -6144, 12288, 16384, 12));
    assert!(WGSL.contains(&format!("@workgroup_size({}, {})", WORKGROUP[0], WORKGROUP[1])));
    assert!(WGSL.contains(&format!("fn {ENTRY_POINT}(@builtin(global_invocation_id) id: vec3<u32>)")));
    assert!(WGSL.contains(&format!("@group(0) @binding({BINDING_PARAMS}) var<uniform> params: Params;")));
    assert!(WGSL.contains(&format!("@group(0) @binding({BINDING_COUNTS}) var<storage, read_write> counts: array<u32>;")));
    assert!(WGSL.contains("struct Params { side: u32, max_iter: u32, unused0: u32, unused1: u32 }"));
    assert!(!WGSL.contains("f32"), "the kernel is integers only");
    // Bounds, parentheses and braces are balanced (a cheap check of the text, no WGSL parser).
    for (open, close) in [('(', ')'), ('{', '}'), ('[', ']')] {
        assert_eq!(WGSL.matches(open).count(), WGSL.matches(close).count(), "{open}{close} unbalanced");
    }
}

#[test]
fn the_cpu_counts_equal_the_shaders_on_every_cell_and_no_value_leaves_i32() {
    for side in [64, 100, 333, DEFAULT_SIDE] {
        let grid = Grid { side };
        let counts = run_sequential(&grid);
        assert_eq!(counts.counts.len() as u64, grid.cells());
        for py in 0..side {
            for px in 0..side {
                let cpu = counts.counts[(py * side + px) as usize];
                assert_eq!(cpu, shader_cell(px, py, side, MAX_ITER), "side {side}, cell ({px}, {py})");
            }
        }
    }
}

#[test]
fn any_point_of_the_view_stays_in_i32() {
    // Every c a grid of any side can ask for lies in the view; try its corners, the set's
    // interesting edge and a spread of others, for longer than the widget iterates.
    let mut points = vec![(RE_MIN, IM_MIN), (RE_MIN, -IM_MIN - 1), (RE_MIN + SPAN - 1, IM_MIN), (RE_MIN + SPAN - 1, -IM_MIN - 1), (0, 0), (-3 * ONE / 4, 1)];
    let mut rng = fastrand::Rng::with_seed(15);
    points.extend((0..20_000).map(|_| (rng.i32(RE_MIN..RE_MIN + SPAN), rng.i32(IM_MIN..IM_MIN + SPAN))));
    for (cx, cy) in points {
        // The shader's loop as in `shader_cell`, from this c.
        let (mut x, mut y, mut i) = (0i64, 0i64, 0u32);
        while i < 4 * MAX_ITER {
            let (xx, yy) = (fits(fits(x * x) >> 12), fits(fits(y * y) >> 12));
            if xx + yy > 16384 {
                break;
            }
            y = fits(fits(fits(x * y) >> 11) + i64::from(cy));
            x = fits(xx - yy + i64::from(cx));
            i += 1;
        }
        assert_eq!(i, escape_count(cx, cy, 4 * MAX_ITER), "c = ({cx}, {cy})");
    }
}

#[test]
fn the_fixed_point_counts_draw_the_mandelbrot_set() {
    // Against the speedup lab's f64 kernel on the same view: the same cells are inside the set,
    // but for a few along its edge, where 12 fraction bits round differently.
    let side = 256;
    let fixed = run_sequential(&Grid { side }).counts;
    let float = run_sequential(&Mandelbrot::new(side, side, MAX_ITER as u16)).iterations;
    let inside = |c: u32| c >= MAX_ITER;
    let differ = fixed.iter().zip(&float).filter(|(&a, &b)| inside(a) != inside(u32::from(b))).count();
    let inside_count = fixed.iter().filter(|&&c| inside(c)).count();
    assert!(differ * 100 < fixed.len(), "{differ} of {} cells disagree on the set", fixed.len());
    // The set covers about 1.5 of the view's 9 square units.
    let share = inside_count as f64 / fixed.len() as f64;
    assert!((0.13..0.20).contains(&share), "inside share {share}");
    // Known points: the origin is inside, the view's corner escapes at once.
    assert_eq!(escape_count(0, 0, MAX_ITER), MAX_ITER);
    assert_eq!(escape_count(RE_MIN, IM_MIN, MAX_ITER), 1);
}

#[test]
fn the_grid_runs_alike_however_it_is_split() {
    let grid = Grid { side: 200 };
    let reference = run_sequential(&grid);
    let progress = Progress::new(200);
    assert_eq!(run_parallel(&grid, &progress).unwrap(), reference);
    let mut sliced = Sliced::new(Arc::new(grid), Progress::new(200));
    let mut calls = 0;
    let out = loop {
        calls += 1;
        if let Some(done) = sliced.run_until(|| true) {
            break done.unwrap();
        }
    };
    assert_eq!(out, reference);
    assert!(calls > 1);
}

#[test]
fn one_thread_is_timed_with_the_clock_it_is_given() {
    let ticks = Cell::new(0.0);
    let now = || {
        ticks.set(ticks.get() + 5.0);
        ticks.get()
    };
    let grid = Grid { side: 64 };
    let progress = Progress::new(64);
    let (counts, ms) = interleave_core::gpu::run_on_one_thread(grid, &progress, now).unwrap();
    assert_eq!(counts, run_sequential(&grid));
    assert_eq!(ms, 5.0);
    assert_eq!(progress.done(), 64);
    let cancelled = Progress::new(64);
    cancelled.cancel();
    assert!(interleave_core::gpu::run_on_one_thread(grid, &cancelled, || 0.0).is_err());
}

#[test]
fn sizes_refused_and_dispatched() {
    assert_eq!(Grid::parse(" 1,024 ").unwrap(), Grid { side: 1024 });
    let small = Grid::parse("10").unwrap_err();
    assert!(small.contains("from 64 to 2,048 cells (you asked for 10)"), "{small}");
    assert!(Grid::parse("5000").unwrap_err().contains("16 MB"));
    assert!(Grid::parse("big").unwrap_err().contains("not a whole number"));
    assert_eq!(*SIDES.start(), 64);
    // A side that is no multiple of 8 gets a partial workgroup at each edge.
    let grid = Grid { side: 100 };
    assert_eq!(grid.workgroups(), [13, 13]);
    assert_eq!(grid.invocations(), 104 * 104);
    assert_eq!(grid.params(), [100, MAX_ITER, 0, 0]);
    assert_eq!(grid.bytes(), 40_000);
    assert_eq!(Grid { side: *SIDES.end() as u32 }.workgroups(), [256, 256]);
}

#[test]
fn answers_are_compared_count_by_count() {
    let cpu = [1, 2, 3, 4];
    assert!(Agreement::of(&cpu, &cpu).matches());
    assert_eq!(Agreement::of(&cpu, &cpu).sentence(), "Results match: all 4 counts are identical.");
    let off = Agreement::of(&cpu, &[1, 2, 9, 4]);
    assert_eq!((off.mismatches, off.first), (1, Some((2, 3, Some(9)))));
    assert!(off.sentence().contains("differ in 1 of 4 cells; the first is cell 2 (CPU 3, GPU 9)"));
    let short = Agreement::of(&cpu, &[1, 2]);
    assert_eq!((short.mismatches, short.first), (2, Some((2, 3, None))));
    let long = Agreement::of(&cpu, &[1, 2, 3, 4, 5]);
    assert!(!long.matches());
    assert!(long.sentence().contains("1 counts too many"));
}

#[test]
fn adapters_described_and_software_ones_called_so() {
    let swiftshader = AdapterInfo { vendor: "google".into(), architecture: "swiftshader".into(), ..Default::default() };
    assert!(swiftshader.is_software());
    assert_eq!(swiftshader.name(), "google swiftshader");
    assert!(swiftshader.sentence().contains("software rasterizer"));
    assert!(swiftshader.sentence().contains("CPU"));
    let fallback = AdapterInfo { vendor: "someone".into(), fallback: Some(true), ..Default::default() };
    assert!(fallback.is_software());
    let llvmpipe = AdapterInfo { description: "llvmpipe (LLVM 15.0.6, 256 bits)".into(), ..Default::default() };
    assert!(llvmpipe.is_software());
    assert_eq!(llvmpipe.name(), "llvmpipe (LLVM 15.0.6, 256 bits)");
    let real = AdapterInfo { vendor: "nvidia".into(), architecture: "ampere".into(), fallback: Some(false), ..Default::default() };
    assert!(!real.is_software());
    assert_eq!(real.sentence(), "This browser's WebGPU adapter is nvidia ampere.");
    assert_eq!(AdapterInfo::default().name(), "an adapter the browser does not describe");

    assert!(!Availability::NoAdapter.available());
    assert!(Availability::NoAdapter.sentence().contains("offers no GPU adapter"));
    assert!(Availability::NoWebGpu.sentence().contains("no WebGPU"));
    assert!(Availability::Ready(real).available());
    assert_eq!(Availability::Probing.as_str(), "probing");
}

#[test]
fn verdicts_compare_the_two_times() {
    let grid = Grid { side: 64 };
    let times = |gpu_ms, copy_ms| GpuTimes { gpu_ms, copy_ms, setup_ms: None };
    let same = Agreement::of(&[1, 2], &[1, 2]);
    let alone = Try { grid, cpu_ms: 12.0, gpu: None, software: false };
    assert_eq!(alone.verdict(), "One CPU thread took 12 ms; there was no GPU to compare it with.");
    assert_eq!(alone.results_match(), None);
    assert!(alone.comparison().contains("only the CPU"));
    let faster = Try { grid, cpu_ms: 100.0, gpu: Some((times(20.0, 5.0), same.clone())), software: false };
    assert!(faster.verdict().contains("the GPU finished 5.0× sooner than one CPU thread"), "{}", faster.verdict());
    assert!(faster.verdict().contains("of which 5 ms was copying the counts back"));
    assert_eq!(faster.results_match(), Some(true));
    let slower = Try { grid, cpu_ms: 10.0, gpu: Some((times(40.0, 30.0), Agreement::of(&[1, 2], &[1, 3]))), software: true };
    assert!(slower.verdict().contains("the GPU took 4.0× as long as one CPU thread"), "{}", slower.verdict());
    assert!(slower.verdict().contains("software on the CPU"));
    assert_eq!(slower.results_match(), Some(false));
    let even = Try { grid, cpu_ms: 10.0, gpu: Some((times(10.5, 1.0), same)), software: false };
    assert!(even.verdict().contains("about as long"));
}
