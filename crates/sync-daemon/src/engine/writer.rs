//! The write path: each create or update goes to QBO as a single call or inside a batch
//! request, chosen at the moment it can be sent by what the realm's rate limits leave.
//!
//! QBO allows a realm about 500 requests and 40 batch requests (of up to 30 operations) a
//! minute, and 10 calls in flight. A batch costs one request and one batch slot and
//! carries up to 30 writes, so the most writes a minute come from filling every batch
//! slot with 30 writes and spending the remaining requests on single calls. The
//! dispatcher does exactly that:
//!
//! * a lone write goes at once as a single call while the request window has room beyond
//!   the slots kept for the batches still allowed (no added latency when the load is low);
//! * writes pile up when the request window is short; as soon as a batch slot is free and
//!   a full batch is waiting (or the oldest write has waited [`LINGER`]), they go as one
//!   batch request;
//! * the dispatcher never has more calls in flight than the realm allows, so a call it
//!   starts is sent at once and the windows it reads stay true.
//!
//! Writes that depend on each other never share a batch: a job hands its write over only
//! once every entity it refers to has a link, that is, once the dependency's own write
//! came back. Every write keeps its `requestid`; a batch's `requestid` is derived from its
//! writes' ids, so qbo-api's retries of one batch are replayed by QBO, never applied
//! twice. A write whose batch failed as a whole fails with [`QboError::Batch`] and its job
//! runs again (the create intent finds what QBO may have made).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use qbo_api::batch::{BatchOperation, BatchOutput};
use qbo_api::limit::Room;
use qbo_api::{AnyEntity, Entity, InvalidInput, QboClient, QboError, RequestId};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How long a write waits for companions before it goes in a smaller batch when single
/// calls are short. (3 s measured the same as 750 ms in `cargo xtask bench sync`: about six
/// writes a batch either way, so what limits the batches is how many writes arrive, not how
/// long they wait; the shorter wait keeps the latency.)
pub const LINGER: Duration = Duration::from_millis(750);

/// The longest the dispatcher sleeps before looking at the windows again.
const RECHECK: Duration = Duration::from_millis(250);

/// Create or sparse update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    Update,
}

/// Sends one write alone (typed, as single calls are).
type SendAlone =
    Box<dyn FnOnce(QboClient) -> BoxFuture<'static, Result<AnyEntity, QboError>> + Send>;

struct Pending {
    kind: Kind,
    entity: AnyEntity,
    alone: SendAlone,
    request_id: RequestId,
    queued: Instant,
    reply: oneshot::Sender<Result<AnyEntity, QboError>>,
}

/// What the writer has done, for logs and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Writes sent as single calls.
    pub singles: u64,
    /// Batch requests sent.
    pub batches: u64,
    /// Writes sent inside batch requests.
    pub batched: u64,
}

/// One tenant's writes: single calls, or batches through a dispatcher task.
pub(crate) struct Writer {
    qbo: QboClient,
    batching: bool,
    sender: Mutex<Option<mpsc::UnboundedSender<Pending>>>,
    stats: Arc<Mutex<WriterStats>>,
}

impl Writer {
    pub(crate) fn new(qbo: QboClient, batching: bool) -> Self {
        Self {
            qbo,
            batching,
            sender: Mutex::new(None),
            stats: Arc::default(),
        }
    }

    pub(crate) fn stats(&self) -> WriterStats {
        *counts(&self.stats)
    }

    /// Creates `entity` in QBO.
    pub(crate) async fn create<E: Entity + Clone>(
        &self,
        entity: &E,
        request_id: RequestId,
    ) -> Result<E, QboError> {
        if !self.batching {
            self.count_single();
            return self.qbo.create(entity).request_id(request_id).send().await;
        }
        self.submit(Kind::Create, entity, request_id).await
    }

    /// Sparse-updates `entity` in QBO.
    pub(crate) async fn update<E: Entity + Clone>(
        &self,
        entity: &E,
        request_id: RequestId,
    ) -> Result<E, QboError> {
        if !self.batching {
            self.count_single();
            return self.qbo.update(entity).request_id(request_id).send().await;
        }
        self.submit(Kind::Update, entity, request_id).await
    }

    fn count_single(&self) {
        counts(&self.stats).singles += 1;
    }

    async fn submit<E: Entity + Clone>(
        &self,
        kind: Kind,
        entity: &E,
        request_id: RequestId,
    ) -> Result<E, QboError> {
        let (reply, answer) = oneshot::channel();
        let alone: SendAlone = {
            let entity = entity.clone();
            let request_id = request_id.clone();
            Box::new(move |qbo: QboClient| {
                Box::pin(async move {
                    let written = match kind {
                        Kind::Create => qbo.create(&entity).request_id(request_id).send().await,
                        Kind::Update => qbo.update(&entity).request_id(request_id).send().await,
                    };
                    written.map(Entity::into_any)
                })
            })
        };
        let pending = Pending {
            kind,
            entity: entity.clone().into_any(),
            alone,
            request_id,
            queued: Instant::now(),
            reply,
        };
        {
            let mut sender = self
                .sender
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let tx = sender.get_or_insert_with(|| {
                let (tx, rx) = mpsc::unbounded_channel();
                tokio::spawn(dispatch(self.qbo.clone(), rx, self.stats.clone()));
                tx
            });
            if let Err(mpsc::error::SendError(_)) = tx.send(pending) {
                *sender = None;
                return Err(gone());
            }
        }
        let any = answer.await.map_err(|_| gone())??;
        E::from_any(any).ok_or_else(|| {
            QboError::InvalidInput(InvalidInput::new(
                "batch answer",
                format!("QBO answered a {} write with another entity", E::NAME),
            ))
        })
    }
}

/// The counts, whatever a panic elsewhere left in them (counts only).
fn counts(stats: &Mutex<WriterStats>) -> std::sync::MutexGuard<'_, WriterStats> {
    stats
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn gone() -> QboError {
    QboError::InvalidInput(InvalidInput::new(
        "write",
        "the write dispatcher stopped before answering (the process is shutting down)",
    ))
}

/// The dispatcher: owns the writes waiting to be sent and sends them.
async fn dispatch(
    qbo: QboClient,
    mut rx: mpsc::UnboundedReceiver<Pending>,
    stats: Arc<Mutex<WriterStats>>,
) {
    let limiter = qbo.rate_limiter().clone();
    let realm = qbo.realm().clone();
    let max_in_flight = limiter.limits().max_in_flight.max(1) as usize;
    let batch_size = qbo.batch_size().max(1);
    let mut pending: VecDeque<Pending> = VecDeque::new();
    let mut calls: JoinSet<()> = JoinSet::new();
    let mut open = true;
    loop {
        while let Ok(p) = rx.try_recv() {
            pending.push_back(p);
        }
        // A job that gave up waiting (its task ended) takes its write back.
        pending.retain(|p| !p.reply.is_closed());
        if !open && pending.is_empty() && calls.is_empty() {
            return;
        }
        let mut wake = None;
        while !pending.is_empty() && calls.len() < max_in_flight {
            let room = limiter.room(&realm);
            match choose(&room, &pending, batch_size, Instant::now()) {
                Choice::Batch(n) => {
                    let items: Vec<Pending> = pending.drain(..n).collect();
                    {
                        let mut s = counts(&stats);
                        s.batches += 1;
                        s.batched += items.len() as u64;
                    }
                    calls.spawn(send_batch(qbo.clone(), items));
                }
                Choice::Single => {
                    if let Some(p) = pending.pop_front() {
                        counts(&stats).singles += 1;
                        calls.spawn(send_single(qbo.clone(), p));
                    }
                }
                Choice::Wait(at) => {
                    wake = Some(at);
                    break;
                }
            }
        }
        let sleep = wake.unwrap_or_else(|| Instant::now() + RECHECK);
        tokio::select! {
            received = rx.recv(), if open => match received {
                Some(p) => pending.push_back(p),
                None => open = false,
            },
            Some(_) = calls.join_next(), if !calls.is_empty() => {}
            () = tokio::time::sleep_until(sleep), if !pending.is_empty() => {}
        }
    }
}

/// What to send next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// The first `n` writes as one batch.
    Batch(usize),
    /// The first write alone.
    Single,
    /// Nothing now; look again at this instant (or sooner, on news).
    Wait(Instant),
}

/// The rule (see the module's documentation). `pending` is not empty.
fn choose(room: &Room, pending: &VecDeque<Pending>, batch_size: usize, now: Instant) -> Choice {
    let oldest = pending.front().map_or(now, |p| p.queued);
    choose_for(room, pending.len(), oldest, batch_size, now)
}

fn choose_for(
    room: &Room,
    waiting: usize,
    oldest: Instant,
    batch_size: usize,
    now: Instant,
) -> Choice {
    let batch_ready = room.batches > 0 && room.requests > 0;
    if batch_ready && waiting >= batch_size.max(2) {
        return Choice::Batch(batch_size);
    }
    // Singles may use the requests the remaining batches do not need.
    if room.requests > room.batches {
        return Choice::Single;
    }
    let lingered = now.saturating_duration_since(oldest) >= LINGER;
    if batch_ready && (lingered || waiting >= batch_size) {
        return if waiting == 1 {
            Choice::Single
        } else {
            Choice::Batch(waiting.min(batch_size))
        };
    }
    let mut at = now + RECHECK;
    if batch_ready {
        at = at.min(oldest + LINGER);
    }
    for next in [room.next_request, room.next_batch].into_iter().flatten() {
        at = at.min(next.max(now + Duration::from_millis(1)));
    }
    Choice::Wait(at)
}

async fn send_single(qbo: QboClient, p: Pending) {
    let result = (p.alone)(qbo).await;
    // The job may have stopped waiting; nothing to do then.
    let _ = p.reply.send(result);
}

/// A batch's `requestid`: a digest of its writes' ids (QBO takes 36 characters at most).
fn batch_request_id(items: &[Pending]) -> RequestId {
    let mut hasher = Sha256::new();
    for p in items {
        hasher.update(p.request_id.as_str().as_bytes());
        hasher.update(b"\n");
    }
    let hex: String = hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    RequestId::new(format!("b{hex}")).unwrap_or_else(|_| RequestId::generate())
}

async fn send_batch(qbo: QboClient, items: Vec<Pending>) {
    let operations: Vec<BatchOperation> = items
        .iter()
        .map(|p| match p.kind {
            Kind::Create => BatchOperation::create(p.entity.clone()),
            Kind::Update => BatchOperation::update(p.entity.clone()),
        })
        .collect();
    let answer = qbo
        .batch(operations)
        .request_id(batch_request_id(&items))
        .send()
        .await;
    match answer {
        Ok(results) => {
            let mut results = results.into_iter();
            for p in items {
                let result = match results.next() {
                    Some(Ok(BatchOutput::Entity(entity))) => Ok(entity),
                    Some(Ok(_)) => Err(QboError::InvalidInput(InvalidInput::new(
                        "batch answer",
                        "QBO answered a write with a query result",
                    ))),
                    Some(Err(e)) => Err(e),
                    None => Err(QboError::InvalidInput(InvalidInput::new(
                        "batch answer",
                        "QBO's batch answer has fewer items than the request",
                    ))),
                };
                let _ = p.reply.send(result);
            }
        }
        Err(e) => {
            let shared = Arc::new(e);
            for p in items {
                let _ = p.reply.send(Err(QboError::Batch {
                    source: shared.clone(),
                }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(requests: u32, batches: u32) -> Room {
        let limiter = qbo_api::limit::RateLimiter::new(qbo_api::limit::RateLimits {
            requests_per_window: requests.max(1),
            batches_per_window: batches.max(1),
            ..Default::default()
        })
        .expect("limits");
        let mut r = limiter.room(&qbo_api::RealmId::new("1").expect("realm"));
        r.requests = requests;
        r.batches = batches.min(requests);
        r
    }

    #[test]
    fn a_lone_write_goes_at_once_while_requests_are_left() {
        let now = Instant::now();
        assert_eq!(choose_for(&room(500, 40), 1, now, 30, now), Choice::Single);
        assert_eq!(choose_for(&room(41, 40), 5, now, 30, now), Choice::Single);
    }

    #[test]
    fn a_full_batch_goes_as_a_batch_whenever_a_batch_slot_is_free() {
        let now = Instant::now();
        assert_eq!(
            choose_for(&room(500, 40), 30, now, 30, now),
            Choice::Batch(30)
        );
        assert_eq!(
            choose_for(&room(500, 40), 95, now, 30, now),
            Choice::Batch(30)
        );
        assert_eq!(choose_for(&room(1, 1), 31, now, 30, now), Choice::Batch(30));
    }

    #[test]
    fn the_requests_the_batches_need_are_kept_for_them() {
        let now = Instant::now();
        // 40 requests left, 40 batches left: a single would take a batch's request.
        match choose_for(&room(40, 40), 5, now, 30, now) {
            Choice::Wait(at) => assert!(at > now && at <= now + LINGER),
            other => panic!("expected a wait, got {other:?}"),
        }
        // After the linger, the writes go as one smaller batch.
        let later = now + LINGER;
        assert_eq!(
            choose_for(&room(40, 40), 5, now, 30, later),
            Choice::Batch(5)
        );
        assert_eq!(choose_for(&room(40, 40), 1, now, 30, later), Choice::Single);
    }

    #[test]
    fn with_no_batch_slot_singles_use_every_request() {
        let now = Instant::now();
        assert_eq!(choose_for(&room(3, 0), 100, now, 30, now), Choice::Single);
        match choose_for(&room(0, 0), 100, now, 30, now) {
            Choice::Wait(at) => assert!(at > now),
            other => panic!("expected a wait, got {other:?}"),
        }
    }

    #[test]
    fn batch_request_ids_fit_qbo_and_follow_their_writes() {
        let item = |id: &str| {
            let (reply, _) = oneshot::channel();
            Pending {
                kind: Kind::Create,
                entity: qbo_api::Customer::default().into_any(),
                alone: Box::new(|_| Box::pin(async { Err(gone()) })),
                request_id: RequestId::new(id).expect("id"),
                queued: Instant::now(),
                reply,
            }
        };
        let a = batch_request_id(&[item("a-1"), item("b-2")]);
        let b = batch_request_id(&[item("a-1"), item("b-2")]);
        let c = batch_request_id(&[item("b-2"), item("a-1")]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.as_str().len() <= RequestId::MAX_BATCH_LEN);
    }
}
