//! The timer wheel the event-loop lab's sleeps share: timers come back by deadline (ties in the
//! order they were set), never early, never after being cancelled; a value can be replaced in
//! place; a clock that goes back or jumps far ahead is handled; and random runs agree with a
//! plain sorted list.

use std::collections::BTreeMap;

use interleave_core::timer_wheel::{TimerId, TimerWheel, REACH};

fn values<T: Copy>(popped: &[(TimerId, T)]) -> Vec<T> {
    popped.iter().map(|&(_, v)| v).collect()
}

// Timers inserted in any order come back by deadline, and only once due.
#[test]
fn ordering() {
    let mut w = TimerWheel::new();
    for d in [300u64, 5, 4097, 64, 63, 100, 1, 70_000, 65] {
        w.insert(d, d);
    }
    assert_eq!(w.len(), 9);
    assert_eq!(w.next_deadline(), Some(1));
    assert_eq!(values(&w.pop_due(0)), Vec::<u64>::new());
    assert_eq!(values(&w.pop_due(64)), [1, 5, 63, 64]);
    assert_eq!(w.next_deadline(), Some(65));
    assert_eq!(values(&w.pop_due(99)), [65]);
    assert_eq!(values(&w.pop_due(100)), [100]);
    assert_eq!(w.next_deadline(), Some(300));
    assert_eq!(values(&w.pop_due(1_000_000)), [300, 4097, 70_000]);
    assert!(w.is_empty());
    assert_eq!((w.next_deadline(), w.now()), (None, 1_000_000));
}

// Timers of one deadline come back in the order they were inserted, wherever they were filed
// (some set long before, on a higher level, some just before, on level 0).
#[test]
fn ties_in_insertion_order() {
    let mut w = TimerWheel::new();
    w.insert(200, "a");
    w.insert(200, "b");
    w.insert(150, "first");
    assert!(w.pop_due(190).iter().map(|p| p.1).eq(["first"]));
    w.insert(200, "c");
    w.insert(200, "d");
    assert_eq!(values(&w.pop_due(200)), ["a", "b", "c", "d"]);
}

// Ten thousand timers of 100 ms set over a few milliseconds, as the lab sets them: each comes
// back once, at or after its deadline, in deadline order, in a handful of steps.
#[test]
fn many_timers() {
    let mut w = TimerWheel::new();
    let start = 5_000u64;
    w.pop_due(start);
    let deadlines: Vec<u64> = (0..10_000u64).map(|i| start + 100 + i / 2_000).collect();
    let ids: Vec<TimerId> = deadlines.iter().enumerate().map(|(i, &d)| w.insert(d, i)).collect();
    assert_eq!(w.next_deadline(), Some(start + 100));
    let mut seen = Vec::new();
    let mut steps = 0;
    let mut now = start;
    while let Some(next) = w.next_deadline() {
        now = now.max(next);
        let popped = w.pop_due(now);
        assert!(!popped.is_empty());
        for &(id, i) in &popped {
            assert!(deadlines[i] <= now, "timer {i} due at {} came back at {now}", deadlines[i]);
            assert_eq!(id, ids[i]);
            assert!(!w.contains(id));
        }
        seen.extend(values(&popped));
        steps += 1;
    }
    assert_eq!(steps, 5, "one step per distinct deadline");
    assert_eq!(seen, (0..10_000).collect::<Vec<_>>(), "each once, by deadline then insertion");
}

// A cancelled timer is never returned; its id then names nothing, even once its cell is used
// again; cancelling twice, or after it came back, does nothing.
#[test]
fn cancel() {
    let mut w = TimerWheel::new();
    let a = w.insert(10, 'a');
    let b = w.insert(10, 'b');
    let c = w.insert(5_000, 'c');
    w.insert(10, 'd');
    assert_eq!(w.remove(b), Some('b'));
    assert_eq!(w.remove(b), None);
    assert_eq!(w.remove(c), Some('c'));
    assert_eq!(w.next_deadline(), Some(10));
    let e = w.insert(10, 'e');
    assert_ne!(e, b, "a freed cell used again gets a new id");
    assert!(!w.contains(b) && w.get_mut(b).is_none() && w.deadline(b).is_none());
    assert_eq!(values(&w.pop_due(10_000)), ['a', 'd', 'e']);
    assert_eq!(w.remove(a), None, "already returned");
    // Cancelling the only timer of the earliest slot leaves the next one earliest.
    let x = w.insert(10_050, 'x');
    w.insert(10_060, 'y');
    w.remove(x);
    assert_eq!(w.next_deadline(), Some(10_060));
    assert_eq!(w.len(), 1);
}

// A timer's value can be replaced in place (a future polled again with a newer waker); a timer
// cancelled and set again (re-armed) comes back only at its new deadline.
#[test]
fn re_arm() {
    let mut w = TimerWheel::new();
    let id = w.insert(100, 1);
    *w.get_mut(id).unwrap() = 2;
    assert_eq!(w.deadline(id), Some(100));
    assert_eq!(w.remove(id), Some(2));
    let again = w.insert(300, 3);
    assert!(w.pop_due(299).is_empty());
    assert_eq!(w.pop_due(300), [(again, 3)]);
    // Set again from inside the run: due at once if its deadline is already past.
    let late = w.insert(250, 4);
    assert_eq!(w.next_deadline(), Some(250));
    assert_eq!(w.pop_due(300), [(late, 4)]);
}

// A clock that goes back counts as standing still: nothing comes back early, the wheel's time
// does not decrease, and a timer set in the past is due at the next look.
#[test]
fn time_going_backwards() {
    let mut w = TimerWheel::new();
    w.insert(150, "later");
    assert!(w.pop_due(100).is_empty());
    assert!(w.pop_due(40).is_empty());
    assert_eq!(w.now(), 100);
    let past = w.insert(60, "past");
    assert_eq!(w.next_deadline(), Some(60));
    assert_eq!(w.pop_due(20), [(past, "past")]);
    assert!(w.pop_due(149).is_empty());
    assert_eq!(values(&w.pop_due(150)), ["later"]);
}

// A jump far ahead returns everything due, whichever level or the overflow it waited on, in
// order; deadlines beyond the levels' reach wait in the overflow and come back in order too.
#[test]
fn time_jumping() {
    let mut w = TimerWheel::new();
    let far = [3 * REACH + 7, REACH + 1, REACH - 1, 2 * REACH];
    for (i, &d) in far.iter().enumerate() {
        w.insert(d, i);
    }
    w.insert(5, 10);
    w.insert(1 << 30, 11);
    assert_eq!(w.next_deadline(), Some(5));
    assert_eq!(values(&w.pop_due(REACH)), [10, 11, 2]);
    assert_eq!(w.next_deadline(), Some(REACH + 1));
    assert_eq!(values(&w.pop_due(2 * REACH + 3)), [1, 3]);
    // Set now, far away: in reach of the levels from here, or not.
    w.insert(2 * REACH + 10, 12);
    assert_eq!(values(&w.pop_due(u64::MAX / 2)), [12, 0]);
    assert!(w.is_empty());
    // A jump of any size over an empty wheel just moves its time.
    assert!(w.pop_due(u64::MAX - 1).is_empty());
    let at_end = w.insert(u64::MAX, 13);
    assert_eq!(w.pop_due(u64::MAX), [(at_end, 13)]);
}

// Random inserts, cancels and looks at the clock (small steps, ties, the clock going back, big
// jumps, far deadlines) agree with a plain sorted list: the same timers due at each look, in the
// same order, and the same next deadline.
#[test]
fn agrees_with_a_sorted_list() {
    for seed in 0..40 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut w = TimerWheel::new();
        // (deadline, insertion number) -> (id, value)
        let mut model: BTreeMap<(u64, u64), (TimerId, u32)> = BTreeMap::new();
        let mut clock = rng.u64(0..1_000_000);
        let mut wheel_time = 0u64;
        let mut n = 0u64;
        for step in 0..3_000u32 {
            match rng.u32(0..10) {
                0..=4 => {
                    let ahead = match rng.u32(0..10) {
                        0 => 0,
                        1..=5 => rng.u64(0..100),
                        6 | 7 => rng.u64(0..10_000),
                        8 => rng.u64(0..REACH),
                        _ => rng.u64(0..4 * REACH),
                    };
                    // Now and then a deadline already past.
                    let d = if rng.u32(0..20) == 0 { clock.saturating_sub(rng.u64(0..50)) } else { clock + ahead };
                    let id = w.insert(d, step);
                    model.insert((d, n), (id, step));
                    n += 1;
                }
                5 => {
                    if !model.is_empty() {
                        let key = *model.keys().nth(rng.usize(0..model.len())).unwrap();
                        let (id, value) = model.remove(&key).unwrap();
                        assert_eq!(w.remove(id), Some(value));
                        assert_eq!(w.remove(id), None);
                    }
                }
                _ => {
                    clock = match rng.u32(0..10) {
                        0 => clock.saturating_sub(rng.u64(0..100)),
                        1 => clock + rng.u64(0..2 * REACH),
                        2 => model.keys().next().map_or(clock, |k| k.0.max(clock)),
                        _ => clock + rng.u64(0..200),
                    };
                    wheel_time = wheel_time.max(clock);
                    let popped = w.pop_due(clock);
                    let due: Vec<(u64, u64)> = model.keys().copied().take_while(|k| k.0 <= wheel_time).collect();
                    let expected: Vec<(TimerId, u32)> = due.iter().map(|k| model.remove(k).unwrap()).collect();
                    assert_eq!(popped, expected, "seed {seed}, step {step}, clock {clock}");
                    assert_eq!(w.now(), wheel_time);
                }
            }
            assert_eq!(w.len(), model.len());
            assert_eq!(w.next_deadline(), model.keys().next().map(|k| k.0), "seed {seed}, step {step}");
        }
    }
}
