//! The lab module, seen from the reader: fetched once, when a widget's frame first comes near the
//! screen ([`request`]), and then asked to draw widgets in their frames and for the pool's state.
//!
//! Implementation note: the lab is the second module of the build (`crates/lab`). The page names
//! its script, its module and the module's hash in `<meta name="interleave-lab">`, which the build
//! writes; the module is fetched with that integrity, as the reader's own is.

use std::cell::RefCell;

use futures::channel::oneshot;
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use interleave_ui::pool_state::PoolState;

#[wasm_bindgen(inline_js = r#"
export function import_lab() {
  const meta = document.querySelector('meta[name=interleave-lab]');
  if (!meta) return Promise.reject(new Error('this page does not name the lab module'));
  const { js, wasm, integrity } = meta.dataset;
  return import(new URL(js, document.baseURI).href).then(async (lab) => {
    await lab.default({ module_or_path: fetch(new URL(wasm, document.baseURI), integrity ? { integrity } : {}) });
    return lab;
  });
}
"#)]
extern "C" {
    fn import_lab() -> js_sys::Promise;

    /// The lab module's exports (`crates/lab/src/mount.rs`).
    #[derive(Clone)]
    pub(crate) type Lab;
    #[wasm_bindgen(method, catch)]
    fn mount(this: &Lab, host: &web_sys::Element, widget: &str, arg: Option<String>, solved: js_sys::Array) -> Result<Mounted, JsValue>;
    #[wasm_bindgen(method)]
    fn pool(this: &Lab) -> js_sys::Promise;

    /// A widget the lab drew.
    pub(crate) type Mounted;
    #[wasm_bindgen(method)]
    pub(crate) fn unmount(this: &Mounted);
}


type Loading = Shared<LocalBoxFuture<'static, Result<Lab, String>>>;

thread_local! {
    /// Fired by the first [`request`].
    static REQUEST: RefCell<Option<oneshot::Sender<()>>> = const { RefCell::new(None) };
    /// The one load, which waits for the first request.
    static LOADING: RefCell<Option<Loading>> = const { RefCell::new(None) };
}

fn loading() -> Loading {
    LOADING.with(|l| {
        l.borrow_mut()
            .get_or_insert_with(|| {
                let (tx, rx) = oneshot::channel();
                REQUEST.with(|r| *r.borrow_mut() = Some(tx));
                async move {
                    rx.await.map_err(|_| "the lab was never asked for".to_string())?;
                    mark("interleave:lab-start");
                    let lab = JsFuture::from(import_lab()).await.map_err(|e| describe(&e))?;
                    Ok(lab.unchecked_into::<Lab>())
                }
                .boxed_local()
                .shared()
            })
            .clone()
    })
}

/// Asks for the lab: the first call starts fetching it. Later calls do nothing.
pub(crate) fn request() {
    let _ = loading();
    if let Some(tx) = REQUEST.with(|r| r.borrow_mut().take()) {
        let _ = tx.send(());
    }
}

/// The lab, once it has been requested and has loaded; or why it could not load.
pub(crate) async fn loaded() -> Result<Lab, String> {
    loading().await
}

impl Lab {
    /// Draws `widget` in `host` (see the lab's `mount`).
    pub(crate) fn draw(&self, host: &web_sys::Element, widget: &str, arg: Option<&str>, solved: &[String]) -> Result<Mounted, String> {
        let solved: js_sys::Array = solved.iter().map(|id| JsValue::from_str(id)).collect();
        self.mount(host, widget, arg.map(str::to_string), solved).map_err(|e| describe(&e))
    }

    /// Starts the pool, once, and answers its state.
    pub(crate) async fn pool_state(&self) -> PoolState {
        match JsFuture::from(self.pool()).await {
            Ok(state) => PoolState::from_js(&state),
            Err(e) => PoolState::Fallback { reason: format!("The worker pool did not start ({}).", describe(&e)) },
        }
    }
}

/// A JavaScript error in words.
fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_else(|| format!("{e:?}"))
}

fn mark(name: &str) {
    interleave_ui::tasks::mark(name);
}
