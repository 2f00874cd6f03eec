//! Wake-ups for idle workers.
//!
//! Every store holds a [`Wakeup`] shared by its clones; enqueueing (and anything else that
//! makes work claimable at once) bumps it. A worker holds a [`WorkSignal`] from
//! `JobQueue::subscribe` and waits on it between empty claims: it wakes at once when the
//! same process enqueued, and after at most the poll interval (≤ 1 s) otherwise, which is
//! how work enqueued by another process, or made due by time, is found.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// The longest a worker waits before claiming again.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The sending side, shared by all clones of a store.
#[derive(Debug, Clone)]
pub(crate) struct Wakeup {
    tx: Arc<watch::Sender<u64>>,
}

impl Wakeup {
    pub(crate) fn new() -> Self {
        Self {
            tx: Arc::new(watch::Sender::new(0)),
        }
    }

    /// Wakes every waiting worker of this process.
    pub(crate) fn notify(&self) {
        self.tx.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub(crate) fn subscribe(&self, poll: Duration) -> WorkSignal {
        WorkSignal {
            rx: self.tx.subscribe(),
            poll: poll.min(MAX_POLL_INTERVAL),
        }
    }
}

/// A worker's view of the wake-ups: see the module docs.
///
/// A signal remembers what it has seen, so a wake-up that arrives between a claim that
/// found nothing and the call to [`WorkSignal::wait`] is not lost.
#[derive(Debug)]
pub struct WorkSignal {
    rx: watch::Receiver<u64>,
    poll: Duration,
}

impl WorkSignal {
    /// Waits until work was enqueued in this process since the last wait, or the poll
    /// interval passed, whichever comes first.
    pub async fn wait(&mut self) {
        self.wait_at_most(self.poll).await;
    }

    /// Like [`WorkSignal::wait`], but never longer than `limit`.
    pub async fn wait_at_most(&mut self, limit: Duration) {
        let limit = limit.min(self.poll);
        match tokio::time::timeout(limit, self.rx.changed()).await {
            Ok(Ok(())) | Err(_) => {}
            // The store is gone: nothing will wake us; keep the poll rhythm.
            Ok(Err(_)) => tokio::time::sleep(limit).await,
        }
    }

    /// The poll interval of this signal.
    pub fn poll_interval(&self) -> Duration {
        self.poll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_notify_before_the_wait_is_not_lost() {
        let wake = Wakeup::new();
        let mut signal = wake.subscribe(Duration::from_secs(5));
        assert_eq!(signal.poll_interval(), MAX_POLL_INTERVAL);
        wake.notify();
        let start = tokio::time::Instant::now();
        signal.wait().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        // Nothing new: the wait lasts the poll interval.
        signal.wait().await;
        assert_eq!(start.elapsed(), MAX_POLL_INTERVAL);
    }

    #[tokio::test(start_paused = true)]
    async fn a_notify_wakes_a_waiting_worker() {
        let wake = Wakeup::new();
        let mut signal = wake.subscribe(Duration::from_millis(800));
        let waker = wake.clone();
        let start = tokio::time::Instant::now();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            waker.notify();
        });
        signal.wait().await;
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }
}
