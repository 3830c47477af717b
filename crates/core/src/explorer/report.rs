//! What an exploration found: the counts of schedules by ending, the distinct outcomes, and which
//! endings are reachable.

use std::collections::BTreeMap;

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

use super::machine::{Ending, Machine};
use super::store::Graph;

/// Which endings some schedule reaches (exact also when counts are not, see [`Report::unbounded`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
    /// Number of distinct states visited (with
    /// [`ExploreControl::symmetry`](super::ExploreControl::symmetry), states that differ only by
    /// swapping threads with identical code count once).
    pub states: usize,
    /// Whether some schedule can go on forever (a cycle in the state graph).
    pub unbounded: bool,
    /// Which endings are reachable.
    pub reachable: Reachable,
}

impl Report {
    /// `part` as a share of all schedules, 0.0 to 1.0 (0.0 when the report is unbounded).
    pub fn share(&self, part: &BigUint) -> f64 {
        match (part.to_f64(), self.schedules.to_f64()) {
            (Some(p), Some(w)) if w > 0.0 => p / w,
            _ => 0.0,
        }
    }
}

/// Adds up the schedules ending in each final state (`count(state)`) into a report.
pub(super) fn summarise(machine: &Machine, graph: &Graph, count: impl Fn(usize) -> BigUint, unbounded: bool) -> Report {
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
