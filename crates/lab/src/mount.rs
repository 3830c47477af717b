//! The lab's door: [`mount`] draws a widget in the element the reader gives it, [`pool`] starts
//! the worker pool (once) and tells its state.
//!
//! Implementation note: each mounted widget is a Yew app of its own, rooted at [`LabRoot`], which
//! provides what the widgets ask of their page: the pool's state (updated when it settles) and the
//! learner's solved challenges ([`Challenges`]).

use std::collections::BTreeSet;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use interleave_core::explorer::programs::BUILTINS;
use interleave_ui::widget::{drawn_by_lab, Widget, CHALLENGE_SOLVED};

use crate::pool::{self, PoolState};
use crate::widgets::channels::ChannelsLab;
use crate::widgets::explorer::ExplorerWidget;
use crate::widgets::false_sharing::FalseSharingLab;
use crate::widgets::gpu::GpuLab;
use crate::widgets::granularity::GranularityLab;
use crate::widgets::prime_count::PrimeCountLab;
use crate::widgets::race::RaceLab;
use crate::widgets::responsiveness::ResponsivenessMeter;
use crate::widgets::simd::SimdLab;
use crate::widgets::speedup::SpeedupLab;


/// The explorer's challenges the learner has solved, and how to record one more.
#[derive(Clone, PartialEq)]
pub(crate) struct Challenges {
    pub solved: Rc<BTreeSet<String>>,
    pub solve: Callback<String>,
}

#[derive(Properties, PartialEq)]
struct LabRootProps {
    widget: Widget,
    /// The directive's argument (the program an explorer loads).
    arg: Option<&'static str>,
    solved: Rc<BTreeSet<String>>,
    host: web_sys::Element,
}

#[function_component]
fn LabRoot(props: &LabRootProps) -> Html {
    let pool_state = use_state(pool::state);
    {
        // The state once the pool has started, and again if it changes (a worker stopped).
        let pool_state = pool_state.clone();
        use_effect_with((), move |_| {
            let later = pool_state.clone();
            let key = pool::subscribe(move |state| later.set(state.clone()));
            wasm_bindgen_futures::spawn_local(async move { pool_state.set(pool::start().await) });
            move || pool::unsubscribe(key)
        });
    }
    let solved = use_state(|| props.solved.clone());
    let challenges = {
        let (set, host) = (solved.clone(), props.host.clone());
        Challenges {
            solved: (*solved).clone(),
            solve: Callback::from(move |id: String| {
                let mut more = (**set).clone();
                if more.insert(id.clone()) {
                    set.set(Rc::new(more));
                }
                let init = web_sys::CustomEventInit::new();
                init.set_bubbles(true);
                init.set_detail(&id.into());
                if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(CHALLENGE_SOLVED, &init) {
                    let _ = host.dispatch_event(&event);
                }
            }),
        }
    };
    let widget = match props.widget {
        Widget::Explorer => html! { <ExplorerWidget program={props.arg} /> },
        Widget::Responsiveness => html! { <ResponsivenessMeter /> },
        Widget::PrimeCount => html! { <PrimeCountLab /> },
        Widget::Speedup => html! { <SpeedupLab /> },
        Widget::Granularity => html! { <GranularityLab /> },
        Widget::Race => html! { <RaceLab /> },
        Widget::Channels => html! { <ChannelsLab /> },
        Widget::FalseSharing => html! { <FalseSharingLab /> },
        Widget::Simd => html! { <SimdLab /> },
        Widget::Gpu => html! { <GpuLab /> },
        // The reader's own (see `drawn_by_lab`); never asked of the lab.
        Widget::Barista | Widget::EventLoop | Widget::EventLoopStepper => Html::default(),
    };
    html! {
        <ContextProvider<PoolState> context={(*pool_state).clone()}>
            <ContextProvider<Challenges> context={challenges}>{ widget }</ContextProvider<Challenges>>
        </ContextProvider<PoolState>>
    }
}

/// A widget the lab drew; [`Mounted::unmount`] takes it off the page and stops what it runs.
#[wasm_bindgen]
pub struct Mounted {
    #[cfg(target_arch = "wasm32")]
    app: Option<yew::AppHandle<LabRoot>>,
}

#[wasm_bindgen]
impl Mounted {
    /// Takes the widget off the page (its runs are cancelled, its timers stopped).
    pub fn unmount(&mut self) {
        #[cfg(target_arch = "wasm32")]
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

/// Draws the widget named `widget` (its `data-widget` name) in `host`, replacing what is there.
/// `arg` is its directive's argument; `solved`, the challenges the learner has solved.
#[wasm_bindgen]
pub fn mount(host: web_sys::Element, widget: &str, arg: Option<String>, solved: Vec<String>) -> Result<Mounted, JsError> {
    let widget = Widget::from_name(widget).filter(|w| drawn_by_lab(*w)).ok_or_else(|| JsError::new(&format!("the lab has no widget named {widget:?}")))?;
    // The argument names a built-in program; the explorer keeps it as the program's own id.
    let arg = arg.and_then(|a| BUILTINS.iter().find(|(id, _, _)| *id == a).map(|(id, _, _)| *id));
    let props = LabRootProps { widget, arg, solved: Rc::new(solved.into_iter().collect()), host: host.clone() };
    host.set_inner_html("");
    #[cfg(target_arch = "wasm32")]
    {
        SKIP_READERS_TREE.with(|_| ());
        Ok(Mounted { app: Some(yew::Renderer::<LabRoot>::with_root_and_props(host, props).render()) })
    }
    // Natively there is no page to draw on; the same tree is built, and dropped.
    #[cfg(not(target_arch = "wasm32"))]
    {
        drop(html! { <LabRoot ..props /> });
        Ok(Mounted {})
    }
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    /// Yew numbers the trees it draws from 1 in each module, and brands their elements with that
    /// number; it handles an event (in the capture phase, from the outermost tree in) only if the
    /// event's closest branded element carries its own. The reader's one tree, the page, is 1; a
    /// widget's tree inside it must not be, or the reader would run its own handlers for the
    /// widget's clicks. So the lab's first tree number is spent here, on nothing, before any
    /// widget is drawn.
    static SKIP_READERS_TREE: () = {
        #[function_component]
        fn Nothing() -> Html {
            Html::default()
        }
        let detached = gloo::utils::document().create_element("div").expect("a document can make a div");
        yew::Renderer::<Nothing>::with_root(detached).render().destroy();
    };
}

/// Starts the worker pool, once, when the browser is idle; resolves to its state
/// (`{ state, workers, reason }`, see [`PoolState::to_js`]).
#[wasm_bindgen]
pub async fn pool() -> JsValue {
    pool::start().await.to_js()
}

/// Called when the module has loaded: installs the panic hook ([`crate::pool::install_panic_hook`])
/// and marks the load on the page's performance timeline.
pub fn loaded() {
    pool::install_panic_hook();
    interleave_ui::tasks::mark("interleave:lab-loaded");
}
