//! The home page: what Interleave is, the lesson map, and a first experiment.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::prime_count::PrimeCountLab;
use crate::content::LESSONS;

#[function_component]
pub(crate) fn Home() -> Html {
    use_effect_with((), |_| gloo::utils::document().set_title("Interleave: concurrency vs parallelism, live"));
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
                <h2 id="map-title">{ "Lessons" }</h2>
                <ol class="lesson-map">
                    { for LESSONS.iter().map(|l| html! {
                        <li class="lesson-card">
                            <span class="lesson-number" aria-hidden="true">{ l.order }</span>
                            <div>
                                <h3><Link<Route> to={Route::Lesson { slug: l.slug.to_string() }}>{ l.title }</Link<Route>></h3>
                                <p>{ l.summary }</p>
                            </div>
                        </li>
                    }) }
                </ol>
            </section>
            <PrimeCountLab />
        </div>
    }
}
