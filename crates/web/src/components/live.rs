//! A live widget in a page. Until it is drawn, it is its frame: its title, what it does, and a line
//! saying it starts when it is reached. That is what the server renders and what the browser
//! hydrates. The three widgets that need no thread are drawn by the reader itself, each once its
//! frame comes within a screen of the visible part of the page. For the others, once such a
//! frame comes that near, the lab is fetched ([`crate::browser::lab`]); once it has loaded, it draws every one
//! of them on the page, each in a task of its own when the browser is idle.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::browser::lab::{self, Lab, Mounted};
use crate::state::{Action, SavedHandle};
use crate::widgets::barista::BaristaAnimation;
use crate::widgets::event_loop::EventLoopLab;
use crate::widgets::event_loop_stepper::EventLoopStepper;
use interleave_ui::widget::{drawn_by_lab, RunState, Widget, WidgetFrame, CHALLENGE_SOLVED};

#[derive(Properties, PartialEq)]
pub(crate) struct LiveProps {
    pub widget: Widget,
    /// The directive's argument (the program an explorer loads).
    #[prop_or_default]
    pub arg: Option<&'static str>,
}

#[derive(Clone)]
enum Phase {
    /// The frame, until the lab has loaded and the browser is idle.
    Waiting,
    /// The lab draws the widget in this element.
    Drawn(Lab),
    /// The reader draws the widget itself (one that needs no thread).
    Own,
    /// The lab could not be loaded, or could not draw the widget: why.
    Failed(String),
}

impl PartialEq for Phase {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Phase::Waiting, Phase::Waiting) | (Phase::Drawn(_), Phase::Drawn(_)) | (Phase::Own, Phase::Own) => true,
            (Phase::Failed(a), Phase::Failed(b)) => a == b,
            _ => false,
        }
    }
}

#[function_component]
pub(crate) fn Live(props: &LiveProps) -> Html {
    let phase = use_state(|| Phase::Waiting);
    let host = use_node_ref();
    let saved = use_context::<SavedHandle>().expect("saved state is provided by the app");
    {
        // Once the page is live: ask for the lab when this frame comes near the screen, and be
        // drawn by it once it is there (whichever frame asked for it).
        let (phase, host, by_lab) = (phase.clone(), host.clone(), drawn_by_lab(props.widget));
        use_effect_with(saved.loaded, move |loaded| {
            let observer = if !*loaded {
                None
            } else if by_lab {
                near(&host, Box::new(lab::request))
            } else {
                // Drawn once near, in a task of its own when the browser is idle, so that the
                // top of a page is never held up by a widget further down.
                let phase = phase.clone();
                near(&host, Box::new(move || {
                    let phase = phase.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        interleave_ui::tasks::idle().await;
                        phase.set(Phase::Own);
                    });
                }))
            };
            if *loaded && by_lab {
                wasm_bindgen_futures::spawn_local(async move {
                    match lab::loaded().await {
                        Ok(lab) => {
                            interleave_ui::tasks::idle().await;
                            phase.set(Phase::Drawn(lab));
                        }
                        Err(why) => phase.set(Phase::Failed(why)),
                    }
                });
            }
            move || {
                if let Some((observer, _)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    {
        // Drawn: the lab renders into the (now empty) element, and tells of solved challenges.
        let (phase_now, host, widget, arg) = ((*phase).clone(), host.clone(), props.widget, props.arg);
        let (failed, saved) = (phase.clone(), saved.clone());
        use_effect_with(phase_now, move |phase_now| {
            let mut drawn: Option<(Mounted, gloo::events::EventListener)> = None;
            if let (Phase::Drawn(lab), Some(element)) = (phase_now, host.cast::<web_sys::Element>()) {
                let solved: Vec<String> = saved.record.challenges_solved.iter().cloned().collect();
                match lab.draw(&element, widget.name(), arg, &solved) {
                    Ok(mounted) => {
                        let saved = saved.clone();
                        let listener = gloo::events::EventListener::new(&element, CHALLENGE_SOLVED, move |event| {
                            let id = event.dyn_ref::<web_sys::CustomEvent>().and_then(|e| e.detail().as_string());
                            if let Some(id) = id {
                                saved.dispatch(Action::SolveChallenge(id));
                            }
                        });
                        drawn = Some((mounted, listener));
                    }
                    Err(why) => failed.set(Phase::Failed(why)),
                }
            }
            move || {
                if let Some((mounted, listener)) = drawn {
                    drop(listener);
                    mounted.unmount();
                }
            }
        });
    }
    let w = props.widget;
    let frame = match &*phase {
        Phase::Drawn(_) => Html::default(),
        Phase::Own => match w {
            Widget::Barista => html! { <BaristaAnimation /> },
            Widget::EventLoop => html! { <EventLoopLab /> },
            Widget::EventLoopStepper => html! { <EventLoopStepper /> },
            _ => Html::default(),
        },
        Phase::Waiting => html! {
            <WidgetFrame widget={w} state={RunState::Waiting}>
                <p>{ w.summary() }</p>
                <p class="widget-waiting">{ "This experiment starts when you reach it: it runs here, in your browser, and needs JavaScript." }</p>
            </WidgetFrame>
        },
        Phase::Failed(why) => html! {
            <WidgetFrame widget={w} state={RunState::Error}>
                <p>{ w.summary() }</p>
                <p class="refusal" role="alert">{ format!("This experiment could not start: {why}. Reloading the page may help.") }</p>
            </WidgetFrame>
        },
    };
    let drawn_by = if drawn_by_lab(w) { "lab" } else { "reader" };
    html! { <div class="live" data-drawn-by={drawn_by} ref={host}>{ frame }</div> }
}

type Observer = (web_sys::IntersectionObserver, Rc<RefCell<Option<Closure<dyn FnMut(js_sys::Array)>>>>);

/// Calls `then`, once, when the element comes within a screen's height of the visible part of
/// the page.
fn near(node: &NodeRef, then: Box<dyn Fn()>) -> Option<Observer> {
    let element = node.cast::<web_sys::Element>()?;
    let keep = Rc::new(RefCell::new(None));
    let called = std::cell::Cell::new(false);
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let seen = entries.iter().any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
        if seen && !called.replace(true) {
            then();
        }
    });
    let options = web_sys::IntersectionObserverInit::new();
    options.set_root_margin("100% 0px");
    let observer = web_sys::IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options).ok()?;
    observer.observe(&element);
    *keep.borrow_mut() = Some(callback);
    Some((observer, keep))
}
