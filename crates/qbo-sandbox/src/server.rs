//! The running sandbox: shared state, the router, the middleware that stamps
//! `intuit_tid` on every answer and logs it, and [`Sandbox`], the handle tests hold.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, TryLockError};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get, post};
use chrono::{DateTime, TimeDelta, Utc};
use secrecy::SecretString;
use serde_json::Value;
use tokio::sync::oneshot;

use crate::clock::SandboxClock;
use crate::company::Company;
use crate::config::{OAuthApp, SandboxConfig, Settings};
use crate::error::SandboxError;
use crate::fault::Fault;
use crate::kind::Kind;
use crate::limits::Limiter;
use crate::log::{CounterSet, Counters, Entry, LoggedRequest, Note, RequestLog, Target, Tid};
use crate::oauth::OAuthState;
use crate::{api, inspect, oauth_http};

/// One company and its limiter.
#[derive(Debug)]
pub(crate) struct Realm {
    pub company: Mutex<Company>,
    pub limiter: Arc<Limiter>,
}

impl Realm {
    fn new(id: &str, now: DateTime<Utc>) -> Self {
        Self {
            company: Mutex::new(Company::new(id, now)),
            limiter: Arc::new(Limiter::default()),
        }
    }

    pub(crate) fn company(&self) -> MutexGuard<'_, Company> {
        self.company.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The company's lock, waited for by yielding to the runtime instead of blocking
    /// the worker thread (which would leave its other tasks waiting too).
    pub(crate) async fn lock_company(&self) -> MutexGuard<'_, Company> {
        loop {
            if let Some(company) = self.try_company() {
                return company;
            }
            tokio::task::yield_now().await;
        }
    }

    fn try_company(&self) -> Option<MutexGuard<'_, Company>> {
        match self.company.try_lock() {
            Ok(company) => Some(company),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct App {
    pub clock: SandboxClock,
    pub oauth_app: OAuthApp,
    settings: RwLock<Settings>,
    rng: Mutex<fastrand::Rng>,
    oauth: Mutex<OAuthState>,
    realms: RwLock<HashMap<String, Arc<Realm>>>,
    pub default_realm: String,
    log: Mutex<RequestLog>,
    pub counters: CounterSet,
    pub max_body: usize,
    tid_seed: u64,
    tid_counter: AtomicU64,
}

/// A realm id is a URL path segment: ASCII letters, digits, `-` and `_`, 1 to 64 long.
pub(crate) fn valid_realm_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl App {
    fn new(config: &SandboxConfig) -> Result<Self, SandboxError> {
        let mut rng = fastrand::Rng::with_seed(config.seed);
        let default_realm = match &config.realm_id {
            Some(id) if valid_realm_id(id) => id.clone(),
            Some(id) => {
                return Err(SandboxError::Config(format!(
                    "realm id {id:?} is not 1 to 64 ASCII letters, digits, '-' or '_'"
                )));
            }
            None => format!("9341{:012}", rng.u64(..1_000_000_000_000)),
        };
        if config.app.client_id.is_empty() {
            return Err(SandboxError::Config("the client id is empty".to_owned()));
        }
        let clock = SandboxClock::new(config.clock.clone());
        let now = clock.now();
        let mut realms = HashMap::new();
        realms.insert(
            default_realm.clone(),
            Arc::new(Realm::new(&default_realm, now)),
        );
        Ok(Self {
            clock,
            oauth_app: config.app.clone(),
            settings: RwLock::new(config.settings.clone()),
            tid_seed: rng.u64(..),
            rng: Mutex::new(rng),
            oauth: Mutex::new(OAuthState::default()),
            realms: RwLock::new(realms),
            default_realm,
            log: Mutex::new(RequestLog::new(config.request_log_size)),
            counters: CounterSet::default(),
            max_body: config.max_body_bytes,
            tid_counter: AtomicU64::new(0),
        })
    }

    pub(crate) fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set_settings(&self, settings: Settings) {
        *self
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner) = settings;
    }

    pub(crate) fn oauth(&self) -> MutexGuard<'_, OAuthState> {
        self.oauth.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn with_rng<T>(&self, f: impl FnOnce(&mut fastrand::Rng) -> T) -> T {
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut rng)
    }

    /// Whether an event of probability `rate` happens now.
    pub(crate) fn draw(&self, rate: f64) -> bool {
        rate > 0.0 && (rate >= 1.0 || self.with_rng(|rng| rng.f64() < rate))
    }

    pub(crate) fn realm(&self, id: &str) -> Option<Arc<Realm>> {
        self.realms
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// The realm `id`, created fresh when new.
    pub(crate) fn ensure_realm(&self, id: &str) -> Arc<Realm> {
        if let Some(realm) = self.realm(id) {
            return realm;
        }
        let now = self.clock.now();
        self.realms
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(id.to_owned())
            .or_insert_with(|| Arc::new(Realm::new(id, now)))
            .clone()
    }

    pub(crate) fn realm_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .realms
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    /// A fresh company under every existing realm id, limits forgotten.
    pub(crate) fn reset_realm(&self, id: &str) -> bool {
        let Some(realm) = self.realm(id) else {
            return false;
        };
        *realm.company() = Company::new(id, self.clock.now());
        realm.limiter.clear();
        true
    }

    /// Everything fresh: companies, tokens, log, counters.
    pub(crate) fn reset(&self) {
        for id in self.realm_ids() {
            self.reset_realm(&id);
        }
        self.oauth().clear();
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.counters.clear();
    }

    pub(crate) fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The number of the next answer's `intuit_tid` (see [`Tid`]).
    fn next_tid(&self) -> Tid {
        Tid(self.tid_seed ^ self.tid_counter.fetch_add(1, Ordering::Relaxed))
    }

    /// Issues tokens for `realm` without the consent flow.
    pub(crate) fn issue_tokens(&self, realm: &str) -> Result<IssuedTokens, SandboxError> {
        if !valid_realm_id(realm) {
            return Err(SandboxError::Config(format!("invalid realm id {realm:?}")));
        }
        self.ensure_realm(realm);
        let policy = self.settings().tokens;
        let now = self.clock.now();
        let client = self.oauth_app.client_id.clone();
        let answer = self.with_rng(|rng| {
            self.oauth()
                .new_grant(rng, &policy, &client, realm, false, now)
        });
        CounterSet::add(&self.counters.grants);
        Ok(IssuedTokens {
            realm_id: realm.to_owned(),
            access_token: SecretString::from(answer.access_token),
            refresh_token: SecretString::from(answer.refresh_token),
            expires_in: answer.expires_in,
        })
    }

    /// Every entity of a kind in a company, as stored (inactive and, when asked,
    /// deleted ones included).
    pub(crate) fn entities(
        &self,
        realm: &str,
        entity: &str,
        deleted: bool,
    ) -> Result<Vec<Value>, SandboxError> {
        let kind =
            Kind::parse(entity).ok_or_else(|| SandboxError::UnknownEntity(entity.to_owned()))?;
        let realm = self
            .realm(realm)
            .ok_or_else(|| SandboxError::UnknownRealm(realm.to_owned()))?;
        let company = realm.company();
        Ok(company
            .records(kind)
            .filter(|r| deleted || !r.deleted)
            .map(|r| {
                if r.deleted {
                    Value::Object(r.tombstone())
                } else {
                    r.value()
                }
            })
            .collect())
    }
}

/// Tokens issued directly (see [`Sandbox::issue_tokens`]).
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// The company.
    pub realm_id: String,
    /// A bearer token for the v3 API.
    pub access_token: SecretString,
    /// The refresh token of the connection.
    pub refresh_token: SecretString,
    /// Seconds the access token lives.
    pub expires_in: i64,
}

/// Builds a JSON answer.
pub(crate) fn json_response(status: StatusCode, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

/// A fault answer, noted for the log.
pub(crate) fn fault_response(app: &App, fault: &Fault, note: &mut Note) -> Response {
    let (body, content_type) = fault.body(app.clock.now());
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = fault.status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if !fault.code().is_empty() {
        note.fault_code = Some(fault.code().to_owned());
    }
    CounterSet::add(&app.counters.faults);
    response
}

/// A "response" whose body fails at once: the client sees the connection cut.
pub(crate) fn dropped_response(note: &mut Note) -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other(
            "qbo-sandbox chaos: connection dropped",
        ))
    });
    note.dropped = true;
    Response::new(Body::from_stream(failing))
}

/// `intuit_tid`, a header name of QBO's (not a standard one).
static INTUIT_TID: HeaderName = HeaderName::from_static("intuit_tid");

impl App {
    /// What every answer gets on its way out: its `intuit_tid`, the request count, and
    /// (unless `target` is `None`: inspection calls) its entry in the request log.
    fn answered(
        &self,
        started: Instant,
        method: Method,
        target: Option<Target>,
        note: Note,
        mut response: Response,
    ) -> Response {
        let tid = self.next_tid();
        if let Ok(value) = HeaderValue::from_bytes(&tid.text()) {
            response.headers_mut().insert(INTUIT_TID.clone(), value);
        }
        CounterSet::add(&self.counters.requests);
        let Some(target) = target else {
            return response;
        };
        let entry = Entry {
            at: self.clock.now(),
            method,
            target,
            note,
            status: response.status().as_u16(),
            intuit_tid: tid,
            micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        };
        self.log().push(entry);
        response
    }
}

/// The v3 API, observed like every other route (see [`observe`]) but without a
/// middleware in between: the handler hands its log note over directly.
async fn api_entry(State(app): State<Arc<App>>, request: Request) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let target = Target::of(request.uri());
    let (response, note) = api::handle(&app, request).await;
    app.answered(started, method, Some(target), note, response)
}

/// The middleware around every other route: OAuth, inspection, unknown paths.
async fn observe(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let target =
        (!request.uri().path().starts_with("/_sandbox")).then(|| Target::of(request.uri()));
    let mut response = next.run(request).await;
    let note = response
        .extensions_mut()
        .remove::<Note>()
        .unwrap_or_default();
    app.answered(started, method, target, note, response)
}

async fn not_found(State(app): State<Arc<App>>, request: Request) -> Response {
    let fault = Fault::unsupported(format!(
        "Unsupported operation requested: {} {}",
        request.method(),
        request.uri().path()
    ));
    let mut note = Note::default();
    let mut response = fault_response(&app, &fault, &mut note);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.extensions_mut().insert(note);
    response
}

fn router(app: Arc<App>) -> Router {
    let observed = Router::new()
        .route("/connect/oauth2", get(oauth_http::authorize))
        .route("/oauth2/v1/tokens/bearer", post(oauth_http::token))
        .route("/v2/oauth2/tokens/revoke", post(oauth_http::revoke))
        .nest("/_sandbox", inspect::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), observe));
    Router::new()
        .route("/v3/company/{*rest}", any(api_entry))
        .merge(observed)
        .with_state(app)
}

/// A running sandbox. Dropping it stops the server (in-flight requests finish first).
///
/// ```no_run
/// # async fn run() -> Result<(), qbo_sandbox::SandboxError> {
/// use qbo_sandbox::{Sandbox, SandboxConfig};
/// let sandbox = Sandbox::start(SandboxConfig::default()).await?;
/// let tokens = sandbox.issue_tokens(&sandbox.realm_id())?;
/// println!("{}/v3/company/{}/customer", sandbox.base_url(), tokens.realm_id);
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Sandbox {
    app: Arc<App>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Sandbox {
    /// Binds `config.listen` and serves in a background task.
    ///
    /// # Errors
    /// [`SandboxError::Bind`] when the address cannot be bound; [`SandboxError::Config`]
    /// for an invalid realm id or an empty client id.
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let app = Arc::new(App::new(&config)?);
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: config.listen,
            source,
        })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let service = router(app.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%addr, realm = %app.default_realm, "qbo-sandbox listening");
        Ok(Self {
            app,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:<port>`: give it to `qbo_api::Environment::Custom` and to
    /// `qbo_auth::Endpoints::under`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The company created at start (handed out by the authorize endpoint by default).
    pub fn realm_id(&self) -> String {
        self.app.default_realm.clone()
    }

    /// Every company's id.
    pub fn realm_ids(&self) -> Vec<String> {
        self.app.realm_ids()
    }

    /// Creates a fresh company (or returns the existing one's id).
    ///
    /// # Errors
    /// [`SandboxError::Config`] for an id that is not 1 to 64 ASCII letters, digits, `-`, `_`.
    pub fn create_realm(&self, id: &str) -> Result<String, SandboxError> {
        if !valid_realm_id(id) {
            return Err(SandboxError::Config(format!("invalid realm id {id:?}")));
        }
        self.app.ensure_realm(id);
        Ok(id.to_owned())
    }

    /// Connects `realm` without the browser flow: fresh access and refresh tokens.
    ///
    /// # Errors
    /// [`SandboxError::Config`] for an invalid realm id.
    pub fn issue_tokens(&self, realm: &str) -> Result<IssuedTokens, SandboxError> {
        self.app.issue_tokens(realm)
    }

    /// Every stored entity of `entity` (e.g. `"Customer"`) in `realm`, inactive ones
    /// included; deleted transactions are left out.
    ///
    /// # Errors
    /// [`SandboxError::UnknownEntity`], [`SandboxError::UnknownRealm`].
    pub fn entities(&self, realm: &str, entity: &str) -> Result<Vec<Value>, SandboxError> {
        self.app.entities(realm, entity, false)
    }

    /// The latest `limit` requests, oldest first.
    pub fn requests(&self, limit: usize) -> Vec<LoggedRequest> {
        self.app.log().last(limit)
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        self.app.counters.snapshot()
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        self.app.settings()
    }

    /// Changes the settings (limits, token policy, chaos) from now on.
    pub fn update_settings(&self, change: impl FnOnce(&mut Settings)) {
        let mut settings = self.app.settings();
        change(&mut settings);
        self.app.set_settings(settings);
    }

    /// The sandbox's time.
    pub fn now(&self) -> DateTime<Utc> {
        self.app.clock.now()
    }

    /// Moves the sandbox's time (forward: tokens expire, windows slide; a negative `by`
    /// moves it back); returns the new time. Never panics: the offset saturates at
    /// `TimeDelta`'s bounds and the time at chrono's first and last instants.
    pub fn advance_clock(&self, by: TimeDelta) -> DateTime<Utc> {
        self.app.clock.advance(by)
    }

    /// Back to a fresh state: fresh companies under the same ids, no tokens, empty log,
    /// zero counters. Settings stay.
    pub fn reset(&self) {
        self.app.reset();
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        self.stop_and_wait().await;
    }

    /// Serves until the process gets Ctrl-C (the binary's main loop).
    ///
    /// # Errors
    /// [`SandboxError::Serve`] when the server fails.
    pub async fn run_until_ctrl_c(mut self) -> Result<(), SandboxError> {
        let signal = tokio::signal::ctrl_c();
        if let Some(task) = self.task.as_mut() {
            tokio::select! {
                result = task => {
                    self.task = None;
                    return match result {
                        Ok(Ok(())) => Ok(()),
                        Ok(Err(e)) => Err(SandboxError::Serve(e)),
                        Err(e) => Err(SandboxError::Serve(std::io::Error::other(e))),
                    };
                }
                _ = signal => {}
            }
        }
        self.stop_and_wait().await;
        Ok(())
    }

    async fn stop_and_wait(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
