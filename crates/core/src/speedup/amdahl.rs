//! Amdahl's law: the speedup a serial fraction allows, and the serial fraction measured timings imply.
//!
//! Implementation note: the fit works on speedups `T1 / Tn`, with each thread count's time taken
//! as the median of its runs (one slow run, e.g. a browser tab switch, does not drag the fit), and
//! finds `s` by a fine grid over `[0, 1]` refined by golden-section search, which needs no
//! derivative and cannot leave the interval.

/// Speedup on `n` threads of a program whose serial (unparallelisable) share is `s`:
/// `1 / (s + (1 − s) / n)`.
pub fn amdahl_speedup(s: f64, n: f64) -> f64 {
    1.0 / (s + (1.0 - s) / n)
}

/// The best speedup any number of threads can give with serial fraction `s`: `1 / s`.
pub fn amdahl_limit(s: f64) -> f64 {
    1.0 / s
}

/// The serial fraction in `[0, 1]` that best explains `points` of `(threads, wall_ms)`, by least
/// squares on the speedup `T1 / Tn`.
///
/// Points with 0 threads or a time that is not a positive number are ignored. Without a run at
/// 1 thread, `T1` is estimated by fitting `T(n) = a + b / n` (and 1.0 is returned if that line
/// shows no speedup at all). Returns 0.0 when no usable run used more than one thread (there is
/// nothing to fit).
pub fn fit_serial_fraction(points: &[(u32, f64)]) -> f64 {
    let medians = medians_by_threads(points);
    if !medians.iter().any(|&(n, _)| n > 1) {
        return 0.0;
    }
    let t1 = match medians.first() {
        Some(&(1, t)) => t,
        _ => match time_at_one_thread(&medians) {
            Some(t) => t,
            None => return 1.0,
        },
    };
    let speedups: Vec<(f64, f64)> = medians.iter().map(|&(n, t)| (f64::from(n), t1 / t)).collect();
    let error = |s: f64| -> f64 {
        speedups.iter().map(|&(n, speedup)| (speedup - amdahl_speedup(s, n)).powi(2)).sum()
    };

    const STEPS: u32 = 1_000;
    let best = (0..=STEPS)
        .map(|i| f64::from(i) / f64::from(STEPS))
        .min_by(|a, b| error(*a).total_cmp(&error(*b)))
        .unwrap_or(0.0);
    let step = 1.0 / f64::from(STEPS);
    golden_section(&error, (best - step).max(0.0), (best + step).min(1.0)).clamp(0.0, 1.0)
}

/// `(threads, median wall_ms)` for each thread count, sorted by threads.
fn medians_by_threads(points: &[(u32, f64)]) -> Vec<(u32, f64)> {
    let mut usable: Vec<(u32, f64)> =
        points.iter().copied().filter(|&(n, t)| n > 0 && t.is_finite() && t > 0.0).collect();
    usable.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    usable
        .chunk_by(|a, b| a.0 == b.0)
        .map(|group| {
            let mid = group.len() / 2;
            let median = if group.len() % 2 == 1 {
                group[mid].1
            } else {
                (group[mid - 1].1 + group[mid].1) / 2.0
            };
            (group[0].0, median)
        })
        .collect()
}

/// `T(1) = a + b` from a least-squares line `T = a + b · (1/n)`, when that is positive.
fn time_at_one_thread(medians: &[(u32, f64)]) -> Option<f64> {
    let xs: Vec<(f64, f64)> = medians.iter().map(|&(n, t)| (1.0 / f64::from(n), t)).collect();
    let (slope, intercept) = least_squares_line(&xs)?;
    let t1 = intercept + slope;
    (t1.is_finite() && t1 > 0.0).then_some(t1)
}

/// Slope and intercept of the least-squares line through `points`, if the xs are not all equal.
pub(crate) fn least_squares_line(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx <= f64::EPSILON * n * mean_x.abs().max(1.0) {
        return None;
    }
    let slope = sxy / sxx;
    Some((slope, mean_y - slope * mean_x))
}

/// The minimum of `f` on `[lo, hi]`, assuming one valley there.
fn golden_section(f: &impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = hi - ratio * (hi - lo);
    let mut b = lo + ratio * (hi - lo);
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..60 {
        if fa <= fb {
            hi = b;
            (b, fb) = (a, fa);
            a = hi - ratio * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            (a, fa) = (b, fb);
            b = lo + ratio * (hi - lo);
            fb = f(b);
        }
    }
    (lo + hi) / 2.0
}
