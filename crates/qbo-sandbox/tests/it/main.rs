//! Integration tests: every test starts its own sandbox on a free 127.0.0.1 port and talks
//! to it over HTTP.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_cmp
)]

mod api_rules;
mod batch_cdc;
mod chaos;
mod client;
mod crud;
mod extreme;
mod fidelity;
mod fuzz;
mod inspect;
mod limits;
mod oauth;
mod query;
mod replay;

use qbo_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

/// A sandbox and a raw HTTP client holding a token for its default company.
#[derive(Debug)]
pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub realm: String,
    pub token: String,
}

/// What an answer held.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub tid: Option<String>,
    pub body: Value,
}

impl Reply {
    /// The first fault code of a service-shaped fault body.
    pub fn code(&self) -> &str {
        self.body["Fault"]["Error"][0]["code"]
            .as_str()
            .unwrap_or("")
    }

    pub fn detail(&self) -> &str {
        self.body["Fault"]["Error"][0]["Detail"]
            .as_str()
            .unwrap_or("")
    }

    pub fn element(&self) -> &str {
        self.body["Fault"]["Error"][0]["element"]
            .as_str()
            .unwrap_or("")
    }

    #[track_caller]
    pub fn assert_fault(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{:#}", self.body);
        assert_eq!(self.code(), code, "{:#}", self.body);
        assert!(
            self.body["time"].is_string(),
            "fault has a time: {:#}",
            self.body
        );
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "{:#}", self.body);
        &self.body
    }
}

impl Env {
    pub async fn start() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    pub async fn with(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let realm = sandbox.realm_id();
        let token = sandbox
            .issue_tokens(&realm)
            .expect("tokens")
            .access_token
            .expose_secret()
            .to_owned();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            sandbox,
            http,
            realm,
            token,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "{}/v3/company/{}/{path}",
            self.sandbox.base_url(),
            self.realm
        )
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request
            .bearer_auth(&self.token)
            .header("accept", "application/json")
            .send()
            .await
            .expect("answer");
        let status = response.status();
        let tid = response
            .headers()
            .get("intuit_tid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Reply { status, tid, body }
    }

    /// `POST /{path}` with a JSON body (`path` may carry a query string).
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(
            self.http
                .post(self.url(path))
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path))).await
    }

    /// `POST /query` with the statement as `application/text`.
    pub async fn query(&self, sql: &str) -> Reply {
        self.send(
            self.http
                .post(self.url("query?minorversion=75"))
                .header("content-type", "application/text")
                .body(sql.to_owned()),
        )
        .await
    }

    /// Creates an entity and returns its JSON (asserting success).
    pub async fn create(&self, entity: &str, body: Value) -> Value {
        let reply = self
            .post(&format!("{}?minorversion=75", entity.to_lowercase()), &body)
            .await;
        reply.ok()[entity].clone()
    }

    pub async fn customer(&self, name: &str) -> Value {
        self.create("Customer", json!({ "DisplayName": name }))
            .await
    }

    /// The id of the seeded account with this name.
    pub async fn account(&self, name: &str) -> String {
        let reply = self
            .query(&format!(
                "select * from Account where Name = '{}'",
                name.replace('\'', "\\'")
            ))
            .await;
        reply.ok()["QueryResponse"]["Account"][0]["Id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn service_item(&self, name: &str, price: f64) -> Value {
        let income = self.account("Services").await;
        self.create(
            "Item",
            json!({"Name": name, "Type": "Service", "UnitPrice": price,
                   "IncomeAccountRef": {"value": income}}),
        )
        .await
    }

    pub async fn inventory_item(&self, name: &str, qty: i64) -> Value {
        let income = self.account("Sales of Product Income").await;
        let cogs = self.account("Cost of Goods Sold").await;
        let asset = self.account("Inventory Asset").await;
        self.create(
            "Item",
            json!({"Name": name, "Type": "Inventory", "TrackQtyOnHand": true, "QtyOnHand": qty,
                   "InvStartDate": "2026-01-01", "UnitPrice": 25,
                   "IncomeAccountRef": {"value": income}, "ExpenseAccountRef": {"value": cogs},
                   "AssetAccountRef": {"value": asset}}),
        )
        .await
    }

    pub async fn read(&self, entity: &str, id: &str) -> Value {
        let reply = self.get(&format!("{}/{id}", entity.to_lowercase())).await;
        reply.ok()[entity].clone()
    }
}

/// A sales line of `qty` × `price` of `item`.
pub fn line(item: &str, qty: f64, price: f64, amount: f64) -> Value {
    json!({
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": qty, "UnitPrice": price}
    })
}

/// A JSON number as f64 (amounts in answers).
pub fn num(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

pub fn id(value: &Value) -> String {
    value["Id"].as_str().expect("Id").to_owned()
}
