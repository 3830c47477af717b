//! What the page says about the app itself: that it is live (for scripts and tests), or that it
//! could not start, in plain words, while the page's text stays readable.

/// Marks the page as live: the app has hydrated it (`<html data-app="live">`).
pub(crate) fn live() {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = root.set_attribute("data-app", "live");
    }
}

/// Says, in the page's status banner (`#boot`), that the experiments could not start and why.
#[cfg(target_arch = "wasm32")]
pub(crate) fn failed(why: &str) {
    let document = gloo::utils::document();
    if let (Some(banner), Some(message)) = (document.get_element_by_id("boot"), document.get_element_by_id("boot-message")) {
        message.set_text_content(Some(&format!(
            "The lessons can still be read, but the experiments could not start: {why}. Reloading the page may help."
        )));
        let _ = banner.remove_attribute("hidden");
    }
}
