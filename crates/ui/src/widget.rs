//! The frame every widget renders in: the `data-widget`, `data-state`, `data-result` contract.

use yew::prelude::*;

pub use interleave_core::learning::lesson::Widget;

/// The event the lab sends a widget's element when the learner solves a challenge (`detail`: its
/// id); the reader records it in the saved progress.
pub const CHALLENGE_SOLVED: &str = "interleave:challenge-solved";

/// Whether the lab module draws `widget`. The reader draws the three others itself: they need no
/// thread, so a page with only those never fetches the lab.
pub fn drawn_by_lab(widget: Widget) -> bool {
    !matches!(widget, Widget::Barista | Widget::EventLoop | Widget::EventLoopStepper)
}

/// Where a widget run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// The page is not live yet: the frame only (the reader's `components::live`).
    Waiting,
    /// Ready for a run.
    Idle,
    /// A run is under way.
    Running,
    /// The last run finished with an outcome.
    Done,
    /// The last run failed or was cancelled.
    Error,
}

impl RunState {
    /// Its `data-state` name.
    pub fn as_str(self) -> &'static str {
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
/// The frame's properties.
pub struct WidgetFrameProps {
    /// Which widget: its `data-widget` name and its title.
    pub widget: Widget,
    /// Where its run stands (`data-state`).
    pub state: RunState,
    /// The last run's figures, as JSON.
    #[prop_or_default]
    pub result: Option<AttrValue>,
    #[prop_or_default]
    /// The widget's body.
    pub children: Html,
}

/// A widget's frame: its section, its `data-*` contract and its title.
#[function_component]
#[allow(missing_docs)]
pub fn WidgetFrame(props: &WidgetFrameProps) -> Html {
    html! {
        <section class="widget" data-widget={props.widget.name()} data-state={props.state.as_str()}
                 data-result={props.result.clone()} aria-label={props.widget.title()}>
            <h2 class="widget-title">{ props.widget.title() }</h2>
            { props.children.clone() }
        </section>
    }
}

#[derive(Properties, PartialEq)]
/// A progress bar's properties.
pub struct ProgressBarProps {
    /// Finished share, 0.0 to 1.0.
    pub fraction: f64,
    /// Its accessible name.
    pub label: AttrValue,
}

/// An accessible progress bar.
#[function_component]
#[allow(missing_docs)]
pub fn ProgressBar(props: &ProgressBarProps) -> Html {
    let pct = (props.fraction.clamp(0.0, 1.0) * 100.0).round();
    html! {
        <div class="progress" role="progressbar" aria-label={props.label.clone()}
             aria-valuemin="0" aria-valuemax="100" aria-valuenow={pct.to_string()}>
            <div class="progress-fill" style={format!("width: {pct}%")}></div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
/// The Run and Cancel buttons' properties.
pub struct RunButtonsProps {
    /// The submit button's text ("Run", "Run the sweep").
    #[prop_or(AttrValue::Static("Run"))]
    pub label: AttrValue,
    /// Whether a run is under way (the run button is then disabled and Cancel enabled).
    pub running: bool,
    /// Whether a run may start (for example, the pool has settled).
    #[prop_or(true)]
    pub ready: bool,
    /// Cancels the run.
    pub on_cancel: Callback<MouseEvent>,
}

/// A form's Run (submit) and Cancel buttons, as every experiment has them.
#[function_component]
#[allow(missing_docs)]
pub fn RunButtons(props: &RunButtonsProps) -> Html {
    html! {
        <div class="buttons">
            <button type="submit" class="primary" disabled={props.running || !props.ready}>{ props.label.clone() }</button>
            <button type="button" onclick={props.on_cancel.clone()} disabled={!props.running}>{ "Cancel" }</button>
        </div>
    }
}
