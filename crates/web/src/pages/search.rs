//! Search over every lesson, offline: the index is the lessons' text, loaded with the page and
//! kept by the service worker.

use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::loading::Waiting;
use crate::content::{self, use_content};
use interleave_core::learning::search::{highlight, search};

/// The `q` parameter of the current address.
pub(crate) fn query_from_location() -> String {
    let search = gloo::utils::window().location().search().unwrap_or_default();
    web_sys::UrlSearchParams::new_with_str(&search).ok().and_then(|p| p.get("q")).unwrap_or_default()
}

#[function_component]
pub(crate) fn SearchPage() -> Html {
    let _location = use_location();
    let loaded = use_content(Route::Search.needs());
    // Empty on the first render (the server's); the address's query follows at once.
    let query = use_state(String::new);
    let navigator = use_navigator();
    {
        let query = query.clone();
        use_effect_with(_location.map(|l| l.query_str().to_string()), move |_| {
            query.set(query_from_location());
            Route::Search.show_title();
        });
    }
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Some(nav) = navigator.as_ref() {
                let _ = nav.replace_with_query(&Route::Search, &[("q", value.as_str())]);
            }
            query.set(value);
        })
    };
    let Some(lessons) = content::lessons() else {
        return html! { <Waiting what="The search index" {loaded} /> };
    };
    let hits = search(lessons, &query, 30);
    html! {
        <div class="page search-page">
            <h1>{ "Search the lessons" }</h1>
            <form role="search" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <label for="search-input" class="visually-hidden">{ "Search the lessons" }</label>
                <input id="search-input" type="search" value={(*query).clone()} {oninput}
                       placeholder="e.g. mutex, event loop, GIL" autocomplete="off" />
            </form>
            if query.trim().is_empty() {
                <p class="help">{ "Type a word or two: every lesson's text is searched, right here, even offline." }</p>
            } else if hits.is_empty() {
                <p class="help" role="status">{ format!("Nothing matches “{}”. Try a shorter or more general word.", query.trim()) }</p>
            } else {
                <p class="help" role="status">{ format!("{} section{} found", hits.len(), if hits.len() == 1 { "" } else { "s" }) }</p>
                <ol class="search-results">
                    { for hits.iter().map(|h| {
                        let href = if h.section.is_empty() { format!("/lessons/{}", h.slug) } else { format!("/lessons/{}#{}", h.slug, h.section) };
                        html! {
                            <li>
                                <a href={href}>
                                    <span class="hit-title">{ h.title }</span>
                                    if !h.heading.is_empty() { <span class="hit-section">{ " › " }{ marked(h.heading, &query) }</span> }
                                </a>
                                <p>{ marked(&h.snippet, &query) }</p>
                            </li>
                        }
                    }) }
                </ol>
            }
        </div>
    }
}

/// `text` with the words the query's terms begin marked (see [`highlight`]).
fn marked(text: &str, query: &str) -> Html {
    highlight(text, query).into_iter().map(|(run, hit)| if hit { html! { <mark>{ run }</mark> } } else { html! { { run } } }).collect()
}
