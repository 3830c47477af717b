//! The stepper's built-in scripts: content as data, checked by the tests (each op on an existing
//! line, only async functions await, the output each one teaches).

use super::model::{Function, Instr, Op, Script};

/// The built-in scripts.
pub fn scripts() -> &'static [Script] {
    &SCRIPTS
}

/// The built-in script with this id.
pub fn script(id: &str) -> Option<&'static Script> {
    SCRIPTS.iter().find(|p| p.id == id)
}

const fn at(line: usize, op: Op) -> Instr {
    Instr { line, op }
}

const fn main(body: &'static [Instr]) -> Function {
    Function { name: "main script", is_async: false, line: None, body }
}

const fn callback(name: &'static str, line: usize, body: &'static [Instr]) -> Function {
    Function { name, is_async: false, line: Some(line), body }
}

const fn async_fn(name: &'static str, line: usize, body: &'static [Instr]) -> Function {
    Function { name, is_async: true, line: Some(line), body }
}

static SCRIPTS: [Script; 5] = [
    // A, D, C, B: the script runs to the end, then the microtask (C), then the task (B).
    Script {
        id: "timeout-vs-then",
        title: "setTimeout 0 vs Promise.then",
        explain: "A 0 ms timer still waits in the task queue until the script and every microtask are \
                  done, so the .then callback runs first.",
        source: &[
            "console.log('A');",
            "setTimeout(() => console.log('B'), 0);",
            "Promise.resolve().then(() => console.log('C'));",
            "console.log('D');",
        ],
        functions: &[
            main(&[
                at(0, Op::Log("A")),
                at(1, Op::SetTimeout { delay_ms: 0, callback: 1 }),
                at(2, Op::ResolvedPromise),
                at(2, Op::Then { callback: 2 }),
                at(3, Op::Log("D")),
            ]),
            callback("callback (B)", 1, &[at(1, Op::Log("B"))]),
            callback("callback (C)", 2, &[at(2, Op::Log("C"))]),
        ],
    },
    // first: start, second: start, script end, first: middle, second: middle, first: end,
    // second: end. Each async function runs synchronously up to its first await. Awaiting an
    // already fulfilled native promise takes exactly one microtask turn (ES2019 and later), so
    // each continuation is queued behind the other function's: they alternate.
    Script {
        id: "two-async",
        title: "Two async functions take turns",
        explain: "Each await pauses its function and lets the other code run; the two functions \
                  interleave on one thread, one microtask at a time.",
        source: &[
            "async function first() {",
            "  console.log('first: start');",
            "  await Promise.resolve();",
            "  console.log('first: middle');",
            "  await Promise.resolve();",
            "  console.log('first: end');",
            "}",
            "async function second() {",
            "  console.log('second: start');",
            "  await Promise.resolve();",
            "  console.log('second: middle');",
            "  await Promise.resolve();",
            "  console.log('second: end');",
            "}",
            "first();",
            "second();",
            "console.log('script end');",
        ],
        functions: &[
            main(&[at(14, Op::Call(1)), at(15, Op::Call(2)), at(16, Op::Log("script end"))]),
            async_fn(
                "first",
                0,
                &[
                    at(1, Op::Log("first: start")),
                    at(2, Op::ResolvedPromise),
                    at(2, Op::Await),
                    at(3, Op::Log("first: middle")),
                    at(4, Op::ResolvedPromise),
                    at(4, Op::Await),
                    at(5, Op::Log("first: end")),
                ],
            ),
            async_fn(
                "second",
                7,
                &[
                    at(8, Op::Log("second: start")),
                    at(9, Op::ResolvedPromise),
                    at(9, Op::Await),
                    at(10, Op::Log("second: middle")),
                    at(11, Op::ResolvedPromise),
                    at(11, Op::Await),
                    at(12, Op::Log("second: end")),
                ],
            ),
        ],
    },
    // start (0 ms), loop done (200 ms), timer fired (200 ms): the 10 ms timer expires during the
    // loop, but its callback waits in the task queue until the stack is empty.
    Script {
        id: "long-loop-delays-timer",
        title: "A long loop delays a timer",
        explain: "setTimeout's delay is a minimum, not a promise: a 10 ms timer cannot fire while a \
                  200 ms synchronous loop holds the only thread.",
        source: &[
            "console.log('start');",
            "setTimeout(() => console.log('timer fired'), 10);",
            "const start = Date.now();",
            "while (Date.now() - start < 200) {} // busy for 200 ms",
            "console.log('loop done');",
        ],
        functions: &[
            main(&[
                at(0, Op::Log("start")),
                at(1, Op::SetTimeout { delay_ms: 10, callback: 1 }),
                at(2, Op::Eval("const start = Date.now() notes the time when the loop begins.")),
                at(3, Op::Busy { ms: 200 }),
                at(4, Op::Log("loop done")),
            ]),
            callback("callback (timer fired)", 1, &[at(1, Op::Log("timer fired"))]),
        ],
    },
    // script end, then 1, then 2, then 3, microtask 4, timeout: each .then callback is queued
    // only when the previous one returns, and a microtask may queue another; the queue is
    // drained completely before the 0 ms timer's task, already waiting, gets its turn.
    Script {
        id: "microtasks-starve",
        title: "Microtasks run before the next task",
        explain: "Microtasks queued by microtasks still run first: the whole chain finishes before the \
                  0 ms timer. An endless chain would starve the timers and freeze the page.",
        source: &[
            "setTimeout(() => console.log('timeout'), 0);",
            "Promise.resolve()",
            "  .then(() => console.log('then 1'))",
            "  .then(() => console.log('then 2'))",
            "  .then(() => {",
            "    console.log('then 3');",
            "    queueMicrotask(() => console.log('microtask 4'));",
            "  });",
            "console.log('script end');",
        ],
        functions: &[
            main(&[
                at(0, Op::SetTimeout { delay_ms: 0, callback: 1 }),
                at(1, Op::ResolvedPromise),
                at(2, Op::Then { callback: 2 }),
                at(3, Op::Then { callback: 3 }),
                at(4, Op::Then { callback: 4 }),
                at(8, Op::Log("script end")),
            ]),
            callback("callback (timeout)", 0, &[at(0, Op::Log("timeout"))]),
            callback("callback (then 1)", 2, &[at(2, Op::Log("then 1"))]),
            callback("callback (then 2)", 3, &[at(3, Op::Log("then 2"))]),
            callback(
                "callback (then 3)",
                4,
                &[at(5, Op::Log("then 3")), at(6, Op::QueueMicrotask { callback: 5 })],
            ),
            callback("callback (microtask 4)", 6, &[at(6, Op::Log("microtask 4"))]),
        ],
    },
    // together: done (100 ms), in turn: done (200 ms): the two sleeps of Promise.all run at the
    // same time, the awaited ones one after the other; both functions wait concurrently.
    Script {
        id: "await-in-turn-vs-all",
        title: "await one by one vs Promise.all",
        explain: "Awaiting two sleeps in turn takes 200 ms; starting both and awaiting Promise.all takes \
                  100 ms. Waiting overlaps even on one thread.",
        source: &[
            "const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));",
            "async function inTurn() {",
            "  await sleep(100);",
            "  await sleep(100);",
            "  console.log('in turn: done');",
            "}",
            "async function together() {",
            "  await Promise.all([sleep(100), sleep(100)]);",
            "  console.log('together: done');",
            "}",
            "inTurn();",
            "together();",
        ],
        functions: &[
            main(&[
                at(
                    0,
                    Op::Eval(
                        "const sleep = ... defines a function that returns a promise fulfilled by a timer.",
                    ),
                ),
                at(10, Op::Call(1)),
                at(11, Op::Call(2)),
            ]),
            async_fn(
                "inTurn",
                1,
                &[
                    at(2, Op::Sleep { ms: 100 }),
                    at(2, Op::Await),
                    at(3, Op::Sleep { ms: 100 }),
                    at(3, Op::Await),
                    at(4, Op::Log("in turn: done")),
                ],
            ),
            async_fn(
                "together",
                6,
                &[
                    at(7, Op::Sleep { ms: 100 }),
                    at(7, Op::Sleep { ms: 100 }),
                    at(7, Op::PromiseAll { count: 2 }),
                    at(7, Op::Await),
                    at(8, Op::Log("together: done")),
                ],
            ),
        ],
    },
];
