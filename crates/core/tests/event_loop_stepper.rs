//! The event-loop stepper: the output order of every built-in program (the JavaScript facts the
//! widget teaches), virtual time, stepping back exactly, run/reset, and prediction grading, the
//! chips left to pick and the verdict, as the widget shows them.

use interleave_core::event_loop_stepper::{
    check_prediction, expected_output, log_texts, script, scripts, tokens_left, Phase, Script, Snapshot,
    Stepper,
};

fn builtin(id: &str) -> &'static Script {
    script(id).unwrap_or_else(|| panic!("no built-in script {id}"))
}

/// Every snapshot of a run, from the start to the end.
fn all_snapshots(program: &Script) -> Vec<Snapshot> {
    let mut sim = Stepper::new(program);
    let mut snapshots = vec![sim.snapshot().clone()];
    while sim.step() {
        snapshots.push(sim.snapshot().clone());
    }
    snapshots
}

/// The console of a finished run as (text, virtual ms).
fn console(id: &str) -> Vec<(String, u64)> {
    let mut sim = Stepper::new(builtin(id));
    sim.run_to_end();
    sim.snapshot().console.clone()
}

fn texts(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|s| s.to_string()).collect()
}

mod output {
    use super::*;

    // The script logs A and D, then the microtask logs C, then the 0 ms timer's task logs B.
    #[test]
    fn timeout_vs_then() {
        assert_eq!(expected_output(builtin("timeout-vs-then")), ["A", "D", "C", "B"]);
    }

    // Two async functions run up to their first await, then alternate one microtask at a time.
    #[test]
    fn two_async() {
        assert_eq!(
            expected_output(builtin("two-async")),
            [
                "first: start",
                "second: start",
                "script end",
                "first: middle",
                "second: middle",
                "first: end",
                "second: end"
            ]
        );
    }

    // The timer's callback runs only after the busy loop, even though its delay is shorter.
    #[test]
    fn long_loop_delays_timer() {
        assert_eq!(expected_output(builtin("long-loop-delays-timer")), ["start", "loop done", "timer fired"]);
    }

    // The whole .then chain, and the microtask it queues, run before the 0 ms timer.
    #[test]
    fn microtasks_starve() {
        assert_eq!(
            expected_output(builtin("microtasks-starve")),
            ["script end", "then 1", "then 2", "then 3", "microtask 4", "timeout"]
        );
    }

    // Promise.all's sleeps overlap, so `together` finishes first although it started second.
    #[test]
    fn await_in_turn_vs_all() {
        assert_eq!(expected_output(builtin("await-in-turn-vs-all")), ["together: done", "in turn: done"]);
    }

    // The four programs the widget promises are there, and ids are unique.
    #[test]
    fn builtins_are_listed_once() {
        for id in ["timeout-vs-then", "two-async", "long-loop-delays-timer", "microtasks-starve"] {
            assert!(script(id).is_some(), "{id} missing");
        }
        let mut ids: Vec<&str> = scripts().iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), scripts().len());
    }
}

mod time {
    use super::*;

    // The 10 ms timer logs at 200 ms or later: the loop's duration, not its own delay.
    #[test]
    fn long_loop_delays_the_timer_log() {
        let log = console("long-loop-delays-timer");
        let at = |text: &str| log.iter().find(|(t, _)| t == text).unwrap().1;
        assert_eq!(at("start"), 0);
        assert!(at("timer fired") >= 200, "timer fired at {} ms", at("timer fired"));
        assert!(at("timer fired") >= at("loop done"));
    }

    // While the loop still holds the stack, the expired timer's callback already waits in the task queue.
    #[test]
    fn expired_timer_waits_behind_the_loop() {
        let snapshots = all_snapshots(builtin("long-loop-delays-timer"));
        let waiting =
            snapshots.iter().find(|s| s.task_queue.iter().any(|t| t.contains("timer fired"))).unwrap();
        assert_eq!(waiting.now_ms, 10);
        assert_eq!(waiting.phase, Phase::RunningScript);
        assert_eq!(waiting.current_line, Some(3), "the loop line stays highlighted");
    }

    // Promise.all finishes at 100 ms, the sleeps in turn at 200 ms.
    #[test]
    fn promise_all_overlaps_the_waits() {
        assert_eq!(
            console("await-in-turn-vs-all"),
            [("together: done".into(), 100), ("in turn: done".into(), 200)]
        );
    }

    // Without timers or loops, no virtual time passes.
    #[test]
    fn no_time_passes_without_timers_or_loops() {
        assert!(console("two-async").iter().all(|&(_, ms)| ms == 0));
        assert!(console("timeout-vs-then").iter().all(|&(_, ms)| ms == 0));
    }

    // The clock never runs backwards and pending timers are listed soonest first.
    #[test]
    fn clock_is_monotonic_and_timers_sorted() {
        for program in scripts() {
            let snapshots = all_snapshots(program);
            for pair in snapshots.windows(2) {
                assert!(pair[0].now_ms <= pair[1].now_ms, "{}", program.id);
            }
            for s in &snapshots {
                assert!(s.timers.windows(2).all(|w| w[0].1 <= w[1].1), "{}", program.id);
            }
        }
    }
}

mod mechanism {
    use super::*;

    // The 0 ms timer's task is already queued while the .then microtasks run ahead of it.
    #[test]
    fn microtasks_overtake_a_queued_task() {
        let snapshots = all_snapshots(builtin("microtasks-starve"));
        assert!(snapshots.iter().any(|s| s.phase == Phase::RunningMicrotasks
            && s.task_queue == ["setTimeout callback (timeout)"]
            && !s.call_stack.is_empty()));
    }

    // An async function leaves the stack at its await and comes back as a queued continuation.
    #[test]
    fn await_suspends_and_resumes() {
        let snapshots = all_snapshots(builtin("two-async"));
        assert!(snapshots
            .iter()
            .any(|s| s.microtask_queue == ["resume first() after await", "resume second() after await"]
                && s.call_stack.len() == 1
                && s.call_stack[0].name == "main script"));
        assert!(snapshots.iter().any(|s| s.call_stack.iter().any(|f| f.name == "first() (resumed)")));
    }

    // The queues and the stack start with just the script waiting, and end empty with phase done.
    #[test]
    fn starts_ready_and_ends_done() {
        for program in scripts() {
            let snapshots = all_snapshots(program);
            let (first, last) = (&snapshots[0], snapshots.last().unwrap());
            assert_eq!(first.phase, Phase::Ready);
            assert_eq!(first.task_queue, ["main script"]);
            assert!(first.call_stack.is_empty() && first.console.is_empty());
            assert_eq!(last.phase, Phase::Done, "{}", program.id);
            assert!(last.call_stack.is_empty() && last.task_queue.is_empty());
            assert!(last.microtask_queue.is_empty() && last.timers.is_empty());
        }
    }

    // Programs stay small enough to step through by hand: fewer than 60 steps each.
    #[test]
    fn programs_are_short() {
        for program in scripts() {
            let steps = all_snapshots(program).len() - 1;
            assert!((5..60).contains(&steps), "{}: {steps} steps", program.id);
        }
    }

    // Every step explains itself and highlights a line that exists.
    #[test]
    fn every_step_has_a_note_and_a_valid_line() {
        for program in scripts() {
            for s in all_snapshots(program) {
                assert!(!s.note.is_empty(), "{} step {}", program.id, s.step);
                if let Some(line) = s.current_line {
                    assert!(line < program.source.len(), "{} step {}", program.id, s.step);
                }
                for frame in &s.call_stack {
                    assert!(frame.line.is_none_or(|l| l < program.source.len()));
                }
            }
        }
    }

    // Every op of every program points at an existing source line, and only async functions await.
    #[test]
    fn scripts_are_well_formed() {
        use interleave_core::event_loop_stepper::Op;
        for program in scripts() {
            assert_eq!(program.functions[0].name, "main script");
            for function in program.functions {
                for instr in function.body {
                    assert!(instr.line < program.source.len(), "{} {}", program.id, function.name);
                    if instr.op == Op::Await {
                        assert!(function.is_async, "{} {}", program.id, function.name);
                    }
                }
            }
        }
    }

    // The snapshot's phase labels read as the widget describes them.
    #[test]
    fn phase_labels() {
        assert_eq!(Phase::RunningMicrotasks.to_string(), "running microtasks");
        assert_eq!(Phase::Idle.label(), "idle: waiting for timer");
        let snapshots = all_snapshots(builtin("await-in-turn-vs-all"));
        assert!(snapshots.iter().any(|s| s.phase == Phase::Idle));
        assert!(snapshots.iter().any(|s| s.phase == Phase::RunningTask || s.phase == Phase::NextTask));
    }
}

mod stepping {
    use super::*;

    // For every step k, step then back restores exactly the snapshot before it.
    #[test]
    fn back_undoes_each_step_exactly() {
        for program in scripts() {
            let mut sim = Stepper::new(program);
            loop {
                let before = sim.snapshot().clone();
                if !sim.step() {
                    assert_eq!(sim.snapshot(), &before, "a refused step changes nothing");
                    break;
                }
                let after = sim.snapshot().clone();
                assert_ne!(after, before, "{} step {} changed nothing", program.id, before.step);
                assert!(sim.back());
                assert_eq!(sim.snapshot(), &before, "{} step {}", program.id, before.step);
                assert!(sim.step());
                assert_eq!(sim.snapshot(), &after, "{} step {} replays", program.id, before.step);
            }
        }
    }

    // Stepping back from the end walks the same states in reverse; back at the start is refused.
    #[test]
    fn back_walks_the_history_to_the_start() {
        for program in scripts() {
            let forward = all_snapshots(program);
            let mut sim = Stepper::new(program);
            sim.run_to_end();
            for expected in forward.iter().rev().skip(1) {
                assert!(sim.back());
                assert_eq!(sim.snapshot(), expected);
            }
            assert!(sim.at_start());
            assert!(!sim.back());
            assert_eq!(sim.snapshot(), &forward[0]);
        }
    }

    // run_to_end reaches the same final state as stepping one by one.
    #[test]
    fn run_to_end_equals_stepping() {
        for program in scripts() {
            let mut sim = Stepper::new(program);
            sim.run_to_end();
            assert!(sim.finished());
            assert!(!sim.step());
            assert_eq!(sim.snapshot(), all_snapshots(program).last().unwrap());
            assert_eq!(sim.steps_taken(), all_snapshots(program).len() - 1);
        }
    }

    // reset returns to the initial snapshot, from the middle and from the end.
    #[test]
    fn reset_returns_to_the_start() {
        for program in scripts() {
            let mut sim = Stepper::new(program);
            let start = sim.snapshot().clone();
            assert!(sim.at_start() && !sim.finished());
            for _ in 0..3 {
                sim.step();
            }
            sim.reset();
            assert_eq!(sim.snapshot(), &start);
            sim.run_to_end();
            sim.reset();
            assert!(sim.at_start());
            assert_eq!(sim.snapshot(), &start);
            assert_eq!(sim.script(), program);
        }
    }
}

mod prediction {
    use super::*;

    // The right order is graded correct.
    #[test]
    fn right_prediction() {
        let p = check_prediction(builtin("timeout-vs-then"), &texts(&["A", "D", "C", "B"]));
        assert!(p.correct);
        assert_eq!(p.first_difference, None);
        assert_eq!(p.expected, ["A", "D", "C", "B"]);
    }

    // The classic wrong guess (source order) differs first at index 1.
    #[test]
    fn source_order_is_wrong() {
        let p = check_prediction(builtin("timeout-vs-then"), &texts(&["A", "B", "C", "D"]));
        assert!(!p.correct);
        assert_eq!(p.first_difference, Some(1));
    }

    // Putting the timer before the microtask is caught where it happens.
    #[test]
    fn timer_before_microtask_is_wrong() {
        let p =
            check_prediction(builtin("microtasks-starve"), &["script end", "then 1", "timeout", "then 2"]);
        assert!(!p.correct);
        assert_eq!(p.first_difference, Some(2));
    }

    // A prediction that is too short or too long differs at the end of the shorter one.
    #[test]
    fn missing_or_extra_lines() {
        let program = builtin("timeout-vs-then");
        assert_eq!(check_prediction(program, &["A", "D"]).first_difference, Some(2));
        assert_eq!(check_prediction(program, &["A", "D", "C", "B", "B"]).first_difference, Some(4));
        assert_eq!(check_prediction(program, &[] as &[&str]).first_difference, Some(0));
    }

    // The tokens to order are each program's distinct log texts, in source order, and match the output.
    #[test]
    fn log_texts_are_the_tokens() {
        assert_eq!(log_texts(builtin("timeout-vs-then")), ["A", "B", "C", "D"]);
        for program in scripts() {
            let mut tokens = log_texts(program);
            let mut output = expected_output(program);
            tokens.sort();
            output.sort();
            output.dedup();
            assert_eq!(tokens, output, "{}", program.id);
        }
    }

    // The chips left to pick: each token once, in source order, gone once picked.
    #[test]
    fn tokens_left_to_pick() {
        let script = builtin("timeout-vs-then");
        assert_eq!(tokens_left(script, &[] as &[&str]), ["A", "B", "C", "D"]);
        assert_eq!(tokens_left(script, &["C", "A"]), ["B", "D"]);
        assert!(tokens_left(script, &["A", "D", "C", "B"]).is_empty());
    }

    // The verdict the widget shows, right and wrong (lines counted from 1).
    #[test]
    fn verdict_text() {
        let script = builtin("timeout-vs-then");
        assert_eq!(check_prediction(script, &["A", "D", "C", "B"]).verdict(), "Your prediction was right.");
        assert_eq!(
            check_prediction(script, &["A", "B", "C", "D"]).verdict(),
            "Not quite: the output was A → D → C → B. The first difference is line 2."
        );
    }
}
