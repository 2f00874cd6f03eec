//! `cargo xtask bench client`: qbo-api against bare reqwest doing the same work.
//!
//! A local axum server answers QBO-shaped JSON for three workloads: a create, a
//! 1,000-row query page and a 25-operation batch. Each workload runs through `qbo-api`
//! (typed request, limiter with QBO's limits lifted, retry loop, typed decoding) and
//! through bare `reqwest` sending the very same bytes to the same URL and parsing the
//! answer into a `serde_json::Value` (the least an untyped client must do). Rounds
//! alternate between the two so that machine noise hits both alike; the figure is the
//! ratio of the medians.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use qbo_api::batch::BatchOperation;
use qbo_api::limit::RateLimits;
use qbo_api::query::Query;
use qbo_api::retry::RetryPolicy;
use qbo_api::{
    Customer, EmailAddress, Environment, PhysicalAddress, QboClient, RealmId, RequestId,
    StaticToken,
};
use serde_json::{Value, json};

const REALM: &str = "4620816365";

fn customer_json(i: usize) -> Value {
    json!({"Id": i.to_string(), "SyncToken": "0", "DisplayName": format!("Customer {i}"),
        "GivenName": "Ann", "FamilyName": format!("Lee{i}"), "Active": true, "Balance": 125.50,
        "BalanceWithJobs": 125.50, "Taxable": true, "PreferredDeliveryMethod": "Print", "domain": "QBO",
        "PrimaryEmailAddr": {"Address": format!("ann{i}@example.com")},
        "PrimaryPhone": {"FreeFormNumber": "(555) 555-5555"},
        "BillAddr": {"Id": "2", "Line1": "4581 Finch St.", "City": "Bayshore", "CountrySubDivisionCode": "CA", "PostalCode": "94326", "Country": "USA"},
        "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
        "MetaData": {"CreateTime": "2026-09-19T13:16:17-07:00", "LastUpdatedTime": "2026-09-19T13:16:17-07:00"}})
}

fn new_customer() -> Customer {
    Customer {
        display_name: Some("Customer 1".into()),
        given_name: Some("Ann".into()),
        family_name: Some("Lee1".into()),
        primary_email_addr: Some(EmailAddress::new("ann1@example.com")),
        bill_addr: Some(PhysicalAddress {
            line1: Some("4581 Finch St.".into()),
            city: Some("Bayshore".into()),
            country_sub_division_code: Some("CA".into()),
            postal_code: Some("94326".into()),
            country: Some("USA".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

struct Answers {
    create: Bytes,
    page: Bytes,
    batch: Bytes,
}

async fn serve() -> (String, Arc<Answers>) {
    let answers = Arc::new(Answers {
        create: Bytes::from(serde_json::to_vec(&json!({"Customer": customer_json(1), "time": "2026-11-26T10:00:00.000-08:00"})).unwrap()),
        page: Bytes::from(
            serde_json::to_vec(&json!({"QueryResponse": {"Customer": (1..=1000).map(customer_json).collect::<Vec<_>>(), "startPosition": 1, "maxResults": 1000}, "time": "t"})).unwrap(),
        ),
        batch: Bytes::from(
            serde_json::to_vec(&json!({"BatchItemResponse": (0..25).map(|i| json!({"bId": i.to_string(), "Customer": customer_json(i)})).collect::<Vec<_>>(), "time": "t"})).unwrap(),
        ),
    });
    let (a, b, c) = (answers.clone(), answers.clone(), answers.clone());
    let json_response = |body: Bytes| {
        (
            [
                ("content-type", "application/json"),
                ("intuit_tid", "bench-tid"),
            ],
            body,
        )
    };
    let app = Router::new()
        .route(
            &format!("/v3/company/{REALM}/customer"),
            post(move |_: Bytes| async move { json_response(a.create.clone()) }),
        )
        .route(
            &format!("/v3/company/{REALM}/query"),
            post(move |_: Bytes| async move { json_response(b.page.clone()) }),
        )
        .route(
            &format!("/v3/company/{REALM}/batch"),
            post(move |_: Bytes| async move { json_response(c.batch.clone()) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), answers)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 9 };
    let (base, _answers) = serve().await;
    let lifted = RateLimits {
        requests_per_window: 1_000_000,
        batches_per_window: 1_000_000,
        max_in_flight: 1000,
        window: Duration::from_secs(60),
    };
    let client = QboClient::builder(Arc::new(StaticToken::new("bench-token".into())))
        .environment(Environment::parse(&base).unwrap())
        .realm(RealmId::new(REALM).unwrap())
        .rate_limits(lifted)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let bare = reqwest::Client::builder().build().unwrap();

    // The exact bytes qbo-api sends, captured once, for the bare client to send.
    let create_body = serde_json::to_vec(&new_customer()).unwrap();
    let query_sql = Query::<Customer>::new()
        .eq("Active", true)
        .to_sql()
        .unwrap();
    let batch_ops: Vec<BatchOperation> = (0..25)
        .map(|_| BatchOperation::create(new_customer()))
        .collect();
    let batch_body = serde_json::to_vec(&json!({"BatchItemRequest": (0..25).map(|i| {
        let mut item = json!({"bId": i.to_string(), "operation": "create"});
        item["Customer"] = serde_json::to_value(new_customer()).unwrap();
        item
    }).collect::<Vec<_>>()}))
    .unwrap();

    let workloads: [(&str, usize); 3] = [
        ("create", if quick { 200 } else { 1000 }),
        ("query page (1,000 rows)", if quick { 10 } else { 60 }),
        ("batch (25 creates)", if quick { 50 } else { 300 }),
    ];
    println!("qbo-api vs bare reqwest, {rounds} alternating rounds, median of rounds");
    println!(
        "{:<26} {:>14} {:>14} {:>8}",
        "workload", "qbo-api µs/op", "reqwest µs/op", "ratio"
    );
    let mut worst: f64 = 0.0;
    for (name, n) in workloads {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for round in 0..rounds {
            for side in 0..2 {
                // Alternate which side goes first.
                let run_ours = (round + side) % 2 == 0;
                let start = Instant::now();
                for _ in 0..n {
                    match (name, run_ours) {
                        ("create", true) => {
                            let c = client
                                .create(&new_customer())
                                .request_id(RequestId::generate())
                                .await
                                .unwrap();
                            assert!(c.id.is_some());
                        }
                        ("create", false) => {
                            let url = format!(
                                "{base}/v3/company/{REALM}/customer?minorversion=75&requestid={}",
                                uuid_like()
                            );
                            let body = bare
                                .post(url)
                                .bearer_auth("bench-token")
                                .header("accept", "application/json")
                                .header("content-type", "application/json")
                                .body(create_body.clone())
                                .send()
                                .await
                                .unwrap()
                                .bytes()
                                .await
                                .unwrap();
                            let v: Value = serde_json::from_slice(&body).unwrap();
                            assert!(v["Customer"]["Id"].is_string());
                        }
                        (_, true) if name.starts_with("query") => {
                            let page = client
                                .query(&Query::<Customer>::new().eq("Active", true))
                                .await
                                .unwrap();
                            assert_eq!(page.items.len(), 1000);
                        }
                        (_, false) if name.starts_with("query") => {
                            let url = format!("{base}/v3/company/{REALM}/query?minorversion=75");
                            let body = bare
                                .post(url)
                                .bearer_auth("bench-token")
                                .header("accept", "application/json")
                                .header("content-type", "application/text")
                                .body(query_sql.clone())
                                .send()
                                .await
                                .unwrap()
                                .bytes()
                                .await
                                .unwrap();
                            let v: Value = serde_json::from_slice(&body).unwrap();
                            assert_eq!(
                                v["QueryResponse"]["Customer"].as_array().unwrap().len(),
                                1000
                            );
                        }
                        (_, true) => {
                            let results = client.batch(batch_ops.clone()).await.unwrap();
                            assert!(results.iter().all(Result::is_ok));
                        }
                        (_, false) => {
                            let url = format!(
                                "{base}/v3/company/{REALM}/batch?minorversion=75&requestid={}",
                                uuid_like()
                            );
                            let body = bare
                                .post(url)
                                .bearer_auth("bench-token")
                                .header("accept", "application/json")
                                .header("content-type", "application/json")
                                .body(batch_body.clone())
                                .send()
                                .await
                                .unwrap()
                                .bytes()
                                .await
                                .unwrap();
                            let v: Value = serde_json::from_slice(&body).unwrap();
                            assert_eq!(v["BatchItemResponse"].as_array().unwrap().len(), 25);
                        }
                    }
                }
                let per_op = start.elapsed() / u32::try_from(n).unwrap();
                if run_ours {
                    ours.push(per_op);
                } else {
                    theirs.push(per_op);
                }
            }
        }
        let (o, t) = (median(ours), median(theirs));
        let ratio = o.as_secs_f64() / t.as_secs_f64();
        worst = worst.max(ratio);
        println!(
            "{:<26} {:>14.1} {:>14.1} {:>8.2}",
            name,
            o.as_secs_f64() * 1e6,
            t.as_secs_f64() * 1e6,
            ratio
        );
    }
    println!("worst ratio {worst:.2} (target: at most 1.30)");
}

/// A request id of the same length qbo-api generates (36 characters).
fn uuid_like() -> String {
    let n: u128 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let h = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
