//! The run lifecycle every experiment repeats: start a job once, redraw its progress while it
//! runs, let the learner cancel it, and end in one of three ways (done with an outcome;
//! cancelled, with a note saying how far it got; failed, with the reason).
//!
//! Implementation note: the job itself is any future of `Result<T, JobError>` made from the
//! [`Progress`] the hook creates, so it can run on the worker pool (`browser::pool`), in slices on
//! the page's thread, or be several runs in a row; the hook only owns the state around it. The
//! `data-state` a widget publishes is [`Run::state`].

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use gloo::timers::callback::Interval;
use interleave_core::run::jobs::{JobError, Progress};
use yew::prelude::*;

use crate::components::widget::RunState;

/// How often a running job's progress is redrawn.
const REDRAW_MS: u32 = 100;

/// A widget's run: its state, the last outcome, and a note after a cancel or a failure.
pub(crate) struct Run<T: 'static> {
    state: UseStateHandle<RunState>,
    note: UseStateHandle<Option<String>>,
    progress: UseStateHandle<Option<Arc<Progress>>>,
    outcome: UseStateHandle<Option<Rc<T>>>,
    redraw: UseForceUpdateHandle,
    ticker: Rc<RefCell<Option<Interval>>>,
}

impl<T: 'static> Clone for Run<T> {
    fn clone(&self) -> Self {
        Run {
            state: self.state.clone(),
            note: self.note.clone(),
            progress: self.progress.clone(),
            outcome: self.outcome.clone(),
            redraw: self.redraw.clone(),
            ticker: self.ticker.clone(),
        }
    }
}

/// The run of one widget, idle until [`Run::start`].
#[hook]
pub(crate) fn use_run<T: 'static>() -> Run<T> {
    Run {
        state: use_state(|| RunState::Idle),
        note: use_state(|| None),
        progress: use_state(|| None),
        outcome: use_state(|| None),
        redraw: use_force_update(),
        ticker: use_mut_ref(|| None),
    }
}

impl<T: 'static> Run<T> {
    /// Where the run stands (the widget's `data-state`).
    pub(crate) fn state(&self) -> RunState {
        *self.state
    }

    /// Whether a job is under way.
    pub(crate) fn running(&self) -> bool {
        *self.state == RunState::Running
    }

    /// The outcome of the last run that finished.
    pub(crate) fn outcome(&self) -> Option<&T> {
        self.outcome.as_deref()
    }

    /// What to tell the learner about the last run that did not finish.
    pub(crate) fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The running job's finished share, 0.0 to 1.0 (0.0 before any run).
    pub(crate) fn fraction(&self) -> f64 {
        self.progress.as_ref().map_or(0.0, |p| p.fraction())
    }

    /// Starts `work` with a fresh [`Progress`] of `units` work units, unless a run is under way.
    /// A cancelled run's note says how much of `what` ("the numbers", "the schedules") was done.
    pub(crate) fn start<F, Fut>(&self, units: u64, what: &'static str, work: F)
    where
        F: FnOnce(Arc<Progress>) -> Fut,
        Fut: Future<Output = Result<T, JobError>> + 'static,
    {
        if self.running() {
            return;
        }
        let progress = Progress::new(units);
        self.progress.set(Some(progress.clone()));
        self.state.set(RunState::Running);
        self.note.set(None);
        let redraw = self.redraw.clone();
        *self.ticker.borrow_mut() = Some(Interval::new(REDRAW_MS, move || redraw.force_update()));
        let future = work(progress.clone());
        let run = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = future.await;
            run.ticker.borrow_mut().take();
            match result {
                Ok(outcome) => {
                    run.outcome.set(Some(Rc::new(outcome)));
                    run.state.set(RunState::Done);
                }
                Err(JobError::Cancelled) => {
                    run.note.set(Some(format!("Cancelled after {:.0}% of {what}.", progress.fraction() * 100.0)));
                    run.state.set(RunState::Idle);
                }
                Err(e) => {
                    run.note.set(Some(format!("The run failed: {e}.")));
                    run.state.set(RunState::Error);
                }
            }
        });
    }

    /// A "Cancel" button's callback: asks the running job to stop at its next check.
    pub(crate) fn cancel(&self) -> Callback<MouseEvent> {
        let progress = self.progress.clone();
        Callback::from(move |_| {
            if let Some(p) = progress.as_ref() {
                p.cancel();
            }
        })
    }
}
