//! The explorer's Part 2 (memory models, condition variables, barriers) checked against a
//! reference interpreter that lists every schedule one by one (`support/reference.rs`, which
//! shares no code with the engine): random programs in every exploring mode, the spec's worked
//! checks, and cases counted by hand. The reference itself is checked against the engine on
//! Part 1 programs, and against the same hand counts.

use std::collections::BTreeMap;

use interleave_core::explorer::{explore, parse, ExploreControl, Limits, Report};
use proptest::prelude::*;

#[path = "support/random_part2.rs"]
mod random_part2;
#[path = "support/reference.rs"]
mod reference;

use random_part2::random_program;
use reference::{enumerate, Brute};

/// Past this many schedules a random program is skipped (the generator rarely gets there).
const BRUTE_CAP: u64 = 20_000;

/// Random programs per property. A failing case's panic shows its program; the seed that made
/// it is not kept in a file (nor shrunk: a smaller seed is just another program).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, max_shrink_iters: 0, ..ProptestConfig::default() }
}

/// The engine's report on `source`, in the mode of `control`.
fn engine(source: &str, control: ExploreControl<'_>) -> Report {
    let p = parse(source).unwrap_or_else(|e| panic!("the engine does not accept this program: {e}\n{source}"));
    explore(&p, &Limits::default(), &control).unwrap_or_else(|e| panic!("{e:?}\n{source}"))
}

/// The engine's figures, in the reference's form.
fn figures(report: &Report) -> Brute {
    assert!(!report.unbounded, "the engine finds a cycle");
    let n = |b: &num_bigint::BigUint| u64::try_from(b).expect("a count that fits in 64 bits");
    Brute {
        schedules: n(&report.schedules),
        complete: n(&report.complete),
        bad: n(&report.bad),
        deadlock: n(&report.deadlock),
        error: n(&report.error),
        outcomes: report.outcomes.iter().map(|o| (o.values.clone(), (n(&o.schedules), o.bad))).collect(),
    }
}

/// The four ways of exploring: sequential and parallel, symmetry reduction on and off.
fn controls() -> [(&'static str, ExploreControl<'static>); 4] {
    [
        ("sequential", ExploreControl::sequential()),
        ("sequential, no symmetry", ExploreControl::sequential().with_symmetry(false)),
        ("parallel", ExploreControl::parallel()),
        ("parallel, no symmetry", ExploreControl::parallel().with_symmetry(false)),
    ]
}

/// Asserts that the engine, in every mode, gives the figures the reference lists for `source`
/// (nothing when the reference gives up: too many schedules).
fn engine_agrees(source: &str) {
    let Some(brute) = enumerate(source, BRUTE_CAP) else { return };
    for (mode, control) in controls() {
        let report = engine(source, control);
        assert_eq!(figures(&report), brute, "{mode}, for\n{source}");
        assert_eq!(report.reachable.complete, brute.complete > 0, "{mode}, for\n{source}");
        assert_eq!(report.reachable.deadlock, brute.deadlock > 0, "{mode}, for\n{source}");
        assert_eq!(report.reachable.error, brute.error > 0, "{mode}, for\n{source}");
    }
}

fn brute(source: &str) -> Brute {
    enumerate(source, 1_000_000).unwrap_or_else(|| panic!("the reference gives up on\n{source}"))
}

/// The figures of a case counted by hand.
struct Hand {
    schedules: u64,
    complete: u64,
    bad: u64,
    deadlock: u64,
    error: u64,
    /// Each outcome (every shared variable's final value) and its schedules.
    outcomes: &'static [(&'static [(&'static str, i64)], u64)],
}

/// Asserts that `found` has exactly the figures of `hand` (outcomes by values and count).
fn assert_hand(found: &Brute, hand: &Hand, source: &str) {
    let figures = (found.schedules, found.complete, found.bad, found.deadlock, found.error);
    let expected = (hand.schedules, hand.complete, hand.bad, hand.deadlock, hand.error);
    assert_eq!(figures, expected, "(schedules, complete, bad, deadlock, error) for\n{source}");
    let outcomes: BTreeMap<BTreeMap<String, i64>, u64> =
        found.outcomes.iter().map(|(values, (n, _))| (values.clone(), *n)).collect();
    let expected: BTreeMap<BTreeMap<String, i64>, u64> = hand
        .outcomes
        .iter()
        .map(|(values, n)| (values.iter().map(|(name, v)| (name.to_string(), *v)).collect(), *n))
        .collect();
    assert_eq!(outcomes, expected, "outcomes for\n{source}");
}

/// A case counted by hand, as two tests: the reference's figures, and the engine's in every mode.
macro_rules! by_hand {
    ($name:ident, $source:expr, $hand:expr) => {
        mod $name {
            use super::*;

            #[test]
            fn reference() {
                assert_hand(&brute($source), &$hand, $source);
            }

            #[test]
            fn engine() {
                for (mode, control) in controls() {
                    let found = figures(&crate::engine($source, control));
                    assert_hand(&found, &$hand, &format!("({mode})\n{}", $source));
                }
            }
        }
    };
}

/// The reference against the engine as it is, on Part 1 programs (this is what vouches for the
/// reference's own reading of the spec), and against itself on Part 2 programs.
mod reference_itself {
    use super::*;

    // The spec's worked counts: lost update 6 schedules (x=1 in 4, bad; x=2 in 2), with a lock
    // 2 (both x=2), with `atomic` 2 (both x=2).
    #[test]
    fn worked_counts() {
        let bodies = [
            ("x = x + 1", 6, 4, &[(1, 4), (2, 2)][..]),
            ("lock m\nx = x + 1\nunlock m", 2, 0, &[(2, 2)][..]),
            ("atomic { x = x + 1 }", 2, 0, &[(2, 2)][..]),
        ];
        for (body, schedules, bad, outcomes) in bodies {
            let src = format!("shared x = 0\nlock m\nthread A {{\n{body}\n}}\nthread B {{\n{body}\n}}\ncheck x == 2\n");
            let b = brute(&src);
            assert_eq!((b.schedules, b.complete, b.bad), (schedules, schedules, bad), "{src}");
            for (x, n) in outcomes {
                assert_eq!(b.reaching(&[("x", *x)]), *n, "{src}");
            }
        }
    }

    /// The program of `source` under `memory` instead of its own memory line (if any).
    fn under(memory: &str, source: &str) -> String {
        let body = source.strip_prefix("memory sc\n").or_else(|| source.strip_prefix("memory tso\n"));
        format!("{memory}{}", body.unwrap_or(source))
    }

    proptest! {
        #![proptest_config(config(200))]

        // Random Part 1 programs: the reference lists what the engine counts, in every mode.
        #[test]
        fn agrees_with_the_engine_on_part1(seed in any::<u64>()) {
            engine_agrees(&random_program(seed, false));
        }
    }

    proptest! {
        #![proptest_config(config(100))]

        // On the reference alone, random Part 2 programs: `memory sc` is the same as no memory
        // line; and `tso` allows everything `sc` does (an sc schedule is a tso one that flushes
        // each write at once), so it has as many schedules at least, every sc outcome, and a
        // deadlock or an error whenever sc has one.
        #[test]
        fn tso_allows_what_sc_does(seed in any::<u64>()) {
            let src = random_program(seed, true);
            let (Some(sc), Some(tso)) = (enumerate(&under("memory sc\n", &src), BRUTE_CAP), enumerate(&under("memory tso\n", &src), BRUTE_CAP)) else {
                return Ok(());
            };
            prop_assert_eq!(&Some(sc.clone()), &enumerate(&under("", &src), BRUTE_CAP), "{}", src);
            prop_assert!(tso.schedules >= sc.schedules, "{}", src);
            for values in sc.outcomes.keys() {
                prop_assert!(tso.outcomes.contains_key(values), "{:?} under tso:\n{}", values, src);
            }
            prop_assert!(tso.deadlock > 0 || sc.deadlock == 0, "{}", src);
            prop_assert!(tso.error > 0 || sc.error == 0, "{}", src);
        }
    }
}

/// Random Part 2 programs: the engine counts what the reference lists, in every mode.
mod random {
    use super::*;

    proptest! {
        #![proptest_config(config(500))]

        #[test]
        fn part2_programs_agree_with_the_reference(seed in any::<u64>()) {
            engine_agrees(&random_program(seed, true));
        }
    }
}

/// Steps as the spec counts them, one statement at a time: thread A runs it, thread B takes one
/// step (`r = 0`), so there are k + 1 schedules when A's moves are k (all complete).
mod steps {
    use super::*;

    const DECLARATIONS: &str = "shared x = 0\nshared y = 0\nshared z = 0\nlock m\nsem s = 1\n";

    fn source(memory: &str, body: &str) -> String {
        format!("{memory}{DECLARATIONS}cond c\nbarrier b = 1\nthread A {{\n{body}\n}}\nthread B {{\nr = 0\n}}\n")
    }

    /// (statement, moves of thread A).
    const SC: [(&str, u64); 15] = [
        ("x = x + 1", 2),
        ("r = x", 1),
        ("x = r + 1", 1),
        ("y = x + z", 3),
        ("if x == y { }", 2),
        ("if r { }", 1),
        ("while i < 1 { i = i + 1 }", 3),
        ("atomic { x = x + 1 y = x }", 1),
        ("lock m", 1),
        ("wait s", 1),
        ("fence", 1),
        ("notify c", 1),
        ("notify_all c", 1),
        ("arrive b", 1),
        ("lock m\nwait c m", 2),
    ];

    /// Under `tso`, each shared write adds a flush move.
    const TSO: [(&str, u64); 6] = [
        ("x = 1", 2),
        ("x = x + 1", 3),
        ("r = x", 1),
        ("y = x + z", 4),
        ("x = 1\nfence", 3),
        ("atomic { x = x + 1 y = x }", 1),
    ];

    fn check(memory: &str, cases: &[(&str, u64)], run: impl Fn(&str) -> Brute) {
        for (body, moves) in cases {
            let src = source(memory, body);
            let b = run(&src);
            let ends = if body.contains("wait c m") { (moves + 1, 0, moves + 1) } else { (moves + 1, moves + 1, 0) };
            assert_eq!((b.schedules, b.complete, b.deadlock), ends, "{body}\n{src}");
        }
    }

    // Part 1 statements under no memory line: the reference and the engine as it is agree.
    #[test]
    fn part1_statements() {
        let part1 = &SC[..10];
        check("", part1, brute);
        check("", part1, |src: &str| {
            figures(&crate::engine(&src.replace("cond c\nbarrier b = 1\n", ""), ExploreControl::sequential()))
        });
    }

    #[test]
    fn reference() {
        check("", &SC, brute);
        check("memory sc\n", &SC, brute);
        check("memory tso\n", &TSO, brute);
    }

    #[test]
    fn engine() {
        let run = |src: &str| figures(&crate::engine(src, ExploreControl::sequential()));
        check("", &SC, run);
        check("memory sc\n", &SC, run);
        check("memory tso\n", &TSO, run);
    }
}

/// The spec's worked checks, on the engine and on the reference.
mod worked_checks {
    use super::*;

    fn store_buffering(memory: &str, fence: bool) -> String {
        let fence = if fence { "fence\n" } else { "" };
        format!(
            "{memory}shared x = 0\nshared y = 0\nshared a = 0\nshared b = 0\n\
             thread A {{\nx = 1\n{fence}r = y\na = r\n}}\n\
             thread B {{\ny = 1\n{fence}r = x\nb = r\n}}\n"
        )
    }

    /// Schedules ending with a = 0 and b = 0, by the reference and by the engine.
    fn both_zero(source: &str) -> (u64, u64) {
        let by_engine = figures(&engine(source, ExploreControl::sequential()));
        (brute(source).reaching(&[("a", 0), ("b", 0)]), by_engine.reaching(&[("a", 0), ("b", 0)]))
    }

    #[test]
    fn store_buffering_under_tso_reaches_both_zero() {
        let (reference, engine) = both_zero(&store_buffering("memory tso\n", false));
        assert!(reference > 0);
        assert_eq!(engine, reference);
    }

    #[test]
    fn store_buffering_under_sc_never_reaches_both_zero() {
        for memory in ["memory sc\n", ""] {
            // Three steps a thread, each in its own order: C(6, 3) = 20 schedules.
            let src = store_buffering(memory, false);
            assert_eq!(brute(&src).schedules, 20);
            assert_eq!(both_zero(&src), (0, 0));
        }
    }

    #[test]
    fn store_buffering_with_fences_never_reaches_both_zero() {
        let (reference, engine) = both_zero(&store_buffering("memory tso\n", true));
        assert_eq!((reference, engine), (0, 0));
    }

    #[test]
    fn store_buffering_agrees_in_every_mode() {
        for memory in ["", "memory sc\n", "memory tso\n"] {
            for fence in [false, true] {
                engine_agrees(&store_buffering(memory, fence));
            }
        }
    }

    const LOST_UPDATE: &str = "shared x = 0\nthread A {\nx = x + 1\n}\nthread B {\nx = x + 1\n}\ncheck x == 2\n";

    #[test]
    fn lost_update_is_the_same_under_memory_sc() {
        let sc = format!("memory sc\n{LOST_UPDATE}");
        assert_eq!(brute(&sc), brute(LOST_UPDATE));
        let plain = engine(LOST_UPDATE, ExploreControl::sequential());
        let under_sc = engine(&sc, ExploreControl::sequential());
        assert_eq!(figures(&under_sc), figures(&plain));
        assert_eq!(figures(&plain), brute(LOST_UPDATE));
    }

    // Message passing: under `tso` too, stores reach memory in their order, so reading y = 1
    // and then x = 0 never happens (a = 1, b = 0): TSO only lets a read pass an earlier write.
    #[test]
    fn tso_keeps_the_order_of_stores() {
        for memory in ["memory sc\n", "memory tso\n"] {
            let src = format!(
                "{memory}shared x = 0\nshared y = 0\nshared a = 0\nshared b = 0\n\
                 thread A {{\nx = 1\ny = 1\n}}\nthread B {{\nr = y\nq = x\na = r\nb = q\n}}\n"
            );
            let seen: Vec<(i64, i64)> = brute(&src).outcomes.keys().map(|v| (v["a"], v["b"])).collect();
            assert_eq!(seen, vec![(0, 0), (0, 1), (1, 1)], "{src}");
            engine_agrees(&src);
        }
    }
}

/// Cases counted by hand (how, in each comment), for the reference and for the engine.
mod by_hand {
    use super::*;

    by_hand!(
        // Under tso each thread's moves are read, write (to its buffer), flush, in that order,
        // and always enabled: C(6, 3) = 20 schedules. A thread reads 1 only when the other's
        // three moves all came before its read, so x = 2 only in AAABBB and BBBAAA.
        tso_lost_update,
        "memory tso\nshared x = 0\nthread A {\nx = x + 1\n}\nthread B {\nx = x + 1\n}\ncheck x == 2\n",
        Hand {
            schedules: 20,
            complete: 20,
            bad: 18,
            deadlock: 0,
            error: 0,
            outcomes: &[(&[("x", 1)], 18), (&[("x", 2)], 2)]
        }
    );

    by_hand!(
        // Under tso, `unlock` waits for an empty buffer, so each critical section is lock,
        // read, write, flush, unlock, and the other thread's lock comes after: 2 schedules.
        tso_locks_still_serialize,
        "memory tso\nshared x = 0\nlock m\nthread A {\nlock m\nx = x + 1\nunlock m\n}\n\
         thread B {\nlock m\nx = x + 1\nunlock m\n}\ncheck x == 2\n",
        Hand { schedules: 2, complete: 2, bad: 0, deadlock: 0, error: 0, outcomes: &[(&[("x", 2)], 2)] }
    );

    by_hand!(
        // One thread, nine writes: its moves are 9 writes and 9 flushes, no flush before its
        // write, i.e. the Dyck paths of length 18 (Catalan(9) = 4862), less the one that would
        // hold 9 entries (all writes first): the buffer holds at most 8. 4861.
        tso_buffer_holds_eight,
        "memory tso\nshared x = 0\nthread A {\nx = 1\nx = 2\nx = 3\nx = 4\nx = 5\nx = 6\nx = 7\nx = 8\nx = 9\n}\n",
        Hand { schedules: 4861, complete: 4861, bad: 0, deadlock: 0, error: 0, outcomes: &[(&[("x", 9)], 4861)] }
    );

    by_hand!(
        // Under tso, A's moves are write, flush, arrive (arrive waits for the empty buffer);
        // B's arrive goes before any of them or after any: 4 ways; then B's read (x = 1 in
        // memory), write, flush. 4 schedules, all y = 1.
        tso_arrive_waits_for_the_buffer,
        "memory tso\nshared x = 0\nshared y = 0\nbarrier b = 2\nthread A {\nx = 1\narrive b\n}\n\
         thread B {\narrive b\nr = x\ny = r\n}\n",
        Hand { schedules: 4, complete: 4, bad: 0, deadlock: 0, error: 0, outcomes: &[(&[("x", 1), ("y", 1)], 4)] }
    );

    by_hand!(
        // `atomic` waits for the empty buffer too: write, flush, then the block reads 1 from
        // memory and writes 2 there. 1 schedule (were the block to run before the flush, it
        // would read 0, and the flush would then leave x = 1).
        tso_atomic_waits_for_the_buffer,
        "memory tso\nshared x = 0\nthread A {\nx = 1\natomic {\nx = x + 1\n}\n}\n",
        Hand { schedules: 1, complete: 1, bad: 0, deadlock: 0, error: 0, outcomes: &[(&[("x", 2)], 1)] }
    );

    by_hand!(
        // B's notify before A's wait (first, or between A's lock and wait) is lost and A waits
        // for ever: 2 deadlocks. After A's wait it wakes A, which takes m again, unlocks and
        // sets done: 1 complete. 3 schedules.
        lost_notification_deadlocks,
        "shared done = 0\nlock m\ncond c\nthread A {\nlock m\nwait c m\nunlock m\ndone = 1\n}\n\
         thread B {\nnotify c\n}\n",
        Hand { schedules: 3, complete: 1, bad: 0, deadlock: 2, error: 0, outcomes: &[(&[("done", 1)], 1)] }
    );

    // Two identical waiters A and B (each: lock m, signal s, wait c m, unlock m) and a notifier
    // C (wait s, wait s, lock m, then its notifications, unlock m). A and B hold m from their
    // lock to their wait, so their three steps run in one block each: 2 orders. C's first
    // `wait s` comes after the first block's signal, its second after the second's: 9 ways to
    // place them (first in one of gaps 2..6 after the 6 steps, second in gap 5 or 6 and not
    // before the first). C's lock then needs both waiting: 18 prefixes, and from there only C
    // runs until it unlocks.
    const WAITERS: &str = "lock m\ncond c\nsem s = 0\n\
        thread A {\nlock m\nsignal s\nwait c m\nunlock m\n}\n\
        thread B {\nlock m\nsignal s\nwait c m\nunlock m\n}\n";

    by_hand!(
        // One `notify`: 2 choices of waiter; the woken one takes m and unlocks, the other
        // waits for ever. 18 × 2 = 36 deadlocks.
        notify_wakes_one_of_two,
        &format!("{WAITERS}thread C {{\nwait s\nwait s\nlock m\nnotify c\nunlock m\n}}\n"),
        Hand { schedules: 36, complete: 0, bad: 0, deadlock: 36, error: 0, outcomes: &[] }
    );

    by_hand!(
        // Two `notify`s: 2 choices, then 1; after C's unlock both woken threads take m in
        // turn, in 2 orders. 18 × 2 × 1 × 2 = 72, twice `notify_all`'s count below.
        two_notifies_choose_the_order,
        &format!("{WAITERS}thread C {{\nwait s\nwait s\nlock m\nnotify c\nnotify c\nunlock m\n}}\n"),
        Hand { schedules: 72, complete: 72, bad: 0, deadlock: 0, error: 0, outcomes: &[(&[], 72)] }
    );

    by_hand!(
        // `notify_all` wakes both in one move; they take m in turn: 18 × 2 = 36.
        notify_all_wakes_both,
        &format!("{WAITERS}thread C {{\nwait s\nwait s\nlock m\nnotify_all c\nunlock m\n}}\n"),
        Hand { schedules: 36, complete: 36, bad: 0, deadlock: 0, error: 0, outcomes: &[(&[], 36)] }
    );

    by_hand!(
        // A's wait fails whenever it runs, and the schedule ends there: before B's step or
        // after it, 2 schedules, both errors.
        wait_without_the_lock_is_an_error,
        "shared x = 0\nlock m\ncond c\nthread A {\nwait c m\n}\nthread B {\nx = 1\n}\n",
        Hand { schedules: 2, complete: 0, bad: 0, deadlock: 0, error: 2, outcomes: &[] }
    );

    by_hand!(
        // B waits on c with m free or held by A: an error either way, before, between or after
        // A's two steps. 3 errors.
        wait_with_the_lock_held_by_another_is_an_error,
        "lock m\ncond c\nthread A {\nlock m\nunlock m\n}\nthread B {\nwait c m\n}\n",
        Hand { schedules: 3, complete: 0, bad: 0, deadlock: 0, error: 3, outcomes: &[] }
    );

    by_hand!(
        // Before the barrier each thread writes and arrives (C(4, 2) = 6 orders); the second
        // arrival releases both, and then each reads and writes (6 orders): 36 schedules, and
        // each thread reads the other's write.
        barrier_releases_on_the_last_arrival,
        "shared x = 0\nshared y = 0\nshared a = 0\nshared d = 0\nbarrier b = 2\n\
         thread A {\nx = 1\narrive b\nr = y\na = r\n}\nthread B {\ny = 1\narrive b\nr = x\nd = r\n}\n\
         check a == 1 && d == 1\n",
        Hand {
            schedules: 36,
            complete: 36,
            bad: 0,
            deadlock: 0,
            error: 0,
            outcomes: &[(&[("x", 1), ("y", 1), ("a", 1), ("d", 1)], 36)],
        }
    );

    by_hand!(
        // Two rounds of a barrier for 2: each round's two arrivals in either order: 2 × 2 = 4.
        barrier_starts_a_new_round,
        "barrier b = 2\nthread A {\narrive b\narrive b\n}\nthread B {\narrive b\narrive b\n}\n",
        Hand { schedules: 4, complete: 4, bad: 0, deadlock: 0, error: 0, outcomes: &[(&[], 4)] }
    );

    by_hand!(
        // Three threads at a barrier for 2: the first two arrivals release each other, the third
        // starts a round alone and waits for ever. 3! = 6 orders, all deadlocks.
        third_arrival_waits_for_a_new_round,
        "barrier b = 2\nthread A {\narrive b\n}\nthread B {\narrive b\n}\nthread C {\narrive b\n}\n",
        Hand { schedules: 6, complete: 0, bad: 0, deadlock: 6, error: 0, outcomes: &[] }
    );

    by_hand!(
        // A barrier for 3 with two threads never releases: A's write and arrival with B's
        // arrival before, between or after: 3 deadlocks.
        barrier_for_three_with_two_threads_deadlocks,
        "shared x = 0\nbarrier b = 3\nthread A {\nx = 1\narrive b\n}\nthread B {\narrive b\n}\n",
        Hand { schedules: 3, complete: 0, bad: 0, deadlock: 3, error: 0, outcomes: &[] }
    );

    by_hand!(
        // A barrier for 1 releases each arrival at once: two steps a thread, C(4, 2) = 6.
        barrier_for_one_never_blocks,
        "shared x = 0\nshared y = 0\nbarrier b = 1\nthread A {\narrive b\nx = 1\n}\nthread B {\narrive b\ny = 1\n}\n",
        Hand { schedules: 6, complete: 6, bad: 0, deadlock: 0, error: 0, outcomes: &[(&[("x", 1), ("y", 1)], 6)] }
    );
}
