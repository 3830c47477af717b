//! The app shell: routes, header, footer, and the worker pool started once at load.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::thread_status::ThreadStatus;
use crate::pages::{home::Home, lesson::LessonPage, not_found::NotFound, quiz::QuizPage, review::ReviewPage, search::SearchPage};
use crate::state::{Action, Saved, SavedHandle};
use crate::browser::pool::{self, PoolState};
use interleave_core::learning::progress::Theme;

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
fn App() -> Html {
    let pool_state = use_state(|| PoolState::Starting);
    let saved = use_reducer(Saved::load);
    let theme = saved.record.theme;
    use_effect_with(theme, |t| crate::state::apply_theme(*t));
    let due = saved.record.review.due(crate::state::today()).len();
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
            wasm_bindgen_futures::spawn_local(async move {
                pool_state.set(pool::start().await);
            });
        });
    }
    html! {
        <ContextProvider<PoolState> context={(*pool_state).clone()}>
        <ContextProvider<SavedHandle> context={saved.clone()}>
            <BrowserRouter>
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
                <main id="main" tabindex="-1">
                    <Switch<Route> render={switch} />
                </main>
                <footer class="site-footer">
                    <ThreadStatus />
                    <p class="footnote">{ "Every experiment runs on your own machine, measured live." }</p>
                </footer>
            </BrowserRouter>
        </ContextProvider<SavedHandle>>
        </ContextProvider<PoolState>>
    }
}

/// Mounts the app on the page.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
