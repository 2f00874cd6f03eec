//! A CS-Cart stand-in (feature `stand-in`): an in-process axum server answering CS-Cart's
//! REST API from in-memory data, with CS-Cart's quirks.
//!
//! It serves `GET /api/[2.0/|2.1/]` `products`, `categories`, `users`, `orders`,
//! `statuses`, `vendors` and `stores` (lists and `/<id>`), and `vendors|stores/<id>/products`
//! and `/categories`, behind HTTP Basic auth with the admin e-mail and API key. It is
//! read-only over HTTP: the shop changes through the Rust calls on [`StandIn`]
//! ([`StandIn::create_product`], [`StandIn::place_order`], [`StandIn::set_stock`]...), which
//! move CS-Cart's timestamps exactly as CS-Cart does, on the stand-in's own clock
//! ([`StandIn::now`], [`StandIn::advance`]).
//!
//! The quirks it keeps (each from the project's CS-Cart API notes):
//! - scalars as strings (ids, prices `"12.50"`, stock, unix seconds), some order money as
//!   JSON numbers (`total`, `subtotal`, line `subtotal`, tax amounts), `[]` for empty maps;
//! - lists are `{"<entity>": [...], "params": {...}}` with `total_items` a string (an int for
//!   statuses and unpaged products and categories; absent for unpaged orders and users);
//!   `items_per_page` defaults to [`StandInConfig::default_items_per_page`], has no cap, and
//!   `0` means everything; orders and products past the end are `[]`, users past the end
//!   repeat the last page;
//! - `GET /users` without `user_type` is a 400 (4.16+, [`StandInConfig::require_user_type`]);
//!   a missing `GET /users/<id>` is 200 with an empty `users` list;
//! - order list rows have no `updated_at` (ask `get_orders_data=Y` for full orders);
//!   `updated_at_from`/`updated_at_to` are inclusive unix seconds; Multi-Vendor parent
//!   orders never appear in `GET /orders` (but `GET /orders/<parent>` works); incomplete
//!   orders (`N`) only with `status=N` or `include_incompleted`;
//! - `updated_timestamp` of a product moves with product updates, never with stock moves;
//!   users and categories only have a creation `timestamp`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use cscart_api::CscartClient;
//! use cscart_api::stand_in::{Generate, StandIn, StandInConfig};
//!
//! let shop = StandIn::start(StandInConfig::default()).await?;
//! shop.generate(&Generate { categories: 10, products: 100, users: 20, orders: 50, vendors: 0 });
//! let client = CscartClient::builder(shop.base_url(), shop.email(), shop.api_key()).build()?;
//! let products = client.all_products(&Default::default()).await?;
//! assert_eq!(products.len(), 100);
//! shop.shutdown();
//! # Ok(()) }
//! ```

mod data;
mod generate;
mod http;
mod json;

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use secrecy::SecretString;
use tokio::sync::watch;

pub use data::{
    Address, CategoryData, CompanyData, NewOrder, NewProduct, NewUser, OrderData, OrderLine,
    OrderTaxData, ProductData, SALES_TAX_ID, STORE_COMPANY_ID, UserData, VAT_ID,
};
pub use generate::{Generate, GeneratedIds};

use data::Store;

/// How a [`StandIn`] behaves.
#[derive(Clone)]
pub struct StandInConfig {
    /// The seed of [`StandIn::generate`].
    pub seed: u64,
    /// The admin's e-mail (the Basic auth user; also user 1, the root administrator).
    pub email: String,
    /// The admin's API key (the Basic auth password).
    pub api_key: String,
    /// CS-Cart 4.16+: `GET /users` without `user_type` is a 400.
    pub require_user_type: bool,
    /// The page size when a list request gives none ("Elements per page", 10 in CS-Cart).
    pub default_items_per_page: u32,
}

impl Default for StandInConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            email: "admin@example.com".to_owned(),
            api_key: "stand-in-key".to_owned(),
            require_user_type: true,
            default_items_per_page: 10,
        }
    }
}

impl fmt::Debug for StandInConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandInConfig")
            .field("seed", &self.seed)
            .field("email", &self.email)
            .field("api_key", &"[redacted]")
            .field("require_user_type", &self.require_user_type)
            .field("default_items_per_page", &self.default_items_per_page)
            .finish()
    }
}

/// What a faulty page answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// 500 with CS-Cart's error body.
    Status500,
    /// 200 with an HTML page (a maintenance page, a PHP error page).
    Html,
    /// 200 with `{oops` (a truncated or broken body).
    NotJson,
    /// 403 with CS-Cart's error body (a missing privilege).
    Forbidden403,
}

/// Faults the stand-in injects until they are replaced ([`StandIn::set_faults`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// `(entity key, page, kind)`: that list page (e.g. `("products", 3, ..)`; an absent
    /// `page` is page 1) fails every time it is asked for.
    pub fail_page: Option<(String, u64, FaultKind)>,
    /// `(entity key, n)`: that entity's lists show only the `n` lowest ids, and its other
    /// ids are not found (a revoked privilege or a vendor's scope).
    pub visible_limit: Option<(String, usize)>,
    /// `(entity key, id, field, value)`: that entity is sent with `field` (a `.`-separated
    /// path into objects, e.g. `products.<item_id>.price` of an order) set to `value`.
    pub corrupt: Vec<(String, u64, String, serde_json::Value)>,
}

/// The shared state behind a [`StandIn`] and its server.
pub(crate) struct App {
    config: StandInConfig,
    store: RwLock<Store>,
    clock: AtomicI64,
    faults: RwLock<Arc<Faults>>,
    requests: AtomicU64,
    cache: Mutex<Vec<(String, Arc<Vec<u64>>)>>,
}

impl App {
    fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    fn faults(&self) -> Arc<Faults> {
        Arc::clone(&self.faults.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn cache(&self) -> MutexGuard<'_, Vec<(String, Arc<Vec<u64>>)>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running CS-Cart stand-in. Clones share the shop and the server; [`StandIn::shutdown`]
/// stops the server (dropping the handles does not).
#[derive(Clone)]
pub struct StandIn {
    app: Arc<App>,
    addr: SocketAddr,
    stop: Arc<watch::Sender<bool>>,
}

impl fmt::Debug for StandIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandIn")
            .field("addr", &self.addr)
            .field("config", &self.app.config)
            .finish_non_exhaustive()
    }
}

impl StandIn {
    /// The clock's starting point: 2025-01-01T00:00:00Z (fixed, so generated data is the
    /// same on every run).
    pub const START_TIME: i64 = 1_735_689_600;

    /// Binds `127.0.0.1:0` and serves in a background task.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(config: StandInConfig) -> Result<Self, std::io::Error> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        Self::serve_on(listener, config)
    }

    /// Serves on an already bound listener, in a background task.
    ///
    /// # Errors
    /// When the listener has no local address.
    pub fn serve_on(
        listener: tokio::net::TcpListener,
        config: StandInConfig,
    ) -> Result<Self, std::io::Error> {
        let addr = listener.local_addr()?;
        let now = Self::START_TIME;
        let app = Arc::new(App {
            store: RwLock::new(Store::new(&config.email, now)),
            config,
            clock: AtomicI64::new(now),
            faults: RwLock::new(Arc::new(Faults::default())),
            requests: AtomicU64::new(0),
            cache: Mutex::new(Vec::new()),
        });
        let (stop, mut stopped) = watch::channel(false);
        let service = http::router(Arc::clone(&app));
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!(error = %e, "CS-Cart stand-in server stopped");
            }
        });
        Ok(Self {
            app,
            addr,
            stop: Arc::new(stop),
        })
    }

    /// The shop's root, e.g. `http://127.0.0.1:PORT/` (the client appends `api/`).
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The admin's e-mail (Basic auth user).
    pub fn email(&self) -> &str {
        &self.app.config.email
    }

    /// The admin's API key.
    pub fn api_key(&self) -> SecretString {
        SecretString::from(self.app.config.api_key.clone())
    }

    /// Stops the server (in-flight requests finish); the data stays readable.
    pub fn shutdown(&self) {
        self.stop.send_replace(true);
    }

    /// The stand-in's clock, unix seconds (starts at [`StandIn::START_TIME`], moves only
    /// by [`StandIn::set_now`] and [`StandIn::advance`]).
    pub fn now(&self) -> i64 {
        self.app.now()
    }

    /// Sets the clock.
    pub fn set_now(&self, unix: i64) {
        self.app.clock.store(unix, Ordering::SeqCst);
    }

    /// Moves the clock by `secs`.
    pub fn advance(&self, secs: i64) {
        self.app.clock.fetch_add(secs, Ordering::SeqCst);
    }

    /// The number of API requests received (every `/api/` request, refused ones included).
    pub fn requests(&self) -> u64 {
        self.app.requests.load(Ordering::SeqCst)
    }

    /// Sets the faults (replacing the previous ones; `Faults::default()` clears them).
    pub fn set_faults(&self, faults: Faults) {
        *self
            .app
            .faults
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(faults);
    }

    /// Adds generated data, the same for the same seed, clock and shop (each call draws
    /// from its own stream, so two calls add different data). Every generated time is at or
    /// before [`StandIn::now`]; generated orders do not move stock.
    pub fn generate(&self, spec: &Generate) -> GeneratedIds {
        let now = self.now();
        generate::generate(&mut self.app.write(), self.app.config.seed, now, spec)
    }

    // ----- categories -----

    /// Creates a category (under `parent` when it exists), timestamped now.
    pub fn create_category(&self, name: &str, parent: Option<u64>) -> u64 {
        let now = self.now();
        let mut store = self.app.write();
        let company = if store.multi_vendor {
            0
        } else {
            STORE_COMPANY_ID
        };
        store.add_category(name, parent, company, now)
    }

    /// Renames a category (categories have no update time).
    pub fn update_category(&self, id: u64, name: &str) -> bool {
        self.app.write().rename_category(id, name)
    }

    /// Changes a category with `f` (its id and product count are kept).
    pub fn modify_category(&self, id: u64, f: impl FnOnce(&mut CategoryData)) -> bool {
        let mut store = self.app.write();
        let Some(c) = store.categories.get_mut(&id) else {
            return false;
        };
        let (count, path) = (c.product_count, c.id_path.clone());
        f(c);
        c.category_id = id;
        c.product_count = count;
        c.id_path = path;
        store.version += 1;
        true
    }

    /// Deletes a category and its subcategories (products lose them, without an
    /// `updated_timestamp` change).
    pub fn delete_category(&self, id: u64) -> bool {
        self.app.write().delete_category(id)
    }

    // ----- products -----

    /// Creates an active product, `timestamp` and `updated_timestamp` now.
    pub fn create_product(&self, p: NewProduct) -> u64 {
        let now = self.now();
        let description = format!("<p>{}</p>", p.name);
        self.app.write().add_product(ProductData {
            product_id: 0,
            name: p.name,
            sku: p.sku,
            price: p.price,
            list_price: rust_decimal::Decimal::ZERO,
            amount: p.amount,
            status: 'A',
            tracking: p.tracking,
            categories: p.categories,
            company_id: p.company_id,
            tax_ids: p.tax_ids,
            short_description: String::new(),
            full_description: description,
            weight: rust_decimal::Decimal::ZERO,
            popularity: 0,
            timestamp: now,
            updated_timestamp: now,
        })
    }

    /// Updates a product with `f` (as the admin, the API or an import:
    /// `updated_timestamp` becomes now).
    pub fn update_product(&self, id: u64, f: impl FnOnce(&mut ProductData)) -> bool {
        let now = self.now();
        self.app.write().update_product(id, now, f)
    }

    /// Sets the stock as `fn_update_product_amount` does: `updated_timestamp` unchanged.
    pub fn set_stock(&self, id: u64, amount: i64) -> bool {
        self.app.write().set_stock(id, amount)
    }

    /// Deletes a product (orders keep their lines, sent with `deleted_product: true`).
    pub fn delete_product(&self, id: u64) -> bool {
        self.app.write().delete_product(id)
    }

    // ----- users -----

    /// Creates a user, timestamped now.
    pub fn create_user(&self, u: NewUser) -> u64 {
        let now = self.now();
        self.app.write().add_user(u, now)
    }

    /// Updates a user with `f` (users have no update time).
    pub fn update_user(&self, id: u64, f: impl FnOnce(&mut UserData)) -> bool {
        self.app.write().update_user(id, f)
    }

    /// Deletes a user (orders keep their `user_id`).
    pub fn delete_user(&self, id: u64) -> bool {
        self.app.write().delete_user(id)
    }

    // ----- vendors -----

    /// Creates a vendor (and turns the shop into a Multi-Vendor one).
    pub fn create_vendor(&self, name: &str) -> u64 {
        let now = self.now();
        let mut store = self.app.write();
        store.multi_vendor = true;
        let email = format!("vendor{}@example.com", store.companies.len() + 1);
        store.add_company(CompanyData {
            company_id: 0,
            name: name.to_owned(),
            status: 'A',
            email,
            phone: String::new(),
            address: Address::default(),
            timestamp: now,
        })
    }

    // ----- orders -----

    /// Places an order (see [`NewOrder`]): prices from the products, line subtotals, taxes
    /// and total computed exactly in cents; stock of tracked products moves when the status
    /// holds stock (`updated_timestamp` unchanged); `timestamp` and `updated_at` now. In a
    /// Multi-Vendor shop an order with several vendors' products becomes a parent (status
    /// `T`, returned) and one child per vendor.
    pub fn place_order(&self, o: NewOrder) -> u64 {
        let now = self.now();
        self.app.write().place_order(o, now, now, true)
    }

    /// Changes an order's status as `fn_change_order_status` does: `updated_at` now, stock
    /// moves between holding and non-holding statuses; the same status again changes
    /// nothing. A parent passes the status to its children.
    pub fn change_order_status(&self, id: u64, status: char) -> bool {
        let now = self.now();
        self.app.write().change_order_status(id, status, now)
    }

    /// A full update of an order with `f` (`updated_at` now). Money is not recomputed:
    /// call [`OrderData::recompute_totals`] in `f` after changing lines.
    pub fn update_order(&self, id: u64, f: impl FnOnce(&mut OrderData)) -> bool {
        let now = self.now();
        self.app.write().update_order(id, now, f)
    }

    /// Deletes an order (a parent with its children), putting back the stock it held.
    pub fn delete_order(&self, id: u64) -> bool {
        self.app.write().delete_order(id)
    }

    // ----- reads -----

    /// Every product id, ascending.
    pub fn product_ids(&self) -> Vec<u64> {
        self.app.read().products.keys().copied().collect()
    }

    /// Every order id (parents included), ascending.
    pub fn order_ids(&self) -> Vec<u64> {
        self.app.read().orders.keys().copied().collect()
    }

    /// Every user id (the admin, vendor admins and customers), ascending.
    pub fn user_ids(&self) -> Vec<u64> {
        self.app.read().users.keys().copied().collect()
    }

    /// Every category id, ascending.
    pub fn category_ids(&self) -> Vec<u64> {
        self.app.read().categories.keys().copied().collect()
    }

    /// Every company id (the store, 1, and vendors), ascending.
    pub fn vendor_ids(&self) -> Vec<u64> {
        self.app.read().companies.keys().copied().collect()
    }

    /// A product.
    pub fn product(&self, id: u64) -> Option<ProductData> {
        self.app.read().products.get(&id).cloned()
    }

    /// An order.
    pub fn order(&self, id: u64) -> Option<OrderData> {
        self.app.read().orders.get(&id).cloned()
    }

    /// A user.
    pub fn user(&self, id: u64) -> Option<UserData> {
        self.app.read().users.get(&id).cloned()
    }

    /// A category.
    pub fn category(&self, id: u64) -> Option<CategoryData> {
        self.app.read().categories.get(&id).cloned()
    }

    /// A company (store or vendor).
    pub fn vendor(&self, id: u64) -> Option<CompanyData> {
        self.app.read().companies.get(&id).cloned()
    }

    /// The children of a Multi-Vendor parent order, ascending.
    pub fn child_orders(&self, parent: u64) -> Vec<u64> {
        self.app
            .read()
            .orders
            .values()
            .filter(|o| o.parent_order_id == parent && parent != 0)
            .map(|o| o.order_id)
            .collect()
    }
}
