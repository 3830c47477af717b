//! The interleaving explorer's engine: parses tiny multi-threaded programs, steps them, and
//! counts every possible schedule exactly (the language is `shared/explorer-language.md`).
//!
//! Pure logic: no browser imports, no clocks, no hand-made threads. [`explore`] in
//! [`Mode::Sequential`] never touches rayon, so a single-threaded caller can run it (and
//! [`Exploration`] runs it a slice at a time, to yield between slices); in [`Mode::Parallel`]
//! it discovers states on the rayon pool and gives the identical report.
//!
//! ```
//! use interleave_core::explorer::{explore, parse, ExploreControl, Limits};
//! let program = parse(interleave_core::explorer::programs::builtin("lost-update").unwrap()).unwrap();
//! let report = explore(&program, &Limits::default(), &ExploreControl::sequential()).unwrap();
//! assert_eq!(report.schedules, 6u32.into());
//! ```

mod explore;
mod machine;
mod parse;
pub mod programs;

pub use explore::{
    explore, explore_machine, shortest_schedule, Exploration, ExploreControl, ExploreError, Limits, Mode,
    Outcome, Reachable, Report, Target,
};
pub use machine::{Machine, State, Status, ThreadId, ThreadState, ThreadView, ATOMIC_FUEL};
pub use parse::{parse, ParseError, Program, MAX_DEPTH, MAX_EXPR_NODES};
