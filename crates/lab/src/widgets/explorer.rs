//! The interleaving explorer: edit a tiny threaded program, be its scheduler step by step, then
//! count every interleaving exactly and replay a shortest schedule to any outcome.
//!
//! Implementation note: the engine is `interleave_core::explorer`. This view holds the source,
//! the program parsed from it with the learner's [`Scheduler`] (both made again, at once, for
//! each new source), the chosen challenge and tab; the tabs are drawn by [`scheduler`] and
//! [`explore_all`], which also owns the "explore all" run ([`run`]).

mod explore_all;
mod json;
mod outcomes;
pub(crate) mod run;
mod scheduler;

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use interleave_core::explorer::programs::{builtin, is_proved, Challenge, BUILTINS, CHALLENGES};
use interleave_core::explorer::{
    parse, Limits, ParseError, Program, Scheduler, Target, MAX_SOURCE_CHARS, MAX_STATEMENTS, MAX_THREADS,
};
use interleave_core::numbers::group_digits;

use interleave_ui::widget::{Widget, WidgetFrame};
use interleave_ui::text::inline_code;
use crate::mount::Challenges;
use explore_all::use_explore_run;
use scheduler::Act;

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Schedule,
    Explore,
}

/// The source as parsed, and the learner's schedule of it (when it parses).
struct Loaded {
    program: Result<Program, ParseError>,
    scheduler: RefCell<Option<Scheduler>>,
}

impl Loaded {
    fn new(source: &str) -> Self {
        let program = parse(source);
        let scheduler = RefCell::new(program.as_ref().ok().map(Scheduler::new));
        Loaded { program, scheduler }
    }
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
    let challenge = use_state(|| None::<usize>);
    let run = use_explore_run();
    let redraw = use_force_update();
    let challenges = use_context::<Challenges>().expect("the lab provides the solved challenges");
    let loaded = use_memo((*source).clone(), |s| Loaded::new(s));
    // A challenge counts only on its own program, as built in.
    let current: Option<&'static Challenge> =
        challenge.map(|i| &CHALLENGES[i]).filter(|c| builtin(c.program) == Some(source.as_str()));

    // A new program forgets the old counts (its schedule is new with it).
    {
        let run = run.clone();
        use_effect_with((*source).clone(), move |_| run.forget());
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
    let pick_challenge = |i: usize| {
        let (source, menu, challenge, tab) = (source.clone(), menu.clone(), challenge.clone(), tab.clone());
        Callback::from(move |_| {
            let c = &CHALLENGES[i];
            source.set(builtin(c.program).unwrap_or_default().to_string());
            menu.set(c.program.to_string());
            challenge.set(Some(i));
            tab.set(Tab::Schedule);
        })
    };
    let set_tab = |t: Tab| {
        let tab = tab.clone();
        Callback::from(move |_| tab.set(t))
    };
    let act = |a: Act| {
        let (loaded, solve, redraw) = (loaded.clone(), challenges.solve.clone(), redraw.clone());
        Callback::from(move |_| {
            let solved = {
                let mut cell = loaded.scheduler.borrow_mut();
                let Some(s) = cell.as_mut() else { return };
                match a {
                    Act::Take(mv) if !s.take(mv) => return,
                    // Only the learner's own move can solve a challenge (undo and redo just move).
                    Act::Take(_) => current.filter(|c| s.solves(&c.goal)),
                    Act::Undo => {
                        s.undo();
                        None
                    }
                    Act::Redo => {
                        s.redo();
                        None
                    }
                    Act::Restart => {
                        s.restart();
                        None
                    }
                }
            };
            if let Some(c) = solved {
                solve.emit(c.id.to_string());
            }
            redraw.force_update();
        })
    };
    // Exploring every schedule of a challenge's program may prove its goal.
    let report = run.report();
    let proved = match (current, &report, loaded.scheduler.borrow().as_ref()) {
        (Some(c), Some(r), Some(s)) if c.goal.by_exploring() && is_proved(&c.goal, s.machine(), r) => Some(c),
        _ => None,
    };
    {
        let solve = challenges.solve.clone();
        let key = (proved.map(|c| c.id), report.as_ref().map(Rc::as_ptr));
        use_effect_with(key, move |(id, _)| {
            if let Some(id) = id {
                solve.emit(id.to_string());
            }
        });
    }
    let show_me = |target: Target| {
        let (loaded, tab, run, redraw) = (loaded.clone(), tab.clone(), run.clone(), redraw.clone());
        Callback::from(move |_| {
            let shown = loaded.scheduler.borrow_mut().as_mut().map(|s| s.show(&target, &Limits::PAGE));
            match shown {
                Some(true) => {
                    tab.set(Tab::Schedule);
                    redraw.force_update();
                }
                Some(false) => run.tell("No schedule reaches that outcome within the state and memory limits."),
                None => {}
            }
        })
    };

    // A program the parser accepts has at most MAX_SOURCE_CHARS lines: the gutter stops there.
    let line_count = source.lines().take(MAX_SOURCE_CHARS).count().max(1);
    let error_line = loaded.program.as_ref().err().map(|e| e.line);
    let gutter: Html = (1..=line_count)
        .map(|n| html! { <span class={classes!((Some(n) == error_line).then_some("error-line"))}>{ n }</span> })
        .collect();
    let panel = match (*tab, loaded.scheduler.borrow().as_ref()) {
        (Tab::Explore, _) => html! {
            <>
                if let Some(c) = proved {
                    <p class="outcome" role="status" data-testid="challenge-solved"><strong>{ "Challenge solved! " }</strong>{ inline_code(c.teaches) }</p>
                }
                { explore_all::view(&run, loaded.program.as_ref().ok(), &show_me) }
            </>
        },
        (Tab::Schedule, Some(s)) => scheduler::view(s, &source, current, &act),
        (Tab::Schedule, None) => html! { <p class="help">{ "Fix the program above to schedule it." }</p> },
    };
    let solved = &challenges.solved;
    let solved_count = CHALLENGES.iter().filter(|c| solved.contains(c.id)).count();
    html! {
        <WidgetFrame widget={Widget::Explorer} state={run.state()} result={run.result_json()}>
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
                          value={(*source).clone()} oninput={edit} aria-invalid={loaded.program.is_err().to_string()} />
            </div>
            if let Err(e) = &loaded.program {
                <p class="refusal" role="alert" data-testid="parse-error">{ format!("Line {}, column {}: {}", e.line, e.column, e.message) }</p>
            }
            <p class="help" data-testid="explorer-caps">{ format!(
                "A program may have up to {MAX_THREADS} threads and {MAX_STATEMENTS} statements (declarations and \
                 checks count too), in {} characters.",
                group_digits(MAX_SOURCE_CHARS as u64)
            ) }</p>
            <details class="language" data-testid="language">
                <summary>{ "The language" }</summary>
                <dl>
                    <dt><code>{ "memory sc" }</code>{ ", " }<code>{ "memory tso" }</code></dt>
                    <dd>{ "An optional first line. sc (the default): every write reaches memory in the step that makes it. \
                           tso (x86's model): a write waits in its thread's store buffer until a flush step writes it to \
                           memory, oldest first; the thread reads its own newest buffered value. Every lock, semaphore, \
                           condition-variable and barrier operation, fence and atomic block waits for an empty buffer. \
                           A buffer holds as many writes as a thread without loops can make, and at most 8 (real ones hold dozens)." }</dd>
                    <dt><code>{ "shared x = 0" }</code>{ ", " }<code>{ "lock m" }</code>{ ", " }<code>{ "sem s = 2" }</code>{ ", " }<code>{ "cond c" }</code>{ ", " }<code>{ "barrier b = 3" }</code></dt>
                    <dd>{ "Declarations, before the threads. Any other name in a thread is that thread's own register, starting at 0." }</dd>
                    <dt><code>{ "x = x + 1" }</code>{ ", " }<code>{ "if … { } else { }" }</code>{ ", " }<code>{ "while … { }" }</code></dt>
                    <dd>{ "Each read of a shared variable is a step of its own; the step that computes also writes." }</dd>
                    <dt><code>{ "atomic { … }" }</code>{ ", " }<code>{ "fence" }</code></dt>
                    <dd>{ "An atomic block is one step. A fence is one step, taken only once the thread's store buffer is empty." }</dd>
                    <dt><code>{ "lock m" }</code>{ ", " }<code>{ "unlock m" }</code>{ ", " }<code>{ "wait s" }</code>{ ", " }<code>{ "signal s" }</code></dt>
                    <dd>{ "A mutex, and a semaphore (wait takes a permit, blocking at 0; signal gives one back)." }</dd>
                    <dt><code>{ "wait c m" }</code>{ ", " }<code>{ "notify c" }</code>{ ", " }<code>{ "notify_all c" }</code></dt>
                    <dd>{ "Holding m, wait releases it and sleeps on c; once woken, the thread takes m again before it goes on. \
                           notify wakes one sleeper (you choose which), notify_all every one; with nobody asleep the \
                           notification is lost." }</dd>
                    <dt><code>{ "arrive b" }</code></dt>
                    <dd>{ "Waits at barrier b until as many threads as it was declared for have arrived; the last arrival lets them all go." }</dd>
                    <dt><code>{ "check count == 2" }</code></dt>
                    <dd>{ "After the threads: outcomes for which it is false are marked bad." }</dd>
                </dl>
            </details>
            <details class="challenges">
                <summary>{ format!("Challenges ({solved_count} of {} solved)", CHALLENGES.len()) }</summary>
                <ol>
                    { for CHALLENGES.iter().enumerate().map(|(i, c)| html! {
                        <li class={classes!(solved.contains(c.id).then_some("solved"), (*challenge == Some(i)).then_some("current"))}>
                            <button type="button" onclick={pick_challenge(i)} data-challenge={c.id}>{ c.title }</button>
                            <span>{ inline_code(c.task) }</span>
                            if solved.contains(c.id) { <span class="solved-mark">{ " ✓ solved" }</span> }
                        </li>
                    }) }
                </ol>
            </details>
            if let Some(i) = *challenge {
                <div class="note challenge-now" data-testid="challenge-now">
                    <p><strong>{ format!("Challenge {} of {}: ", i + 1, CHALLENGES.len()) }</strong>{ inline_code(CHALLENGES[i].task) }</p>
                    if current.is_none() {
                        <p class="refusal">{ "The program has changed: load the challenge again to solve it." }</p>
                    }
                    <details class="hint"><summary>{ "Hint" }</summary><p>{ inline_code(CHALLENGES[i].hint) }</p></details>
                    if solved.contains(CHALLENGES[i].id) {
                        <p class="teaches"><strong>{ "What this teaches: " }</strong>{ inline_code(CHALLENGES[i].teaches) }</p>
                    }
                </div>
            }
            <div class="tabs" role="tablist">
                <button type="button" role="tab" aria-selected={(*tab == Tab::Schedule).to_string()} onclick={set_tab(Tab::Schedule)}>{ "Be the scheduler" }</button>
                <button type="button" role="tab" aria-selected={(*tab == Tab::Explore).to_string()} onclick={set_tab(Tab::Explore)}>{ "Explore all" }</button>
            </div>
            <div role="tabpanel">{ panel }</div>
        </WidgetFrame>
    }
}
