//! The bank's view: how the clients bank, how many there are and how much they send; the runs so
//! far, newest first; and the run itself, on the pool (the clients are threads, so a page without
//! a pool refuses it).

use std::rc::Rc;

use serde::{Serialize, Serializer};
use yew::prelude::*;

use interleave_ui::widget::RunButtons;

use interleave_core::channels::bank::{euros, run_bank, BankForm, BankOutcome, BankPlan, Banking};
use interleave_core::numbers::{duration_ms, group_digits};
use interleave_core::run::jobs::{spawn_task, JobError};

use super::{Lab, Recorded, ViewProps};
use interleave_ui::use_run::Stop;
use crate::pool;
use crate::widgets::lab_common::{event_value, lab_table, now_abs_ms, reserve_memory, round1};

/// One bank run's figures, published as `data-result.bank` (the last one) and listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct BankJson {
    #[serde(serialize_with = "banking_id")]
    banking: Banking,
    clients: usize,
    ops_per_client: u64,
    expected_cents: i64,
    actual_cents: i64,
    lost_cents: i64,
    wall_ms: f64,
}

/// A way of banking in JSON: its [`Banking::id`].
fn banking_id<S: Serializer>(banking: &Banking, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(banking.id())
}

impl BankJson {
    fn new(plan: &BankPlan, outcome: &BankOutcome) -> Self {
        Self {
            banking: plan.banking,
            clients: plan.clients,
            ops_per_client: plan.ops_per_client,
            expected_cents: outcome.expected,
            actual_cents: outcome.actual,
            lost_cents: outcome.lost(),
            wall_ms: round1(outcome.wall_ms),
        }
    }
}

/// The bank's settings as chosen and typed, and why the last ones were refused.
#[derive(Debug, Clone, Default, PartialEq)]
struct Form {
    typed: BankForm,
    refusal: Option<String>,
}

/// A change to the [`Form`].
enum Edit {
    /// Keeps the refusal, which is about the numbers.
    Banking(Banking),
    Clients(String),
    Ops(String),
    Refuse(String),
    Accept,
}

impl Reducible for Form {
    type Action = Edit;

    fn reduce(self: Rc<Self>, edit: Edit) -> Rc<Self> {
        let mut next = (*self).clone();
        match edit {
            Edit::Banking(banking) => next.typed.banking = banking,
            Edit::Clients(text) => (next.typed.clients, next.refusal) = (text, None),
            Edit::Ops(text) => (next.typed.ops, next.refusal) = (text, None),
            Edit::Refuse(reason) => next.refusal = Some(reason),
            Edit::Accept => next.refusal = None,
        }
        Rc::new(next)
    }
}

/// Starts a run of `plan` on the pool as the widget's run.
fn start(lab: &Lab, plan: BankPlan) {
    let record = lab.record.clone();
    lab.start(plan.total_ops(), "the operations", move |progress| async move {
        reserve_memory(plan.memory_bytes()).await?;
        match spawn_task(move || run_bank(&plan, &progress, now_abs_ms)).await.and_then(|run| run) {
            Ok(outcome) => {
                record.dispatch(Recorded::Bank(BankJson::new(&plan, &outcome)));
                Ok(())
            }
            Err(JobError::Cancelled) => Err(Stop::Cancelled("The bank run was cancelled.".into())),
            Err(e) => Err(Stop::Failed(format!("The bank run failed: {e}."))),
        }
    });
}

#[function_component]
pub(super) fn BankView(ViewProps { lab }: &ViewProps) -> Html {
    let form = use_reducer(Form::default);
    let onsubmit = {
        let (form, lab) = (form.clone(), lab.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !lab.can_start() {
                return;
            }
            match form.typed.plan(pool::workers()) {
                Ok(plan) => {
                    form.dispatch(Edit::Accept);
                    start(&lab, plan);
                }
                Err(reason) => form.dispatch(Edit::Refuse(reason)),
            }
        })
    };
    let edit = |make: fn(String) -> Edit| {
        let form = form.clone();
        Callback::from(move |e: Event| form.dispatch(make(event_value(&e))))
    };
    let on_banking = edit(|id| Edit::Banking(Banking::from_id(&id).unwrap_or(Banking::Racy)));

    let running = lab.running();
    html! {
        <section class="bank" aria-labelledby="bank-title">
            <h3 id="bank-title">{ "A bank account: shared balance or actor" }</h3>
            <p>{ format!("Clients deposit and withdraw at the same time on an account that opens with {}. Shared, each client reads the balance \
                  and writes it back changed, and updates get lost. As an actor, the clients send messages and one owner applies them \
                  one by one: the balance is exact.", euros(BankPlan::OPENING_CENTS)) }</p>
            <form class="lab-fields" {onsubmit}>
                <div class="field">
                    <label for="bank-way">{ "Balance" }</label>
                    <select id="bank-way" name="banking" onchange={on_banking} disabled={running}>
                        <option value={Banking::Racy.id()} selected={form.typed.banking == Banking::Racy}>{ "Shared (racy)" }</option>
                        <option value={Banking::Actor.id()} selected={form.typed.banking == Banking::Actor}>{ "Owned by an actor" }</option>
                    </select>
                </div>
                <div class="field">
                    <label for="bank-clients">{ "Clients" }</label>
                    <select id="bank-clients" name="clients" onchange={edit(Edit::Clients)} disabled={running}>
                        { for (1..=BankPlan::MAX_CLIENTS).map(|n| html! { <option value={n.to_string()} selected={form.typed.clients == n.to_string()}>{ n }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="bank-ops">{ "Operations per client" }</label>
                    <input id="bank-ops" name="ops" inputmode="numeric" value={form.typed.ops.clone()} oninput={edit(Edit::Ops).reform(|e: InputEvent| e.into())}
                           disabled={running} aria-describedby="bank-help" />
                </div>
                <RunButtons label="Run the bank" {running} ready={lab.can_start()} on_cancel={lab.run.cancel()} />
            </form>
            <p id="bank-help" class="help">{ format!("From 1 to {} operations per client, up to {} clients, {} operations in all.",
                group_digits(*BankPlan::OPS.end()), BankPlan::MAX_CLIENTS, group_digits(BankPlan::MAX_TOTAL_OPS)) }</p>
            if let Some(reason) = form.refusal.as_ref() { <p class="refusal" role="alert">{ reason }</p> }
            if !lab.record.bank.is_empty() {
                { lab_table("Bank runs", "Bank runs (newest first)", classes!("tries", "lab-table", "losses"), &["Balance", "Lost", "Actual", "Expected", "Clients", "Wall time"], html! {
                    <>{ for lab.record.bank.iter().rev().map(|b| html! {
                        <tr class={classes!((b.lost_cents != 0).then_some("lost"))}>
                            <td>{ if b.banking == Banking::Actor { "actor" } else { "shared" } }</td>
                            <td>{ euros(b.lost_cents) }</td>
                            <td>{ euros(b.actual_cents) }</td>
                            <td>{ euros(b.expected_cents) }</td>
                            <td>{ b.clients }</td>
                            <td>{ duration_ms(b.wall_ms) }</td>
                        </tr>
                    }) }</>
                }) }
            }
        </section>
    }
}
