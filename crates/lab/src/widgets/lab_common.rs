//! What the parallelism lab's widgets share: a clock every thread agrees on, the form fields (a
//! number field, the threads choice) and their events, the lab's tables, a poller for live
//! figures, a run cancelled when its widget leaves the page, memory reserved before a run, and
//! the "one thread here" note. (Reading
//! the learner's numbers and rounding figures is core's: [`parse_whole`], [`round1`].)
//!
//! Implementation note: `pool::now_ms` reads `window.performance`, which web workers do not have,
//! and each worker's `performance.now()` counts from its own start. The lab times work *on* the
//! workers and compares times taken on different ones, so [`now_abs_ms`] reads the global scope's
//! `performance` (window or worker) and adds its `timeOrigin`: one time line for every thread.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use gloo::timers::callback::Interval;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use interleave_core::channels::pipeline::Clock;
pub(crate) use interleave_core::numbers::{parse_whole, round1};
use interleave_core::run::jobs::{spawn_task, JobError};

use crate::pool::PoolState;

thread_local! {
    static PERFORMANCE: Option<(JsValue, js_sys::Function, f64)> = (|| {
        let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok()?;
        let now = js_sys::Reflect::get(&performance, &"now".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
        let origin = js_sys::Reflect::get(&performance, &"timeOrigin".into()).ok()?.as_f64()?;
        Some((performance, now, origin))
    })();
}

/// Milliseconds since 1970 at sub-microsecond resolution, the same on the page and on every
/// worker (so two threads' readings can be subtracted).
pub(crate) fn now_abs_ms() -> f64 {
    PERFORMANCE.with(|p| match p {
        Some((performance, now, origin)) => origin + now.call0(performance).ok().and_then(|v| v.as_f64()).unwrap_or(0.0),
        None => 0.0,
    })
}

/// [`now_abs_ms`] as a clock the lab's engines can share between threads.
pub(crate) fn clock() -> Clock {
    Arc::new(now_abs_ms)
}

/// The value of the input or select an event came from.
pub(crate) fn event_value(e: &Event) -> String {
    let target = e.target();
    if let Some(input) = target.as_ref().and_then(|t| t.dyn_ref::<web_sys::HtmlInputElement>()) {
        return input.value();
    }
    if let Some(select) = target.as_ref().and_then(|t| t.dyn_ref::<web_sys::HtmlSelectElement>()) {
        return select.value();
    }
    String::new()
}

/// A callback that stores the new value of a text field in `state` and clears `refusal`.
pub(crate) fn on_text(state: &UseStateHandle<String>, refusal: &UseStateHandle<Option<String>>) -> Callback<InputEvent> {
    let (state, refusal) = (state.clone(), refusal.clone());
    Callback::from(move |e: InputEvent| {
        state.set(event_value(&e));
        refusal.set(None);
    })
}

/// A labelled whole-number field of a lab form: its text kept in `text`, typing clears
/// `refusal`, and the field is marked invalid while a refusal stands; `help` is the id of the line
/// that says what it takes.
pub(crate) fn number_field(
    (id, name, label): (&'static str, &'static str, AttrValue),
    text: &UseStateHandle<String>,
    refusal: &UseStateHandle<Option<String>>,
    disabled: bool,
    help: &'static str,
) -> Html {
    html! {
        <div class="field">
            <label for={id}>{ label }</label>
            <input {id} {name} inputmode="numeric" value={(**text).clone()} oninput={on_text(text, refusal)} {disabled}
                   aria-describedby={help} aria-invalid={refusal.is_some().to_string()} />
        </div>
    }
}

/// A lab form's "Threads" choice, 1 to `most`, with the one whose value is `selected` chosen.
pub(crate) fn threads_select(id: &'static str, most: usize, selected: &str, onchange: Callback<Event>, disabled: bool) -> Html {
    html! {
        <div class="field">
            <label for={id}>{ "Threads" }</label>
            <select {id} name="threads" {onchange} {disabled}>
                { for (1..=most).map(|n| html! { <option value={n.to_string()} selected={n.to_string() == selected}>{ n.to_string() }</option> }) }
            </select>
        </div>
    }
}

/// A lab table, in a region of its own that scrolls sideways on a narrow screen (and takes the
/// focus, so a keyboard can scroll it), named `label`: its caption, column heads and rows.
pub(crate) fn lab_table(label: &'static str, caption: impl Into<Html>, class: Classes, heads: &[&'static str], rows: Html) -> Html {
    html! {
        <div class="table-wrap" tabindex="0" role="region" aria-label={label}>
            <table {class}>
                <caption>{ caption.into() }</caption>
                <thead><tr>{ for heads.iter().map(|&h| html! { <th scope="col">{ h }</th> }) }</tr></thead>
                <tbody>{ rows }</tbody>
            </table>
        </div>
    }
}

/// A callback that stores the value chosen in a select in `state` and clears `refusal`.
pub(crate) fn on_select(state: &UseStateHandle<Option<String>>, refusal: &UseStateHandle<Option<String>>) -> Callback<Event> {
    let (state, refusal) = (state.clone(), refusal.clone());
    Callback::from(move |e: Event| {
        state.set(Some(event_value(&e)));
        refusal.set(None);
    })
}

/// A callback that stores in `state` whether the checkbox an event came from is ticked.
pub(crate) fn on_check(state: &UseStateHandle<bool>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| {
        if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            state.set(input.checked());
        }
    })
}

/// Redraws a widget on an interval while a run goes on; stops when dropped or told to.
#[derive(Clone, Default)]
pub(crate) struct Poller(Rc<RefCell<Option<Interval>>>);

impl Poller {
    /// Calls `tick` every `ms` until [`Poller::stop`].
    pub(crate) fn start(&self, ms: u32, tick: impl FnMut() + 'static) {
        *self.0.borrow_mut() = Some(Interval::new(ms, tick));
    }
    pub(crate) fn stop(&self) {
        self.0.borrow_mut().take();
    }
}

/// Worker threads the lab may use: the pool's workers, or 1 on a page without a pool.
pub(crate) fn lab_threads(pool: &PoolState) -> usize {
    pool.workers().max(1)
}

#[derive(Properties, PartialEq)]
pub(crate) struct PoolNoteProps {
    /// What a run does without worker threads, in a sentence.
    pub without: AttrValue,
}

/// Says how many threads this page has for the lab, and if only one, why and what happens.
#[function_component]
pub(crate) fn PoolNote(props: &PoolNoteProps) -> Html {
    let pool_state = use_context::<PoolState>().unwrap_or(PoolState::Starting);
    match pool_state {
        PoolState::Ready { workers } => html! {
            <p class="lab-pool" data-testid="lab-pool">{ format!("Runs on this page's pool of {workers} worker threads; the page itself only waits and draws.") }</p>
        },
        PoolState::NotStarted | PoolState::Starting => html! { <p class="lab-pool" data-testid="lab-pool">{ "The worker threads are still starting…" }</p> },
        PoolState::Fallback { reason } => html! {
            <p class="note lab-pool" data-testid="lab-pool">
                <strong>{ "Only one thread is available here. " }</strong>{ reason }{ " " }{ props.without.clone() }
            </p>
        },
    }
}

/// Room kept free in the allocator before every lab run, beyond the run's own estimate.
const HEADROOM: usize = 16 << 20;

/// Makes the allocator hold `bytes` (plus some headroom) of free memory before a run, so that the
/// run does not have to grow the shared memory while several threads use it.
// Why: this browser (headless Chromium 156) does not always let a worker see memory that another
// thread has just grown — a worker reading a block allocated in the new pages traps with "memory
// access out of bounds" and its task dies, which hangs the run. Growing before the run, on the
// page's thread, and then having every worker grow by 0 pages (which makes the engine refresh
// that worker's view of the memory) avoids growth during the run.
///
/// A device that cannot give that memory gets [`JobError::NoMemory`], and the run does not start.
pub(crate) async fn reserve_memory(bytes: usize) -> Result<(), JobError> {
    crate::pool::make_room(bytes.saturating_add(HEADROOM))?;
    // Growth since the workers last refreshed, by this reservation or by anything else the page
    // allocated (a buffer the workers will fill, say).
    #[cfg(target_arch = "wasm32")]
    let pages = core::arch::wasm32::memory_size::<0>();
    // The server renders pages and never runs an experiment: it has no linear memory to share.
    #[cfg(not(target_arch = "wasm32"))]
    let pages = 0;
    if SYNCED_PAGES.with(Cell::get) != pages && crate::pool::workers() > 0 {
        let synced = spawn_task(|| {
            #[cfg(target_arch = "wasm32")]
            rayon::broadcast(|_| core::arch::wasm32::memory_grow::<0>(0));
        })
        .await;
        if synced.is_ok() {
            SYNCED_PAGES.with(|p| p.set(pages));
        }
    }
    Ok(())
}

thread_local! {
    /// Memory size (in pages) the workers were last made to see.
    static SYNCED_PAGES: Cell<usize> = const { Cell::new(0) };
}
