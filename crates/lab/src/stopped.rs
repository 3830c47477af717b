//! What the page shows when the lab stops: a panic on the page's thread aborts the lab's module
//! (it is built with `panic = "abort"`), so no widget it drew can run again until the page is
//! reloaded. Each says so in its frame, and its controls are disabled; the footer says it too.
//! The lessons, quizzes and saved progress are the reader's and go on working.

use wasm_bindgen::JsCast;

/// The note a widget shows once the lab has stopped with `message`.
pub fn note(message: &str) -> String {
    format!(
        "This experiment stopped because of an error inside it ({message}). Reload the page to \
         start the experiments again; your progress is saved."
    )
}

/// Marks every widget the lab drew as stopped (`data-state="error"`), with [`note`] and its
/// controls disabled, and tells the footer. (Exported as `showStopped`: what a learner sees when
/// the lab stops can be seen without making it stop.)
#[wasm_bindgen::prelude::wasm_bindgen(js_name = showStopped)]
pub fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(frames) = document.query_selector_all(".live[data-drawn-by=lab] section.widget") {
        for i in 0..frames.length() {
            let Some(frame) = frames.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else { continue };
            let _ = frame.set_attribute("data-state", "error");
            if let Ok(controls) = frame.query_selector_all("button, input, select, textarea") {
                for j in 0..controls.length() {
                    if let Some(control) = controls.item(j).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                        let _ = control.set_attribute("disabled", "");
                    }
                }
            }
            if frame.query_selector("[data-testid=lab-stopped]").ok().flatten().is_none() {
                if let Ok(p) = document.create_element("p") {
                    p.set_class_name("refusal");
                    let _ = p.set_attribute("role", "alert");
                    let _ = p.set_attribute("data-testid", "lab-stopped");
                    p.set_text_content(Some(&note(message)));
                    let title = frame.query_selector(".widget-title").ok().flatten();
                    let _ = match title {
                        Some(title) => title.after_with_node_1(&p),
                        None => frame.prepend_with_node_1(&p),
                    };
                }
            }
        }
    }
    let state = interleave_ui::pool_state::PoolState::Fallback {
        reason: format!("The experiments stopped because of an error ({message}). Reload the page to start them again."),
    };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&state.to_js());
    if let (Some(window), Ok(event)) = (web_sys::window(), web_sys::CustomEvent::new_with_event_init_dict("interleave:pool", &init)) {
        let _ = window.dispatch_event(&event);
    }
}
