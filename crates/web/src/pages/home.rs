//! The home page: what Interleave is, the lesson map, and a first experiment.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::live::Live;
use interleave_core::learning::lesson::Widget;
use crate::content;
use crate::state::SavedHandle;

#[function_component]
pub(crate) fn Home() -> Html {
    use_effect_with((), |_| Route::Home.show_title());
    let saved = use_context::<SavedHandle>().expect("saved state is provided by the app");
    let read_count = content::catalog().lessons.iter().filter(|l| saved.record.lessons_read.contains(&l.slug)).count();
    html! {
        <div class="page home">
            <section class="hero">
                <h1>{ "Concurrency is not parallelism." }<br/><span>{ "See the difference on your own CPU." }</span></h1>
                <p class="lead">{ "Interleave teaches how programs juggle many tasks and how they run many at once. \
                    Read a short lesson, then prove it to yourself: an event loop interleaving hundreds of tasks on one \
                    thread, real work spread over every core of this machine, a counter losing updates between threads, \
                    every interleaving of a tiny program counted exactly." }</p>
            </section>
            <section aria-labelledby="map-title">
                <div class="map-head">
                    <h2 id="map-title">{ "Lessons" }</h2>
                    <p class="map-progress" data-testid="read-count">{ if saved.loaded { format!("{read_count} of {} read", content::catalog().lessons.len()) } else { format!("{} lessons", content::catalog().lessons.len()) } }</p>
                </div>
                <ol class="lesson-map">
                    { for content::catalog().lessons.iter().map(|l| {
                        let read = saved.record.lessons_read.contains(&l.slug);
                        html! {
                            <li class={classes!("lesson-card", read.then_some("read"))} data-read={read.to_string()}>
                                <span class="lesson-number" aria-hidden="true">{ if read { "✓".to_string() } else { l.order.to_string() } }</span>
                                <div>
                                    <h3><Link<Route> to={Route::Lesson { slug: l.slug.to_string() }}>{ l.title.as_str() }</Link<Route>></h3>
                                    <p>{ l.summary.as_str() }</p>
                                    <p class="card-status">{ match (saved.loaded, read) { (false, _) => "\u{a0}", (true, true) => "Read", (true, false) => "Not read yet" } }</p>
                                </div>
                            </li>
                        }
                    }) }
                </ol>
                <p class="map-after">
                    <Link<Route> to={Route::Quiz { id: "final".into() }} classes="button-link">{ "Take the final test" }</Link<Route>>
                    <Link<Route> to={Route::Review} classes="button-link">{ "Review what you missed" }</Link<Route>>
                </p>
            </section>
            <Live widget={Widget::PrimeCount} />
        </div>
    }
}
