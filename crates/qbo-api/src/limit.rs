//! Per-realm politeness: QBO's rate limits enforced on our side.
//!
//! QBO allows about 500 requests a minute per realm, 10 at once, and 40 batch requests a
//! minute (project QBO notes, section 4). A [`RateLimiter`] holds, per realm, a semaphore
//! for calls in flight and sliding-window logs for requests and batches, so that **no
//! 60-second window ever holds more than the limit** of calls, counted at the moment each
//! call is sent. Every clone of a [`crate::QboClient`] shares one limiter.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::error::InvalidInput;
use crate::ids::RealmId;

/// The limits applied per realm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Requests (batches included) per window. QBO: 500 a minute.
    pub requests_per_window: u32,
    /// Batch requests per window. QBO: 40 a minute per app.
    pub batches_per_window: u32,
    /// Calls in flight at once. QBO: 10.
    pub max_in_flight: u32,
    /// The window. QBO: one minute.
    pub window: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            requests_per_window: 500,
            batches_per_window: 40,
            max_in_flight: 10,
            window: Duration::from_secs(60),
        }
    }
}

impl RateLimits {
    /// Checks that every limit is at least one.
    ///
    /// # Errors
    /// [`InvalidInput`] naming the zero limit.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        for (name, value) in [
            ("requests_per_window", self.requests_per_window),
            ("batches_per_window", self.batches_per_window),
            ("max_in_flight", self.max_in_flight),
        ] {
            if value == 0 {
                return Err(InvalidInput::new(
                    "rate limit",
                    format!("{name} must be at least 1"),
                ));
            }
        }
        if self.window.is_zero() {
            return Err(InvalidInput::new(
                "rate limit",
                "window must be longer than zero",
            ));
        }
        Ok(())
    }
}

/// What a call is, for the limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// A single request.
    Single,
    /// A batch request (counts as one request and one batch).
    Batch,
}

/// A sliding-window log: the send times of the last `capacity` calls.
#[derive(Debug)]
struct Window {
    capacity: usize,
    period: Duration,
    sent: VecDeque<Instant>,
    /// No call before this instant (set when QBO throttles).
    closed_until: Option<Instant>,
}

impl Window {
    fn new(capacity: u32, period: Duration) -> Self {
        let capacity = capacity as usize;
        Self {
            capacity,
            period,
            sent: VecDeque::with_capacity(capacity.min(1024)),
            closed_until: None,
        }
    }

    /// Records a call now if the window has room, else says when to look again.
    fn try_take(&mut self, now: Instant) -> Result<(), Instant> {
        if let Some(until) = self.closed_until {
            if now < until {
                return Err(until);
            }
            self.closed_until = None;
        }
        while self
            .sent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= self.period)
        {
            self.sent.pop_front();
        }
        if self.sent.len() < self.capacity {
            self.sent.push_back(now);
            Ok(())
        } else {
            // The oldest call leaves the window at `front + period`.
            Err(self.sent.front().map_or(now, |&t| t + self.period))
        }
    }

    /// Free slots now, and when the next one frees when there is none.
    fn free(&mut self, now: Instant) -> (u32, Option<Instant>) {
        if let Some(until) = self.closed_until {
            if now < until {
                return (0, Some(until));
            }
            self.closed_until = None;
        }
        while self
            .sent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= self.period)
        {
            self.sent.pop_front();
        }
        let free = self.capacity.saturating_sub(self.sent.len());
        let next = if free == 0 {
            self.sent.front().map(|&t| t + self.period)
        } else {
            None
        };
        (u32::try_from(free).unwrap_or(u32::MAX), next)
    }
}

/// Room left in a realm's windows at one moment; see [`RateLimiter::room`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Room {
    /// Requests (singles or batches) that may be sent now.
    pub requests: u32,
    /// Batch requests that may be sent now (never more than `requests`).
    pub batches: u32,
    /// Free in-flight slots.
    pub in_flight: u32,
    /// When the request window next gets a free slot, if it has none now (or is paused).
    pub next_request: Option<Instant>,
    /// When the batch window next gets a free slot, if it has none now (or is paused).
    pub next_batch: Option<Instant>,
}

#[derive(Debug)]
struct RealmState {
    in_flight: Arc<Semaphore>,
    windows: Mutex<(Window, Window)>,
}

/// Per-realm rate limiter shared by all clones of a client.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use qbo_api::limit::{CallKind, RateLimiter, RateLimits};
/// let limiter = RateLimiter::new(RateLimits::default()).unwrap();
/// let realm = qbo_api::RealmId::new("123").unwrap();
/// let permit = limiter.acquire(&realm, CallKind::Single).await;
/// drop(permit); // the call is done
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RateLimiter {
    limits: RateLimits,
    realms: Arc<Mutex<HashMap<RealmId, Arc<RealmState>>>>,
}

/// Held while a call is in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit {
    _slot: OwnedSemaphorePermit,
}

impl RateLimiter {
    /// A limiter with the given limits.
    ///
    /// # Errors
    /// [`InvalidInput`] when a limit is zero.
    pub fn new(limits: RateLimits) -> Result<Self, InvalidInput> {
        limits.validate()?;
        Ok(Self {
            limits,
            realms: Arc::default(),
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    fn realm(&self, realm: &RealmId) -> Arc<RealmState> {
        let mut realms = self
            .realms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        realms
            .entry(realm.clone())
            .or_insert_with(|| {
                Arc::new(RealmState {
                    in_flight: Arc::new(Semaphore::new(self.limits.max_in_flight as usize)),
                    windows: Mutex::new((
                        Window::new(self.limits.requests_per_window, self.limits.window),
                        Window::new(self.limits.batches_per_window, self.limits.window),
                    )),
                })
            })
            .clone()
    }

    /// Waits until a call of `kind` may be sent to `realm` and returns the permit to hold
    /// while it is in flight. The call counts against the windows from this moment.
    pub async fn acquire(&self, realm: &RealmId, kind: CallKind) -> Permit {
        let state = self.realm(realm);
        // In-flight slot first, then the window: the time recorded in the window is the
        // time the call is really sent.
        let slot = loop {
            // The semaphore is never closed, so this cannot fail; be defensive anyway.
            if let Ok(slot) = state.in_flight.clone().acquire_owned().await {
                break slot;
            }
            tokio::task::yield_now().await;
        };
        loop {
            let wait = {
                let mut guard = state
                    .windows
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let (requests, batches) = &mut *guard;
                let now = Instant::now();
                match kind {
                    CallKind::Single => requests.try_take(now).err(),
                    CallKind::Batch => {
                        // Take both or neither.
                        match batches.try_take(now) {
                            Err(at) => Some(at),
                            Ok(()) => match requests.try_take(now) {
                                Ok(()) => None,
                                Err(at) => {
                                    batches.sent.pop_back();
                                    Some(at)
                                }
                            },
                        }
                    }
                }
            };
            match wait {
                None => return Permit { _slot: slot },
                Some(at) => tokio::time::sleep_until(at).await,
            }
        }
    }

    /// What `realm`'s windows have room for at this moment, taking nothing: for callers
    /// that choose between a single call and a batch (a batch needs a request and a
    /// batch slot). Calls waiting in [`RateLimiter::acquire`] are not counted until sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use qbo_api::limit::{CallKind, RateLimiter, RateLimits};
    /// let limiter = RateLimiter::new(RateLimits::default()).unwrap();
    /// let realm = qbo_api::RealmId::new("123").unwrap();
    /// drop(limiter.acquire(&realm, CallKind::Batch).await);
    /// let room = limiter.room(&realm);
    /// assert_eq!((room.requests, room.batches), (499, 39));
    /// # }
    /// ```
    pub fn room(&self, realm: &RealmId) -> Room {
        let state = self.realm(realm);
        let mut guard = state
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let (requests, batches) = &mut *guard;
        let (free_requests, next_request) = requests.free(now);
        let (free_batches, next_batch) = batches.free(now);
        Room {
            requests: free_requests,
            batches: free_batches.min(free_requests),
            in_flight: u32::try_from(state.in_flight.available_permits()).unwrap_or(u32::MAX),
            next_request,
            next_batch,
        }
    }

    /// QBO throttled `realm`: send nothing more to it for `pause`.
    pub fn pause(&self, realm: &RealmId, pause: Duration) {
        let state = self.realm(realm);
        let mut guard = state
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A pause too long for the clock is as good as forever: tokio's far future.
        let now = Instant::now();
        let until = now
            .checked_add(pause)
            .unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 30));
        let (requests, batches) = &mut *guard;
        for w in [requests, batches] {
            w.closed_until = Some(w.closed_until.map_or(until, |u| u.max(until)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// 2,000 calls of random length through the default limits on a paused clock: never
    /// more than 10 in flight, never more than 500 sent in any 60-second window, and
    /// the limiter does not idle (the whole run takes about three windows).
    #[tokio::test(start_paused = true)]
    async fn at_most_ten_in_flight_and_500_a_minute() {
        let limiter = RateLimiter::new(RateLimits::default()).unwrap();
        let realm = RealmId::new("1").unwrap();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_seen = Arc::new(AtomicUsize::new(0));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for i in 0..2000u64 {
            let (limiter, realm) = (limiter.clone(), realm.clone());
            let (in_flight, max_seen, sent) = (in_flight.clone(), max_seen.clone(), sent.clone());
            tasks.push(tokio::spawn(async move {
                let permit = limiter.acquire(&realm, CallKind::Single).await;
                sent.lock().unwrap().push(Instant::now());
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                max_seen.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5 + (i * 37) % 400)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                drop(permit);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(max_seen.load(Ordering::SeqCst), 10);
        let mut sent = sent.lock().unwrap().clone();
        sent.sort();
        assert_eq!(sent.len(), 2000);
        for (i, &t) in sent.iter().enumerate() {
            let in_window = sent[i..]
                .iter()
                .take_while(|&&u| u.duration_since(t) < Duration::from_secs(60))
                .count();
            assert!(
                in_window <= 500,
                "{in_window} calls in the minute from call {i}"
            );
        }
        let took = Instant::now().duration_since(start);
        assert!(took >= Duration::from_secs(180), "{took:?}");
        assert!(took < Duration::from_secs(250), "{took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn batches_count_against_both_windows() {
        let limits = RateLimits {
            requests_per_window: 5,
            batches_per_window: 2,
            ..RateLimits::default()
        };
        let limiter = RateLimiter::new(limits).unwrap();
        let realm = RealmId::new("1").unwrap();
        let start = Instant::now();
        for _ in 0..2 {
            drop(limiter.acquire(&realm, CallKind::Batch).await);
        }
        assert_eq!(Instant::now(), start);
        // The third batch waits a whole window; singles still pass meanwhile.
        for _ in 0..3 {
            drop(limiter.acquire(&realm, CallKind::Single).await);
        }
        assert_eq!(Instant::now(), start);
        drop(limiter.acquire(&realm, CallKind::Batch).await);
        assert_eq!(
            Instant::now().duration_since(start),
            Duration::from_secs(60)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn room_tells_what_may_go_now_without_taking_it() {
        let limiter = RateLimiter::new(RateLimits {
            requests_per_window: 3,
            batches_per_window: 2,
            max_in_flight: 2,
            window: Duration::from_secs(60),
        })
        .unwrap();
        let realm = RealmId::new("1").unwrap();
        let start = Instant::now();
        let room = limiter.room(&realm);
        assert_eq!((room.requests, room.batches, room.in_flight), (3, 2, 2));
        assert_eq!((room.next_request, room.next_batch), (None, None));
        // Looking takes nothing.
        assert_eq!(limiter.room(&realm), room);
        let held = limiter.acquire(&realm, CallKind::Batch).await;
        drop(limiter.acquire(&realm, CallKind::Single).await);
        let room = limiter.room(&realm);
        assert_eq!((room.requests, room.batches, room.in_flight), (1, 1, 1));
        drop(held);
        drop(limiter.acquire(&realm, CallKind::Single).await);
        // No request left: no batch either, and both say when the window frees.
        let room = limiter.room(&realm);
        assert_eq!((room.requests, room.batches), (0, 0));
        assert_eq!(room.next_request, Some(start + Duration::from_secs(60)));
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(limiter.room(&realm).requests, 3);
        // A pause closes everything until it ends.
        limiter.pause(&realm, Duration::from_secs(5));
        let room = limiter.room(&realm);
        assert_eq!((room.requests, room.batches), (0, 0));
        assert_eq!(
            room.next_request,
            Some(Instant::now() + Duration::from_secs(5))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_every_call_of_the_realm_only() {
        let limiter = RateLimiter::new(RateLimits::default()).unwrap();
        let a = RealmId::new("a").unwrap();
        let b = RealmId::new("b").unwrap();
        let start = Instant::now();
        limiter.pause(&a, Duration::from_secs(30));
        drop(limiter.acquire(&b, CallKind::Single).await);
        assert_eq!(Instant::now(), start);
        drop(limiter.acquire(&a, CallKind::Single).await);
        assert_eq!(
            Instant::now().duration_since(start),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn zero_limits_are_refused() {
        let bad = RateLimits {
            max_in_flight: 0,
            ..RateLimits::default()
        };
        assert!(
            RateLimiter::new(bad)
                .unwrap_err()
                .reason
                .contains("max_in_flight")
        );
    }
}
