//! The one way briefbot retries what failed: waits doubling from a first to a cap, cut short
//! when it is told to stop (or, where something may have been fixed, woken early).

use std::future::Future;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How long to wait before retrying: doubling from `first` up to `max`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            first: Duration::from_secs(5),
            max: Duration::from_secs(10 * 60),
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failure in a row (1 for the first).
    pub(crate) fn after(&self, failures: u32) -> Duration {
        let doubled = self
            .first
            .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(30)));
        doubled.min(self.max)
    }

    /// Failures in a row, counted from this backoff.
    pub(crate) fn counter(self) -> Retries {
        Retries {
            backoff: self,
            failures: 0,
        }
    }

    /// Runs `attempt` until it succeeds, calling `failed` with each error, the attempt's
    /// number and the wait before the next; `None` when `stop` is cancelled first.
    pub(crate) async fn until_ok<T, E, F, Fut>(
        self,
        stop: &CancellationToken,
        mut attempt: F,
        mut failed: impl FnMut(&E, u32, Duration),
    ) -> Option<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut retries = self.counter();
        loop {
            match attempt().await {
                Ok(done) => return Some(done),
                Err(error) => {
                    let wait = retries.failed();
                    failed(&error, retries.failures(), wait);
                    if !pause(wait, stop, None).await {
                        return None;
                    }
                }
            }
        }
    }
}

/// Failures in a row, and the wait each calls for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retries {
    backoff: Backoff,
    failures: u32,
}

impl Retries {
    /// One more failure: the wait before the next attempt.
    pub(crate) fn failed(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.backoff.after(self.failures)
    }

    /// A success: the next failure waits the shortest again.
    pub(crate) fn succeeded(&mut self) {
        self.failures = 0;
    }

    /// Failures in a row so far.
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }
}

/// Waits `wait`, or until `early` is notified (something may have been fixed meanwhile);
/// false when `stop` is cancelled first.
pub(crate) async fn pause(
    wait: Duration,
    stop: &CancellationToken,
    early: Option<&Notify>,
) -> bool {
    let woken = async {
        match early {
            Some(notify) => notify.notified().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::time::sleep(wait) => true,
        _ = woken => true,
        _ = stop.cancelled() => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let backoff = Backoff {
            first: Duration::from_secs(5),
            max: Duration::from_secs(60),
        };
        let waits: Vec<u64> = (1..=6).map(|n| backoff.after(n).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
        assert_eq!(backoff.after(1000), Duration::from_secs(60));
        let mut retries = backoff.counter();
        assert_eq!(retries.failed(), Duration::from_secs(5));
        assert_eq!(retries.failed(), Duration::from_secs(10));
        retries.succeeded();
        assert_eq!(retries.failed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn until_ok_retries_with_the_backoff_and_stops_when_told() {
        let backoff = Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(4),
        };
        let stop = CancellationToken::new();
        let mut tries = 0;
        let mut waits = Vec::new();
        let done = backoff
            .until_ok(
                &stop,
                || {
                    tries += 1;
                    let outcome = if tries < 4 { Err("not yet") } else { Ok(tries) };
                    std::future::ready(outcome)
                },
                |_, _, wait| waits.push(wait.as_secs()),
            )
            .await;
        assert_eq!(done, Some(4));
        assert_eq!(waits, [1, 2, 4]);
        stop.cancel();
        let never = backoff
            .until_ok(
                &stop,
                || std::future::ready(Err::<(), _>("no")),
                |_, _, _| {},
            )
            .await;
        assert_eq!(never, None);
    }
}
