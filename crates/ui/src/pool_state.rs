//! Whether the page has a worker pool, and if not, why: the lab's answer, told to the reader (the
//! footer's thread status) across the two modules as a plain JavaScript object.

use wasm_bindgen::JsValue;

/// Whether the page has a worker pool, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolState {
    /// No experiment has started yet on this visit: the lab (and its pool) loads with the first
    /// widget that comes near the screen.
    NotStarted,
    /// The workers are being started.
    Starting,
    /// The pool runs this many workers.
    Ready {
        /// Number of web workers in the pool.
        workers: usize,
    },
    /// Everything runs on the main thread.
    Fallback {
        /// Why there are no threads, in plain words.
        reason: String,
    },
}

impl PoolState {
    /// Workers in the pool (0 while starting or falling back).
    pub fn workers(&self) -> usize {
        match self {
            PoolState::Ready { workers } => *workers,
            _ => 0,
        }
    }

    /// Whether a job can be started (the pool is ready, or we know we run without it).
    pub fn settled(&self) -> bool {
        matches!(self, PoolState::Ready { .. } | PoolState::Fallback { .. })
    }

    /// Its name on the page (`data-state`): `not-started`, `starting`, `ready` or `fallback`.
    pub fn name(&self) -> &'static str {
        match self {
            PoolState::NotStarted => "not-started",
            PoolState::Starting => "starting",
            PoolState::Ready { .. } => "ready",
            PoolState::Fallback { .. } => "fallback",
        }
    }

    /// As the lab hands it to the reader: `{ state, workers, reason }`.
    pub fn to_js(&self) -> JsValue {
        let object = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&object, &key.into(), &value);
        };
        set("state", self.name().into());
        set("workers", (self.workers() as u32).into());
        if let PoolState::Fallback { reason } = self {
            set("reason", reason.into());
        }
        object.into()
    }

    /// Read back from [`PoolState::to_js`]; anything else is a fallback that says so.
    pub fn from_js(value: &JsValue) -> PoolState {
        let get = |key: &str| js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED);
        match get("state").as_string().as_deref() {
            Some("not-started") => PoolState::NotStarted,
            Some("starting") => PoolState::Starting,
            Some("ready") => PoolState::Ready { workers: get("workers").as_f64().unwrap_or(1.0).max(1.0) as usize },
            Some("fallback") => PoolState::Fallback {
                reason: get("reason").as_string().unwrap_or_else(|| "The worker pool did not start.".into()),
            },
            _ => PoolState::Fallback { reason: format!("The lab answered with an unknown pool state ({value:?}).") },
        }
    }
}
