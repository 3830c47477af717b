//! The prime-count widget's engine: counting primes below a limit as a job that splits across threads.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::run::jobs::Job;
use crate::numbers::group_digits;

/// Whether `n` is prime, by trial division over 6k ± 1: deliberately plain CPU work.
pub fn is_prime(n: u64) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n % 2 == 0 || n % 3 == 0 {
        return false;
    }
    let mut d = 5;
    while d * d <= n {
        if n % d == 0 || n % (d + 2) == 0 {
            return false;
        }
        d += 6;
    }
    true
}

/// Number of primes in `range`.
pub fn count_primes(range: Range<u64>) -> u64 {
    range.filter(|&n| is_prime(n)).count() as u64
}

/// Counts the primes below `limit`, recording which pool threads did the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrimeCount {
    /// Exclusive upper bound.
    pub limit: u64,
}

/// The answer of a [`PrimeCount`] run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrimeCountOutput {
    /// Primes below the limit.
    pub primes: u64,
    /// Distinct rayon thread indices that ran slices (empty when run off the pool).
    pub threads: BTreeSet<usize>,
}

impl PrimeCount {
    /// Largest accepted limit: a few seconds of work on one slow core.
    pub const MAX_LIMIT: u64 = 50_000_000;

    /// Reads a limit typed by the learner, refusing what is out of range with a reason.
    pub fn parse(text: &str) -> Result<Self, String> {
        let limit = crate::numbers::read_whole(text)?;
        if !(2..=Self::MAX_LIMIT).contains(&limit) {
            return Err(format!(
                "The limit must be between 2 and {} (you asked for {}): larger counts take too long for a demonstration.",
                group_digits(Self::MAX_LIMIT),
                group_digits(limit)
            ));
        }
        Ok(Self { limit })
    }
}

impl Job for PrimeCount {
    type Part = PrimeCountOutput;
    type Output = PrimeCountOutput;

    fn len(&self) -> u64 {
        self.limit
    }
    fn slice_len(&self) -> u64 {
        (self.limit / 512).clamp(1, 20_000)
    }
    fn run(&self, range: Range<u64>) -> PrimeCountOutput {
        PrimeCountOutput {
            primes: count_primes(range),
            threads: rayon::current_thread_index().into_iter().collect(),
        }
    }
    fn identity(&self) -> PrimeCountOutput {
        PrimeCountOutput::default()
    }
    fn combine(&self, mut a: PrimeCountOutput, b: PrimeCountOutput) -> PrimeCountOutput {
        a.primes += b.primes;
        a.threads.extend(b.threads);
        a
    }
    fn finish(&self, part: PrimeCountOutput) -> PrimeCountOutput {
        part
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::jobs::{run_parallel, Progress};

    // Known prime counts: pi(10^k).
    #[test]
    fn known_prime_counts() {
        assert_eq!(count_primes(0..10), 4);
        assert_eq!(count_primes(0..100), 25);
        assert_eq!(count_primes(0..1_000_000), 78_498);
        assert!(!is_prime(1) && is_prime(2) && is_prime(3) && !is_prime(25) && !is_prime(49));
    }

    // The parallel job equals the sequential count and really uses pool threads.
    #[test]
    fn parallel_equals_sequential() {
        let job = PrimeCount { limit: 300_000 };
        let out = run_parallel(&job, &Progress::new(job.limit)).unwrap();
        assert_eq!(out.primes, count_primes(0..300_000));
        assert!(!out.threads.is_empty());
    }

    // Learner input: separators accepted, out-of-range and garbage refused with a reason.
    #[test]
    fn parse_limits() {
        assert_eq!(PrimeCount::parse(" 1_000,000 ").unwrap().limit, 1_000_000);
        assert!(PrimeCount::parse("1").unwrap_err().contains("between 2 and"));
        assert!(PrimeCount::parse("60000000").unwrap_err().contains("you asked for 60,000,000"));
        assert!(PrimeCount::parse("ten").unwrap_err().contains("not a whole number"));
    }
}
