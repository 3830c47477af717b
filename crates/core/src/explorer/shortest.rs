//! The shortest schedule to an outcome, a deadlock or an error: what "Show me one" replays.

use std::collections::BTreeMap;

use super::explore::{Limits, MEMORY_BUDGET};
use super::machine::{Ending, Machine, Move};
use super::parse::Program;
use super::store::{hash_words, StateStore};

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

/// The fewest moves (steps and flushes) from the initial state that end a schedule at `target`, found by
/// breadth-first search; `None` when unreachable, or when the search passes `limits` or
/// [`MEMORY_BUDGET`].
pub fn shortest_schedule(program: &Program, target: &Target, limits: &Limits) -> Option<Vec<Move>> {
    shortest_path(&Machine::new(program), target, limits)
}

/// [`shortest_schedule`] for an already compiled program.
pub(super) fn shortest_path(machine: &Machine, target: &Target, limits: &Limits) -> Option<Vec<Move>> {
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
    let mut parent: Vec<(u32, Move)> = vec![(u32::MAX, Move::step(0))];
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
                    path.push(parent[at].1);
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
                parent.push((id as u32, t));
                let bytes = store.bytes() + parent.capacity() * std::mem::size_of::<(u32, Move)>();
                if store.len() > max || bytes > MEMORY_BUDGET {
                    return None;
                }
            }
        }
        id += 1;
    }
    None
}
