//! A lesson: objectives, the body with its live widgets, and links to the lessons around it.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::prime_count::PrimeCountLab;
use crate::components::widget::ComingSoon;
use crate::content::{self, Block};
use crate::pages::not_found::NotFound;

/// The view of a widget embedded by name.
fn widget(name: &'static str) -> Html {
    match name {
        "prime-count" => html! { <PrimeCountLab /> },
        other => html! { <ComingSoon name={other} /> },
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct LessonPageProps {
    pub slug: String,
}

#[function_component]
pub(crate) fn LessonPage(props: &LessonPageProps) -> Html {
    let lesson = content::lesson(&props.slug);
    {
        let title = lesson.map(|l| l.title);
        use_effect_with(props.slug.clone(), move |_| {
            if let Some(title) = title {
                gloo::utils::document().set_title(&format!("{title} · Interleave"));
            }
        });
    }
    let Some(lesson) = lesson else {
        return html! { <NotFound /> };
    };
    let (prev, next) = content::neighbours(lesson.slug);
    html! {
        <article class="page lesson" data-lesson={lesson.slug}>
            <p class="eyebrow">{ format!("Lesson {}", lesson.order) }</p>
            <h1>{ lesson.title }</h1>
            <section class="objectives" aria-labelledby="objectives-title">
                <h2 id="objectives-title">{ "You will learn to" }</h2>
                <ul>{ for lesson.objectives.iter().map(|o| html! { <li>{ *o }</li> }) }</ul>
            </section>
            <div class="prose">
                { for lesson.blocks.iter().map(|b| match b {
                    Block::Html(h) => Html::from_html_unchecked(AttrValue::from(*h)),
                    Block::Widget(name) => widget(name),
                }) }
            </div>
            <nav class="prev-next" aria-label="Lessons">
                if let Some(p) = prev {
                    <Link<Route> to={Route::Lesson { slug: p.slug.to_string() }} classes="prev">
                        <span>{ "Previous" }</span>{ p.title }
                    </Link<Route>>
                }
                if let Some(n) = next {
                    <Link<Route> to={Route::Lesson { slug: n.slug.to_string() }} classes="next">
                        <span>{ "Next" }</span>{ n.title }
                    </Link<Route>>
                }
            </nav>
        </article>
    }
}
