//! The barista analogy, animated: the same three orders made sequentially, concurrently by one
//! barista, and in parallel by three. Schedules and the clock live in `interleave_core::barista`; this
//! file only draws them and drives the clock.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use interleave_core::barista::{caption, describe, lanes, Kind, Playback, Schedule, DRINKS};

/// `data-result`: each lane's finish, in minutes.
#[derive(Serialize)]
struct FinishesJson {
    sequential_min: u32,
    concurrent_min: u32,
    parallel_min: u32,
}

const WIDTH: f64 = 360.0;
/// Left edge of the timeline (row labels sit left of it) and its right edge.
const X0: f64 = 50.0;
const X1: f64 = 352.0;
const LANE_H: f64 = 76.0;
const ROW: f64 = 15.0;
const BAR: f64 = 12.0;
/// Top of the first row of a lane, below its title.
const ROWS_TOP: f64 = 20.0;
const AXIS_Y: f64 = 3.0 * LANE_H;
const LEGEND_Y: f64 = AXIS_Y + 40.0;
const HEIGHT: f64 = LEGEND_Y + 12.0;

fn f(x: f64) -> String {
    format!("{x:.2}")
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Runs the clock until it stops or `generation` moves on (a pause, a skip, leaving the page).
fn run(clock: Rc<RefCell<Playback>>, generation: Rc<RefCell<u32>>, redraw: UseForceUpdateHandle) {
    let mine = {
        let mut g = generation.borrow_mut();
        *g += 1;
        *g
    };
    wasm_bindgen_futures::spawn_local(async move {
        let mut last = now_ms();
        loop {
            gloo::timers::future::TimeoutFuture::new(40).await;
            if *generation.borrow() != mine {
                break;
            }
            let t = now_ms();
            clock.borrow_mut().advance((t - last) / 1000.0);
            last = t;
            redraw.force_update();
            if !clock.borrow().playing() {
                break;
            }
        }
    });
}

/// One lane: its title, its finish, a row per order with its steps as blocks.
fn lane(i: usize, s: &Schedule, per: f64, clock: &Playback, ghost: bool) -> Html {
    let y0 = LANE_H * i as f64;
    let blocks: Html = s
        .blocks
        .iter()
        .map(|b| {
            let step = DRINKS[b.order].steps[b.step];
            let x = X0 + per * f64::from(b.start) + 0.75;
            let w = per * f64::from(b.end - b.start) - 1.5;
            let y = y0 + ROWS_TOP + ROW * b.order as f64;
            let (class, fill) = match b.kind {
                Kind::Hands => ("hands", None),
                Kind::Wait => ("wait", Some(format!("url(#barista-stripes-{})", b.order))),
            };
            // A label only where it fits (about 5.6 units a letter at this size).
            let label = (!ghost && step.label.len() as f64 * 5.6 + 4.0 <= w).then(|| {
                html! { <text x={f(x + w / 2.0)} y={f(y + BAR - 2.6)} text-anchor="middle">{ step.label }</text> }
            });
            html! {
                <g class={classes!(class, format!("order-{}", b.order))}>
                    <rect x={f(x)} y={f(y)} width={f(w)} height={f(BAR)} rx="2" fill={fill} />
                    { label }
                </g>
            }
        })
        .collect();
    if ghost {
        return html! { <g class="plan">{ blocks }</g> };
    }
    let finish = s.finish();
    let fx = X0 + per * f64::from(finish);
    let reached = clock.reached(finish);
    html! {
        <g class="lane">
            <text class="lane-title" x="4" y={f(y0 + 13.0)}>{ s.mode.title() }</text>
            <text class={classes!("lane-finish", (!reached).then_some("pending"))} x={f(X1)} y={f(y0 + 13.0)}
                  text-anchor="end" data-lane={s.mode.key()} data-minutes={finish.to_string()}>
                { format!("done at {finish} min") }
            </text>
            { for DRINKS.iter().enumerate().map(|(o, d)| html! {
                <text class="row-label" x="4" y={f(y0 + ROWS_TOP + ROW * o as f64 + BAR - 2.0)}>{ d.short }</text>
            }) }
            <g clip-path="url(#barista-reveal)">{ blocks }</g>
            <line class={classes!("finish-mark", (!reached).then_some("pending"))} x1={f(fx)} x2={f(fx)}
                  y1={f(y0 + ROWS_TOP - 3.0)} y2={f(y0 + ROWS_TOP + ROW * DRINKS.len() as f64)} />
        </g>
    }
}

#[function_component]
pub(crate) fn BaristaAnimation() -> Html {
    let schedules = use_memo((), |_| lanes(&DRINKS));
    let total = schedules.iter().map(Schedule::finish).max().unwrap_or(1).max(1);
    let clock = use_mut_ref(|| if prefers_reduced_motion() { Playback::at_end(total) } else { Playback::new(total) });
    let generation = use_mut_ref(|| 0u32);
    let redraw = use_force_update();
    let svg = use_node_ref();

    // The play starts the first time the drawing is mostly on screen, and stops when leaving.
    {
        let (clock, generation, redraw, svg) = (clock.clone(), generation.clone(), redraw.clone(), svg.clone());
        use_effect_with((), move |_| {
            let mut observer = None;
            let (c, g) = (clock.clone(), generation.clone());
            let on_seen = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                let seen = entries.iter().any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
                let fresh = { let p = c.borrow(); p.minute() == 0.0 && !p.playing() && !p.reached_end() };
                if seen && fresh {
                    c.borrow_mut().play();
                    run(c.clone(), g.clone(), redraw.clone());
                }
            });
            let init = web_sys::IntersectionObserverInit::new();
            init.set_threshold(&JsValue::from_f64(0.5));
            if let (Ok(obs), Some(el)) = (
                web_sys::IntersectionObserver::new_with_options(on_seen.as_ref().unchecked_ref(), &init),
                svg.cast::<web_sys::Element>(),
            ) {
                obs.observe(&el);
                observer = Some((obs, on_seen));
            }
            move || {
                *generation.borrow_mut() += 1;
                if let Some((obs, _closure)) = observer {
                    obs.disconnect();
                }
            }
        });
    }

    let on_toggle = {
        let (clock, generation, redraw) = (clock.clone(), generation.clone(), redraw.clone());
        Callback::from(move |_| {
            clock.borrow_mut().toggle();
            if clock.borrow().playing() {
                run(clock.clone(), generation.clone(), redraw.clone());
            } else {
                *generation.borrow_mut() += 1;
            }
            redraw.force_update();
        })
    };
    let on_skip = {
        let (clock, generation, redraw) = (clock.clone(), generation.clone(), redraw.clone());
        Callback::from(move |_| {
            clock.borrow_mut().skip_to_end();
            *generation.borrow_mut() += 1;
            redraw.force_update();
        })
    };

    let p = *clock.borrow();
    let per = (X1 - X0) / f64::from(total);
    let [seq, con, par] = &*schedules;
    let axis: Html = (0..=total)
        .map(|t| {
            let x = X0 + per * f64::from(t);
            let major = t % 5 == 0;
            html! {
                <g class="tick">
                    <line x1={f(x)} x2={f(x)} y1={f(AXIS_Y)} y2={f(AXIS_Y + if major { 6.0 } else { 3.0 })} />
                    if major { <text x={f(x)} y={f(AXIS_Y + 17.0)} text-anchor="middle">{ t }</text> }
                </g>
            }
        })
        .collect();
    let patterns: Html = (0..DRINKS.len())
        .map(|o| html! {
            <pattern id={format!("barista-stripes-{o}")} width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect class={format!("stripe-bg order-{o}")} width="5" height="5" />
                <line class={format!("stripe order-{o}")} x1="0" y1="0" x2="0" y2="5" />
            </pattern>
        })
        .collect();
    let button = if p.playing() { "Pause" } else if p.at_the_end() { "Play again" } else { "Play" };
    let result = p.reached_end().then(|| {
        let json = FinishesJson { sequential_min: seq.finish(), concurrent_min: con.finish(), parallel_min: par.finish() };
        serde_json::to_string(&json).unwrap_or_default()
    });
    let [steps_text, lanes_text] = caption(&DRINKS, &schedules);
    html! {
        <figure class={classes!("widget", "barista", (!p.playing()).then_some("paused"))} data-widget="barista"
                data-state={p.state().as_str()} data-result={result}>
            <svg ref={svg} viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" aria-labelledby="barista-title barista-desc">
                <title id="barista-title">{ format!("Three orders, three ways: one barista in turn ({} min), one barista filling the machine waits ({} min), three baristas ({} min)",
                    seq.finish(), con.finish(), par.finish()) }</title>
                <desc id="barista-desc">{ describe(&DRINKS, &schedules) }</desc>
                <defs>
                    { patterns }
                    <clipPath id="barista-reveal">
                        <rect x={f(X0)} y="0" width={f(per * p.minute())} height={f(AXIS_Y)} />
                    </clipPath>
                </defs>
                { for schedules.iter().enumerate().map(|(i, s)| html! {
                    <>
                        { lane(i, s, per, &p, true) }
                        { lane(i, s, per, &p, false) }
                    </>
                }) }
                { axis }
                <text class="axis-label" x={f(X0 - 9.0)} y={f(AXIS_Y + 17.0)} text-anchor="end">{ "min" }</text>
                { for (0..schedules.len()).filter(|_| !p.at_the_end()).map(|i| {
                    let (x, y0) = (X0 + per * p.minute(), LANE_H * i as f64);
                    html! { <line class="playhead" x1={f(x)} x2={f(x)} y1={f(y0 + ROWS_TOP - 4.0)} y2={f(y0 + ROWS_TOP + ROW * DRINKS.len() as f64 + 1.0)} /> }
                }) }
                <g class="legend">
                    <rect class="hands-key" x="4" y={f(LEGEND_Y - 9.0)} width="18" height="10" rx="2" />
                    <text x="27" y={f(LEGEND_Y)}>{ "hands-on: barista busy" }</text>
                    <rect x="186" y={f(LEGEND_Y - 9.0)} width="18" height="10" rx="2" class="wait-key" fill="url(#barista-stripes-key)" />
                    <text x="209" y={f(LEGEND_Y)}>{ "machine: nobody needed" }</text>
                    <defs>
                        <pattern id="barista-stripes-key" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                            <line class="stripe key" x1="0" y1="0" x2="0" y2="5" />
                        </pattern>
                    </defs>
                </g>
            </svg>
            <figcaption>
                <div class="barista-controls">
                    <button type="button" onclick={on_toggle}>{ button }</button>
                    <button type="button" onclick={on_skip} disabled={p.at_the_end()}>{ "Show the end" }</button>
                </div>
                <p>{ steps_text }</p>
                <p>{ lanes_text }</p>
            </figcaption>
        </figure>
    }
}
