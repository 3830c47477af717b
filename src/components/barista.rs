//! The barista analogy, animated: one barista alternating between orders, then three at once.

use yew::prelude::*;

use crate::barista::{finish_times, schedule, Lanes};

const ORDERS: [(&str, &str); 3] = [("A", "Latte"), ("B", "Espresso"), ("C", "Mocha")];
const STEPS: usize = 3;
/// Seconds the playhead takes to cross the nine time slots.
const LOOP_S: f64 = 9.0;
const X0: f64 = 70.0;
const SLOT: f64 = 40.0;
const ROW: f64 = 34.0;

fn panel(title: &str, id: &str, lanes: &Lanes, y0: f64, caption: &str) -> Html {
    let finish = finish_times(lanes, ORDERS.len());
    let slots = 9usize;
    let width = SLOT * slots as f64;
    let clip = format!("reveal-{id}");
    let segments = |class: &'static str| -> Html {
        lanes
            .iter()
            .enumerate()
            .flat_map(|(b, lane)| {
                lane.iter().enumerate().filter_map(move |(t, s)| s.map(|o| (b, t, o)))
            })
            .map(|(b, t, o)| {
                let x = X0 + SLOT * t as f64 + 2.0;
                let y = y0 + 26.0 + ROW * b as f64;
                html! {
                    <g class={classes!(class, format!("order-{o}"))}>
                        <rect x={x.to_string()} y={y.to_string()} width={(SLOT - 4.0).to_string()} height="24" rx="5" />
                        <text x={(x + SLOT / 2.0 - 2.0).to_string()} y={(y + 17.0).to_string()} text-anchor="middle">{ ORDERS[o].0 }</text>
                    </g>
                }
            })
            .collect()
    };
    let lane_labels: Html = (0..lanes.len())
        .map(|b| {
            let y = y0 + 26.0 + ROW * b as f64 + 17.0;
            let label = if lanes.len() == 1 { "Barista".to_string() } else { format!("No. {}", b + 1) };
            html! { <text class="lane-label" x="8" y={y.to_string()}>{ label }</text> }
        })
        .collect();
    let ready: Html = ORDERS
        .iter()
        .enumerate()
        .map(|(o, (letter, drink))| {
            let x = X0 + SLOT * finish[o] as f64;
            let lane = lanes.iter().position(|l| l.contains(&Some(o))).unwrap_or(0);
            let y = y0 + 26.0 + ROW * lane as f64 - 5.0;
            let delay = LOOP_S * finish[o] as f64 / slots as f64;
            html! {
                <g class="ready" opacity="0">
                    <animate attributeName="opacity" calcMode="discrete" values="0;1" keyTimes={format!("0;{:.4}", delay / LOOP_S)}
                             dur={format!("{LOOP_S}s")} repeatCount="indefinite" />
                    <circle cx={(x - 8.0).to_string()} cy={y.to_string()} r="4" class={format!("order-{o}")} />
                    <title>{ format!("{drink} ({letter}) ready after {} minutes", finish[o]) }</title>
                </g>
            }
        })
        .collect();
    let height = 26.0 + ROW * lanes.len() as f64;
    html! {
        <g>
            <text class="panel-title" x="8" y={(y0 + 14.0).to_string()}>{ title }</text>
            <text class="panel-caption" x={(X0 + width).to_string()} y={(y0 + 14.0).to_string()} text-anchor="end">{ caption }</text>
            <clipPath id={clip.clone()}>
                <rect x={X0.to_string()} y={y0.to_string()} width={width.to_string()} height={height.to_string()}>
                    <animate attributeName="width" from="0" to={width.to_string()} dur={format!("{LOOP_S}s")} repeatCount="indefinite" />
                </rect>
            </clipPath>
            { lane_labels }
            { segments("todo") }
            <g clip-path={format!("url(#{clip})")}>{ segments("done") }</g>
            { ready }
            <line class="playhead" x1={X0.to_string()} x2={X0.to_string()} y1={(y0 + 20.0).to_string()} y2={(y0 + height + 4.0).to_string()}>
                <animateTransform attributeName="transform" type="translate" from="0 0" to={format!("{width} 0")}
                                  dur={format!("{LOOP_S}s")} repeatCount="indefinite" />
            </line>
        </g>
    }
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

#[function_component]
pub(crate) fn BaristaAnimation() -> Html {
    let svg = use_node_ref();
    let playing = use_state(|| !prefers_reduced_motion());
    {
        let svg = svg.clone();
        use_effect_with(*playing, move |playing| {
            if let Some(el) = svg.get() {
                let method = if *playing { "unpauseAnimations" } else { "pauseAnimations" };
                if let Ok(f) = js_sys::Reflect::get(&el, &method.into()) {
                    let _ = js_sys::Function::from(f).call0(&el);
                }
            }
        });
    }
    let toggle = {
        let playing = playing.clone();
        Callback::from(move |_| playing.set(!*playing))
    };
    let one = schedule(ORDERS.len(), STEPS, 1);
    let three = schedule(ORDERS.len(), STEPS, 3);
    let axis: Html = (0..=9)
        .map(|t| {
            let x = X0 + SLOT * t as f64;
            html! {
                <g class="tick">
                    <line x1={x.to_string()} x2={x.to_string()} y1="240" y2="246" />
                    <text x={x.to_string()} y="260" text-anchor="middle">{ t }</text>
                </g>
            }
        })
        .collect();
    let state = if *playing { "running" } else { "idle" };
    html! {
        <figure class={classes!("widget", "barista", (!*playing).then_some("paused"))} data-widget="barista" data-state={state}>
            <svg ref={svg} viewBox="0 0 440 272" role="img" aria-labelledby="barista-title barista-desc">
                <title id="barista-title">{ "One barista alternating between three orders, compared with three baristas working at once" }</title>
                <desc id="barista-desc">{ "Top: a single barista does one step of order A, then B, then C, and around again, so all three \
                    orders are in progress together and finish after 7, 8 and 9 minutes. Bottom: three baristas each make \
                    one order at the same moment, and all three are ready after 3 minutes." }</desc>
                { panel("One barista: concurrent", "one", &one, 0.0, "orders take turns") }
                { panel("Three baristas: parallel", "three", &three, 80.0, "orders at the same moment") }
                { axis }
                <text class="axis-label" x="8" y="260">{ "minutes" }</text>
            </svg>
            <figcaption>
                <button type="button" onclick={toggle} aria-pressed={(!*playing).to_string()}>
                    { if *playing { "Pause" } else { "Play" } }
                </button>
                <span>{ "Each block is one minute of work on an order. One barista keeps all three orders going (concurrency); three baristas finish them three times sooner (parallelism)." }</span>
            </figcaption>
        </figure>
    }
}
