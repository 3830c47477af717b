//! The explorer's "Explore all" tab: counts every interleaving ([`run`](super::run): on the pool,
//! or in slices on the page's thread), with a state limit, progress and cancel, then the report
//! ([`outcomes`](super::outcomes)).
//!
//! Implementation note: the run is this tab's own hook rather than `hooks::use_run`, whose
//! lifecycle differs here: a cancel says "Exploration cancelled." (not a share of the work), a
//! state or memory limit ends in the error state with its own sentence, and a new program
//! forgets the last report and note. A report may have thousands of outcomes: the list shows
//! [`OUTCOMES_PER_PAGE`](interleave_core::explorer::OUTCOMES_PER_PAGE) at a time, so the page's
//! DOM stays small, and the JSON of the report is kept as it came from the run, not written again
//! at each redraw.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use gloo::timers::callback::Interval;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use interleave_core::explorer::{ExploreError, Limits, Program, Report, Target};
use interleave_core::numbers::{duration_ms, group_digits};
use interleave_core::run::jobs::Progress;

use interleave_ui::widget::{ProgressBar, RunState};

use super::outcomes::report;
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
