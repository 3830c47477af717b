//! Counting the schedules of a discovered state graph: a topological order of its states, the
//! paths from the initial state to each one, and the report they add up to; a bounded piece at a
//! time, so that a caller on the browser's main thread can yield between pieces.
//!
//! Implementation note: a schedule is a maximal path from state 0, so the schedules ending in a
//! final state are the paths reaching it: counted forwards in topological order (Kahn's
//! algorithm), in `u128` first and again in `BigUint` only if that overflows. A cycle (a `while`
//! that can spin) means infinitely many schedules: then only reachability is reported. Each phase
//! keeps a cursor, so a piece stops anywhere and the next goes on from there.

use std::mem::{size_of, take};

use num_bigint::BigUint;
use num_traits::Zero;

use super::machine::Machine;
use super::report::{Report, Tally};
use super::store::Graph;

/// Where counting is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Kahn's algorithm (a state joins the order once all its predecessors have), counting the
    /// paths into each state in `u128` on the way while they fit.
    Order,
    /// Paths into each state in `BigUint`, along the order, after `u128` overflowed.
    Big,
    /// Adding up the final states.
    Tally,
}

/// What a piece of counting came to.
#[derive(Debug)]
pub(super) enum Counted {
    /// Not finished; call again.
    More,
    /// The report.
    Done(Report),
    /// The graph and the counts together would pass the memory budget.
    OutOfMemory,
}

/// The counting of one fully discovered graph, a piece at a time.
#[derive(Debug)]
pub(super) struct Counting {
    phase: Phase,
    /// The phase's cursor: a place in `order`, or in the graph's final states.
    at: usize,
    /// Predecessors of each state not yet in the order.
    indegree: Vec<u32>,
    order: Vec<u32>,
    /// Paths into each state while they fit in `u128` (empty once they do not).
    small: Vec<u128>,
    big: Vec<BigUint>,
    /// About the bytes the `BigUint` counts hold beyond their headers.
    big_bytes: usize,
    unbounded: bool,
    tally: Tally,
}

impl Counting {
    /// Bytes per state that counting adds to the graph's, unless counts pass `u128`: each
    /// state's number of predecessors, its place in the order, and its count.
    pub(super) const BYTES_PER_STATE: usize = 2 * size_of::<u32>() + size_of::<u128>();

    /// Prepares to count the paths of `graph`, fully discovered (it takes over the paths the graph
    /// counted itself, if any).
    pub(super) fn new(graph: &mut Graph) -> Self {
        let n = graph.store.len();
        let mut counting = Counting {
            phase: Phase::Order,
            at: 0,
            indegree: Vec::new(),
            order: Vec::new(),
            small: take(&mut graph.edges.paths),
            big: Vec::new(),
            big_bytes: 0,
            unbounded: false,
            tally: Tally::new(),
        };
        if graph.edges.graded && counting.small.len() == n {
            // Every path is counted already.
            counting.phase = Phase::Tally;
        } else if graph.edges.graded {
            // Counted past u128: again in BigUint, in the order of the search (a topological one).
            counting.order = (0..n as u32).collect();
            counting.ordered(n);
        } else {
            let mut indegree = vec![0u32; n];
            for u in 0..n {
                for &v in graph.successors(u) {
                    indegree[v as usize] += 1;
                }
            }
            // Every state but the first was found through an edge; the first has none unless a
            // cycle leads back to it.
            counting.order = Vec::with_capacity(n);
            counting.order.extend((indegree[0] == 0).then_some(0));
            counting.indegree = indegree;
            counting.small = vec![0; n];
            counting.small[0] = 1;
        }
        counting
    }

    fn bytes(&self, machine: &Machine) -> usize {
        self.indegree.capacity() * size_of::<u32>()
            + self.order.capacity() * size_of::<u32>()
            + self.small.capacity() * size_of::<u128>()
            + self.big.capacity() * size_of::<BigUint>()
            + 2 * self.big_bytes
            + self.tally.bytes(machine)
    }

    /// Does about `work` states and edges of counting, then says where it stands: `OutOfMemory`
    /// once the graph and the counts hold more than `budget` bytes.
    pub(super) fn advance(&mut self, machine: &Machine, graph: &Graph, work: usize, budget: usize) -> Counted {
        let n = graph.store.len();
        let mut work = work as isize;
        while work > 0 {
            match self.phase {
                Phase::Order => {
                    if self.at == self.order.len() {
                        self.ordered(n);
                        continue;
                    }
                    let u = self.order[self.at] as usize;
                    let succ = graph.successors(u);
                    let cu = self.small.get(u).copied().unwrap_or(0);
                    for &v in succ {
                        let v = v as usize;
                        if let Some(count) = self.small.get_mut(v) {
                            match count.checked_add(cu) {
                                Some(c) => *count = c,
                                None => self.small = Vec::new(),
                            }
                        }
                        self.indegree[v] -= 1;
                        if self.indegree[v] == 0 {
                            self.order.push(v as u32);
                        }
                    }
                    work -= 1 + succ.len() as isize;
                    self.at += 1;
                }
                Phase::Big => {
                    if self.at == n {
                        (self.phase, self.at) = (Phase::Tally, 0);
                        continue;
                    }
                    let u = self.order[self.at] as usize;
                    let cu = self.big[u].clone();
                    self.big_bytes += cu.bits() as usize / 8 + size_of::<u64>();
                    let succ = graph.successors(u);
                    for &v in succ {
                        self.big[v as usize] += &cu;
                    }
                    // An addition costs more the longer the numbers are.
                    work -= (1 + succ.len() as isize) * (1 + cu.bits() as isize / 512);
                    self.at += 1;
                }
                Phase::Tally => {
                    let Some(&id) = graph.edges.finals.get(self.at) else {
                        let tally = std::mem::replace(&mut self.tally, Tally::new());
                        return Counted::Done(tally.into_report(machine, n, self.unbounded));
                    };
                    let id = id as usize;
                    let count = if self.unbounded {
                        BigUint::zero()
                    } else if self.big.is_empty() {
                        BigUint::from(self.small[id])
                    } else {
                        take(&mut self.big[id])
                    };
                    self.tally.add(machine, graph.store.get(id), count);
                    work -= 4;
                    self.at += 1;
                }
            }
        }
        if graph.bytes() + self.bytes(machine) > budget {
            Counted::OutOfMemory
        } else {
            Counted::More
        }
    }

    /// The order is complete: every state is in it (and counted, or to be counted again in
    /// `BigUint`), or there is a cycle.
    fn ordered(&mut self, n: usize) {
        self.indegree = Vec::new();
        self.at = 0;
        if self.order.len() < n {
            self.unbounded = true;
            (self.order, self.small) = (Vec::new(), Vec::new());
            self.phase = Phase::Tally;
        } else if self.small.is_empty() {
            self.big = vec![BigUint::zero(); n];
            self.big[0] = BigUint::from(1u8);
            self.phase = Phase::Big;
        } else {
            self.order = Vec::new();
            self.phase = Phase::Tally;
        }
    }
}
