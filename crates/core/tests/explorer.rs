//! The interleaving explorer: the spec's worked counts, every built-in program, path counting
//! against a brute-force enumerator, parser errors and fuzzing, shortest schedules, limits and
//! the benchmark program; and what the explorer's page calls: the learner's schedule with undo
//! and redo, the texts of a state, the state limit, and runs with progress and cancel.

use std::collections::BTreeMap;

use interleave_core::explorer::programs::{builtin, is_proved, is_solved, Goal, BUILTINS, CHALLENGES};
use interleave_core::explorer::{
    explore, parse, shortest_schedule, values_text, EndNote, Exploration, ExploreControl, ExploreError, Limits,
    Machine, Move, Program, Reachable, Report, Scheduler, State, Status, Target, ThreadId, ThreadState,
};
use interleave_core::run::jobs::Progress;
use num_bigint::BigUint;
use proptest::prelude::*;

#[path = "support/random_programs.rs"]
mod random_programs;

fn program(source: &str) -> Program {
    parse(source).unwrap_or_else(|e| panic!("{e}\n{source}"))
}

fn run(source: &str) -> Report {
    explore(&program(source), &Limits::default(), &ExploreControl::sequential()).unwrap()
}

fn big(n: u64) -> BigUint {
    BigUint::from(n)
}

fn values(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(n, v)| (n.to_string(), *v)).collect()
}

/// Schedules of the outcome whose values include `pairs` (summed over matching outcomes).
fn outcome_count(report: &Report, pairs: &[(&str, i64)]) -> BigUint {
    report
        .outcomes
        .iter()
        .filter(|o| pairs.iter().all(|(n, v)| o.values.get(*n) == Some(v)))
        .map(|o| o.schedules.clone())
        .sum()
}

/// Every schedule of a loop-free program, listed one by one, and the figures they add up to.
#[derive(Debug, Default)]
struct Brute {
    schedules: u64,
    complete: u64,
    bad: u64,
    deadlock: u64,
    error: u64,
    outcomes: BTreeMap<Vec<(String, i64)>, (u64, bool)>,
    /// Shortest schedule length reaching each kind of ending ("deadlock", "error", "bad") or outcome.
    shortest: BTreeMap<String, usize>,
}

fn outcome_key(values: &BTreeMap<String, i64>) -> String {
    format!("{values:?}")
}

impl Brute {
    /// Enumerates schedules depth-first; `None` when there are more than `cap`.
    fn enumerate(machine: &Machine, cap: u64) -> Option<Brute> {
        let mut b = Brute::default();
        let mut path = Vec::new();
        b.walk(machine, &machine.initial(), &mut path, cap).then_some(b)
    }

    fn walk(&mut self, m: &Machine, s: &State, path: &mut Vec<Move>, cap: u64) -> bool {
        let enabled = m.moves(s);
        if enabled.is_empty() {
            self.schedules += 1;
            let mut keys = Vec::new();
            match m.status(s) {
                Status::Complete { bad } => {
                    self.complete += 1;
                    let vals = m.shared_values(s);
                    let e = self.outcomes.entry(vals.clone().into_iter().collect()).or_insert((0, bad));
                    e.0 += 1;
                    keys.push(outcome_key(&vals));
                    if bad {
                        self.bad += 1;
                        keys.push("bad".into());
                    }
                }
                Status::Deadlock => {
                    self.deadlock += 1;
                    keys.push("deadlock".into());
                }
                Status::Error { .. } => {
                    self.error += 1;
                    keys.push("error".into());
                }
                Status::Running => panic!("no thread enabled but still running"),
            }
            for k in keys {
                let e = self.shortest.entry(k).or_insert(usize::MAX);
                *e = (*e).min(path.len());
            }
            return self.schedules <= cap;
        }
        for t in enabled {
            path.push(t);
            let ok = self.walk(m, &m.apply(s, t), path, cap);
            path.pop();
            if !ok {
                return false;
            }
        }
        true
    }

    /// Asserts that `report` (from path counting) agrees with this enumeration in every figure.
    fn assert_agrees(&self, report: &Report) {
        assert!(!report.unbounded);
        assert_eq!(report.schedules, big(self.schedules), "schedules");
        assert_eq!(report.complete, big(self.complete), "complete");
        assert_eq!(report.bad, big(self.bad), "bad");
        assert_eq!(report.deadlock, big(self.deadlock), "deadlock");
        assert_eq!(report.error, big(self.error), "error");
        let counted: BTreeMap<Vec<(String, i64)>, (u64, bool)> = report
            .outcomes
            .iter()
            .map(|o| {
                let n = u64::try_from(&o.schedules).unwrap();
                (o.values.clone().into_iter().collect(), (n, o.bad))
            })
            .collect();
        assert_eq!(counted, self.outcomes, "outcomes");
        assert_eq!(report.reachable.deadlock, self.deadlock > 0);
        assert_eq!(report.reachable.error, self.error > 0);
        assert_eq!(report.reachable.bad, self.bad > 0);
    }
}

/// Each thread's step, in turn.
fn steps(threads: &[ThreadId]) -> Vec<Move> {
    threads.iter().map(|&t| Move::step(t)).collect()
}

/// Replays `schedule` from the initial state, checking each choice is enabled.
fn replay(machine: &Machine, schedule: &[Move]) -> State {
    let mut s = machine.initial();
    for &t in schedule {
        assert!(machine.moves(&s).contains(&t), "move {t:?} is not enabled");
        s = machine.apply(&s, t);
    }
    s
}

/// Checks `shortest_schedule` against the brute force for every ending and outcome of `p`.
fn assert_shortest_agrees(p: &Program, brute: &Brute) {
    let m = Machine::new(p);
    let mut targets: Vec<(String, Target)> = vec![
        ("deadlock".into(), Target::Deadlock),
        ("error".into(), Target::Error),
        ("bad".into(), Target::Bad),
    ];
    for key in brute.outcomes.keys() {
        let vals: BTreeMap<String, i64> = key.iter().cloned().collect();
        targets.push((outcome_key(&vals), Target::Outcome(vals)));
    }
    for (key, target) in targets {
        let found = shortest_schedule(p, &target, &Limits::default());
        match brute.shortest.get(&key) {
            None => assert_eq!(found, None, "{key} is unreachable"),
            Some(&len) => {
                let schedule = found.unwrap_or_else(|| panic!("{key} is reachable"));
                assert_eq!(schedule.len(), len, "shortest schedule to {key}");
                let end = replay(&m, &schedule);
                assert!(m.moves(&end).is_empty());
                let ok = match (&target, m.status(&end)) {
                    (Target::Deadlock, Status::Deadlock) | (Target::Error, Status::Error { .. }) => true,
                    (Target::Bad, Status::Complete { bad }) => bad,
                    (Target::Outcome(v), Status::Complete { .. }) => m.shared_values(&end) == *v,
                    _ => false,
                };
                assert!(ok, "replaying the schedule to {key} ends elsewhere");
            }
        }
    }
}

fn parallel(p: &Program) -> Report {
    explore(p, &Limits::default(), &ExploreControl::parallel()).unwrap()
}

mod spec {
    use super::*;

    // The spec's example: 6 schedules, all complete; x=1 in 4 (bad), x=2 in 2.
    #[test]
    fn lost_update_counts() {
        let r = run(builtin("lost-update").unwrap());
        assert_eq!((r.schedules.clone(), r.complete.clone(), r.bad.clone()), (big(6), big(6), big(4)));
        assert_eq!((r.deadlock.clone(), r.error.clone()), (big(0), big(0)));
        assert_eq!(r.outcomes.len(), 2);
        assert_eq!(
            (r.outcomes[0].values["x"], r.outcomes[0].schedules.clone(), r.outcomes[0].bad),
            (1, big(4), true)
        );
        assert_eq!(
            (r.outcomes[1].values["x"], r.outcomes[1].schedules.clone(), r.outcomes[1].bad),
            (2, big(2), false)
        );
        assert!(!r.unbounded);
    }

    // With a lock: 2 schedules (A's four steps then B's, or the reverse), both x=2.
    #[test]
    fn lock_counts() {
        let r = run(builtin("lost-update-lock").unwrap());
        assert_eq!((r.schedules.clone(), r.complete.clone(), r.bad.clone()), (big(2), big(2), big(0)));
        assert_eq!(r.outcomes.len(), 1);
        assert_eq!((r.outcomes[0].values["x"], r.outcomes[0].schedules.clone()), (2, big(2)));
    }

    // With atomic: 2 schedules, both x=2.
    #[test]
    fn atomic_counts() {
        let r = run(builtin("lost-update-atomic").unwrap());
        assert_eq!((r.schedules.clone(), r.complete.clone(), r.bad.clone()), (big(2), big(2), big(0)));
        assert_eq!(outcome_count(&r, &[("x", 2)]), big(2));
    }

    // Each statement takes exactly the steps the spec gives it (one thread: the schedule length).
    #[test]
    fn step_counts() {
        let cases = [
            ("x = x + 1", 2),
            ("r = x", 1),
            ("x = r + 1", 1),
            ("r = 5", 1),
            ("y = x + z", 3),
            ("r = x + y + z", 3),
            ("if x > 0 && y > 0 { }", 2),
            ("if 1 { }", 1),
            ("if x == 0 { r = 1 } else { r = 2 }", 2),
            ("if x == 1 { r = 1 } else { r = 2 r = 3 }", 3),
            ("while i < 3 { i = i + 1 }", 7),
            ("atomic { x = x + 1 y = x + z }", 1),
            ("lock m unlock m", 2),
            ("wait s signal s", 2),
        ];
        for (body, steps) in cases {
            let src =
                format!("shared x = 0\nshared y = 0\nshared z = 0\nlock m\nsem s = 1\nthread A {{ {body} }}");
            let p = program(&src);
            let s = shortest_schedule(&p, &Target::Complete, &Limits::default()).unwrap();
            assert_eq!(s.len(), steps, "{body}");
            assert_eq!(run(&src).schedules, big(1), "{body}");
        }
    }
}

mod builtins {
    use super::*;

    // Every built-in program parses and explores without hitting the default limits.
    #[test]
    fn all_parse_and_explore() {
        for (id, _, src) in BUILTINS {
            let p = parse(src).unwrap_or_else(|e| panic!("{id}: {e}"));
            let r = explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap();
            // (The barrier's deadlock is its point: no schedule of it completes.)
            assert_eq!(r.reachable.complete, *id != "barrier-deadlock", "{id}");
            assert_eq!(r, parallel(&p), "{id}: parallel differs");
        }
    }

    // Titles are plain text, for the menu they are picked from (an option cannot show code, so
    // no backticks); challenge texts may mark code with them, since the page draws those as code.
    #[test]
    fn titles_are_plain_text() {
        for (id, title, _) in BUILTINS {
            assert!(!title.contains('`') && !title.is_empty(), "{id}: {title}");
        }
        for c in CHALLENGES {
            for text in [c.task, c.hint, c.teaches] {
                assert_eq!(text.matches('`').count() % 2, 0, "{}: unpaired backtick in {text}", c.id);
            }
        }
    }

    // Every loop-free built-in agrees with the brute-force enumerator, shortest schedules included.
    #[test]
    fn agree_with_brute_force() {
        for (id, _, src) in BUILTINS.iter().filter(|(_, _, src)| !run(src).unbounded) {
            let p = program(src);
            let brute = Brute::enumerate(&Machine::new(&p), 1_000_000).unwrap();
            brute.assert_agrees(&run(src));
            assert_shortest_agrees(&p, &brute);
            let _ = id;
        }
    }

    // Symmetry reduction (threads with identical code) changes the number of states, never a count.
    #[test]
    fn symmetry_changes_states_only() {
        for (id, _, src) in BUILTINS {
            let p = program(src);
            let on = explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap();
            let off =
                explore(&p, &Limits::default(), &ExploreControl::sequential().with_symmetry(false)).unwrap();
            assert!(on.states <= off.states, "{id}");
            assert_eq!(Report { states: off.states, ..on }, off, "{id}");
        }
        let on = run(builtin("semaphore").unwrap());
        let off = explore(
            &program(builtin("semaphore").unwrap()),
            &Limits::default(),
            &ExploreControl::sequential().with_symmetry(false),
        )
        .unwrap();
        assert!(on.states < off.states);
    }

    // Local counting: 3 steps per thread, no shared write in common: C(6,3) = 20 schedules, all a=b=2.
    #[test]
    fn local_counting() {
        let r = run(builtin("local-counting").unwrap());
        assert_eq!((r.schedules.clone(), r.bad.clone()), (big(20), big(0)));
        assert_eq!(r.outcomes.len(), 1);
        assert_eq!(outcome_count(&r, &[("a", 2), ("b", 2)]), big(20));
    }

    // Check-then-act. Each thread: test (1 step), then if it passes, read and write (2 steps).
    // If one thread's test comes after the other's write, it sees 20 and stops: 2 schedules
    // (ABC then the other's test), balance 20. Otherwise both withdraw: the C(6,3) = 20
    // interleavings of two 3-step threads minus the 2 run back to back = 18. The last writer
    // read after the first write in 3 per side (its read and write after the first write; the
    // first writer's test and read and its own test before: 3 orders) = 6, ending at -60 (bad);
    // in the other 6 per side = 12 it read 100 and writes 20. Total 20: 14 at 20, 6 at -60.
    #[test]
    fn check_then_act() {
        let r = run(builtin("check-then-act").unwrap());
        assert_eq!((r.schedules.clone(), r.complete.clone(), r.bad.clone()), (big(20), big(20), big(6)));
        assert_eq!(outcome_count(&r, &[("balance", 20)]), big(14));
        assert_eq!(outcome_count(&r, &[("balance", -60)]), big(6));
    }

    // Two locks in opposite order. After A takes a: B takes b (deadlock), or A takes b and runs to
    // `unlock a`, where B takes b first or not (2 complete). 3 schedules per first mover: 6 in
    // all, 2 deadlocked and 4 complete with x = 2.
    #[test]
    fn two_locks() {
        let r = run(builtin("two-locks").unwrap());
        assert_eq!((r.schedules.clone(), r.deadlock.clone(), r.complete.clone()), (big(6), big(2), big(4)));
        assert_eq!(outcome_count(&r, &[("x", 2)]), big(4));
    }

    // Semaphore of 2, three 4-step threads: the 12!/(4!^3) = 34,650 interleavings, minus the
    // 32,100 in which all three waits precede the first signal (counted by a separate script),
    // leave 2,550 schedules; the brute force agrees, and splits them into peak 1 (966) and 2 (1,584).
    #[test]
    fn semaphore() {
        let r = run(builtin("semaphore").unwrap());
        assert_eq!((r.schedules.clone(), r.complete.clone(), r.bad.clone()), (big(2550), big(2550), big(0)));
        assert_eq!(outcome_count(&r, &[("peak", 1)]), big(966));
        assert_eq!(outcome_count(&r, &[("peak", 2)]), big(1584));
        assert_eq!(outcome_count(&r, &[("inside", 0)]), big(2550));
    }

    // The broken flag lock: 148 schedules, 72 of them with both threads inside (bad), 76 not.
    // Checked against the brute-force enumerator and a separate memoised count of the same steps.
    #[test]
    fn broken_flags() {
        let p = program(builtin("broken-flags").unwrap());
        let brute = Brute::enumerate(&Machine::new(&p), 1_000_000).unwrap();
        let r = run(builtin("broken-flags").unwrap());
        brute.assert_agrees(&r);
        assert_eq!((r.schedules.clone(), r.complete.clone(), r.bad.clone()), (big(148), big(148), big(72)));
        assert_eq!(outcome_count(&r, &[("both", 1)]), big(72));
        assert_eq!(outcome_count(&r, &[("both", 0)]), big(76));
    }

    // Peterson spins, so schedules are unbounded: counts are 0, but every reachable outcome has
    // both increments, no check fails, and no deadlock or error is reachable.
    #[test]
    fn peterson() {
        let p = program(builtin("peterson").unwrap());
        let r = explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap();
        assert!(r.unbounded);
        assert_eq!((r.schedules.clone(), r.complete.clone()), (big(0), big(0)));
        assert!(r.reachable.complete && !r.reachable.bad && !r.reachable.deadlock && !r.reachable.error);
        assert!(!r.outcomes.is_empty());
        for o in &r.outcomes {
            assert_eq!((o.values["count"], o.values["flagA"], o.values["flagB"], o.bad), (2, 0, 0, false));
        }
        assert_eq!(r, parallel(&p));
    }

    // A program that can spin forever (both flags raised: both loops spin) is unbounded, yet the
    // report still says which endings are reachable: every run that ends, ends in B's error.
    #[test]
    fn unbounded_reports_reachable_endings() {
        let src = "shared a = 0\nshared b = 0\n\
                   thread A { a = 1\n while b == 1 { }\n a = 0 }\n\
                   thread B { b = 1\n while a == 1 { }\n r = 1 / 0 }";
        let r = run(src);
        assert!(r.unbounded);
        assert!(r.reachable.error && !r.reachable.deadlock && !r.reachable.complete);
        assert!(r.outcomes.is_empty());
    }
}

mod challenges {
    use super::*;

    /// Whether some schedule of `m` reaches `goal` by hand (breadth-first over states with the
    /// machine's public API, every move included).
    fn reachable_by_hand(m: &Machine, goal: &Goal) -> bool {
        let mut seen = std::collections::HashSet::new();
        let mut queue = std::collections::VecDeque::from([m.initial()]);
        while let Some(s) = queue.pop_front() {
            if is_solved(goal, m, &s) {
                return true;
            }
            for mv in m.moves(&s) {
                let n = m.apply(&s, mv);
                if seen.insert(n.clone()) {
                    queue.push_back(n);
                }
            }
        }
        false
    }

    // Every challenge names a built-in and has a hint and a lesson; a goal to reach by hand is
    // reachable and `is_solved` recognises it; a goal to prove is proved by exploring every
    // schedule and cannot be reached by hand; a goal to decide is exactly one of the two.
    #[test]
    fn solvable_and_recognised() {
        assert!(CHALLENGES.len() >= 20);
        let mut ids = std::collections::BTreeSet::new();
        for c in CHALLENGES {
            assert!(ids.insert(c.id), "{}: id twice", c.id);
            assert!(!c.hint.is_empty() && !c.teaches.is_empty() && !c.task.is_empty(), "{}", c.id);
            let p = program(builtin(c.program).unwrap_or_else(|| panic!("{}: no program", c.id)));
            let m = Machine::new(&p);
            let report = explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap();
            let by_hand = reachable_by_hand(&m, &c.goal);
            let proved = is_proved(&c.goal, &m, &report);
            match c.goal {
                Goal::Never(_) | Goal::AlwaysGood => assert!(proved && !by_hand, "{}: not provable", c.id),
                Goal::Decide(_) => assert!(proved != by_hand, "{}: undecided", c.id),
                _ => assert!(by_hand && !proved, "{}: goal unreachable", c.id),
            }
            assert_eq!(c.goal.by_exploring(), matches!(c.goal, Goal::Never(_) | Goal::AlwaysGood | Goal::Decide(_)));
            assert!(!is_solved(&c.goal, &m, &m.initial()), "{}: solved before any step", c.id);
        }
        // Both memory models and every kind of primitive are covered.
        let sources: Vec<&str> = CHALLENGES.iter().map(|c| builtin(c.program).unwrap()).collect();
        for word in ["memory tso", "fence", "lock ", "sem ", "cond ", "notify ", "barrier ", "arrive "] {
            assert!(sources.iter().any(|s| s.contains(word)), "no challenge uses `{word}`");
        }
        assert!(sources.iter().any(|s| !s.contains("memory tso")));
    }

    // A goal to prove is not proved by a report that shows the outcome (the lost update without a lock).
    #[test]
    fn proofs_need_the_right_report() {
        let p = program(builtin("lost-update").unwrap());
        let m = Machine::new(&p);
        let report = run(builtin("lost-update").unwrap());
        assert!(!is_proved(&Goal::Never("x == 1"), &m, &report));
        assert!(is_proved(&Goal::Never("x == 3"), &m, &report));
        assert!(!is_proved(&Goal::AlwaysGood, &m, &report));
        assert!(!is_proved(&Goal::Outcome("x == 1"), &m, &report));
    }

    // Solving "lose an update" by hand: A reads, B reads, A writes, B writes.
    #[test]
    fn lose_an_update_by_hand() {
        let m = Machine::new(&program(builtin("lost-update").unwrap()));
        let end = replay(&m, &steps(&[0, 1, 0, 1]));
        assert!(is_solved(&Goal::Outcome("x == 1"), &m, &end));
        assert!(!is_solved(&Goal::Outcome("x == 1"), &m, &replay(&m, &steps(&[0, 0, 1, 1]))));
        assert!(is_solved(&Goal::Bad, &m, &end));
    }
}

mod machine {
    use super::*;

    // The step view: which line and what text each thread's next step has, and blocking reasons.
    #[test]
    fn describe_steps() {
        let m = Machine::new(&program(builtin("lost-update").unwrap()));
        let s = m.initial();
        let v = m.describe(&s);
        assert_eq!(
            (v[0].name.as_str(), v[0].line, v[0].next.as_deref()),
            ("A", Some(5), Some("read x into t0"))
        );
        assert_eq!(v[0].state, ThreadState::Ready);
        let s = m.step(&s, 0);
        let v = m.describe(&s);
        assert_eq!(v[0].next.as_deref(), Some("write x = t0 + 1"));
        assert_eq!(v[0].registers, vec![("t0".to_string(), 0)]);
        let s = m.step(&s, 0);
        assert_eq!(m.describe(&s)[0].state, ThreadState::Finished);
        assert_eq!(m.status(&s), Status::Running);

        let m = Machine::new(&program(builtin("lost-update-lock").unwrap()));
        let s = m.step(&m.initial(), 0);
        let v = m.describe(&s);
        assert_eq!(v[1].next.as_deref(), Some("lock m (waits: held by A)"));
        assert_eq!(v[1].state, ThreadState::Blocked);
        assert_eq!(m.enabled(&s), vec![0]);
        assert_eq!(m.locks(&s), vec![("m".to_string(), Some(0))]);

        let m = Machine::new(&program("shared x = 0\nthread A {\n  r = x + 1\n  if r > x && 1 { }\n}"));
        let v = m.describe(&m.initial());
        assert_eq!(v[0].next.as_deref(), Some("r = x + 1"));
        let s = m.step(&m.initial(), 0);
        assert_eq!(m.describe(&s)[0].next.as_deref(), Some("if r > x && 1"));
        assert_eq!(m.describe(&s)[0].line, Some(4));
    }

    // Errors: division by zero, remainder by zero, unlocking a lock not held; each ends the schedule.
    #[test]
    fn errors() {
        for (body, message) in [
            ("r = 1 / x", "division by zero"),
            ("x = 7 % r", "division by zero"),
            ("unlock m", "unlock m while not holding it"),
            ("atomic { while 1 { } }", "the atomic block ran more than 10000 loop iterations"),
        ] {
            let p =
                program(&format!("shared x = 0\nlock m\nthread A {{\n  {body}\n}}\nthread B {{ x = 1 }}"));
            let m = Machine::new(&p);
            let s = m.step(&m.initial(), 0);
            assert_eq!(m.status(&s), Status::Error { thread: 0, line: 4, message: message.into() }, "{body}");
            assert!(m.enabled(&s).is_empty());
            assert_eq!(m.describe(&s)[1].state, ThreadState::Stopped);
            let r = run(&format!("shared x = 0\nlock m\nthread A {{\n  {body}\n}}"));
            assert_eq!((r.error.clone(), r.schedules.clone()), (big(1), big(1)), "{body}");
        }
        // Unlocking a lock another thread holds is an error too: both orders end in an error.
        let r = run("lock m\nthread A { lock m }\nthread B { unlock m }");
        assert_eq!((r.schedules.clone(), r.error.clone(), r.complete.clone()), (big(2), big(2), big(0)));
    }

    // Arithmetic wraps; comparisons and logic give 1 or 0; `&&` short-circuits a division.
    #[test]
    fn arithmetic() {
        let r = run(
            "shared a = 9223372036854775807\nshared b = -9223372036854775808\nshared c = 0\nshared d = 0\nshared e = 0\n\
             thread A { a = a + 1\n b = b / -1\n c = (3 < 4) + (2 == 2) * 10 + !0 * 100 + (0 || 5) * 1000\n\
             d = 0 && 1 / 0\n e = -7 % 3 + -7 / 2 * 10 }",
        );
        let o = &r.outcomes[0].values;
        assert_eq!((o["a"], o["b"], o["c"], o["d"], o["e"]), (i64::MIN, i64::MIN, 1111, 0, -31));
    }

    // A thread that locks a mutex it already holds deadlocks, and a wait on an empty semaphore too.
    #[test]
    fn deadlocks() {
        assert_eq!(run("lock m\nthread A { lock m lock m }").deadlock, big(1));
        // B can wait first and leave A blocked forever; or A waits and signals, then B waits.
        let r = run("sem s = 1\nthread A { wait s\n signal s }\nthread B { wait s }");
        assert_eq!((r.schedules.clone(), r.deadlock.clone(), r.complete.clone()), (big(2), big(1), big(1)));
        let m = Machine::new(&program("sem s = 0\nthread A { wait s }"));
        assert_eq!(m.status(&m.initial()), Status::Deadlock);
        assert_eq!(m.describe(&m.initial())[0].next.as_deref(), Some("wait s (waits: s is 0)"));
    }

    // Stepping a thread that is not enabled changes nothing; empty threads complete at once.
    #[test]
    fn edge_cases() {
        let m = Machine::new(&program("lock m\nthread A { lock m }\nthread B { lock m }"));
        let s = m.step(&m.initial(), 0);
        assert_eq!(m.step(&s, 1), s);
        assert_eq!(m.step(&s, 7), s);
        let r = run("thread A { }");
        assert_eq!((r.schedules.clone(), r.complete.clone(), r.states), (big(1), big(1), 1));
    }
}

mod parser {
    use super::*;

    fn error(source: &str) -> (usize, usize, String) {
        let e = parse(source).expect_err("the source is broken on purpose");
        (e.line, e.column, e.message)
    }

    // Each kind of broken program is refused with its line, column and what was expected.
    #[test]
    fn error_positions_and_messages() {
        let cases: &[(&str, (usize, usize, &str))] = &[
            ("shared x = 0\nthread A {\n  x = x + 1\n", (4, 1, "expected `}` to close thread A, found end of input")),
            ("thread A {\n  lock m\n}", (2, 8, "unknown lock `m` (declare it with `lock m`)")),
            ("lock m\nthread A {\n  atomic {\n    lock m\n  }\n}", (4, 5, "`lock` is not allowed inside `atomic`")),
            ("sem s = 1\nthread A { atomic { signal s } }", (2, 21, "`signal` is not allowed inside `atomic`")),
            ("lock m\nthread A { m = 1 }", (2, 12, "cannot assign to `m`: it is a lock")),
            ("shared x = 0\nlock x\nthread A { }", (2, 6, "`x` is already declared on line 1")),
            ("thread A { }\nthread A { }", (2, 8, "thread `A` is already defined on line 1")),
            ("shared x = 0\nthread A { r = x }\ncheck r == 0", (3, 7, "`check` can only use shared variables, and `r` is not one")),
            ("shared x = 0\n", (2, 1, "expected at least one `thread`, found end of input")),
            ("thread A { x = }", (1, 16, "expected a value (a number, a name, `-`, `!` or `(`), found `}`")),
            ("thread A { x = (1 + 2 }", (1, 23, "expected `)` to close the `(` at line 1, column 16, found `}`")),
            ("thread A { x = 1 @ }", (1, 18, "unexpected character `@`")),
            ("thread A { x = 9223372036854775808 }", (1, 16, "integer literal is too large (the limit is 9223372036854775807)")),
            ("sem s = -1\nthread A { }", (1, 9, "semaphore `s` cannot start below 0")),
            ("lock m\nthread A { wait m }", (2, 17, "`wait` needs a semaphore or condition variable, but `m` is a lock")),
            ("thread A { }\nshared x = 0", (2, 1, "`shared` declarations must come before the threads")),
            ("thread A { x == 1 }", (1, 14, "expected `=` after `x` (a statement here is an assignment), found `==`")),
            ("thread A { 5 }", (1, 12, "expected a statement (an assignment, `if`, `while`, `atomic`, `lock`, `unlock`, `wait`, `signal`, `fence`, `notify`, `notify_all` or `arrive`) or `}` to close thread A, found the number 5")),
            ("lock m\nthread A { r = m + 1 }", (2, 16, "`m` is a lock, not a value")),
            ("thread A { if 1 { r = 1 }", (1, 26, "expected `}` to close thread A, found end of input")),
            ("thread A { while 1 { r = 1 }\n", (2, 1, "expected `}` to close thread A, found end of input")),
            ("thread { }", (1, 8, "expected a thread name after `thread`, found `{`")),
            ("thread A { x = 1 & 2 }", (1, 18, "expected `&&` (there is no single `&`)")),
            ("shared while = 1", (1, 8, "expected a name after `shared`, found the keyword `while`")),
        ];
        for (src, (line, column, message)) in cases {
            let (l, c, m) = error(src);
            assert_eq!((l, c, m.as_str()), (*line, *column, *message), "{src:?}");
        }
    }

    // Deep nesting and very long expressions are refused with an error, never a stack overflow.
    #[test]
    fn deep_nesting_is_an_error() {
        let deep_parens = format!("thread A {{ x = {}1{} }}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(error(&deep_parens).2.contains("too deep"));
        let deep_not = format!("thread A {{ x = {}1 }}", "!".repeat(100_000));
        assert!(error(&deep_not).2.contains("too deep"));
        let deep_neg = format!("thread A {{ x = {}x }}", "- ".repeat(100_000));
        assert!(error(&deep_neg).2.contains("too deep"));
        let deep_if = format!("thread A {{ {} }}", "if 1 { ".repeat(10_000));
        assert!(error(&deep_if).2.contains("too deep"));
        let deep_atomic = format!("thread A {{ {} }}", "atomic { ".repeat(10_000));
        assert!(error(&deep_atomic).2.contains("too deep"));
        let else_if = format!("thread A {{ if 1 {{ }} {} }}", "else if 1 { } ".repeat(10_000));
        assert!(error(&else_if).2.contains("too deep"));
        let long = format!("thread A {{ x = 1{} }}", " + 1".repeat(100_000));
        assert!(error(&long).2.contains("too long"));
        // Within the limits, nesting parses.
        let ok = format!("thread A {{ x = {}1{} }}", "(".repeat(60), ")".repeat(60));
        assert!(parse(&ok).is_ok());
    }

    // Comments, `else if`, negative initial values and i64::MIN literals parse.
    #[test]
    fn accepted_forms() {
        let src = "# header\nshared x = -5 # trailing\nshared y = -9223372036854775808\n\
                   thread A { if x < 0 { r = 1 } else if x == 0 { r = 2 } else { r = 3 } }";
        let p = program(src);
        assert_eq!(p.shared_names(), vec!["x", "y"]);
        assert_eq!(Machine::new(&p).thread_names(), vec!["A"]);
        let r = run(src);
        assert_eq!(outcome_count(&r, &[("x", -5), ("y", i64::MIN)]), big(1));
    }

    const SOUP: &[&str] = &[
        "shared",
        "lock",
        "sem",
        "thread",
        "if",
        "else",
        "while",
        "atomic",
        "unlock",
        "wait",
        "signal",
        "check",
        "x",
        "y",
        "m",
        "s",
        "A",
        "B",
        "r",
        "0",
        "1",
        "-1",
        "9223372036854775808",
        "99999999999999999999999",
        "{",
        "}",
        "(",
        ")",
        "=",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "%",
        "&&",
        "||",
        "!",
        "&",
        "|",
        ";",
        "@",
        "#",
        "\n",
        "é",
        "\t",
    ];

    /// Parses `src`; if it parses, steps and explores it under tight limits. Nothing may panic.
    fn survive(src: &str) {
        if let Ok(p) = parse(src) {
            let limits = Limits { max_states: 300 };
            let _ = explore(&p, &limits, &ExploreControl::sequential());
            let _ = shortest_schedule(&p, &Target::Deadlock, &limits);
            let m = Machine::new(&p);
            let s = m.initial();
            let _ = (m.describe(&s), m.status(&s));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        // Arbitrary text never makes the parser panic.
        #[test]
        fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
            survive(&src);
        }

        // Token soup from the language's own words and symbols never makes the parser panic.
        #[test]
        fn token_soup_never_panics(tokens in prop::collection::vec((prop::sample::select(SOUP), prop::sample::select(&[" ", "\n", ""][..])), 0..80)) {
            let src: String = tokens.iter().map(|(t, sep)| format!("{t}{sep}")).collect();
            survive(&src);
        }

        // Built-in programs with tokens deleted or duplicated never make anything panic.
        #[test]
        fn mutated_builtins_never_panic(which in 0..BUILTINS.len(), edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8), 1..4)) {
            let mut words: Vec<&str> = BUILTINS[which].2.split(' ').collect();
            for (at, op) in edits {
                if words.is_empty() { break; }
                let i = at.index(words.len());
                match op {
                    0 => { words.remove(i); }
                    1 => { let w = words[i]; words.insert(i, w); }
                    _ => { let j = (i + 1) % words.len(); words.swap(i, j); }
                }
            }
            survive(&words.join(" "));
        }
    }
}

mod generated {
    use super::*;

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            (0..3i64).prop_map(|v| v.to_string()),
            Just("x".to_string()),
            Just("y".to_string()),
            Just("r".to_string()),
        ]
    }

    fn expr() -> impl Strategy<Value = String> {
        let op = prop::sample::select(&["+", "-", "*", "/", "%", "==", "<", "&&", "||"][..]);
        prop_oneof![
            3 => value(),
            2 => (value(), op, value()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            1 => value().prop_map(|a| format!("!{a}")),
        ]
    }

    fn assignment() -> impl Strategy<Value = String> {
        (prop::sample::select(&["x", "y", "r"][..]), expr()).prop_map(|(t, e)| format!("{t} = {e}"))
    }

    fn statement() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => assignment(),
            1 => Just("lock m".to_string()),
            1 => Just("unlock m".to_string()),
            1 => Just("wait s".to_string()),
            1 => Just("signal s".to_string()),
            2 => (expr(), assignment(), prop::option::of(assignment()))
                .prop_map(|(c, a, b)| match b {
                    Some(b) => format!("if {c} {{\n{a}\n}} else {{\n{b}\n}}"),
                    None => format!("if {c} {{\n{a}\n}}"),
                }),
            2 => prop::collection::vec(assignment(), 1..3)
                .prop_map(|body| format!("atomic {{\n{}\n}}", body.join("\n"))),
        ]
    }

    fn source() -> impl Strategy<Value = String> {
        let thread = prop::collection::vec(statement(), 1..=3);
        (0..3i64, 0..2i64, 0..2i64, prop::collection::vec(thread, 2..=3), prop::option::of(expr()), 0..3u8)
            .prop_map(|(x, y, s, mut threads, check, copies)| {
                // Some programs run the same code in several threads, for symmetry reduction.
                for t in 1..=copies.min(threads.len() as u8 - 1) as usize {
                    threads[t] = threads[0].clone();
                }
                let mut src = format!("shared x = {x}\nshared y = {y}\nlock m\nsem s = {s}\n");
                for (i, body) in threads.iter().enumerate() {
                    src += &format!("thread T{i} {{\n{}\n}}\n", body.join("\n"));
                }
                if let Some(c) = check {
                    // Checks may only name shared variables.
                    src += &format!("check {}\n", c.replace('r', "x"));
                }
                src
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        // Path counting equals brute-force enumeration in every figure, shortest schedules are
        // shortest, and parallel exploration gives the identical report.
        #[test]
        fn path_counting_matches_brute_force(src in source()) {
            let p = parse(&src).unwrap_or_else(|e| panic!("{e}\n{src}"));
            let seq = explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap();
            prop_assert_eq!(&seq, &parallel(&p), "parallel differs for\n{}", src);
            let plain = explore(&p, &Limits::default(), &ExploreControl::parallel().with_symmetry(false)).unwrap();
            prop_assert_eq!(&Report { states: plain.states, ..seq.clone() }, &plain, "symmetry changes counts for\n{}", src);
            if let Some(brute) = Brute::enumerate(&Machine::new(&p), 100_000) {
                brute.assert_agrees(&seq);
                assert_shortest_agrees(&p, &brute);
            }
        }
    }
}

mod explorer {
    use super::*;

    const BENCHMARK: &str = "\
shared x = 0
thread A { x = x + 1\n x = x + 1\n x = x + 1\n x = x + 1 }
thread B { x = x + 1\n x = x + 1\n x = x + 1\n x = x + 1 }
thread C { x = x + 1\n x = x + 1\n x = x + 1\n x = x + 1 }
thread D { x = x + 1\n x = x + 1\n x = x + 1\n x = x + 1 }
check x == 16
";

    // The benchmark: four threads, four unlocked increments each: 32!/(8!^4) schedules, all
    // complete, and the outcome distribution adds up to it; parallel agrees. (Release build:
    // about 0.1 s and 193,828 states with symmetry reduction; 3.9 million states without.)
    #[test]
    fn benchmark_count() {
        let p = program(BENCHMARK);
        let r = explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap();
        let expected: BigUint = "99561092450391000".parse().unwrap();
        assert_eq!(r.schedules, expected);
        assert_eq!(r.complete, expected);
        assert_eq!(r.outcomes.iter().map(|o| o.schedules.clone()).sum::<BigUint>(), expected);
        assert_eq!(outcome_count(&r, &[("x", 16)]), expected.clone() - r.bad.clone());
        // x = 16 only when every increment's read and write are back to back: 16!/(4!^4) orders
        // of the sixteen increments. The fewest lost updates leave x = 2, never less.
        assert_eq!(outcome_count(&r, &[("x", 16)]), big(63_063_000));
        let xs: Vec<i64> = r.outcomes.iter().map(|o| o.values["x"]).collect();
        assert_eq!(xs, (2..=16).collect::<Vec<_>>());
        assert_eq!(r, parallel(&p));
        assert!(r.schedules > BigUint::from(1u64 << 53), "beyond what a JSON number holds exactly");
    }

    // Counts beyond u128 stay exact: two threads of 80 local steps have C(160, 80) schedules,
    // over 81 * 81 states (each thread's position 0..=80; its register follows from it), or
    // 81 * 82 / 2 when the two identical threads are not told apart.
    #[test]
    fn counts_beyond_u128() {
        let body = "r = 1\n".repeat(80);
        let r = run(&format!("thread A {{ {body} }}\nthread B {{ {body} }}"));
        let fact = |n: u32| (1..=n).map(BigUint::from).product::<BigUint>();
        let expected = fact(160) / (fact(80) * fact(80));
        assert!(expected > BigUint::from(u128::MAX));
        assert_eq!(r.schedules, expected);
        assert_eq!(r.states, 81 * 82 / 2);
        let p = program(&format!("thread A {{ {body} }}\nthread B {{ {body} }}"));
        let plain =
            explore(&p, &Limits::default(), &ExploreControl::sequential().with_symmetry(false)).unwrap();
        assert_eq!((plain.schedules.clone(), plain.states), (expected.clone(), 81 * 81));
    }

    // Sliced exploration yields between slices, and ends with the report `explore` gives.
    #[test]
    fn sliced_exploration() {
        let p = program(BENCHMARK);
        let mut exploration = Exploration::new(&p, &Limits::default(), true);
        let (mut yields, mut last) = (0, 0);
        let report = loop {
            if let Some(result) = exploration.run_until(|| true) {
                break result.unwrap();
            }
            yields += 1;
            assert!(exploration.states() > last, "each slice discovers states");
            last = exploration.states();
        };
        assert!(yields > 10);
        assert_eq!(report, explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap());
        assert_eq!(exploration.run_until(|| false), Some(Ok(report)));
        let mut small = Exploration::new(&p, &Limits { max_states: 5000 }, true);
        assert_eq!(small.run_until(|| false), Some(Err(ExploreError::StateLimit { states: 5001 })));
    }

    // Everything the site publishes of a report (its JSON is the web view's): the counts by
    // ending, the outcomes with their values, counts and checks, and which endings are reachable.
    #[test]
    fn report_figures() {
        let r = run(builtin("lost-update").unwrap());
        assert_eq!(
            [&r.schedules, &r.complete, &r.bad, &r.deadlock, &r.error].map(BigUint::clone),
            [big(6), big(6), big(4), big(0), big(0)]
        );
        let outcomes: Vec<_> = r.outcomes.iter().map(|o| (o.values.clone(), o.schedules.clone(), o.bad)).collect();
        let x = |v: i64| BTreeMap::from([("x".to_string(), v)]);
        assert_eq!(outcomes, [(x(1), big(4), true), (x(2), big(2), false)]);
        assert!(!r.unbounded);
        assert_eq!(r.reachable, Reachable { complete: true, bad: true, deadlock: false, error: false });
        // Shares as the outcome bars print them: a part that happens is never "0.0%", and one
        // that does not always is never "100.0%".
        assert_eq!([&big(4), &big(2), &big(0), &big(6)].map(|p| r.share_text(p)), ["66.7%", "33.3%", "0%", "100%"]);
        let wide = Report { schedules: big(10_000), ..r.clone() };
        let texts = [1, 4, 5, 10, 9_994, 9_995, 9_999].map(|p| wide.share_text(&big(p)));
        assert_eq!(texts, ["<\u{a0}0.1%", "<\u{a0}0.1%", "0.1%", "0.1%", "99.9%", ">\u{a0}99.9%", ">\u{a0}99.9%"]);
    }

    // A large state space with a small limit stops promptly with StateLimit, in both modes;
    // a counter that never stops growing does too, instead of looping forever.
    #[test]
    fn state_limit() {
        let p = program(BENCHMARK);
        let limits = Limits { max_states: 1000 };
        for control in [ExploreControl::sequential(), ExploreControl::parallel()] {
            assert_eq!(explore(&p, &limits, &control), Err(ExploreError::StateLimit { states: 1001 }));
        }
        let forever = program("thread A { while 1 { r = r + 1 } }");
        assert_eq!(
            explore(&forever, &Limits { max_states: 10_000 }, &ExploreControl::sequential()),
            Err(ExploreError::StateLimit { states: 10_001 })
        );
        assert_eq!(shortest_schedule(&forever, &Target::Complete, &Limits { max_states: 10_000 }), None);
    }

    // A cancelled progress record stops exploration; otherwise its count ends at the number of
    // states, and its fraction is the share of the limit they used.
    #[test]
    fn cancel_and_progress() {
        let p = program(builtin("semaphore").unwrap());
        let cancelled = Progress::new(1);
        cancelled.cancel();
        for control in [ExploreControl::sequential(), ExploreControl::parallel()] {
            assert_eq!(
                explore(&p, &Limits::default(), &control.with_progress(&cancelled)),
                Err(ExploreError::Cancelled)
            );
            let progress = Progress::new(Limits::PAGE.max_states as u64);
            let r = explore(&p, &Limits::PAGE, &control.with_progress(&progress)).unwrap();
            assert_eq!(progress.done(), r.states as u64);
            assert_eq!(progress.fraction(), r.states as f64 / 1_000_000.0);
        }
    }

    // Shortest schedules on the check-then-act program: to balance 20 in 4 steps (one full
    // withdrawal, then the other's failing test), to a bad outcome in 6 (both withdraw).
    #[test]
    fn shortest_schedules() {
        let p = program(builtin("check-then-act").unwrap());
        let m = Machine::new(&p);
        let s =
            shortest_schedule(&p, &Target::Outcome(values(&[("balance", 20)])), &Limits::default()).unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!(m.shared_values(&replay(&m, &s))["balance"], 20);
        let s = shortest_schedule(&p, &Target::Bad, &Limits::default()).unwrap();
        assert_eq!(s.len(), 6);
        assert_eq!(m.status(&replay(&m, &s)), Status::Complete { bad: true });
        assert_eq!(shortest_schedule(&p, &Target::Deadlock, &Limits::default()), None);
        assert_eq!(shortest_schedule(&p, &Target::Outcome(values(&[("nope", 1)])), &Limits::default()), None);
        let p = program(builtin("two-locks").unwrap());
        assert_eq!(shortest_schedule(&p, &Target::Deadlock, &Limits::default()).map(|s| s.len()), Some(2));
    }
}

/// What the explorer's page calls, as it calls it.
mod page {
    use super::*;

    fn scheduler(id: &str) -> Scheduler {
        Scheduler::new(&program(builtin(id).unwrap()))
    }

    // The "lose an update" challenge by hand: A B A B solves it; undo un-solves it, redo
    // solves it again; a new step forgets the redo; restart forgets everything.
    #[test]
    fn schedule_with_undo_and_redo() {
        let goal = CHALLENGES.iter().find(|c| c.id == "lose-an-update").unwrap().goal;
        let mut s = scheduler("lost-update");
        assert!(!s.can_undo() && !s.can_redo());
        assert_eq!(s.schedule_text(), "nothing yet");
        for t in [0, 1, 0, 1] {
            assert!(s.step(t));
        }
        assert_eq!((s.schedule_text(), s.choices()), ("A B A B".to_string(), [0, 1, 0, 1].map(Move::step).to_vec()));
        assert!(s.solves(&goal));
        assert!(!s.step(0), "a finished thread cannot step");
        assert!(s.undo());
        assert!(!s.solves(&goal) && s.can_redo());
        assert!(s.redo());
        assert!(s.solves(&goal) && !s.can_redo());
        assert_eq!(s.state(), &replay(s.machine(), &steps(&[0, 1, 0, 1])));
        s.undo();
        s.undo();
        assert!(s.step(1));
        assert!(!s.can_redo(), "a new step forgets the redo list");
        assert_eq!(s.schedule_text(), "A B B");
        s.restart();
        assert!(!s.can_undo() && !s.can_redo());
        assert_eq!(s.state(), &s.machine().initial());
        assert!(!s.undo() && !s.redo());
    }

    // A blocked thread cannot step: the schedule stays as it was.
    #[test]
    fn blocked_threads_cannot_step() {
        let mut s = scheduler("lost-update-lock");
        assert!(s.step(0));
        assert!(!s.step(1));
        assert_eq!(s.schedule_text(), "A");
        assert_eq!(s.machine().describe(s.state())[1].state, ThreadState::Blocked);
    }

    // "Show me one" loads a shortest schedule to a deadlock (two steps), and the end note says so;
    // an unreachable target changes nothing.
    #[test]
    fn show_me_one() {
        let mut s = scheduler("two-locks");
        assert!(s.show(&Target::Deadlock, &Limits::PAGE));
        assert_eq!(s.choices().len(), 2);
        assert!(!s.can_redo());
        let note = s.machine().end_note(s.state()).unwrap();
        assert!(note.bad_news && note.text.starts_with("Deadlock: threads are left"));
        let mut s = scheduler("check-then-act");
        s.step(0);
        assert!(!s.show(&Target::Deadlock, &Limits::PAGE));
        assert_eq!(s.choices(), vec![Move::step(0)]);
        assert!(s.show(&Target::Bad, &Limits::PAGE));
        assert_eq!(s.choices().len(), 6);
        assert_eq!(s.machine().status(s.state()), Status::Complete { bad: true });
    }

    // Each thread column shows the thread's block from its `thread` line to its `}`, found by
    // the parser (braces in comments and a `{` on the next line do not confuse it).
    #[test]
    fn thread_columns_show_their_lines() {
        let lines = |source: &str| {
            let m = Machine::new(&program(source));
            m.describe(&m.initial()).into_iter().map(|v| v.lines).collect::<Vec<_>>()
        };
        assert_eq!(lines(builtin("lost-update").unwrap()), vec![4..=6, 8..=10]);
        let tricky = "shared x = 0 # {{\nthread A\n{\n  x = 1 # }\n}\nthread B { x = 2 }\n";
        assert_eq!(lines(tricky), vec![2..=5, 6..=6]);
    }

    // The texts of a state: shared values, locks, semaphores, registers and thread states.
    #[test]
    fn state_texts() {
        let s = scheduler("lost-update-lock");
        let (m, st) = (s.machine(), s.state());
        assert_eq!(m.shared_text(st), "x = 0");
        assert_eq!(m.locks_text(st).as_deref(), Some("m: free"));
        assert_eq!(m.semaphores_text(st), None);
        let st = m.step(st, 0);
        assert_eq!(m.locks_text(&st).as_deref(), Some("m: held by A"));
        let st = m.step(&st, 0);
        assert_eq!(m.describe(&st)[0].registers_text(), "t0 = 0");
        let s = scheduler("semaphore");
        assert_eq!(s.machine().semaphores_text(s.state()).as_deref(), Some("s = 2"));
        assert_eq!(s.machine().locks_text(s.state()), None);
        let m = Machine::new(&program("thread A { r = 1 }"));
        assert_eq!(m.shared_text(&m.initial()), "no shared variables");
        assert_eq!(values_text(&values(&[("a", 1), ("b", -2)])), "a = 1, b = -2");
        use ThreadState::{Blocked, Failed, Finished, Ready, Stopped};
        let labels = [Ready, Blocked, Finished, Failed, Stopped].map(ThreadState::label);
        assert_eq!(labels, ["ready", "blocked", "finished", "failed", "stopped"]);
    }

    // How a schedule's end is told: a good finish, a bad one, a deadlock, an error; none while running.
    #[test]
    fn end_notes() {
        let m = Machine::new(&program(builtin("lost-update").unwrap()));
        assert_eq!(m.end_note(&m.initial()), None);
        let good = EndNote { bad_news: false, text: "Finished: x = 2. The check holds.".into() };
        assert_eq!(m.end_note(&replay(&m, &steps(&[0, 0, 1, 1]))), Some(good));
        let bad_text = "Finished: x = 1. The check fails: this is a bad outcome.";
        let bad = EndNote { bad_news: true, text: bad_text.into() };
        assert_eq!(m.end_note(&replay(&m, &steps(&[0, 1, 0, 1]))), Some(bad));
        let m = Machine::new(&program("shared x = 0\nthread A {\n  r = 1 / x\n}"));
        let note = m.end_note(&m.step(&m.initial(), 0)).unwrap();
        assert_eq!(note.text, "Error in thread A at line 3: division by zero");
        assert!(note.bad_news);
        let m = Machine::new(&program("thread A { r = 1 }"));
        let note = m.end_note(&m.step(&m.initial(), 0)).unwrap();
        assert_eq!(note.text, "Finished: no shared variables. The check holds.");
    }

    // The state limit a learner types: separators allowed, 1,000 to 5,000,000, with the reason.
    #[test]
    fn state_limit_field() {
        assert_eq!(Limits::PAGE, Limits { max_states: 1_000_000 });
        assert_eq!(Limits::parse("1,000,000"), Ok(Limits::PAGE));
        assert_eq!(Limits::parse("5_000_000"), Ok(Limits { max_states: 5_000_000 }));
        assert_eq!(Limits::parse("1 000"), Ok(Limits { max_states: 1_000 }));
        let refusal = "The state limit must be a whole number from 1,000 to 5,000,000 \
                       (more would not fit this tab's memory).";
        for text in ["999", "5000001", "many", "", "-5"] {
            assert_eq!(Limits::parse(text), Err(refusal.to_string()), "{text}");
        }
    }

    // The notes of a run that ends without a report.
    #[test]
    fn error_notes() {
        assert_eq!(
            ExploreError::StateLimit { states: 1_000_001 }.note(),
            "Stopped after 1,000,001 states, the limit: this program has more interleavings than the tab \
             can hold. Make it smaller (fewer threads or steps), or raise the limit."
        );
        assert_eq!(ExploreError::Cancelled.note(), "Exploration cancelled.");
    }

    // Without a pool the page runs the exploration in slices with a progress record: the count
    // grows slice by slice and ends at the states; a cancel ends it at the next slice boundary.
    #[test]
    fn sliced_run_with_progress_and_cancel() {
        let body = " x = x + 1\n".repeat(3);
        let threads: String = ["A", "B", "C", "D"].map(|t| format!("thread {t} {{\n{body}}}\n")).concat();
        let p = program(&format!("shared x = 0\n{threads}"));
        let progress = Progress::new(Limits::PAGE.max_states as u64);
        let mut run = Exploration::new(&p, &Limits::PAGE, true).with_progress(progress.clone());
        let mut seen = Vec::new();
        let report = loop {
            if let Some(done) = run.run_until(|| true) {
                break done.unwrap();
            }
            seen.push(progress.done());
        };
        assert!(seen.len() > 2 && seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        assert_eq!(report, explore(&p, &Limits::PAGE, &ExploreControl::parallel()).unwrap());
        let progress = Progress::new(Limits::PAGE.max_states as u64);
        let mut run = Exploration::new(&p, &Limits::PAGE, true).with_progress(progress.clone());
        assert_eq!(run.run_until(|| true), None);
        progress.cancel();
        assert_eq!(run.run_until(|| false), Some(Err(ExploreError::Cancelled)));
        assert_eq!(run.run_until(|| false), Some(Err(ExploreError::Cancelled)), "it stays cancelled");
        let small = Progress::new(1_000);
        let mut run = Exploration::new(&p, &Limits { max_states: 1_000 }, true).with_progress(small);
        let stopped = run.run_until(|| false).unwrap().unwrap_err();
        assert!(stopped.note().starts_with("Stopped after 1,001 states, the limit"), "{}", stopped.note());
    }

    // The outcome bars: each outcome's share of all schedules.
    #[test]
    fn outcome_shares() {
        let r = run(builtin("lost-update").unwrap());
        let shares: Vec<f64> = r.outcomes.iter().map(|o| r.share(&o.schedules)).collect();
        assert_eq!(shares, [4.0 / 6.0, 2.0 / 6.0]);
        assert_eq!(r.share(&r.deadlock), 0.0);
        let r = run(builtin("peterson").unwrap());
        assert!(r.unbounded);
        assert_eq!(r.share(&r.complete), 0.0, "no shares without counts");
    }
}

/// What bounds an exploration: the parser's caps on a program's size, the memory budget, and
/// random programs up to the caps, which must all end without a panic.
mod limits {
    use super::*;
    use interleave_core::explorer::{
        MAX_LOOPING_ATOMIC_SIZE, MAX_SOURCE_CHARS, MAX_STATEMENTS, MAX_THREADS, MEMORY_BUDGET,
    };
    use random_programs::{random_program, walk};

    fn error(source: &str) -> (usize, usize, String) {
        let e = parse(source).unwrap_err();
        (e.line, e.column, e.message)
    }

    /// `n` threads, each on its own lines, each with `body`.
    fn threads(n: usize, body: &str) -> String {
        let threads: String = (0..n).map(|i| format!("thread T{i} {{\n{body}\n}}\n")).collect();
        format!("shared x = 0\n{threads}")
    }

    // Sixteen threads parse; a seventeenth is refused at its `thread` keyword, with the cap.
    #[test]
    fn thread_cap() {
        assert_eq!(MAX_THREADS, 16);
        assert_eq!(Machine::new(&program(&threads(16, "  x = x + 1"))).thread_names().len(), 16);
        let (line, column, message) = error(&threads(40, "  x = x + 1"));
        assert_eq!((line, column), (1 + 16 * 3 + 1, 1), "the 17th thread's line");
        assert_eq!(message, "too many threads: a program may have at most 16");
    }

    // 256 statements parse (declarations, nested statements, `else if` and checks count); the
    // 257th is refused where it starts.
    #[test]
    fn statement_cap() {
        assert_eq!(MAX_STATEMENTS, 256);
        // 1 declaration, 1 check, and 254 in a thread: 2 ifs with an `else if` each, 246 assignments.
        let body = "  if x == 1 {\n    r = 1\n  } else if x == 2 {\n    r = 2\n  }\n".repeat(2);
        let assignments = "  r = 1\n".repeat(246);
        let src = format!("shared x = 0\nthread A {{\n{body}{assignments}}}\ncheck x == 0\n");
        assert!(parse(&src).is_ok(), "{:?}", parse(&src).err());
        let src = format!("shared x = 0\nthread A {{\n{body}{assignments}  r = 2\n}}\ncheck x == 0\n");
        let (line, column, message) = error(&src);
        assert_eq!((line, column), (2 + 10 + 246 + 3, 1), "the check, the 257th statement");
        assert_eq!(message, "too many statements: a program may have at most 256 (declarations and checks count too)");
        let many_threads = threads(16, &"  r = 1\n".repeat(16));
        assert!(error(&many_threads).2.starts_with("too many statements"), "1 + 16 * 16 statements");
    }

    // A program may be 20,000 characters long (comments included); past that it is refused at
    // the first character too many.
    #[test]
    fn length_cap() {
        let head = "thread A { r = 1 }\n";
        let filler = |n: usize| format!("#{}\n", "c".repeat(n - 2));
        let src = format!("{head}{}", filler(MAX_SOURCE_CHARS - head.len()));
        assert_eq!(src.chars().count(), MAX_SOURCE_CHARS);
        assert!(parse(&src).is_ok());
        let src = format!("{head}{}r = 2 }}", filler(MAX_SOURCE_CHARS - head.len()));
        assert_eq!(error(&src), (3, 1, "the program is too long: it may have at most 20,000 characters".into()));
        // A megabyte is refused as quickly, at the same place.
        let src = format!("{head}{}", "#".repeat(1 << 20));
        assert_eq!(error(&src).0, 2);
    }

    // An `atomic` block with a loop may hold 64 values, operators and statements; one more is
    // refused at its `atomic`. Without a loop it is one pass, and any size is fine.
    #[test]
    fn looping_atomic_cap() {
        assert_eq!(MAX_LOOPING_ATOMIC_SIZE, 64);
        // 2 (`r = 0`) + 4 (`while r < 10`) + 1 + (1 + 2 * ones) (`r = r + 1 ...`) = 8 + 2 * ones.
        let block = |ones: usize| {
            let sum = " + 1".repeat(ones);
            format!("thread A {{\n  atomic {{\n    r = 0\n    while r < 10 {{ r = r{sum} }}\n  }}\n}}")
        };
        assert!(parse(&block(28)).is_ok());
        let (line, column, message) = error(&block(29));
        assert_eq!((line, column), (2, 3));
        assert_eq!(
            message,
            "this `atomic` block is too large for a loop: with a `while` in it, it may hold at most 64 values, \
             operators and statements (it has 66), since it may loop 10000 times within its one step"
        );
        let straight = format!("thread A {{ atomic {{ {} }} }}", "r = r + 1 + 1 + 1\n".repeat(100));
        assert!(parse(&straight).is_ok());
        // The costliest step the caps allow (16 threads of it, all at the fuel limit) still ends.
        let costly = threads(16, &format!("  atomic {{ while 1 {{ r = r{} }} }}", " + 1".repeat(30)));
        let r = explore(&program(&costly), &Limits::default(), &ExploreControl::sequential()).unwrap();
        assert_eq!((r.schedules, r.error, r.states), (big(16), big(16), 2));
    }

    /// A program whose states are wide (a hundred registers), and which never ends.
    fn wide_forever() -> Program {
        let registers: Vec<String> = (0..100).map(|i| format!("r{i}")).collect();
        program(&format!("thread A {{\n  s = {}\n  while 1 {{ n = n + 1 }}\n}}", registers.join(" + ")))
    }

    // Past its memory budget an exploration stops with the memory refusal, at the same state in
    // every mode, and says what to try; a higher state limit does not help.
    #[test]
    fn memory_budget() {
        let p = wide_forever();
        let limits = Limits { max_states: 5_000_000 };
        let budget = 4 << 20;
        let sequential = explore(&p, &limits, &ExploreControl::sequential().with_memory_budget(budget));
        let Err(ExploreError::MemoryLimit { states, budget: b }) = sequential else { panic!("{sequential:?}") };
        assert_eq!(b, budget);
        assert!((1_000..10_000).contains(&states), "{states} states of about 900 bytes in 4 MB");
        let parallel = explore(&p, &limits, &ExploreControl::parallel().with_memory_budget(budget));
        assert_eq!(parallel, sequential);
        let mut sliced = Exploration::new(&p, &limits, true).with_memory_budget(budget);
        assert_eq!(sliced.run_until(|| false), Some(sequential.clone()));
        let note = sequential.unwrap_err().note();
        assert!(note.starts_with(&format!("Stopped after {} states, at the memory limit", group(states))), "{note}");
        assert!(note.contains("needs more than the 4 MB this tab can give it"), "{note}");
        assert!(note.contains("Make the program smaller (fewer threads, steps or variables)"), "{note}");
        assert_eq!(
            ExploreError::MemoryLimit { states: 12, budget: 1000 }.to_string(),
            "stopped after 12 states: exploring the program needs more than 1 KB of memory"
        );
        // The page's budget, by default: hundreds of thousands of these states, then the refusal
        // well before the highest state limit.
        let r = explore(&p, &limits, &ExploreControl::parallel());
        let Err(ExploreError::MemoryLimit { states, budget }) = r else { panic!("{r:?}") };
        assert_eq!(budget, MEMORY_BUDGET);
        assert!(states > 200_000 && states < limits.max_states, "{states}");
    }

    fn group(n: usize) -> String {
        interleave_core::numbers::group_digits(n as u64)
    }

    thread_local! {
        /// Bytes this thread holds from the allocator now, and the most it has held.
        static HELD: std::cell::Cell<(isize, isize)> = const { std::cell::Cell::new((0, 0)) };
    }

    /// The system allocator, keeping count of each thread's bytes (for [`budget_is_kept`]).
    struct Counting;

    fn held(change: isize) {
        HELD.with(|h| {
            let (now, peak) = h.get();
            h.set((now + change, peak.max(now + change)));
        });
    }

    unsafe impl std::alloc::GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
            held(layout.size() as isize);
            unsafe { std::alloc::System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
            held(-(layout.size() as isize));
            unsafe { std::alloc::System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
            // For a moment both blocks may be held.
            held(size as isize);
            held(-(layout.size() as isize));
            unsafe { std::alloc::System.realloc(ptr, layout, size) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    // What an exploration really allocates stays within its budget, stopped or finished.
    #[test]
    fn budget_is_kept() {
        let peak_of = |run: &dyn Fn()| {
            HELD.with(|h| h.set((h.get().0, h.get().0)));
            let before = HELD.with(|h| h.get().0);
            run();
            HELD.with(|h| h.get().1) - before
        };
        let budget = 32 << 20;
        let control = ExploreControl::sequential().with_memory_budget(budget);
        let stopped = peak_of(&|| {
            let r = explore(&wide_forever(), &Limits { max_states: 5_000_000 }, &control);
            assert!(matches!(r, Err(ExploreError::MemoryLimit { .. })));
        });
        assert!(stopped <= budget as isize, "{stopped} bytes");
        assert!(stopped > budget as isize / 2, "{stopped} bytes: the estimate is not far off");
        let finished = peak_of(&|| {
            let r = explore(&program(&threads(6, "  x = x + 1\n  x = x + 1")), &Limits::default(), &control).unwrap();
            // 24 steps, 4 in each thread, in any order that keeps each thread's own: 24! / 4!^6.
            assert_eq!(r.schedules, big(3_246_670_537_110_000));
        });
        assert!(finished <= budget as isize, "{finished} bytes");
    }

    // The same programs as in the browser test, and more: programs of 1 to 16 threads, up to
    // every cap. Each parses; the machine steps it, describing every state, and a learner's
    // schedule steps and undoes; exploring it sequentially, in slices and in parallel ends with
    // the same report or the same refusal, and a report adds up.
    fn survives(src: &str, seed: u64) {
        let p = parse(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
        walk(&p, seed);
        let limits = Limits { max_states: 2_000 };
        let budget = 4 << 20;
        let sequential = explore(&p, &limits, &ExploreControl::sequential().with_memory_budget(budget));
        let parallel = explore(&p, &limits, &ExploreControl::parallel().with_memory_budget(budget));
        assert_eq!(sequential, parallel, "{src}");
        let mut sliced = Exploration::new(&p, &limits, true).with_memory_budget(budget);
        let in_slices = loop {
            if let Some(r) = sliced.run_until(|| true) {
                break r;
            }
        };
        assert_eq!(in_slices, sequential, "{src}");
        match sequential {
            Ok(r) if !r.unbounded => {
                assert_eq!(r.schedules, &r.complete + &r.deadlock + &r.error);
                assert_eq!(r.outcomes.iter().map(|o| o.schedules.clone()).sum::<BigUint>(), r.complete);
            }
            Ok(r) => assert!(r.schedules == big(0) && r.states <= limits.max_states),
            Err(ExploreError::StateLimit { states }) => assert_eq!(states, limits.max_states + 1),
            Err(ExploreError::MemoryLimit { states, .. }) => assert!(states <= limits.max_states),
            Err(ExploreError::Cancelled) => panic!("nothing cancelled it"),
        }
        let _ = shortest_schedule(&p, &Target::Error, &limits);
    }

    /// Store buffering under `tso` in a ring of three threads, three writes each (the benchmark's).
    const STORE_BUFFERING: &str = include_str!("../benches/programs/store-buffering-ring.txt");

    // The parallel discovery records one batch while it computes the next: whatever the state
    // limit or the memory budget, it stops where the sequential one does (at every size of
    // batch, in the middle of one or at its end), or gives the same report; in slices too.
    #[test]
    fn parallel_stops_where_sequential_does() {
        let programs = [
            threads(4, "  x = x + 1\n  x = x + 1\n  x = x + 1"),
            STORE_BUFFERING.to_string(),
            builtin("peterson").unwrap().to_string(),
            "thread A { while 1 { r = r + 1 } }\nthread B { r = 1 }".to_string(),
        ];
        for source in &programs {
            let p = program(source);
            let states = explore(&p, &Limits::default(), &ExploreControl::sequential()).map_or(0, |r| r.states);
            for max in [1, 2, 3, 40, 999, 4_321, 20_000, 100_000] {
                let limits = Limits { max_states: max };
                let sequential = explore(&p, &limits, &ExploreControl::sequential());
                assert_eq!(explore(&p, &limits, &ExploreControl::parallel()), sequential, "{max} states\n{source}");
                match &sequential {
                    Err(ExploreError::StateLimit { states }) => assert_eq!(*states, max + 1),
                    Ok(r) => assert!(r.states <= max && (r.states == states || states == 0)),
                    other => panic!("{other:?}"),
                }
            }
            for budget in [40 << 10, 600 << 10, 1 << 20, 1536 << 10, 3 << 20, 6 << 20, 9 << 20] {
                let limits = Limits { max_states: 200_000 };
                let control = ExploreControl::sequential().with_memory_budget(budget);
                let sequential = explore(&p, &limits, &control);
                let parallel = explore(&p, &limits, &ExploreControl::parallel().with_memory_budget(budget));
                assert_eq!(parallel, sequential, "{budget} bytes\n{source}");
                let mut sliced = Exploration::new(&p, &limits, true).with_memory_budget(budget);
                assert_eq!(sliced.run_until(|| false), Some(sequential), "{budget} bytes\n{source}");
            }
        }
    }

    // The generator keeps within the caps and reaches them.
    #[test]
    fn random_programs_reach_the_caps() {
        let programs: Vec<Program> = (0..400).map(|seed| program(&random_program(seed))).collect();
        let threads: Vec<usize> = programs.iter().map(|p| Machine::new(p).thread_names().len()).collect();
        assert_eq!(threads.iter().min(), Some(&1));
        assert_eq!(threads.iter().max(), Some(&MAX_THREADS));
        assert!(threads.iter().filter(|&&n| n == MAX_THREADS).count() > 40);
        let tso = programs.iter().filter(|p| p.memory() == interleave_core::explorer::MemoryModel::Tso).count();
        assert!((80..=200).contains(&tso), "{tso} of 400 under tso");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        // No program within the caps makes the machine or the explorer panic or run on.
        #[test]
        fn random_programs_end(seed in any::<u64>()) {
            survives(&random_program(seed), seed);
        }
    }
}

mod part2 {
    use super::*;
    use interleave_core::explorer::{MemoryModel, MoveKind, STORE_BUFFER_MOST};

    const SB: &str = "shared x = 0\nshared y = 0\nshared a = 0\nshared b = 0\n\
                      thread A {\n  x = 1\n  r = y\n  a = r\n}\nthread B {\n  y = 1\n  r = x\n  b = r\n}\n";

    fn reaches(report: &Report, pairs: &[(&str, i64)]) -> bool {
        report.outcomes.iter().any(|o| pairs.iter().all(|(k, v)| o.values[*k] == *v))
    }

    // The spec's worked checks: store buffering reaches a = 0, b = 0 under tso only, and not
    // with a fence after each first write; the lost update is the same under `memory sc`.
    #[test]
    fn worked_checks() {
        let zero = [("a", 0), ("b", 0)];
        assert!(reaches(&run(&format!("memory tso\n{SB}")), &zero));
        assert!(!reaches(&run(&format!("memory sc\n{SB}")), &zero));
        assert!(!reaches(&run(SB), &zero));
        let fenced = SB.replace("  x = 1\n", "  x = 1\n  fence\n").replace("  y = 1\n", "  y = 1\n  fence\n");
        assert!(!reaches(&run(&format!("memory tso\n{fenced}")), &zero));
        let lost = builtin("lost-update").unwrap();
        assert_eq!(run(&format!("memory sc\n{lost}")), run(lost));
        // Under sc a fence is one step that changes nothing: a thread of one fence has one schedule.
        assert_eq!(run("thread A {\n  fence\n}").schedules, big(1));
    }

    // Every built-in program's report, pinned: (schedules, complete, bad, deadlock, error, states,
    // unbounded, outcomes, outcomes only store buffers allow).
    #[test]
    fn builtin_reports() {
        let pins: &[(&str, u64, u64, u64, u64, u64, usize, bool, usize, usize)] = &[
            ("store-buffering", 2268, 2268, 844, 0, 0, 113, false, 4, 1),
            ("store-buffering-fenced", 924, 924, 0, 0, 0, 79, false, 3, 0),
            ("store-buffering-one-fence", 1386, 1386, 120, 0, 0, 102, false, 4, 1),
            ("message-passing", 840, 840, 0, 0, 0, 73, false, 3, 0),
            ("peterson-tso", 0, 0, 0, 0, 0, 866, true, 4, 2),
            ("peterson-fence", 0, 0, 0, 0, 0, 211, true, 2, 0),
            ("bounded-buffer", 64, 64, 0, 0, 0, 110, false, 1, 0),
            ("bounded-buffer-if", 64, 64, 8, 0, 0, 146, false, 2, 0),
            ("bounded-buffer-notify", 80, 72, 0, 8, 0, 114, false, 1, 0),
            ("lost-wakeup", 2, 1, 0, 1, 0, 15, false, 1, 0),
            ("barrier-phases", 36, 36, 0, 0, 0, 17, false, 1, 0),
            ("barrier-deadlock", 700, 0, 0, 700, 0, 36, false, 0, 0),
        ];
        for &(id, schedules, complete, bad, deadlock, error, states, unbounded, outcomes, weaker) in pins {
            let p = program(builtin(id).unwrap());
            let mut r = explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap();
            let sc = explore(&p.with_memory(MemoryModel::Sc), &Limits::default(), &ExploreControl::sequential()).unwrap();
            r.mark_store_buffer_outcomes(&sc);
            let got = (
                u64::try_from(&r.schedules).unwrap(),
                u64::try_from(&r.complete).unwrap(),
                u64::try_from(&r.bad).unwrap(),
                u64::try_from(&r.deadlock).unwrap(),
                u64::try_from(&r.error).unwrap(),
                r.states,
                r.unbounded,
                r.outcomes.len(),
                r.store_buffer_outcomes(),
            );
            assert_eq!(got, (schedules, complete, bad, deadlock, error, states, unbounded, outcomes, weaker), "{id}");
        }
        let wait = run(builtin("wait-without-lock").unwrap());
        assert!(wait.reachable.error && wait.reachable.complete, "the waiter fails unless ready is set first");
    }

    // Be the scheduler under tso: a write goes to the buffer, the thread sees it and memory does
    // not; a flush moves it to memory; undo and redo cover flushes; the schedule names them.
    #[test]
    fn store_buffers_by_hand() {
        let mut s = Scheduler::new(&program(builtin("store-buffering").unwrap()));
        assert!(s.machine().has_store_buffers());
        assert!(!s.flush(0), "an empty buffer has nothing to flush");
        assert!(s.step(0)); // A: x = 1, into its buffer
        let views = s.machine().describe(s.state());
        assert_eq!(views[0].buffer, vec![("x".to_string(), 1)]);
        assert_eq!(views[0].sees, vec![("x".to_string(), 1)]);
        assert_eq!(views[0].buffer_text(), "x = 1");
        assert_eq!(views[1].buffer_text(), "empty");
        assert_eq!(s.machine().shared_values(s.state())["x"], 0, "memory still holds 0");
        assert!(s.moves().contains(&Move::flush(0)));
        assert_eq!(s.machine().move_label(s.state(), Move::flush(0)), "Flush A: x = 1");
        assert!(s.step(1) && s.step(0) && s.step(1)); // B: y = 1; A: r = y (0); B: r = x (0)
        assert!(s.step(0) && s.step(1)); // a = r, b = r (buffered too)
        // Every thread has run its last statement, but none is finished until its buffer drains.
        assert_eq!(s.machine().end_note(s.state()), None);
        assert_eq!(s.machine().describe(s.state())[0].next.as_deref(), Some("done, once its store buffer is flushed"));
        while s.flush(0) {}
        while s.flush(1) {}
        assert!(s.solves(&Goal::Outcome("a == 0 && b == 0")));
        assert_eq!(s.schedule_text(), "A B A B A B flush(A) flush(A) flush(B) flush(B)");
        assert!(s.undo());
        assert_eq!(s.machine().describe(s.state())[1].buffer, vec![("b".to_string(), 0)]);
        assert!(s.redo());
        assert!(s.solves(&Goal::Outcome("a == 0 && b == 0")));
    }

    // A fence, a lock or an atomic block waits for the thread's buffer to drain; a full buffer
    // takes no write; a thread without loops gets a buffer as long as its writes.
    #[test]
    fn buffers_drain_and_fill() {
        let mut s = Scheduler::new(&program(builtin("store-buffering-fenced").unwrap()));
        assert!(s.step(0));
        assert_eq!(s.moves(), vec![Move::flush(0), Move::step(1)], "A's fence waits for its flush");
        let view = &s.machine().describe(s.state())[0];
        assert_eq!(view.state, ThreadState::Blocked);
        assert_eq!(view.next.as_deref(), Some("fence (waits: its store buffer must drain first: flush it)"));
        assert!(s.flush(0) && s.step(0));
        let p = program("memory tso\nshared x = 0\nlock m\nthread A {\n  x = 1\n  lock m\n  atomic { x = x + 1 }\n  unlock m\n}\n");
        let m = Machine::new(&p);
        let s1 = m.step(&m.initial(), 0);
        assert_eq!(m.moves(&s1), vec![Move::flush(0)]);
        let s2 = m.step(&m.apply(&s1, Move::flush(0)), 0);
        assert_eq!(m.shared_values(&m.step(&s2, 0))["x"], 2, "atomic reads and writes memory directly");
        // A loop gets the largest buffer; the ninth buffered write waits.
        let looping = program("memory tso\nshared x = 0\nthread A {\n  while x < 20 {\n    x = x + 1\n  }\n}\n");
        let m = Machine::new(&looping);
        let mut st = m.initial();
        for _ in 0..STORE_BUFFER_MOST {
            // The test reads its own latest write, `x = x + 1` reads it again, then writes.
            st = m.step(&m.step(&m.step(&st, 0), 0), 0);
        }
        assert_eq!(m.describe(&st)[0].buffer.len(), STORE_BUFFER_MOST);
        assert_eq!(m.describe(&st)[0].buffer_size, STORE_BUFFER_MOST);
        assert_eq!(m.describe(&st)[0].sees, vec![("x".to_string(), STORE_BUFFER_MOST as i64)]);
        let st = m.step(&m.step(&st, 0), 0);
        assert_eq!(m.moves(&st), vec![Move::flush(0)], "a full buffer must flush first");
        assert_eq!(m.describe(&st)[0].next.as_deref(), Some("write x = t0 + 1 (waits: its store buffer is full: flush it)"));
        // Straight-line code: one entry per write on the longest path.
        let m = Machine::new(&program(builtin("store-buffering").unwrap()));
        assert_eq!(m.describe(&m.initial())[0].buffer_size, 2);
    }

    // Condition variables: `wait` releases the lock and sleeps; `notify` with two waiters is a
    // choice of two moves; the woken thread takes the lock again; a lost notification is told.
    #[test]
    fn condition_variables_by_hand() {
        let src = "lock m\ncond c\nshared go = 0\n\
                   thread A {\n  lock m\n  wait c m\n  unlock m\n}\n\
                   thread B {\n  lock m\n  wait c m\n  unlock m\n}\n\
                   thread N {\n  lock m\n  go = 1\n  notify c\n  unlock m\n}\n";
        let mut s = Scheduler::new(&program(src));
        assert!(s.step(0) && s.step(0)); // A locks, waits (releases m)
        let a = &s.machine().describe(s.state())[0];
        assert_eq!((a.state, a.next.as_deref()), (ThreadState::Waiting, Some("lock m again, after waiting on c (asleep on c until a notify wakes it)")));
        assert_eq!(s.machine().locks_text(s.state()).as_deref(), Some("m: free"));
        assert!(s.step(1) && s.step(1)); // B too
        assert_eq!(s.machine().wait_sets_text(s.state()).as_deref(), Some("c: A, B wait"));
        assert!(s.step(2) && s.step(2));
        let wakes: Vec<Move> = s.moves();
        assert_eq!(wakes, vec![Move { thread: 2, kind: MoveKind::Wake(0) }, Move { thread: 2, kind: MoveKind::Wake(1) }]);
        assert_eq!(s.machine().move_label(s.state(), wakes[1]), "Step N, waking B");
        assert!(s.take(wakes[1]));
        assert_eq!(s.machine().wait_sets_text(s.state()).as_deref(), Some("c: A waits"));
        assert!(!s.step(1), "B must take m again, and N holds it");
        assert!(s.step(2) && s.step(1) && s.step(1));
        assert_eq!(s.machine().end_note(s.state()).map(|n| n.bad_news), Some(true), "A sleeps for ever: deadlock");
        assert!(s.notes().is_empty());
        // One notify for two waiters always leaves one asleep; `notify_all` wakes both.
        let r = run(src);
        assert!(r.reachable.deadlock && !r.reachable.complete);
        let all = run(&src.replace("notify c", "notify_all c"));
        assert!(all.reachable.deadlock && all.reachable.complete);
        // A notification nobody waits for is lost, and the schedule says so.
        let mut s = Scheduler::new(&program(builtin("lost-wakeup").unwrap()));
        assert!(s.step(1) && s.step(1));
        assert_eq!(
            s.machine().describe(s.state())[1].next.as_deref(),
            Some("notify c (no thread waits: the notification will be lost)")
        );
        assert!(s.step(1));
        assert_eq!(s.notes(), vec!["Lost notification: Notifier notified c while no thread was waiting on it, so nothing woke.".to_string()]);
        assert!(s.step(1) && s.step(0) && s.step(0));
        assert_eq!(s.machine().status(s.state()), Status::Deadlock);
        // Waiting without the lock is an error.
        let mut s = Scheduler::new(&program(builtin("wait-without-lock").unwrap()));
        assert!(s.step(0) && s.step(0));
        assert!(matches!(s.machine().status(s.state()), Status::Error { .. }));
        assert_eq!(
            s.machine().end_note(s.state()).unwrap().text,
            "Error in thread Waiter at line 8: wait c m while not holding m"
        );
    }

    // Barriers: arrivals wait until the N-th, which releases all and starts a new round.
    #[test]
    fn barriers_by_hand() {
        let src = "barrier b = 2\nshared x = 0\nthread A {\n  arrive b\n  arrive b\n}\nthread B {\n  arrive b\n  arrive b\n}\n";
        let mut s = Scheduler::new(&program(src));
        assert!(s.step(0));
        assert_eq!(s.machine().barriers_text(s.state()).as_deref(), Some("b: 1 of 2 arrived (A)"));
        assert_eq!(s.machine().describe(s.state())[0].state, ThreadState::Waiting);
        assert_eq!(s.moves(), vec![Move::step(1)]);
        assert!(s.step(1));
        assert_eq!(s.machine().barriers_text(s.state()).as_deref(), Some("b: 0 of 2 arrived"));
        assert_eq!(s.moves(), vec![Move::step(0), Move::step(1)]);
        assert!(s.step(1) && s.step(0));
        assert_eq!(s.machine().status(s.state()), Status::Complete { bad: false });
        // A barrier for three with two threads: every schedule deadlocks.
        let r = run("barrier b = 3\nthread A {\n  arrive b\n}\nthread B {\n  arrive b\n}\n");
        assert_eq!((r.schedules.clone(), r.deadlock.clone()), (big(2), big(2)));
        // A barrier for one never waits.
        assert_eq!(run("barrier b = 1\nthread A {\n  arrive b\n  arrive b\n}\n").complete, big(1));
    }

    // The parser: the memory line first and once, the new declarations and statements, and
    // what is refused where.
    #[test]
    fn parser() {
        let err = |src: &str| parse(src).unwrap_err().to_string();
        assert_eq!(program("memory tso\nthread A {\n  fence\n}").memory(), MemoryModel::Tso);
        assert_eq!(program("thread A {\n  fence\n}").memory(), MemoryModel::Sc);
        assert_eq!(err("shared x = 0\nmemory tso\nthread A { }"), "line 2, column 1: `memory` must come first, before the declarations");
        assert_eq!(err("memory tso\nmemory sc\nthread A { }"), "line 2, column 1: the program already says its memory model");
        assert_eq!(err("memory arm\nthread A { }"), "line 1, column 8: expected `sc` or `tso` after `memory`, found `arm`");
        assert_eq!(err("barrier b = 0\nthread A { }"), "line 1, column 13: barrier `b` must wait for 1 to 16 threads (a program has at most 16)");
        assert_eq!(err("cond c\nthread A { wait c }"), "line 2, column 19: expected a lock name after `wait c` (the lock the waiter holds), found `}`");
        assert_eq!(err("cond c\nshared x = 0\nthread A { wait c x }"), "line 3, column 19: `wait c` needs a lock after it, but `x` is a shared variable");
        assert_eq!(err("lock m\nthread A { notify m }"), "line 2, column 19: `notify` needs a condition variable, but `m` is a lock");
        assert_eq!(err("thread A { arrive b }"), "line 1, column 19: unknown barrier `b` (declare it with `barrier b = 2`)");
        assert_eq!(err("thread A { atomic { fence } }"), "line 1, column 21: `fence` is not allowed inside `atomic`");
        assert_eq!(err("cond c\nthread A { atomic { notify c } }"), "line 2, column 21: `notify` is not allowed inside `atomic`");
        assert_eq!(err("thread A { fence = 1 }"), "line 1, column 18: expected a statement (an assignment, `if`, `while`, `atomic`, `lock`, `unlock`, `wait`, `signal`, `fence`, `notify`, `notify_all` or `arrive`) or `}` to close thread A, found `=`");
    }

    // Symmetry reduction and the parallel engine keep every count under tso, with conditions
    // and barriers.
    #[test]
    fn symmetry_and_parallel() {
        for id in ["store-buffering", "bounded-buffer", "bounded-buffer-notify", "barrier-phases", "peterson-tso"] {
            let p = program(builtin(id).unwrap());
            let on = explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap();
            let off = explore(&p, &Limits::default(), &ExploreControl::sequential().with_symmetry(false)).unwrap();
            assert_eq!(Report { states: off.states, ..on.clone() }, off, "{id}");
            assert_eq!(parallel(&p), on, "{id}");
        }
        // Four identical tso threads: symmetry merges states, counts stay.
        let body = "  x = x + 1\n  fence\n";
        let src = format!("memory tso\nshared x = 0\n{}", ["A", "B", "C"].map(|t| format!("thread {t} {{\n{body}}}\n")).concat());
        let p = program(&src);
        let on = explore(&p, &Limits::default(), &ExploreControl::sequential()).unwrap();
        let off = explore(&p, &Limits::default(), &ExploreControl::sequential().with_symmetry(false)).unwrap();
        assert!(on.states < off.states);
        assert_eq!(Report { states: off.states, ..on }, off);
    }
}
