//! The explorer's "Be the scheduler" tab: one column per thread with its code, next step,
//! registers and (under `tso`) store buffer, and a button per move it may make (its step, a
//! flush, or for a `notify` with several waiters one button per thread to wake); the shared
//! state, wait sets and barriers; the schedule so far and what it did worth noting; undo, redo
//! and restart; how the schedule ended, and whether it solves the challenge.

use yew::prelude::*;

use interleave_core::explorer::programs::{Challenge, Goal};
use interleave_core::explorer::{Machine, Move, MoveKind, Scheduler, State, ThreadView};
use interleave_ui::text::inline_code;

/// What a button of this tab asks of the [`Scheduler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Act {
    Take(Move),
    Undo,
    Redo,
    Restart,
}

/// The tab for `scheduler` of the program `source`; `act` makes each button's callback.
pub(super) fn view(
    scheduler: &Scheduler,
    source: &str,
    challenge: Option<&Challenge>,
    act: &dyn Fn(Act) -> Callback<MouseEvent>,
) -> Html {
    let (m, state) = (scheduler.machine(), scheduler.state());
    let lines: Vec<&str> = source.lines().collect();
    let moves = m.moves(state);
    let tso = m.has_store_buffers();
    let memory_label = if tso { "Memory: " } else { "Shared: " };
    html! {
        <div class="scheduler">
            <div class="thread-columns">
                { for m.describe(state).iter().enumerate().map(|(t, v)| {
                    let mine: Vec<Move> = moves.iter().copied().filter(|mv| mv.thread == t).collect();
                    thread_column(m, state, v, &lines, &mine, tso, act)
                }) }
            </div>
            <div class="shared-state">
                <p data-testid="memory"><strong>{ memory_label }</strong>{ m.shared_text(state) }</p>
                if let Some(locks) = m.locks_text(state) { <p><strong>{ "Locks: " }</strong>{ locks }</p> }
                if let Some(sems) = m.semaphores_text(state) { <p><strong>{ "Semaphores: " }</strong>{ sems }</p> }
                if let Some(conds) = m.wait_sets_text(state) { <p data-testid="wait-sets"><strong>{ "Condition variables: " }</strong>{ conds }</p> }
                if let Some(bars) = m.barriers_text(state) { <p data-testid="barriers"><strong>{ "Barriers: " }</strong>{ bars }</p> }
                <p><strong>{ "Schedule so far: " }</strong><span data-testid="schedule-text">{ scheduler.schedule_text() }</span></p>
                { for scheduler.notes().into_iter().map(|n| html! { <p class="refusal" data-testid="schedule-note">{ n }</p> }) }
            </div>
            <div class="controls">
                <button type="button" onclick={act(Act::Undo)} disabled={!scheduler.can_undo()}>{ "Undo" }</button>
                <button type="button" onclick={act(Act::Redo)} disabled={!scheduler.can_redo()}>{ "Redo" }</button>
                <button type="button" onclick={act(Act::Restart)} disabled={!scheduler.can_undo()}>{ "Restart" }</button>
            </div>
            if let Some(end) = m.end_note(state) {
                <p class={if end.bad_news { "refusal" } else { "outcome" }} role="status" data-testid="schedule-end">{ end.text }</p>
            }
            if let Some(c) = challenge.filter(|c| scheduler.solves(&c.goal)) {
                <p class="outcome" role="status" data-testid="challenge-solved">
                    <strong>{ "Challenge solved! " }</strong>{ inline_code(c.teaches) }
                </p>
            }
            if challenge.is_some_and(|c| matches!(c.goal, Goal::Never(_) | Goal::AlwaysGood)) {
                <p class="help">{ "No schedule you make by hand can prove this one: run Explore all when you are ready." }</p>
            }
        </div>
    }
}

/// One thread's column: its block of source lines with the next step's line marked, its
/// registers and store buffer, and a button per move it may make.
fn thread_column(
    m: &Machine,
    state: &State,
    v: &ThreadView,
    lines: &[&str],
    moves: &[Move],
    tso: bool,
    act: &dyn Fn(Act) -> Callback<MouseEvent>,
) -> Html {
    let label = v.state.label();
    let steps: Vec<Move> = moves.iter().copied().filter(|mv| mv.kind != MoveKind::Flush).collect();
    let flush = moves.iter().copied().find(|mv| mv.kind == MoveKind::Flush);
    let step_button = |mv: Move| {
        html! {
            <button type="button" class="primary" onclick={act(Act::Take(mv))} data-move={m.move_text(mv)}>
                { m.move_label(state, mv) }
            </button>
        }
    };
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
            if tso {
                <div class="store-buffer" data-testid="store-buffer" aria-label={format!("Store buffer of thread {}", v.name)}>
                    <p><strong>{ format!("Store buffer ({} of {}, oldest first): ", v.buffer.len(), v.buffer_size) }</strong>{ v.buffer_text() }</p>
                    if !v.sees.is_empty() {
                        <p class="sees">{ format!(
                            "{} sees {}; other threads see memory.",
                            v.name,
                            v.sees.iter().map(|(k, x)| format!("{k} = {x}")).collect::<Vec<_>>().join(", ")
                        ) }</p>
                    }
                </div>
            }
            <div class="move-buttons">
                if steps.is_empty() {
                    <button type="button" class="primary" disabled=true>{ format!("Step {}", v.name) }</button>
                } else {
                    { for steps.iter().map(|mv| step_button(*mv)) }
                }
                if let Some(f) = flush {
                    <button type="button" onclick={act(Act::Take(f))} data-move={m.move_text(f)}>{ m.move_label(state, f) }</button>
                }
            </div>
        </section>
    }
}
