//! The interleaving explorer: edit a tiny threaded program, be its scheduler step by step, then
//! count every interleaving exactly and replay a shortest schedule to any outcome.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use gloo::timers::callback::Interval;
use num_bigint::BigUint;
use num_traits::ToPrimitive;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::widget::{ProgressBar, RunState, WidgetFrame};
use interleave_core::explorer::programs::{builtin, is_solved, BUILTINS, CHALLENGES};
use interleave_core::explorer::{
    explore, parse, shortest_schedule, Exploration, ExploreControl, ExploreError, Limits, Machine, Program, Report,
    State, Status, Target, ThreadState, ThreadId,
};
use interleave_core::run::jobs::spawn_task;
use interleave_core::numbers::{group_decimal, group_digits};
use crate::browser::pool::{self, now_ms, SLICE_MS};
use crate::state::{Action, SavedHandle};

/// The state limit a learner starts with, and the most they may ask for.
const DEFAULT_LIMIT: usize = 1_000_000;
const MAX_LIMIT: usize = 5_000_000;

/// A count of any size, grouped by thousands.
fn big(n: &BigUint) -> String {
    group_decimal(&n.to_string())
}

fn share(part: &BigUint, whole: &BigUint) -> f64 {
    match (part.to_f64(), whole.to_f64()) {
        (Some(p), Some(w)) if w > 0.0 => p / w,
        _ => 0.0,
    }
}

/// Each thread's block of source lines (1-based, inclusive), found by brace matching.
fn thread_spans(source: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, i32)> = None;
    for (i, line) in source.lines().enumerate() {
        let t = line.trim_start();
        if open.is_none() && t.starts_with("thread ") && t.contains('{') {
            open = Some((i + 1, 0));
        }
        if let Some((start, depth)) = open.as_mut() {
            *depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            if *depth <= 0 {
                spans.push((*start, i + 1));
                open = None;
            }
        }
    }
    spans
}

fn values_text(values: &std::collections::BTreeMap<String, i64>) -> String {
    if values.is_empty() {
        return "no shared variables".into();
    }
    values.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Schedule,
    Explore,
}

#[derive(Properties, PartialEq)]
pub(crate) struct ExplorerProps {
    /// Built-in program to start with.
    #[prop_or_default]
    pub program: Option<&'static str>,
}

#[function_component]
pub(crate) fn ExplorerWidget(props: &ExplorerProps) -> Html {
    let start_id = props.program.filter(|id| builtin(id).is_some()).unwrap_or("lost-update");
    let source = use_state(|| builtin(start_id).unwrap_or_default().to_string());
    let menu = use_state(|| start_id.to_string());
    let tab = use_state(|| Tab::Schedule);
    let history = use_state(Vec::<(ThreadId, State)>::new);
    let redo = use_state(Vec::<(ThreadId, State)>::new);
    let challenge = use_state(|| None::<usize>);
    let run_state = use_state(|| RunState::Idle);
    let report = use_state(|| None::<Rc<Report>>);
    let failure = use_state(|| None::<String>);
    let limit_text = use_state(|| DEFAULT_LIMIT.to_string());
    let refusal = use_state(|| None::<String>);
    let counters = use_mut_ref(|| (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0))));
    let ticker = use_mut_ref(|| None::<Interval>);
    let redraw = use_force_update();
    let saved = use_context::<SavedHandle>().expect("saved state is provided by the app");

    let parsed: Rc<Result<Program, interleave_core::explorer::ParseError>> = use_memo((*source).clone(), |s| parse(s));
    let machine: Rc<Option<Machine>> = {
        let parsed = parsed.clone();
        use_memo((*source).clone(), move |_| parsed.as_ref().as_ref().ok().map(Machine::new))
    };

    // A new program starts a fresh schedule and forgets the old counts.
    {
        let (history, redo, report, failure, run_state) = (history.clone(), redo.clone(), report.clone(), failure.clone(), run_state.clone());
        use_effect_with((*source).clone(), move |_| {
            history.set(Vec::new());
            redo.set(Vec::new());
            report.set(None);
            failure.set(None);
            if *run_state != RunState::Running {
                run_state.set(RunState::Idle);
            }
        });
    }

    let load = {
        let (source, menu, challenge) = (source.clone(), menu.clone(), challenge.clone());
        Callback::from(move |e: Event| {
            let id = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(src) = builtin(&id) {
                source.set(src.to_string());
                menu.set(id);
                challenge.set(None);
            }
        })
    };
    let edit = {
        let (source, menu) = (source.clone(), menu.clone());
        Callback::from(move |e: InputEvent| {
            source.set(e.target_unchecked_into::<HtmlTextAreaElement>().value());
            menu.set(String::new());
        })
    };
    let pick_challenge = {
        let (source, menu, challenge, tab) = (source.clone(), menu.clone(), challenge.clone(), tab.clone());
        move |i: usize| {
            let (source, menu, challenge, tab) = (source.clone(), menu.clone(), challenge.clone(), tab.clone());
            Callback::from(move |_| {
                let c = &CHALLENGES[i];
                source.set(builtin(c.program).unwrap_or_default().to_string());
                menu.set(c.program.to_string());
                challenge.set(Some(i));
                tab.set(Tab::Schedule);
            })
        }
    };

    // ----- scheduler -----
    let current: Option<State> = machine.as_ref().as_ref().map(|m| history.last().map_or_else(|| m.initial(), |(_, s)| s.clone()));
    let move_thread = {
        let (history, redo, machine, saved, challenge) = (history.clone(), redo.clone(), machine.clone(), saved.clone(), challenge.clone());
        move |t: ThreadId| {
            let (history, redo, machine, saved, challenge) = (history.clone(), redo.clone(), machine.clone(), saved.clone(), challenge.clone());
            Callback::from(move |_| {
                let Some(m) = machine.as_ref() else { return };
                let state = history.last().map_or_else(|| m.initial(), |(_, s)| s.clone());
                if !m.enabled(&state).contains(&t) {
                    return;
                }
                let next = m.step(&state, t);
                if let Some(i) = *challenge {
                    if is_solved(&CHALLENGES[i].goal, m, &next) {
                        saved.dispatch(Action::SolveChallenge(CHALLENGES[i].id.to_string()));
                    }
                }
                let mut h = (*history).clone();
                h.push((t, next));
                history.set(h);
                redo.set(Vec::new());
            })
        }
    };
    let undo = {
        let (history, redo) = (history.clone(), redo.clone());
        Callback::from(move |_| {
            let mut h = (*history).clone();
            if let Some(last) = h.pop() {
                let mut r = (*redo).clone();
                r.push(last);
                redo.set(r);
                history.set(h);
            }
        })
    };
    let redo_cb = {
        let (history, redo) = (history.clone(), redo.clone());
        Callback::from(move |_| {
            let mut r = (*redo).clone();
            if let Some(next) = r.pop() {
                let mut h = (*history).clone();
                h.push(next);
                history.set(h);
                redo.set(r);
            }
        })
    };
    let restart = {
        let (history, redo) = (history.clone(), redo.clone());
        Callback::from(move |_| {
            history.set(Vec::new());
            redo.set(Vec::new());
        })
    };

    // ----- explore -----
    let run_explore = {
        let (parsed, run_state, report, failure, limit_text, refusal) =
            (parsed.clone(), run_state.clone(), report.clone(), failure.clone(), limit_text.clone(), refusal.clone());
        let (counters, ticker, redraw) = (counters.clone(), ticker.clone(), redraw.clone());
        Callback::from(move |_| {
            let Ok(program) = parsed.as_ref().clone() else { return };
            let limit = match limit_text.replace([',', '_', ' '], "").parse::<usize>() {
                Ok(l) if (1_000..=MAX_LIMIT).contains(&l) => l,
                _ => {
                    return refusal.set(Some(format!(
                        "The state limit must be a whole number from 1,000 to {} (more would not fit this tab's memory).",
                        group_digits(MAX_LIMIT as u64)
                    )))
                }
            };
            refusal.set(None);
            let cancel = Arc::new(AtomicBool::new(false));
            let progress = Arc::new(AtomicUsize::new(0));
            *counters.borrow_mut() = (cancel.clone(), progress.clone());
            run_state.set(RunState::Running);
            report.set(None);
            failure.set(None);
            let redraw = redraw.clone();
            *ticker.borrow_mut() = Some(Interval::new(100, move || redraw.force_update()));
            let (run_state, report, failure, ticker) = (run_state.clone(), report.clone(), failure.clone(), ticker.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let limits = Limits { max_states: limit };
                let result = if pool::workers() > 0 {
                    let (c, p) = (cancel.clone(), progress.clone());
                    spawn_task(move || {
                        explore(&program, &limits, &ExploreControl::parallel().with_cancel(&c).with_progress(&p))
                    })
                    .await
                    .unwrap_or(Err(ExploreError::Cancelled))
                } else {
                    let mut run = Exploration::new(&program, &limits, true);
                    loop {
                        let slice_start = now_ms();
                        if let Some(done) = run.run_until(|| now_ms() - slice_start > SLICE_MS) {
                            break done;
                        }
                        progress.store(run.states(), Ordering::Relaxed);
                        if cancel.load(Ordering::Relaxed) {
                            break Err(ExploreError::Cancelled);
                        }
                        pool::yield_now().await;
                    }
                };
                ticker.borrow_mut().take();
                match result {
                    Ok(r) => {
                        report.set(Some(Rc::new(r)));
                        run_state.set(RunState::Done);
                    }
                    Err(ExploreError::StateLimit { states }) => {
                        failure.set(Some(format!(
                            "Stopped after {} states, the limit: this program has more interleavings than the tab can hold. \
                             Make it smaller (fewer threads or steps), or raise the limit.",
                            group_digits(states as u64)
                        )));
                        run_state.set(RunState::Error);
                    }
                    Err(ExploreError::Cancelled) => {
                        failure.set(Some("Exploration cancelled.".into()));
                        run_state.set(RunState::Idle);
                    }
                }
            });
        })
    };
    let cancel = {
        let counters = counters.clone();
        Callback::from(move |_| counters.borrow().0.store(true, Ordering::Relaxed))
    };
    let show_me = {
        let (parsed, history, redo, tab, failure) = (parsed.clone(), history.clone(), redo.clone(), tab.clone(), failure.clone());
        let machine = machine.clone();
        move |target: Target| {
            let (parsed, history, redo, tab, failure, machine) =
                (parsed.clone(), history.clone(), redo.clone(), tab.clone(), failure.clone(), machine.clone());
            Callback::from(move |_| {
                let (Ok(program), Some(m)) = (parsed.as_ref(), machine.as_ref()) else { return };
                match shortest_schedule(program, &target, &Limits { max_states: DEFAULT_LIMIT }) {
                    Some(choices) => {
                        let mut state = m.initial();
                        let mut h = Vec::new();
                        for t in choices {
                            state = m.step(&state, t);
                            h.push((t, state.clone()));
                        }
                        history.set(h);
                        redo.set(Vec::new());
                        tab.set(Tab::Schedule);
                    }
                    None => failure.set(Some("No schedule reaches that outcome within the state limit.".into())),
                }
            })
        }
    };

    // ----- view -----
    let line_count = source.lines().count().max(1);
    let error_line = parsed.as_ref().as_ref().err().map(|e| e.line);
    let gutter: Html = (1..=line_count)
        .map(|n| html! { <span class={classes!((Some(n) == error_line).then_some("error-line"))}>{ n }</span> })
        .collect();
    let running = *run_state == RunState::Running;
    let result_json = report.as_ref().map(|r| AttrValue::from(r.to_json()));
    let lines: Vec<&str> = source.lines().collect();
    let spans = thread_spans(&source);
    let set_tab = |t: Tab| {
        let tab = tab.clone();
        Callback::from(move |_| tab.set(t))
    };

    let scheduler = match (machine.as_ref(), current.as_ref()) {
        (Some(m), Some(state)) => {
            let views = m.describe(state);
            let enabled = m.enabled(state);
            let status = m.status(state);
            let names = m.thread_names();
            let schedule: Vec<&str> = history.iter().map(|(t, _)| names[*t]).collect();
            let solved_now = challenge.map(|i| is_solved(&CHALLENGES[i].goal, m, state)).unwrap_or(false);
            html! {
                <div class="scheduler">
                    <div class="thread-columns">
                        { for views.iter().enumerate().map(|(t, v)| {
                            let (from, to) = spans.get(t).copied().unwrap_or((1, 0));
                            let state_label = match v.state {
                                ThreadState::Ready => "ready",
                                ThreadState::Blocked => "blocked",
                                ThreadState::Finished => "finished",
                                ThreadState::Failed => "failed",
                                ThreadState::Stopped => "stopped",
                            };
                            html! {
                                <section class={classes!("thread-col", state_label)} aria-label={format!("Thread {}", v.name)}>
                                    <h3>{ format!("Thread {}", v.name) }<span class="thread-state">{ state_label }</span></h3>
                                    <ol class="code-lines" tabindex="0" aria-label={format!("Code of thread {}", v.name)}>
                                        { for (from..=to).map(|n| html! {
                                            <li class={classes!((v.line == Some(n)).then_some("current"))} value={n.to_string()}>
                                                <code>{ lines.get(n - 1).copied().unwrap_or("") }</code>
                                            </li>
                                        }) }
                                    </ol>
                                    <p class="next-step">{ v.next.clone().unwrap_or_else(|| "nothing left to do".into()) }</p>
                                    if !v.registers.is_empty() {
                                        <p class="registers">{ v.registers.iter().map(|(k, val)| format!("{k} = {val}")).collect::<Vec<_>>().join(", ") }</p>
                                    }
                                    <button type="button" class="primary" disabled={!enabled.contains(&t)} onclick={move_thread(t)}>
                                        { format!("Step {}", v.name) }
                                    </button>
                                </section>
                            }
                        }) }
                    </div>
                    <div class="shared-state">
                        <p><strong>{ "Shared: " }</strong>{ values_text(&m.shared_values(state)) }</p>
                        if !m.locks(state).is_empty() {
                            <p><strong>{ "Locks: " }</strong>{ m.locks(state).iter().map(|(l, h)| format!("{l}: {}", h.map_or("free".to_string(), |t| format!("held by {}", names[t])))).collect::<Vec<_>>().join(", ") }</p>
                        }
                        if !m.semaphores(state).is_empty() {
                            <p><strong>{ "Semaphores: " }</strong>{ m.semaphores(state).iter().map(|(s, n)| format!("{s} = {n}")).collect::<Vec<_>>().join(", ") }</p>
                        }
                        <p><strong>{ "Schedule so far: " }</strong>{ if schedule.is_empty() { "nothing yet".to_string() } else { schedule.join(" ") } }</p>
                    </div>
                    <div class="controls">
                        <button type="button" onclick={undo} disabled={history.is_empty()}>{ "Undo" }</button>
                        <button type="button" onclick={redo_cb} disabled={redo.is_empty()}>{ "Redo" }</button>
                        <button type="button" onclick={restart} disabled={history.is_empty()}>{ "Restart" }</button>
                    </div>
                    { match status {
                        Status::Running => html! {},
                        Status::Complete { bad } => html! {
                            <p class={if bad { "refusal" } else { "outcome" }} role="status" data-testid="schedule-end">
                                { format!("Finished: {}. {}", values_text(&m.shared_values(state)),
                                    if bad { "The check fails: this is a bad outcome." } else if m.check_passes(state) { "The check holds." } else { "" }) }
                            </p>
                        },
                        Status::Deadlock => html! {
                            <p class="refusal" role="status" data-testid="schedule-end">{ "Deadlock: threads are left, and every one of them is waiting for something another holds." }</p>
                        },
                        Status::Error { line, message, thread } => html! {
                            <p class="refusal" role="status" data-testid="schedule-end">{ format!("Error in thread {} at line {line}: {message}", names[thread]) }</p>
                        },
                    } }
                    if solved_now {
                        <p class="outcome" role="status" data-testid="challenge-solved">{ "Challenge solved!" }</p>
                    }
                </div>
            }
        }
        _ => html! { <p class="help">{ "Fix the program above to schedule it." }</p> },
    };

    let explore_view = {
        let (_, progress) = &*counters.borrow();
        html! {
            <div class="explore">
                <div class="controls">
                    <button type="button" class="primary" onclick={run_explore} disabled={running || parsed.is_err()}>{ "Explore every interleaving" }</button>
                    <button type="button" onclick={cancel} disabled={!running}>{ "Cancel" }</button>
                    <label for="explorer-limit">{ "State limit" }</label>
                    <input id="explorer-limit" inputmode="numeric" value={(*limit_text).clone()} disabled={running}
                           oninput={ let l = limit_text.clone(); Callback::from(move |e: InputEvent| l.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())) } />
                </div>
                if let Some(r) = refusal.as_ref() { <p class="refusal" role="alert">{ r }</p> }
                if running {
                    <>
                        <ProgressBar fraction={0.0_f64.max((progress.load(Ordering::Relaxed) as f64 / limit_text.replace(',', "").parse::<f64>().unwrap_or(1.0)).min(1.0))} label="States visited, of the limit" />
                        <p class="help">{ format!("{} states visited…", group_digits(progress.load(Ordering::Relaxed) as u64)) }</p>
                    </>
                }
                if let Some(f) = failure.as_ref() { <p class="note" role="status">{ f }</p> }
                if let Some(r) = report.as_ref() {
                    <div class="report">
                        if r.unbounded {
                            <p class="note">{ "A loop can spin forever here, so there are infinitely many schedules. Below is what can happen at all." }</p>
                        } else {
                            <dl class="figures">
                                <div><dt>{ "Schedules" }</dt><dd data-testid="schedules">{ big(&r.schedules) }</dd></div>
                                <div><dt>{ "Complete" }</dt><dd>{ big(&r.complete) }</dd></div>
                                <div><dt>{ "Bad" }</dt><dd>{ big(&r.bad) }</dd></div>
                                <div><dt>{ "Deadlocked" }</dt><dd>{ big(&r.deadlock) }</dd></div>
                                <div><dt>{ "Errors" }</dt><dd>{ big(&r.error) }</dd></div>
                                <div><dt>{ "States visited" }</dt><dd>{ group_digits(r.states as u64) }</dd></div>
                            </dl>
                        }
                        <ul class="outcome-bars">
                            { for r.outcomes.iter().map(|o| {
                                let pct = if r.unbounded { 0.0 } else { share(&o.schedules, &r.schedules) * 100.0 };
                                html! {
                                    <li class={classes!(o.bad.then_some("bad"))}>
                                        <span class="label">{ values_text(&o.values) }{ if o.bad { " (bad)" } else { "" } }</span>
                                        if !r.unbounded {
                                            <span class="bar" aria-hidden="true"><span style={format!("width: {pct:.2}%")}></span></span>
                                            <span class="count">{ format!("{} · {:.1}%", big(&o.schedules), pct) }</span>
                                        }
                                        <button type="button" onclick={show_me(Target::Outcome(o.values.clone()))}>{ "Show me one" }</button>
                                    </li>
                                }
                            }) }
                            if r.reachable.deadlock {
                                <li class="bad">
                                    <span class="label">{ "Deadlock" }</span>
                                    if !r.unbounded {
                                        <span class="bar" aria-hidden="true"><span style={format!("width: {:.2}%", share(&r.deadlock, &r.schedules) * 100.0)}></span></span>
                                        <span class="count">{ format!("{} · {:.1}%", big(&r.deadlock), share(&r.deadlock, &r.schedules) * 100.0) }</span>
                                    }
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
            </div>
        }
    };

    let solved = &saved.record.challenges_solved;
    html! {
        <WidgetFrame name="explorer" title="Interleaving explorer" state={*run_state} result={result_json}>
            <div class="controls">
                <label for="explorer-program">{ "Program" }</label>
                <select id="explorer-program" onchange={load}>
                    if menu.is_empty() { <option value="" selected=true>{ "Your own program" }</option> }
                    { for BUILTINS.iter().map(|(id, title, _)| html! { <option value={*id} selected={*menu == *id}>{ *title }</option> }) }
                </select>
            </div>
            <div class="editor">
                <div class="gutter" aria-hidden="true">{ gutter }</div>
                <textarea aria-label="Program source" spellcheck="false" rows={(line_count + 1).to_string()}
                          value={(*source).clone()} oninput={edit} aria-invalid={parsed.is_err().to_string()} />
            </div>
            if let Err(e) = parsed.as_ref() {
                <p class="refusal" role="alert" data-testid="parse-error">{ format!("Line {}, column {}: {}", e.line, e.column, e.message) }</p>
            }
            <details class="challenges">
                <summary>{ format!("Challenges ({} of {} solved)", CHALLENGES.iter().filter(|c| solved.contains(c.id)).count(), CHALLENGES.len()) }</summary>
                <ul>
                    { for CHALLENGES.iter().enumerate().map(|(i, c)| html! {
                        <li class={classes!(solved.contains(c.id).then_some("solved"), (*challenge == Some(i)).then_some("current"))}>
                            <button type="button" onclick={pick_challenge(i)} data-challenge={c.id}>{ c.title }</button>
                            <span>{ c.task }</span>
                            if solved.contains(c.id) { <span class="solved-mark">{ " ✓ solved" }</span> }
                        </li>
                    }) }
                </ul>
            </details>
            if let Some(i) = *challenge { <p class="note"><strong>{ "Challenge: " }</strong>{ CHALLENGES[i].task }</p> }
            <div class="tabs" role="tablist">
                <button type="button" role="tab" aria-selected={(*tab == Tab::Schedule).to_string()} onclick={set_tab(Tab::Schedule)}>{ "Be the scheduler" }</button>
                <button type="button" role="tab" aria-selected={(*tab == Tab::Explore).to_string()} onclick={set_tab(Tab::Explore)}>{ "Explore all" }</button>
            </div>
            <div role="tabpanel">
                { if *tab == Tab::Schedule { scheduler } else { explore_view } }
            </div>
        </WidgetFrame>
    }
}
