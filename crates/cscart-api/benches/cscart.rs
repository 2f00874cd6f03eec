//! `cargo xtask bench cscart`: a full scan of a large store (100,000 products and 20,000
//! orders; `--quick`: a tenth) served by the CS-Cart stand-in, read through cscart-api and,
//! as the baseline, with bare reqwest decoding the same pages into `serde_json::Value`.
//!
//! Each scan runs in a child process (this binary again, with `--child`), so that its peak
//! resident memory (`VmHWM`) is its own and not the stand-in's. The child notes its peak
//! after a tenth of the pages and at the end: a scan whose memory is bounded by the page
//! size has about the same peak at both points, whatever the size of the store. Rounds
//! alternate between the readers so that machine noise hits all alike; figures are medians.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::panic,
    missing_docs
)]

use std::process::Command;
use std::time::Instant;

use cscart_api::CscartClient;
use cscart_api::client::ListQuery;
use cscart_api::feed::{ChangeFeed, FeedConfig, FeedKind};
use cscart_api::stand_in::{Generate, StandIn, StandInConfig};
use secrecy::{ExposeSecret, SecretString};

const PER_PAGE: u32 = 100;
const ROUNDS: usize = 3;

/// What a child scans and how.
const MODES: &[(&str, &str)] = &[
    (
        "bare-products",
        "products, bare reqwest + serde_json::Value",
    ),
    ("client-products", "products, CscartClient::products_page"),
    (
        "feed-product-scan",
        "products, ChangeFeed ProductScan re-scan from the last cursor",
    ),
    (
        "bare-orders",
        "full orders, bare reqwest + serde_json::Value",
    ),
    (
        "client-orders",
        "full orders, CscartClient::full_orders_page",
    ),
];

/// Peak resident memory of this process so far, in KiB (Linux `VmHWM`).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

struct Scanned {
    items: u64,
    secs: f64,
    early_peak: u64,
    peak: u64,
}

async fn child(mode: &str, base: &str, email: &str, key: &str, expected: u64) -> Scanned {
    let http = reqwest::Client::new();
    let client = CscartClient::builder(base, email, SecretString::from(key.to_owned()))
        .items_per_page(PER_PAGE)
        .build()
        .unwrap();
    let pages = expected.div_ceil(u64::from(PER_PAGE));
    let early_at = (pages / 10).max(1);
    let mut early_peak = 0;
    let started = Instant::now();
    let mut items = 0u64;
    if mode == "feed-product-scan" {
        let feed = ChangeFeed::new(
            client,
            FeedConfig {
                items_per_page: PER_PAGE,
                ..FeedConfig::default()
            },
        );
        // The first scan reports the whole store; the steady state is a re-scan from the
        // last cursor, which is what is timed and measured.
        let first = feed.poll(FeedKind::ProductScan, None).await.unwrap();
        let cursor = first.cursor;
        drop(first.changes);
        // Resets the peak-RSS mark (Linux); if it cannot, the peak includes the first scan.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let started = Instant::now();
        let poll = feed
            .poll(FeedKind::ProductScan, Some(&cursor))
            .await
            .unwrap();
        assert!(poll.problems.is_empty(), "{:?}", poll.problems);
        assert!(
            poll.changes.is_empty(),
            "a quiet store: {:?}",
            poll.changes.len()
        );
        let secs = started.elapsed().as_secs_f64();
        eprintln!("    (cursor of the scan: {} bytes)", poll.cursor.len());
        return Scanned {
            items: poll.seen as u64,
            secs,
            early_peak: 0,
            peak: peak_kib(),
        };
    }
    for page in 1.. {
        let n = match mode {
            "bare-products" | "bare-orders" => {
                let (path, extra) = if mode == "bare-products" {
                    ("products", "")
                } else {
                    ("orders", "&get_orders_data=Y")
                };
                let body = http
                    .get(format!(
                        "{base}api/{path}?page={page}&items_per_page={PER_PAGE}{extra}"
                    ))
                    .basic_auth(email, Some(key))
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
                value[path].as_array().map_or(0, Vec::len)
            }
            "client-products" => client
                .products_page(&ListQuery::new(), page, PER_PAGE)
                .await
                .unwrap()
                .items
                .len(),
            "client-orders" => client
                .full_orders_page(&ListQuery::new(), page, PER_PAGE)
                .await
                .unwrap()
                .items
                .len(),
            other => panic!("unknown mode {other}"),
        };
        items += n as u64;
        if page == early_at {
            early_peak = peak_kib();
        }
        if n < PER_PAGE as usize {
            break;
        }
    }
    Scanned {
        items,
        secs: started.elapsed().as_secs_f64(),
        early_peak,
        peak: peak_kib(),
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let a = &args[i + 1..];
        let expected: u64 = a[4].parse().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let s = rt.block_on(child(&a[0], &a[1], &a[2], &a[3], expected));
        println!("{} {} {} {}", s.items, s.secs, s.early_peak, s.peak);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let (products, orders) = if quick {
        (10_000, 2_000)
    } else {
        (100_000, 20_000)
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let shop = rt.block_on(async {
        let shop = StandIn::start(StandInConfig::default()).await.unwrap();
        let started = Instant::now();
        shop.generate(&Generate {
            categories: 200,
            products,
            users: 2_000,
            orders,
            vendors: 0,
        });
        eprintln!(
            "generated {products} products and {orders} orders in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        shop
    });
    let exe = std::env::current_exe().unwrap();
    let key = shop.api_key();
    let mut results: Vec<(Vec<f64>, u64, u64, u64)> = vec![(Vec::new(), 0, 0, 0); MODES.len()];
    for round in 0..ROUNDS {
        for (m, (mode, _)) in MODES.iter().enumerate() {
            let expected = if mode.contains("orders") {
                orders
            } else {
                products
            };
            let out = Command::new(&exe)
                .args([
                    "--child",
                    mode,
                    &shop.base_url(),
                    shop.email(),
                    key.expose_secret(),
                    &expected.to_string(),
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{mode}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
            let text = String::from_utf8(out.stdout).unwrap();
            let f: Vec<&str> = text.split_whitespace().collect();
            let items: u64 = f[0].parse().unwrap();
            // Orders of the hidden status `N` are not listed: every reader must agree on
            // the count, which is at most what was generated.
            assert!(
                items <= expected as u64,
                "{mode} read {items} of {expected}"
            );
            if results[m].1 == 0 {
                let same_kind = MODES
                    .iter()
                    .position(|(o, _)| o.contains("orders") == mode.contains("orders"))
                    .unwrap();
                if m != same_kind {
                    assert_eq!(items, results[same_kind].1, "{mode} disagrees on the count");
                }
            }
            let secs: f64 = f[1].parse().unwrap();
            results[m].0.push(items as f64 / secs);
            results[m].1 = items;
            results[m].2 = results[m].2.max(f[2].parse().unwrap());
            results[m].3 = results[m].3.max(f[3].parse().unwrap());
        }
        eprintln!("round {} of {ROUNDS} done", round + 1);
    }
    println!();
    println!(
        "full scan, {PER_PAGE} per page, median of {ROUNDS} rounds (peak RSS of the reading process)"
    );
    println!("| reader | items | items/s | vs bare | peak RSS after 1/10 | peak RSS at end |");
    println!("|---|---|---|---|---|---|");
    let mut rates: Vec<f64> = results.iter_mut().map(|r| median(&mut r.0)).collect();
    for (m, (mode, what)) in MODES.iter().enumerate() {
        let bare = if mode.contains("orders") {
            rates[3]
        } else {
            rates[0]
        };
        let early = if results[m].2 == 0 {
            "-".to_owned()
        } else {
            format!("{:.1} MiB", results[m].2 as f64 / 1024.0)
        };
        println!(
            "| {what} | {} | {:.0} | {:.2} | {early} | {:.1} MiB |",
            results[m].1,
            rates[m],
            rates[m] / bare,
            results[m].3 as f64 / 1024.0
        );
    }
    rates.clear();
    shop.shutdown();
}
