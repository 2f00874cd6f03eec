//! The client: configuration, the request loop (token, limiter, retries) and the
//! single-entity operations.

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tracing::Instrument;

use crate::auth::TokenProvider;
use crate::entity::{Deletable, Entity, NameList, Voidable};
use crate::envelope::{self, One};
use crate::error::{ErrorContext, InvalidInput, QboError};
use crate::fault;
use crate::ids::{EntityId, RealmId, RequestId, SyncToken};
use crate::limit::{CallKind, RateLimiter, RateLimits};
use crate::retry::RetryPolicy;
use crate::{CompanyInfo, Preferences};

/// The `minorversion` this client speaks; sent on every call. Since August 2025 QBO
/// treats anything lower as 75.
pub const MINOR_VERSION: u32 = 75;

/// Default number of operations in one batch request.
pub const DEFAULT_BATCH_SIZE: usize = 25;
/// The most operations QBO takes in one batch request.
pub const MAX_BATCH_SIZE: usize = 30;

/// The name of the response header carrying Intuit's transaction id.
pub const INTUIT_TID: &str = "intuit_tid";

/// Where the API lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// `https://sandbox-quickbooks.api.intuit.com` (Intuit's developer sandbox companies).
    Sandbox,
    /// `https://quickbooks.api.intuit.com`.
    Production,
    /// Any other base URL: `qbo-sandbox`, a wiremock server, a proxy. The client appends
    /// `/v3/company/{realm}/...` to it.
    Custom(Url),
}

impl Environment {
    /// The base URL the client appends `/v3/company/...` to.
    pub fn base_url(&self) -> Url {
        match self {
            Self::Custom(url) => url.clone(),
            Self::Sandbox => static_url("https://sandbox-quickbooks.api.intuit.com/"),
            Self::Production => static_url("https://quickbooks.api.intuit.com/"),
        }
    }

    /// Parses `sandbox`, `production` or an `http(s)://` URL.
    ///
    /// # Errors
    /// [`InvalidInput`] naming the value.
    pub fn parse(value: &str) -> Result<Self, InvalidInput> {
        match value.trim().to_ascii_lowercase().as_str() {
            "sandbox" => Ok(Self::Sandbox),
            "production" => Ok(Self::Production),
            _ => {
                let url = Url::parse(value.trim()).map_err(|e| {
                    InvalidInput::new(
                        "environment",
                        format!("{value:?} is neither sandbox, production nor a URL ({e})"),
                    )
                })?;
                if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
                    return Err(InvalidInput::new(
                        "environment",
                        format!("{value:?} is not an http(s) base URL"),
                    ));
                }
                Ok(Self::Custom(url))
            }
        }
    }
}

fn static_url(s: &'static str) -> Url {
    // Proven invariant: both callers pass a literal, valid absolute URL (a unit test
    // parses each), so this cannot fail.
    #[allow(clippy::expect_used)]
    Url::parse(s).expect("static QBO base URL")
}

/// Builds a [`QboClient`].
///
/// ```
/// use std::sync::Arc;
/// use qbo_api::{Environment, QboClient, RealmId, StaticToken};
/// let client = QboClient::builder(Arc::new(StaticToken::new("token".into())))
///     .environment(Environment::Sandbox)
///     .realm(RealmId::new("9130357766908452").unwrap())
///     .build()
///     .unwrap();
/// assert_eq!(client.realm().as_str(), "9130357766908452");
/// ```
#[derive(Debug)]
pub struct QboClientBuilder {
    tokens: Arc<dyn TokenProvider>,
    environment: Environment,
    realm: Option<RealmId>,
    minor_version: u32,
    retry: RetryPolicy,
    limits: RateLimits,
    limiter: Option<RateLimiter>,
    batch_size: usize,
    timeout: Duration,
    connect_timeout: Duration,
    http: Option<reqwest::Client>,
    user_agent: String,
}

impl QboClientBuilder {
    /// Which API to talk to (default: production).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// The company (required).
    pub fn realm(mut self, realm: RealmId) -> Self {
        self.realm = Some(realm);
        self
    }

    /// Overrides the `minorversion` (default [`MINOR_VERSION`]).
    pub fn minor_version(mut self, minor_version: u32) -> Self {
        self.minor_version = minor_version;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The per-realm limits (default: QBO's, see [`RateLimits`]).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Shares an existing limiter (e.g. between clients built separately in one process).
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Operations per batch request, 1 to [`MAX_BATCH_SIZE`] (default 25).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Timeout of one attempt (default 125 s; QBO ends requests after 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Uses this HTTP client instead of building one (its timeouts then apply).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The `User-Agent` sent.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`QboError::InvalidInput`] when the realm is missing, the batch size is outside
    /// 1..=30, a limit is zero; [`QboError::Transport`] when the HTTP client cannot be
    /// built.
    pub fn build(self) -> Result<QboClient, QboError> {
        let realm = self
            .realm
            .ok_or_else(|| InvalidInput::new("client", "no realm id given"))?;
        if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            return Err(InvalidInput::new(
                "batch size",
                format!("{} is outside 1..={MAX_BATCH_SIZE}", self.batch_size),
            )
            .into());
        }
        if self.retry.max_attempts == 0 {
            return Err(
                InvalidInput::new("retry policy", "max_attempts must be at least 1").into(),
            );
        }
        let limiter = match self.limiter {
            Some(l) => l,
            None => RateLimiter::new(self.limits)?,
        };
        let http = match self.http {
            Some(h) => h,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|source| QboError::Transport {
                    source,
                    context: Box::new(ErrorContext {
                        operation: "build HTTP client".to_owned(),
                        ..ErrorContext::default()
                    }),
                })?,
        };
        let mut base = self.environment.base_url();
        if base.cannot_be_a_base() {
            return Err(
                InvalidInput::new("environment", format!("{base} cannot be a base URL")).into(),
            );
        }
        // Normalise to a trailing slash so segments append after the base path.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(QboClient {
            shared: Arc::new(Shared {
                http,
                base,
                minor_version: self.minor_version.to_string(),
                tokens: self.tokens,
                limiter,
                retry: self.retry,
                batch_size: self.batch_size,
            }),
            realm,
        })
    }
}

struct Shared {
    http: reqwest::Client,
    base: Url,
    minor_version: String,
    tokens: Arc<dyn TokenProvider>,
    limiter: RateLimiter,
    retry: RetryPolicy,
    batch_size: usize,
}

/// A typed client for one QBO company (realm).
///
/// Cheap to clone; clones share the connection pool, the token provider and the per-realm
/// [`RateLimiter`]. [`QboClient::for_realm`] gives a client for another company that
/// shares the same.
#[derive(Clone)]
pub struct QboClient {
    shared: Arc<Shared>,
    realm: RealmId,
}

impl fmt::Debug for QboClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QboClient")
            .field("base", &self.shared.base.as_str())
            .field("realm", &self.realm)
            .field("minor_version", &self.shared.minor_version)
            .finish_non_exhaustive()
    }
}

/// One HTTP call as the request loop sees it.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: Method,
    /// Path segments after `/v3/company/{realm}/`.
    pub segments: Vec<String>,
    /// Query parameters besides `minorversion` and `requestid`.
    pub params: Vec<(&'static str, String)>,
    pub body: Option<(Bytes, &'static str)>,
    pub request_id: Option<RequestId>,
    pub kind: CallKind,
    /// Whether the call may be repeated without a request id (reads and queries).
    pub idempotent: bool,
}

impl Call {
    pub(crate) fn get(segments: Vec<String>) -> Self {
        Self {
            method: Method::GET,
            segments,
            params: Vec::new(),
            body: None,
            request_id: None,
            kind: CallKind::Single,
            idempotent: true,
        }
    }

    pub(crate) fn post_json(
        segments: Vec<String>,
        body: Bytes,
        request_id: Option<RequestId>,
    ) -> Self {
        Self {
            method: Method::POST,
            segments,
            params: Vec::new(),
            body: Some((body, "application/json")),
            request_id,
            kind: CallKind::Single,
            idempotent: false,
        }
    }

    pub(crate) fn operation(&self) -> String {
        format!("{} {}", self.method, self.segments.join("/"))
    }
}

/// A successful HTTP answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: Bytes,
    pub intuit_tid: Option<String>,
}

impl Answer {
    pub(crate) fn context(&self, call: &Call) -> ErrorContext {
        ErrorContext {
            operation: call.operation(),
            status: Some(self.status),
            intuit_tid: self.intuit_tid.clone(),
            request_id: call.request_id.clone(),
            ..ErrorContext::default()
        }
    }
}

impl QboClient {
    /// Starts a builder; `tokens` supplies bearer tokens.
    pub fn builder(tokens: Arc<dyn TokenProvider>) -> QboClientBuilder {
        QboClientBuilder {
            tokens,
            environment: Environment::Production,
            realm: None,
            minor_version: MINOR_VERSION,
            retry: RetryPolicy::default(),
            limits: RateLimits::default(),
            limiter: None,
            batch_size: DEFAULT_BATCH_SIZE,
            timeout: Duration::from_secs(125),
            connect_timeout: Duration::from_secs(10),
            http: None,
            user_agent: concat!("qbo-sync/", env!("CARGO_PKG_VERSION"), " (qbo-api)").to_owned(),
        }
    }

    /// The company this client talks to.
    pub fn realm(&self) -> &RealmId {
        &self.realm
    }

    /// A client for another company sharing this one's pool, tokens and limiter.
    pub fn for_realm(&self, realm: RealmId) -> Self {
        Self {
            shared: self.shared.clone(),
            realm,
        }
    }

    /// The limiter shared by this client's clones.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.shared.limiter
    }

    /// Operations per batch request (see [`QboClientBuilder::batch_size`]).
    pub fn batch_size(&self) -> usize {
        self.shared.batch_size
    }

    fn url(&self, call: &Call) -> Url {
        let mut url = self.shared.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(["v3", "company", self.realm.as_str()])
                .extend(call.segments.iter().map(String::as_str));
        }
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("minorversion", &self.shared.minor_version);
            if let Some(rid) = &call.request_id {
                query.append_pair("requestid", rid.as_str());
            }
            for (k, v) in &call.params {
                query.append_pair(k, v);
            }
        }
        url
    }

    /// Sends one call through token, limiter and retries; returns a 2xx answer or the
    /// classified error.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Answer, QboError> {
        let span = tracing::debug_span!(
            "qbo",
            realm = %self.realm,
            op = %call.operation(),
            requestid = call.request_id.as_ref().map(RequestId::as_str),
        );
        self.execute_inner(call).instrument(span).await
    }

    async fn execute_inner(&self, call: &Call) -> Result<Answer, QboError> {
        let shared = &self.shared;
        let policy = shared.retry;
        let start = tokio::time::Instant::now();
        let url = self.url(call);
        let may_retry = call.idempotent || call.request_id.is_some();
        let mut attempt: u32 = 0;
        let mut token_refreshed = false;
        loop {
            attempt += 1;
            let token = shared
                .tokens
                .access_token(&self.realm)
                .await
                .map_err(|source| QboError::Token {
                    realm: self.realm.to_string(),
                    source,
                })?;
            let result = {
                let _permit = shared.limiter.acquire(&self.realm, call.kind).await;
                self.send_once(call, &url, &token).await
            };
            let error = match result {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            if matches!(error, QboError::Authentication { .. }) && !token_refreshed {
                tracing::info!(
                    attempt,
                    "QBO refused the access token; asking for a fresh one"
                );
                shared.tokens.token_rejected(&self.realm, &token).await;
                token_refreshed = true;
                attempt -= 1;
                continue;
            }
            if let QboError::Throttled {
                retry_after: Some(wait),
                ..
            } = &error
            {
                shared.limiter.pause(&self.realm, *wait);
            }
            if !(error.is_retryable() && may_retry && attempt < policy.max_attempts) {
                return Err(error);
            }
            let wait = policy.backoff(attempt, error.retry_after());
            if start.elapsed().saturating_add(wait) > policy.deadline {
                tracing::warn!(attempt, ?wait, "retry deadline reached: {error}");
                return Err(error);
            }
            tracing::warn!(attempt, ?wait, "retrying after: {error}");
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(
        &self,
        call: &Call,
        url: &Url,
        token: &SecretString,
    ) -> Result<Answer, QboError> {
        let mut request = self
            .shared
            .http
            .request(call.method.clone(), url.clone())
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some((body, content_type)) = &call.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, *content_type)
                .body(body.clone());
        }
        let context = |status: Option<u16>, tid: Option<String>| ErrorContext {
            operation: call.operation(),
            status,
            intuit_tid: tid,
            request_id: call.request_id.clone(),
            ..ErrorContext::default()
        };
        let response = request.send().await.map_err(|source| QboError::Transport {
            source,
            context: Box::new(context(None, None)),
        })?;
        let status = response.status();
        let headers = response.headers();
        let tid = headers
            .get(INTUIT_TID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let retry_after = fault::retry_after(
            headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
        );
        let body = response
            .bytes()
            .await
            .map_err(|source| QboError::Transport {
                source,
                context: Box::new(context(Some(status.as_u16()), tid.clone())),
            })?;
        tracing::debug!(
            status = status.as_u16(),
            intuit_tid = tid.as_deref(),
            bytes = body.len(),
            "QBO answered"
        );
        if status.is_success() {
            return Ok(Answer {
                status: status.as_u16(),
                body,
                intuit_tid: tid,
            });
        }
        let fault = fault::parse_fault(&body);
        let status_code = status.as_u16();
        Err(fault::classify(
            Some(status_code),
            fault,
            retry_after,
            &body,
            context(Some(status_code), tid),
        ))
    }

    /// Decodes an answer holding `{"<E::NAME>": {...}}`.
    pub(crate) fn decode_one<E: Entity>(answer: &Answer, call: &Call) -> Result<E, QboError> {
        let envelope: envelope::Envelope<One<E>> = envelope::decode(answer, call)?;
        match (envelope.value, envelope.fault) {
            (_, Some(fault)) => Err(fault::classify(
                Some(answer.status),
                Some(fault),
                None,
                &answer.body,
                answer.context(call),
            )),
            (Some(One(entity)), None) => Ok(entity),
            (None, None) => Err(QboError::Decode {
                message: format!("the answer holds no {}", E::NAME),
                snippet: fault::snippet(&answer.body),
                context: Box::new(answer.context(call)),
            }),
        }
    }

    /// Serializes a request body.
    pub(crate) fn encode<T: Serialize + ?Sized>(
        value: &T,
        operation: &str,
    ) -> Result<Bytes, QboError> {
        serde_json::to_vec(value)
            .map(Bytes::from)
            .map_err(|e| QboError::Encode {
                operation: operation.to_owned(),
                message: e.to_string(),
            })
    }

    fn write<E: Entity>(&self, call: Result<Call, QboError>) -> Write<'_, E> {
        Write {
            client: self,
            call,
            request_id: None,
            _entity: std::marker::PhantomData,
        }
    }

    fn entity_body<E: Entity>(
        entity: &E,
        sparse: bool,
        operation: &str,
    ) -> Result<Bytes, QboError> {
        Self::encode(&WriteBody { sparse, entity }, operation)
    }

    fn id_and_token<E: Entity>(
        entity: &E,
        what: &'static str,
    ) -> Result<(EntityId, SyncToken), QboError> {
        match (entity.id(), entity.sync_token()) {
            (Some(id), Some(token)) => Ok((id.clone(), token.clone())),
            _ => Err(InvalidInput::new(
                what,
                format!("{} {what} needs both Id and SyncToken", E::NAME),
            )
            .into()),
        }
    }

    fn id_token_body<E: Entity>(
        entity: &E,
        what: &'static str,
        sparse: bool,
    ) -> Result<Bytes, QboError> {
        let (id, token) = Self::id_and_token(entity, what)?;
        #[derive(Serialize)]
        struct IdToken {
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            sparse: bool,
            #[serde(rename = "Id")]
            id: EntityId,
            #[serde(rename = "SyncToken")]
            sync_token: SyncToken,
        }
        Self::encode(
            &IdToken {
                sparse,
                id,
                sync_token: token,
            },
            what,
        )
    }

    /// Creates an entity: `POST /{entity}`. Returns QBO's copy (with `Id`, `SyncToken`).
    ///
    /// Await it directly, or set a caller-chosen [`RequestId`] first with
    /// [`Write::request_id`]; without one, a fresh id is generated and kept for every
    /// retry of this call.
    pub fn create<E: Entity>(&self, entity: &E) -> Write<'_, E> {
        let call = Self::entity_body(entity, false, "create")
            .map(|body| Call::post_json(vec![E::PATH.to_owned()], body, None));
        self.write(call)
    }

    /// Reads an entity by id: `GET /{entity}/{id}`.
    ///
    /// # Errors
    /// [`QboError::NotFound`] when there is none, and any other [`QboError`].
    pub async fn read<E: Entity>(&self, id: &EntityId) -> Result<E, QboError> {
        let call = Call::get(vec![E::PATH.to_owned(), id.as_str().to_owned()]);
        let answer = self.execute(&call).await?;
        Self::decode_one(&answer, &call)
    }

    /// Sparse update: sends `"sparse": true` with only the fields set in `entity`
    /// (which needs `Id` and `SyncToken`). Fields left unset keep their value in QBO,
    /// and properties the model does not know are never sent.
    pub fn update<E: Entity>(&self, entity: &E) -> Write<'_, E> {
        let call = Self::id_and_token(entity, "update")
            .and_then(|_| Self::entity_body(entity, true, "update"))
            .map(|body| Call::post_json(vec![E::PATH.to_owned()], body, None));
        self.write(call)
    }

    /// Full update (`?operation=update`): every writable field not set in `entity` is
    /// cleared in QBO. Prefer [`QboClient::update`].
    pub fn full_update<E: Entity>(&self, entity: &E) -> Write<'_, E> {
        let call = Self::id_and_token(entity, "update")
            .and_then(|_| Self::entity_body(entity, false, "update"))
            .map(|body| {
                let mut call = Call::post_json(vec![E::PATH.to_owned()], body, None);
                call.params.push(("operation", "update".to_owned()));
                call
            });
        self.write(call)
    }

    /// Deletes a transaction (`?operation=delete` with `Id` and `SyncToken`). QBO answers
    /// with the id and `status: "Deleted"`, returned as a mostly empty `E`.
    pub fn delete<E: Deletable>(&self, entity: &E) -> Write<'_, E> {
        let call = Self::id_token_body(entity, "delete", false).map(|body| {
            let mut call = Call::post_json(vec![E::PATH.to_owned()], body, None);
            call.params.push(("operation", "delete".to_owned()));
            call
        });
        self.write(call)
    }

    /// Voids a transaction: `?operation=void`, or for a payment
    /// `?operation=update&include=void` with a sparse body.
    pub fn void<E: Voidable>(&self, entity: &E) -> Write<'_, E> {
        let call = Self::id_token_body(entity, "void", E::VOID_BY_UPDATE).map(|body| {
            let mut call = Call::post_json(vec![E::PATH.to_owned()], body, None);
            if E::VOID_BY_UPDATE {
                call.params.push(("operation", "update".to_owned()));
                call.params.push(("include", "void".to_owned()));
            } else {
                call.params.push(("operation", "void".to_owned()));
            }
            call
        });
        self.write(call)
    }

    /// Makes a name-list entity inactive (QBO's "delete" for customers, items, accounts,
    /// payment methods): a sparse update of [`NameList::deactivation`].
    pub fn deactivate<E: NameList>(&self, entity: &E) -> Write<'_, E> {
        let body = entity.deactivation();
        let call = Self::id_and_token(&body, "deactivate")
            .and_then(|_| Self::entity_body(&body, true, "deactivate"))
            .map(|body| Call::post_json(vec![E::PATH.to_owned()], body, None));
        self.write(call)
    }

    /// The company's information: `GET /companyinfo/{realm}` (a cheap connection test).
    ///
    /// # Errors
    /// Any [`QboError`].
    pub async fn company_info(&self) -> Result<CompanyInfo, QboError> {
        let id = EntityId::new(self.realm.as_str());
        self.read::<CompanyInfo>(&id).await
    }

    /// The company's preferences: `GET /preferences`.
    ///
    /// # Errors
    /// Any [`QboError`].
    pub async fn preferences(&self) -> Result<Preferences, QboError> {
        let call = Call::get(vec![Preferences::PATH.to_owned()]);
        let answer = self.execute(&call).await?;
        Self::decode_one(&answer, &call)
    }
}

/// An entity as a write body: its fields, with `"sparse": true` first for a sparse
/// update.
#[derive(Debug, Serialize)]
pub(crate) struct WriteBody<'a, E> {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sparse: bool,
    #[serde(flatten)]
    pub entity: &'a E,
}

/// A pending write: await it, or set its [`RequestId`] first.
///
/// ```no_run
/// # async fn f(client: qbo_api::QboClient) -> Result<(), qbo_api::QboError> {
/// use qbo_api::{Customer, RequestId};
/// let customer = Customer { display_name: Some("Ann Lee".into()), ..Default::default() };
/// let created = client
///     .create(&customer)
///     .request_id(RequestId::new("job-42-gen-1")?)
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a write does nothing until awaited"]
pub struct Write<'c, E> {
    client: &'c QboClient,
    call: Result<Call, QboError>,
    request_id: Option<RequestId>,
    _entity: std::marker::PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for Write<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Write")
            .field("call", &self.call.as_ref().map(Call::operation))
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl<'c, E: Entity> Write<'c, E> {
    /// Sets the request id, which QBO uses to recognise a repeat of this write (keep it
    /// the same for one logical write across retries and restarts).
    pub fn request_id(mut self, request_id: RequestId) -> Self {
        self.request_id = Some(request_id);
        self
    }

    /// Sends the write.
    ///
    /// # Errors
    /// Any [`QboError`]; retryable ones were already retried per the policy.
    pub async fn send(self) -> Result<E, QboError> {
        let mut call = self.call?;
        call.request_id = Some(self.request_id.unwrap_or_else(RequestId::generate));
        let answer = self.client.execute(&call).await?;
        QboClient::decode_one(&answer, &call)
    }
}

impl<'c, E: Entity> IntoFuture for Write<'c, E> {
    type Output = Result<E, QboError>;
    type IntoFuture = BoxFuture<'c, Result<E, QboError>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
