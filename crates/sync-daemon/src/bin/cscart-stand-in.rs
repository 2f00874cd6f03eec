//! `cscart-stand-in`: the CS-Cart stand-in on a port, with a generated store and, when
//! asked, shop activity on a timer, so that `qbo-sync serve` can run against it in its own
//! process (with `qbo-sandbox` in a third).

// A command-line program prints its address.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use cscart_api::stand_in::{Generate, NewOrder, StandIn, StandInConfig};
use rust_decimal::Decimal;

/// A CS-Cart store stand-in: CS-Cart's REST API over generated data.
#[derive(Debug, Parser)]
#[command(name = "cscart-stand-in", version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8098")]
    listen: SocketAddr,
    /// Seed of the generated store.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Categories to generate.
    #[arg(long, default_value_t = 8)]
    categories: usize,
    /// Products to generate.
    #[arg(long, default_value_t = 40)]
    products: usize,
    /// Customers to generate.
    #[arg(long, default_value_t = 20)]
    users: usize,
    /// Orders to generate.
    #[arg(long, default_value_t = 60)]
    orders: usize,
    /// Every this many seconds the shop takes an order and changes a price (0: never).
    #[arg(long, default_value_t = 0)]
    activity_secs: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let config = StandInConfig {
        seed: args.seed,
        ..StandInConfig::default()
    };
    let shop = match StandIn::serve_on(listener, config.clone()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    shop.generate(&Generate {
        categories: args.categories,
        products: args.products,
        users: args.users,
        orders: args.orders,
        vendors: 0,
    });
    println!("{}", shop.base_url());
    println!(
        "admin e-mail {} (the API key is the stand-in's default)",
        config.email
    );
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let activity = async {
        if args.activity_secs == 0 {
            std::future::pending::<()>().await;
        }
        let mut tick = tokio::time::interval(Duration::from_secs(args.activity_secs));
        tick.tick().await;
        loop {
            tick.tick().await;
            let products = shop.product_ids();
            let users: Vec<u64> = shop.user_ids().into_iter().filter(|u| *u != 1).collect();
            if products.is_empty() {
                continue;
            }
            let product = products[rng.usize(..products.len())];
            let user = users
                .get(rng.usize(..users.len().max(1)))
                .copied()
                .unwrap_or(0);
            let order = shop.place_order(NewOrder {
                user_id: user,
                lines: vec![(product, rng.i64(1..4))],
                status: 'P',
                ..NewOrder::default()
            });
            let changed = products[rng.usize(..products.len())];
            shop.update_product(changed, |p| p.price += Decimal::new(rng.i64(1..500), 2));
            shop.advance(i64::try_from(args.activity_secs).unwrap_or(i64::MAX));
            println!("order {order} placed; product {changed} repriced");
        }
    };
    tokio::select! {
        () = activity => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    shop.shutdown();
    ExitCode::SUCCESS
}
