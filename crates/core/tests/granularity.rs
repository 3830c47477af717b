//! The granularity explorer as the page runs it: the learner's setup, the sweep of task sizes
//! (each the best of a few timings on the pool, or the same items in slices without one), the
//! warm-up, and what the table and the chart show.

use std::sync::{Arc, Mutex};

use interleave_core::granularity::{
    estimate_overhead_per_task, measure_point, overhead_text, verdict, short_ms, size_label, sum_sequential, task_sizes, warm_up, GranularityPoint,
    GranularitySetup, PlainLoop, QueuedTasks, Sweep, TimeChart, MAX_TOTAL, TRIES,
};
use interleave_core::run::jobs::{spawn_task, Job, JobError, Progress, Sliced};
use interleave_core::run::threads::run_sequential;

#[path = "support/lab.rs"]
mod common;
use common::{pool, clock};

/// The point of `setup` at `task_size` as a page without workers measures it, slice by slice.
fn point_in_slices(setup: GranularitySetup, task_size: u64) -> Result<GranularityPoint, JobError> {
    fn sliced<J: Job>(job: J) -> Result<J::Output, JobError> {
        let mut sliced = Sliced::new(Arc::new(job), Progress::new(0));
        loop {
            if let Some(done) = sliced.run_until(|| true) {
                return done;
            }
        }
    }
    let now = clock();
    let start = now();
    let seq = sliced(PlainLoop(setup))?;
    let seq_ms = now() - start;
    let start = now();
    let par = sliced(QueuedTasks { setup, task_size })?;
    assert_eq!(seq, par);
    Ok(GranularityPoint::new(&setup, task_size, 1, seq_ms, now() - start))
}

// The learner's fields: accepted with separators, refused out of range or above the total.
#[test]
fn setup_from_the_fields() {
    assert_eq!(GranularitySetup::parse("262,144", "8"), Ok(GranularitySetup { items: 262_144, spins_per_item: 8 }));
    assert_eq!(GranularitySetup::parse("262144", "0").unwrap_err(), "Hash steps per item must be from 1 to 10,000 (you asked for 0).");
    assert_eq!(GranularitySetup::parse("many", "8").unwrap_err(), "Items: “many” is not a whole number.");
    assert_eq!(GranularitySetup::parse("100", "8").unwrap_err(), "Items must be from 1,024 to 4,194,304 (you asked for 100).");
    assert_eq!(
        GranularitySetup::parse("4194304", "10000").unwrap_err(),
        "Items × hash steps must be at most 33,554,432 (you asked for 41,943,040,000): every task size runs the whole work six times, so more would take too long."
    );
    let default = GranularitySetup::default();
    assert_eq!(GranularitySetup::parse(&default.items.to_string(), &default.spins_per_item.to_string()), Ok(default));
    assert!(default.total_work() <= MAX_TOTAL && 2 * TRIES == 6);
}

// A real sweep as the page runs it on a pool: a point per size, in order, observed as they come,
// counted in the progress; the overhead estimate is finite and the verdict says to profile.
#[test]
fn sweep_on_the_pool() {
    let setup = GranularitySetup { items: 1 << 14, spins_per_item: 200 };
    let sweep = Sweep::new(setup, 2);
    assert_eq!(sweep.sizes, task_sizes(setup.items, 2));
    let pool = Arc::new(pool(2));
    let progress = Progress::new(sweep.sizes.len() as u64);
    let seen = Mutex::new(Vec::new());
    let measure = |size: u64| {
        let pool = pool.clone();
        async move { pool.install(|| spawn_task(move || measure_point(&setup, size, clock()))).await }
    };
    pool.install(|| warm_up(setup.spins_per_item, clock()));
    let points = futures_executor::block_on(sweep.run(&progress, measure, |ps| seen.lock().unwrap().push(ps.len()))).unwrap();
    assert_eq!(points.iter().map(|p| p.task_size).collect::<Vec<_>>(), sweep.sizes);
    assert_eq!(*seen.lock().unwrap(), (1..=sweep.sizes.len()).collect::<Vec<_>>());
    assert_eq!(progress.fraction(), 1.0);
    assert!(points.iter().all(|p| p.threads == 2 && p.seq_ms > 0.0 && p.par_ms > 0.0));
    assert_eq!(points[0].tasks, 1 << 14);
    let overhead = estimate_overhead_per_task(&points);
    assert!(overhead.is_finite() && overhead >= 0.0, "{overhead}");
    assert!(verdict(&points).contains("profile"), "{}", verdict(&points));
    assert!(overhead_text(&points).starts_with("Estimated overhead: "));
}

// Without a pool: the same sweep of the same items, one thread, the plain loop's checksum.
#[test]
fn sweep_on_one_thread() {
    let setup = GranularitySetup { items: 5_000, spins_per_item: 30 };
    let sweep = Sweep::new(setup, 1);
    assert_eq!(sweep.sizes, [1, 4, 16, 64, 256, 1_024, 4_096, 5_000]);
    let progress = Progress::new(sweep.sizes.len() as u64);
    let points = futures_executor::block_on(sweep.run(&progress, |size| async move { point_in_slices(setup, size) }, |_| {})).unwrap();
    assert_eq!(points.len(), 8);
    assert!(points.iter().all(|p| p.threads == 1 && p.tasks == setup.items.div_ceil(p.task_size)));
    for size in [1, 3, 4_096, 5_000, 9_000] {
        assert_eq!(run_sequential(&QueuedTasks { setup, task_size: size }), sum_sequential(&setup), "size {size}");
    }
    assert_eq!(run_sequential(&PlainLoop(setup)), sum_sequential(&setup));
}

// A cancel stops the sweep before its next point; a point that fails ends it with that error.
#[test]
fn sweep_stops() {
    let setup = GranularitySetup { items: 4_096, spins_per_item: 1 };
    let sweep = Sweep::new(setup, 1);
    let progress = Progress::new(sweep.sizes.len() as u64);
    let mut measured = 0;
    let result = futures_executor::block_on(sweep.run(
        &progress,
        |size| {
            measured += 1;
            if measured == 2 {
                progress.cancel();
            }
            async move { point_in_slices(setup, size) }
        },
        |_| {},
    ));
    assert_eq!((result, measured, progress.done()), (Err(JobError::Cancelled), 2, 2));
    let lost = futures_executor::block_on(Sweep::new(setup, 1).run(&Progress::new(7), |_| async { Err(JobError::Lost) }, |_| {}));
    assert_eq!(lost, Err(JobError::Lost));
}

// A measured point keeps the best of its tries, on the pool's threads.
#[test]
fn best_of_tries() {
    let setup = GranularitySetup { items: 2_048, spins_per_item: 20 };
    let point = pool(3).install(|| measure_point(&setup, 16, clock()));
    assert_eq!((point.task_size, point.tasks, point.threads), (16, 128, 3));
    assert!(point.seq_ms > 0.0 && point.par_ms > 0.0);
}

// The table's and the axis's words, and the chart's geometry: dots per point, the ms grid, labels.
#[test]
fn table_and_chart() {
    assert_eq!((short_ms(0.5), short_ms(4.25), short_ms(12.0), short_ms(1500.0)), ("0.50 ms".into(), "4.2 ms".into(), "12 ms".into(), "1.50 s".into()));
    assert_eq!((size_label(1), size_label(1_024), size_label(65_536), size_label(1 << 20), size_label(1_500)), ("1".into(), "1K".into(), "64K".into(), "1M".into(), "1,500".into()));
    let sizes = [1, 4, 16, 64, 256, 1_024, 4_096, 16_384, 65_536];
    let points: Vec<GranularityPoint> = sizes
        .iter()
        .map(|&s| GranularityPoint::new(&GranularitySetup::default(), s, 2, 10.0, if s < 16 { 30.0 } else { 6.0 }))
        .collect();
    let chart = TimeChart::new(&points, &sizes);
    assert_eq!(chart.dots.len(), 9);
    assert_eq!(chart.dots.iter().filter(|d| d.3).count(), 2);
    assert_eq!(chart.grid.iter().map(|g| g.1.as_str()).collect::<Vec<_>>(), ["1", "10", "100"]);
    assert_eq!(chart.ticks.first().unwrap().1, "1");
    assert_eq!(chart.ticks.last().unwrap(), &(TimeChart::RIGHT, "64K".to_string(), "end"));
    assert!(chart.ticks.windows(2).all(|w| w[1].0 - w[0].0 >= 64.0));
    assert_eq!(chart.seq_line.split(' ').count(), 9);
    assert!(chart.label.starts_with("Chart of time against task size, both on logarithmic scales: 1 items per task: parallel 30 ms vs sequential 10 ms;"));
    assert_eq!(TimeChart::new(&[], &[]).grid.iter().map(|g| g.1.as_str()).collect::<Vec<_>>(), ["1", "10"]);
    assert_eq!(overhead_text(&[]), "Estimated overhead: too small to measure here.");
}
