//! The event-loop lab's logic: settings checked before a run, latencies drawn, the timeline of
//! what each task did when, and the figures of a run summed up and explained. The tasks
//! themselves are real futures in the browser; they report to a [`Timeline`] with the page's clock.

use crate::numbers::group_digits;

/// How the tasks are awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Await each task before starting the next.
    Sequential,
    /// Start every task, then await them all.
    Concurrent,
}

impl Mode {
    /// The name used in results and on the page.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Concurrent => "concurrent",
        }
    }
}

/// A run's settings, as checked by [`Settings::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Number of tasks.
    pub tasks: u32,
    /// Shortest simulated I/O wait, ms.
    pub latency_min_ms: u32,
    /// Longest simulated I/O wait, ms (equal to the shortest for a fixed latency).
    pub latency_max_ms: u32,
    /// Real computation per task after its wait, ms.
    pub cpu_ms: f64,
    /// Sequential or concurrent.
    pub mode: Mode,
}

/// Most tasks in one run.
pub const MAX_TASKS: u32 = 10_000;
/// Longest latency, ms.
pub const MAX_LATENCY_MS: u32 = 10_000;
/// Most computation per task, ms.
pub const MAX_CPU_MS: f64 = 100.0;
/// Most computation in one run, ms: beyond it the page would be busy for too long.
pub const MAX_CPU_TOTAL_MS: f64 = 10_000.0;
/// Longest expected run, ms.
pub const MAX_RUN_MS: f64 = 120_000.0;

/// Whole milliseconds, digits grouped: `"20,000 ms"`.
fn ms(x: f64) -> String {
    format!("{} ms", group_digits(x.max(0.0).round() as u64))
}

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    crate::numbers::without_separators(text).parse().map_err(|_| format!("{what}: “{}” is not a number.", text.trim()))
}

impl Settings {
    /// Reads the settings typed by the learner, refusing what is out of range, with the reason.
    pub fn parse(tasks: &str, latency_min: &str, latency_max: &str, cpu_ms: &str, mode: Mode) -> Result<Self, String> {
        let settings = Settings {
            tasks: number(tasks, "Tasks")?,
            latency_min_ms: number(latency_min, "Shortest wait")?,
            latency_max_ms: number(latency_max, "Longest wait")?,
            cpu_ms: number(cpu_ms, "Computation per task")?,
            mode,
        };
        settings.check()?;
        Ok(settings)
    }

    /// Checks every limit; the message says which one and why.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=MAX_TASKS).contains(&self.tasks) {
            return Err(format!("Tasks must be from 1 to {} (you asked for {}).", group_digits(MAX_TASKS.into()), group_digits(self.tasks.into())));
        }
        if self.latency_max_ms > MAX_LATENCY_MS {
            return Err(format!("A wait can be at most {} (you asked for {}).", ms(MAX_LATENCY_MS.into()), ms(self.latency_max_ms.into())));
        }
        if self.latency_min_ms > self.latency_max_ms {
            return Err(format!(
                "The shortest wait ({}) is longer than the longest ({}).",
                ms(self.latency_min_ms.into()),
                ms(self.latency_max_ms.into())
            ));
        }
        if !(0.0..=MAX_CPU_MS).contains(&self.cpu_ms) || self.cpu_ms.is_nan() {
            return Err(format!("Computation per task must be from 0 to {MAX_CPU_MS} ms (you asked for {}).", self.cpu_ms));
        }
        let cpu_total = self.cpu_ms * f64::from(self.tasks);
        if cpu_total > MAX_CPU_TOTAL_MS {
            return Err(format!(
                "That is {} of computation on the page's one thread, more than the {} allowed: \
                 use fewer tasks or less computation each.",
                ms(cpu_total),
                ms(MAX_CPU_TOTAL_MS)
            ));
        }
        let expected = self.expected_wall_ms_upper();
        if expected > MAX_RUN_MS {
            return Err(format!(
                "This run would take about {:.0} s, more than the {:.0} s allowed: {}.",
                expected / 1000.0,
                MAX_RUN_MS / 1000.0,
                if self.mode == Mode::Sequential { "run fewer tasks, or run them concurrently" } else { "shorten the waits" }
            ));
        }
        Ok(())
    }

    /// The longest a run could take in theory (every wait at its maximum).
    pub fn expected_wall_ms_upper(&self) -> f64 {
        let cpu = self.cpu_ms * f64::from(self.tasks);
        let wait = f64::from(self.latency_max_ms);
        match self.mode {
            Mode::Sequential => wait * f64::from(self.tasks) + cpu,
            Mode::Concurrent => wait + cpu,
        }
    }

    /// Each task's wait, drawn evenly between the shortest and longest from `seed`.
    pub fn latencies(&self, seed: u64) -> Vec<u32> {
        let mut state = seed;
        let span = u64::from(self.latency_max_ms - self.latency_min_ms) + 1;
        (0..self.tasks).map(|_| self.latency_min_ms + (splitmix64(&mut state) % span) as u32).collect()
    }
}

/// SplitMix64: a small, well-known generator; good enough to spread simulated latencies.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The figures of one run (published as the widget's `data-result`).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// `sequential` or `concurrent`.
    pub mode: Mode,
    /// Number of tasks.
    pub tasks: u32,
    /// Wall-clock time of the whole run.
    pub wall_ms: f64,
    /// Sum of the tasks' waits.
    pub sum_latency_ms: f64,
    /// Longest single wait.
    pub max_latency_ms: f64,
    /// Computation actually done, all tasks together.
    pub cpu_ms_total: f64,
    /// Each task's wait as it was measured (none before a wait ends).
    pub waits: Option<MeasuredWaits>,
}

/// The tasks' waits as the page's clock measured them (from starting to wait until the wait
/// ended), set beside the wait each was given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredWaits {
    /// Shortest wait measured, ms.
    pub shortest_ms: f64,
    /// Longest wait measured, ms.
    pub longest_ms: f64,
    /// Most a task waited beyond the wait it was given, ms.
    pub most_over_ms: f64,
    /// Tasks whose wait ended before the wait they were given: timers that fired early.
    pub early: usize,
}

impl Summary {
    /// Sums up a run from its latencies, the computation measured, and the wall time.
    pub fn new(mode: Mode, latencies: &[u32], cpu_ms_total: f64, wall_ms: f64) -> Self {
        let round = |x: f64| (x * 10.0).round() / 10.0;
        Summary {
            mode,
            tasks: latencies.len() as u32,
            wall_ms: round(wall_ms),
            sum_latency_ms: latencies.iter().map(|&l| f64::from(l)).sum(),
            max_latency_ms: latencies.iter().copied().max().map_or(0.0, f64::from),
            cpu_ms_total: round(cpu_ms_total),
            waits: None,
        }
    }

    /// One sentence that explains the wall time from the other figures.
    pub fn explain(&self) -> String {
        let ideal = match self.mode {
            Mode::Concurrent => self.max_latency_ms + self.cpu_ms_total,
            Mode::Sequential => self.sum_latency_ms + self.cpu_ms_total,
        };
        let overhead = self.wall_ms - ideal;
        match self.mode {
            Mode::Concurrent => format!(
                "All {} waits overlapped, so the run took about the longest wait ({}) plus all the computation \
                 ({}), which cannot overlap on one thread: {} expected, {} measured ({:+.0} ms of \
                 timer and scheduling slack), instead of the {} the waits add up to.",
                group_digits(self.tasks.into()),
                ms(self.max_latency_ms),
                ms(self.cpu_ms_total),
                ms(ideal),
                ms(self.wall_ms),
                overhead,
                ms(self.sum_latency_ms)
            ),
            Mode::Sequential => format!(
                "Each task waited for the one before, so the run took the sum of the waits ({}) plus the \
                 computation ({}): {} expected, {} measured ({:+.0} ms of timer slack).",
                ms(self.sum_latency_ms),
                ms(self.cpu_ms_total),
                ms(ideal),
                ms(self.wall_ms),
                overhead
            ),
        }
    }
}

/// When one task started, finished waiting and finished computing, in ms since the run began.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TaskTimes {
    /// When it started waiting.
    pub start: Option<f64>,
    /// When its wait ended (and its computation began).
    pub io_done: Option<f64>,
    /// When it finished.
    pub end: Option<f64>,
}

/// What the tasks of one run did when, as the live timeline draws it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// One entry per task, in order.
    pub tasks: Vec<TaskTimes>,
    /// Tasks finished.
    pub done: usize,
    /// Computation measured so far, all tasks together, ms.
    pub cpu_ms: f64,
    /// (ms since the run began, tasks waiting) at each sample, for the aggregate view.
    pub waiting_samples: Vec<(f64, usize)>,
}

impl Timeline {
    /// A run of `tasks` tasks, none started.
    pub fn new(tasks: usize) -> Self {
        Timeline { tasks: vec![TaskTimes::default(); tasks], ..Timeline::default() }
    }

    /// Task `i` starts waiting at `at`.
    pub fn started(&mut self, i: usize, at: f64) {
        self.tasks[i].start = Some(at);
    }

    /// Task `i`'s wait ends at `at`.
    pub fn waited(&mut self, i: usize, at: f64) {
        self.tasks[i].io_done = Some(at);
    }

    /// Task `i` finishes at `at`, after computing for `cpu_ms`.
    pub fn finished(&mut self, i: usize, at: f64, cpu_ms: f64) {
        self.tasks[i].end = Some(at);
        self.done += 1;
        self.cpu_ms += cpu_ms;
    }

    /// Tasks waiting now: started, wait not over.
    pub fn waiting(&self) -> usize {
        self.tasks.iter().filter(|t| t.start.is_some() && t.io_done.is_none()).count()
    }

    /// Records how many tasks wait at `at`.
    pub fn sample(&mut self, at: f64) {
        let waiting = self.waiting();
        self.waiting_samples.push((at, waiting));
    }

    /// When the last finished task finished (0 before any).
    pub fn last_end(&self) -> f64 {
        self.tasks.iter().filter_map(|t| t.end).fold(0.0, f64::max)
    }

    /// The waits measured so far, each against its task's latency (`latencies[i]` for task
    /// `i`); `None` before any wait has ended.
    pub fn measured_waits(&self, latencies: &[u32]) -> Option<MeasuredWaits> {
        let waits = self.tasks.iter().zip(latencies).filter_map(|(t, &latency)| Some((t.io_done? - t.start?, f64::from(latency))));
        waits.fold(None, |acc: Option<MeasuredWaits>, (wait, latency)| {
            let mut m = acc.unwrap_or(MeasuredWaits { shortest_ms: wait, longest_ms: wait, most_over_ms: wait - latency, early: 0 });
            m.shortest_ms = m.shortest_ms.min(wait);
            m.longest_ms = m.longest_ms.max(wait);
            m.most_over_ms = m.most_over_ms.max(wait - latency);
            m.early += usize::from(wait < latency);
            Some(m)
        })
    }

    /// The run summed up once its last task has finished, `wall_ms` after it began: the
    /// latencies it was given, the computation and the waits as measured.
    pub fn summary(&self, mode: Mode, latencies: &[u32], wall_ms: f64) -> Summary {
        Summary { waits: self.measured_waits(latencies), ..Summary::new(mode, latencies, self.cpu_ms, wall_ms) }
    }

    /// What the lab says after a cancel.
    pub fn cancelled_note(&self) -> String {
        format!("Cancelled after {} of {} tasks finished.", self.done, self.tasks.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(tasks: &str, min: &str, max: &str, cpu: &str, mode: Mode) -> Result<Settings, String> {
        Settings::parse(tasks, min, max, cpu, mode)
    }

    // Sensible settings pass; each limit is refused with a reason naming it.
    #[test]
    fn limits_are_refused_with_reasons() {
        assert!(settings("200", "100", "100", "0", Mode::Concurrent).is_ok());
        assert!(settings("10,000", "100", "100", "0", Mode::Concurrent).is_ok());
        assert!(settings("0", "1", "1", "0", Mode::Concurrent).unwrap_err().contains("from 1 to 10,000"));
        assert!(settings("10001", "1", "1", "0", Mode::Concurrent).unwrap_err().contains("10,001"));
        assert!(settings("5", "50", "10", "0", Mode::Concurrent).unwrap_err().contains("shortest wait"));
        assert!(settings("5", "1", "20000", "0", Mode::Concurrent).unwrap_err().contains("at most 10,000 ms"));
        assert!(settings("5", "1", "1", "-1", Mode::Concurrent).unwrap_err().contains("from 0 to 100"));
        assert!(settings("1000", "1", "1", "50", Mode::Concurrent).unwrap_err().contains("50,000 ms of computation"));
        assert!(settings("2000", "100", "100", "0", Mode::Sequential).unwrap_err().contains("run them concurrently"));
        assert!(settings("ten", "1", "1", "0", Mode::Concurrent).unwrap_err().contains("not a number"));
    }

    // Latencies stay in range, are reproducible from a seed, and a fixed latency is fixed.
    #[test]
    fn latencies() {
        let s = settings("1000", "20", "80", "0", Mode::Concurrent).unwrap();
        let a = s.latencies(7);
        assert_eq!(a, s.latencies(7));
        assert!(a.iter().all(|&l| (20..=80).contains(&l)));
        assert!(a.iter().any(|&l| l < 30) && a.iter().any(|&l| l > 70), "spread over the range");
        let fixed = settings("10", "100", "100", "0", Mode::Sequential).unwrap();
        assert!(fixed.latencies(1).iter().all(|&l| l == 100));
    }

    // The summary adds up, and the explanation quotes the right expectation for each mode.
    #[test]
    fn summary_and_explanation() {
        let s = Summary::new(Mode::Concurrent, &[100, 300, 200], 30.0, 342.0);
        assert_eq!((s.sum_latency_ms, s.max_latency_ms, s.tasks), (600.0, 300.0, 3));
        assert!(s.explain().contains("330 ms expected, 342 ms measured (+12 ms"), "{}", s.explain());
        let s = Summary::new(Mode::Sequential, &[100, 300, 200], 30.0, 640.0);
        assert!(s.explain().contains("630 ms expected, 640 ms measured"), "{}", s.explain());
        assert_eq!((s.mode.as_str(), s.tasks, s.wall_ms, s.cpu_ms_total), ("sequential", 3, 640.0, 30.0));
        // Thousands are grouped, as everywhere on the site.
        let s = Summary::new(Mode::Concurrent, &[100; 2_000], 0.0, 105.0);
        assert!(s.explain().starts_with("All 2,000 waits overlapped") && s.explain().ends_with("instead of the 200,000 ms the waits add up to."), "{}", s.explain());
    }

    // The timeline follows each task through waiting and computing, counts who waits, samples
    // it, and says how far a cancelled run got.
    #[test]
    fn timeline() {
        let mut t = Timeline::new(3);
        assert_eq!((t.waiting(), t.last_end()), (0, 0.0));
        t.started(0, 0.0);
        t.started(1, 0.5);
        t.sample(1.0);
        t.waited(0, 100.0);
        t.finished(0, 130.0, 30.0);
        t.sample(131.0);
        assert_eq!(t.waiting_samples, [(1.0, 2), (131.0, 1)]);
        assert_eq!((t.done, t.cpu_ms, t.last_end()), (1, 30.0, 130.0));
        assert_eq!(t.tasks[0], TaskTimes { start: Some(0.0), io_done: Some(100.0), end: Some(130.0) });
        assert_eq!(t.cancelled_note(), "Cancelled after 1 of 3 tasks finished.");
    }

    // Measured waits: shortest, longest, the most any task overran its own latency, and how
    // many ended before it (a timer firing early); the summary carries them.
    #[test]
    fn measured_waits() {
        let mut t = Timeline::new(3);
        assert_eq!(t.measured_waits(&[100, 50, 80]), None);
        t.started(0, 0.0);
        t.started(1, 1.0);
        t.started(2, 2.0);
        t.waited(0, 104.5);
        t.waited(1, 50.0);
        assert_eq!(
            t.measured_waits(&[100, 50, 80]),
            Some(MeasuredWaits { shortest_ms: 49.0, longest_ms: 104.5, most_over_ms: 4.5, early: 1 })
        );
        t.waited(2, 82.0);
        t.finished(0, 110.0, 5.0);
        let s = t.summary(Mode::Concurrent, &[100, 48, 80], 120.0);
        assert_eq!(s.waits, Some(MeasuredWaits { shortest_ms: 49.0, longest_ms: 104.5, most_over_ms: 4.5, early: 0 }));
        assert_eq!((s.tasks, s.cpu_ms_total, s.wall_ms, s.max_latency_ms), (3, 5.0, 120.0, 100.0));
    }
}
