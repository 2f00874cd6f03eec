//! `cargo xtask bench sandbox`: customer creates per second through the sandbox (rate
//! limits off) against a bare axum server answering the same JSON.
//!
//! Both servers run in this process on 127.0.0.1; the same reqwest client drives each
//! with the same concurrency and the same request bodies (unique names, a `requestid`
//! each). The sandbox does everything a create costs: bearer check, limiter bookkeeping,
//! request log, JSON parse, schema check against the XSD table, QBO's rules, the name
//! index, the `requestid` memory and the answer; the bare server reads the body and
//! answers a fixed copy of a sandbox answer. Rounds alternate so that machine noise hits
//! both alike; the figure is the ratio of the medians (target: at least 50 %). Each round
//! also gives a paired ratio (the sandbox against the bare server run next to it); their
//! median and middle half show how much the machine's noise moved the figure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    missing_docs
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use qbo_sandbox::{Sandbox, SandboxConfig};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

/// mimalloc: every write builds and frees a JSON object, which it serves markedly faster
/// than the system allocator (built without transparent huge pages: see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONCURRENCY: usize = 8;

fn customer_body(n: usize) -> Vec<u8> {
    json!({
        "DisplayName": format!("Customer {n}"),
        "GivenName": "Ann",
        "FamilyName": format!("Lee{n}"),
        "PrimaryEmailAddr": {"Address": format!("ann{n}@example.com")},
        "BillAddr": {"Line1": "4581 Finch St.", "City": "Bayshore", "CountrySubDivisionCode": "CA",
                     "PostalCode": "94326", "Country": "USA"}
    })
    .to_string()
    .into_bytes()
}

/// A bare server answering every create with `answer`.
async fn bare_server(realm: &str, answer: Bytes) -> String {
    let app = Router::new().route(
        &format!("/v3/company/{realm}/customer"),
        post(move |_body: Bytes| {
            let answer = answer.clone();
            async move {
                (
                    [
                        ("content-type", "application/json;charset=UTF-8"),
                        ("intuit_tid", "1-00000000-000000000000000000000000"),
                    ],
                    answer,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// Sends `total` creates to `url` with `CONCURRENCY` workers; returns creates per second.
async fn run(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    total: usize,
    counter: &AtomicUsize,
) -> f64 {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let base = counter.fetch_add(total, Ordering::Relaxed);
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let http = http.clone();
        let url = url.to_owned();
        let token = token.to_owned();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let n = base + i;
                let response = http
                    .post(format!("{url}?minorversion=75&requestid=bench-{n}"))
                    .bearer_auth(&token)
                    .header("accept", "application/json")
                    .header("content-type", "application/json")
                    .body(customer_body(n))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                assert!(body["Customer"]["Id"].is_string());
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    f64::from(u32::try_from(total).unwrap()) / started.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // Many short rounds rather than a few long ones: on a shared machine the noise comes
    // in bursts, and the medians (and the paired ratios) shrug off more of them.
    let (rounds, per_round) = if quick { (5, 500) } else { (15, 2000) };

    let sandbox = Sandbox::start(SandboxConfig::without_limits())
        .await
        .unwrap();
    let realm = sandbox.realm_id();
    let token = sandbox
        .issue_tokens(&realm)
        .unwrap()
        .access_token
        .expose_secret()
        .to_owned();
    let sandbox_url = format!("{}/v3/company/{realm}/customer", sandbox.base_url());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY * 2)
        .build()
        .unwrap();

    // The bare server answers with a real sandbox answer.
    let sample = http
        .post(format!("{sandbox_url}?minorversion=75"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(customer_body(usize::MAX))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let bare_url = format!(
        "{}/v3/company/{realm}/customer",
        bare_server(&realm, sample).await
    );

    let counter = AtomicUsize::new(0);
    // Warm up both (connections, allocator).
    run(&http, &sandbox_url, &token, 200, &counter).await;
    run(&http, &bare_url, &token, 200, &counter).await;

    let mut ours = Vec::new();
    let mut bare = Vec::new();
    let mut paired = Vec::new();
    for round in 0..rounds {
        let mut pair = [0.0; 2];
        for side in 0..2 {
            let sandbox_first = (round + side) % 2 == 0;
            let url = if sandbox_first {
                &sandbox_url
            } else {
                &bare_url
            };
            let rate = run(&http, url, &token, per_round, &counter).await;
            if sandbox_first {
                ours.push(rate);
                pair[0] = rate;
            } else {
                bare.push(rate);
                pair[1] = rate;
            }
        }
        paired.push(pair[0] / pair[1]);
    }
    let (o, b) = (median(ours), median(bare));
    paired.sort_by(f64::total_cmp);
    let (low, high) = (paired[paired.len() / 4], paired[(paired.len() * 3) / 4]);
    let paired_median = median(paired);
    let stored = sandbox.entities(&realm, "Customer").unwrap().len();
    let mut handling: Vec<f64> = sandbox
        .requests(10_000)
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.micros as f64)
        .collect();
    let handling = if handling.is_empty() {
        0.0
    } else {
        handling.sort_by(f64::total_cmp);
        handling[handling.len() / 2]
    };
    println!(
        "customer creates, {CONCURRENCY} concurrent clients, {rounds} alternating rounds of {per_round}, median"
    );
    println!("{:<34} {:>12}", "server", "creates/s");
    println!("{:<34} {:>12.0}", "qbo-sandbox (limits off)", o);
    println!("{:<34} {:>12.0}", "bare axum, same JSON answer", b);
    println!(
        "ratio {:.2} ({:.0} % of the bare server; target: at least 50 %); the sandbox holds {stored} customers",
        o / b,
        100.0 * o / b
    );
    println!("paired rounds: median ratio {paired_median:.2}, middle half {low:.2} to {high:.2}");
    println!("median time inside the sandbox per create (request log): {handling:.0} µs");
    sandbox.shutdown().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
}
