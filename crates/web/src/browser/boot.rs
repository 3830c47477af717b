//! What the page says about the app itself: that it is live (for scripts and tests), or that it
//! could not start, in plain words, while the page's text stays readable; and whether the saved
//! progress lives in memory only.

use interleave_core::learning::keeping::Keeping;

/// Marks the page as live: the app has hydrated it (`<html data-app="live">`).
pub(crate) fn live() {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = root.set_attribute("data-app", "live");
    }
}

/// Marks whether the saved progress lives in memory only (`<html data-progress="memory">`), for
/// the page's offer of a new version: accepting it reloads the page.
pub(crate) fn keeping(keeping: Keeping) {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = match keeping {
            Keeping::Stored => root.remove_attribute("data-progress"),
            Keeping::InMemory(_) => root.set_attribute("data-progress", "memory"),
        };
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
