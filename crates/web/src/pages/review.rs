//! Review: the questions once answered wrongly come back, Leitner-style, when they are due;
//! and the learner's progress can be exported to a file and imported again.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::question::QuestionCard;
use crate::content::{self, use_content, Loaded};
use crate::state::{today, Action, SavedHandle};
use interleave_core::learning::progress::LearnerRecord;
use interleave_core::learning::review::INTERVALS;

/// Offers the record as a downloaded JSON file.
fn export(record: &LearnerRecord) {
    let parts = js_sys::Array::of1(&record.to_json().into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = gloo::utils::document().create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download("interleave-progress.json");
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[function_component]
pub(crate) fn ReviewPage() -> Html {
    use_effect_with((), |_| Route::Review.show_title());
    let loaded = use_content(Route::Review.needs());
    let saved = use_context::<SavedHandle>().expect("saved state is provided by the app");
    // The record is read and the questions are here (not on the server's render).
    let ready = saved.loaded && loaded == Loaded::Ready;
    let message = use_state(|| None::<(bool, String)>);
    let answered_now = use_state(|| None::<(String, std::collections::BTreeSet<String>)>);
    // Nothing is known of the learner's record before it is read (the server's render).
    let day = if ready { today() } else { 0 };
    let due: Vec<String> = saved.record.review.due(day).into_iter().filter(|id| content::question(id).is_some()).collect();
    let counts = saved.record.review.counts();

    // Options are shuffled by the day (and the question): the same order all day, so a reload
    // shows what the learner saw, and another order when the question comes back.
    // The question on screen: the one just answered (to show its explanations), else the first due.
    let shown = answered_now.as_ref().map(|(id, _)| id.clone()).or_else(|| due.first().cloned());
    let question = shown.as_deref().and_then(content::question);
    let on_answer = {
        let (saved, answered_now) = (saved.clone(), answered_now.clone());
        let id = shown.clone();
        Callback::from(move |(picked, correct): (std::collections::BTreeSet<String>, bool)| {
            if let Some(id) = id.clone() {
                answered_now.set(Some((id.clone(), picked.clone())));
                saved.dispatch(Action::Answer { id, picked, correct, today: today() });
            }
        })
    };
    let next = {
        let answered_now = answered_now.clone();
        Callback::from(move |_| answered_now.set(None))
    };
    let on_export = {
        let saved = saved.clone();
        Callback::from(move |_| export(&saved.record))
    };
    let on_import = {
        let (saved, message) = (saved.clone(), message.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            let (saved, message) = (saved.clone(), message.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let text = JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string()).unwrap_or_default();
                match LearnerRecord::import(&text) {
                    Ok(record) => {
                        let lessons = record.lessons_read.len();
                        saved.dispatch(Action::Import(record));
                        message.set(Some((true, format!("Progress imported: {lessons} lessons read, answers and review restored."))));
                    }
                    Err(reason) => message.set(Some((false, format!("Nothing was imported. {reason}")))),
                }
            });
        })
    };

    html! {
        <div class="page review-page">
            <h1>{ "Review" }</h1>
            <p class="lead" data-testid="due-count">
                { match due.len() {
                    _ if !ready => "Your review is kept in this browser: it shows here once the page is ready.".to_string(), 0 => "Nothing is due right now.".to_string(), 1 => "1 question is due.".to_string(), n => format!("{n} questions are due.") } }
            </p>
            <p class="help">{ format!(
                "A question you answer wrongly comes back here. Each right answer moves it to the next box and spaces its return: \
                 {} days.", INTERVALS.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")) }</p>
            if ready {
                <ol class="boxes" aria-label="Questions per box">
                    { for counts.iter().enumerate().map(|(b, n)| html! { <li><span>{ format!("Box {}", b + 1) }</span><strong>{ n }</strong></li> }) }
                </ol>
            }
            if let Some(q) = question {
                <section class="widget quiz" aria-label="Question to review">
                    <QuestionCard question={q} seed={u64::from(day)} answered={answered_now.as_ref().map(|(_, p)| p.clone())} {on_answer} />
                    if answered_now.is_some() {
                        <div class="controls quiz-nav"><button type="button" class="primary" onclick={next}>{ "Next" }</button></div>
                    }
                </section>
            } else {
                <p>{ "Take a quiz from any lesson; the questions you miss will wait here. " }
                    <Link<Route> to={Route::Quiz { id: "final".into() }}>{ "Try the final test" }</Link<Route>>
                    { format!(" (all {} lessons).", content::catalog().lessons.len()) }
                </p>
            }
            <section class="transfer" aria-labelledby="transfer-title">
                <h2 id="transfer-title">{ "Your progress" }</h2>
                <p>{ "Everything is kept in this browser only. Save it to a file to carry it to another browser." }</p>
                <div class="controls">
                    <button type="button" onclick={on_export}>{ "Export progress" }</button>
                    <label class="file-button">{ "Import progress" }
                        <input type="file" accept="application/json,.json" onchange={on_import} data-testid="import" />
                    </label>
                </div>
                if let Some((ok, text)) = message.as_ref() {
                    <p class={if *ok { "outcome" } else { "refusal" }} role="status" data-testid="import-message">{ text }</p>
                }
            </section>
        </div>
    }
}
