//! The lessons and quizzes as the app sees them, checked when the site was built
//! (`crates/content`, run by `build.rs`).
//!
//! Implementation note: the module carries only the [`Catalog`] (each lesson's place on the map,
//! each quiz's size). A lesson's body and the quizzes are files of the build, written beside the
//! pages by the prerenderer (`content/lessons/<slug>.json`, `content/quizzes.json`) and kept by
//! the service worker; a page names what it needs ([`Need`]) and [`use_content`] loads it once.
//! Before the app hydrates a page, `start` loads that page's needs, so that the first render in
//! the browser is the one the server made. On the server everything is installed up front.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use yew::prelude::*;

pub(crate) use interleave_core::learning::lesson::{Block, Lesson};
use interleave_core::learning::quiz::{find_question, Question, Quiz};
use interleave_core::learning::Catalog;

/// Every lesson's slug, title and order, and every quiz's size.
pub(crate) fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/catalog.json")))
            .expect("build.rs wrote the catalog of the content it checked")
    })
}

/// Content a page needs before it can be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Need {
    /// One lesson's body.
    Lesson(String),
    /// Every lesson's body (search).
    Lessons,
    /// Every quiz (a quiz page, since the final test asks the lessons' questions; the review).
    Quizzes,
}

/// Where the build keeps a lesson's body.
pub(crate) fn lesson_path(slug: &str) -> String {
    format!("content/lessons/{slug}.json")
}

/// Where the build keeps the quizzes.
pub(crate) const QUIZZES_PATH: &str = "content/quizzes.json";

// Shared by every thread: the server renders on its runtime's threads. In the browser only the
// page's thread reads them, so the locks are never contended there.
static LESSONS: Mutex<BTreeMap<String, &'static Lesson>> = Mutex::new(BTreeMap::new());
static QUIZZES: OnceLock<&'static [Quiz]> = OnceLock::new();
static ASKED: Mutex<BTreeMap<String, &'static [&'static Question]>> = Mutex::new(BTreeMap::new());

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The lesson with this slug, if it is loaded.
pub(crate) fn lesson(slug: &str) -> Option<&'static Lesson> {
    locked(&LESSONS).get(slug).copied()
}

/// Every lesson, in order, once all are loaded.
pub(crate) fn lessons() -> Option<Vec<&'static Lesson>> {
    catalog().lessons.iter().map(|l| lesson(&l.slug)).collect()
}

/// Every quiz, once loaded.
pub(crate) fn quizzes() -> Option<&'static [Quiz]> {
    QUIZZES.get().copied()
}

/// The quiz of a lesson (by slug), or the final test (`"final"`), once the quizzes are loaded.
pub(crate) fn quiz(id: &str) -> Option<&'static Quiz> {
    quizzes()?.iter().find(|q| q.lesson == id)
}

/// Every question the quiz `id` asks, in order (for the final test, the ones it includes and
/// then its own); empty for an unknown quiz or before the quizzes are loaded.
pub(crate) fn questions_of(id: &str) -> &'static [&'static Question] {
    let (Some(all), Some(quiz)) = (quizzes(), quiz(id)) else {
        return &[];
    };
    *locked(&ASKED).entry(id.to_string()).or_insert_with(|| Vec::leak(quiz.questions_in(all)))
}

/// The question with this id, in any quiz, once the quizzes are loaded.
pub(crate) fn question(id: &str) -> Option<&'static Question> {
    find_question(quizzes()?, id)
}

/// Whether what `need` names is here (an unknown lesson needs nothing: its page says so).
pub(crate) fn has(need: &Need) -> bool {
    match need {
        Need::Lesson(slug) => catalog().lesson(slug).is_none() || lesson(slug).is_some(),
        Need::Lessons => lessons().is_some(),
        Need::Quizzes => quizzes().is_some(),
    }
}

// Loaded content lives as long as the page: each piece is read once and never dropped.
fn keep_lesson(lesson: Lesson) {
    let mut lessons = locked(&LESSONS);
    if !lessons.contains_key(&lesson.slug) {
        let lesson: &'static Lesson = Box::leak(Box::new(lesson));
        lessons.insert(lesson.slug.clone(), lesson);
    }
}

fn keep_quizzes(quizzes: Vec<Quiz>) {
    if QUIZZES.get().is_none() {
        let _ = QUIZZES.set(Vec::leak(quizzes));
    }
}

/// On the server: every lesson and quiz, present from the start.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn install(content: interleave_core::learning::Content) {
    content.lessons.into_iter().for_each(keep_lesson);
    keep_quizzes(content.quizzes);
}

/// Loads what `needs` names and is not here yet, from the files of the build.
pub(crate) async fn load(needs: &[Need]) -> Result<(), String> {
    for need in needs.iter().filter(|n| !has(n)) {
        match need {
            Need::Lesson(slug) => keep_lesson(fetch_json(&lesson_path(slug)).await?),
            Need::Lessons => {
                for entry in &catalog().lessons {
                    if lesson(&entry.slug).is_none() {
                        keep_lesson(fetch_json(&lesson_path(&entry.slug)).await?);
                    }
                }
            }
            Need::Quizzes => keep_quizzes(fetch_json(QUIZZES_PATH).await?),
        }
    }
    Ok(())
}

#[cfg(target_arch = "wasm32")]
async fn fetch_json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let said = |e: wasm_bindgen::JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let url = format!("/{path}");
    let response: web_sys::Response = JsFuture::from(gloo::utils::window().fetch_with_str(&url))
        .await
        .map_err(|e| format!("{url} could not be fetched ({})", said(e)))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("{url} answered {} {}", response.status(), response.status_text()));
    }
    let text = JsFuture::from(response.text().map_err(said)?).await.map_err(said)?;
    serde_json::from_str(&text.as_string().unwrap_or_default()).map_err(|e| format!("{url} is not what this version of the app reads ({e})"))
}

// The server has everything installed before it renders, so nothing is ever missing there.
#[cfg(not(target_arch = "wasm32"))]
async fn fetch_json<T>(path: &str) -> Result<T, String> {
    Err(format!("{path} was not installed before the page was rendered"))
}

/// Whether a page's content is here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Loaded {
    Ready,
    Loading,
    /// It could not be loaded, and why.
    Failed(String),
}

/// Makes sure `needs` are here: loads what is missing (once) and draws the page again when it
/// arrives.
#[hook]
pub(crate) fn use_content(needs: Vec<Need>) -> Loaded {
    let arrived = use_state(|| 0_u32);
    let failed = use_state(|| None::<(Vec<Need>, String)>);
    {
        let (arrived, failed) = (arrived.clone(), failed.clone());
        use_effect_with(needs.clone(), move |needs| {
            if !needs.iter().all(has) {
                let needs = needs.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match load(&needs).await {
                        Ok(()) => arrived.set(*arrived + 1),
                        Err(e) => failed.set(Some((needs, e))),
                    }
                });
            }
        });
    }
    if needs.iter().all(has) {
        return Loaded::Ready;
    }
    match &*failed {
        Some((for_needs, why)) if *for_needs == needs => Loaded::Failed(why.clone()),
        _ => Loaded::Loading,
    }
}
