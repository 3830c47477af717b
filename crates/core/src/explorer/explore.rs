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

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};
use rayon::prelude::*;
use serde::Serialize;

use super::machine::{Ending, Machine, ThreadId};
use super::parse::Program;

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

/// What the caller passes to steer an exploration: mode, symmetry, cancel flag and progress counter.
#[derive(Debug, Clone, Copy)]
pub struct ExploreControl<'a> {
    /// Sequential or parallel discovery.
    pub mode: Mode,
    /// Count states that differ only by swapping threads with identical code as one state
    /// (on by default): the same schedules and outcomes from far fewer states. When off,
    /// [`Report::states`] counts every distinct state as the spec defines it.
    pub symmetry: bool,
    /// Set it to stop early with [`ExploreError::Cancelled`]; checked every few thousand states.
    pub cancel: Option<&'a AtomicBool>,
    /// Updated with the number of distinct states discovered so far.
    pub progress: Option<&'a AtomicUsize>,
}

impl Default for ExploreControl<'_> {
    fn default() -> Self {
        ExploreControl { mode: Mode::Sequential, symmetry: true, cancel: None, progress: None }
    }
}

impl<'a> ExploreControl<'a> {
    /// Sequential discovery with symmetry reduction, no cancel flag, no progress counter.
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
    /// The same, stopping when `flag` is set.
    pub fn with_cancel(self, flag: &'a AtomicBool) -> Self {
        ExploreControl { cancel: Some(flag), ..self }
    }
    /// The same, counting discovered states into `counter`.
    pub fn with_progress(self, counter: &'a AtomicUsize) -> Self {
        ExploreControl { progress: Some(counter), ..self }
    }
    fn check(&self, states: usize) -> Result<(), ExploreError> {
        if let Some(p) = self.progress {
            p.store(states, Ordering::Relaxed);
        }
        match self.cancel {
            Some(c) if c.load(Ordering::Relaxed) => Err(ExploreError::Cancelled),
            _ => Ok(()),
        }
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

/// Which endings some schedule reaches (exact also when counts are not, see [`Report::unbounded`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Reachable {
    /// Some schedule completes.
    pub complete: bool,
    /// Some schedule completes with a failed `check`.
    pub bad: bool,
    /// Some schedule deadlocks.
    pub deadlock: bool,
    /// Some schedule ends in an error.
    pub error: bool,
}

/// One distinct final state of the shared variables, over complete schedules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Final value of every shared variable.
    pub values: BTreeMap<String, i64>,
    /// Schedules that end with these values (0 when the report is unbounded).
    pub schedules: BigUint,
    /// Whether a `check` fails for these values.
    pub bad: bool,
}

/// Everything the explorer found out about a program.
///
/// When [`unbounded`](Report::unbounded) is true the state graph has a cycle, so there are
/// infinitely many schedules: every count is then 0 and only [`reachable`](Report::reachable)
/// and the list of outcomes (each one reachable) carry information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Number of schedules (maximal step sequences).
    pub schedules: BigUint,
    /// Schedules in which every thread finishes.
    pub complete: BigUint,
    /// Complete schedules whose outcome fails a `check` (a subset of `complete`).
    pub bad: BigUint,
    /// Schedules that end with unfinished threads and none enabled.
    pub deadlock: BigUint,
    /// Schedules that end with a thread in the error state.
    pub error: BigUint,
    /// Distinct outcomes of complete schedules, ordered by the values in declaration order.
    pub outcomes: Vec<Outcome>,
    /// Number of distinct states visited (with [`ExploreControl::symmetry`], states that differ
    /// only by swapping threads with identical code count once).
    pub states: usize,
    /// Whether some schedule can go on forever (a cycle in the state graph).
    pub unbounded: bool,
    /// Which endings are reachable.
    pub reachable: Reachable,
}

#[derive(Serialize)]
#[serde(untagged)]
enum JsonCount {
    Number(u64),
    Text(String),
}

fn json_count(c: &BigUint) -> JsonCount {
    match c.to_u64() {
        Some(v) if v < 1u64 << 53 => JsonCount::Number(v),
        _ => JsonCount::Text(c.to_string()),
    }
}

#[derive(Serialize)]
struct OutcomeJson<'a> {
    values: &'a BTreeMap<String, i64>,
    schedules: JsonCount,
    bad: bool,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    schedules: JsonCount,
    complete: JsonCount,
    bad: JsonCount,
    deadlock: JsonCount,
    error: JsonCount,
    states: usize,
    outcomes: Vec<OutcomeJson<'a>>,
    unbounded: bool,
    reachable: &'a Reachable,
}

impl Report {
    /// The report as the site publishes it: counts are JSON numbers below 2^53 and decimal
    /// strings otherwise; each outcome also says whether it is `bad`; `reachable` says which
    /// endings some schedule reaches.
    pub fn to_json(&self) -> String {
        let json = ReportJson {
            schedules: json_count(&self.schedules),
            complete: json_count(&self.complete),
            bad: json_count(&self.bad),
            deadlock: json_count(&self.deadlock),
            error: json_count(&self.error),
            states: self.states,
            outcomes: self
                .outcomes
                .iter()
                .map(|o| OutcomeJson { values: &o.values, schedules: json_count(&o.schedules), bad: o.bad })
                .collect(),
            unbounded: self.unbounded,
            reachable: &self.reachable,
        };
        serde_json::to_string(&json).unwrap_or_default()
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
pub fn explore_machine(
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
/// slices; to cancel, stop calling it.
#[derive(Debug)]
pub struct Exploration {
    machine: Machine,
    graph: Graph,
    max: usize,
    symmetry: bool,
    next: usize,
    states: usize,
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
    pub fn from_machine(machine: Machine, limits: &Limits, symmetry: bool) -> Self {
        let max = limits.max_states.min(u32::MAX as usize - 1);
        let mut graph = Graph::new(machine.width());
        let init = machine.initial();
        graph.store.insert(&init.words, hash_words(&init.words));
        let result = (graph.store.len() > max).then_some(Err(ExploreError::StateLimit { states: 1 }));
        let symmetry = symmetry && machine.has_symmetry();
        Exploration { machine, graph, max, symmetry, next: 0, states: 1, result }
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
                Ok(false) if should_yield() => return None,
                Ok(false) => {}
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

/// What [`shortest_schedule`] looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A complete schedule whose final values include these (every named variable has its value).
    Outcome(BTreeMap<String, i64>),
    /// Any complete schedule.
    Complete,
    /// A complete schedule whose outcome fails a `check`.
    Bad,
    /// A deadlock.
    Deadlock,
    /// An error.
    Error,
}

/// The fewest thread choices from the initial state that end a schedule at `target`, found by
/// breadth-first search; `None` when unreachable or when the search passes `limits`.
pub fn shortest_schedule(program: &Program, target: &Target, limits: &Limits) -> Option<Vec<ThreadId>> {
    let machine = Machine::new(program);
    let max = limits.max_states.min(u32::MAX as usize - 1);
    let names: Vec<&str> = machine.shared_names().collect();
    let wanted: Option<Vec<(usize, i64)>> = match target {
        Target::Outcome(values) => {
            values.iter().map(|(n, v)| names.iter().position(|x| x == n).map(|i| (i, *v))).collect()
        }
        _ => Some(Vec::new()),
    };
    let wanted = wanted?;
    let width = machine.width();
    let mut store = StateStore::new(width);
    let init = machine.initial();
    store.insert(&init.words, hash_words(&init.words));
    let mut parent: Vec<(u32, u32)> = vec![(u32::MAX, 0)];
    let (mut cur, mut nxt, mut en) = (vec![0i64; width], vec![0i64; width], Vec::new());
    let mut id = 0;
    while id < store.len() {
        cur.copy_from_slice(store.get(id));
        machine.enabled_into(&cur, &mut en);
        if en.is_empty() {
            let hit = match (machine.ending(&cur), target) {
                (Ending::Complete { bad }, Target::Outcome(_) | Target::Complete | Target::Bad) => {
                    let shared = machine.shared_slice(&cur);
                    (bad || *target != Target::Bad) && wanted.iter().all(|&(i, v)| shared[i] == v)
                }
                (Ending::Deadlock, Target::Deadlock) | (Ending::Error, Target::Error) => true,
                _ => false,
            };
            if hit {
                let mut path = Vec::new();
                let mut at = id;
                while parent[at].0 != u32::MAX {
                    path.push(parent[at].1 as ThreadId);
                    at = parent[at].0 as usize;
                }
                path.reverse();
                return Some(path);
            }
        }
        for &t in &en {
            nxt.copy_from_slice(&cur);
            machine.step_words(&mut nxt, t);
            let before = store.len();
            store.insert(&nxt, hash_words(&nxt));
            if store.len() > before {
                parent.push((id as u32, t as u32));
                if store.len() > max {
                    return None;
                }
            }
        }
        id += 1;
    }
    None
}

/// The discovered state graph: states by id, and each state's successors (one per enabled thread).
#[derive(Debug)]
struct Graph {
    store: StateStore,
    edge_start: Vec<usize>,
    edges: Vec<u32>,
}

impl Graph {
    fn new(width: usize) -> Self {
        Graph { store: StateStore::new(width), edge_start: vec![0], edges: Vec::new() }
    }

    fn successors(&self, id: usize) -> &[u32] {
        &self.edges[self.edge_start[id]..self.edge_start[id + 1]]
    }
}

const EMPTY: u32 = u32::MAX;

/// All discovered states, stored row after row in one vector, with an open-addressing index.
#[derive(Debug)]
struct StateStore {
    width: usize,
    data: Vec<i64>,
    table: Vec<u32>,
    shift: u32,
    len: usize,
}

/// An Fx-style hash of a state's words (fast; the table spreads it with a multiply).
fn hash_words(words: &[i64]) -> u64 {
    words.iter().fold(0u64, |h, &w| (h.rotate_left(5) ^ w as u64).wrapping_mul(0x517c_c1b7_2722_0a95))
}

impl StateStore {
    fn new(width: usize) -> Self {
        StateStore { width, data: Vec::new(), table: vec![EMPTY; 1 << 10], shift: 64 - 10, len: 0 }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, id: usize) -> &[i64] {
        &self.data[id * self.width..(id + 1) * self.width]
    }

    fn slot(&self, hash: u64) -> usize {
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The id of `words`, added as a new state if it is not known yet.
    fn insert(&mut self, words: &[i64], hash: u64) -> u32 {
        if (self.len + 1) * 2 > self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let mut i = self.slot(hash);
        loop {
            let id = self.table[i];
            if id == EMPTY {
                self.table[i] = self.len as u32;
                self.data.extend_from_slice(words);
                self.len += 1;
                return self.len as u32 - 1;
            }
            if self.get(id as usize) == words {
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        self.table = vec![EMPTY; size];
        self.shift -= 1;
        let mask = size - 1;
        for id in 0..self.len {
            let mut i = self.slot(hash_words(self.get(id)));
            while self.table[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.table[i] = id as u32;
        }
    }
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

/// Adds up the schedules ending in each final state (`count(state)`) into a report.
fn summarise(machine: &Machine, graph: &Graph, count: impl Fn(usize) -> BigUint, unbounded: bool) -> Report {
    let mut report = Report {
        schedules: BigUint::zero(),
        complete: BigUint::zero(),
        bad: BigUint::zero(),
        deadlock: BigUint::zero(),
        error: BigUint::zero(),
        outcomes: Vec::new(),
        states: graph.store.len(),
        unbounded,
        reachable: Reachable::default(),
    };
    let mut outcomes: BTreeMap<Vec<i64>, (BigUint, bool)> = BTreeMap::new();
    for id in 0..graph.store.len() {
        if !graph.successors(id).is_empty() {
            continue;
        }
        let words = graph.store.get(id);
        let c = count(id);
        match machine.ending(words) {
            Ending::Complete { bad } => {
                report.reachable.complete = true;
                report.complete += &c;
                if bad {
                    report.reachable.bad = true;
                    report.bad += &c;
                }
                outcomes.entry(machine.shared_slice(words).to_vec()).or_insert((BigUint::zero(), bad)).0 += c;
            }
            Ending::Deadlock => {
                report.reachable.deadlock = true;
                report.deadlock += c;
            }
            Ending::Error => {
                report.reachable.error = true;
                report.error += c;
            }
        }
    }
    report.schedules = &report.complete + &report.deadlock + &report.error;
    let names: Vec<&str> = machine.shared_names().collect();
    report.outcomes = outcomes
        .into_iter()
        .map(|(values, (schedules, bad))| Outcome {
            values: names.iter().map(|n| n.to_string()).zip(values).collect(),
            schedules,
            bad,
        })
        .collect();
    report
}
