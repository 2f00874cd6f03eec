//! A whole setup on one machine, with no account anywhere: `qbo-sandbox` and the CS-Cart
//! stand-in in this process, and a configuration pointing at both. `qbo-sync demo` runs
//! on it; the end-to-end tests and the sync bench use its pieces.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use cscart_api::stand_in::{Generate, StandIn, StandInConfig};
use mapping::MappingConfig;
use mapping::config::{ClashPolicy, GuestMode, ShippingConfig};
use qbo_api::query::Query;
use qbo_api::{Account, Item, ItemType, PaymentMethod, QboClient, ReferenceType};
use qbo_sandbox::{Sandbox, SandboxConfig};

use crate::config::{
    Config, CscartConfig, DatabaseConfig, EncryptionConfig, LimitsConfig, PollConfig, QboConfig,
    Secret, StoreConfig, SyncConfig, TenantConfig, WorkerConfig,
};

/// The tenant id the playground configures.
pub const TENANT: &str = "demo";

/// The running services.
#[derive(Debug)]
pub struct Playground {
    /// The QBO simulator.
    pub sandbox: Sandbox,
    /// The CS-Cart stand-in.
    pub shop: StandIn,
}

impl Playground {
    /// Starts the sandbox (with `sandbox`'s settings) and a stand-in store filled by
    /// `generate`.
    ///
    /// # Errors
    /// When a server cannot start.
    pub async fn start(sandbox: SandboxConfig, generate: &Generate) -> anyhow::Result<Self> {
        let sandbox = Sandbox::start(sandbox)
            .await
            .context("cannot start qbo-sandbox")?;
        let shop = StandIn::start(StandInConfig::default())
            .await
            .context("cannot start the CS-Cart stand-in")?;
        shop.generate(generate);
        Ok(Self { sandbox, shop })
    }

    /// A configuration with one tenant ([`TENANT`]) connected to this sandbox and store,
    /// its database at `database_url` and its key file in `dir`. The mapping's accounts
    /// are placeholders until [`prepare_company`] fills them in.
    pub fn config(&self, database_url: &str, dir: &Path) -> Config {
        tenant_config(
            &self.sandbox.base_url(),
            &self.shop.base_url(),
            self.shop.email(),
            database_url,
            dir,
        )
    }
}

/// A configuration with one CS-Cart tenant ([`TENANT`]) on a sandbox at `sandbox_url`
/// and a stand-in at `shop_url` (the stand-in's default credentials).
pub fn tenant_config(
    sandbox_url: &str,
    shop_url: &str,
    shop_email: &str,
    database_url: &str,
    dir: &Path,
) -> Config {
    let tenant = TenantConfig {
        name: Some("Demo store".to_owned()),
        qbo: QboConfig {
            environment: sandbox_url.to_owned(),
            oauth: sandbox_url.to_owned(),
            client_id: qbo_sandbox::DEFAULT_CLIENT_ID.to_owned(),
            client_secret: Secret::Inline(qbo_sandbox::DEFAULT_CLIENT_SECRET.to_owned()),
            redirect_url: "http://127.0.0.1:8080/oauth/callback".to_owned(),
            limits: LimitsConfig::default(),
        },
        store: StoreConfig::Cscart(CscartConfig {
            url: shop_url.to_owned(),
            email: shop_email.to_owned(),
            api_key: Secret::Inline(StandInConfig::default().api_key),
            api_version: None,
            currency: "USD".to_owned(),
            track_stock_by_default: true,
            multi_vendor: false,
            paid_statuses: None,
            poll: PollConfig {
                orders_secs: 2,
                products_secs: 2,
                scans_secs: 10,
                lease_secs: 10,
            },
        }),
        sync: SyncConfig::default(),
        mapping: MappingConfig::new("1", "USD"),
    };
    Config {
        database: DatabaseConfig {
            url: database_url.to_owned(),
        },
        encryption: EncryptionConfig {
            key_file: dir.join("qbo-sync.key"),
            ..EncryptionConfig::default()
        },
        worker: WorkerConfig::default(),
        tenants: BTreeMap::from([(TENANT.to_owned(), tenant)]),
    }
}

async fn account(qbo: &QboClient, name: &str) -> anyhow::Result<qbo_api::EntityId> {
    let page = qbo.query(&Query::<Account>::new().eq("Name", name)).await?;
    page.items
        .into_iter()
        .find_map(|a| a.id)
        .with_context(|| format!("the company has no account named {name:?}"))
}

/// Readies a fresh sandbox company for the stand-in store and returns the mapping: the
/// default accounts by name, a "Shipping" service item (a fresh company has QBO's
/// shipping line off), the stand-in's payment methods (1 check, 2 card, 3 PayPal) mapped
/// to Check, Visa and Cash, one shared guest customer, renames on name clashes.
/// Running it again finds what it created the first time.
///
/// # Errors
/// When QBO refuses or an expected account is missing.
pub async fn prepare_company(qbo: &QboClient) -> anyhow::Result<MappingConfig> {
    let mut config = MappingConfig::new(account(qbo, "Sales of Product Income").await?, "USD");
    config.accounts.cogs = Some(account(qbo, "Cost of Goods Sold").await?);
    config.accounts.inventory_asset = Some(account(qbo, "Inventory Asset").await?);
    config.accounts.deposit = Some(account(qbo, "Undeposited Funds").await?);
    config.guests.mode = GuestMode::Shared;
    config.names.on_clash = ClashPolicy::Rename;
    let existing = qbo
        .query(&Query::<Item>::new().eq("Name", "Shipping"))
        .await?
        .items
        .into_iter()
        .find_map(|i| i.id);
    let shipping = match existing {
        Some(id) => id,
        None => qbo
            .create(&Item {
                name: Some("Shipping".to_owned()),
                item_type: Some(ItemType::Service),
                income_account_ref: Some(ReferenceType::new(
                    account(qbo, "Shipping Income").await?,
                )),
                ..Item::default()
            })
            .send()
            .await?
            .id
            .context("QBO created the shipping item without an Id")?,
    };
    config.shipping = ShippingConfig::Item { item: shipping };
    for (store, name) in [("1", "Check"), ("2", "Visa"), ("3", "Cash")] {
        let method = qbo
            .query(&Query::<PaymentMethod>::new().eq("Name", name))
            .await?
            .items
            .into_iter()
            .find_map(|m| m.id)
            .with_context(|| format!("the company has no payment method {name:?}"))?;
        config
            .payment_methods
            .insert(mapping::ids::PaymentMethodId::new(store), method);
    }
    config.validate()?;
    Ok(config)
}

/// Connects `tenant` through qbo-sandbox's authorize endpoint, which consents at once (to
/// company `realm`, or the sandbox's default one), readies the company
/// ([`prepare_company`]) and gives the tenant the mapping that results. Returns the company
/// and the mapping.
///
/// # Errors
/// When the tenant is unknown, the connect fails or the company cannot be readied.
pub async fn connect_and_prepare(
    daemon: &mut crate::runtime::Daemon,
    tenant: &str,
    realm: Option<&str>,
) -> anyhow::Result<(qbo_api::RealmId, MappingConfig)> {
    let t = daemon.tenant(tenant)?;
    let realm = t.connect_automatically_to(realm).await?;
    let qbo = t
        .qbo_client()
        .await?
        .with_context(|| format!("tenant {tenant} is not connected after its connect"))?;
    let mapping = prepare_company(&qbo).await?;
    if let Some(t) = daemon.tenants.get_mut(tenant) {
        t.config.mapping = mapping.clone();
    }
    Ok((realm, mapping))
}
