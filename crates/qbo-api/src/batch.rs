//! Batch requests (`POST /batch`) and change data capture (`GET /cdc`).
//!
//! A batch is split into requests of at most [`crate::client::DEFAULT_BATCH_SIZE`]
//! operations (configurable, never above 30). QBO runs the items of one request in
//! order but an item cannot see what an earlier item created, so never put dependent
//! operations in one batch. Each operation gets its own result, in input order: the
//! entity, the query page, or the fault QBO gave for that item.

use std::future::IntoFuture;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::future::BoxFuture;
use futures_util::stream::{self, StreamExt};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::client::{Answer, Call, QboClient};
use crate::entity::{AnyEntity, Entity};
use crate::envelope::{self, KeyName, Keyed};
use crate::error::{ErrorContext, InvalidInput, QboError};
use crate::fault::{self, FaultBody};
use crate::ids::RequestId;
use crate::limit::CallKind;
use crate::query::Query;

/// Chunks of one batch sent at once (the limiter still bounds them).
const CONCURRENT_CHUNKS: usize = 4;

/// One operation of a batch.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BatchOperation {
    /// Create the entity.
    Create(AnyEntity),
    /// Sparse update (the entity needs `Id` and `SyncToken`).
    Update(AnyEntity),
    /// Full update.
    FullUpdate(AnyEntity),
    /// Delete a transaction by `Id` and `SyncToken`.
    Delete(AnyEntity),
    /// Void a transaction by `Id` and `SyncToken`.
    Void(AnyEntity),
    /// Run a query.
    Query(String),
}

impl BatchOperation {
    /// Create `entity`.
    pub fn create(entity: impl Into<AnyEntity>) -> Self {
        Self::Create(entity.into())
    }

    /// Sparse-update `entity`.
    pub fn update(entity: impl Into<AnyEntity>) -> Self {
        Self::Update(entity.into())
    }

    /// Run `query`.
    ///
    /// # Errors
    /// [`InvalidInput`] for a bad query.
    pub fn query<E: Entity>(query: &Query<E>) -> Result<Self, InvalidInput> {
        Ok(Self::Query(query.to_sql()?))
    }

    fn label(&self) -> String {
        match self {
            Self::Create(e) => format!("create {}", e.name()),
            Self::Update(e) | Self::FullUpdate(e) => format!("update {}", e.name()),
            Self::Delete(e) => format!("delete {}", e.name()),
            Self::Void(e) => format!("void {}", e.name()),
            Self::Query(_) => "query".to_owned(),
        }
    }

    fn check(&self) -> Result<(), QboError> {
        let (what, entity) = match self {
            Self::Query(_) | Self::Create(_) | Self::FullUpdate(_) => return Ok(()),
            Self::Update(e) => ("update", e),
            Self::Delete(e) => ("delete", e),
            Self::Void(e) => ("void", e),
        };
        if entity.id().is_none() || entity.sync_token().is_none() {
            return Err(InvalidInput::new(
                what,
                format!("{} {what} needs both Id and SyncToken", entity.name()),
            )
            .into());
        }
        Ok(())
    }
}

/// One item of a batch request, written straight to JSON.
struct ItemRequest<'a> {
    bid: usize,
    op: &'a BatchOperation,
}

/// `{"Id": .., "SyncToken": ..}` of an entity (delete and void bodies).
struct IdToken<'a>(&'a AnyEntity);

impl Serialize for IdToken<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("Id", &self.0.id())?;
        map.serialize_entry("SyncToken", &self.0.sync_token())?;
        map.end()
    }
}

/// An entity's own object, sparse or not.
struct Body<'a>(&'a AnyEntity, bool);

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_body(self.1, serializer)
    }
}

impl Serialize for ItemRequest<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("bId", &self.bid.to_string())?;
        match self.op {
            BatchOperation::Query(sql) => map.serialize_entry("Query", sql)?,
            BatchOperation::Create(e) => {
                map.serialize_entry("operation", "create")?;
                map.serialize_entry(e.name(), &Body(e, false))?;
            }
            BatchOperation::Update(e) => {
                map.serialize_entry("operation", "update")?;
                map.serialize_entry(e.name(), &Body(e, true))?;
            }
            BatchOperation::FullUpdate(e) => {
                map.serialize_entry("operation", "update")?;
                map.serialize_entry(e.name(), &Body(e, false))?;
            }
            BatchOperation::Delete(e) => {
                map.serialize_entry("operation", "delete")?;
                map.serialize_entry(e.name(), &IdToken(e))?;
            }
            BatchOperation::Void(e) => {
                map.serialize_entry("operation", "update")?;
                map.serialize_entry("optionsData", "void")?;
                map.serialize_entry(e.name(), &IdToken(e))?;
            }
        }
        map.end()
    }
}

#[derive(Serialize)]
struct BatchRequest<'a> {
    #[serde(rename = "BatchItemRequest")]
    items: Vec<ItemRequest<'a>>,
}

/// What one batch operation produced.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BatchOutput {
    /// The entity QBO returned (created, updated, deleted with `status: "Deleted"`, voided).
    Entity(AnyEntity),
    /// A query's page.
    Query(BatchQueryResult),
}

/// A query's page inside a batch answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchQueryResult {
    /// The entities found.
    pub entities: Vec<AnyEntity>,
    /// `startPosition`.
    pub start_position: Option<u64>,
    /// `maxResults`.
    pub max_results: Option<u64>,
    /// `totalCount`.
    pub total_count: Option<u64>,
}

/// Decodes `{"Customer": [...]}`-style lists into [`AnyEntity`] values.
fn any_entity(name: &str, value: Value) -> Result<AnyEntity, String> {
    if !AnyEntity::NAMES.contains(&name) {
        return Err(format!("unknown entity {name:?}"));
    }
    let mut wrapper = Map::with_capacity(1);
    wrapper.insert(name.to_owned(), value);
    serde_json::from_value(Value::Object(wrapper)).map_err(|e| format!("{name}: {e}"))
}

fn query_result(value: Value) -> Result<BatchQueryResult, String> {
    let Value::Object(map) = value else {
        return Err("QueryResponse is not an object".to_owned());
    };
    let mut result = BatchQueryResult::default();
    for (key, value) in map {
        match key.as_str() {
            "startPosition" => result.start_position = value.as_u64(),
            "maxResults" => result.max_results = value.as_u64(),
            "totalCount" => result.total_count = value.as_u64(),
            name => match value {
                Value::Array(items) => {
                    for item in items {
                        result.entities.push(any_entity(name, item)?);
                    }
                }
                other => result.entities.push(any_entity(name, other)?),
            },
        }
    }
    Ok(result)
}

/// One item of a batch answer, its parts kept as raw JSON so that one bad item
/// cannot spoil the others.
#[derive(Debug, Default)]
struct RawItem {
    bid: Option<String>,
    /// `(key, json)`: an entity name, `QueryResponse` or `Fault`.
    payload: Option<(String, Box<RawValue>)>,
}

impl<'de> Deserialize<'de> for RawItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawItem;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a batch item answer")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawItem, A::Error> {
                let mut item = RawItem::default();
                while let Some(key) = map.next_key::<KeyName<'de>>()? {
                    let key = key.as_str();
                    if key == "bId" {
                        item.bid = Some(map.next_value::<String>()?);
                    } else if item.payload.is_none() {
                        item.payload = Some((key.to_owned(), map.next_value::<Box<RawValue>>()?));
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(item)
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Debug, Deserialize)]
struct BatchItems(Vec<RawItem>);

impl Keyed for BatchItems {
    fn key() -> &'static str {
        "BatchItemResponse"
    }
}

/// A pending batch: await it, or set the base request id first.
#[must_use = "a batch does nothing until awaited"]
#[derive(Debug)]
pub struct Batch<'c> {
    client: &'c QboClient,
    operations: Vec<BatchOperation>,
    request_id: Option<RequestId>,
}

impl<'c> Batch<'c> {
    /// Sets the base request id. A batch that needs several requests sends
    /// `{base}-{n}` for request `n`; QBO takes at most 36 characters on a batch.
    pub fn request_id(mut self, request_id: RequestId) -> Self {
        self.request_id = Some(request_id);
        self
    }

    /// Sends the batch; one result per operation, in input order.
    ///
    /// A request that fails as a whole (after retries) gives each of its operations a
    /// [`QboError::Batch`] holding that failure; the other requests' results stand.
    ///
    /// # Errors
    /// [`QboError::InvalidInput`] when a request id would exceed 36 characters.
    pub async fn send(self) -> Result<Vec<Result<BatchOutput, QboError>>, QboError> {
        let size = self.client.batch_size();
        let mut operations = self.operations.into_iter();
        let mut chunks: Vec<Vec<BatchOperation>> = Vec::new();
        loop {
            let chunk: Vec<BatchOperation> = operations.by_ref().take(size).collect();
            if chunk.is_empty() {
                break;
            }
            chunks.push(chunk);
        }
        let ids = chunk_request_ids(self.request_id.as_ref(), chunks.len())?;
        let client = self.client;
        let results: Vec<Vec<Result<BatchOutput, QboError>>> =
            stream::iter(chunks.into_iter().zip(ids))
                .map(|(chunk, id)| async move {
                    match client.send_chunk(&chunk, id).await {
                        Ok(items) => items,
                        Err(error) => {
                            let shared = Arc::new(error);
                            chunk
                                .iter()
                                .map(|_| {
                                    Err(QboError::Batch {
                                        source: shared.clone(),
                                    })
                                })
                                .collect()
                        }
                    }
                })
                .buffered(CONCURRENT_CHUNKS)
                .collect()
                .await;
        Ok(results.into_iter().flatten().collect())
    }
}

impl<'c> IntoFuture for Batch<'c> {
    type Output = Result<Vec<Result<BatchOutput, QboError>>, QboError>;
    type IntoFuture = BoxFuture<'c, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

fn chunk_request_ids(base: Option<&RequestId>, count: usize) -> Result<Vec<RequestId>, QboError> {
    let base = match base {
        Some(b) => b.as_str().to_owned(),
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    (0..count)
        .map(|i| {
            let id = if count == 1 {
                base.clone()
            } else {
                format!("{base}-{i}")
            };
            if id.len() > RequestId::MAX_BATCH_LEN {
                return Err(InvalidInput::new(
                    "requestid",
                    format!(
                        "batch request id {id:?} has {} characters; QBO takes at most {}",
                        id.len(),
                        RequestId::MAX_BATCH_LEN
                    ),
                )
                .into());
            }
            RequestId::new(id).map_err(QboError::from)
        })
        .collect()
}

impl QboClient {
    /// Sends `operations` as batch requests; see [`Batch`].
    ///
    /// ```no_run
    /// # async fn f(client: qbo_api::QboClient) -> Result<(), qbo_api::QboError> {
    /// use qbo_api::{Customer, batch::BatchOperation};
    /// let ops = (0..60)
    ///     .map(|i| BatchOperation::create(Customer { display_name: Some(format!("C{i}")), ..Default::default() }))
    ///     .collect();
    /// for result in client.batch(ops).await? {
    ///     match result {
    ///         Ok(output) => println!("{output:?}"),
    ///         Err(error) => println!("{error}"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn batch(&self, operations: Vec<BatchOperation>) -> Batch<'_> {
        Batch {
            client: self,
            operations,
            request_id: None,
        }
    }

    async fn send_chunk(
        &self,
        chunk: &[BatchOperation],
        request_id: RequestId,
    ) -> Result<Vec<Result<BatchOutput, QboError>>, QboError> {
        for op in chunk {
            op.check()?;
        }
        let request = BatchRequest {
            items: chunk
                .iter()
                .enumerate()
                .map(|(bid, op)| ItemRequest { bid, op })
                .collect(),
        };
        let body = Self::encode(&request, "batch")?;
        let mut call = Call::post_json(vec!["batch".to_owned()], body, Some(request_id));
        call.kind = CallKind::Batch;
        let answer = self.execute(&call).await?;
        chunk_results(&answer, &call, chunk)
    }
}

/// Maps a batch answer back onto the chunk's operations, in order.
pub(crate) fn chunk_results(
    answer: &Answer,
    call: &Call,
    chunk: &[BatchOperation],
) -> Result<Vec<Result<BatchOutput, QboError>>, QboError> {
    let envelope = envelope::decode::<BatchItems>(answer, call)?;
    if let Some(fault) = envelope.fault {
        return Err(fault::classify(
            Some(answer.status),
            Some(fault),
            None,
            &answer.body,
            answer.context(call),
        ));
    }
    let items = envelope.value.map(|b| b.0).unwrap_or_default();
    let mut results: Vec<Option<Result<BatchOutput, QboError>>> =
        chunk.iter().map(|_| None).collect();
    for item in items {
        let Some(index) = item
            .bid
            .as_deref()
            .and_then(|b| b.parse::<usize>().ok())
            .filter(|&i| i < chunk.len())
        else {
            tracing::warn!("batch answer item with an unknown bId: {:?}", item.bid);
            continue;
        };
        let op = &chunk[index];
        results[index] = Some(item_result(item, op, index, answer, call));
    }
    Ok(results
        .into_iter()
        .zip(chunk)
        .enumerate()
        .map(|(i, (r, op))| {
            r.unwrap_or_else(|| {
                Err(QboError::Decode {
                    message: format!(
                        "QBO's batch answer has no result for bId {i} ({})",
                        op.label()
                    ),
                    snippet: fault::snippet(&answer.body),
                    context: Box::new(answer.context(call)),
                })
            })
        })
        .collect())
}

fn item_result(
    item: RawItem,
    op: &BatchOperation,
    index: usize,
    answer: &Answer,
    call: &Call,
) -> Result<BatchOutput, QboError> {
    let context = || ErrorContext {
        operation: format!("batch item {index} ({})", op.label()),
        ..answer.context(call)
    };
    let decode_error = |message: String| QboError::Decode {
        message,
        snippet: String::new(),
        context: Box::new(context()),
    };
    let Some((key, raw)) = item.payload else {
        return Err(decode_error(
            "batch item without entity, query result or fault".to_owned(),
        ));
    };
    if key.eq_ignore_ascii_case("fault") {
        let fault: FaultBody =
            serde_json::from_str(raw.get()).map_err(|e| decode_error(format!("fault: {e}")))?;
        return Err(fault::classify(None, Some(fault), None, &[], context()));
    }
    if key == "QueryResponse" {
        let value: Value =
            serde_json::from_str(raw.get()).map_err(|e| decode_error(e.to_string()))?;
        return query_result(value)
            .map(BatchOutput::Query)
            .map_err(decode_error);
    }
    AnyEntity::from_json_named(&key, raw.get())
        .map(BatchOutput::Entity)
        .map_err(decode_error)
}

/// One change reported by change data capture.
#[derive(Debug, Clone, PartialEq)]
pub struct CdcChange {
    /// The entity as it is now; for a deleted one only `Id`, `status` and `MetaData`.
    pub entity: AnyEntity,
    /// Whether QBO reports it deleted (`status: "Deleted"`).
    pub deleted: bool,
}

/// A change to an entity kind the typed model does not cover (e.g. `Vendor`), kept as
/// QBO sent it: one such kind never fails the rest of a CDC answer.
#[derive(Debug, Clone, PartialEq)]
pub struct CdcUnmodeled {
    /// The entity's QBO name, as the answer keyed it (e.g. `Vendor`).
    pub entity: String,
    /// The entity's JSON object, unchanged.
    pub json: Value,
    /// Whether QBO reports it deleted (`status: "Deleted"`).
    pub deleted: bool,
}

/// What `GET /cdc` returned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CdcResult {
    /// Every change to a modeled entity, grouped by entity in the order asked.
    pub changes: Vec<CdcChange>,
    /// Every change to an entity kind outside the typed model, as raw JSON, in the order
    /// of the answer.
    pub unmodeled: Vec<CdcUnmodeled>,
    /// QBO returns at most 1,000 objects per call: when this is true, ask again with a
    /// shorter window.
    pub may_be_truncated: bool,
}

/// QBO's cap on objects in one CDC answer.
pub const CDC_MAX_OBJECTS: usize = 1000;

#[derive(Debug, Deserialize)]
struct CdcBody(Vec<Value>);

impl Keyed for CdcBody {
    fn key() -> &'static str {
        "CDCResponse"
    }
}

fn status_of(entity: &AnyEntity) -> Option<&str> {
    macro_rules! status {
        ($($v:ident),*) => {
            match entity {
                $(AnyEntity::$v(e) => e.status.as_deref(),)*
                #[allow(unreachable_patterns)]
                _ => None,
            }
        };
    }
    status!(
        Customer,
        Item,
        Invoice,
        SalesReceipt,
        Payment,
        CreditMemo,
        RefundReceipt,
        Account,
        PaymentMethod,
        TaxCode,
        TaxRate,
        CompanyInfo,
        Preferences
    )
}

impl QboClient {
    /// Change data capture: every entity of the named kinds changed since `since`
    /// (QBO looks back at most 30 days).
    ///
    /// # Errors
    /// [`QboError::InvalidInput`] for an empty list or a name that is no entity of
    /// Intuit's schema (kinds the typed model does not cover, e.g. `Vendor`, are allowed
    /// and answered in [`CdcResult::unmodeled`]); any other [`QboError`].
    pub async fn cdc(
        &self,
        entities: &[&str],
        since: DateTime<Utc>,
    ) -> Result<CdcResult, QboError> {
        if entities.is_empty() {
            return Err(InvalidInput::new("cdc", "no entity named").into());
        }
        if let Some(bad) = entities
            .iter()
            .find(|e| !AnyEntity::NAMES.contains(e) && crate::schema::entity_type(e).is_none())
        {
            return Err(InvalidInput::new("cdc", format!("unknown entity {bad:?}")).into());
        }
        let mut call = Call::get(vec!["cdc".to_owned()]);
        call.params.push(("entities", entities.join(",")));
        call.params.push((
            "changedSince",
            since.to_rfc3339_opts(SecondsFormat::Secs, false),
        ));
        let answer = self.execute(&call).await?;
        cdc_result(&answer, &call)
    }
}

/// Reads a CDC answer.
pub(crate) fn cdc_result(answer: &Answer, call: &Call) -> Result<CdcResult, QboError> {
    let envelope = envelope::decode::<CdcBody>(answer, call)?;
    if let Some(fault) = envelope.fault {
        return Err(fault::classify(
            Some(answer.status),
            Some(fault),
            None,
            &answer.body,
            answer.context(call),
        ));
    }
    let decode_error = |message: String| QboError::Decode {
        message,
        snippet: fault::snippet(&answer.body),
        context: Box::new(answer.context(call)),
    };
    let mut result = CdcResult::default();
    for block in envelope.value.map(|b| b.0).unwrap_or_default() {
        let Value::Object(mut block) = block else {
            continue;
        };
        let Some(Value::Array(responses)) = block.remove("QueryResponse") else {
            continue;
        };
        for response in responses {
            let Value::Object(map) = response else {
                continue;
            };
            for (name, value) in map {
                if matches!(name.as_str(), "startPosition" | "maxResults" | "totalCount") {
                    continue;
                }
                let Value::Array(items) = value else { continue };
                let modeled = AnyEntity::NAMES.contains(&name.as_str());
                for item in items {
                    if !modeled {
                        let deleted = item
                            .get("status")
                            .and_then(Value::as_str)
                            .is_some_and(|s| s.eq_ignore_ascii_case("deleted"));
                        result.unmodeled.push(CdcUnmodeled {
                            entity: name.clone(),
                            json: item,
                            deleted,
                        });
                        continue;
                    }
                    let entity = any_entity(&name, item).map_err(decode_error)?;
                    let deleted =
                        status_of(&entity).is_some_and(|s| s.eq_ignore_ascii_case("deleted"));
                    result.changes.push(CdcChange { entity, deleted });
                }
            }
        }
    }
    result.may_be_truncated = result.changes.len() + result.unmodeled.len() >= CDC_MAX_OBJECTS;
    Ok(result)
}
