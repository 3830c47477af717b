//! Channels: a producer → workers → consumer pipeline over bounded queues, with live queue depths
//! and throughput so backpressure shows ([`pipeline`]); and a bank account whose race an actor
//! fixes ([`bank`]). One widget: one frame, one run, one `data-result`.
//!
//! Implementation note: the two views share one [`Lab`]. Its run ([`use_run`]) gives the widget
//! one `data-state`, one progress bar and note, and one run at a time across both forms; its
//! [`Record`] of results is the `data-result`, `{"pipeline": …, "bank": …}`. Where this widget
//! words the end of a run otherwise than the hook does (the bank's cancel and failure, a pipeline
//! that could not run, and one whose checksums differ, which is an error that still has a result),
//! the run ends with a [`Stop`](interleave_ui::use_run::Stop) in its own words. Leaving the page
//! cancels a run under way (the hook does).

use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;
use yew::prelude::*;

use interleave_core::run::jobs::Progress;

use crate::pool::PoolState;
use interleave_ui::widget::{RunState, Widget, WidgetFrame};
use interleave_ui::use_run::{use_run, Run, Stop};
use crate::widgets::lab_common::PoolNote;

mod bank;
mod pipeline;

use bank::{BankJson, BankView};
use pipeline::{PipelineJson, PipelineView};

/// The results the views publish: the last pipeline run, and every bank run.
#[derive(Debug, Clone, Default, PartialEq)]
struct Record {
    pipeline: Option<PipelineJson>,
    bank: Vec<BankJson>,
}

/// A result to add to the [`Record`].
enum Recorded {
    Pipeline(PipelineJson),
    Bank(BankJson),
}

impl Reducible for Record {
    type Action = Recorded;

    fn reduce(self: Rc<Self>, action: Recorded) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Recorded::Pipeline(json) => next.pipeline = Some(json),
            Recorded::Bank(json) => next.bank.push(json),
        }
        Rc::new(next)
    }
}

impl Record {
    /// The widget's `data-result`: the last pipeline run and the last bank run, once there is either.
    fn json(&self) -> Option<AttrValue> {
        #[derive(Serialize)]
        struct ResultJson<'a> {
            pipeline: Option<&'a PipelineJson>,
            bank: Option<&'a BankJson>,
        }
        (self.pipeline.is_some() || !self.bank.is_empty()).then(|| {
            let json = ResultJson { pipeline: self.pipeline.as_ref(), bank: self.bank.last() };
            AttrValue::from(serde_json::to_string(&json).unwrap_or_default())
        })
    }
}

/// What both views share: the widget's run, its results, and the pool's state.
#[derive(Clone)]
struct Lab {
    run: Run<()>,
    record: UseReducerHandle<Record>,
    pool: PoolState,
}

/// Never equal: the views draw from handles whose values change behind them, so they redraw
/// whenever the frame does (and the run's ticker redraws the frame while a run goes on).
impl PartialEq for Lab {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

#[derive(Properties, PartialEq)]
struct ViewProps {
    lab: Lab,
}

impl Lab {
    /// Whether a run is under way.
    fn running(&self) -> bool {
        self.run.running()
    }

    /// Whether a form may start a run: none is under way and the pool has settled.
    fn can_start(&self) -> bool {
        !self.running() && self.pool.settled()
    }

    /// The widget's `data-state`.
    fn state(&self) -> RunState {
        self.run.state()
    }

    /// What to tell the learner about the last run's end, if anything.
    fn note(&self) -> Option<&str> {
        self.run.note()
    }

    /// Starts `work` as the widget's run, of `units` units of `what` (as a cancel's note counts
    /// them); `work` may word its ending with a [`Stop`].
    fn start<Fut>(&self, units: u64, what: &'static str, work: impl FnOnce(Arc<Progress>) -> Fut)
    where
        Fut: Future<Output = Result<(), Stop>> + 'static,
    {
        self.run.start(units, what, work);
    }
}

#[function_component]
pub(crate) fn ChannelsLab() -> Html {
    let pool = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    let run = use_run::<()>();
    let record = use_reducer(Record::default);
    let lab = Lab { run, record, pool };
    html! {
        <WidgetFrame widget={Widget::Channels} state={lab.state()} result={lab.record.json()}>
            <p>{ "A producer makes items, workers transform them, a consumer finishes them; bounded queues connect the stages. \
                  Set how long each stage spends per item and how many items each queue holds, then watch the queues while it runs." }</p>
            <PoolNote without="The stages take turns on that thread: the queues still fill and empty the same way, only nothing runs at the same time." />
            <PipelineView lab={lab.clone()} />
            <BankView {lab} />
        </WidgetFrame>
    }
}
