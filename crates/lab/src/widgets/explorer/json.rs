//! The explorer's `data-result`: a [`Report`] as the site publishes it. Counts are JSON numbers
//! below 2^53 and decimal strings otherwise; each outcome also says whether it is `bad`, and
//! whether only store buffers make it possible (`only_with_store_buffers`, under `tso`);
//! `reachable` says which endings some schedule reaches; `explore_ms` is how long the exploration
//! took, and under `tso` `sc_explore_ms` how long the second one, under `sc`, took (else null).

use std::collections::BTreeMap;

use num_bigint::BigUint;
use num_traits::ToPrimitive;
use serde::Serialize;

use interleave_core::explorer::{Reachable, Report};

/// A count: a number while JavaScript holds it exactly, its decimal digits beyond.
#[derive(Serialize)]
#[serde(untagged)]
enum CountJson {
    Number(u64),
    Text(String),
}

impl CountJson {
    fn of(c: &BigUint) -> Self {
        match c.to_u64() {
            Some(v) if v < 1u64 << 53 => CountJson::Number(v),
            _ => CountJson::Text(c.to_string()),
        }
    }
}

#[derive(Serialize)]
struct OutcomeJson<'a> {
    values: &'a BTreeMap<String, i64>,
    schedules: CountJson,
    bad: bool,
    only_with_store_buffers: bool,
}

#[derive(Serialize)]
struct ReachableJson {
    complete: bool,
    bad: bool,
    deadlock: bool,
    error: bool,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    schedules: CountJson,
    complete: CountJson,
    bad: CountJson,
    deadlock: CountJson,
    error: CountJson,
    states: usize,
    outcomes: Vec<OutcomeJson<'a>>,
    unbounded: bool,
    reachable: ReachableJson,
    explore_ms: f64,
    sc_explore_ms: Option<f64>,
}

/// `{"schedules","complete","bad","deadlock","error","states","outcomes","unbounded","reachable",
/// "explore_ms","sc_explore_ms"}`, the times in milliseconds to a tenth.
pub(super) fn report_json(r: &Report, ms: f64, sc_ms: Option<f64>) -> String {
    let tenth = |ms: f64| (ms * 10.0).round() / 10.0;
    let Reachable { complete, bad, deadlock, error } = r.reachable;
    let json = ReportJson {
        schedules: CountJson::of(&r.schedules),
        complete: CountJson::of(&r.complete),
        bad: CountJson::of(&r.bad),
        deadlock: CountJson::of(&r.deadlock),
        error: CountJson::of(&r.error),
        states: r.states,
        outcomes: r
            .outcomes
            .iter()
            .map(|o| OutcomeJson {
                values: &o.values,
                schedules: CountJson::of(&o.schedules),
                bad: o.bad,
                only_with_store_buffers: o.only_with_store_buffers,
            })
            .collect(),
        unbounded: r.unbounded,
        reachable: ReachableJson { complete, bad, deadlock, error },
        explore_ms: tenth(ms),
        sc_explore_ms: sc_ms.map(tenth),
    };
    serde_json::to_string(&json).unwrap_or_default()
}
