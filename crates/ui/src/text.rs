//! Text written with `backtick` spans (quiz files, the explorer's challenges), drawn with those
//! spans as inline code.

use yew::prelude::*;

/// `text` with every span between two backticks shown as inline code.
pub fn inline_code(text: &str) -> Html {
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { html! { <code>{ part }</code> } } else { html! { { part } } })
        .collect()
}
