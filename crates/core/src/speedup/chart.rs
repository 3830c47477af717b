//! The speedup chart's geometry: each run's speedup against its thread count, the medians
//! joined, the ideal line and Amdahl's curve for the fitted serial fraction, in the coordinates
//! of a [`SpeedupChart::WIDTH`] × [`SpeedupChart::HEIGHT`] view box.

use crate::speedup::amdahl::amdahl_speedup;
use crate::speedup::Session;

/// What the page draws, already placed.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeedupChart {
    /// The thread counts labelled on the x axis: x and label.
    pub x_ticks: Vec<(f64, String)>,
    /// The speedups with a grid line: y and label (`2×`).
    pub y_ticks: Vec<(f64, String)>,
    /// The ideal line, n× at n threads: `(x1, y1, x2, y2)`.
    pub ideal: (f64, f64, f64, f64),
    /// Amdahl's curve as polyline points, once a serial fraction is fitted.
    pub amdahl: Option<String>,
    /// The medians joined, as polyline points.
    pub measured: String,
    /// A dot per run with a speedup: x, y.
    pub dots: Vec<(f64, f64)>,
    /// What the chart shows, in words (its accessible name).
    pub label: String,
}

impl SpeedupChart {
    /// View box width.
    pub const WIDTH: f64 = 480.0;
    /// View box height.
    pub const HEIGHT: f64 = 300.0;
    /// The plot's left edge.
    pub const LEFT: f64 = 50.0;
    /// The plot's right edge.
    pub const RIGHT: f64 = 466.0;
    /// The plot's top edge.
    pub const TOP: f64 = 14.0;
    /// The plot's bottom edge (the threads axis).
    pub const BOTTOM: f64 = 258.0;

    /// The chart of `session`'s runs; the threads axis goes at least to `max_threads`.
    pub fn new(session: &Session, max_threads: usize) -> Self {
        let (left, right, top, bottom) = (Self::LEFT, Self::RIGHT, Self::TOP, Self::BOTTOM);
        let speedups = session.speedups();
        let medians = session.medians();
        let xmax = session.runs().iter().map(|r| r.threads).chain([max_threads, 2]).max().unwrap_or(2) as f64;
        let top_speedup = speedups.iter().copied().filter(|s| s.is_finite()).fold(xmax, f64::max);
        let ymax = top_speedup.ceil().max(2.0);
        let x = |n: f64| left + (n - 1.0) / (xmax - 1.0) * (right - left);
        let y = |v: f64| bottom - v.clamp(0.0, ymax) / ymax * (bottom - top);
        let step = |max: f64| if max <= 10.0 { 1.0 } else { (max / 8.0).ceil() };
        let serial = session.serial_fraction();
        let x_ticks = std::iter::successors(Some(1.0), |&n| Some(n + step(xmax)))
            .take_while(|&n| n <= xmax)
            .map(|n: f64| (x(n), n.to_string()))
            .collect();
        let y_ticks = std::iter::successors(Some(0.0), |&v| Some(v + step(ymax)))
            .take_while(|&v| v <= ymax)
            .map(|v: f64| (y(v), format!("{v}×")))
            .collect();
        let amdahl = serial.map(|s| {
            let points: Vec<String> = (0..=100)
                .map(|i| 1.0 + (xmax - 1.0) * f64::from(i) / 100.0)
                .map(|n| format!("{:.1},{:.1}", x(n), y(amdahl_speedup(s, n))))
                .collect();
            points.join(" ")
        });
        let measured: Vec<String> = medians.iter().map(|&(n, s)| format!("{:.1},{:.1}", x(n as f64), y(s))).collect();
        let label = {
            let at: Vec<String> =
                medians.iter().map(|&(n, s)| format!("{s:.2}× at {n} thread{}", if n == 1 { "" } else { "s" })).collect();
            let fit = serial.map_or(String::new(), |s| format!(" Amdahl curve for a serial fraction of {:.1}%.", s * 100.0));
            format!("Chart of speedup against threads. Measured: {}. The ideal is n× at n threads.{fit}", at.join(", "))
        };
        let dots = session
            .runs()
            .iter()
            .zip(&speedups)
            .filter(|(_, s)| s.is_finite())
            .map(|(r, &s)| (x(r.threads as f64), y(s)))
            .collect();
        SpeedupChart { x_ticks, y_ticks, ideal: (x(1.0), y(1.0), x(xmax), y(xmax)), amdahl, measured: measured.join(" "), dots, label }
    }
}
