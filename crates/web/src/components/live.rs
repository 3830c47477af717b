//! A live widget in a page. Until the page is live it is only its frame: its title, what it does,
//! and a line saying it starts when the page is ready. That is what the server renders and what
//! the browser hydrates; the widget itself mounts as soon as the browser is idle.

use yew::prelude::*;

use crate::widgets::barista::BaristaAnimation;
use crate::widgets::channels::ChannelsLab;
use crate::widgets::event_loop::EventLoopLab;
use crate::widgets::event_loop_stepper::EventLoopStepper;
use crate::widgets::explorer::ExplorerWidget;
use crate::widgets::granularity::GranularityLab;
use crate::widgets::prime_count::PrimeCountLab;
use crate::widgets::race::RaceLab;
use crate::widgets::responsiveness::ResponsivenessMeter;
use crate::widgets::speedup::SpeedupLab;
use crate::components::widget::{RunState, Widget, WidgetFrame};

#[derive(Properties, PartialEq)]
pub(crate) struct LiveProps {
    pub widget: Widget,
    /// The directive's argument (the program an explorer loads).
    #[prop_or_default]
    pub arg: Option<&'static str>,
}

#[function_component]
pub(crate) fn Live(props: &LiveProps) -> Html {
    let live = use_state(|| false);
    {
        // Each widget mounts in a task of its own once the browser is idle, so that mounting
        // several never makes one long task right after the page is hydrated.
        let live = live.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                crate::browser::pool::idle().await;
                live.set(true);
            });
        });
    }
    let w = props.widget;
    if !*live {
        return html! {
            <WidgetFrame widget={w} state={RunState::Waiting}>
                <p>{ w.summary() }</p>
                <p class="widget-waiting">{ "This experiment starts when the page is ready: it runs here, in your browser, and needs JavaScript." }</p>
            </WidgetFrame>
        };
    }
    match w {
        Widget::Explorer => html! { <ExplorerWidget program={props.arg} /> },
        Widget::Barista => html! { <BaristaAnimation /> },
        Widget::EventLoop => html! { <EventLoopLab /> },
        Widget::Responsiveness => html! { <ResponsivenessMeter /> },
        Widget::EventLoopStepper => html! { <EventLoopStepper /> },
        Widget::PrimeCount => html! { <PrimeCountLab /> },
        Widget::Speedup => html! { <SpeedupLab /> },
        Widget::Granularity => html! { <GranularityLab /> },
        Widget::Race => html! { <RaceLab /> },
        Widget::Channels => html! { <ChannelsLab /> },
    }
}
