//! The lesson model: what the content step makes of a `lessons/*.md` file, and what the views show.
//!
//! Implementation note: lessons are checked and rendered to HTML once, when the site is built
//! (`crates/content`), and reach the app as this plain serde data; the browser never parses
//! Markdown and never meets a broken lesson. The widgets a lesson may embed are the
//! [`Widget`] enum: one list, shared by the content check and the lesson view.

use serde::{Deserialize, Serialize};

/// Every live widget a lesson can embed with `{{#widget name}}`. Each has an engine module in
/// this crate and a view in `crates/lab/src/widgets/`, both named as its [`Widget::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Widget {
    /// The café: sequential, concurrent and parallel baristas.
    Barista,
    /// Real futures and timers on the page's one thread.
    EventLoop,
    /// A JavaScript program stepped through the call stack and the queues.
    EventLoopStepper,
    /// One CPU-bound job run three ways, with the frame gaps of each.
    Responsiveness,
    /// One kernel at 1, 2, … k threads, against Amdahl's law.
    Speedup,
    /// The same work cut into tasks of different sizes.
    Granularity,
    /// k threads incrementing one counter in five ways.
    Race,
    /// A pipeline over bounded channels, and a bank account run as an actor.
    Channels,
    /// The interleaving explorer (its argument names a built-in program).
    Explorer,
    /// Primes counted on every core, with progress and cancel.
    PrimeCount,
    /// Threads incrementing their own counters, packed in one cache line or padded apart.
    FalseSharing,
    /// One kernel scalar, in four SIMD lanes, on threads, and on threads × lanes.
    Simd,
    /// One kernel as a WebGPU compute shader and on one CPU thread, the answers compared.
    Gpu,
}

impl Widget {
    /// Every widget.
    pub const ALL: [Widget; 13] = [
        Widget::Barista,
        Widget::EventLoop,
        Widget::EventLoopStepper,
        Widget::Responsiveness,
        Widget::Speedup,
        Widget::Granularity,
        Widget::Race,
        Widget::Channels,
        Widget::Explorer,
        Widget::PrimeCount,
        Widget::FalseSharing,
        Widget::Simd,
        Widget::Gpu,
    ];

    /// The name used in lessons and as the widget's `data-widget`.
    pub fn name(self) -> &'static str {
        match self {
            Widget::Barista => "barista",
            Widget::EventLoop => "event-loop",
            Widget::EventLoopStepper => "event-loop-stepper",
            Widget::Responsiveness => "responsiveness",
            Widget::Speedup => "speedup",
            Widget::Granularity => "granularity",
            Widget::Race => "race",
            Widget::Channels => "channels",
            Widget::Explorer => "explorer",
            Widget::PrimeCount => "prime-count",
            Widget::FalseSharing => "false-sharing",
            Widget::Simd => "simd",
            Widget::Gpu => "gpu",
        }
    }

    /// The title its frame shows.
    pub fn title(self) -> &'static str {
        match self {
            Widget::Barista => "The café: one order at a time, interleaved, in parallel",
            Widget::EventLoop => "Event-loop lab: many tasks, one thread",
            Widget::EventLoopStepper => "Event-loop stepper",
            Widget::Responsiveness => "Responsiveness meter",
            Widget::Speedup => "Speedup lab: the same work on 1, 2, … k threads",
            Widget::Granularity => "Granularity explorer: how big should a task be?",
            Widget::Race => "Race lab: one counter, many threads",
            Widget::Channels => "Channels: a pipeline with bounded queues",
            Widget::Explorer => "Interleaving explorer",
            Widget::PrimeCount => "Count primes on every core",
            Widget::FalseSharing => "False sharing: own counters, one cache line",
            Widget::Simd => "SIMD lanes: one kernel four ways",
            Widget::Gpu => "The GPU: one kernel on thousands of lanes",
        }
    }

    /// What it does, in one sentence: shown in its frame until it is ready to run.
    pub fn summary(self) -> &'static str {
        match self {
            Widget::Barista => "An animation of three coffee orders made by one barista in turn, by one barista who starts the next order while the machine runs, and by three baristas.",
            Widget::EventLoop => "Runs many tasks on this page's one thread, each waiting on a real timer and then computing for a while, awaited one after another or all together, and draws when each one waited and ran.",
            Widget::EventLoopStepper => "Steps a short JavaScript program through the call stack, the microtask queue, the task queue and the timers, one move at a time.",
            Widget::Responsiveness => "Runs the same CPU-bound job on the page's thread, in slices, and on a worker pool, and measures how long the page went without painting.",
            Widget::Speedup => "Runs one kernel (a Mandelbrot set, a prime count or a box blur) on 1, 2, … k threads of this machine and fits Amdahl's law to the times.",
            Widget::Granularity => "Cuts the same work into tasks of different sizes and times each size, on the worker pool or on one thread.",
            Widget::Race => "Has several threads add 1 to one counter in five ways: racy read-then-write, an atomic add, a mutex, local counts combined at the end, and messages to one owner.",
            Widget::Channels => "Runs a pipeline of stages joined by bounded channels, and a bank account kept by one actor that answers messages.",
            Widget::Explorer => "Runs a small program of threads in every possible interleaving and counts the outcomes exactly; you can also be the scheduler.",
            Widget::PrimeCount => "Counts the primes below a limit on every core of this machine, with progress and a cancel button.",
            Widget::FalseSharing => "Has each thread add 1 to a counter of its own, again and again, with the counters packed side by side in one cache line and then padded 128 bytes apart, and times both.",
            Widget::Simd => "Computes one Mandelbrot picture four ways, one pixel at a time, four pixels at a time in SIMD lanes, on several threads, and on threads with lanes, checks that all four agree, and times them.",
            Widget::Gpu => "Computes a grid of Mandelbrot escape counts as a WebGPU compute shader, where this browser has a GPU, and on one CPU thread, times both (the GPU's including the copy back) and checks that the answers match.",
        }
    }

    /// The widget with this name.
    pub fn from_name(name: &str) -> Option<Widget> {
        Widget::ALL.into_iter().find(|w| w.name() == name)
    }
}

/// One piece of a lesson body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    /// Rendered HTML (no raw HTML from the source is ever passed through).
    Html(String),
    /// A live widget, with the directive's optional argument (e.g. the program an explorer loads).
    Widget {
        /// Which widget.
        widget: Widget,
        /// What follows the name in the directive, if anything.
        arg: Option<String>,
    },
}

/// A section heading, with the anchor it gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// 2 for `##`, 3 for `###`, …
    pub level: u8,
    /// The anchor id (`#id`).
    pub id: String,
    /// The heading's text.
    pub text: String,
}

/// The text under one `##` heading (the first has an empty id: the text before any heading),
/// used by search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading's anchor id.
    pub id: String,
    /// The heading's text.
    pub heading: String,
    /// Plain text of the section.
    pub text: String,
}

/// A validated lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    /// Where it came from.
    pub file: String,
    /// Page title.
    pub title: String,
    /// URL slug: `/lessons/<slug>`.
    pub slug: String,
    /// Position on the lesson map (1-based).
    pub order: u32,
    /// One or two sentences for the lesson map.
    pub summary: String,
    /// Learning objectives.
    pub objectives: Vec<String>,
    /// The body, as HTML pieces and widgets.
    pub blocks: Vec<Block>,
    /// Every heading of the body, in order.
    pub headings: Vec<Heading>,
    /// The body as plain text, cut at its `##` headings (for search and word counts).
    pub sections: Vec<Section>,
}

impl Lesson {
    /// Plain text of the body, headings included.
    pub fn text(&self) -> String {
        self.sections.iter().map(|s| format!("{}\n{}", s.heading, s.text)).collect::<Vec<_>>().join("\n")
    }

    /// Number of words in the body, headings included.
    pub fn word_count(&self) -> usize {
        self.sections.iter().map(|s| s.heading.split_whitespace().count() + s.text.split_whitespace().count()).sum()
    }

    /// The widgets the lesson embeds, in order.
    pub fn widgets(&self) -> Vec<Widget> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Widget { widget, .. } => Some(*widget),
                Block::Html(_) => None,
            })
            .collect()
    }
}
