//! The v3 API: `/v3/company/{realm}/...` with QBO's paths and query parameters (notes
//! §1): read, create, sparse and full update, delete, void, query (GET and POST), batch,
//! CDC, company info and preferences; bearer check, per-realm limits, `requestid`
//! replay and chaos around them.

use std::borrow::Cow;
use std::hash::{BuildHasher, Hash, Hasher};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::clock::answer_time;
use crate::company::{Company, Hidden, WriteCtx, WriteOp};
use crate::config::{AfterCommit, RequestIdConflict, Settings};
use crate::fault::Fault;
use crate::json::Object;
use crate::kind::Kind;
use crate::log::{CounterSet, Note};
use crate::query;
use crate::server::{App, Realm, dropped_response, fault_response, json_response};

/// The most items in one batch request (notes §4: 30).
pub(crate) const MAX_BATCH_ITEMS: usize = 30;
/// CDC looks back at most 30 days (notes §1).
const CDC_MAX_DAYS: i64 = 30;
/// CDC answers hold at most 1,000 objects (notes §1).
const CDC_MAX_OBJECTS: usize = 1000;

/// What a route produced.
struct Answer {
    status: StatusCode,
    body: Bytes,
    fault_code: Option<&'static str>,
    replayed: bool,
    /// A write changed the company.
    committed: bool,
}

impl Answer {
    fn ok(body: impl Into<Bytes>) -> Self {
        Self {
            status: StatusCode::OK,
            body: body.into(),
            fault_code: None,
            replayed: false,
            committed: false,
        }
    }

    fn fault(fault: &Fault, now: DateTime<Utc>) -> Self {
        let (body, _) = fault.body(now);
        Self {
            status: fault.status,
            body: Bytes::from(body),
            fault_code: Some(fault.code()),
            replayed: false,
            committed: false,
        }
    }
}

/// `{"<Entity>": {...}, "time": "..."}`, written straight from a reference.
struct Envelope<'a, T> {
    key: &'a str,
    value: &'a T,
    time: String,
}

impl<T: Serialize> Serialize for Envelope<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(self.key, self.value)?;
        map.serialize_entry("time", &self.time)?;
        map.end()
    }
}

fn envelope<T: Serialize>(key: &str, value: &T, now: DateTime<Utc>) -> Vec<u8> {
    let envelope = Envelope {
        key,
        value,
        time: answer_time(now),
    };
    // Room for a typical entity, so that writing it seldom grows the buffer.
    let mut out = Vec::with_capacity(1024);
    match serde_json::to_writer(&mut out, &envelope) {
        Ok(()) => {
            // The answer may be kept for its requestid: keep no slack.
            out.shrink_to_fit();
            out
        }
        Err(_) => Vec::new(),
    }
}

fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or_default()
}

/// The query parameters, decoded (borrowed from the URI unless percent-encoded).
type Params<'a> = [(Cow<'a, str>, Cow<'a, str>)];

fn param<'a>(params: &'a Params<'_>, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

/// Decodes a query string as `application/x-www-form-urlencoded`; one without `%` or `+`
/// has nothing to decode and is split in place.
fn parse_params(query: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    if query.bytes().any(|b| b == b'%' || b == b'+') {
        return url::form_urlencoded::parse(query.as_bytes()).collect();
    }
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (Cow::Borrowed(name), Cow::Borrowed(value))
        })
        .collect()
}

/// What identifies a request for `requestid` replay: method, path, parameters (but the
/// request id and minor version) and body.
fn fingerprint(method: &Method, segments: &[&str], params: &Params<'_>, body: &[u8]) -> u64 {
    let mut hasher = crate::hash::Keyed::default().build_hasher();
    method.as_str().hash(&mut hasher);
    let lower = |hasher: &mut crate::hash::FoldHasher, text: &str| {
        for byte in text.bytes() {
            hasher.write_u8(byte.to_ascii_lowercase());
        }
        hasher.write_u8(0);
    };
    for segment in segments {
        lower(&mut hasher, segment);
    }
    let mut kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("requestid") && !k.eq_ignore_ascii_case("minorversion")
        })
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    kept.sort_unstable();
    for (key, value) in kept {
        lower(&mut hasher, key);
        value.hash(&mut hasher);
    }
    body.hash(&mut hasher);
    hasher.finish()
}

fn parse_json(body: &[u8]) -> Result<Value, Fault> {
    // serde_json validates UTF-8 inside strings and takes no other non-ASCII byte, so a
    // body that is not UTF-8 always fails to parse: look at why only then.
    serde_json::from_slice(body).map_err(|e| {
        if std::str::from_utf8(body).is_err() {
            return Fault::not_utf8();
        }
        Fault::malformed(format!(
            "Unexpected character or end of input in the request body ({e})"
        ))
    })
}

/// The v3 API's single entry point.
///
/// Answers with what the request log notes about the answer.
pub(crate) async fn handle(app: &App, request: Request) -> (Response, Note) {
    let mut note = Note::default();
    let response = respond(app, request, &mut note).await;
    (response, note)
}

async fn respond(app: &App, request: Request, note: &mut Note) -> Response {
    CounterSet::add(&app.counters.api_requests);
    let (parts, body) = request.into_parts();
    let Parts {
        method,
        uri,
        headers,
        ..
    } = parts;
    let rest = uri.path().strip_prefix("/v3/company/").unwrap_or_default();
    let mut segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let params = parse_params(uri.query().unwrap_or_default());
    note.request_id = param(&params, "requestid").map(str::to_owned);
    if segments.is_empty() {
        return fault_response(app, &Fault::unsupported("No company in the path"), note);
    }
    let realm_id = segments.remove(0);
    note.realm = Some(realm_id.to_owned());
    let now = app.clock.now();
    let checked = app.oauth().check_bearer(bearer(&headers), realm_id, now);
    if let Err(fault) = checked {
        return fault_response(app, &fault, note);
    }
    let Some(realm) = app.realm(realm_id) else {
        return fault_response(app, &Fault::forbidden("Unknown company"), note);
    };
    let settings = app.settings();
    let is_batch =
        method == Method::POST && segments.len() == 1 && segments[0].eq_ignore_ascii_case("batch");
    let Some(_slot) = realm.limiter.admit(&settings.limits, now, is_batch) else {
        CounterSet::add(&app.counters.throttled);
        let mut response = fault_response(app, &Fault::throttled(), note);
        if let Some(secs) = settings.limits.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        return response;
    };

    if let Some(latency) = settings.chaos.latency {
        let (low, high) = (
            latency.min_ms.min(latency.max_ms),
            latency.max_ms.max(latency.min_ms),
        );
        let ms = if low == high {
            low
        } else {
            app.with_rng(|rng| rng.u64(low..=high))
        };
        note.chaos = Some("latency");
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if app.draw(settings.chaos.drop_rate) {
        CounterSet::add(&app.counters.chaos_drops);
        note.chaos = Some("drop");
        return dropped_response(note);
    }
    if app.draw(settings.chaos.error_rate) {
        CounterSet::add(&app.counters.chaos_errors);
        note.chaos = Some("error");
        let fault = match app.with_rng(|rng| rng.u8(..3)) {
            0 => Fault::system(),
            1 => Fault::bad_gateway(),
            _ => Fault::unavailable(),
        };
        return fault_response(app, &fault, note);
    }

    let bytes = match axum::body::to_bytes(body, app.max_body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let fault = Fault::malformed("the request body is too large or could not be read");
            return fault_response(app, &fault, note);
        }
    };
    let answer = route(
        app, &realm, &settings, &method, &segments, &params, &bytes, now,
    )
    .await;

    if answer.committed && app.draw(settings.chaos.fail_after_commit_rate) {
        CounterSet::add(&app.counters.chaos_after_commit);
        note.chaos = Some("after_commit");
        return match settings.chaos.after_commit {
            AfterCommit::Drop => dropped_response(note),
            AfterCommit::Error => fault_response(app, &Fault::system(), note),
        };
    }
    note.replayed = answer.replayed;
    if let Some(code) = answer.fault_code {
        note.fault_code = Some(code.to_owned());
        CounterSet::add(&app.counters.faults);
    }
    json_response(answer.status, answer.body)
}

#[allow(clippy::too_many_arguments)]
async fn route(
    app: &App,
    realm: &Realm,
    settings: &Settings,
    method: &Method,
    segments: &[&str],
    params: &Params<'_>,
    body: &Bytes,
    now: DateTime<Utc>,
) -> Answer {
    // The first segment in lower case, without allocating: a segment longer than the
    // buffer (longer than any route or entity name) gets a name nothing matches.
    let mut lower = [0u8; 24];
    let first = match segments.first() {
        Some(segment) if segment.len() <= lower.len() => {
            let lower = &mut lower[..segment.len()];
            lower.copy_from_slice(segment.as_bytes());
            lower.make_ascii_lowercase();
            std::str::from_utf8(lower).unwrap_or_default()
        }
        Some(_) => "\u{0}",
        None => "",
    };
    let result = match (method.as_str(), first, segments.len()) {
        ("GET", "query", 1) => match param(params, "query") {
            Some(sql) => run_query(app, realm, sql, params, now).await,
            None => Err(Fault::query("no query given")),
        },
        ("POST", "query", 1) => match std::str::from_utf8(body) {
            Ok(sql) => run_query(app, realm, sql, params, now).await,
            Err(_) => Err(Fault::not_utf8()),
        },
        ("POST", "batch", 1) => {
            return with_replay(
                app,
                realm,
                settings,
                method,
                segments,
                params,
                body,
                now,
                |company| batch(app, company, params, body, now),
            )
            .await;
        }
        ("GET", "cdc", 1) => cdc(app, realm, params, now).await,
        ("GET", "preferences", 1) => read_singleton(app, realm, Kind::Preferences, None, now).await,
        ("GET", "companyinfo", 2) => {
            read_singleton(app, realm, Kind::CompanyInfo, Some(segments[1]), now).await
        }
        ("GET", entity, 2) => match Kind::parse(entity) {
            Some(kind) => read(app, realm, kind, segments[1], params, now).await,
            None => Err(Fault::unsupported(format!(
                "Unsupported entity: {}",
                segments[0]
            ))),
        },
        ("POST", entity, 1) => match Kind::parse(entity) {
            Some(kind) => {
                let prepared = write_input(kind, params, body);
                return with_replay(
                    app,
                    realm,
                    settings,
                    method,
                    segments,
                    params,
                    body,
                    now,
                    |company| write(app, company, kind, prepared, now),
                )
                .await;
            }
            None => Err(Fault::unsupported(format!(
                "Unsupported entity: {}",
                segments[0]
            ))),
        },
        _ => Err(Fault::unsupported(format!(
            "Unsupported operation requested: {method} {}",
            segments.join("/")
        ))),
    };
    result.unwrap_or_else(|fault| Answer::fault(&fault, now))
}

/// Runs a write (or batch) under the company's lock, answering a repeated `requestid`
/// with the first answer and remembering new ones.
#[allow(clippy::too_many_arguments)]
async fn with_replay(
    app: &App,
    realm: &Realm,
    settings: &Settings,
    method: &Method,
    segments: &[&str],
    params: &Params<'_>,
    body: &[u8],
    now: DateTime<Utc>,
    run: impl FnOnce(&mut Company) -> Result<Answer, Fault>,
) -> Answer {
    let request_id = param(params, "requestid").filter(|r| !r.is_empty());
    let print = fingerprint(method, segments, params, body);
    let mut company = realm.lock_company().await;
    if let Some(id) = request_id
        && let Some(first) = company.replays.get(id)
    {
        if first.fingerprint == print || settings.request_id_conflict == RequestIdConflict::Replay {
            CounterSet::add(&app.counters.replays);
            return Answer {
                status: StatusCode::from_u16(first.status).unwrap_or(StatusCode::OK),
                body: first.body.clone(),
                fault_code: None,
                replayed: true,
                committed: false,
            };
        }
        return Answer::fault(&Fault::duplicate_request_id(id), now);
    }
    let answer = run(&mut company).unwrap_or_else(|fault| Answer::fault(&fault, now));
    if let Some(id) = request_id
        && !answer.status.is_server_error()
    {
        company.replays.insert(
            id.to_owned(),
            crate::company::Replay {
                fingerprint: print,
                status: answer.status.as_u16(),
                body: answer.body.clone(),
            },
        );
    }
    // The drafts of the write are freed once the company is free for other requests.
    let released = company.take_released();
    drop(company);
    drop(released);
    answer
}

fn count_write(app: &App, op: WriteOp) {
    let counter = match op {
        WriteOp::Create => &app.counters.creates,
        WriteOp::Update { .. } => &app.counters.updates,
        WriteOp::Delete => &app.counters.deletes,
        WriteOp::Void => &app.counters.voids,
    };
    CounterSet::add(counter);
}

/// Whether `include=` asks for `name` (a comma-separated list, any case).
fn includes(params: &Params<'_>, name: &str) -> bool {
    param(params, "include")
        .unwrap_or_default()
        .split(',')
        .any(|i| i.trim().eq_ignore_ascii_case(name))
}

/// Adds `InvoiceLink` to an invoice's answer when QBO would generate one: online payment
/// on (`AllowOnlineCreditCardPayment` or `AllowOnlineACHPayment`) and a customer e-mail
/// address in `BillEmail` (Intuit's Invoice reference; docs/qbo-sandbox.md). The link is
/// an https URL derived from the realm and the invoice id (its shape is a sandbox choice).
fn add_invoice_link(realm: &str, invoice: &mut Object) {
    use std::hash::{Hash as _, Hasher as _};
    let online = ["AllowOnlineCreditCardPayment", "AllowOnlineACHPayment"]
        .iter()
        .any(|key| crate::json::flag(invoice, key) == Some(true));
    let emailed = invoice
        .get("BillEmail")
        .and_then(Value::as_object)
        .and_then(|e| crate::json::text(e, "Address"))
        .is_some_and(|a| a.contains('@'));
    let Some(id) = invoice.get("Id").and_then(Value::as_str) else {
        return;
    };
    if !(online && emailed) {
        return;
    }
    let mut token = String::with_capacity(32);
    for salt in 0u8..2 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (realm, id, salt).hash(&mut hasher);
        token.push_str(&format!("{:016x}", hasher.finish()));
    }
    invoice.insert(
        "InvoiceLink".to_owned(),
        Value::String(format!(
            "https://connect.intuit.com/portal/app/CommerceNetwork/view/scs-v1-{token}"
        )),
    );
}

/// An invoice's answer with its `InvoiceLink` (see [`add_invoice_link`]).
fn invoice_with_link(
    company: &Company,
    record: &crate::company::Record,
    now: DateTime<Utc>,
) -> Bytes {
    let mut body = match record.value() {
        Value::Object(body) => body,
        _ => Object::new(),
    };
    add_invoice_link(&company.realm, &mut body);
    Bytes::from(envelope(Kind::Invoice.name(), &body, now))
}

/// A write's operation and checked input, worked out before the company is locked.
struct WriteInput {
    op: WriteOp,
    input: Object,
    allow_duplicate_doc_number: bool,
    /// `include=invoiceLink`.
    invoice_link: bool,
}

fn write_input(kind: Kind, params: &Params<'_>, body: &[u8]) -> Result<WriteInput, Fault> {
    let value = parse_json(body)?;
    let sparse = value.get("sparse").and_then(Value::as_bool) == Some(true);
    let has_id = value.get("Id").is_some_and(|v| !v.is_null());
    let include = param(params, "include").unwrap_or_default();
    let op = match param(params, "operation")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("delete") => WriteOp::Delete,
        Some("void") => WriteOp::Void,
        Some("update") if include.eq_ignore_ascii_case("void") => WriteOp::Void,
        Some("update") => WriteOp::Update { sparse },
        Some("create") => WriteOp::Create,
        None if has_id => WriteOp::Update { sparse },
        None => WriteOp::Create,
        Some(other) => {
            return Err(Fault::unsupported(format!(
                "Unsupported operation: {other}"
            )));
        }
    };
    Ok(WriteInput {
        op,
        input: Company::check_input(kind, value)?,
        allow_duplicate_doc_number: include
            .split(',')
            .any(|i| i.trim().eq_ignore_ascii_case("allowduplicatedocnum")),
        invoice_link: kind == Kind::Invoice && includes(params, "invoiceLink"),
    })
}

fn write(
    app: &App,
    company: &mut Company,
    kind: Kind,
    prepared: Result<WriteInput, Fault>,
    now: DateTime<Utc>,
) -> Result<Answer, Fault> {
    let WriteInput {
        op,
        input,
        allow_duplicate_doc_number,
        invoice_link,
    } = prepared?;
    let hidden = Hidden::new();
    let ctx = WriteCtx {
        now,
        hidden: &hidden,
        allow_duplicate_doc_number,
    };
    let written = company.write_checked(&ctx, kind, op, input)?;
    count_write(app, op);
    let body = match company.get(kind, &written.id) {
        Some(record) if !written.deleted && invoice_link => invoice_with_link(company, record, now),
        Some(record) if !written.deleted => record.answer(kind, now),
        _ => Bytes::from(envelope(kind.name(), &company.answer(kind, &written), now)),
    };
    let mut answer = Answer::ok(body);
    answer.committed = true;
    Ok(answer)
}

async fn read(
    app: &App,
    realm: &Realm,
    kind: Kind,
    id: &str,
    params: &Params<'_>,
    now: DateTime<Utc>,
) -> Result<Answer, Fault> {
    CounterSet::add(&app.counters.reads);
    let company = realm.lock_company().await;
    let record = company
        .get(kind, id)
        .ok_or_else(|| Fault::not_found("Id"))?;
    if kind == Kind::Invoice && includes(params, "invoiceLink") {
        return Ok(Answer::ok(invoice_with_link(&company, record, now)));
    }
    Ok(Answer::ok(record.answer(kind, now)))
}

async fn read_singleton(
    app: &App,
    realm: &Realm,
    kind: Kind,
    id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Answer, Fault> {
    CounterSet::add(&app.counters.reads);
    let company = realm.lock_company().await;
    let record = company
        .singleton(kind)
        .ok_or_else(|| Fault::not_found("Id"))?;
    if let Some(id) = id
        && id != company.realm
        && id != record.id()
    {
        return Err(Fault::not_found("Id"));
    }
    Ok(Answer::ok(record.answer(kind, now)))
}

async fn run_query(
    app: &App,
    realm: &Realm,
    sql: &str,
    params: &Params<'_>,
    now: DateTime<Utc>,
) -> Result<Answer, Fault> {
    CounterSet::add(&app.counters.queries);
    let parsed = query::parse(sql)?;
    let company = realm.lock_company().await;
    let mut response = parsed.run(&company);
    if parsed.kind == Kind::Invoice
        && includes(params, "invoiceLink")
        && let Some(Value::Array(invoices)) = response.get_mut(Kind::Invoice.name())
    {
        for invoice in invoices.iter_mut().filter_map(Value::as_object_mut) {
            add_invoice_link(&company.realm, invoice);
        }
    }
    drop(company);
    Ok(Answer::ok(envelope("QueryResponse", &response, now)))
}

/// One batch item's answer.
fn item_answer(bid: &str, key: &str, value: Value) -> Value {
    let mut map = Map::with_capacity(2);
    map.insert("bId".to_owned(), Value::String(bid.to_owned()));
    map.insert(key.to_owned(), value);
    Value::Object(map)
}

fn batch(
    app: &App,
    company: &mut Company,
    params: &Params<'_>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Answer, Fault> {
    CounterSet::add(&app.counters.batches);
    let value = parse_json(body)?;
    let Some(items) = value.get("BatchItemRequest").and_then(Value::as_array) else {
        return Err(Fault::required("BatchItemRequest"));
    };
    if items.len() > MAX_BATCH_ITEMS {
        return Err(Fault::batch_too_big(items.len(), MAX_BATCH_ITEMS));
    }
    let include = param(params, "include").unwrap_or_default();
    let allow_duplicate_doc_number = include
        .split(',')
        .any(|i| i.trim().eq_ignore_ascii_case("allowduplicatedocnum"));
    let mut hidden = Hidden::new();
    let mut answers = Vec::with_capacity(items.len());
    let mut committed = false;
    for item in items {
        let bid = item
            .get("bId")
            .and_then(crate::json::id_text)
            .unwrap_or_default();
        let result = batch_item(
            app,
            company,
            item,
            &bid,
            &mut hidden,
            allow_duplicate_doc_number,
            now,
        );
        match result {
            Ok((key, value, wrote)) => {
                committed |= wrote;
                answers.push(item_answer(&bid, &key, value));
            }
            Err(fault) => {
                CounterSet::add(&app.counters.faults);
                answers.push(item_answer(&bid, "Fault", fault.object()));
            }
        }
    }
    let mut answer = Answer::ok(envelope("BatchItemResponse", &answers, now));
    answer.committed = committed;
    Ok(answer)
}

/// Runs one batch item: `(answer key, answer value, whether it wrote)`.
fn batch_item(
    app: &App,
    company: &mut Company,
    item: &Value,
    bid: &str,
    hidden: &mut Hidden,
    allow_duplicate_doc_number: bool,
    now: DateTime<Utc>,
) -> Result<(String, Value, bool), Fault> {
    let Some(item) = item.as_object() else {
        return Err(Fault::malformed(
            "a BatchItemRequest entry is not an object",
        ));
    };
    if bid.is_empty() {
        return Err(Fault::required("bId"));
    }
    if let Some(sql) = item.get("Query") {
        CounterSet::add(&app.counters.queries);
        let sql = sql
            .as_str()
            .ok_or_else(|| Fault::query("Query must be a string"))?;
        let response = query::parse(sql)?.run(company);
        return Ok(("QueryResponse".to_owned(), Value::Object(response), false));
    }
    if item.contains_key("CDCQuery") {
        return Err(Fault::unsupported(
            "CDCQuery batch items are not modeled by qbo-sandbox",
        ));
    }
    let Some(kind) = Kind::ALL.into_iter().find(|k| item.contains_key(k.name())) else {
        return Err(Fault::required("entity"));
    };
    let entity = item.get(kind.name()).cloned().unwrap_or(Value::Null);
    let sparse = entity.get("sparse").and_then(Value::as_bool) == Some(true);
    let void_option = item
        .get("optionsData")
        .and_then(Value::as_str)
        .is_some_and(|o| o.eq_ignore_ascii_case("void"));
    let operation = item
        .get("operation")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let op = match operation.as_deref() {
        Some("create") => WriteOp::Create,
        Some("update") if void_option => WriteOp::Void,
        Some("update") => WriteOp::Update { sparse },
        Some("delete") => WriteOp::Delete,
        Some("void") => WriteOp::Void,
        Some(other) => return Err(Fault::invalid_enum("operation", other)),
        None => return Err(Fault::required("operation")),
    };
    let ctx = WriteCtx {
        now,
        hidden,
        allow_duplicate_doc_number,
    };
    let written = company.write(&ctx, kind, op, entity)?;
    count_write(app, op);
    if op == WriteOp::Create {
        hidden.insert(Company::hidden_key(kind, &written.id));
    }
    let answer = company.answer(kind, &written);
    Ok((kind.name().to_owned(), Value::Object(answer), true))
}

fn parse_since(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

async fn cdc(
    app: &App,
    realm: &Realm,
    params: &Params<'_>,
    now: DateTime<Utc>,
) -> Result<Answer, Fault> {
    CounterSet::add(&app.counters.cdc);
    let entities = param(params, "entities")
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| Fault::required("entities"))?;
    let mut kinds = Vec::new();
    for name in entities.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let kind = Kind::parse(name).ok_or_else(|| Fault::invalid_enum("entities", name))?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let since_text =
        param(params, "changedSince").ok_or_else(|| Fault::required("changedSince"))?;
    let since = parse_since(since_text).ok_or_else(|| {
        Fault::business(
            format!("changedSince {since_text:?} is not a date"),
            "changedSince",
        )
    })?;
    if now - since > TimeDelta::days(CDC_MAX_DAYS) {
        return Err(Fault::business(
            "changedSince must be within the last 30 days.",
            "changedSince",
        ));
    }
    let company = realm.lock_company().await;
    let mut left = CDC_MAX_OBJECTS;
    let mut responses = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let changed: Vec<Value> = company
            .changed_since(kind, since)
            .into_iter()
            .take(left)
            .map(|r| {
                if r.deleted {
                    Value::Object(r.tombstone())
                } else {
                    r.value()
                }
            })
            .collect();
        left -= changed.len();
        let mut response = Object::new();
        if !changed.is_empty() {
            response.insert("startPosition".to_owned(), Value::from(1));
            response.insert("maxResults".to_owned(), Value::from(changed.len()));
            response.insert("totalCount".to_owned(), Value::from(changed.len()));
            response.insert(kind.name().to_owned(), Value::Array(changed));
        }
        responses.push(Value::Object(response));
    }
    let mut block = Map::new();
    block.insert("QueryResponse".to_owned(), Value::Array(responses));
    Ok(Answer::ok(envelope(
        "CDCResponse",
        &[Value::Object(block)],
        now,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_split_as_form_urlencoded_does() {
        for query in [
            "",
            "minorversion=75&requestid=bench-1",
            "a=1&&b=2&",
            "&a",
            "a=b=c&d=&=e",
            "query=select%20*%20from%20Customer&x=1",
            "q=a+b&r=%ZZ&s=%C3%A9",
            "entities=Customer,Invoice&changedSince=2024-03-01T00:00:00-08:00",
        ] {
            let expected: Vec<(Cow<'_, str>, Cow<'_, str>)> =
                url::form_urlencoded::parse(query.as_bytes()).collect();
            assert_eq!(parse_params(query), expected, "{query}");
        }
    }
}
