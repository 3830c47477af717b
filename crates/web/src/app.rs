//! The app shell: routes, header, footer (with the worker pool's state, once the lab runs it). The
//! same shell renders each page on the server (into the static HTML) and hydrates it in the
//! browser.
//!
//! Implementation note: hydration needs the browser's first render to be the server's. So the
//! first render knows nothing the server cannot: the saved progress, the theme and the pool come
//! in effects after it (the record is read from storage then, and [`Saved::loaded`] is false
//! until it is), and each live widget first draws its frame ([`crate::components::live`]).

use yew::prelude::*;
use yew_router::history::AnyHistory;
#[cfg(target_arch = "wasm32")]
use yew_router::history::BrowserHistory;
#[cfg(not(target_arch = "wasm32"))]
use yew_router::history::{History, MemoryHistory};
use yew_router::prelude::*;

use crate::components::thread_status::ThreadStatus;
use crate::pages::{home::Home, lesson::LessonPage, not_found::NotFound, quiz::QuizPage, review::ReviewPage, search::SearchPage};
use crate::content::Need;
use crate::state::{Action, Saved, SavedHandle};
use interleave_ui::pool_state::PoolState;
#[cfg(target_arch = "wasm32")]
use interleave_ui::tasks::mark;
use interleave_ui::tasks::yield_now;
use interleave_core::learning::progress::Theme;
use interleave_core::learning::quiz::FINAL;

/// Every page of the site.
#[derive(Clone, Routable, PartialEq, Debug)]
pub(crate) enum Route {
    #[at("/")]
    Home,
    #[at("/lessons/:slug")]
    Lesson { slug: String },
    #[at("/search")]
    Search,
    #[at("/quiz/:id")]
    Quiz { id: String },
    #[at("/review")]
    Review,
    #[not_found]
    #[at("/404")]
    NotFound,
}

impl Route {
    /// The content its page needs before it can be drawn.
    pub(crate) fn needs(&self) -> Vec<Need> {
        match self {
            Route::Lesson { slug } => vec![Need::Lesson(slug.clone())],
            Route::Quiz { .. } | Route::Review => vec![Need::Quizzes],
            Route::Search => vec![Need::Lessons],
            Route::Home | Route::NotFound => Vec::new(),
        }
    }

    /// The page's title (the browser tab's, and the static page's `<title>`).
    pub(crate) fn title(&self) -> String {
        let catalog = crate::content::catalog();
        match self {
            Route::Home => "Interleave: concurrency vs parallelism, live".into(),
            Route::Lesson { slug } => match catalog.lesson(slug) {
                Some(l) => format!("{} · Interleave", l.title),
                None => Route::NotFound.title(),
            },
            Route::Quiz { id } => match catalog.quiz(id) {
                Some(q) if q.lesson == FINAL => "Final test · Interleave".into(),
                Some(q) => format!("Quiz: {} · Interleave", q.title),
                None => Route::NotFound.title(),
            },
            Route::Search => "Search · Interleave".into(),
            Route::Review => "Review · Interleave".into(),
            Route::NotFound => "Page not found · Interleave".into(),
        }
    }

    /// Shows the page's title in the browser tab.
    pub(crate) fn show_title(&self) {
        gloo::utils::document().set_title(&self.title());
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Home /> },
        Route::Lesson { slug } => html! { <LessonPage {slug} /> },
        Route::Search => html! { <SearchPage /> },
        Route::Quiz { id } => html! { <QuizPage {id} /> },
        Route::Review => html! { <ReviewPage /> },
        Route::NotFound => html! { <NotFound /> },
    }
}

#[function_component]
fn Shell() -> Html {
    let pool_state = use_state(|| PoolState::NotStarted);
    let saved = use_reducer(Saved::unread);
    {
        let saved = saved.clone();
        // In a task of its own: reading the record draws the whole page again, and hydrating it
        // was task enough.
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                yield_now().await;
                saved.dispatch(Action::Load(Saved::load()));
            });
        });
    }
    // Live once the page shows the learner's own record.
    use_effect_with(saved.loaded, |loaded| {
        if *loaded {
            crate::browser::boot::live();
        }
    });
    // The page's update offer says that reloading loses a record that lives in memory.
    use_effect_with(saved.keeping, |keeping| crate::browser::boot::keeping(*keeping));
    let theme = saved.record.theme;
    // The page's script applied the saved theme before the first paint; this follows changes.
    use_effect_with((theme, saved.loaded), |(t, loaded)| {
        if *loaded {
            crate::state::apply_theme(*t);
        }
    });
    let due = if saved.loaded { saved.record.review.due(crate::state::today()).len() } else { 0 };
    let (theme_name, theme_icon, next_theme) = match theme {
        Theme::System => ("system", "◐", Theme::Light),
        Theme::Light => ("light", "☀", Theme::Dark),
        Theme::Dark => ("dark", "☾", Theme::System),
    };
    let toggle_theme = {
        let saved = saved.clone();
        Callback::from(move |_| saved.dispatch(Action::SetTheme(next_theme)))
    };
    {
        let pool_state = pool_state.clone();
        use_effect_with((), move |_| {
            // The footer tells of the pool once the lab, which runs it, has been asked for (by
            // the first widget that comes near the screen) and has loaded.
            // And again whenever the lab says it changed (a worker stopped, or the lab did).
            let changes = {
                let pool_state = pool_state.clone();
                gloo::events::EventListener::new(&gloo::utils::window(), "interleave:pool", move |event| {
                    use wasm_bindgen::JsCast;
                    if let Some(event) = event.dyn_ref::<web_sys::CustomEvent>() {
                        pool_state.set(PoolState::from_js(&event.detail()));
                    }
                })
            };
            wasm_bindgen_futures::spawn_local(async move {
                match crate::browser::lab::loaded().await {
                    Ok(lab) => {
                        pool_state.set(PoolState::Starting);
                        pool_state.set(lab.pool_state().await);
                    }
                    Err(why) => pool_state.set(PoolState::Fallback { reason: format!("The experiments could not be loaded: {why}.") }),
                }
            });
            move || drop(changes)
        });
    }
    html! {
        <ContextProvider<PoolState> context={(*pool_state).clone()}>
        <ContextProvider<SavedHandle> context={saved.clone()}>
                <a class="skip-link" href="#main">{ "Skip to content" }</a>
                <header class="site-header">
                    <Link<Route> to={Route::Home} classes="brand">
                        <svg class="brand-mark" viewBox="0 0 64 64" aria-hidden="true">
                            <rect width="64" height="64" rx="14" />
                            <path d="M14 20h14M36 20h14M14 32h8M30 32h20M14 44h20M42 44h8" />
                        </svg>
                        { "Interleave" }
                    </Link<Route>>
                    <nav aria-label="Main">
                        <Link<Route> to={Route::Home}>{ "Lessons" }</Link<Route>>
                        <Link<Route> to={Route::Search}>{ "Search" }</Link<Route>>
                        <Link<Route> to={Route::Review}>
                            { "Review" }
                            if due > 0 { <span class="badge" data-testid="review-badge" aria-label={format!("{due} due")}>{ due }</span> }
                        </Link<Route>>
                        <button type="button" class="theme-toggle" onclick={toggle_theme} aria-label={format!("Theme: {theme_name} (change)")}>
                            { theme_icon }
                        </button>
                    </nav>
                </header>
                if let Some(notice) = saved.notice.clone() {
                    <div class="notice" role="alert" data-testid="progress-notice">
                        <p>{ notice }</p>
                        <button type="button" onclick={ let saved = saved.clone(); Callback::from(move |_| saved.dispatch(Action::DismissNotice)) }>{ "Dismiss" }</button>
                    </div>
                }
                if let (Some(refusal), false) = (saved.keeping.refusal(), saved.keeping_note_hidden) {
                    <div class="storage-note" role="status" data-testid="storage-note" data-reason={refusal.name()}>
                        <p>
                            { refusal.note() }{ " To keep it, export it from the " }
                            <Link<Route> to={Route::Review}>{ "Review page" }</Link<Route>>{ "." }
                        </p>
                        <button type="button" onclick={ let saved = saved.clone(); Callback::from(move |_| saved.dispatch(Action::HideKeepingNote)) }>{ "Hide" }</button>
                    </div>
                }
                <main id="main" tabindex="-1">
                    <Switch<Route> render={switch} />
                </main>
                <footer class="site-footer" id="footer">
                    <ThreadStatus />
                    <p class="footnote">{ "Every experiment runs on your own machine, measured live." }</p>
                </footer>
        </ContextProvider<SavedHandle>>
        </ContextProvider<PoolState>>
    }
}

/// The app in the browser: the shell at the browser's address. Its component tree is the
/// server's ([`ServerApp`]) one for one, as hydration requires: a `Router` under one component.
#[cfg(target_arch = "wasm32")]
#[function_component]
fn App() -> Html {
    let history = AnyHistory::from(BrowserHistory::new());
    html! { <Router {history}><Shell /></Router> }
}

/// The page at one address, as the server renders it.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Properties, PartialEq)]
pub(crate) struct ServerAppProps {
    /// The page's address (`/lessons/race-conditions`).
    pub path: String,
}

/// The app as the server renders it: the shell at a fixed address.
#[cfg(not(target_arch = "wasm32"))]
#[function_component]
pub(crate) fn ServerApp(props: &ServerAppProps) -> Html {
    let history = AnyHistory::from(MemoryHistory::new());
    history.push(&props.path);
    html! { <Router {history}><Shell /></Router> }
}

/// Starts the app on the page: loads what the page needs, then hydrates the server's HTML (or,
/// on a page that was not prerendered, renders it). If that content cannot be loaded, the page
/// stays as the server wrote it, readable, and says the experiments could not start.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    wasm_bindgen_futures::spawn_local(async {
        let document = gloo::utils::document();
        let Some(root) = document.get_element_by_id("app") else {
            return crate::browser::boot::failed("this page has no place for the app (#app)");
        };
        let window = gloo::utils::window();
        let mut path = window.location().pathname().unwrap_or_default();
        // A host may add a slash to a folder's address (`/lessons/x/`): the app's are without.
        if path.len() > 1 && path.ends_with('/') {
            path.truncate(path.trim_end_matches('/').len().max(1));
            let rest = window.location().search().unwrap_or_default() + &window.location().hash().unwrap_or_default();
            if let Ok(history) = window.history() {
                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{rest}")));
            }
        }
        let route = Route::recognize(&path).unwrap_or(Route::NotFound);
        // The server's HTML is hydrated only on the page it was rendered for (`404.html` is
        // served for every unknown address); anywhere else the app renders afresh.
        let prerendered = root.get_attribute("data-path").as_deref() == Some(route.to_path().as_str()) && root.first_element_child().is_some();
        if !prerendered {
            root.set_inner_html("");
        }
        mark("interleave:start");
        let loaded = crate::content::load(&route.needs()).await;
        mark("interleave:content");
        // Reading the content and hydrating the page are two tasks, not one long one.
        yield_now().await;
        match loaded {
            Ok(()) if prerendered => drop(yew::Renderer::<App>::with_root(root).hydrate()),
            Ok(()) => drop(yew::Renderer::<App>::with_root(root).render()),
            Err(why) if prerendered => crate::browser::boot::failed(&why),
            Err(_) => drop(yew::Renderer::<App>::with_root(root).render()),
        }
        mark("interleave:hydrated");
    });
}
