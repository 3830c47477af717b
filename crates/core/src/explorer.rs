//! The interleaving explorer's engine: parses tiny multi-threaded programs, steps them, and
//! counts every possible schedule exactly (the language is `shared/explorer-language.md`).
//!
//! Pure logic: no browser imports, no clocks, no hand-made threads. [`explore()`] in
//! [`Mode::Sequential`] never touches rayon, so a single-threaded caller can run it (and
//! [`Exploration`] runs it a slice at a time, to yield between slices); in [`Mode::Parallel`]
//! it discovers states on the rayon pool and gives the identical report.
//!
//! By job: [`parse()`] reads the source; `compile` turns each thread into one instruction per
//! step; [`Machine`] runs them; `describe` tells a state in the view's words; [`Scheduler`] is
//! the learner's own schedule with undo and redo; [`explore()`] and [`Exploration`] count every
//! schedule into a [`Report`]; [`shortest_schedule`] finds one to replay; [`programs`] holds the
//! built-in programs and challenges.
//!
//! ```
//! use interleave_core::explorer::{explore, parse, ExploreControl, Limits};
//! let program = parse(interleave_core::explorer::programs::builtin("lost-update").unwrap()).unwrap();
//! let report = explore(&program, &Limits::default(), &ExploreControl::sequential()).unwrap();
//! assert_eq!(report.schedules, 6u32.into());
//! ```

mod chunks;
mod compile;
mod count;
mod describe;
mod expand;
mod explore;
mod machine;
mod parallel;
mod parse;
pub mod programs;
mod report;
mod schedule;
mod shortest;
mod store;

pub use describe::{value_pairs, values_text, EndNote, ThreadState, ThreadView};
pub use explore::{explore, Exploration, ExploreControl, ExploreError, Limits, Mode, BATCH_BYTES, MEMORY_BUDGET};
pub use compile::STORE_BUFFER_MOST;
pub use machine::{Machine, Move, MoveKind, State, Status, ThreadId, ATOMIC_FUEL};
pub use parse::{
    parse, MemoryModel, ParseError, Program, MAX_DEPTH, MAX_EXPR_NODES, MAX_LOOPING_ATOMIC_SIZE, MAX_SOURCE_CHARS, MAX_STATEMENTS,
    MAX_THREADS,
};
pub use report::{Outcome, Reachable, Report, OUTCOMES_PER_PAGE};
pub use schedule::Scheduler;
pub use shortest::{shortest_schedule, Target};
