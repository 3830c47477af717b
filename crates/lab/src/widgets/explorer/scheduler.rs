//! The explorer's "Be the scheduler" tab: one column per thread with its code, next step and
//! registers and a button to step it; the shared state and the schedule so far; undo, redo and
//! restart; how the schedule ended, and whether it solves the challenge.

use yew::prelude::*;

use interleave_core::explorer::programs::Goal;
use interleave_core::explorer::{Scheduler, ThreadId, ThreadView};

/// What a button of this tab asks of the [`Scheduler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Move {
    Step(ThreadId),
    Undo,
    Redo,
    Restart,
}

/// The tab for `scheduler` of the program `source`; `act` makes each button's callback.
pub(super) fn view(
    scheduler: &Scheduler,
    source: &str,
    goal: Option<&Goal>,
    act: &dyn Fn(Move) -> Callback<MouseEvent>,
) -> Html {
    let (m, state) = (scheduler.machine(), scheduler.state());
    let lines: Vec<&str> = source.lines().collect();
    let enabled = m.enabled(state);
    html! {
        <div class="scheduler">
            <div class="thread-columns">
                { for m.describe(state).iter().enumerate().map(|(t, v)| {
                    thread_column(v, &lines, enabled.contains(&t), act(Move::Step(t)))
                }) }
            </div>
            <div class="shared-state">
                <p><strong>{ "Shared: " }</strong>{ m.shared_text(state) }</p>
                if let Some(locks) = m.locks_text(state) { <p><strong>{ "Locks: " }</strong>{ locks }</p> }
                if let Some(sems) = m.semaphores_text(state) { <p><strong>{ "Semaphores: " }</strong>{ sems }</p> }
                <p><strong>{ "Schedule so far: " }</strong>{ scheduler.schedule_text() }</p>
            </div>
            <div class="controls">
                <button type="button" onclick={act(Move::Undo)} disabled={!scheduler.can_undo()}>{ "Undo" }</button>
                <button type="button" onclick={act(Move::Redo)} disabled={!scheduler.can_redo()}>{ "Redo" }</button>
                <button type="button" onclick={act(Move::Restart)} disabled={!scheduler.can_undo()}>{ "Restart" }</button>
            </div>
            if let Some(end) = m.end_note(state) {
                <p class={if end.bad_news { "refusal" } else { "outcome" }} role="status" data-testid="schedule-end">{ end.text }</p>
            }
            if goal.is_some_and(|g| scheduler.solves(g)) {
                <p class="outcome" role="status" data-testid="challenge-solved">{ "Challenge solved!" }</p>
            }
        </div>
    }
}

/// One thread's column: its block of source lines with the next step's line marked.
fn thread_column(v: &ThreadView, lines: &[&str], enabled: bool, step: Callback<MouseEvent>) -> Html {
    let label = v.state.label();
    html! {
        <section class={classes!("thread-col", label)} aria-label={format!("Thread {}", v.name)}>
            <h3>{ format!("Thread {}", v.name) }<span class="thread-state">{ label }</span></h3>
            <ol class="code-lines" tabindex="0" aria-label={format!("Code of thread {}", v.name)}>
                { for v.lines.clone().map(|n| html! {
                    <li class={classes!((v.line == Some(n)).then_some("current"))} value={n.to_string()}>
                        <code>{ lines.get(n - 1).copied().unwrap_or("") }</code>
                    </li>
                }) }
            </ol>
            <p class="next-step">{ v.next.clone().unwrap_or_else(|| "nothing left to do".into()) }</p>
            if !v.registers.is_empty() {
                <p class="registers">{ v.registers_text() }</p>
            }
            <button type="button" class="primary" disabled={!enabled} onclick={step}>
                { format!("Step {}", v.name) }
            </button>
        </section>
    }
}
