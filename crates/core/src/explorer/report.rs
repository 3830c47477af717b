//! What an exploration found: the counts of schedules by ending, the distinct outcomes, and which
//! endings are reachable.

use std::collections::BTreeMap;

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

use super::machine::{Ending, Machine};

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
    /// Under `tso`, whether the same program under `sc` cannot end with these values (set by
    /// [`Report::mark_store_buffer_outcomes`]).
    pub only_with_store_buffers: bool,
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

/// Outcomes the explorer's page lists at a time (a report may have thousands).
pub const OUTCOMES_PER_PAGE: usize = 50;

impl Report {
    /// Marks the outcomes that `sc`, the report of the same program under sequential consistency,
    /// does not have: what only store buffers make possible.
    pub fn mark_store_buffer_outcomes(&mut self, sc: &Report) {
        let under_sc: std::collections::BTreeSet<&BTreeMap<String, i64>> = sc.outcomes.iter().map(|o| &o.values).collect();
        for o in &mut self.outcomes {
            o.only_with_store_buffers = !under_sc.contains(&o.values);
        }
    }

    /// How many outcomes only store buffers make possible (after [`Report::mark_store_buffer_outcomes`]).
    pub fn store_buffer_outcomes(&self) -> usize {
        self.outcomes.iter().filter(|o| o.only_with_store_buffers).count()
    }

    /// How many pages of [`OUTCOMES_PER_PAGE`] outcomes the list has (at least one, maybe empty).
    pub fn outcome_pages(&self) -> usize {
        self.outcomes.len().div_ceil(OUTCOMES_PER_PAGE).max(1)
    }

    /// The outcomes on page `page` (from 0; past the last page, the last page), and where they
    /// start in [`Report::outcomes`].
    pub fn outcome_page(&self, page: usize) -> (usize, &[Outcome]) {
        let start = page.min(self.outcome_pages() - 1) * OUTCOMES_PER_PAGE;
        let end = (start + OUTCOMES_PER_PAGE).min(self.outcomes.len());
        (start, &self.outcomes[start..end])
    }

    /// `part` as a share of all schedules, 0.0 to 1.0 (0.0 when the report is unbounded).
    pub fn share(&self, part: &BigUint) -> f64 {
        match (part.to_f64(), self.schedules.to_f64()) {
            (Some(p), Some(w)) if w > 0.0 => p / w,
            _ => 0.0,
        }
    }

    /// [`Report::share`] as a percentage to one decimal, for people: never "0.0%" for a part
    /// that happens, nor "100.0%" for one that does not always ("< 0.1%", "> 99.9%", each with a
    /// no-break space).
    pub fn share_text(&self, part: &BigUint) -> String {
        let pct = self.share(part) * 100.0;
        if part.is_zero() || self.schedules.is_zero() {
            "0%".into()
        } else if *part >= self.schedules {
            "100%".into()
        } else if pct < 0.05 {
            "<\u{a0}0.1%".into()
        } else if pct >= 99.95 {
            ">\u{a0}99.9%".into()
        } else {
            format!("{pct:.1}%")
        }
    }
}

/// A report being added up, one final state at a time (in any order: outcomes are kept sorted).
#[derive(Debug)]
pub(super) struct Tally {
    report: Report,
    outcomes: BTreeMap<Vec<i64>, (BigUint, bool)>,
}

impl Tally {
    pub(super) fn new() -> Self {
        let report = Report {
            schedules: BigUint::zero(),
            complete: BigUint::zero(),
            bad: BigUint::zero(),
            deadlock: BigUint::zero(),
            error: BigUint::zero(),
            outcomes: Vec::new(),
            states: 0,
            unbounded: false,
            reachable: Reachable::default(),
        };
        Tally { report, outcomes: BTreeMap::new() }
    }

    /// Adds `count`, the schedules that end in the final state `words`.
    pub(super) fn add(&mut self, machine: &Machine, words: &[i64], count: BigUint) {
        let (report, c) = (&mut self.report, count);
        match machine.ending(words) {
            Ending::Complete { bad } => {
                report.reachable.complete = true;
                report.complete += &c;
                if bad {
                    report.reachable.bad = true;
                    report.bad += &c;
                }
                let shared = machine.shared_slice(words);
                match self.outcomes.get_mut(shared) {
                    Some(entry) => entry.0 += c,
                    None => {
                        self.outcomes.insert(shared.to_vec(), (c, bad));
                    }
                }
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

    /// About the bytes the distinct outcomes take, here and once in the report (each value by name).
    pub(super) fn bytes(&self, machine: &Machine) -> usize {
        let per_value = 2 * std::mem::size_of::<i64>() + std::mem::size_of::<String>() + 16;
        self.outcomes.len() * (128 + machine.shared_names().count() * per_value)
    }

    /// The report of a graph of `states` states (`unbounded` when it has a cycle).
    pub(super) fn into_report(self, machine: &Machine, states: usize, unbounded: bool) -> Report {
        let mut report = self.report;
        report.schedules = &report.complete + &report.deadlock + &report.error;
        let names: Vec<&str> = machine.shared_names().collect();
        report.outcomes = self
            .outcomes
            .into_iter()
            .map(|(values, (schedules, bad))| Outcome {
                values: names.iter().map(|n| n.to_string()).zip(values).collect(),
                schedules,
                bad,
                only_with_store_buffers: false,
            })
            .collect();
        Report { states, unbounded, ..report }
    }
}
