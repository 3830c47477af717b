//! Benchmark: four threads each running `x = x + 1` four times, explored exactly (native).
//! Run with `cargo bench --bench explorer`; prints figures, asserts nothing about time.

use std::time::Instant;

use interleave_core::explorer::{explore, parse, ExploreControl, Limits};

/// The benchmark program: four threads, four unlocked increments each.
fn program_source() -> String {
    let body = "  x = x + 1\n".repeat(4);
    let threads: String = ["A", "B", "C", "D"].iter().map(|t| format!("thread {t} {{\n{body}}}\n")).collect();
    format!("shared x = 0\n{threads}")
}

fn main() {
    let program = parse(&program_source()).expect("the benchmark program parses");
    for (name, control) in [("sequential", ExploreControl::sequential()), ("parallel (rayon)", ExploreControl::parallel())] {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..5 {
            let start = Instant::now();
            let report = explore(&program, &Limits::default(), &control).expect("explores within the default limit");
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            last = Some(report);
        }
        times.sort_by(f64::total_cmp);
        let report = last.unwrap();
        println!(
            "explorer native {name}: {} schedules, {} outcomes, {} states, median {:.1} ms (min {:.1} ms)",
            report.schedules,
            report.outcomes.len(),
            report.states,
            times[2],
            times[0]
        );
    }
}
