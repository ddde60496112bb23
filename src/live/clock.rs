//! The time the running bot publishes by: the system clock in production, a clock a test
//! moves by hand otherwise. Only the reloader reads it; the library is handed its `now`.
//! Also `unix_ms`, the system clock's now as the state records moments (attempts, changes).

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

/// Now, in Unix milliseconds, as the announcement state and the servers' settings record it.
pub(crate) fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// What `Clock::sleep_until` returns: a future that ends at (or after) the moment.
pub(crate) type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Wall-clock time, and a way to wait for a moment of it.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;

    /// Ends once `now()` has reached `at`.
    fn sleep_until(&self, at: SystemTime) -> Sleep<'_>;
}

/// The system clock, waited on with tokio's timer.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SystemClock;

/// How long the system clock is trusted between looks: the wall clock may be set (NTP, a
/// suspended laptop) while tokio's monotonic timer runs on, so a long wait is cut into
/// pieces that each look at the wall clock again.
const LOOK_AGAIN: Duration = Duration::from_secs(60);

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep_until(&self, at: SystemTime) -> Sleep<'_> {
        Box::pin(async move {
            while let Ok(left) = at.duration_since(SystemTime::now()) {
                if left.is_zero() {
                    break;
                }
                tokio::time::sleep(left.min(LOOK_AGAIN)).await;
            }
        })
    }
}

/// A clock that stands still until it is moved: for tests of what happens at a moment
/// (an embargo lifting) without waiting for it.
#[derive(Debug)]
pub struct ManualClock {
    /// The time now, and the signal to whoever sleeps that it moved.
    moved: watch::Sender<SystemTime>,
}

impl ManualClock {
    pub fn new(start: SystemTime) -> ManualClock {
        ManualClock {
            moved: watch::Sender::new(start),
        }
    }

    /// Moves the clock forward by `by`; whoever sleeps until a moment now passed wakes.
    pub fn advance(&self, by: Duration) {
        self.moved.send_modify(|now| *now += by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.moved.borrow()
    }

    fn sleep_until(&self, at: SystemTime) -> Sleep<'_> {
        let mut moved = self.moved.subscribe();
        Box::pin(async move {
            // The sender lives as long as the clock, which outlives this borrow.
            let _ = moved.wait_for(|now| *now >= at).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_wakes_a_sleeper_only_once_moved_past_the_moment() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let clock = ManualClock::new(start);
        let moment = start + Duration::from_secs(60);
        let mut sleep = clock.sleep_until(moment);
        let early = tokio::time::timeout(Duration::from_millis(20), &mut sleep).await;
        assert!(early.is_err(), "still asleep before the moment");
        clock.advance(Duration::from_secs(59));
        let early = tokio::time::timeout(Duration::from_millis(20), &mut sleep).await;
        assert!(early.is_err(), "still asleep a second before");
        clock.advance(Duration::from_secs(1));
        tokio::time::timeout(Duration::from_secs(5), sleep)
            .await
            .expect("awake at the moment");
        assert_eq!(clock.now(), moment);
    }

    #[tokio::test(start_paused = true)]
    async fn the_system_clock_ends_a_sleep_for_a_moment_already_past() {
        let past = SystemTime::now() - Duration::from_secs(5);
        SystemClock.sleep_until(past).await;
    }
}
