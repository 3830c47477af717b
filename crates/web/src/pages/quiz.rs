//! A quiz: one question at a time with feedback right away, then the score and every wrong
//! answer with its explanations. Answers are saved, so a reload resumes where the learner was.

use serde::Serialize;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::loading::Waiting;
use crate::components::question::{static_question, QuestionCard};
use crate::content::{self, use_content, Loaded};
use crate::pages::not_found::NotFound;
use crate::state::{fresh_seed, today, Action, SavedHandle};
use interleave_core::learning::grading::{grade, Answer, QuizResult};
use interleave_ui::text::inline_code;

#[derive(Serialize)]
struct Finished<'a> {
    quiz: &'a str,
    answered: usize,
    correct: usize,
}

#[derive(Properties, PartialEq)]
pub(crate) struct QuizPageProps {
    pub id: String,
}

#[function_component]
pub(crate) fn QuizPage(props: &QuizPageProps) -> Html {
    let loaded = use_content(Route::Quiz { id: props.id.clone() }.needs());
    let saved = use_context::<SavedHandle>().expect("saved state is provided by the app");
    let showing = use_state(|| None::<usize>);
    // The attempt's shuffle seed: the saved one, else a new one, saved at once. Drawn only once
    // the record is read (the first render is the server's, and shows the questions as text).
    let new_seed = use_mut_ref(|| None::<u64>);
    let seed = saved.record.attempt_seed(&props.id).unwrap_or_else(|| if saved.loaded { *new_seed.borrow_mut().get_or_insert_with(fresh_seed) } else { 0 });
    {
        let (saved, quiz, known) = (saved.clone(), props.id.clone(), content::quiz(&props.id).is_some());
        use_effect_with((props.id.clone(), seed, saved.loaded, known), move |_| {
            if known && saved.loaded && saved.record.attempt_seed(&quiz).is_none() {
                saved.dispatch(Action::StartAttempt { quiz, seed });
            }
        });
    }
    {
        let showing = showing.clone();
        use_effect_with(props.id.clone(), move |id| {
            showing.set(None);
            Route::Quiz { id: id.clone() }.show_title();
        });
    }
    let Some(quiz) = content::quiz(&props.id) else {
        return match loaded {
            Loaded::Ready => html! { <NotFound /> },
            other => html! { <Waiting what="This quiz" loaded={other} /> },
        };
    };
    let questions = content::questions_of(&props.id);
    let title = if quiz.is_final() { "Final test".to_string() } else { format!("Quiz: {}", quiz.title) };
    let eyebrow = html! {
        <p class="eyebrow">
            if quiz.is_final() { { "All lessons" } } else {
                <Link<Route> to={Route::Lesson { slug: quiz.lesson.clone() }}>{ format!("Lesson: {}", quiz.title) }</Link<Route>>
            }
        </p>
    };
    if !saved.loaded {
        return html! {
            <div class="page quiz-page">
                { eyebrow }
                <h1>{ title }</h1>
                <section class="widget quiz" data-widget="quiz" data-state="waiting" aria-label="Quiz">
                    <p class="quiz-progress">{ format!("{} questions", questions.len()) }</p>
                    { for questions.iter().enumerate().map(|(i, q)| static_question(q, &format!("Question {} of {}", i + 1, questions.len()))) }
                </section>
            </div>
        };
    }
    let answers = &saved.record.answers;
    let first_open = questions.iter().position(|q| !answers.contains_key(&q.id));
    // Which question is on screen: the one the learner moved to, else the first unanswered.
    let current = showing.or(first_open);
    let answered = questions.iter().filter(|q| answers.contains_key(&q.id)).count();
    let correct = questions.iter().filter(|q| answers.get(&q.id).is_some_and(|a| a.correct)).count();
    let finished = first_open.is_none();

    let on_answer = {
        let (saved, showing) = (saved.clone(), showing.clone());
        let current_id = current.map(|i| (i, questions[i].id.clone()));
        Callback::from(move |(picked, correct): (std::collections::BTreeSet<String>, bool)| {
            if let Some((i, id)) = current_id.clone() {
                // Stay on this question to show its explanations until the learner moves on.
                showing.set(Some(i));
                saved.dispatch(Action::Answer { id, picked, correct, today: today() });
            }
        })
    };
    let go = |to: Option<usize>| {
        let showing = showing.clone();
        Callback::from(move |_| showing.set(to))
    };
    let again = {
        let (saved, showing, quiz) = (saved.clone(), showing.clone(), props.id.clone());
        Callback::from(move |_| {
            let ids = questions.iter().map(|q| q.id.clone()).collect();
            saved.dispatch(Action::Retake { quiz: quiz.clone(), questions: ids, seed: fresh_seed() });
            showing.set(None);
        })
    };

    let result = finished.then(|| {
        AttrValue::from(serde_json::to_string(&Finished { quiz: &quiz.lesson, answered, correct }).unwrap_or_default())
    });
    let state = if finished { "done" } else if answered > 0 { "running" } else { "idle" };
    // The score, with every mistake explained, once the last question is answered and left.
    let score_shown = finished && current.is_none();
    let mistakes = if score_shown {
        let mut r = QuizResult::new(quiz);
        for q in questions {
            if let Some(a) = answers.get(&q.id) {
                r.record(q, &grade(q, &Answer { picked: q.indices_of(&a.picked) }, &q.key()));
            }
        }
        r.mistakes
    } else {
        Vec::new()
    };

    html! {
        <div class="page quiz-page">
            { eyebrow }
            <h1>{ title }</h1>
            <section class="widget quiz" data-widget="quiz" data-state={state} data-result={result} aria-label="Quiz">
                <div class="quiz-progress">
                    <span>{ format!("{answered} of {} answered · {correct} right", questions.len()) }</span>
                    <ol class="dots" aria-label="Questions">
                        { for questions.iter().enumerate().map(|(i, q)| {
                            let class = match answers.get(&q.id) { Some(a) if a.correct => "right", Some(_) => "wrong", None => "open" };
                            html! {
                                <li>
                                    <button type="button" class={classes!("dot", class, (current == Some(i)).then_some("current"))}
                                            onclick={go(Some(i))} aria-label={format!("Question {} ({})", i + 1, class)}>{ i + 1 }</button>
                                </li>
                            }
                        }) }
                    </ol>
                </div>
                if let Some(i) = current {
                    <QuestionCard question={questions[i]} {seed} answered={answers.get(&questions[i].id).map(|a| a.picked.clone())}
                                  on_answer={on_answer} counter={AttrValue::from(format!("Question {} of {}", i + 1, questions.len()))} />
                    <div class="controls quiz-nav">
                        <button type="button" onclick={go(i.checked_sub(1))} disabled={i == 0}>{ "Previous" }</button>
                        if answers.contains_key(&questions[i].id) {
                            if i + 1 < questions.len() {
                                <button type="button" class="primary" onclick={go(Some(i + 1))}>{ "Next question" }</button>
                            } else {
                                <button type="button" class="primary" onclick={go(None)}>{ "See my score" }</button>
                            }
                        }
                    </div>
                }
                if score_shown {
                    <div class="score" data-testid="score">
                        <h2>{ format!("You scored {correct} of {}", questions.len()) }</h2>
                        if mistakes.is_empty() {
                            <p>{ "Every answer right." }</p>
                        } else {
                            <p>{ "Read these again; they come back on the Review page until you get them right." }</p>
                            <ol class="mistakes">
                                { for mistakes.iter().map(|m| html! {
                                    <li>
                                        <p class="prompt">{ inline_code(&m.prompt) }</p>
                                        <ul>
                                            { for m.notes.iter().map(|n| html! {
                                                <li>
                                                    <strong>{ if n.picked { "You picked: " } else { "You missed: " } }</strong>
                                                    { inline_code(&n.option) }{ " — " }{ inline_code(&n.explain) }
                                                </li>
                                            }) }
                                        </ul>
                                    </li>
                                }) }
                            </ol>
                        }
                        <div class="controls">
                            <button type="button" onclick={again}>{ "Take it again" }</button>
                            <Link<Route> to={Route::Review} classes="button-link">{ "Go to review" }</Link<Route>>
                        </div>
                    </div>
                }
            </section>
        </div>
    }
}
