//! The frame every widget renders in: the `data-widget`, `data-state`, `data-result` contract.

use yew::prelude::*;

pub(crate) use interleave_core::learning::lesson::Widget;

/// Where a widget run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunState {
    /// The page is not live yet: the frame only (see `components::live`).
    Waiting,
    Idle,
    Running,
    Done,
    Error,
}

impl RunState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RunState::Waiting => "waiting",
            RunState::Idle => "idle",
            RunState::Running => "running",
            RunState::Done => "done",
            RunState::Error => "error",
        }
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct WidgetFrameProps {
    /// Which widget: its `data-widget` name and its title.
    pub widget: Widget,
    pub state: RunState,
    /// The last run's figures, as JSON.
    #[prop_or_default]
    pub result: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

#[function_component]
pub(crate) fn WidgetFrame(props: &WidgetFrameProps) -> Html {
    html! {
        <section class="widget" data-widget={props.widget.name()} data-state={props.state.as_str()}
                 data-result={props.result.clone()} aria-label={props.widget.title()}>
            <h2 class="widget-title">{ props.widget.title() }</h2>
            { props.children.clone() }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct ProgressBarProps {
    /// Finished share, 0.0 to 1.0.
    pub fraction: f64,
    pub label: AttrValue,
}

/// An accessible progress bar.
#[function_component]
pub(crate) fn ProgressBar(props: &ProgressBarProps) -> Html {
    let pct = (props.fraction.clamp(0.0, 1.0) * 100.0).round();
    html! {
        <div class="progress" role="progressbar" aria-label={props.label.clone()}
             aria-valuemin="0" aria-valuemax="100" aria-valuenow={pct.to_string()}>
            <div class="progress-fill" style={format!("width: {pct}%")}></div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct RunButtonsProps {
    /// The submit button's text ("Run", "Run the sweep").
    #[prop_or(AttrValue::Static("Run"))]
    pub label: AttrValue,
    /// Whether a run is under way (the run button is then disabled and Cancel enabled).
    pub running: bool,
    /// Whether a run may start (for example, the pool has settled).
    #[prop_or(true)]
    pub ready: bool,
    pub on_cancel: Callback<MouseEvent>,
}

/// A form's Run (submit) and Cancel buttons, as every experiment has them.
#[function_component]
pub(crate) fn RunButtons(props: &RunButtonsProps) -> Html {
    html! {
        <div class="buttons">
            <button type="submit" class="primary" disabled={props.running || !props.ready}>{ props.label.clone() }</button>
            <button type="button" onclick={props.on_cancel.clone()} disabled={!props.running}>{ "Cancel" }</button>
        </div>
    }
}
