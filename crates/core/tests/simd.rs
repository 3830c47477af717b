//! The SIMD widget as the page runs it: the four ways give the same checksum for every picture
//! (widths that are and are not multiples of four), row by row and whole, on the pool and in
//! slices; refusals; the chart's bars.

use std::sync::Arc;

use interleave_core::run::jobs::{spawn_task, Job, JobError, Progress, Sliced};
use interleave_core::run::threads::run_sequential;
use interleave_core::simd::{run_four_ways, run_way, units, Picture, Rows, SimdRun, Way, WayRun};

#[path = "support/lab.rs"]
mod common;
use common::clock;

// Every row, scalar and in lanes, has the same checksum; so do whole pictures of odd widths.
#[test]
fn lanes_give_the_scalar_answer_row_by_row() {
    for (width, max_iter) in [(64, 100), (65, 37), (66, 500), (67, 16), (128, 1000), (301, 250)] {
        let picture = Picture::new(width, max_iter);
        let (scalar, lanes) = (Rows::new(picture, false), Rows::new(picture, true));
        for row in 0..u64::from(picture.height) {
            assert_eq!(scalar.run(row..row + 1), lanes.run(row..row + 1), "{width} wide, row {row}");
        }
        assert_eq!(run_sequential(&scalar), run_sequential(&lanes));
    }
}

// The picture's checksum is a fixed number, the same natively and in the browser's module (the
// wasm test `wasm_pool` checks this very value).
#[test]
fn the_default_picture_checksum() {
    let picture = Picture::new(240, 300);
    assert_eq!(run_sequential(&Rows::new(picture, false)), 60_524_528_321);
}

// The page's run, through a pool task: four ways, each checked, with progress of 4 × height.
#[test]
fn four_ways_on_the_pool() {
    let picture = Picture::new(200, 300);
    let progress = Progress::new(units(picture, 4));
    let shared = progress.clone();
    let run = futures_executor::block_on(spawn_task(move || run_four_ways(picture, 3, &shared, clock()))).unwrap().unwrap();
    assert_eq!(run.runs.iter().map(|r| r.way).collect::<Vec<_>>(), Way::ALL);
    assert_eq!(run.runs.iter().map(|r| r.threads).collect::<Vec<_>>(), [1, 1, 3, 3]);
    assert!(run.results_match());
    assert!(run.runs.iter().all(|r| r.checksum == run_sequential(&Rows::new(picture, false))));
    assert_eq!(progress.done(), units(picture, 4));
    assert_eq!(run.threads(), 3);
    let bars = run.bars();
    assert_eq!(bars.len(), 4);
    assert!(bars.iter().all(|b| b.share > 0.0 && b.share <= 1.0));
    assert!(bars.iter().any(|b| b.share == 1.0));
    assert_eq!(bars[0].speedup, 1.0);
    assert!(run.verdict().contains("3 threads were"), "{}", run.verdict());
}

// Cancelling stops the run.
#[test]
fn cancel() {
    let progress = Progress::new(1);
    progress.cancel();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    assert_eq!(pool.install(|| run_four_ways(Picture::new(200, 100), 2, &progress, clock())), Err(JobError::Cancelled));
}

// Without workers: scalar and lanes in slices, the same answer; the threaded ways are absent and
// the verdict says why; a disagreement would be said.
#[test]
fn one_thread_in_slices() {
    let picture = Picture::new(130, 200);
    let progress = Progress::new(units(picture, 2));
    let runs: Vec<WayRun> = Way::ONE_THREAD
        .into_iter()
        .map(|way| {
            let mut sliced = Sliced::new(Arc::new(Rows::new(picture, way.lanes())), progress.clone());
            let checksum = loop {
                if let Some(done) = sliced.run_until(|| true) {
                    break done.unwrap();
                }
            };
            WayRun::new(way, 1, 10.04, checksum)
        })
        .collect();
    assert_eq!(progress.done(), units(picture, 2));
    let run = SimdRun { picture, runs };
    assert!(run.results_match());
    assert_eq!((run.ms(Way::Threads), run.speedup(Way::Lanes), run.runs[0].ms), (None, Some(1.0), 10.0));
    assert!(run.verdict().contains("need worker threads"));
    let mut wrong = run.clone();
    wrong.runs[1].checksum += 1;
    assert!(!wrong.results_match());
    assert!(wrong.verdict().contains("should never happen"));
    // One way on its own, as the page's slices would time it.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let one = pool.install(|| run_way(Way::ThreadsLanes, picture, 2, &Progress::new(units(picture, 1)), &clock())).unwrap();
    assert_eq!(one.checksum, run.runs[0].checksum);
}

// The verdict follows the figures: lanes under 4× explained, or a slow run called noise; threads
// that multiply, threads that could not, one worker.
#[test]
fn the_verdict_follows_the_figures() {
    let picture = Picture::new(64, 16);
    let run = |ms: [f64; 4], threads: usize| SimdRun {
        picture,
        runs: Way::ALL.into_iter().zip(ms).map(|(way, ms)| WayRun::new(way, if way.threaded() { threads } else { 1 }, ms, 7)).collect(),
    };
    let good = run([200.0, 60.0, 100.0, 30.0], 2).verdict();
    assert!(good.contains("3.33× as fast as scalar: less than 4×") && good.contains("2 threads were 2.00× as fast") && good.contains("multiply"), "{good}");
    let busy = run([200.0, 190.0, 250.0, 180.0], 2).verdict();
    assert!(busy.contains("only 1.05×") && busy.contains("only 0.80× as fast") && !busy.contains("multiply"), "{busy}");
    assert!(run([200.0, 60.0, 200.0, 60.0], 1).verdict().contains("With one worker thread"));
    assert!(run([200.0, 48.0, 100.0, 30.0], 2).verdict().contains("4.17× as fast as scalar, at or above their width"));
}
