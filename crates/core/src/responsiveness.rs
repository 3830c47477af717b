//! The responsiveness meter's logic: job sizes it accepts, how the browser's reports of blocked
//! periods are counted, and the table of tries it keeps.

/// How the meter's CPU-bound job is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// On the main thread, in one go: the page freezes.
    MainThread,
    /// On the main thread in slices that yield to the event loop: smooth, no faster.
    Sliced,
    /// On the worker pool: smooth and faster.
    Pool,
}

impl RunMode {
    /// Every mode, in the order the page offers them.
    pub const ALL: [RunMode; 3] = [RunMode::MainThread, RunMode::Sliced, RunMode::Pool];

    /// The name used in results.
    pub fn as_str(self) -> &'static str {
        match self {
            RunMode::MainThread => "main-thread",
            RunMode::Sliced => "sliced",
            RunMode::Pool => "pool",
        }
    }

    /// How the page names the mode.
    pub fn label(self) -> &'static str {
        match self {
            RunMode::MainThread => "Main thread, in one go",
            RunMode::Sliced => "Main thread, in slices",
            RunMode::Pool => "Worker pool",
        }
    }
}

/// Largest job: counting primes below this freezes a phone for a few seconds in one go.
pub const MAX_LIMIT: u64 = 20_000_000;
/// Smallest job worth measuring.
pub const MIN_LIMIT: u64 = 100_000;

/// Reads the job size, refusing sizes that are too small to measure or would freeze too long.
pub fn parse_limit(text: &str) -> Result<u64, String> {
    let n = crate::numbers::read_whole(text)?;
    if n < MIN_LIMIT {
        return Err(format!("Use at least {MIN_LIMIT}: smaller jobs finish before a frame is missed."));
    }
    if n > MAX_LIMIT {
        return Err(format!(
            "At most {MAX_LIMIT}: in one go a larger job would freeze this page for many seconds."
        ));
    }
    Ok(n)
}

/// One try, as shown in the table and published as `data-result`.
#[derive(Debug, Clone, PartialEq)]
pub struct Try {
    /// How the job ran.
    pub mode: RunMode,
    /// Wall time of the job.
    pub wall_ms: f64,
    /// Longest gap between two animation frames during the job.
    pub max_frame_gap_ms: f64,
    /// Long tasks (> 50 ms) the browser reported during the job (`None` where it cannot).
    pub long_tasks: Option<u32>,
}

impl Try {
    /// A try of `mode`, its figures rounded to 0.1 ms.
    pub fn new(mode: RunMode, wall_ms: f64, max_frame_gap_ms: f64, long_tasks: Option<u32>) -> Self {
        let round = |ms: f64| (ms * 10.0).round() / 10.0;
        Try { mode, wall_ms: round(wall_ms), max_frame_gap_ms: round(max_frame_gap_ms), long_tasks }
    }

    /// Whether the page stayed smooth: no frame gap long enough to notice (100 ms).
    pub fn smooth(&self) -> bool {
        self.max_frame_gap_ms < 100.0
    }
}

/// Distinct blocked periods among `periods` (start, end in ms) that end after `since`: the
/// browser may report one freeze both as a long task and as a long animation frame, so
/// overlapping reports count once.
pub fn long_tasks_since(periods: &[(f64, f64)], since: f64) -> u32 {
    let mut periods: Vec<(f64, f64)> = periods.iter().copied().filter(|p| p.1 > since).collect();
    periods.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut count = 0;
    let mut end = f64::NEG_INFINITY;
    for (s, e) in periods {
        if s > end {
            count += 1;
        }
        end = end.max(e);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    // Limits are enforced with reasons; separators are accepted.
    #[test]
    fn limits() {
        assert_eq!(parse_limit("3,000,000"), Ok(3_000_000));
        assert!(parse_limit("10").unwrap_err().contains("at least"));
        assert!(parse_limit("30000000").unwrap_err().contains("freeze"));
        assert!(parse_limit("x").unwrap_err().contains("not a whole number"));
    }

    // A try carries the four figures; each mode has its published name.
    #[test]
    fn figures_and_names() {
        let t = Try::new(RunMode::MainThread, 812.0, 815.5, Some(1));
        assert_eq!((t.mode.as_str(), t.wall_ms, t.max_frame_gap_ms, t.long_tasks), ("main-thread", 812.0, 815.5, Some(1)));
        assert!(!t.smooth());
        assert_eq!(RunMode::ALL.map(RunMode::as_str), ["main-thread", "sliced", "pool"]);
    }

    // A try's figures are rounded to 0.1 ms; under 100 ms of frame gap it is smooth.
    #[test]
    fn try_rounds_its_figures() {
        let t = Try::new(RunMode::Pool, 812.345, 16.66, None);
        assert_eq!((t.wall_ms, t.max_frame_gap_ms, t.long_tasks), (812.3, 16.7, None));
        assert!(t.smooth());
    }

    // Overlapping reports of one freeze count once; periods over before the run are left out.
    #[test]
    fn long_tasks_are_counted_once() {
        let reports = [(0.0, 40.0), (100.0, 900.0), (120.0, 880.0), (850.0, 1000.0), (1200.0, 1300.0)];
        assert_eq!(long_tasks_since(&reports, 50.0), 2);
        assert_eq!(long_tasks_since(&reports, 0.0), 3);
        assert_eq!(long_tasks_since(&reports, 2000.0), 0);
        assert_eq!(long_tasks_since(&[], 0.0), 0);
    }
}
