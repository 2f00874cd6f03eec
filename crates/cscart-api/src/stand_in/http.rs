//! The HTTP side: `/api/[2.0|2.1/]<entity>[/<id>[/<child>]]`, Basic auth, lists with
//! CS-Cart's paging and filters, and the faults tests ask for.

use std::cmp::Ordering;
use std::sync::Arc;
use std::sync::atomic::Ordering as AtomicOrdering;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::data::{CategoryData, CompanyData, OrderData, ProductData, Store, UserData};
use super::json::{
    CategoryRow, CompanyRow, FullOrder, OrderRow, ProductRow, UserRow, statuses, to_bytes,
    write_row,
};
use super::{App, FaultKind, Faults};

/// The router: everything goes through one handler that reads the path itself.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let uri = request.uri();
    app.serve(request.method(), uri.path(), uri.query(), request.headers())
}

/// The entities served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Products,
    Categories,
    Users,
    Orders,
    Statuses,
    Vendors,
    Stores,
}

impl Kind {
    fn parse(segment: &str) -> Option<Self> {
        Some(match segment {
            "products" => Self::Products,
            "categories" => Self::Categories,
            "users" => Self::Users,
            "orders" => Self::Orders,
            "statuses" => Self::Statuses,
            "vendors" => Self::Vendors,
            "stores" => Self::Stores,
            _ => return None,
        })
    }

    fn key(self) -> &'static str {
        match self {
            Self::Products => "products",
            Self::Categories => "categories",
            Self::Users => "users",
            Self::Orders => "orders",
            Self::Statuses => "statuses",
            Self::Vendors => "vendors",
            Self::Stores => "stores",
        }
    }

    /// The default `sort_by` and the `sort_order` it defaults to.
    fn default_sort(self) -> &'static str {
        match self {
            Self::Products => "product",
            Self::Categories => "position",
            Self::Users => "name",
            Self::Orders => "date",
            Self::Statuses => "position",
            Self::Vendors | Self::Stores => "company",
        }
    }
}

fn default_order(sort_by: &str) -> &'static str {
    match sort_by {
        "timestamp" | "updated_timestamp" | "date" | "popularity" => "desc",
        _ => "asc",
    }
}

/// PHP's `(int)` of a string: leading digits (with a sign), else 0.
pub(crate) fn php_int(text: &str) -> i64 {
    let t = text.trim_start();
    let (sign, digits) = match t.as_bytes().first() {
        Some(b'-') => (-1, &t[1..]),
        Some(b'+') => (1, &t[1..]),
        _ => (1, t),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse::<i64>().map_or(0, |n| sign * n)
}

/// The query string.
#[derive(Debug, Default)]
struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    /// The last non-empty value of `key`.
    fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, `key[]` and `key[<n>]`, comma lists split, blanks dropped.
    fn values(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| {
                k == key
                    || k.strip_prefix(key)
                        .is_some_and(|rest| rest.starts_with('[') && rest.ends_with(']'))
            })
            .flat_map(|(_, v)| v.split(','))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn ids(&self, key: &str) -> Vec<u64> {
        self.values(key)
            .iter()
            .filter_map(|v| u64::try_from(php_int(v)).ok())
            .filter(|id| *id != 0)
            .collect()
    }

    fn letters(&self, key: &str) -> Vec<char> {
        self.values(key)
            .iter()
            .filter_map(|v| v.chars().next())
            .collect()
    }

    fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v.trim(), "Y" | "y" | "1" | "true"))
    }

    fn present(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| !matches!(v.trim(), "N" | "0"))
    }

    fn decimal(&self, key: &str) -> Option<Decimal> {
        self.get(key).and_then(|v| v.trim().parse().ok())
    }

    fn int(&self, key: &str) -> Option<i64> {
        self.get(key).map(php_int)
    }

    /// Everything but paging, sorted: the part of a list request that selects rows.
    fn selection(&self) -> String {
        let mut pairs: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "page" && k != "items_per_page")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.sort();
        pairs.join("&")
    }

    /// The request parameters as CS-Cart echoes them in `params`.
    fn echo(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for (k, v) in &self.pairs {
            match k.find('[') {
                Some(i) if k.ends_with(']') => {
                    let entry = map
                        .entry(k[..i].to_owned())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = entry {
                        items.push(Value::String(v.clone()));
                    }
                }
                _ => {
                    map.insert(k.clone(), Value::String(v.clone()));
                }
            }
        }
        map
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// CS-Cart's error body: `{"message": "...", "status": <code>}`.
fn error(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        to_bytes(&serde_json::json!({"message": message, "status": status.as_u16()})),
    )
}

fn unauthorized() -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, "Unauthorized");
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"User email/API key\""),
    );
    response
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found")
}

fn fault_response(kind: &FaultKind) -> Response {
    match kind {
        FaultKind::Status500 => error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        FaultKind::Forbidden403 => error(StatusCode::FORBIDDEN, "Forbidden: Access denied"),
        FaultKind::NotJson => json_response(StatusCode::OK, b"{oops".to_vec()),
        FaultKind::Html => {
            let mut response = Response::new(Body::from(
                "<!DOCTYPE html>\n<html><head><title>Store closed</title></head>\
                 <body><h1>The store is closed for maintenance</h1>\
                 <p>Please come back later.</p></body></html>\n",
            ));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
    }
}

/// Decodes standard base64 (padding optional); `None` on anything else.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in text.trim_end_matches('=').bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// The `/api/` path segments after an optional version; `None` outside the API.
fn api_segments(path: &str) -> Option<Vec<&str>> {
    let rest = path.strip_prefix("/api")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let mut segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if matches!(segments.first(), Some(&"2.0" | &"2.1")) {
        segments.remove(0);
    }
    Some(segments)
}

/// The highest id visible when only the first `n` ids of `ids` are.
fn visible_max(mut ids: impl Iterator<Item = u64>, n: usize) -> u64 {
    if n == 0 {
        return 0;
    }
    ids.nth(n - 1).unwrap_or(u64::MAX)
}

/// One list request, resolved.
struct ListRequest<'q> {
    kind: Kind,
    query: &'q Query,
    scope: Option<u64>,
    sort_by: String,
    descending: bool,
}

fn cmp_then<T: Ord + ?Sized>(a: &T, b: &T, ida: u64, idb: u64) -> Ordering {
    a.cmp(b).then(ida.cmp(&idb))
}

impl App {
    /// One request to the API.
    fn serve(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
    ) -> Response {
        let Some(segments) = api_segments(path) else {
            return not_found();
        };
        self.requests.fetch_add(1, AtomicOrdering::Relaxed);
        if !self.authorized(headers) {
            return unauthorized();
        }
        if method != Method::GET {
            return error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
        }
        let query = Query::parse(query);
        let faults = self.faults();
        match segments.as_slice() {
            [entity] => match Kind::parse(entity) {
                Some(kind) => self.list(kind, &query, None, &faults),
                None => not_found(),
            },
            [entity, id] => match Kind::parse(entity) {
                Some(kind) => self.single(kind, id, &faults),
                None => not_found(),
            },
            ["vendors" | "stores", id, child] => {
                let company = u64::try_from(php_int(id)).unwrap_or(0);
                let exists = self.read().companies.contains_key(&company);
                match (exists, Kind::parse(child)) {
                    (true, Some(kind @ (Kind::Products | Kind::Categories))) => {
                        self.list(kind, &query, Some(company), &faults)
                    }
                    _ => not_found(),
                }
            }
            _ => not_found(),
        }
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some((scheme, token)) = value.trim().split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        let Some(text) = base64_decode(token.trim()).and_then(|b| String::from_utf8(b).ok()) else {
            return false;
        };
        let Some((email, key)) = text.split_once(':') else {
            return false;
        };
        if email != self.config.email || key != self.config.api_key {
            return false;
        }
        // The account must exist, be an administrator and be active.
        self.read()
            .users
            .values()
            .any(|u| u.email == email && matches!(u.user_type, 'A' | 'V') && u.status == 'A')
    }

    fn single(&self, kind: Kind, id: &str, faults: &Faults) -> Response {
        let Ok(id) = id.trim().parse::<u64>() else {
            return if kind == Kind::Users {
                self.missing_user(id)
            } else {
                not_found()
            };
        };
        let store = self.read();
        let hidden = faults
            .visible_limit
            .as_ref()
            .filter(|(key, _)| key == kind.key())
            .is_some_and(|(_, n)| id > visible_max(ids_of(&store, kind), *n));
        let patches = patches_for(faults, kind.key(), id);
        let mut out = Vec::new();
        let written = match kind {
            Kind::Products => store
                .products
                .get(&id)
                .filter(|_| !hidden)
                .map(|p| write_row(&mut out, &ProductRow { p, store: &store }, &patches)),
            Kind::Categories => store
                .categories
                .get(&id)
                .filter(|_| !hidden)
                .map(|c| write_row(&mut out, &CategoryRow(c), &patches)),
            Kind::Users => match store.users.get(&id).filter(|_| !hidden) {
                Some(u) => Some(write_row(&mut out, &UserRow { u, store: &store }, &patches)),
                None => {
                    drop(store);
                    return self.missing_user(&id.to_string());
                }
            },
            Kind::Orders => store
                .orders
                .get(&id)
                .filter(|_| !hidden)
                .map(|o| write_row(&mut out, &FullOrder { o, store: &store }, &patches)),
            Kind::Vendors | Kind::Stores => store
                .companies
                .get(&id)
                .filter(|_| !hidden)
                .map(|c| write_row(&mut out, &CompanyRow(c), &patches)),
            Kind::Statuses => statuses()
                .into_iter()
                .find(|s| s.get("status_id").and_then(Value::as_str) == Some(&id.to_string()))
                .map(|s| write_row(&mut out, &s, &patches)),
        };
        match written {
            Some(Ok(())) => json_response(StatusCode::OK, out),
            Some(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            None => not_found(),
        }
    }

    /// CS-Cart 4.16+: a missing user is 200 with an empty list.
    fn missing_user(&self, id: &str) -> Response {
        let body = serde_json::json!({
            "users": [],
            "params": {
                "user_id": id,
                "page": 1,
                "items_per_page": self.config.default_items_per_page,
                "total_items": "0"
            }
        });
        json_response(StatusCode::OK, to_bytes(&body))
    }

    fn list(&self, kind: Kind, query: &Query, scope: Option<u64>, faults: &Faults) -> Response {
        let page = query
            .int("page")
            .and_then(|p| u64::try_from(p).ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        let per_page_given = query.get("items_per_page").is_some();
        let per_page = match query.int("items_per_page") {
            Some(n) => u64::try_from(n).unwrap_or(0),
            None => u64::from(self.config.default_items_per_page),
        };
        if let Some((key, fault_page, fault)) = &faults.fail_page
            && key == kind.key()
            && *fault_page == page
        {
            return fault_response(fault);
        }
        if kind == Kind::Users
            && self.config.require_user_type
            && query.values("user_type").is_empty()
        {
            let body = serde_json::json!({
                "message": "Bad Request: user_type is required",
                "errors": ["user_type"],
                "status": 400
            });
            return json_response(StatusCode::BAD_REQUEST, to_bytes(&body));
        }
        let sort_by = query
            .get("sort_by")
            .filter(|s| sort_known(kind, s))
            .unwrap_or(kind.default_sort())
            .to_owned();
        let sort_order = match query.get("sort_order") {
            Some("asc") => "asc",
            Some("desc") => "desc",
            _ => default_order(&sort_by),
        };
        let request = ListRequest {
            kind,
            query,
            scope,
            descending: sort_order == "desc",
            sort_by,
        };
        let store = self.read();
        let full_orders = kind == Kind::Orders && query.flag("get_orders_data");

        // The rows, filtered and sorted (cached per selection and shop version).
        let statuses_rows = if kind == Kind::Statuses {
            statuses()
        } else {
            Vec::new()
        };
        let ids: Arc<Vec<u64>> = if kind == Kind::Statuses {
            Arc::new((0..u64::try_from(statuses_rows.len()).unwrap_or(0)).collect())
        } else {
            let limit = faults
                .visible_limit
                .as_ref()
                .filter(|(key, _)| key == kind.key())
                .map(|(_, n)| *n);
            let cache_key = format!(
                "{}|{}|{}|{:?}|{:?}|{}|{}",
                store.version,
                self.now(),
                kind.key(),
                scope,
                limit,
                request.sort_by,
                query.selection(),
            );
            let now = self.now();
            self.cached(cache_key, || {
                let max = limit.map_or(u64::MAX, |n| visible_max(ids_of(&store, kind), n));
                select(&store, &request, now, max)
            })
        };

        // The page.
        let total = ids.len();
        let mut page_used = page;
        if kind == Kind::Users && per_page > 0 && total > 0 {
            let last = u64::try_from(total).unwrap_or(u64::MAX).div_ceil(per_page);
            page_used = page.min(last);
        }
        let range = if per_page == 0 {
            0..total
        } else {
            let start = usize::try_from((page_used - 1).saturating_mul(per_page))
                .unwrap_or(usize::MAX)
                .min(total);
            let end = usize::try_from(per_page)
                .map_or(total, |n| start.saturating_add(n))
                .min(total);
            start..end
        };

        let mut out = Vec::with_capacity(range.len() * 1200 + 256);
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(kind.key().as_bytes());
        out.extend_from_slice(b"\":[");
        for (n, index) in range.enumerate() {
            if n > 0 {
                out.push(b',');
            }
            let id = ids[index];
            let result = if kind == Kind::Statuses {
                write_row(&mut out, &statuses_rows[index], &[])
            } else {
                let patches = patches_for(faults, kind.key(), id);
                write_entity(&mut out, &store, kind, id, &patches, full_orders)
            };
            if let Err(e) = result {
                return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
            }
        }
        drop(store);
        out.extend_from_slice(b"],\"params\":");
        let mut params = query.echo();
        params.insert("page".to_owned(), Value::from(page_used));
        if !per_page_given {
            params.insert("items_per_page".to_owned(), Value::from(per_page));
        }
        if kind != Kind::Statuses {
            params.insert("sort_by".to_owned(), Value::from(request.sort_by));
            params.insert("sort_order".to_owned(), Value::from(sort_order));
        }
        if kind == Kind::Statuses {
            params.insert("type".to_owned(), Value::from("O"));
        }
        let total_value = match kind {
            Kind::Statuses => Some(Value::from(total)),
            Kind::Orders | Kind::Users if per_page == 0 => None,
            Kind::Products | Kind::Categories if per_page == 0 => Some(Value::from(total)),
            _ => Some(Value::from(total.to_string())),
        };
        if let Some(v) = total_value {
            params.insert("total_items".to_owned(), v);
        }
        if let Err(e) = serde_json::to_writer(&mut out, &params) {
            return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
        }
        out.push(b'}');
        json_response(StatusCode::OK, out)
    }

    fn cached(&self, key: String, compute: impl FnOnce() -> Vec<u64>) -> Arc<Vec<u64>> {
        {
            let mut cache = self.cache();
            if let Some(pos) = cache.iter().position(|(k, _)| *k == key) {
                let entry = cache.remove(pos);
                let ids = Arc::clone(&entry.1);
                cache.insert(0, entry);
                return ids;
            }
        }
        let ids = Arc::new(compute());
        let mut cache = self.cache();
        cache.insert(0, (key, Arc::clone(&ids)));
        cache.truncate(16);
        ids
    }
}

fn sort_known(kind: Kind, sort_by: &str) -> bool {
    let known: &[&str] = match kind {
        Kind::Products => &[
            "code",
            "status",
            "product",
            "position",
            "price",
            "list_price",
            "weight",
            "amount",
            "timestamp",
            "updated_timestamp",
            "popularity",
            "company",
        ],
        Kind::Orders => &["order_id", "status", "customer", "email", "date", "total"],
        Kind::Users => &[
            "id", "username", "email", "name", "date", "type", "status", "phone",
        ],
        Kind::Categories => &["position", "name", "timestamp", "id"],
        Kind::Vendors | Kind::Stores => &["id", "company", "status", "date", "email"],
        Kind::Statuses => &["position"],
    };
    known.contains(&sort_by)
}

fn ids_of(store: &Store, kind: Kind) -> Box<dyn Iterator<Item = u64> + '_> {
    match kind {
        Kind::Products => Box::new(store.products.keys().copied()),
        Kind::Categories => Box::new(store.categories.keys().copied()),
        Kind::Users => Box::new(store.users.keys().copied()),
        Kind::Orders => Box::new(store.orders.keys().copied()),
        Kind::Vendors | Kind::Stores => Box::new(store.companies.keys().copied()),
        Kind::Statuses => Box::new(std::iter::empty()),
    }
}

fn patches_for<'f>(faults: &'f Faults, key: &str, id: u64) -> Vec<(&'f str, &'f Value)> {
    faults
        .corrupt
        .iter()
        .filter(|(k, i, _, _)| k == key && *i == id)
        .map(|(_, _, field, value)| (field.as_str(), value))
        .collect()
}

fn write_entity(
    out: &mut Vec<u8>,
    store: &Store,
    kind: Kind,
    id: u64,
    patches: &[(&str, &Value)],
    full_orders: bool,
) -> Result<(), serde_json::Error> {
    match kind {
        Kind::Products => match store.products.get(&id) {
            Some(p) => write_row(out, &ProductRow { p, store }, patches),
            None => Ok(()),
        },
        Kind::Categories => match store.categories.get(&id) {
            Some(c) => write_row(out, &CategoryRow(c), patches),
            None => Ok(()),
        },
        Kind::Users => match store.users.get(&id) {
            Some(u) => write_row(out, &UserRow { u, store }, patches),
            None => Ok(()),
        },
        Kind::Orders => match store.orders.get(&id) {
            Some(o) if full_orders => write_row(out, &FullOrder { o, store }, patches),
            Some(o) => write_row(out, &OrderRow(o), patches),
            None => Ok(()),
        },
        Kind::Vendors | Kind::Stores => match store.companies.get(&id) {
            Some(c) => write_row(out, &CompanyRow(c), patches),
            None => Ok(()),
        },
        Kind::Statuses => Ok(()),
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// The ids of the rows a list request selects, in its order.
fn select(store: &Store, r: &ListRequest<'_>, now: i64, max_id: u64) -> Vec<u64> {
    let mut ids = match r.kind {
        Kind::Products => select_products(store, r, now, max_id),
        Kind::Categories => select_categories(store, r, max_id),
        Kind::Users => select_users(store, r, max_id),
        Kind::Orders => select_orders(store, r, max_id),
        Kind::Vendors | Kind::Stores => select_companies(store, r, max_id),
        Kind::Statuses => Vec::new(),
    };
    if r.descending {
        ids.reverse();
    }
    ids
}

fn company_filter(r: &ListRequest<'_>) -> Option<u64> {
    r.scope.or_else(|| {
        r.query
            .int("company_id")
            .and_then(|c| u64::try_from(c).ok())
            .filter(|c| *c != 0)
    })
}

fn select_products(store: &Store, r: &ListRequest<'_>, now: i64, max_id: u64) -> Vec<u64> {
    let q = r.query;
    let company = company_filter(r);
    let mut wanted = q.ids("pid");
    wanted.extend(q.ids("item_ids"));
    let statuses = q.letters("status");
    let tracking = q.letters("tracking");
    let since = q
        .int("updated_in_hours")
        .filter(|h| *h > 0)
        .map(|h| now.saturating_sub(h.saturating_mul(3600)));
    let cid = q.ids("cid");
    let subcats = q.flag("subcats");
    let cid_paths: Vec<String> = cid
        .iter()
        .filter_map(|c| store.categories.get(c))
        .map(|c| format!("{}/", c.id_path))
        .collect();
    let pcode = q.get("pcode").map(str::to_lowercase);
    let text = q.get("q").map(str::to_lowercase);
    let by_name = q.get("pname").is_none_or(|v| v == "Y");
    let by_code = q.flag("pcode_from_q");
    let (price_from, price_to) = (q.decimal("price_from"), q.decimal("price_to"));
    let (amount_from, amount_to) = (q.int("amount_from"), q.int("amount_to"));
    let in_category = |p: &ProductData| {
        cid.is_empty()
            || p.categories.iter().any(|c| {
                cid.contains(c)
                    || (subcats
                        && store.categories.get(c).is_some_and(|cat| {
                            cid_paths.iter().any(|pre| cat.id_path.starts_with(pre))
                        }))
            })
    };
    let mut rows: Vec<&ProductData> = store
        .products
        .range(..=max_id)
        .map(|(_, p)| p)
        .filter(|p| company.is_none_or(|c| p.company_id == c))
        .filter(|p| wanted.is_empty() || wanted.contains(&p.product_id))
        .filter(|p| statuses.is_empty() || statuses.contains(&p.status))
        .filter(|p| tracking.is_empty() || p.tracking.is_some_and(|t| tracking.contains(&t)))
        .filter(|p| since.is_none_or(|s| p.updated_timestamp >= s))
        .filter(|p| in_category(p))
        .filter(|p| {
            pcode
                .as_ref()
                .is_none_or(|c| p.sku.to_lowercase().contains(c.as_str()))
        })
        .filter(|p| {
            text.as_ref().is_none_or(|t| {
                (by_name && p.name.to_lowercase().contains(t.as_str()))
                    || (by_code && p.sku.to_lowercase().contains(t.as_str()))
            })
        })
        .filter(|p| price_from.is_none_or(|f| p.price >= f))
        .filter(|p| price_to.is_none_or(|t| p.price <= t))
        .filter(|p| amount_from.is_none_or(|f| p.amount >= f))
        .filter(|p| amount_to.is_none_or(|t| p.amount <= t))
        .collect();
    let company_name = |p: &ProductData| store.company_name(p.company_id).unwrap_or("");
    rows.sort_by(|a, b| {
        let (x, y) = (a.product_id, b.product_id);
        match r.sort_by.as_str() {
            "code" => cmp_then(&a.sku, &b.sku, x, y),
            "status" => cmp_then(&a.status, &b.status, x, y),
            "price" => cmp_then(&a.price, &b.price, x, y),
            "list_price" => cmp_then(&a.list_price, &b.list_price, x, y),
            "weight" => cmp_then(&a.weight, &b.weight, x, y),
            "amount" => cmp_then(&a.amount, &b.amount, x, y),
            "timestamp" => cmp_then(&a.timestamp, &b.timestamp, x, y),
            "updated_timestamp" => cmp_then(&a.updated_timestamp, &b.updated_timestamp, x, y),
            "popularity" => cmp_then(&a.popularity, &b.popularity, x, y),
            "company" => cmp_then(&company_name(a), &company_name(b), x, y),
            "position" => x.cmp(&y),
            _ => cmp_then(&a.name, &b.name, x, y),
        }
    });
    rows.into_iter().map(|p| p.product_id).collect()
}

fn select_categories(store: &Store, r: &ListRequest<'_>, max_id: u64) -> Vec<u64> {
    let q = r.query;
    let company = company_filter(r);
    let statuses = q.letters("status");
    let parents = q.ids("parent_id");
    let mut rows: Vec<&CategoryData> = store
        .categories
        .range(..=max_id)
        .map(|(_, c)| c)
        .filter(|c| company.is_none_or(|id| c.company_id == id || c.company_id == 0))
        .filter(|c| statuses.is_empty() || statuses.contains(&c.status))
        .filter(|c| parents.is_empty() || parents.contains(&c.parent_id))
        .collect();
    rows.sort_by(|a, b| {
        let (x, y) = (a.category_id, b.category_id);
        match r.sort_by.as_str() {
            "name" => cmp_then(&a.name, &b.name, x, y),
            "timestamp" => cmp_then(&a.timestamp, &b.timestamp, x, y),
            "id" => x.cmp(&y),
            _ => a
                .position
                .cmp(&b.position)
                .then_with(|| a.name.cmp(&b.name))
                .then(x.cmp(&y)),
        }
    });
    rows.into_iter().map(|c| c.category_id).collect()
}

fn select_users(store: &Store, r: &ListRequest<'_>, max_id: u64) -> Vec<u64> {
    let q = r.query;
    let types = q.letters("user_type");
    let wanted = q.ids("user_ids");
    let statuses = q.letters("status");
    let company = company_filter(r);
    let email = q.get("email");
    let name = q.get("name");
    let mut rows: Vec<&UserData> = store
        .users
        .range(..=max_id)
        .map(|(_, u)| u)
        .filter(|u| types.is_empty() || types.contains(&u.user_type))
        .filter(|u| wanted.is_empty() || wanted.contains(&u.user_id))
        .filter(|u| statuses.is_empty() || statuses.contains(&u.status))
        .filter(|u| company.is_none_or(|c| u.company_id == c))
        .filter(|u| email.is_none_or(|e| contains_ci(&u.email, e)))
        .filter(|u| name.is_none_or(|n| contains_ci(&format!("{} {}", u.firstname, u.lastname), n)))
        .collect();
    rows.sort_by(|a, b| {
        let (x, y) = (a.user_id, b.user_id);
        match r.sort_by.as_str() {
            "id" => x.cmp(&y),
            "username" => cmp_then(&a.login, &b.login, x, y),
            "email" => cmp_then(&a.email, &b.email, x, y),
            "date" => cmp_then(&a.timestamp, &b.timestamp, x, y),
            "type" => cmp_then(&a.user_type, &b.user_type, x, y),
            "status" => cmp_then(&a.status, &b.status, x, y),
            "phone" => cmp_then(&a.phone, &b.phone, x, y),
            _ => a
                .lastname
                .cmp(&b.lastname)
                .then_with(|| a.firstname.cmp(&b.firstname))
                .then(x.cmp(&y)),
        }
    });
    rows.into_iter().map(|u| u.user_id).collect()
}

fn select_orders(store: &Store, r: &ListRequest<'_>, max_id: u64) -> Vec<u64> {
    let q = r.query;
    let statuses = q.letters("status");
    let incomplete = statuses.contains(&'N') || q.present("include_incompleted");
    let from = q.int("updated_at_from");
    let to = q.int("updated_at_to");
    let users = q.ids("user_id");
    let mut companies = q.ids("company_ids");
    if let Some(c) = company_filter(r) {
        companies.push(c);
    }
    let wanted = q.ids("order_id");
    let parents = q.ids("parent_order_id");
    let email = q.get("email");
    let (total_from, total_to) = (q.decimal("total_from"), q.decimal("total_to"));
    let mut rows: Vec<&OrderData> = store
        .orders
        .range(..=max_id)
        .map(|(_, o)| o)
        .filter(|o| !o.is_parent_order)
        .filter(|o| statuses.is_empty() || statuses.contains(&o.status))
        .filter(|o| o.status != 'N' || incomplete)
        .filter(|o| from.is_none_or(|f| o.updated_at >= f))
        .filter(|o| to.is_none_or(|t| o.updated_at <= t))
        .filter(|o| users.is_empty() || users.contains(&o.user_id))
        .filter(|o| companies.is_empty() || companies.contains(&o.company_id))
        .filter(|o| wanted.is_empty() || wanted.contains(&o.order_id))
        .filter(|o| parents.is_empty() || parents.contains(&o.parent_order_id))
        .filter(|o| email.is_none_or(|e| contains_ci(&o.email, e)))
        .filter(|o| total_from.is_none_or(|f| o.total >= f))
        .filter(|o| total_to.is_none_or(|t| o.total <= t))
        .collect();
    rows.sort_by(|a, b| {
        let (x, y) = (a.order_id, b.order_id);
        match r.sort_by.as_str() {
            "order_id" => x.cmp(&y),
            "status" => cmp_then(&a.status, &b.status, x, y),
            "customer" => a
                .lastname
                .cmp(&b.lastname)
                .then_with(|| a.firstname.cmp(&b.firstname))
                .then(x.cmp(&y)),
            "email" => cmp_then(&a.email, &b.email, x, y),
            "total" => cmp_then(&a.total, &b.total, x, y),
            _ => cmp_then(&a.timestamp, &b.timestamp, x, y),
        }
    });
    rows.into_iter().map(|o| o.order_id).collect()
}

fn select_companies(store: &Store, r: &ListRequest<'_>, max_id: u64) -> Vec<u64> {
    let statuses = r.query.letters("status");
    let mut rows: Vec<&CompanyData> = store
        .companies
        .range(..=max_id)
        .map(|(_, c)| c)
        .filter(|c| statuses.is_empty() || statuses.contains(&c.status))
        .collect();
    rows.sort_by(|a, b| {
        let (x, y) = (a.company_id, b.company_id);
        match r.sort_by.as_str() {
            "id" => x.cmp(&y),
            "status" => cmp_then(&a.status, &b.status, x, y),
            "date" => cmp_then(&a.timestamp, &b.timestamp, x, y),
            "email" => cmp_then(&a.email, &b.email, x, y),
            _ => cmp_then(&a.name, &b.name, x, y),
        }
    });
    rows.into_iter().map(|c| c.company_id).collect()
}

#[cfg(test)]
mod tests {
    use super::{base64_decode, php_int};

    #[test]
    fn php_int_casts_like_php() {
        assert_eq!(php_int("1700000000"), 1_700_000_000);
        assert_eq!(php_int("2024-01-01"), 2024);
        assert_eq!(php_int("abc"), 0);
        assert_eq!(php_int(" -5x"), -5);
    }

    #[test]
    fn base64_decodes_basic_credentials() {
        assert_eq!(
            base64_decode("YWRtaW5AZXhhbXBsZS5jb206a2V5").as_deref(),
            Some(&b"admin@example.com:key"[..])
        );
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert!(base64_decode("!!").is_none());
    }
}
