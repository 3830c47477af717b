//! The event-loop stepper: step a JavaScript program through the call stack, the microtask and
//! task queues and the timers, forward and back, after predicting what it prints.

use serde::Serialize;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use interleave_ui::widget::{RunState, Widget, WidgetFrame};
use interleave_core::event_loop_stepper::{check_prediction, scripts, tokens_left, Stepper};

#[derive(Serialize)]
struct StepperResult<'a> {
    program: &'a str,
    steps: usize,
    output: Vec<&'a str>,
    prediction_correct: Option<bool>,
}

fn queue(title: &str, items: Html, empty: bool) -> Html {
    html! {
        <section class="loop-box">
            <h3>{ title }</h3>
            if empty { <p class="empty">{ "empty" }</p> } else { <ol>{ items }</ol> }
        </section>
    }
}

#[function_component]
pub(crate) fn EventLoopStepper() -> Html {
    let index = use_state(|| 0usize);
    let stepper = use_mut_ref(|| Stepper::new(&scripts()[0]));
    let prediction = use_state(Vec::<String>::new);
    let redraw = use_force_update();

    let script = &scripts()[*index];
    let choose = {
        let (index, stepper, prediction) = (index.clone(), stepper.clone(), prediction.clone());
        Callback::from(move |e: Event| {
            let i: usize = e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(0);
            *stepper.borrow_mut() = Stepper::new(&scripts()[i]);
            prediction.set(Vec::new());
            index.set(i);
        })
    };
    let act = |f: fn(&mut Stepper)| {
        let (stepper, redraw) = (stepper.clone(), redraw.clone());
        Callback::from(move |_| {
            f(&mut stepper.borrow_mut());
            redraw.force_update();
        })
    };
    let pick = |text: String| {
        let prediction = prediction.clone();
        Callback::from(move |_| {
            let mut p = (*prediction).clone();
            p.push(text.clone());
            prediction.set(p);
        })
    };
    let clear = {
        let prediction = prediction.clone();
        Callback::from(move |_| prediction.set(Vec::new()))
    };

    let s = stepper.borrow();
    let snap = s.snapshot();
    let remaining = tokens_left(script, &prediction);
    let verdict = (s.finished() && !prediction.is_empty()).then(|| check_prediction(script, &prediction));
    let state = if s.finished() { RunState::Done } else if s.at_start() { RunState::Idle } else { RunState::Running };
    let result = s.finished().then(|| {
        AttrValue::from(
            serde_json::to_string(&StepperResult {
                program: script.id,
                steps: s.steps_taken(),
                output: snap.console.iter().map(|(t, _)| t.as_str()).collect(),
                prediction_correct: verdict.as_ref().map(|v| v.correct),
            })
            .unwrap_or_default(),
        )
    });

    html! {
        <WidgetFrame widget={Widget::EventLoopStepper} {state} {result}>
            <div class="controls">
                <label for="stepper-program">{ "Program" }</label>
                <select id="stepper-program" onchange={choose}>
                    { for scripts().iter().enumerate().map(|(i, p)| html! {
                        <option value={i.to_string()} selected={i == *index}>{ p.title }</option>
                    }) }
                </select>
            </div>
            <p class="help">{ script.explain }</p>
            <section class="predict" aria-label="Predict the output">
                <p><strong>{ "Predict first: " }</strong>{ "click the lines in the order you think they will be printed." }</p>
                <div class="chips">
                    { for remaining.iter().map(|t| html! { <button type="button" class="chip" onclick={pick(t.clone())}>{ t }</button> }) }
                    if !prediction.is_empty() { <button type="button" class="chip clear" onclick={clear}>{ "Clear" }</button> }
                </div>
                if !prediction.is_empty() {
                    <p class="predicted">{ "Your order: " }{ prediction.join(" → ") }</p>
                }
                if let Some(v) = verdict.as_ref() {
                    <p class={classes!(if v.correct { "outcome" } else { "refusal" })} role="status" data-testid="prediction-verdict">
                        { v.verdict() }
                    </p>
                }
            </section>
            <div class="controls stepper-buttons">
                <button type="button" onclick={act(Stepper::reset)} disabled={s.at_start()}>{ "Reset" }</button>
                <button type="button" onclick={act(|s| { s.back(); })} disabled={s.at_start()}>{ "◀ Back" }</button>
                <button type="button" class="primary" onclick={act(|s| { s.step(); })} disabled={s.finished()}>{ "Step ▶" }</button>
                <button type="button" onclick={act(Stepper::run_to_end)} disabled={s.finished()}>{ "Run to end" }</button>
                <span class="clock">{ format!("step {} · {} ms · {}", snap.step, snap.now_ms, snap.phase.label()) }</span>
            </div>
            <p class="step-note" role="status" aria-live="polite">{ &snap.note }</p>
            <div class="loop-grid">
                <section class="loop-box source">
                    <h3>{ "Code" }</h3>
                    <ol class="code-lines" tabindex="0" aria-label="Program source">
                        { for script.source.iter().enumerate().map(|(i, line)| html! {
                            <li class={classes!((snap.current_line == Some(i)).then_some("current"))}
                                aria-current={(snap.current_line == Some(i)).then_some("step")}><code>{ *line }</code></li>
                        }) }
                    </ol>
                </section>
                { queue("Call stack (top first)", snap.call_stack.iter().rev().map(|f| html! { <li>{ &f.name }</li> }).collect(), snap.call_stack.is_empty()) }
                { queue("Microtask queue", snap.microtask_queue.iter().map(|m| html! { <li>{ m }</li> }).collect(), snap.microtask_queue.is_empty()) }
                { queue("Task queue", snap.task_queue.iter().map(|m| html! { <li>{ m }</li> }).collect(), snap.task_queue.is_empty()) }
                { queue("Timers", snap.timers.iter().map(|(l, due)| html! { <li>{ format!("{l} — due at {due} ms") }</li> }).collect(), snap.timers.is_empty()) }
                { queue("Console", snap.console.iter().map(|(t, ms)| html! { <li><code>{ t }</code><span class="at">{ format!(" at {ms} ms") }</span></li> }).collect(), snap.console.is_empty()) }
            </div>
        </WidgetFrame>
    }
}
