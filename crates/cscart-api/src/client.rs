//! [`CscartClient`]: the typed async client and its builder.
//!
//! Every request goes: per-store permit → one HTTP attempt → classify → retry (reads only,
//! on 5xx and transport errors, with bounded exponential backoff) or return.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tracing::{debug, warn};
use url::Url;

use crate::decode::{self, Page};
use crate::error::{ApiMessage, CscartError, snippet};
use crate::ids::{CategoryId, CustomerId, OrderId, ProductId, VendorId};
use crate::model::{Category, Company, Order, OrderSummary, Product, Status, User};

/// The default number of requests in flight per store (shops are often small servers).
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The default page size asked for.
pub const DEFAULT_ITEMS_PER_PAGE: u32 = 100;

/// Query parameters of a list call (`status`, `updated_at_from`, `sort_by`...); `page` and
/// `items_per_page` are set by the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    params: Vec<(String, String)>,
}

impl ListQuery {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one parameter (repeat a key ending in `[]` for an array).
    #[must_use]
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((key.into(), value.into()));
        self
    }

    /// The parameters in order.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The parameters with `page` and `items_per_page` added.
    fn paged(&self, page: u64, items_per_page: u32) -> Vec<(String, String)> {
        let mut params = self.params.clone();
        params.push(("page".to_owned(), page.to_string()));
        params.push(("items_per_page".to_owned(), items_per_page.to_string()));
        params
    }
}

/// Builds a [`CscartClient`].
pub struct CscartClientBuilder {
    base_url: String,
    email: String,
    api_key: SecretString,
    api_version: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    concurrency: usize,
    items_per_page: u32,
}

impl fmt::Debug for CscartClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CscartClientBuilder")
            .field("base_url", &self.base_url)
            .field("email", &self.email)
            .field("api_key", &"[redacted]")
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl CscartClientBuilder {
    /// Starts a builder for the store at `base_url` (the shop's root, e.g.
    /// `https://shop.example/`), with the admin's e-mail and API key.
    pub fn new(
        base_url: impl Into<String>,
        email: impl Into<String>,
        api_key: SecretString,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            email: email.into(),
            api_key,
            api_version: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            concurrency: DEFAULT_CONCURRENCY,
            items_per_page: DEFAULT_ITEMS_PER_PAGE,
        }
    }

    /// Pins the API version path (`"2.0"` → `/api/2.0/...`); unset, the store's current one.
    #[must_use]
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// The whole-request timeout (default 60 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connect timeout (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Attempts per read in all, the first included (default 4; at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the second attempt, doubled for each further one up to `max`.
    #[must_use]
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Requests in flight at once to this store (default 4; at least 1).
    #[must_use]
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.max(1);
        self
    }

    /// The page size asked for by the `all_*` calls (default 100; at least 1).
    #[must_use]
    pub fn items_per_page(mut self, n: u32) -> Self {
        self.items_per_page = n.max(1);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<CscartClient, CscartError> {
        let invalid = |reason: String| CscartError::InvalidInput {
            what: "base URL",
            reason,
        };
        let mut base = self.base_url.clone();
        if !base.ends_with('/') {
            base.push('/');
        }
        let base = Url::parse(&base).map_err(|e| invalid(format!("{base:?}: {e}")))?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(invalid(format!("{base} is not an http(s) URL")));
        }
        let root_path = match &self.api_version {
            Some(v) => format!("api/{}/", v.trim_matches('/')),
            None => "api/".to_owned(),
        };
        let api_root = base
            .join(&root_path)
            .map_err(|e| invalid(format!("{root_path:?}: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(|e| CscartError::InvalidInput {
                what: "HTTP client",
                reason: e.to_string(),
            })?;
        Ok(CscartClient {
            inner: Arc::new(Inner {
                http,
                api_root,
                email: self.email,
                api_key: self.api_key,
                limiter: Semaphore::new(self.concurrency),
                max_attempts: self.max_attempts,
                initial_backoff: self.initial_backoff,
                max_backoff: self.max_backoff,
                items_per_page: self.items_per_page,
            }),
        })
    }
}

struct Inner {
    http: reqwest::Client,
    api_root: Url,
    email: String,
    api_key: SecretString,
    limiter: Semaphore,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    items_per_page: u32,
}

/// A typed client for one CS-Cart store. Clones share the connection pool and the
/// concurrency limit.
#[derive(Clone)]
pub struct CscartClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for CscartClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CscartClient")
            .field("api_root", &self.inner.api_root.as_str())
            .field("email", &self.inner.email)
            .field("api_key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<serde_json::Value>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
    #[serde(default)]
    messages: Option<serde_json::Value>,
}

fn texts(value: Option<serde_json::Value>) -> Vec<String> {
    match value {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::String(s)) => vec![s],
        Some(serde_json::Value::Array(a)) => a.into_iter().flat_map(|v| texts(Some(v))).collect(),
        Some(serde_json::Value::Object(o)) => {
            o.into_iter().flat_map(|(_, v)| texts(Some(v))).collect()
        }
        Some(other) => vec![other.to_string()],
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = String::from_utf8_lossy(&body[..body.len().min(256)]).to_ascii_lowercase();
    let t = start.trim_start();
    t.starts_with("<!doctype") || t.starts_with("<html") || t.starts_with('<')
}

/// Turns an error answer into its typed error.
fn classify(operation: &str, status: u16, body: &[u8]) -> CscartError {
    let operation = operation.to_owned();
    if status == 401 {
        return CscartError::Unauthorized { operation };
    }
    let parsed = serde_json::from_slice::<ErrorBody>(body).ok().map(|b| {
        let message = texts(b.message).join("; ");
        let mut errors = texts(b.errors);
        errors.extend(texts(b.messages));
        ApiMessage { message, errors }
    });
    match (status, parsed) {
        (403, Some(message)) => CscartError::Forbidden { operation, message },
        (404, Some(message)) => CscartError::NotFound { operation, message },
        (_, Some(message)) => CscartError::Api {
            operation,
            status,
            message,
        },
        (_, None) if looks_like_html(body) => CscartError::Html {
            operation,
            status,
            snippet: snippet(body),
        },
        (403, None) => CscartError::Forbidden {
            operation,
            message: ApiMessage {
                message: snippet(body),
                errors: Vec::new(),
            },
        },
        (404, None) => CscartError::NotFound {
            operation,
            message: ApiMessage {
                message: snippet(body),
                errors: Vec::new(),
            },
        },
        (_, None) => CscartError::Status {
            operation,
            status,
            snippet: snippet(body),
        },
    }
}

impl CscartClient {
    /// Starts a builder; see [`CscartClientBuilder::new`].
    pub fn builder(
        base_url: impl Into<String>,
        email: impl Into<String>,
        api_key: SecretString,
    ) -> CscartClientBuilder {
        CscartClientBuilder::new(base_url, email, api_key)
    }

    /// The API root every path is relative to (e.g. `https://shop.example/api/`).
    pub fn api_root(&self) -> &Url {
        &self.inner.api_root
    }

    fn url(&self, segments: &[&str]) -> Result<Url, CscartError> {
        let mut url = self.inner.api_root.clone();
        url.path_segments_mut()
            .map_err(|()| CscartError::InvalidInput {
                what: "base URL",
                reason: "cannot carry a path".to_owned(),
            })?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(16);
        let step = self
            .inner
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.inner.max_backoff);
        let half = step / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// One GET with retries; returns the body of a 2xx answer that is not an HTML page.
    async fn get(
        &self,
        segments: &[&str],
        query: &[(String, String)],
    ) -> Result<Bytes, CscartError> {
        let operation = format!("GET {}", segments.join("/"));
        let url = self.url(segments)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.attempt(&operation, &url, query).await;
            match result {
                Ok(body) => return Ok(body),
                Err(err) if err.is_transient() && attempt < self.inner.max_attempts => {
                    let wait = self.backoff(attempt);
                    warn!(%operation, attempt, ?wait, error = %err, "CS-Cart read failed; retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn attempt(
        &self,
        operation: &str,
        url: &Url,
        query: &[(String, String)],
    ) -> Result<Bytes, CscartError> {
        let transport = |source| CscartError::Transport {
            operation: operation.to_owned(),
            source,
        };
        let _permit =
            self.inner
                .limiter
                .acquire()
                .await
                .map_err(|e| CscartError::InvalidInput {
                    what: "concurrency limiter",
                    reason: e.to_string(),
                })?;
        debug!(%operation, "CS-Cart request");
        let response = self
            .inner
            .http
            .get(url.clone())
            .query(query)
            .basic_auth(&self.inner.email, Some(self.inner.api_key.expose_secret()))
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(transport)?;
        debug!(%operation, status, bytes = body.len(), "CS-Cart answer");
        if !(200..300).contains(&status) {
            return Err(classify(operation, status, &body));
        }
        if looks_like_html(&body) {
            return Err(CscartError::Html {
                operation: operation.to_owned(),
                status,
                snippet: snippet(&body),
            });
        }
        Ok(body)
    }

    async fn entity<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        what: &str,
        id_field: &str,
    ) -> Result<T, CscartError> {
        let body = self.get(segments, &[]).await?;
        let asked = segments.last().copied().unwrap_or_default();
        match decode::id_of(&body, id_field) {
            Some(answered) if answered.trim() != asked => Err(CscartError::Mismatch {
                operation: format!("GET {}", segments.join("/")),
                asked: format!("{what} {asked}"),
                answered: format!("{what} {answered}"),
            }),
            _ => decode::entity(&body, what, id_field),
        }
    }

    async fn page<T: DeserializeOwned>(
        &self,
        key: &str,
        query: &ListQuery,
        page: u64,
        items_per_page: u32,
        what: &str,
        id_field: &str,
    ) -> Result<Page<T>, CscartError> {
        self.page_at(&[key], key, query, page, items_per_page, what, id_field)
            .await
    }

    /// One page of the list at `segments` whose entities are under `key`.
    #[allow(clippy::too_many_arguments)]
    async fn page_at<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        key: &str,
        query: &ListQuery,
        page: u64,
        items_per_page: u32,
        what: &str,
        id_field: &str,
    ) -> Result<Page<T>, CscartError> {
        let body = self
            .get(segments, &query.paged(page, items_per_page))
            .await?;
        decode::page(&body, key, what, id_field)
    }

    /// Reads every page, stopping by `total_items` (users repeat their last page past the
    /// end), at an empty page, or at a short page when `total_items` is absent.
    async fn all<T: DeserializeOwned>(
        &self,
        key: &str,
        query: &ListQuery,
        what: &str,
        id_field: &str,
    ) -> Result<Vec<T>, CscartError> {
        self.all_at(&[key], key, query, what, id_field).await
    }

    /// [`all`](Self::all) for the list at `segments` whose entities are under `key`.
    async fn all_at<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        key: &str,
        query: &ListQuery,
        what: &str,
        id_field: &str,
    ) -> Result<Vec<T>, CscartError> {
        let per_page = self.inner.items_per_page;
        let mut out: Vec<T> = Vec::new();
        let mut page = 1u64;
        loop {
            let got: Page<T> = self
                .page_at(segments, key, query, page, per_page, what, id_field)
                .await?;
            let n = got.items.len();
            out.extend(got.items);
            if page_is_last(page, per_page, n, got.total_items) {
                if let Some(total) = got.total_items {
                    out.truncate(usize::try_from(total).unwrap_or(usize::MAX));
                }
                return Ok(out);
            }
            page += 1;
        }
    }

    /// One page of `GET /products`.
    pub async fn products_page(
        &self,
        query: &ListQuery,
        page: u64,
        items_per_page: u32,
    ) -> Result<Page<Product>, CscartError> {
        self.page(
            "products",
            query,
            page,
            items_per_page,
            "product",
            "product_id",
        )
        .await
    }

    /// Every product matching `query`.
    pub async fn all_products(&self, query: &ListQuery) -> Result<Vec<Product>, CscartError> {
        self.all("products", query, "product", "product_id").await
    }

    /// `GET /products/<id>`.
    pub async fn product(&self, id: &ProductId) -> Result<Product, CscartError> {
        self.entity(&["products", id.as_str()], "product", "product_id")
            .await
    }

    /// One page of `GET /categories`.
    pub async fn categories_page(
        &self,
        query: &ListQuery,
        page: u64,
        items_per_page: u32,
    ) -> Result<Page<Category>, CscartError> {
        self.page(
            "categories",
            query,
            page,
            items_per_page,
            "category",
            "category_id",
        )
        .await
    }

    /// Every category matching `query`.
    pub async fn all_categories(&self, query: &ListQuery) -> Result<Vec<Category>, CscartError> {
        self.all("categories", query, "category", "category_id")
            .await
    }

    /// `GET /categories/<id>`.
    pub async fn category(&self, id: &CategoryId) -> Result<Category, CscartError> {
        self.entity(&["categories", id.as_str()], "category", "category_id")
            .await
    }

    /// One page of `GET /users` of one `user_type` (`C` customers; newer versions require
    /// it).
    pub async fn users_page(
        &self,
        user_type: &str,
        query: &ListQuery,
        page: u64,
        items_per_page: u32,
    ) -> Result<Page<User>, CscartError> {
        let query = query.clone().param("user_type", user_type);
        self.page("users", &query, page, items_per_page, "user", "user_id")
            .await
    }

    /// Every user of one `user_type` matching `query`.
    pub async fn all_users(
        &self,
        user_type: &str,
        query: &ListQuery,
    ) -> Result<Vec<User>, CscartError> {
        let query = query.clone().param("user_type", user_type);
        self.all("users", &query, "user", "user_id").await
    }

    /// `GET /users/<id>`. CS-Cart 4.16+ answers a missing user with 200 and an empty
    /// `users` list: that is [`CscartError::NotFound`] here.
    pub async fn user(&self, id: &CustomerId) -> Result<User, CscartError> {
        let segments = ["users", id.as_str()];
        let body = self.get(&segments, &[]).await?;
        // 4.16+ may answer as a list: empty for a missing user, else the user in it.
        let listed = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .filter(|v| v.get("user_id").is_none())
            .and_then(
                |mut v| match v.get_mut("users").map(serde_json::Value::take) {
                    Some(serde_json::Value::Array(users)) => Some(users),
                    _ => None,
                },
            );
        let operation = || format!("GET {}", segments.join("/"));
        let id_text = |v: &serde_json::Value| match v.get("user_id") {
            Some(serde_json::Value::String(s)) => s.trim().to_owned(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => "(no user_id)".to_owned(),
        };
        match listed {
            Some(users) if users.is_empty() => Err(CscartError::NotFound {
                operation: operation(),
                message: ApiMessage {
                    message: "no such user".to_owned(),
                    errors: Vec::new(),
                },
            }),
            // Only the user asked for is taken from a list; a list of others is no answer
            // (never another customer's data, never a sign that the user is gone).
            Some(users) => match users.iter().find(|u| id_text(u) == id.as_str()) {
                Some(user) => {
                    let bytes = serde_json::to_vec(user).unwrap_or_default();
                    decode::entity(&bytes, "user", "user_id")
                }
                None => Err(CscartError::Mismatch {
                    operation: operation(),
                    asked: format!("user {id}"),
                    answered: format!(
                        "users {}",
                        users.iter().map(id_text).collect::<Vec<_>>().join(", ")
                    ),
                }),
            },
            None => match decode::id_of(&body, "user_id") {
                Some(answered) if answered.trim() != id.as_str() => Err(CscartError::Mismatch {
                    operation: operation(),
                    asked: format!("user {id}"),
                    answered: format!("user {answered}"),
                }),
                _ => decode::entity(&body, "user", "user_id"),
            },
        }
    }

    /// One page of `GET /orders` (marketplace parent orders never appear).
    pub async fn orders_page(
        &self,
        query: &ListQuery,
        page: u64,
        items_per_page: u32,
    ) -> Result<Page<OrderSummary>, CscartError> {
        self.page("orders", query, page, items_per_page, "order", "order_id")
            .await
    }

    /// One page of `GET /orders?get_orders_data=Y`: full orders (with `updated_at`, lines
    /// and taxes) instead of list rows.
    pub async fn full_orders_page(
        &self,
        query: &ListQuery,
        page: u64,
        items_per_page: u32,
    ) -> Result<Page<Order>, CscartError> {
        let query = query.clone().param("get_orders_data", "Y");
        self.page("orders", &query, page, items_per_page, "order", "order_id")
            .await
    }

    /// Every order row matching `query`.
    pub async fn all_orders(&self, query: &ListQuery) -> Result<Vec<OrderSummary>, CscartError> {
        self.all("orders", query, "order", "order_id").await
    }

    /// `GET /orders/<id>`: the full order.
    pub async fn order(&self, id: &OrderId) -> Result<Order, CscartError> {
        self.entity(&["orders", id.as_str()], "order", "order_id")
            .await
    }

    /// Every order status (`GET /statuses`, type `O`).
    pub async fn statuses(&self) -> Result<Vec<Status>, CscartError> {
        self.all("statuses", &ListQuery::new(), "status", "status_id")
            .await
    }

    /// Every Multi-Vendor vendor (`GET /vendors`).
    pub async fn vendors(&self) -> Result<Vec<Company>, CscartError> {
        self.all("vendors", &ListQuery::new(), "vendor", "company_id")
            .await
    }

    /// `GET /vendors/<id>`.
    pub async fn vendor(&self, id: &VendorId) -> Result<Company, CscartError> {
        self.entity(&["vendors", id.as_str()], "vendor", "company_id")
            .await
    }

    /// Every storefront company (`GET /stores`; CS-Cart Ultimate and 4.x storefronts).
    pub async fn stores(&self) -> Result<Vec<Company>, CscartError> {
        self.all("stores", &ListQuery::new(), "store", "company_id")
            .await
    }

    /// Every product of one company: `GET /vendors/<id>/products` (Multi-Vendor,
    /// [`CompanyScope::Vendors`]) or `GET /stores/<id>/products` ([`CompanyScope::Stores`]).
    pub async fn company_products(
        &self,
        scope: CompanyScope,
        company: &VendorId,
        query: &ListQuery,
    ) -> Result<Vec<Product>, CscartError> {
        let segments = [scope.as_str(), company.as_str(), "products"];
        self.all_at(&segments, "products", query, "product", "product_id")
            .await
    }

    /// One page of a list, each entity decoded on its own: the entities that do not decode
    /// come back as errors beside the ones that do, so one bad row does not hide a page.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn page_tolerant<T: DeserializeOwned>(
        &self,
        key: &str,
        query: &ListQuery,
        page: u64,
        items_per_page: u32,
        what: &str,
        id_field: &str,
    ) -> Result<(Page<T>, Vec<CscartError>), CscartError> {
        let body = self.get(&[key], &query.paged(page, items_per_page)).await?;
        decode::page_tolerant(&body, key, what, id_field)
    }
}

/// Whether a list page is the last one: empty, short (when `total_items` is absent) or
/// reaching `total_items`.
pub(crate) fn page_is_last(page: u64, per_page: u32, got: usize, total: Option<u64>) -> bool {
    match total {
        Some(total) => got == 0 || page.saturating_mul(u64::from(per_page)) >= total,
        None => got < usize::try_from(per_page).unwrap_or(usize::MAX),
    }
}

/// Which company path a product list is scoped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanyScope {
    /// `/vendors/<id>/...` (Multi-Vendor).
    Vendors,
    /// `/stores/<id>/...` (storefronts).
    Stores,
}

impl CompanyScope {
    fn as_str(self) -> &'static str {
        match self {
            Self::Vendors => "vendors",
            Self::Stores => "stores",
        }
    }
}
