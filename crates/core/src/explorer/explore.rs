//! Explores every interleaving of a program: discovers its state graph once, with memoised
//! states, and counts schedules as paths in that graph.
//!
//! Implementation note: discovery is a breadth-first search that numbers states in the order it
//! first meets them and expands them in that same order, so the sequential loop and the parallel
//! one build the very same graph, numbering included. Both expand a run of states at a time (see
//! `expand`): compute their successors, then record them in order. The sequential loop does one
//! run after the other; the parallel one (see `parallel`) takes larger batches, and shares out
//! among the pool's workers all but the numbering of their successors. Paths are counted in the
//! graph as it grows while it can (see `store`), else afterwards (`count`). Both limits are
//! checked in the same order in both loops, so both stop at the same state: the state limit at
//! each new state, the memory budget once each state's successors are recorded (the graph's
//! bytes, a function of what it holds, with what counting will need per state). The parallel
//! loop's batches are cut to [`BATCH_BYTES`] of successors, beside the budget.
//!
//! Symmetry reduction: threads with identical code are interchangeable, so each new state is
//! rewritten to one canonical member of its class ([`Machine`] sorts such threads by their own
//! state). The edge from every enabled thread is kept, even when two lead to the same class, so
//! the paths into a class add up exactly to the paths into all its members: counts are unchanged,
//! states fewer (the four-thread benchmark goes from 3.9 million states to 194 thousand).

use std::ops::RangeInclusive;
use std::sync::Arc;

use super::count::{Counted, Counting};
use super::expand::Piece;
use super::machine::Machine;
use super::parse::Program;
use super::report::Report;
use super::parallel::discover_parallel;
use super::store::Graph;
use crate::numbers::group_digits;
use crate::run::jobs::Progress;

/// Most bytes an exploration may hold (its states, their successors, and the counts), unless
/// [`ExploreControl::memory_budget`] says otherwise. The browser tab's memory is 1 GiB at most,
/// and the page needs some of it; past the budget the exploration stops with
/// [`ExploreError::MemoryLimit`] instead of running out of memory.
pub const MEMORY_BUDGET: usize = 384 << 20;

/// Most states an exploration numbers, whatever its limits say: ids have 31 bits (the parallel
/// discovery marks its answers with the 32nd), far more than any memory budget lets it hold.
pub(super) const MOST_STATES: usize = (1 << 31) - 2;

/// Most bytes the parallel discovery's two batches hold at once, their successors and what is
/// known of them until they are recorded (beyond [`MEMORY_BUDGET`]).
pub const BATCH_BYTES: usize = 8 << 20;

/// Work between two looks at the clock, in ordinary steps (see `Machine::step_cost`).
const SLICE_WORK: usize = 1024;
/// Most states the sequential loop expands in one run (see `expand`).
const RUN: usize = 128;
/// Most bytes of successors one run of the sequential loop holds (beyond [`MEMORY_BUDGET`]).
const RUN_BYTES: usize = 1 << 20;
/// Work of one piece of counting, in states and edges.
const COUNT_WORK: usize = 32 * 1024;

/// Bounds on one exploration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most distinct states to visit before giving up with [`ExploreError::StateLimit`].
    pub max_states: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_states: 2_000_000 }
    }
}

impl Limits {
    /// The limit the explorer's page starts with, and the one "Show me one" searches within.
    pub const PAGE: Limits = Limits { max_states: 1_000_000 };
    /// The limits a learner may set on the page (more would not fit a browser tab's memory).
    pub const PAGE_RANGE: RangeInclusive<usize> = 1_000..=5_000_000;

    /// Reads the state limit a learner typed (`,`, `_` and spaces allowed between digits),
    /// refusing one outside [`Limits::PAGE_RANGE`] with the reason.
    pub fn parse(text: &str) -> Result<Limits, String> {
        match crate::numbers::without_separators(text).parse::<usize>() {
            Ok(max_states) if Self::PAGE_RANGE.contains(&max_states) => Ok(Limits { max_states }),
            _ => Err(format!(
                "The state limit must be a whole number from {} to {} (more would not fit this tab's memory).",
                group_digits(*Self::PAGE_RANGE.start() as u64),
                group_digits(*Self::PAGE_RANGE.end() as u64)
            )),
        }
    }
}

/// How the state graph is discovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// On the calling thread only; never touches rayon (for a browser's main thread, run it
    /// through [`Exploration`] to yield between slices).
    #[default]
    Sequential,
    /// Successors computed on the rayon pool; blocks the caller until done.
    Parallel,
}

/// What the caller passes to steer an exploration: mode, symmetry, memory budget, and the progress
/// record that counts discovered states and carries the cancel request.
#[derive(Debug, Clone, Copy)]
pub struct ExploreControl<'a> {
    /// Sequential or parallel discovery.
    pub mode: Mode,
    /// Count states that differ only by swapping threads with identical code as one state
    /// (on by default): the same schedules and outcomes from far fewer states. When off,
    /// [`Report::states`] counts every distinct state as the spec defines it.
    pub symmetry: bool,
    /// Its done count follows the distinct states discovered so far (make it with the state
    /// limit as its total, and its fraction is the share of the limit used); cancelling it stops
    /// the exploration with [`ExploreError::Cancelled`], checked between slices of about a
    /// thousand steps (and at every state in parallel).
    pub progress: Option<&'a Progress>,
    /// Most bytes the exploration may hold ([`MEMORY_BUDGET`] by default).
    pub memory_budget: usize,
}

impl Default for ExploreControl<'_> {
    fn default() -> Self {
        ExploreControl { mode: Mode::Sequential, symmetry: true, progress: None, memory_budget: MEMORY_BUDGET }
    }
}

impl<'a> ExploreControl<'a> {
    /// Sequential discovery with symmetry reduction, no progress record.
    pub fn sequential() -> Self {
        Self::default()
    }
    /// Parallel discovery on the rayon pool.
    pub fn parallel() -> Self {
        ExploreControl { mode: Mode::Parallel, ..Self::default() }
    }
    /// The same, with symmetry reduction on or off.
    pub fn with_symmetry(self, symmetry: bool) -> Self {
        ExploreControl { symmetry, ..self }
    }
    /// The same, counting discovered states into `progress` and stopping when it is cancelled.
    pub fn with_progress(self, progress: &'a Progress) -> Self {
        ExploreControl { progress: Some(progress), ..self }
    }
    /// The same, stopping with [`ExploreError::MemoryLimit`] past `bytes`.
    pub fn with_memory_budget(self, bytes: usize) -> Self {
        ExploreControl { memory_budget: bytes, ..self }
    }
    pub(super) fn check(&self, states: usize) -> Result<(), ExploreError> {
        self.progress.map_or(Ok(()), |p| report_states(p, states))
    }
    pub(super) fn cancelled(&self) -> bool {
        self.progress.is_some_and(Progress::is_cancelled)
    }
}

/// Brings `progress` up to `states` discovered (one thread reports, so read-then-add is exact);
/// `Cancelled` once it is cancelled.
fn report_states(progress: &Progress, states: usize) -> Result<(), ExploreError> {
    progress.add((states as u64).saturating_sub(progress.done()));
    if progress.is_cancelled() {
        Err(ExploreError::Cancelled)
    } else {
        Ok(())
    }
}

/// Why an exploration produced no report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExploreError {
    /// More than [`Limits::max_states`] distinct states; `states` were discovered when it stopped.
    StateLimit {
        /// States discovered when it stopped.
        states: usize,
    },
    /// The exploration would hold more than `budget` bytes ([`ExploreControl::memory_budget`]).
    MemoryLimit {
        /// States discovered when it stopped.
        states: usize,
        /// The budget, in bytes.
        budget: usize,
    },
    /// The cancel flag was set.
    Cancelled,
}

impl std::fmt::Display for ExploreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExploreError::StateLimit { states } => {
                write!(f, "stopped after {states} states: the program has too many to explore")
            }
            ExploreError::MemoryLimit { states, budget } => write!(
                f,
                "stopped after {states} states: exploring the program needs more than {} of memory",
                megabytes(*budget)
            ),
            ExploreError::Cancelled => f.write_str("cancelled"),
        }
    }
}

impl std::error::Error for ExploreError {}

impl ExploreError {
    /// What the explorer's page tells the learner when a run ends this way.
    pub fn note(&self) -> String {
        match self {
            ExploreError::StateLimit { states } => format!(
                "Stopped after {} states, the limit: this program has more interleavings than the tab can hold. \
                 Make it smaller (fewer threads or steps), or raise the limit.",
                group_digits(*states as u64)
            ),
            ExploreError::MemoryLimit { states, budget } => format!(
                "Stopped after {} states, at the memory limit: exploring this program needs more than the {} \
                 this tab can give it. Make the program smaller (fewer threads, steps or variables); \
                 a higher state limit would not help.",
                group_digits(*states as u64),
                megabytes(*budget)
            ),
            ExploreError::Cancelled => "Exploration cancelled.".into(),
        }
    }
}

/// A number of bytes in megabytes, `384 MB` (in kilobytes below one megabyte).
fn megabytes(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", group_digits((bytes >> 20) as u64))
    } else {
        format!("{} KB", group_digits(bytes.div_ceil(1 << 10) as u64))
    }
}

/// Explores every schedule of `program` and reports counts and outcomes.
pub fn explore(
    program: &Program,
    limits: &Limits,
    control: &ExploreControl<'_>,
) -> Result<Report, ExploreError> {
    explore_machine(&Machine::new(program), limits, control)
}

/// [`explore`] for an already compiled program.
fn explore_machine(
    machine: &Machine,
    limits: &Limits,
    control: &ExploreControl<'_>,
) -> Result<Report, ExploreError> {
    match control.mode {
        Mode::Sequential => {
            let mut exploration = Exploration::from_machine(machine.clone(), limits, control.symmetry)
                .with_memory_budget(control.memory_budget);
            loop {
                control.check(exploration.states())?;
                if let Some(result) = exploration.run_until(|| true) {
                    control.check(exploration.states())?;
                    return result;
                }
            }
        }
        Mode::Parallel => {
            let graph = discover_parallel(machine, limits, control)?;
            let states = graph.store.len();
            count_schedules(machine, graph, control.memory_budget, || control.check(states))
        }
    }
}

/// Counts the schedules of a fully discovered graph into its report, calling `check` between
/// pieces of the counting (to stop it when cancelled).
fn count_schedules(
    machine: &Machine,
    mut graph: Graph,
    budget: usize,
    mut check: impl FnMut() -> Result<(), ExploreError>,
) -> Result<Report, ExploreError> {
    let mut counting = Counting::new(&mut graph);
    loop {
        match counting.advance(machine, &graph, COUNT_WORK, budget) {
            Counted::More => check()?,
            Counted::Done(report) => return Ok(report),
            Counted::OutOfMemory => return Err(ExploreError::MemoryLimit { states: graph.store.len(), budget }),
        }
    }
}

/// An exploration run a slice at a time on the calling thread (sequential discovery), so a
/// single-threaded caller such as a browser's main thread can yield to its event loop between
/// slices; what is left of the counting follows the last slice, in the same call (little, unless
/// the graph has branches of unequal length or loops: see `store`). To cancel, stop calling it,
/// or cancel the progress record given to [`Exploration::with_progress`].
#[derive(Debug)]
pub struct Exploration {
    machine: Machine,
    graph: Graph,
    max: usize,
    budget: usize,
    symmetry: bool,
    states: usize,
    progress: Option<Arc<Progress>>,
    result: Option<Result<Report, ExploreError>>,
    /// The run being expanded, and the room a state's successor ids are gathered in.
    piece: Piece,
    succ: Vec<u32>,
}

impl Exploration {
    /// Prepares to explore `program`; `symmetry` as in [`ExploreControl::symmetry`].
    pub fn new(program: &Program, limits: &Limits, symmetry: bool) -> Self {
        Self::from_machine(Machine::new(program), limits, symmetry)
    }

    /// [`Exploration::new`] for an already compiled program.
    fn from_machine(machine: Machine, limits: &Limits, symmetry: bool) -> Self {
        let max = limits.max_states.min(MOST_STATES);
        let graph = Graph::new(machine.width(), machine.most_moves(), &machine.initial().words);
        let result = (graph.store.len() > max).then_some(Err(ExploreError::StateLimit { states: 1 }));
        let symmetry = symmetry && machine.has_symmetry();
        Exploration {
            machine,
            graph,
            max,
            budget: MEMORY_BUDGET,
            symmetry,
            states: 1,
            progress: None,
            result,
            piece: Piece::default(),
            succ: Vec::new(),
        }
    }

    /// The same, counting discovered states into `progress` after every slice and ending with
    /// [`ExploreError::Cancelled`] at the first slice boundary after it is cancelled.
    pub fn with_progress(self, progress: Arc<Progress>) -> Self {
        Exploration { progress: Some(progress), ..self }
    }

    /// The same, ending with [`ExploreError::MemoryLimit`] past `bytes` instead of [`MEMORY_BUDGET`].
    pub fn with_memory_budget(self, bytes: usize) -> Self {
        Exploration { budget: bytes, ..self }
    }

    /// Distinct states discovered so far.
    pub fn states(&self) -> usize {
        self.states
    }

    /// Runs slices until the exploration is finished (`Some(result)`) or `should_yield` says to
    /// hand control back (`None`; call again later). At least one slice runs per call; once
    /// finished, every call returns the same result.
    pub fn run_until(
        &mut self,
        mut should_yield: impl FnMut() -> bool,
    ) -> Option<Result<Report, ExploreError>> {
        loop {
            if let Some(result) = &self.result {
                return Some(result.clone());
            }
            match self.discover(SLICE_WORK) {
                Err(e) => self.result = Some(Err(e)),
                Ok(true) => {
                    let graph = std::mem::replace(&mut self.graph, Graph::empty());
                    let progress = self.progress.clone();
                    let check = || progress.as_deref().map_or(Ok(()), |p| report_states(p, self.states));
                    self.result = Some(count_schedules(&self.machine, graph, self.budget, check));
                }
                Ok(false) => match self.progress.as_deref().map(|p| report_states(p, self.states)) {
                    Some(Err(e)) => self.result = Some(Err(e)),
                    _ if should_yield() => return None,
                    _ => {}
                },
            }
        }
    }

    /// Expands states until about `work` ordinary steps are done; true once every discovered
    /// state is expanded.
    fn discover(&mut self, work: usize) -> Result<bool, ExploreError> {
        let Graph { store, edges } = &mut self.graph;
        let (piece, succ, (max, budget)) = (&mut self.piece, &mut self.succ, (self.max, self.budget));
        let per_state = self.machine.most_moves() * Piece::bytes_per_successor(self.machine.width());
        let run = (RUN_BYTES / per_state.max(1)).clamp(1, RUN);
        let mut left = work;
        while edges.len() < store.len() && left > 0 {
            let id = edges.len();
            let states = id..store.len().min(id + run);
            piece.fill(&self.machine, store.read(), states, self.symmetry, &mut left, || false);
            let recorded = piece.record(store, edges, succ, max, budget);
            self.states = store.len();
            recorded?;
        }
        Ok(edges.len() == store.len())
    }
}
