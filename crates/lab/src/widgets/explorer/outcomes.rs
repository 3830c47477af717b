//! A finished exploration's report, as the "Explore all" tab draws it: its figures, and its
//! outcome bars, each with "Show me one", a page of them at a time.

use std::collections::BTreeMap;

use num_bigint::BigUint;
use yew::prelude::*;

use interleave_core::explorer::{value_pairs, values_text, Report, Target, OUTCOMES_PER_PAGE};
use interleave_core::numbers::{group_decimal, group_digits};

/// A count of any size, grouped by thousands.
fn big(n: &BigUint) -> String {
    group_decimal(&n.to_string())
}

/// An outcome's values as [`values_text`] words them, each `name = value` kept on one line.
fn values_html(values: &BTreeMap<String, i64>) -> Html {
    if values.is_empty() {
        return html! { { values_text(values) } };
    }
    value_pairs(values)
        .enumerate()
        .map(|(i, pair)| html! { <>{ if i > 0 { ", " } else { "" } }<span class="pair">{ pair }</span></> })
        .collect()
}

/// The figures and outcome bars of a finished exploration, with the outcomes on page `page`.
pub(super) fn report(r: &Report, page: &UseStateHandle<usize>, show_me: &dyn Fn(Target) -> Callback<MouseEvent>) -> Html {
    let (first, outcomes) = r.outcome_page(**page);
    let bar = |part: &BigUint| {
        let pct = r.share(part) * 100.0;
        html! {
            <>
                <span class="bar" aria-hidden="true"><span style={format!("width: {pct:.2}%")}></span></span>
                <span class="count">{ format!("{} · {}", big(part), r.share_text(part)) }</span>
            </>
        }
    };
    // A figure of many digits takes two columns, so that it stays on one line.
    let figure = |name: &str, text: String| {
        let long = text.len() > 11;
        html! { <div class={classes!(long.then_some("long"))}><dt>{ name.to_string() }</dt><dd>{ text }</dd></div> }
    };
    html! {
        <div class="report">
            if r.unbounded {
                <p class="note">{ "A loop can spin forever here, so there are infinitely many schedules. Below is what can happen at all." }</p>
            } else {
                <dl class="figures">
                    { figure("Schedules", big(&r.schedules)) }
                    { figure("Complete", big(&r.complete)) }
                    { figure("Bad", big(&r.bad)) }
                    { figure("Deadlocked", big(&r.deadlock)) }
                    { figure("Errors", big(&r.error)) }
                    { figure("States visited", group_digits(r.states as u64)) }
                </dl>
            }
            if r.store_buffer_outcomes() > 0 {
                <p class="note" data-testid="weaker-note">
                    { format!(
                        "{} of these {} outcomes {} only possible with store buffers: the same program under sequential consistency (",
                        r.store_buffer_outcomes(),
                        r.outcomes.len(),
                        if r.store_buffer_outcomes() == 1 { "is" } else { "are" }
                    ) }
                    <code>{ "memory sc" }</code>{ ") never ends so." }
                </p>
            }
            if r.outcomes.len() > OUTCOMES_PER_PAGE { { pager(r, first, outcomes.len(), page) } }
            <ul class="outcome-bars">
                { for outcomes.iter().map(|o| html! {
                    <li class={classes!(o.bad.then_some("bad"), o.only_with_store_buffers.then_some("weaker"))}>
                        <span class="label">{ values_html(&o.values) }{ if o.bad { " (bad)" } else { "" } }
                            if o.only_with_store_buffers { <span class="only-tso" data-testid="only-tso">{ " only possible with store buffers" }</span> }
                        </span>
                        if !r.unbounded { { bar(&o.schedules) } }
                        <button type="button" onclick={show_me(Target::Outcome(o.values.clone()))}>{ "Show me one" }</button>
                    </li>
                }) }
                if r.reachable.deadlock {
                    <li class="bad">
                        <span class="label">{ "Deadlock" }</span>
                        if !r.unbounded { { bar(&r.deadlock) } }
                        <button type="button" onclick={show_me(Target::Deadlock)}>{ "Show me one" }</button>
                    </li>
                }
                if r.reachable.error {
                    <li class="bad">
                        <span class="label">{ "Error" }</span>
                        <span class="count">{ big(&r.error) }</span>
                        <button type="button" onclick={show_me(Target::Error)}>{ "Show me one" }</button>
                    </li>
                }
            </ul>
        </div>
    }
}

/// Which outcomes the list shows, of how many, and buttons to the pages before and after.
fn pager(r: &Report, first: usize, shown: usize, page: &UseStateHandle<usize>) -> Html {
    let at = first / OUTCOMES_PER_PAGE;
    let go = |to: usize| {
        let page = page.clone();
        Callback::from(move |_| page.set(to))
    };
    let last = r.outcome_pages() - 1;
    html! {
        <div class="controls pager" data-testid="outcome-pager">
            <button type="button" onclick={go(at.saturating_sub(1))} disabled={at == 0}>{ "Previous" }</button>
            <span role="status">{ format!(
                "Outcomes {}–{} of {}",
                group_digits(first as u64 + 1),
                group_digits((first + shown) as u64),
                group_digits(r.outcomes.len() as u64)
            ) }</span>
            <button type="button" onclick={go((at + 1).min(last))} disabled={at == last}>{ "Next" }</button>
        </div>
    }
}
