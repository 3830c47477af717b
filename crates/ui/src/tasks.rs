//! Giving the browser its turn: wait until it is idle, yield one task, read the clock, and ask
//! whether the page may share memory with workers.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Whether the page is cross-origin isolated (required for shared memory between workers).
pub fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// `navigator.hardwareConcurrency`, at least 1.
pub fn hardware_concurrency() -> usize {
    web_sys::window().map_or(1, |w| w.navigator().hardware_concurrency() as usize).max(1)
}

/// Resolves once the browser is idle after the page is shown (`requestIdleCallback`, waiting at
/// most a second; where there is none, 200 ms later), so that starting the workers stays out of
/// the way of the first paint and the first input.
pub async fn idle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let on_idle = js_sys::Reflect::get(&global, &"requestIdleCallback".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let _ = match on_idle {
            Some(on_idle) => {
                let options = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&options, &"timeout".into(), &1000.into());
                on_idle.call2(&global, &resolve, &options)
            }
            None => gloo::utils::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 200).map(JsValue::from),
        };
    });
    let _ = JsFuture::from(promise).await;
}

thread_local! {
    /// The page's `performance`, looked up once: a clock read is then one call into JavaScript.
    static PERFORMANCE: Option<web_sys::Performance> = web_sys::window().and_then(|w| w.performance());
}

/// Milliseconds since the page loaded.
pub fn now_ms() -> f64 {
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, |p| p.now()))
}

/// Gives the event loop a turn: resolves on a fresh task, so the browser can paint and handle
/// input first. A `MessageChannel` message is used rather than `setTimeout(0)`, which browsers
/// clamp to 4 ms once nested.
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let channel = web_sys::MessageChannel::new().expect("MessageChannel is available");
        let port = channel.port1();
        let onmessage = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        port.set_onmessage(Some(onmessage.unchecked_ref()));
        let _ = channel.port2().post_message(&JsValue::UNDEFINED);
    });
    let _ = JsFuture::from(promise).await;
}

/// A mark on the page's performance timeline (read by the benchmarks).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
