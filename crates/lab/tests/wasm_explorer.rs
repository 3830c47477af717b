//! In a real browser, the explorer as its widget runs it (`interleave_lab::explore_all`): random
//! programs of 1 to 16 threads, from fixed seeds, step and explore to the end without a trap, on
//! the pool and in slices alike; eight threads of `x = x + 1` are counted exactly; a program too
//! wide for the tab's memory is refused at the memory budget, and the module goes on working;
//! a 17th thread is refused by the parser at its line.
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use interleave_core::explorer::{
    parse, Exploration, ExploreError, Limits, Machine, Program, Report, MAX_THREADS, MEMORY_BUDGET,
};
use interleave_core::run::jobs::Progress;
use interleave_lab::{explore_all, pool, Explored};
use num_bigint::BigUint;
use wasm_bindgen_test::*;

#[path = "../../core/tests/support/random_programs.rs"]
mod random_programs;
use random_programs::{random_program, walk};

wasm_bindgen_test_configure!(run_in_browser);

/// An exploration's result.
type Explores<T> = Result<T, ExploreError>;

/// `program` explored as the widget explores it on the pool, and again in slices on this thread.
async fn both_ways(program: &Program, limits: Limits) -> (Explores<Explored>, Explores<Report>) {
    let on_pool = explore_all(program.clone(), limits, Progress::new(limits.max_states as u64)).await;
    let mut exploration = Exploration::new(program, &limits, true);
    let in_slices = pool::in_slices(|should_yield| exploration.run_until(should_yield)).await;
    (on_pool, in_slices)
}

// Random programs up to every cap end, on the pool and in slices, with the same report or refusal.
#[wasm_bindgen_test]
async fn random_programs_end() {
    assert!(matches!(pool::start().await, pool::PoolState::Ready { .. }), "the test server sends COOP/COEP");
    let limits = Limits { max_states: 1_000 };
    let mut threads = Vec::new();
    for seed in 0..40 {
        let src = random_program(seed);
        let p = parse(&src).unwrap_or_else(|e| panic!("{e}\n{src}"));
        walk(&p, seed);
        threads.push(Machine::new(&p).thread_names().len());
        let (on_pool, in_slices) = both_ways(&p, limits).await;
        assert_eq!(on_pool.map(|e| e.report), in_slices, "{src}");
    }
    assert!(threads.iter().any(|&n| n <= 2) && threads.contains(&MAX_THREADS), "{threads:?}");
}

// Eight threads of one unlocked increment: 16! / 2^8 schedules, in both ways, and the JSON says so.
#[wasm_bindgen_test]
async fn eight_threads_are_counted_exactly() {
    let _ = pool::start().await;
    let threads: String = (0..8).map(|i| format!("thread T{i} {{\n  x = x + 1\n}}\n")).collect();
    let p = parse(&format!("shared x = 0\n{threads}")).unwrap();
    let (on_pool, in_slices) = both_ways(&p, Limits::PAGE).await;
    let (on_pool, in_slices) = (on_pool.unwrap(), in_slices.unwrap());
    let expected = (1..=16u64).map(BigUint::from).product::<BigUint>() / BigUint::from(256u32);
    assert_eq!(on_pool.report.schedules, expected);
    assert_eq!(on_pool.report, in_slices);
    assert!(on_pool.json.starts_with("{\"schedules\":81729648000,"), "{}", &on_pool.json[..60]);
    // Timed on the worker, to a tenth of a millisecond; no second run under `sc`.
    assert!(on_pool.ms >= 0.0 && on_pool.sc_ms.is_none(), "{:?}", (on_pool.ms, on_pool.sc_ms));
    assert!(on_pool.json.ends_with(&format!(",\"explore_ms\":{},\"sc_explore_ms\":null}}", serde_json::to_string(&((on_pool.ms * 10.0).round() / 10.0)).unwrap())), "{}", on_pool.json);
}

// A program whose states are two thousand words wide reaches the tab's memory budget within
// the state limit: the pool stops it with the memory refusal instead of running out of memory,
// and the next exploration runs as usual.
#[wasm_bindgen_test]
async fn the_memory_budget_holds() {
    let _ = pool::start().await;
    let sum = |from: usize| (from..from + 120).map(|i| format!("r{i}")).collect::<Vec<_>>().join(" + ");
    let sums: String = (0..16).map(|k| format!("  s{k} = {}\n", sum(k * 120))).collect();
    let p = parse(&format!("thread A {{\n{sums}  while 1 {{ n = n + 1 }}\n}}")).unwrap();
    let progress = Progress::new(Limits::PAGE.max_states as u64);
    let stopped = explore_all(p, Limits::PAGE, Arc::clone(&progress)).await;
    let Err(ExploreError::MemoryLimit { states, budget }) = stopped else { panic!("{stopped:?}") };
    assert_eq!(budget, MEMORY_BUDGET);
    assert!(states > 10_000 && (states as u64) < progress.total(), "{states} states of 15 KB");
    let lost_update = parse(interleave_core::explorer::programs::builtin("lost-update").unwrap()).unwrap();
    let after = explore_all(lost_update, Limits::PAGE, Progress::new(1_000)).await.unwrap();
    assert_eq!(after.report.schedules, BigUint::from(6u8));
}

// The parser refuses a 17th thread at its line, before anything runs.
#[wasm_bindgen_test]
fn seventeen_threads_are_refused() {
    let threads: String = (0..17).map(|i| format!("thread T{i} {{\n  x = x + 1\n}}\n")).collect();
    let e = parse(&format!("shared x = 0\n{threads}")).unwrap_err();
    assert_eq!((e.line, e.column), (1 + 16 * 3 + 1, 1));
    assert_eq!(e.message, "too many threads: a program may have at most 16");
}
