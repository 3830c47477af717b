//! Worker timelines as the speedup lab and the granularity explorer record them: every chunk
//! exactly once, steals seen when a test forces one, gaps and overlaps computed right, turns
//! under the global lock, bounded records, and the chart's geometry.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use interleave_core::granularity::{record_point, sum_sequential, GranularitySetup, SPANS_PER_WORKER};
use interleave_core::numbers::group_digits;
use interleave_core::run::jobs::{Job, Progress, Sliced};
use interleave_core::run::kernels::{Kernel, LabPrimes};
use interleave_core::run::tasks::sum_tasks;
use interleave_core::run::threads::{run_threads, Lock, Threads};
use interleave_core::run::timeline::chart::{zooms, TimelineChart};
use interleave_core::run::timeline::{clock_cost, Recorder, Span, Timeline, CLOCK_BATCHES, CLOCK_READINGS, SAME_MOMENT_MS};
use interleave_core::speedup::{run_timed, RunOrder};

#[path = "support/lab.rs"]
mod common;
use common::{pool, clock};

fn order(kernel: Kernel, size: u64, threads: usize, lock: Lock) -> RunOrder {
    RunOrder { kernel, size, threads, warm_up: false, lock, record: true }
}

/// The first chunk index of every bar, sorted: `0..n` when each chunk has a bar of its own.
fn firsts(t: &Timeline) -> Vec<u64> {
    let mut v: Vec<u64> = t.rows.iter().flat_map(|r| &r.bars).map(|b| b.first).collect();
    v.sort_unstable();
    v
}

/// Bars lie within the run, in time order, and add up to the row's totals.
fn well_formed(t: &Timeline) {
    for row in &t.rows {
        assert!(row.bars.windows(2).all(|w| w[0].start_ms <= w[1].start_ms), "{} out of order", row.name());
        assert!(row.bars.iter().all(|b| 0.0 <= b.start_ms && b.start_ms <= b.end_ms && b.end_ms <= t.wall_ms));
        assert!(row.busy_ms <= t.wall_ms + 1e-9 && row.idle_ms(t.wall_ms) >= 0.0);
        assert_eq!(row.chunks, row.bars.iter().map(|b| b.chunks).sum::<u64>());
    }
}

// Every kernel's recorded run, free and under the lock, at 1 to 3 threads: one bar per slice,
// each slice exactly once, a row per worker that ran slices (never more than k), agreeing with
// the slices counted per worker; the answer is the one-thread answer.
#[test]
fn timeline_records_cover_every_chunk_exactly_once() {
    let pool = pool(3);
    for (kernel, size) in [(Kernel::Mandelbrot, 120u64), (Kernel::Primes, 200_000), (Kernel::Blur, 90)] {
        let slices = match kernel {
            Kernel::Primes => size.div_ceil(Job::slice_len(&LabPrimes { limit: size })),
            Kernel::Mandelbrot | Kernel::Blur => kernel.units(size),
        };
        for lock in [Lock::Free, Lock::Global] {
            for k in 1..=3 {
                let progress = Progress::new(kernel.units(size));
                let run = pool.install(|| run_timed(order(kernel, size, k, lock), &progress, None, clock())).unwrap();
                assert_eq!(run.checksum, kernel.run_sequential(size), "{} at {k}, {lock:?}", kernel.name());
                let t = run.timeline.expect("recorded");
                assert_eq!((t.chunks, t.per_bar), (slices, 1));
                assert_eq!(firsts(&t), (0..slices).collect::<Vec<_>>(), "{} at {k}, {lock:?}", kernel.name());
                assert!(!t.rows.is_empty() && t.rows.len() <= k);
                let by_row: Vec<(usize, u64)> = t.rows.iter().map(|r| (r.worker.unwrap(), r.chunks)).collect();
                assert_eq!(by_row, run.slices_by_worker.into_iter().collect::<Vec<_>>());
                assert!((t.wall_ms - run.wall_ms).abs() < 1e-9);
                let cost = t.recording_ms().expect("the clock's cost is measured");
                assert!(cost >= 0.0 && t.summary().contains(&format!("read the clock {} times", group_digits(2 * slices))), "{}", t.summary());
                well_formed(&t);
            }
        }
    }
    // Unrecorded runs carry no timeline.
    let progress = Progress::new(90);
    let quiet = RunOrder { record: false, ..order(Kernel::Blur, 90, 2, Lock::Free) };
    assert_eq!(pool.install(|| run_timed(quiet, &progress, None, clock())).unwrap().timeline, None);
}

/// Chunks that hold up the first one until another thread has started a second: so the thread
/// that spawned the work stays busy, and another must steal.
struct Gate {
    second_started: AtomicBool,
}

impl Gate {
    fn wait_for_second(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.second_started.load(Ordering::Acquire) {
            assert!(Instant::now() < deadline, "no other thread took the second chunk");
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    /// Chunk 0 waits for chunk 1; both then go on for a millisecond, so they overlap.
    fn chunk(&self, index: u64) -> u64 {
        match index {
            0 => self.wait_for_second(),
            _ => self.second_started.store(true, Ordering::Release),
        }
        std::thread::sleep(Duration::from_millis(1));
        index + 1
    }
}

impl Job for Gate {
    type Part = u64;
    type Output = u64;
    fn len(&self) -> u64 {
        2
    }
    fn slice_len(&self) -> u64 {
        1
    }
    fn run(&self, range: Range<u64>) -> u64 {
        range.map(|i| self.chunk(i)).sum()
    }
    fn identity(&self) -> u64 {
        0
    }
    fn combine(&self, a: u64, b: u64) -> u64 {
        a + b
    }
    fn finish(&self, p: u64) -> u64 {
        p
    }
}

// Two threads, and the first chunk waits until the second has started elsewhere: the spawning
// worker is kept busy, so the other worker must steal. At k threads, it steals a task (its first
// slice is marked); one task per index, it steals the second half. Either way the mark names the
// spawning worker, and the two chunks overlap in time.
#[test]
fn stealing_detected_in_a_test_that_forces_it() {
    let pool = pool(2);
    let now = clock();
    let job = Arc::new(Gate { second_started: AtomicBool::new(false) });
    let (spawner, run) = pool.install(|| {
        let how = Threads { k: 2, lock: Lock::Free, record: Some(&now) };
        (rayon::current_thread_index().unwrap(), run_threads(&job, how, &Progress::new(2)).unwrap())
    });
    assert_eq!(run.output, 3);
    let t = Timeline::new(run.spans, 0.0, now());
    assert_eq!((t.rows.len(), t.chunks, t.steals()), (2, 2, 1));
    let thief = t.rows.iter().find(|r| r.steals == 1).unwrap();
    assert_ne!(thief.worker, Some(spawner));
    assert_eq!(thief.bars[0].stolen_from, Some(spawner));
    assert!(t.rows.iter().find(|r| r.worker == Some(spawner)).unwrap().bars.iter().all(|b| b.stolen_from.is_none()));
    assert!(t.overlap_ms().1 >= 1.0 && !t.took_turns(), "{:?}", t.overlap_ms());

    let gate = Gate { second_started: AtomicBool::new(false) };
    let (spawner, (sum, spans)) =
        pool.install(|| (rayon::current_thread_index().unwrap(), sum_tasks(2, &|i| gate.chunk(i), Some((&now, 16)))));
    assert_eq!(sum, 3);
    let t = Timeline::new(spans, 0.0, now());
    assert_eq!((t.rows.len(), t.chunks, t.steals()), (2, 2, 1));
    let stolen: Vec<_> = t.rows.iter().flat_map(|r| r.bars.iter().map(move |b| (r.worker, *b))).filter(|(_, b)| b.steals == 1).collect();
    assert_eq!(stolen.len(), 1);
    let (thief, bar) = stolen[0];
    assert_eq!((bar.first, bar.stolen_from), (1, Some(spawner)));
    assert_ne!(thief, Some(spawner));
}

// Gaps are the stretches no bar covers (before the first, between two, after the last); idle
// time is the run minus the busy time; overlaps count only where two workers computed at once.
#[test]
fn gaps_idle_time_and_overlaps_computed_right() {
    let span = |w: usize, first: u64, start: f64, end: f64| Span::chunk(Some(w), first, start, end, None);
    let t = Timeline::new(vec![span(0, 1, 25.0, 30.0), span(1, 2, 12.0, 40.0), span(0, 0, 10.0, 20.0)], 10.0, 50.0);
    assert_eq!((t.wall_ms, t.chunks, t.rows.len()), (40.0, 3, 2));
    let (a, b) = (&t.rows[0], &t.rows[1]);
    assert_eq!(a.bars.iter().map(|b| (b.start_ms, b.end_ms)).collect::<Vec<_>>(), [(0.0, 10.0), (15.0, 20.0)]);
    assert_eq!(a.gaps(t.wall_ms), [(10.0, 15.0), (20.0, 40.0)]);
    assert_eq!(b.gaps(t.wall_ms), [(0.0, 2.0), (30.0, 40.0)]);
    assert_eq!((a.busy_ms, a.idle_ms(t.wall_ms), b.idle_ms(t.wall_ms)), (15.0, 25.0, 12.0));
    assert_eq!(t.overlap_ms(), (13.0, 8.0));
    assert!(!t.took_turns());
    assert!((t.busy_share() - 43.0 / 80.0).abs() < 1e-12);
    assert!(t.summary().contains("2 workers ran 3 chunks in 40 ms"), "{}", t.summary());
    assert!(t.summary().contains("computed at once for 13 ms (32% of the run)"), "{}", t.summary());
    assert_eq!(a.describe(t.wall_ms), "worker 0: 2 chunks, busy 15 ms, idle 25 ms (longest gap 20 ms), 0 steals");

    // Turns: touching bars do not overlap; a worker with one bar from start to end has no gaps.
    let turns = Timeline::new(vec![span(0, 0, 0.0, 1.0), span(1, 1, 1.0, 2.0), span(0, 2, 2.0, 3.0)], 0.0, 3.0);
    assert_eq!(turns.overlap_ms(), (0.0, 0.0));
    assert!(turns.took_turns() && turns.summary().contains("they took turns"), "{}", turns.summary());
    assert_eq!(turns.rows[0].gaps(3.0), [(1.0, 2.0)]);
    assert_eq!(turns.rows[1].gaps(3.0), [(0.0, 1.0), (2.0, 3.0)]);
    let alone = Timeline::new(vec![Span::chunk(None, 0, 5.0, 9.0, None)], 5.0, 9.0);
    assert_eq!((alone.rows[0].name(), alone.rows[0].gaps(4.0)), ("page thread".to_string(), vec![]));
    assert!(!alone.took_turns() && alone.summary().starts_with("page thread ran 1 chunk in 4 ms, inside a chunk 100% of the time."));
    assert_eq!(Timeline::new(vec![], 3.0, 3.0).busy_share(), 0.0);
}

// Under the one lock, at 2 and 3 threads, no two slices ever overlap in time: the workers take
// turns. (How often each gets a turn is the scheduler's business: not asserted.)
#[test]
fn under_the_global_lock_the_workers_take_turns() {
    let pool = pool(3);
    for k in [2, 3] {
        let progress = Progress::new(Kernel::Mandelbrot.units(240));
        let run = pool.install(|| run_timed(order(Kernel::Mandelbrot, 240, k, Lock::Global), &progress, None, clock())).unwrap();
        let t = run.timeline.unwrap();
        let (total, longest) = t.overlap_ms();
        assert_eq!((total, longest), (0.0, 0.0), "at {k} threads");
        assert!(longest < SAME_MOMENT_MS);
        println!("global lock at {k}: {} rows, {:?} chunks per row", t.rows.len(), t.rows.iter().map(|r| r.chunks).collect::<Vec<_>>());
        if t.rows.len() > 1 {
            assert!(t.took_turns(), "{}", t.summary());
        }
    }
}

/// Slices that each sleep a millisecond: the holder of the lock gives up its core while it holds
/// it, so the operating system's scheduling has no say in who goes next.
struct Sleepy;

impl Job for Sleepy {
    type Part = u64;
    type Output = u64;
    fn len(&self) -> u64 {
        40
    }
    fn slice_len(&self) -> u64 {
        1
    }
    fn run(&self, range: Range<u64>) -> u64 {
        std::thread::sleep(Duration::from_millis(1));
        range.start
    }
    fn identity(&self) -> u64 {
        0
    }
    fn combine(&self, a: u64, b: u64) -> u64 {
        a + b
    }
    fn finish(&self, p: u64) -> u64 {
        p
    }
}

// The one lock is handed over in the order the threads asked: once both workers compute, a
// worker that lets go queues behind the one waiting, so the turns alternate.
#[test]
fn the_lock_is_handed_over_in_turn() {
    let pool = pool(2);
    let now = clock();
    let how = Threads { k: 2, lock: Lock::Global, record: Some(&now) };
    let run = pool.install(|| run_threads(&Arc::new(Sleepy), how, &Progress::new(40))).unwrap();
    assert_eq!(run.output, (0..40).sum::<u64>());
    let t = Timeline::new(run.spans, 0.0, now());
    assert_eq!(t.overlap_ms(), (0.0, 0.0));
    let mut order: Vec<(f64, Option<usize>)> = t.rows.iter().flat_map(|r| r.bars.iter().map(move |b| (b.start_ms, r.worker))).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let workers: Vec<Option<usize>> = order.into_iter().map(|(_, w)| w).collect();
    // From the second worker's first slice on.
    let joined = workers.iter().position(|w| *w != workers[0]).expect("both workers computed");
    let pairs = workers[joined..].windows(2);
    let (switches, all) = (pairs.clone().filter(|p| p[0] != p[1]).count(), pairs.len());
    assert!(switches * 4 >= all * 3, "{switches} switches in {all} hand-overs: {workers:?}");
}

// A full recorder merges its spans two by two: bounded, every chunk still counted, the busy time
// exact, the steals kept.
#[test]
fn recorders_stay_bounded() {
    let mut r = Recorder::new(Some(4), 4, 4);
    for i in 0..10u64 {
        let start = i as f64 * 2.0;
        r.chunk(i, start, start + 1.0, (i == 3).then_some(0));
    }
    let spans = r.into_spans();
    assert!(spans.len() <= 4, "{spans:?}");
    assert_eq!(spans.iter().map(|s| s.chunks).sum::<u64>(), 10);
    assert_eq!(spans.iter().map(|s| s.busy_ms).sum::<f64>(), 10.0);
    assert_eq!(spans.iter().map(|s| s.steals).sum::<u32>(), 1);
    assert_eq!((spans[0].first, spans[0].start_ms, spans.last().unwrap().end_ms), (0, 0.0, 19.0));
    let t = Timeline::new(spans, 0.0, 20.0);
    assert_eq!((t.chunks, t.per_bar), (10, 4));
    assert!(t.summary().contains("each bar stands for up to 4 chunks"), "{}", t.summary());
}

// The clock's own cost is measured, and taken off each chunk's time inside it (never below 0).
#[test]
fn the_clocks_own_cost_is_taken_off() {
    let ticks = std::sync::atomic::AtomicU64::new(0);
    let fake = || ticks.fetch_add(1, Ordering::Relaxed) as f64 * 0.001;
    assert!((clock_cost(&fake) - 0.001).abs() < 1e-12, "each reading moves the fake clock 1 µs");
    let batch = u64::from(CLOCK_READINGS) + 1;
    assert_eq!(ticks.load(Ordering::Relaxed), 1 + CLOCK_BATCHES as u64 * batch, "one reading first, then the batches");
    // A clock whose first batch of readings is ten times dearer (not yet optimised, as in a
    // browser) is measured at what the others cost.
    let ticks = std::sync::atomic::AtomicU64::new(0);
    let now = std::sync::Mutex::new(0.0f64);
    let cold = || {
        let n = ticks.fetch_add(1, Ordering::Relaxed);
        let mut t = now.lock().unwrap();
        *t += if n <= batch { 0.01 } else { 0.001 };
        *t
    };
    assert!((clock_cost(&cold) - 0.001).abs() < 1e-9, "{}", clock_cost(&cold));
    let span = |first: u64, start: f64, end: f64| Span::chunk(Some(0), first, start, end, None);
    let t = Timeline::new(vec![span(0, 0.0, 0.003), span(1, 0.004, 0.0045)], 0.0, 0.01).without_clock_cost(0.001);
    assert_eq!(t.rows[0].bars.iter().map(|b| (b.busy_ms * 1e6).round()).collect::<Vec<_>>(), [2000.0, 0.0]);
    assert!((t.rows[0].busy_ms - 0.002).abs() < 1e-12);
    // A reading measured dearer than the whole run never makes recording more than all of it.
    let dear = Timeline::new(vec![span(0, 0.0, 0.003)], 0.0, 0.01).with_clock_cost(1.0).summary();
    assert!(dear.ends_with("read the clock 2 times, which by our estimate costs about all of the workers' time: beside the readings, the work inside the chunks is too small to see."), "{dear}");
}

// The granularity explorer's timeline: one more run that records every task once, within
// SPANS_PER_WORKER bars per worker however many tiny tasks there are.
#[test]
fn granularity_timelines_cover_every_task_within_bounds() {
    let pool = pool(2);
    let setup = GranularitySetup { items: 4_096, spins_per_item: 50 };
    let t = pool.install(|| record_point(&setup, 16, clock()));
    assert_eq!((t.chunks, t.per_bar), (256, 1));
    assert_eq!(firsts(&t), (0..256).collect::<Vec<_>>());
    well_formed(&t);

    let tiny = GranularitySetup { items: 1 << 17, spins_per_item: 2 };
    let t = pool.install(|| record_point(&tiny, 1, clock()));
    assert_eq!(t.chunks, 1 << 17);
    assert!(t.per_bar > 1 && t.rows.iter().all(|r| r.bars.len() <= SPANS_PER_WORKER));
    assert!(!t.summary().contains("at once") && !t.summary().contains("turns"), "merged bars span gaps: no overlap claimed");
    well_formed(&t);
    println!("{} tiny tasks: {}", 1 << 17, t.summary());
    assert_eq!(pool.install(|| sum_tasks(1 << 17, &|_| 1, None)), (1 << 17, vec![]));
    assert_eq!(sum_sequential(&tiny), pool.install(|| interleave_core::granularity::sum_parallel(&tiny, 1)));
}

// A page without workers records its slices as one row, the page's thread, with the gaps where
// it handed the thread back.
#[test]
fn sliced_runs_record_the_page_thread() {
    let now = clock();
    let job = Arc::new(Kernel::Blur.blur(60));
    let mut sliced = Sliced::new(job.clone(), Progress::new(60)).recorded(now);
    let start = now();
    let out = loop {
        if let Some(out) = sliced.run_until(|| true) {
            break out.unwrap();
        }
        std::thread::sleep(Duration::from_micros(100));
    };
    let t = Timeline::new(sliced.take_spans(), start, now());
    assert_eq!(out, Kernel::Blur.run_sequential(60));
    assert_eq!((t.rows.len(), t.rows[0].worker, t.chunks), (1, None, 60));
    assert_eq!(firsts(&t), (0..60).collect::<Vec<_>>());
    assert!(t.rows[0].gaps(t.wall_ms).len() >= 59, "a gap after each slice but the last");
    assert!(sliced.take_spans().is_empty(), "handed over once");
}

// The chart: a row per worker, bars inside the plot, sub-pixel bars drawn as one shaded by their
// work, a mark per steal, ticks from 0, and zooms into the beginning.
#[test]
fn chart_geometry() {
    let span = |w: usize, first: u64, start: f64, end: f64, from: Option<usize>| Span::chunk(Some(w), first, start, end, from);
    let mut spans = vec![span(0, 0, 0.0, 40.0, None), span(1, 1, 2.0, 30.0, Some(0))];
    // A thousand tiny chunks, each a fifth of its 0.01 ms slot: far narrower than a pixel.
    spans.extend((0..1_000).map(|i| span(1, 2 + i, 50.0 + i as f64 * 0.01, 50.0 + i as f64 * 0.01 + 0.002, None)));
    let t = Timeline::new(spans, 0.0, 100.0);
    let chart = TimelineChart::new(&t, 1);
    assert_eq!(chart.rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(), ["worker 0", "worker 1"]);
    assert!(chart.rows[0].y < chart.rows[1].y && chart.rows[1].y < chart.axis_y && chart.axis_y < chart.height);
    let (left, right) = (TimelineChart::LEFT, TimelineChart::RIGHT);
    for row in &chart.rows {
        assert!(row.rects.iter().all(|&(x, w, shade)| x >= left && x + w <= right + 1.0 && (0.2..=1.0).contains(&shade)));
        assert_eq!(row.bars.iter().map(|b| b.count).sum::<usize>(), row.rects.len(), "every rectangle in one path");
        assert!(row.bars.windows(2).all(|w| w[0].shade < w[1].shade));
    }
    assert_eq!(chart.rows[0].rects.len(), 1);
    assert_eq!(chart.rows[0].rects[0].2, 1.0);
    assert_eq!(chart.rows[0].bars[0].path, format!("M{left:.2} {}h{:.2}v18h-{:.2}z", chart.rows[0].y, 0.4 * (right - left), 0.4 * (right - left)));
    let tiny = chart.rows[1].rects.last().unwrap();
    assert_eq!(chart.rows[1].rects.len(), 2, "the tiny chunks share pixels: one rectangle");
    assert_eq!(tiny.2, 0.4, "shaded by its work (a fifth: the step nearest 0.2)");
    assert_eq!((chart.rows[0].steals_marked, chart.rows[1].steals_marked), (0, 1));
    assert!(chart.rows[0].marks.is_empty() && chart.rows[1].marks.ends_with("h7l-3.5 7z"));
    assert_eq!(chart.ticks.first().unwrap(), &(left, "0".to_string()));
    assert_eq!(chart.ticks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(), ["0", "20", "40", "60", "80", "100"]);
    assert!(chart.label.starts_with("Timeline of the run, one row per worker, over 100 ms: worker 0 inside a chunk 40% of the time"));

    let z: Vec<u32> = zooms(&t).iter().map(|z| z.factor).collect();
    assert_eq!(z, [1, 10, 100]);
    assert_eq!(zooms(&t)[1].label, "its first 10 ms");
    let zoomed = TimelineChart::new(&t, 10);
    assert_eq!(zoomed.window, (0.0, 10.0));
    assert_eq!(zoomed.rows[0].rects[0].1, right - left, "the first bar fills the window");
    assert!(zoomed.rows[1].rects.len() == 1 && zoomed.label.contains("of which the first 10 ms are shown"));
    assert_eq!(zoomed.ticks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(), ["0", "2", "4", "6", "8", "10"]);
    let few = Timeline::new(vec![span(0, 0, 0.0, 50.0, None), span(0, 1, 50.0, 100.0, None)], 0.0, 100.0);
    assert_eq!(zooms(&few).len(), 1, "a zoom into less than a few chunks' time is not offered");
    assert_eq!(TimelineChart::new(&few, 100).ticks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
}
