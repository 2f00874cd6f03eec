//! `qbo-sync demo`: everything on this machine, nothing to set up. qbo-sandbox (a QBO
//! company) and the CS-Cart stand-in run in this process; the daemon connects through the
//! sandbox's OAuth, exports the generated store, then the shop changes and the changes
//! arrive through the store's change feed.

use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum;
use cscart_api::stand_in::{Generate, NewOrder, NewUser};
use qbo_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use sync_daemon::export::ExportOptions;
use sync_daemon::playground::{Playground, TENANT, prepare_company};
use sync_daemon::runtime::Daemon;
use sync_queue::{EntityKind, EntityRef, LinkStore, StoreId};
use tokio::sync::watch;

use super::{Failure, export_tenant, print_summary};

/// How big a store the demo generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Size {
    /// 8 categories, 40 products, 20 customers, 60 orders.
    Small,
    /// 20 categories, 300 products, 150 customers, 500 orders.
    Medium,
}

impl Size {
    fn generate(self) -> Generate {
        match self {
            Self::Small => Generate {
                categories: 8,
                products: 40,
                users: 20,
                orders: 60,
                vendors: 0,
            },
            Self::Medium => Generate {
                categories: 20,
                products: 300,
                users: 150,
                orders: 500,
                vendors: 0,
            },
        }
    }
}

/// Runs the demo.
pub async fn run(keep: bool, size: Size) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let generate = size.generate();
    println!(
        "qbo-sync demo: a QuickBooks Online company and a CS-Cart store, both simulated here."
    );
    let playground = Playground::start(SandboxConfig::without_limits(), &generate).await?;
    let dir = tempfile::tempdir().map_err(anyhow::Error::from)?;
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("qbo-sync.db").display()
    );
    println!(
        "  qbo-sandbox (QBO API and OAuth)  {}",
        playground.sandbox.base_url()
    );
    println!(
        "  CS-Cart stand-in                 {} ({} categories, {} products, {} customers, {} orders)",
        playground.shop.base_url(),
        generate.categories,
        generate.products,
        generate.users,
        generate.orders
    );
    println!("  database                         SQLite in a temporary folder");
    let mut config = playground.config(&db, dir.path());
    // A key for this run only: the temporary database goes away with it.
    let key = qbo_auth::TokenKey::try_generate("demo").map_err(anyhow::Error::from)?;
    config.encryption.key = Some(sync_daemon::config::Secret::Inline(
        key.to_base64().as_str().to_owned(),
    ));
    if let Some(t) = config.tenants.get_mut(TENANT) {
        // The simulated company keeps no rate limits, so neither does the client.
        t.qbo.limits.requests_per_minute = 1_000_000;
        t.qbo.limits.batches_per_minute = 100_000;
        t.qbo.limits.max_in_flight = 32;
    }
    let mut daemon = Daemon::open(config).await?;

    println!("\n1. Connecting to QBO through OAuth 2.0");
    let tenant = daemon.tenant(TENANT)?;
    let realm = tenant.connect_automatically().await?;
    println!("   connected to company {realm}; tokens are stored encrypted");

    println!("2. Readying the company: default accounts, a shipping item, payment methods");
    let qbo = tenant
        .qbo_client()
        .await?
        .ok_or_else(|| Failure::NotConnected(TENANT.to_owned()))?;
    let mapping = prepare_company(&qbo).await?;
    if let Some(t) = daemon.tenants.get_mut(TENANT) {
        t.config.mapping = mapping;
    }

    println!("3. Exporting the store");
    let tenant = daemon.tenant(TENANT)?;
    let options = ExportOptions {
        kinds: Vec::new(),
        since: None,
    };
    let bars = indicatif::MultiProgress::new();
    let summary = export_tenant(&daemon, tenant, &options, Some(&bars)).await?;
    print_summary(&summary);

    println!(
        "\n4. Shop activity: a new customer places an order, a price changes, a customer is renamed"
    );
    let shop = &playground.shop;
    let buyer = shop.create_user(NewUser {
        email: "dana.demo@example.com".to_owned(),
        firstname: "Dana".to_owned(),
        lastname: "Demo".to_owned(),
        ..NewUser::default()
    });
    let products = shop.product_ids();
    let lines: Vec<(u64, i64)> = products
        .iter()
        .filter(|p| shop.product(**p).is_some_and(|d| d.status == 'A'))
        .take(2)
        .map(|p| (*p, 2))
        .collect();
    let order = shop.place_order(NewOrder {
        user_id: buyer,
        lines,
        status: 'P',
        shipping_cost: Decimal::new(750, 2),
        ..NewOrder::default()
    });
    if let Some(p) = products.first() {
        shop.update_product(*p, |d| d.price += Decimal::new(100, 2));
    }
    if let Some(u) = shop.user_ids().into_iter().find(|u| *u != 1 && *u != buyer) {
        shop.update_user(u, |d| d.lastname = format!("{} Jr", d.lastname));
    }
    shop.advance(60);
    let mut queued = 0;
    for kind in cscart_api::feed::FeedKind::ALL {
        queued += sync_daemon::poller::poll_feed(
            &tenant.id,
            tenant
                .feed
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("no feed"))?,
            daemon.store.as_ref(),
            kind,
            None,
            None,
        )
        .await?
        .enqueued;
    }
    println!("   the store's change feed queued {queued} changes");
    let again = export_tenant(
        &daemon,
        tenant,
        &ExportOptions {
            kinds: vec![EntityKind::Order],
            since: Some(chrono::Utc::now()),
        },
        None,
    )
    .await?;
    let r = &again.report;
    println!(
        "   pushed: {} created, {} updated, {} unchanged",
        r.created, r.updated, r.unchanged
    );
    let link = daemon
        .store
        .get_link(&EntityRef::new(
            tenant.id.clone(),
            EntityKind::Order,
            StoreId::new(order.to_string()).map_err(anyhow::Error::from)?,
        ))
        .await?;
    if let Some(link) = link {
        println!(
            "   the new order {order} is QBO invoice {} (total {})",
            link.qbo_id.as_str(),
            shop.order(order).map(|o| o.total).unwrap_or_default()
        );
    }

    println!("\n5. What landed in QBO");
    let realm = realm.as_str();
    let count = |entity: &str| {
        playground
            .sandbox
            .entities(realm, entity)
            .map(|e| e.len())
            .unwrap_or(0)
    };
    println!("   {:<14} {:>6} {:>6}", "", "store", "QBO");
    println!(
        "   {:<14} {:>6} {:>6}  (QBO: plus one shared guest customer)",
        "customers",
        shop.user_ids().len().saturating_sub(1),
        count("Customer")
    );
    println!(
        "   {:<14} {:>6} {:>6}  (QBO: plus the shipping item)",
        "products+cat.",
        shop.product_ids().len() + shop.category_ids().len(),
        count("Item")
    );
    let listed = shop
        .order_ids()
        .into_iter()
        .filter(|o| {
            shop.order(*o)
                .is_some_and(|d| matches!(d.status, 'P' | 'C'))
        })
        .count();
    println!(
        "   {:<14} {:>6} {:>6}  (orders in a paid status; payments: {})",
        "invoices",
        listed,
        count("Invoice"),
        count("Payment")
    );
    println!("\n   A few documents, QBO's total next to the store's:");
    let mut shown = 0;
    for link in daemon
        .store
        .list_links(&tenant.id, Some(EntityKind::Order), None, 1000)
        .await?
    {
        let Ok(order_id) = link.entity.store_id.as_str().parse::<u64>() else {
            continue;
        };
        let Some(order) = shop.order(order_id) else {
            continue;
        };
        let invoice = playground
            .sandbox
            .entities(realm, "Invoice")
            .unwrap_or_default()
            .into_iter()
            .find(|e| e["Id"].as_str() == Some(link.qbo_id.as_str()));
        if let Some(invoice) = invoice {
            println!(
                "   order {:>5}  store {:>9}  QBO invoice {:>5}  total {:>9}  customer {}",
                order_id,
                order.total.to_string(),
                link.qbo_id.as_str(),
                invoice["TotalAmt"].to_string(),
                invoice["CustomerRef"]["name"].as_str().unwrap_or("")
            );
            shown += 1;
        }
        if shown == 5 {
            break;
        }
    }
    println!(
        "\nDone in {:.1} s. Nothing was sent anywhere but this machine.",
        started.elapsed().as_secs_f64()
    );
    if !keep {
        println!(
            "Run `qbo-sync demo --keep` to keep it running, or see README.md to connect a real store."
        );
        return Ok(());
    }
    println!(
        "\nServing (polling the store every few seconds, a new order every 10 s). Ctrl-C stops."
    );
    let daemon = Arc::new(daemon);
    let (stop_tx, stop_rx) = watch::channel(false);
    let serving = tokio::spawn(sync_daemon::serve::serve(daemon.clone(), stop_rx));
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    tick.tick().await;
    loop {
        tokio::select! {
            () = super::shutdown_signal() => break,
            _ = tick.tick() => {
                let lines: Vec<(u64, i64)> = shop.product_ids().into_iter().filter(|p| shop.product(*p).is_some_and(|d| d.status == 'A')).take(1).map(|p| (p, 1)).collect();
                let id = shop.place_order(NewOrder { user_id: buyer, lines, status: 'P', ..NewOrder::default() });
                shop.advance(10);
                println!("   the shop took order {id}");
            }
        }
    }
    let _ = stop_tx.send(true);
    let _ = serving.await;
    Ok(())
}
