//! The pipeline's view: its settings, the queues and throughput live while it runs ([`figure`]),
//! and what the run showed; the run itself is [`run`].

use std::rc::Rc;

use yew::prelude::*;

use interleave_core::channels::pipeline::{PipelineField, PipelineForm, PipelinePlan};
use interleave_core::numbers::group_digits;

use super::ViewProps;
use interleave_ui::widget::{ProgressBar, RunButtons};
use crate::widgets::lab_common::{event_value, lab_threads};

mod figure;
mod run;

pub(super) use run::PipelineJson;

/// The fields typed as numbers before the workers: each with its input's id and name, and its label.
const TYPED: [(PipelineField, &str, &str, &str); 4] = [
    (PipelineField::Items, "ch-items", "items", "Items"),
    (PipelineField::ProducerUs, "ch-producer", "producer-us", "Producer µs per item"),
    (PipelineField::WorkerUs, "ch-worker", "worker-us", "Worker µs per item"),
    (PipelineField::ConsumerUs, "ch-consumer", "consumer-us", "Consumer µs per item"),
];

/// The settings as typed, and why the last ones were refused.
#[derive(Debug, Clone, Default, PartialEq)]
struct Form {
    typed: PipelineForm,
    refusal: Option<String>,
}

/// A change to the [`Form`]; every one clears the last refusal.
enum Edit {
    Type(PipelineField, String),
    Unbounded(bool),
    Refuse(String),
    Accept,
}

impl Reducible for Form {
    type Action = Edit;

    fn reduce(self: Rc<Self>, edit: Edit) -> Rc<Self> {
        let mut next = (*self).clone();
        next.refusal = None;
        match edit {
            Edit::Type(field, text) => next.typed.set(field, text),
            Edit::Unbounded(unbounded) => next.typed.unbounded = unbounded,
            Edit::Refuse(reason) => next.refusal = Some(reason),
            Edit::Accept => {}
        }
        Rc::new(next)
    }
}

#[function_component]
pub(super) fn PipelineView(ViewProps { lab }: &ViewProps) -> Html {
    let form = use_reducer(Form::default);
    let live = use_mut_ref(run::Live::default);
    let calibration = use_mut_ref(|| None::<f64>);
    let threads = lab_threads(&lab.pool);

    let onsubmit = {
        let (form, lab, live, calibration) = (form.clone(), lab.clone(), live.clone(), calibration.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !lab.can_start() {
                return;
            }
            match form.typed.plan(threads) {
                Ok(plan) => {
                    form.dispatch(Edit::Accept);
                    run::start(&lab, plan, live.clone(), calibration.clone());
                }
                Err(reason) => form.dispatch(Edit::Refuse(reason)),
            }
        })
    };
    let edit = |field: PipelineField| {
        let form = form.clone();
        Callback::from(move |e: Event| form.dispatch(Edit::Type(field, event_value(&e))))
    };
    let on_text = |field: PipelineField| edit(field).reform(|e: InputEvent| e.into());
    let on_unbounded = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let checked = e.target_dyn_into::<web_sys::HtmlInputElement>().is_some_and(|i| i.checked());
            form.dispatch(Edit::Unbounded(checked));
        })
    };

    let running = lab.running();
    live.borrow_mut().log.collect();
    let live = live.borrow();
    let stages_now = form.typed.text(PipelineField::Workers).parse::<usize>().unwrap_or(1) + 2;
    let typed = |(field, id, name, label): (PipelineField, &'static str, &'static str, &'static str)| {
        html! {
            <div class="field">
                <label for={id}>{ label }</label>
                <input id={id} {name} inputmode="numeric" value={form.typed.text(field).to_string()} oninput={on_text(field)} />
            </div>
        }
    };
    html! {
        <>
            <form class="lab-form" {onsubmit}>
                <fieldset class="lab-fieldset" disabled={running}>
                    <legend>{ "Pipeline" }</legend>
                    <div class="lab-fields">
                        { for TYPED.map(typed) }
                        <div class="field">
                            <label for="ch-workers">{ "Workers" }</label>
                            <select id="ch-workers" name="workers" onchange={edit(PipelineField::Workers)}>
                                { for (1..=PipelinePlan::MAX_WORKERS).map(|n| html! { <option value={n.to_string()} selected={form.typed.text(PipelineField::Workers) == n.to_string()}>{ n }</option> }) }
                            </select>
                        </div>
                        <div class="field">
                            <label for="ch-capacity">{ "Queue capacity" }</label>
                            <input id="ch-capacity" name="capacity" inputmode="numeric" value={form.typed.text(PipelineField::Capacity).to_string()} oninput={on_text(PipelineField::Capacity)}
                                   disabled={form.typed.unbounded} />
                        </div>
                        <label class="check"><input type="checkbox" name="unbounded" checked={form.typed.unbounded} onchange={on_unbounded} />{ "No bound (a queue can hold every item)" }</label>
                    </div>
                </fieldset>
                <RunButtons label="Run the pipeline" {running} ready={lab.can_start()} on_cancel={lab.run.cancel()} />
                <p class="help">{ format!(
                    "Items from {} to {}; each stage from 0 to {} µs per item; capacity from 1 to {}. Each item's work is real computation, \
                     calibrated to this device.", group_digits(*PipelinePlan::ITEMS.start()), group_digits(*PipelinePlan::ITEMS.end()),
                    group_digits(*PipelinePlan::STAGE_US.end()), group_digits(*PipelinePlan::CAPACITY.end())) }
                    { if lab.pool.workers() > 0 && stages_now > threads {
                        format!(" This page has {threads} worker threads for {stages_now} stages: a stage that cannot send or receive gives its \
                                 thread to another instead of waiting on it, so the stages take turns.")
                    } else { String::new() } }
                </p>
            </form>
            if let Some(reason) = form.refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if running { <ProgressBar fraction={lab.run.fraction()} label={if live.settings.is_some() { "Items consumed" } else { "Operations sent" }} /> }
            if live.checking { <p class="help" aria-live="polite">{ "Checking every item's value against a plain loop…" }</p> }
            if let Some(n) = lab.note() { <p class="note" role="status">{ n.to_string() }</p> }
            { figure::live(&live, running) }
            if let Some(r) = lab.record.pipeline.as_ref() { { figure::outcome(r) } }
        </>
    }
}
