//! A lesson: objectives, the body with its live widgets, a table of contents, and its neighbours.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::live::Live;
use crate::components::loading::Waiting;
use crate::content::{self, use_content, Block, Loaded, Lesson};
use crate::pages::not_found::NotFound;
use crate::state::{Action, SavedHandle};

/// How long the lesson's end must stay in view before the lesson counts as read (ms).
const READ_AFTER_MS: u32 = 1_000;

/// Scrolls to the element named by the address's `#fragment`, or to the top.
fn scroll_to_hash() {
    let window = gloo::utils::window();
    let hash = window.location().hash().unwrap_or_default();
    let id = hash.trim_start_matches('#');
    let decoded = js_sys::decode_uri_component(id).map(String::from).unwrap_or_else(|_| id.to_string());
    match (!decoded.is_empty()).then(|| gloo::utils::document().get_element_by_id(&decoded)).flatten() {
        Some(el) => el.scroll_into_view(),
        None => window.scroll_to_with_x_and_y(0.0, 0.0),
    }
}

/// Table of contents: this lesson's sections, then every lesson.
fn toc(lesson: &'static Lesson, read: &dyn Fn(&str) -> bool) -> Html {
    html! {
        <>
            <h2 class="toc-title">{ "On this page" }</h2>
            <ol class="toc-sections">
                { for lesson.headings.iter().filter(|h| h.level == 2).map(|h| html! {
                    <li><a href={format!("/lessons/{}#{}", lesson.slug, h.id)}>{ h.text.as_str() }</a></li>
                }) }
            </ol>
            <h2 class="toc-title">{ "All lessons" }</h2>
            <ol class="toc-lessons">
                { for content::catalog().lessons.iter().map(|l| {
                    let current = l.slug == lesson.slug;
                    html! {
                        <li class={classes!(current.then_some("current"), read(&l.slug).then_some("read"))}>
                            <Link<Route> to={Route::Lesson { slug: l.slug.to_string() }}>
                                { l.title.as_str() }
                                if read(&l.slug) { <span class="visually-hidden">{ " (read)" }</span> }
                            </Link<Route>>
                        </li>
                    }
                }) }
            </ol>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct LessonPageProps {
    pub slug: String,
}

#[function_component]
pub(crate) fn LessonPage(props: &LessonPageProps) -> Html {
    let loaded = use_content(Route::Lesson { slug: props.slug.clone() }.needs());
    let lesson = content::lesson(&props.slug);
    let saved = use_context::<SavedHandle>().expect("saved state is provided by the app");
    let navigator = use_navigator();
    let end_marker = use_node_ref();

    // Title, deep link (after the lesson has rendered) and "read" once the end is reached.
    {
        let saved = saved.clone();
        let end_marker = end_marker.clone();
        use_effect_with((props.slug.clone(), lesson.is_some()), move |(slug, _)| {
            let mut observer = None;
            let pending: Rc<RefCell<Option<Timeout>>> = Rc::default();
            if let Some(l) = content::lesson(slug) {
                Route::Lesson { slug: l.slug.clone() }.show_title();
                scroll_to_hash();
                let slug = slug.clone();
                // Marked read once the end has been in view for READ_AFTER_MS, not at once: the
                // end holds the "Mark as read" button, and a learner who reaches it by tabbing to
                // it would otherwise see it turn into "mark as unread" just as they press it.
                let timer = pending.clone();
                let on_seen = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                    let seen = entries.iter().any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
                    let mut timer = timer.borrow_mut();
                    if !seen {
                        *timer = None;
                    } else if timer.is_none() {
                        let (saved, slug) = (saved.clone(), slug.clone());
                        *timer = Some(Timeout::new(READ_AFTER_MS, move || saved.dispatch(Action::MarkRead(slug))));
                    }
                });
                if let (Ok(obs), Some(el)) = (web_sys::IntersectionObserver::new(on_seen.as_ref().unchecked_ref()), end_marker.cast::<web_sys::Element>()) {
                    obs.observe(&el);
                    observer = Some((obs, on_seen));
                }
            }
            move || {
                if let Some((obs, _closure)) = observer {
                    obs.disconnect();
                }
                pending.borrow_mut().take();
            }
        });
    }

    let Some(lesson) = lesson else {
        return match loaded {
            Loaded::Ready => html! { <NotFound /> },
            other => html! { <Waiting what="This lesson" loaded={other} /> },
        };
    };
    let (prev, next) = content::catalog().neighbours(&lesson.slug);
    let is_read = saved.record.lessons_read.contains(&lesson.slug);
    let read = |slug: &str| saved.record.lessons_read.contains(slug);

    // Links between lessons stay in the app; links to a section of another lesson load it there.
    let on_prose_click = Callback::from(move |e: MouseEvent| {
        if e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key() || e.button() != 0 {
            return;
        }
        let Some(anchor) = e.target_dyn_into::<web_sys::Element>().and_then(|t| t.closest("a[href^='/lessons/']").ok().flatten()) else {
            return;
        };
        let href = anchor.get_attribute("href").unwrap_or_default();
        if href.contains('#') {
            return;
        }
        if let (Some(nav), Some(slug)) = (navigator.as_ref(), href.strip_prefix("/lessons/")) {
            e.prevent_default();
            nav.push(&Route::Lesson { slug: slug.to_string() });
        }
    });
    let toggle_read = {
        let saved = saved.clone();
        let slug = lesson.slug.to_string();
        Callback::from(move |_| {
            saved.dispatch(if is_read { Action::MarkUnread(slug.clone()) } else { Action::MarkRead(slug.clone()) })
        })
    };

    html! {
        <div class="lesson-layout">
            <details class="toc-menu">
                <summary>{ "Contents" }</summary>
                <nav aria-label="Lesson contents (menu)">{ toc(lesson, &read) }</nav>
            </details>
            <article class="page lesson" data-lesson={lesson.slug.as_str()}>
                <p class="eyebrow">{ format!("Lesson {} of {}", lesson.order, content::catalog().lessons.len()) }
                    if is_read { <span class="read-badge">{ "Read" }</span> }
                </p>
                <h1>{ lesson.title.as_str() }</h1>
                <section class="objectives" aria-labelledby="objectives-title">
                    <h2 id="objectives-title">{ "You will learn to" }</h2>
                    <ul>{ for lesson.objectives.iter().map(|o| html! { <li>{ o.as_str() }</li> }) }</ul>
                </section>
                <div class="prose" onclick={on_prose_click}>
                    { for lesson.blocks.iter().map(|b| match b {
                        Block::Html(h) => Html::from_html_unchecked(AttrValue::from(h.as_str())),
                        Block::Widget { widget: w, arg } => html! { <Live widget={*w} arg={arg.as_deref()} /> },
                    }) }
                </div>
                <aside class="quiz-pointer" aria-label="Check yourself">
                    <h2>{ "Check yourself" }</h2>
                    if let Some(q) = content::catalog().quiz(&lesson.slug) {
                        <p>
                            { format!("{} questions on this lesson, each answer explained. ", q.questions) }
                            <Link<Route> to={Route::Quiz { id: lesson.slug.to_string() }} classes="quiz-link">{ "Take the quiz" }</Link<Route>>
                        </p>
                    }
                </aside>
                <div class="lesson-end" ref={end_marker}>
                    <button type="button" onclick={toggle_read} aria-pressed={is_read.to_string()}>
                        { if is_read { "Read ✓ (mark as unread)" } else { "Mark as read" } }
                    </button>
                </div>
                <nav class="prev-next" aria-label="Previous and next lesson">
                    if let Some(p) = prev {
                        <Link<Route> to={Route::Lesson { slug: p.slug.to_string() }} classes="prev">
                            <span>{ "Previous" }</span>{ p.title.as_str() }
                        </Link<Route>>
                    }
                    if let Some(n) = next {
                        <Link<Route> to={Route::Lesson { slug: n.slug.to_string() }} classes="next">
                            <span>{ "Next" }</span>{ n.title.as_str() }
                        </Link<Route>>
                    }
                </nav>
            </article>
            <aside class="toc-sidebar">
                <nav aria-label="Lesson contents">{ toc(lesson, &read) }</nav>
            </aside>
        </div>
    }
}
