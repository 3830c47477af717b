//! Tells the learner how many workers run and whether the page is cross-origin isolated.

use yew::prelude::*;

use interleave_ui::pool_state::PoolState;
use interleave_ui::tasks::cross_origin_isolated;

#[function_component]
pub(crate) fn ThreadStatus() -> Html {
    let state = use_context::<PoolState>().unwrap_or(PoolState::NotStarted);
    // Asked once the pool has settled (never on the server's render, which knows no browser).
    let isolated = state.settled() && cross_origin_isolated();
    let (kind, headline, detail): (&str, String, Option<String>) = match &state {
        PoolState::NotStarted => ("not-started", "Worker threads start with the first experiment you reach".to_string(), None),
        PoolState::Starting => ("starting", "Worker threads are starting…".to_string(), None),
        PoolState::Ready { workers } => (
            "ready",
            format!("{workers} worker thread{} ready", if *workers == 1 { "" } else { "s" }),
            Some("Cross-origin isolated: experiments can run on every core.".to_string()),
        ),
        PoolState::Fallback { reason } => ("fallback", "One thread only".to_string(), Some(reason.clone())),
    };
    html! {
        <div class={classes!("thread-status", kind)} data-testid="thread-status" role="status"
             data-isolated={isolated.to_string()} data-workers={state.workers().to_string()} data-state={kind}>
            <span class="dot" aria-hidden="true"></span>
            <strong>{ headline }</strong>
            if let Some(detail) = detail { <span class="detail">{ detail }</span> }
        </div>
    }
}
