//! What a page shows while its content is on the way, or if it could not be loaded.

use yew::prelude::*;

use crate::content::Loaded;

#[derive(Properties, PartialEq)]
pub(crate) struct WaitingProps {
    /// What is on the way, as the subject of a sentence ("This lesson").
    pub what: AttrValue,
    pub loaded: Loaded,
}

#[function_component]
pub(crate) fn Waiting(props: &WaitingProps) -> Html {
    match &props.loaded {
        Loaded::Failed(why) => html! {
            <div class="page" role="alert" data-testid="content-failed">
                <h1>{ format!("{} could not be loaded", props.what) }</h1>
                <p>{ format!("{why}. Check the connection and reload the page; what you have saved is kept.") }</p>
            </div>
        },
        _ => html! {
            <div class="page" aria-busy="true" data-testid="content-loading">
                <p class="muted">{ format!("{} is loading…", props.what) }</p>
            </div>
        },
    }
}
