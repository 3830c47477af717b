//! The page for addresses that lead nowhere.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;

#[function_component]
pub(crate) fn NotFound() -> Html {
    use_effect_with((), |_| Route::NotFound.show_title());
    html! {
        <div class="page not-found" data-testid="not-found">
            <h1>{ "This page does not exist" }</h1>
            <p>{ "The address may be mistyped, or the page may have moved." }</p>
            <p><Link<Route> to={Route::Home}>{ "Go to the lesson map" }</Link<Route>></p>
        </div>
    }
}
