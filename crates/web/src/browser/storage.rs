//! Local storage: the one place the app reads and writes it (the saved progress lives there).
//!
//! Implementation note: nothing here panics. Storage may be missing, throw when touched (a
//! `SecurityError` when the browser blocks site data) or refuse a write (`QuotaExceededError`):
//! each is answered as a [`Refusal`], and the caller goes on with what it has in memory. A
//! refused write leaves what was stored under that key as it was.

use interleave_core::learning::keeping::{Refusal, CHECK_KEY};

/// The refusal a value thrown by storage stands for (by its `name`: `SecurityError`, …).
fn refusal(thrown: wasm_bindgen::JsValue) -> Refusal {
    let name = js_sys::Reflect::get(&thrown, &"name".into()).ok().and_then(|n| n.as_string());
    Refusal::from_error_name(name.as_deref())
}

/// The page's local storage, if the browser lets the site have it.
fn local() -> Result<web_sys::Storage, Refusal> {
    gloo::utils::window().local_storage().map_err(refusal)?.ok_or(Refusal::Blocked)
}

/// What is stored under `key`, if anything.
pub fn read(key: &str) -> Result<Option<String>, Refusal> {
    local()?.get_item(key).map_err(refusal)
}

/// Stores `value` under `key`.
pub fn write(key: &str, value: &str) -> Result<(), Refusal> {
    local()?.set_item(key, value).map_err(refusal)
}

/// Whether storage takes a write at all: a short value is written under [`CHECK_KEY`] and
/// removed again.
pub fn check() -> Result<(), Refusal> {
    let storage = local()?;
    storage.set_item(CHECK_KEY, "1").map_err(refusal)?;
    let _ = storage.remove_item(CHECK_KEY);
    Ok(())
}

/// Keeps `value` under the first free key of `key`, `key.2`, `key.3`, … (nothing already kept
/// aside is overwritten), and returns that key.
pub fn set_aside(key: &str, value: &str) -> Result<String, Refusal> {
    let mut free = key.to_string();
    let mut n = 1;
    while read(&free)?.is_some() {
        n += 1;
        free = format!("{key}.{n}");
    }
    write(&free, value)?;
    Ok(free)
}
