//! `sleep(ms)`: a future that waits on the page's clock, as an async runtime's sleep does. Every
//! pending sleep of the module sits in one timer wheel ([`interleave_core::timer_wheel`]), and
//! one browser timer is armed, for the nearest deadline; when it fires, every sleep that is due
//! is woken together and the timer is armed again for the next deadline. Ten thousand sleeps
//! then cost one `setTimeout`, not ten thousand.
//!
//! A sleep is never woken early by the page's clock (`performance.now()`): its deadline is
//! rounded up to a whole millisecond, and the clock down. Dropping a sleep (a cancelled run)
//! takes its timer out of the wheel.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use interleave_core::timer_wheel::{TimerId, TimerWheel};
use wasm_bindgen::prelude::*;

use crate::tasks::now_ms;

/// The module's timers: the wheel of wakers (in whole milliseconds of the page's clock), and
/// the one browser timer.
struct Timers {
    wheel: TimerWheel<Waker>,
    /// The browser timer armed: the tick it is armed for, and its handle.
    armed: Option<(u64, i32)>,
    /// What the browser timer calls, made once and kept.
    on_fire: Option<Closure<dyn FnMut()>>,
}

thread_local! {
    static TIMERS: RefCell<Timers> = RefCell::new(Timers { wheel: TimerWheel::new(), armed: None, on_fire: None });
}

/// The tick of a deadline: the first whole millisecond at or after it.
fn tick_of(deadline_ms: f64) -> u64 {
    deadline_ms.max(0.0).ceil() as u64
}

/// The ticks the clock has reached: whole milliseconds at or before `now_ms`.
fn ticks_at(now_ms: f64) -> u64 {
    now_ms.max(0.0).floor() as u64
}

impl Timers {
    /// Arms the browser timer for `tick`, unless it is armed for that tick or an earlier one.
    fn arm(&mut self, tick: u64) {
        if self.armed.is_some_and(|(armed, _)| armed <= tick) {
            return;
        }
        let window = gloo::utils::window();
        if let Some((_, handle)) = self.armed.take() {
            window.clear_timeout_with_handle(handle);
        }
        let on_fire = self.on_fire.get_or_insert_with(|| Closure::new(fire));
        let delay = (tick as f64 - now_ms()).ceil().clamp(0.0, f64::from(i32::MAX)) as i32;
        if let Ok(handle) = window.set_timeout_with_callback_and_timeout_and_arguments_0(on_fire.as_ref().unchecked_ref(), delay) {
            self.armed = Some((tick, handle));
        }
    }
}

/// The browser timer fired: wakes every sleep due, then arms the timer for the next one.
fn fire() {
    let due = TIMERS.with(|t| {
        let mut t = t.borrow_mut();
        t.armed = None;
        let due = t.wheel.pop_due(ticks_at(now_ms()));
        if let Some(next) = t.wheel.next_deadline() {
            t.arm(next);
        }
        due
    });
    // Woken outside the borrow: a waker may run code that sleeps again.
    for (_, waker) in due {
        waker.wake();
    }
}

/// Waits `ms` milliseconds from now on the page's clock.
pub fn sleep(ms: u32) -> Sleep {
    sleep_until(now_ms() + f64::from(ms))
}

/// Waits until the page's clock ([`now_ms`]) reads `deadline_ms`. A deadline already past
/// still waits for the timer's next turn, as `setTimeout(f, 0)` does.
pub fn sleep_until(deadline_ms: f64) -> Sleep {
    Sleep { deadline_ms, id: None, done: false }
}

/// The future [`sleep`] returns. Its timer is set when it is first polled, and taken out of
/// the wheel if it is dropped before its time.
#[must_use = "a sleep does nothing unless awaited"]
#[derive(Debug)]
pub struct Sleep {
    deadline_ms: f64,
    id: Option<TimerId>,
    /// Over: polled again, it stays ready.
    done: bool,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        let (deadline_ms, id) = (self.deadline_ms, self.id);
        let (pending, replaced) = TIMERS.with(|t| {
            let mut t = t.borrow_mut();
            match id {
                // Still in the wheel: keep the newest waker. Gone: the wheel woke it, due.
                Some(id) => match t.wheel.get_mut(id) {
                    Some(waker) if waker.will_wake(cx.waker()) => (Some(id), None),
                    Some(waker) => (Some(id), Some(std::mem::replace(waker, cx.waker().clone()))),
                    None => (None, None),
                },
                None => {
                    if t.wheel.is_empty() {
                        // An idle wheel's time is brought to now, so a deadline is filed near it.
                        t.wheel.pop_due(ticks_at(now_ms()));
                    }
                    let tick = tick_of(deadline_ms);
                    let id = t.wheel.insert(tick, cx.waker().clone());
                    t.arm(tick);
                    (Some(id), None)
                }
            }
        });
        drop(replaced);
        self.id = pending;
        self.done = pending.is_none();
        if self.done {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            // The waker is dropped after the borrow ends; at the thread's end there is no wheel.
            let waker = TIMERS.try_with(|t| t.try_borrow_mut().ok().and_then(|mut t| t.wheel.remove(id)));
            drop(waker);
        }
    }
}
