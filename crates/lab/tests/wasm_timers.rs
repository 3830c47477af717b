//! In a real browser: the module's sleeps (`interleave_ui::timers`, one browser timer for the
//! nearest deadline) wake in deadline order, never before their time by the page's clock; a
//! sleep polled again wakes only its newest waker, and stays ready once over; a dropped sleep
//! is never woken.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures::future::join_all;
use interleave_ui::tasks::now_ms;
use interleave_ui::timers::{sleep, sleep_until};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A waker that counts how often it is woken.
#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting() -> (Arc<Count>, Waker) {
    let count = Arc::new(Count::default());
    (count.clone(), Waker::from(count))
}

// Three hundred sleeps of 0 to 49 ms, set in a scrambled order: each ends at or after its
// deadline, and they end by deadline, equal deadlines in the order they were set.
#[wasm_bindgen_test]
async fn sleeps_wake_in_deadline_order_never_early() {
    let base = now_ms();
    let order = Rc::new(RefCell::new(Vec::new()));
    let tasks = (0..300u32).map(|i| {
        let (order, deadline) = (order.clone(), base + f64::from((i * 37) % 50));
        async move {
            sleep_until(deadline).await;
            let woke = now_ms();
            assert!(woke >= deadline, "sleep {i} woke at {woke}, before its deadline {deadline}");
            order.borrow_mut().push(((i * 37) % 50, i));
        }
    });
    join_all(tasks).await;
    let order = order.borrow();
    assert_eq!(order.len(), 300);
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "woken out of order: {order:?}");
}

// A sleep polled again with another waker wakes that one only; a sleep dropped before its
// time leaves the wheel and never wakes anyone; one whose deadline has passed still waits for
// the timer's turn, then is ready.
#[wasm_bindgen_test]
async fn newest_waker_only_and_dropped_sleeps_never_wake() {
    let (first, first_waker) = counting();
    let (newest, newest_waker) = counting();
    let (dropped, dropped_waker) = counting();
    let mut kept = sleep(20);
    assert!(Pin::new(&mut kept).poll(&mut Context::from_waker(&first_waker)).is_pending());
    assert!(Pin::new(&mut kept).poll(&mut Context::from_waker(&newest_waker)).is_pending());
    let mut gone = sleep(20);
    assert!(Pin::new(&mut gone).poll(&mut Context::from_waker(&dropped_waker)).is_pending());
    drop(gone);
    let mut past = sleep_until(now_ms() - 5.0);
    let (late, late_waker) = counting();
    assert!(Pin::new(&mut past).poll(&mut Context::from_waker(&late_waker)).is_pending());

    sleep(60).await;
    assert_eq!(first.0.load(Ordering::SeqCst), 0, "a replaced waker is not woken");
    assert_eq!(newest.0.load(Ordering::SeqCst), 1);
    assert_eq!(dropped.0.load(Ordering::SeqCst), 0, "a dropped sleep is not woken");
    assert_eq!(late.0.load(Ordering::SeqCst), 1);
    assert_eq!(Pin::new(&mut kept).poll(&mut Context::from_waker(&newest_waker)), Poll::Ready(()));
    assert_eq!(Pin::new(&mut past).poll(&mut Context::from_waker(&late_waker)), Poll::Ready(()));
    // Over is over: polled again, it is still ready and sets no timer.
    assert_eq!(Pin::new(&mut kept).poll(&mut Context::from_waker(&first_waker)), Poll::Ready(()));
    sleep(30).await;
    assert_eq!(first.0.load(Ordering::SeqCst), 0);
}
