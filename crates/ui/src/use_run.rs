//! The run lifecycle every experiment repeats: start a job once, redraw its progress while it
//! runs, let the learner cancel it, cancel it when the widget leaves the page, and end in one of
//! three ways (done with an outcome; cancelled, with a note saying how far it got; failed, with
//! the reason), in the hook's words or the widget's ([`Stop`]).
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

use crate::widget::RunState;

/// How often a running job's progress is redrawn.
const REDRAW_MS: u32 = 100;

/// How a run can end without an outcome. A job's own error gets the hook's wording; a widget
/// that words its endings itself says [`Stop::Cancelled`] or [`Stop::Failed`] with its note.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// The job's error: "Cancelled after 40% of the numbers." or "The run failed: …".
    Job(JobError),
    /// Cancelled; the widget's note.
    Cancelled(String),
    /// Failed; the widget's note.
    Failed(String),
}

impl From<JobError> for Stop {
    fn from(e: JobError) -> Self {
        Stop::Job(e)
    }
}

/// A widget's run: its state, the last outcome, and a note after a cancel or a failure.
pub struct Run<T: 'static> {
    state: UseStateHandle<RunState>,
    note: UseStateHandle<Option<String>>,
    progress: UseStateHandle<Option<Arc<Progress>>>,
    outcome: UseStateHandle<Option<Rc<T>>>,
    redraw: UseForceUpdateHandle,
    ticker: Rc<RefCell<Option<Interval>>>,
    /// The progress of the run under way, read when the widget leaves (a state handle would be
    /// the value of the render that made the effect).
    current: Rc<RefCell<Option<Arc<Progress>>>>,
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
            current: self.current.clone(),
        }
    }
}

/// The run of one widget, idle until [`Run::start`]; a run still going when the widget leaves
/// the page is cancelled (it stops at its next check).
#[hook]
pub fn use_run<T: 'static>() -> Run<T> {
    let current: Rc<RefCell<Option<Arc<Progress>>>> = use_mut_ref(|| None);
    {
        let current = current.clone();
        use_effect_with((), move |_| {
            move || {
                if let Some(progress) = current.borrow().as_ref() {
                    progress.cancel();
                }
            }
        });
    }
    Run {
        state: use_state(|| RunState::Idle),
        note: use_state(|| None),
        progress: use_state(|| None),
        outcome: use_state(|| None),
        redraw: use_force_update(),
        ticker: use_mut_ref(|| None),
        current,
    }
}

impl<T: 'static> Run<T> {
    /// Where the run stands (the widget's `data-state`).
    pub fn state(&self) -> RunState {
        *self.state
    }

    /// Whether a job is under way.
    pub fn running(&self) -> bool {
        *self.state == RunState::Running
    }

    /// The outcome of the last run that finished.
    pub fn outcome(&self) -> Option<&T> {
        self.outcome.as_deref()
    }

    /// What to tell the learner about the last run that did not finish.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The running job's finished share, 0.0 to 1.0 (0.0 before any run).
    pub fn fraction(&self) -> f64 {
        self.progress.as_ref().map_or(0.0, |p| p.fraction())
    }

    /// Starts `work` with a fresh [`Progress`] of `units` work units, unless a run is under way.
    /// A job cancelled with [`JobError::Cancelled`] gets a note saying how much of `what` ("the
    /// numbers", "the schedules") was done; `work` may word its ending itself with a [`Stop`].
    pub fn start<F, Fut, E>(&self, units: u64, what: &'static str, work: F)
    where
        F: FnOnce(Arc<Progress>) -> Fut,
        Fut: Future<Output = Result<T, E>> + 'static,
        E: Into<Stop>,
    {
        if self.running() {
            return;
        }
        let progress = Progress::new(units);
        self.progress.set(Some(progress.clone()));
        *self.current.borrow_mut() = Some(progress.clone());
        self.state.set(RunState::Running);
        self.note.set(None);
        let redraw = self.redraw.clone();
        *self.ticker.borrow_mut() = Some(Interval::new(REDRAW_MS, move || redraw.force_update()));
        let future = work(progress.clone());
        let run = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = future.await.map_err(Into::into);
            run.ticker.borrow_mut().take();
            run.current.borrow_mut().take();
            let (state, note) = match result {
                Ok(outcome) => {
                    run.outcome.set(Some(Rc::new(outcome)));
                    (RunState::Done, None)
                }
                Err(Stop::Job(JobError::Cancelled)) => {
                    (RunState::Idle, Some(format!("Cancelled after {:.0}% of {what}.", progress.fraction() * 100.0)))
                }
                Err(Stop::Job(e)) => (RunState::Error, Some(format!("The run failed: {e}."))),
                Err(Stop::Cancelled(note)) => (RunState::Idle, Some(note)),
                Err(Stop::Failed(note)) => (RunState::Error, Some(note)),
            };
            run.note.set(note);
            run.state.set(state);
        });
    }

    /// A "Cancel" button's callback: asks the running job to stop at its next check.
    pub fn cancel(&self) -> Callback<MouseEvent> {
        let progress = self.progress.clone();
        Callback::from(move |_| {
            if let Some(p) = progress.as_ref() {
                p.cancel();
            }
        })
    }
}
