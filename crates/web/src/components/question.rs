//! One quiz question: its prompt, its options as a form (in the attempt's shuffled order), and
//! every option's explanation once answered. Used by the quizzes and by the review.

use std::collections::BTreeSet;

use yew::prelude::*;

use interleave_core::learning::grading::{grade, Answer};
use interleave_core::learning::quiz::{display_order, Kind, Question};
use interleave_ui::text::inline_code;

#[derive(Properties, PartialEq)]
pub(crate) struct QuestionCardProps {
    pub question: &'static Question,
    /// The seed of the attempt: the options are shown in `display_order(question, seed)`.
    pub seed: u64,
    /// The saved answer (option ids), when the question was answered.
    #[prop_or_default]
    pub answered: Option<BTreeSet<String>>,
    /// Called with the ids of the picked options and whether they are right.
    pub on_answer: Callback<(BTreeSet<String>, bool)>,
    /// Shown above the prompt, e.g. "Question 3 of 13".
    #[prop_or_default]
    pub counter: Option<AttrValue>,
}


#[function_component]
pub(crate) fn QuestionCard(props: &QuestionCardProps) -> Html {
    let q = props.question;
    let picked = use_state(BTreeSet::<usize>::new);
    {
        let picked = picked.clone();
        use_effect_with(q.id.clone(), move |_| picked.set(BTreeSet::new()));
    }
    let multi = matches!(q.kind, Kind::Multiple | Kind::Possible);
    // The right options (for `possible` questions, computed by the explorer when the site was built).
    let key = q.key();
    let name = format!("q-{}", q.id);
    let toggle = |i: usize| {
        let picked = picked.clone();
        Callback::from(move |_| {
            let mut p = if multi { (*picked).clone() } else { BTreeSet::new() };
            if multi && p.contains(&i) {
                p.remove(&i);
            } else {
                p.insert(i);
            }
            picked.set(p);
        })
    };
    let submit = {
        let (picked, on_answer, key) = (picked.clone(), props.on_answer.clone(), key.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if picked.is_empty() {
                return;
            }
            let graded = grade(q, &Answer { picked: (*picked).clone() }, &key);
            on_answer.emit((q.ids_of(&picked), graded.correct));
        })
    };
    let hint = match q.kind {
        Kind::Single => "Pick one answer.",
        Kind::Scenario => "Pick the approach that fits this workload best.",
        Kind::Multiple => "Pick every answer that is true.",
        Kind::Possible => "Pick every final value that is possible in some interleaving.",
    };
    let answered = props.answered.as_ref().map(|ids| q.indices_of(ids));
    let verdict = answered.as_ref().map(|a| grade(q, &Answer { picked: a.clone() }, &key));
    html! {
        <form class="question" onsubmit={submit} data-question={q.id.clone()}>
            <fieldset disabled={verdict.is_some()}>
                <legend>
                    if let Some(c) = &props.counter { <span class="counter">{ c.clone() }</span> }
                    <span class="prompt">{ inline_code(&q.prompt) }</span>
                </legend>
                if let Some(snippet) = &q.snippet {
                    <pre class="code" tabindex="0" data-lang={snippet.language.clone()}><code>{ snippet.code.clone() }</code></pre>
                }
                if let Some(program) = &q.program {
                    <pre class="code" tabindex="0" aria-label="Thread program"><code>{ program.source.clone() }</code></pre>
                }
                <p class="help">{ hint }</p>
                <ul class="options">
                    { for display_order(q, props.seed).into_iter().enumerate().map(|(place, i)| {
                        let o = &q.options[i];
                        let chosen = answered.as_ref().map_or(picked.contains(&i), |a| a.contains(&i));
                        let mark = verdict.as_ref().map(|_| {
                            match (key.contains(&i), chosen) {
                                (true, true) => ("right", "✓ right"),
                                (true, false) => ("missed", "✓ a right answer you missed"),
                                (false, true) => ("wrong", "✗ wrong"),
                                (false, false) => ("other", ""),
                            }
                        });
                        // Named by place on screen: the option's id would tell the file's order.
                        let id = format!("{name}-{place}");
                        html! {
                            <li class={classes!(mark.map(|m| m.0))}>
                                <label for={id.clone()}>
                                    <input type={if multi { "checkbox" } else { "radio" }} id={id} name={name.clone()}
                                           checked={chosen} onchange={toggle(i)} />
                                    <span>{ inline_code(&o.text) }</span>
                                </label>
                                if let Some((_, label)) = mark {
                                    <p class="explain">
                                        if !label.is_empty() { <strong>{ label }{ ": " }</strong> }
                                        { inline_code(&o.explain) }
                                    </p>
                                }
                            </li>
                        }
                    }) }
                </ul>
            </fieldset>
            if let Some(v) = &verdict {
                <p class={classes!("verdict", if v.correct { "outcome" } else { "refusal" })} role="status" data-testid="verdict">
                    { if v.correct { "Right!" } else { "Not quite: the explanations above say why." } }
                </p>
            } else {
                <button type="submit" class="primary" disabled={picked.is_empty()}>{ "Check answer" }</button>
            }
        </form>
    }
}

/// A question as text only: what the server renders, readable without JavaScript (nothing can be
/// picked or checked there), in one fixed order.
pub(crate) fn static_question(q: &Question, counter: &str) -> Html {
    html! {
        <div class="question static" data-question={q.id.clone()}>
            <p class="prompt"><span class="counter">{ counter }</span>{ inline_code(&q.prompt) }</p>
            if let Some(snippet) = &q.snippet {
                <pre class="code" tabindex="0" data-lang={snippet.language.clone()}><code>{ snippet.code.clone() }</code></pre>
            }
            if let Some(program) = &q.program {
                <pre class="code" tabindex="0" aria-label="Thread program"><code>{ program.source.clone() }</code></pre>
            }
            <ul class="options">
                { for display_order(q, 0).into_iter().map(|i| html! { <li>{ inline_code(&q.options[i].text) }</li> }) }
            </ul>
        </div>
    }
}
