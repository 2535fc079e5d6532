//! A lock for async calls on one object (CPython's buffered objects take a lock per call).
//!
//! Single-threaded (component instances are): a flag and the wakers of the calls waiting
//! for it. Releasing wakes every waiter and each checks again, so a waiter whose call was
//! cancelled (its future dropped) never leaves the others asleep.
#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::task::{Poll, Waker};

#[derive(Default)]
pub struct Lock {
    held: Cell<bool>,
    waiters: RefCell<Vec<Waker>>,
}

/// Holds the lock until dropped (also when the call holding it is cancelled).
pub struct Guard<'a>(&'a Lock);

impl Lock {
    pub async fn lock(&self) -> Guard<'_> {
        poll_fn(|cx| {
            if self.held.get() {
                self.waiters.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            } else {
                self.held.set(true);
                Poll::Ready(())
            }
        })
        .await;
        Guard(self)
    }

    pub fn is_held(&self) -> bool {
        self.held.get()
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.0.held.set(false);
        let waiters = std::mem::take(&mut *self.0.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::Context;

    #[test]
    fn second_caller_waits_until_the_first_releases_even_if_a_waiter_gave_up() {
        let lock = Lock::default();
        let mut cx = Context::from_waker(Waker::noop());
        let g = crate::now(async { Ok(lock.lock().await) }).unwrap();
        {
            // A waiter that is dropped while waiting (a cancelled call).
            let mut gone = pin!(lock.lock());
            assert!(gone.as_mut().poll(&mut cx).is_pending());
        }
        let mut next = pin!(lock.lock());
        assert!(next.as_mut().poll(&mut cx).is_pending());
        drop(g);
        let Poll::Ready(g2) = next.as_mut().poll(&mut cx) else {
            panic!("the lock was released");
        };
        assert!(lock.is_held());
        drop(g2);
        assert!(!lock.is_held());
    }
}
