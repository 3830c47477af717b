//! The explorer's "Explore all" tab: counts every interleaving ([`run`](super::run): on the pool,
//! or in slices on the page's thread), with a state limit, progress and cancel, then draws the
//! report's outcome bars, each with "Show me one", a page of them at a time.
//!
//! Implementation note: the run is this tab's own hook rather than `hooks::use_run`, whose
//! lifecycle differs here: a cancel says "Exploration cancelled." (not a share of the work), a
//! state or memory limit ends in the error state with its own sentence, and a new program
//! forgets the last report and note. A report may have thousands of outcomes: the list shows
//! [`OUTCOMES_PER_PAGE`] at a time, so the page's DOM stays small, and the JSON of the report is
//! kept as it came from the run, not written again at each redraw.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use gloo::timers::callback::Interval;
use num_bigint::BigUint;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use interleave_core::explorer::{values_text, ExploreError, Limits, Program, Report, Target, OUTCOMES_PER_PAGE};
use interleave_core::numbers::{duration_ms, group_decimal, group_digits};
use interleave_core::run::jobs::Progress;

use interleave_ui::widget::{ProgressBar, RunState};

use super::run::explore_all;

/// How often a running exploration's progress is redrawn.
const REDRAW_MS: u32 = 100;

/// The "explore all" run: the state limit typed, the run's state, its report (with its JSON and
/// the page of outcomes shown) and its note.
#[derive(Clone)]
pub(super) struct ExploreRun {
    limit_text: UseStateHandle<String>,
    refusal: UseStateHandle<Option<String>>,
    state: UseStateHandle<RunState>,
    report: UseStateHandle<Option<Rc<Report>>>,
    json: UseStateHandle<Option<AttrValue>>,
    /// How long the last report took: the exploration, and under `tso` the one under `sc`.
    took: UseStateHandle<Option<(f64, Option<f64>)>>,
    page: UseStateHandle<usize>,
    note: UseStateHandle<Option<String>>,
    progress: UseStateHandle<Option<Arc<Progress>>>,
    ticker: Rc<RefCell<Option<Interval>>>,
    redraw: UseForceUpdateHandle,
}

/// The explorer's run, idle until [`ExploreRun::start`].
#[hook]
pub(super) fn use_explore_run() -> ExploreRun {
    ExploreRun {
        limit_text: use_state(|| Limits::PAGE.max_states.to_string()),
        refusal: use_state(|| None),
        state: use_state(|| RunState::Idle),
        report: use_state(|| None),
        json: use_state(|| None),
        took: use_state(|| None),
        page: use_state(|| 0),
        note: use_state(|| None),
        progress: use_state(|| None),
        ticker: use_mut_ref(|| None),
        redraw: use_force_update(),
    }
}

impl ExploreRun {
    /// Where the run stands (the widget's `data-state`).
    pub(super) fn state(&self) -> RunState {
        *self.state
    }

    fn running(&self) -> bool {
        *self.state == RunState::Running
    }

    /// The last report, as the widget's `data-result`.
    pub(super) fn result_json(&self) -> Option<AttrValue> {
        (*self.json).clone()
    }

    /// The last report, if the last run finished.
    pub(super) fn report(&self) -> Option<Rc<Report>> {
        (*self.report).clone()
    }

    /// Shows `note` where the run's notes go.
    pub(super) fn tell(&self, note: &str) {
        self.note.set(Some(note.to_string()));
    }

    /// Forgets the last report and note (a new program); a run under way goes on.
    pub(super) fn forget(&self) {
        self.report.set(None);
        self.json.set(None);
        self.took.set(None);
        self.note.set(None);
        if !self.running() {
            self.state.set(RunState::Idle);
        }
    }

    /// Explores every interleaving of `program` within the typed state limit, or refuses the limit.
    pub(super) fn start(&self, program: Program) {
        if self.running() {
            return;
        }
        let limits = match Limits::parse(&self.limit_text) {
            Ok(limits) => limits,
            Err(reason) => return self.refusal.set(Some(reason)),
        };
        self.refusal.set(None);
        let progress = Progress::new(limits.max_states as u64);
        self.progress.set(Some(progress.clone()));
        self.state.set(RunState::Running);
        self.report.set(None);
        self.json.set(None);
        self.took.set(None);
        self.note.set(None);
        let redraw = self.redraw.clone();
        *self.ticker.borrow_mut() = Some(Interval::new(REDRAW_MS, move || redraw.force_update()));
        let run = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = explore_all(program, limits, progress).await;
            run.ticker.borrow_mut().take();
            match result {
                Ok(explored) => {
                    run.took.set(Some((explored.ms, explored.sc_ms)));
                    run.json.set(Some(AttrValue::from(explored.json)));
                    run.report.set(Some(Rc::new(explored.report)));
                    run.page.set(0);
                    run.state.set(RunState::Done);
                }
                Err(e) => {
                    run.note.set(Some(e.note()));
                    run.state.set(if e == ExploreError::Cancelled { RunState::Idle } else { RunState::Error });
                }
            }
        });
    }
}

/// How long an exploration took, in words; under `tso`, with the second one under `sc`.
fn took_view(ms: f64, sc_ms: Option<f64>) -> Html {
    match sc_ms {
        None => html! { { format!("Explored in {}.", duration_ms(ms)) } },
        Some(sc) => html! {
            <>{ format!("Explored in {}, and again under ", duration_ms(ms)) }<code>{ "memory sc" }</code>{ format!(" in {}, to compare.", duration_ms(sc)) }</>
        },
    }
}

/// A count of any size, grouped by thousands.
fn big(n: &BigUint) -> String {
    group_decimal(&n.to_string())
}

/// An outcome's values as [`values_text`] words them, each `name = value` kept on one line.
fn values_html(values: &BTreeMap<String, i64>) -> Html {
    if values.is_empty() {
        return html! { { values_text(values) } };
    }
    values
        .iter()
        .enumerate()
        .map(|(i, (k, v))| html! { <>{ if i > 0 { ", " } else { "" } }<span class="pair">{ format!("{k} = {v}") }</span></> })
        .collect()
}

/// The tab: controls, progress, note and the last report; `program` is `None` while the source
/// does not parse.
pub(super) fn view(
    run: &ExploreRun,
    program: Option<&Program>,
    show_me: &dyn Fn(Target) -> Callback<MouseEvent>,
) -> Html {
    let running = run.running();
    let start = {
        let (run, program) = (run.clone(), program.cloned());
        Callback::from(move |_| {
            if let Some(p) = program.clone() {
                run.start(p);
            }
        })
    };
    let cancel = {
        let progress = run.progress.clone();
        Callback::from(move |_| {
            if let Some(p) = progress.as_ref() {
                p.cancel();
            }
        })
    };
    let on_limit = {
        let limit_text = run.limit_text.clone();
        Callback::from(move |e: InputEvent| limit_text.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let (fraction, states) = run.progress.as_ref().map_or((0.0, 0), |p| (p.fraction(), p.done()));
    html! {
        <div class="explore">
            <div class="controls">
                <button type="button" class="primary" onclick={start} disabled={running || program.is_none()}>{ "Explore every interleaving" }</button>
                <button type="button" onclick={cancel} disabled={!running}>{ "Cancel" }</button>
                <span class="limit">
                    <label for="explorer-limit">{ "State limit" }</label>
                    <input id="explorer-limit" inputmode="numeric" value={(*run.limit_text).clone()} disabled={running} oninput={on_limit} />
                </span>
            </div>
            if let Some(r) = run.refusal.as_ref() { <p class="refusal" role="alert">{ r }</p> }
            if running {
                <>
                    <ProgressBar {fraction} label="States visited, of the limit" />
                    <p class="help">{ format!("{} states visited…", group_digits(states)) }</p>
                </>
            }
            if let Some(n) = run.note.as_ref() { <p class="note" role="status">{ n }</p> }
            if let Some(r) = run.report.as_ref() { { report(r, &run.page, show_me) } }
            if let (Some(_), Some(&(ms, sc_ms))) = (run.report.as_ref(), run.took.as_ref()) {
                <p class="help" data-testid="explore-time">{ took_view(ms, sc_ms) }</p>
            }
        </div>
    }
}

/// The figures and outcome bars of a finished exploration, with the outcomes on page `page`.
fn report(r: &Report, page: &UseStateHandle<usize>, show_me: &dyn Fn(Target) -> Callback<MouseEvent>) -> Html {
    let (first, outcomes) = r.outcome_page(**page);
    let bar = |part: &BigUint| {
        let pct = r.share(part) * 100.0;
        html! {
            <>
                <span class="bar" aria-hidden="true"><span style={format!("width: {pct:.2}%")}></span></span>
                <span class="count">{ format!("{} · {}", big(part), r.share_text(part)) }</span>
            </>
        }
    };
    // A figure of many digits takes two columns, so that it stays on one line.
    let figure = |name: &str, text: String| {
        let long = text.len() > 11;
        html! { <div class={classes!(long.then_some("long"))}><dt>{ name.to_string() }</dt><dd>{ text }</dd></div> }
    };
    html! {
        <div class="report">
            if r.unbounded {
                <p class="note">{ "A loop can spin forever here, so there are infinitely many schedules. Below is what can happen at all." }</p>
            } else {
                <dl class="figures">
                    { figure("Schedules", big(&r.schedules)) }
                    { figure("Complete", big(&r.complete)) }
                    { figure("Bad", big(&r.bad)) }
                    { figure("Deadlocked", big(&r.deadlock)) }
                    { figure("Errors", big(&r.error)) }
                    { figure("States visited", group_digits(r.states as u64)) }
                </dl>
            }
            if r.store_buffer_outcomes() > 0 {
                <p class="note" data-testid="weaker-note">
                    { format!(
                        "{} of these {} outcomes {} only possible with store buffers: the same program under sequential consistency (",
                        r.store_buffer_outcomes(),
                        r.outcomes.len(),
                        if r.store_buffer_outcomes() == 1 { "is" } else { "are" }
                    ) }
                    <code>{ "memory sc" }</code>{ ") never ends so." }
                </p>
            }
            if r.outcomes.len() > OUTCOMES_PER_PAGE { { pager(r, first, outcomes.len(), page) } }
            <ul class="outcome-bars">
                { for outcomes.iter().map(|o| html! {
                    <li class={classes!(o.bad.then_some("bad"), o.only_with_store_buffers.then_some("weaker"))}>
                        <span class="label">{ values_html(&o.values) }{ if o.bad { " (bad)" } else { "" } }
                            if o.only_with_store_buffers { <span class="only-tso" data-testid="only-tso">{ " only possible with store buffers" }</span> }
                        </span>
                        if !r.unbounded { { bar(&o.schedules) } }
                        <button type="button" onclick={show_me(Target::Outcome(o.values.clone()))}>{ "Show me one" }</button>
                    </li>
                }) }
                if r.reachable.deadlock {
                    <li class="bad">
                        <span class="label">{ "Deadlock" }</span>
                        if !r.unbounded { { bar(&r.deadlock) } }
                        <button type="button" onclick={show_me(Target::Deadlock)}>{ "Show me one" }</button>
                    </li>
                }
                if r.reachable.error {
                    <li class="bad">
                        <span class="label">{ "Error" }</span>
                        <span class="count">{ big(&r.error) }</span>
                        <button type="button" onclick={show_me(Target::Error)}>{ "Show me one" }</button>
                    </li>
                }
            </ul>
        </div>
    }
}

/// Which outcomes the list shows, of how many, and buttons to the pages before and after.
fn pager(r: &Report, first: usize, shown: usize, page: &UseStateHandle<usize>) -> Html {
    let at = first / OUTCOMES_PER_PAGE;
    let go = |to: usize| {
        let page = page.clone();
        Callback::from(move |_| page.set(to))
    };
    let last = r.outcome_pages() - 1;
    html! {
        <div class="controls pager" data-testid="outcome-pager">
            <button type="button" onclick={go(at.saturating_sub(1))} disabled={at == 0}>{ "Previous" }</button>
            <span role="status">{ format!(
                "Outcomes {}–{} of {}",
                group_digits(first as u64 + 1),
                group_digits((first + shown) as u64),
                group_digits(r.outcomes.len() as u64)
            ) }</span>
            <button type="button" onclick={go((at + 1).min(last))} disabled={at == last}>{ "Next" }</button>
        </div>
    }
}
