//! Explores every interleaving of a program: discovers its state graph once, with memoised
//! states, and counts schedules as paths in that graph.
//!
//! Implementation note: discovery is a breadth-first search that numbers states in the order it
//! first meets them and expands them in that same order, so the sequential loop and the parallel
//! one (rayon computes the successors of a batch of states, then one thread merges them in order)
//! build the very same graph, numbering included. A schedule is a maximal path from state 0, so
//! the schedules ending in a final state are the paths reaching it: counted forwards in
//! topological order, in `u128` first and again in `BigUint` only if that overflows. A cycle
//! (a `while` that can spin) means infinitely many schedules: then only reachability is reported.
//!
//! Symmetry reduction: threads with identical code are interchangeable, so each new state is
//! rewritten to one canonical member of its class ([`Machine`] sorts such threads by their own
//! state). The edge from every enabled thread is kept, even when two lead to the same class, so
//! the paths into a class add up exactly to the paths into all its members: counts are unchanged,
//! states fewer (the four-thread benchmark goes from 3.9 million states to 194 thousand).

use std::ops::RangeInclusive;
use std::sync::Arc;

use num_bigint::BigUint;
use num_traits::Zero;
use rayon::prelude::*;

use super::machine::Machine;
use super::parse::Program;
use super::report::{summarise, Report};
use super::store::{hash_words, Graph, StateStore};
use crate::numbers::group_digits;
use crate::run::jobs::Progress;

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

/// What the caller passes to steer an exploration: mode, symmetry, and the progress record that
/// counts discovered states and carries the cancel request.
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
    /// the exploration with [`ExploreError::Cancelled`], checked every few thousand states.
    pub progress: Option<&'a Progress>,
}

impl Default for ExploreControl<'_> {
    fn default() -> Self {
        ExploreControl { mode: Mode::Sequential, symmetry: true, progress: None }
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
    fn check(&self, states: usize) -> Result<(), ExploreError> {
        self.progress.map_or(Ok(()), |p| report_states(p, states))
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
    /// The cancel flag was set.
    Cancelled,
}

impl std::fmt::Display for ExploreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExploreError::StateLimit { states } => {
                write!(f, "stopped after {states} states: the program has too many to explore")
            }
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
            ExploreError::Cancelled => "Exploration cancelled.".into(),
        }
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
            let mut exploration = Exploration::from_machine(machine.clone(), limits, control.symmetry);
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
            control.check(graph.store.len())?;
            Ok(finish(machine, &graph))
        }
    }
}

/// An exploration run a slice at a time on the calling thread (sequential discovery), so a
/// single-threaded caller such as a browser's main thread can yield to its event loop between
/// slices; to cancel, stop calling it, or cancel the progress record given to
/// [`Exploration::with_progress`].
#[derive(Debug)]
pub struct Exploration {
    machine: Machine,
    graph: Graph,
    max: usize,
    symmetry: bool,
    next: usize,
    states: usize,
    progress: Option<Arc<Progress>>,
    result: Option<Result<Report, ExploreError>>,
}

impl Exploration {
    /// States expanded per slice.
    const SLICE: usize = 2048;

    /// Prepares to explore `program`; `symmetry` as in [`ExploreControl::symmetry`].
    pub fn new(program: &Program, limits: &Limits, symmetry: bool) -> Self {
        Self::from_machine(Machine::new(program), limits, symmetry)
    }

    /// [`Exploration::new`] for an already compiled program.
    fn from_machine(machine: Machine, limits: &Limits, symmetry: bool) -> Self {
        let max = limits.max_states.min(u32::MAX as usize - 1);
        let mut graph = Graph::new(machine.width());
        let init = machine.initial();
        graph.store.insert(&init.words, hash_words(&init.words));
        let result = (graph.store.len() > max).then_some(Err(ExploreError::StateLimit { states: 1 }));
        let symmetry = symmetry && machine.has_symmetry();
        Exploration { machine, graph, max, symmetry, next: 0, states: 1, progress: None, result }
    }

    /// The same, counting discovered states into `progress` after every slice and ending with
    /// [`ExploreError::Cancelled`] at the first slice boundary after it is cancelled.
    pub fn with_progress(self, progress: Arc<Progress>) -> Self {
        Exploration { progress: Some(progress), ..self }
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
            match self.discover(Self::SLICE) {
                Err(e) => self.result = Some(Err(e)),
                Ok(true) => {
                    self.result = Some(Ok(finish(&self.machine, &self.graph)));
                    self.graph = Graph::new(0);
                }
                Ok(false) => match self.progress.as_deref().map(|p| report_states(p, self.states)) {
                    Some(Err(e)) => self.result = Some(Err(e)),
                    _ if should_yield() => return None,
                    _ => {}
                },
            }
        }
    }

    /// Expands up to `budget` states; true once every discovered state is expanded.
    fn discover(&mut self, budget: usize) -> Result<bool, ExploreError> {
        let (machine, graph) = (&self.machine, &mut self.graph);
        let width = machine.width();
        let (mut cur, mut nxt, mut en) = (vec![0i64; width], vec![0i64; width], Vec::new());
        let end = self.next + budget;
        while self.next < graph.store.len() && self.next < end {
            cur.copy_from_slice(graph.store.get(self.next));
            machine.enabled_into(&cur, &mut en);
            for &t in &en {
                nxt.copy_from_slice(&cur);
                machine.step_words(&mut nxt, t);
                if self.symmetry {
                    machine.canonicalize(&mut nxt);
                }
                graph.edges.push(graph.store.insert(&nxt, hash_words(&nxt)));
                self.states = graph.store.len();
                if self.states > self.max {
                    return Err(ExploreError::StateLimit { states: self.states });
                }
            }
            graph.edge_start.push(graph.edges.len());
            self.next += 1;
        }
        Ok(self.next == graph.store.len())
    }
}

/// Counts the paths of a fully discovered graph and sums them up into a report.
fn finish(machine: &Machine, graph: &Graph) -> Report {
    let Some(order) = topological_order(graph) else {
        return summarise(machine, graph, |_| BigUint::zero(), true);
    };
    if let Some(counts) = count_paths::<u128>(graph, &order) {
        return summarise(machine, graph, |i| BigUint::from(counts[i]), false);
    }
    let counts = count_paths::<BigUint>(graph, &order).unwrap_or_default();
    summarise(machine, graph, |i| counts[i].clone(), false)
}

/// Successors of a run of consecutive states: their words and hashes, and how many per state.
struct Piece {
    words: Vec<i64>,
    hashes: Vec<u64>,
    counts: Vec<u32>,
}

fn discover_parallel(
    machine: &Machine,
    limits: &Limits,
    control: &ExploreControl<'_>,
) -> Result<Graph, ExploreError> {
    const BATCH: usize = 16_384;
    const PIECE: usize = 256;
    let max = limits.max_states.min(u32::MAX as usize - 1);
    let mut store = StateStore::new(machine.width());
    let init = machine.initial();
    store.insert(&init.words, hash_words(&init.words));
    if store.len() > max {
        return Err(ExploreError::StateLimit { states: store.len() });
    }
    let symmetry = control.symmetry && machine.has_symmetry();
    let width = machine.width();
    let (mut edge_start, mut edges) = (vec![0usize], Vec::new());
    let mut id = 0;
    while id < store.len() {
        control.check(store.len())?;
        let hi = store.len().min(id + BATCH);
        let starts: Vec<usize> = (id..hi).step_by(PIECE).collect();
        let shared_store = &store;
        let pieces: Vec<Piece> = starts
            .par_iter()
            .map(|&start| {
                let end = (start + PIECE).min(hi);
                let mut piece = Piece { words: Vec::new(), hashes: Vec::new(), counts: Vec::new() };
                let mut en = Vec::new();
                for s in start..end {
                    let cur = shared_store.get(s);
                    machine.enabled_into(cur, &mut en);
                    for &t in &en {
                        let at = piece.words.len();
                        piece.words.extend_from_slice(cur);
                        machine.step_words(&mut piece.words[at..], t);
                        if symmetry {
                            machine.canonicalize(&mut piece.words[at..]);
                        }
                        piece.hashes.push(hash_words(&piece.words[at..]));
                    }
                    piece.counts.push(en.len() as u32);
                }
                piece
            })
            .collect();
        for piece in pieces {
            let mut k = 0;
            for &c in &piece.counts {
                for _ in 0..c {
                    edges.push(store.insert(&piece.words[k * width..(k + 1) * width], piece.hashes[k]));
                    if store.len() > max {
                        return Err(ExploreError::StateLimit { states: store.len() });
                    }
                    k += 1;
                }
                edge_start.push(edges.len());
            }
        }
        id = hi;
    }
    control.check(store.len())?;
    Ok(Graph { store, edge_start, edges })
}

/// States in an order where every edge goes forwards (Kahn's algorithm); `None` on a cycle.
fn topological_order(graph: &Graph) -> Option<Vec<u32>> {
    let n = graph.store.len();
    let mut indegree = vec![0u32; n];
    for &v in &graph.edges {
        indegree[v as usize] += 1;
    }
    let mut order: Vec<u32> = (0..n as u32).filter(|&v| indegree[v as usize] == 0).collect();
    let mut head = 0;
    while head < order.len() {
        let u = order[head] as usize;
        head += 1;
        for &v in graph.successors(u) {
            indegree[v as usize] -= 1;
            if indegree[v as usize] == 0 {
                order.push(v);
            }
        }
    }
    (order.len() == n).then_some(order)
}

/// A path count: `u128` for speed, `BigUint` when that overflows.
trait PathCount: Clone {
    fn no_paths() -> Self;
    fn one_path() -> Self;
    /// Adds `other`; false on overflow.
    fn accumulate(&mut self, other: &Self) -> bool;
}

impl PathCount for u128 {
    fn no_paths() -> Self {
        0
    }
    fn one_path() -> Self {
        1
    }
    fn accumulate(&mut self, other: &Self) -> bool {
        match self.checked_add(*other) {
            Some(v) => {
                *self = v;
                true
            }
            None => false,
        }
    }
}

impl PathCount for BigUint {
    fn no_paths() -> Self {
        BigUint::zero()
    }
    fn one_path() -> Self {
        BigUint::from(1u8)
    }
    fn accumulate(&mut self, other: &Self) -> bool {
        *self += other;
        true
    }
}

/// Number of paths from state 0 to every state; `None` if `C` overflows.
fn count_paths<C: PathCount>(graph: &Graph, order: &[u32]) -> Option<Vec<C>> {
    let mut counts = vec![C::no_paths(); graph.store.len()];
    counts[0] = C::one_path();
    for &u in order {
        let cu = counts[u as usize].clone();
        for &v in graph.successors(u as usize) {
            if !counts[v as usize].accumulate(&cu) {
                return None;
            }
        }
    }
    Some(counts)
}
