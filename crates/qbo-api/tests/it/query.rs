//! Queries: escaping, paging, counting.

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{body_string, body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use qbo_api::query::{Op, Order, Query};
use qbo_api::{Customer, Item, QboError};

use super::{api, client};

#[tokio::test]
async fn a_name_with_a_quote_round_trips_through_the_query_builder() {
    let server = MockServer::start().await;
    let name = r"O'Brien's \ Sons";
    Mock::given(method("POST"))
        .and(path(api("query")))
        .and(header("content-type", "application/text"))
        .and(body_string(r"SELECT * FROM Customer WHERE DisplayName = 'O\'Brien\'s \\ Sons'"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"QueryResponse": {"Customer": [{"Id": "5", "SyncToken": "0", "DisplayName": name}], "startPosition": 1, "maxResults": 1}, "time": "t"})))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .query(&Query::<Customer>::new().eq("DisplayName", name))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].display_name.as_deref(), Some(name));
    assert_eq!(page.total_count, None, "no totalCount is fine");
}

#[test]
fn the_builder_refuses_what_would_break_a_query() {
    let injected = Query::<Customer>::new().filter("DisplayName' OR '1'='1", Op::Eq, "x");
    assert!(injected.to_sql().is_err());
    assert!(Query::<Customer>::new().max_results(0).to_sql().is_err());
    assert!(Query::<Customer>::new().max_results(1001).to_sql().is_err());
    assert!(Query::<Customer>::new().start_position(0).to_sql().is_err());
    assert!(
        Query::<Customer>::new()
            .in_list::<&str>("Id", [])
            .to_sql()
            .is_err()
    );
    let q = Query::<Item>::new()
        .in_list("Id", ["1", "2"])
        .filter(
            "MetaData.LastUpdatedTime",
            Op::Gt,
            chrono::DateTime::UNIX_EPOCH,
        )
        .filter("Name", Op::Like, "Mug%")
        .order_by("MetaData.LastUpdatedTime", Order::Desc);
    assert_eq!(
        q.to_sql().unwrap(),
        "SELECT * FROM Item WHERE Id IN ('1', '2') AND MetaData.LastUpdatedTime > '1970-01-01T00:00:00+00:00' AND Name LIKE 'Mug%' ORDERBY MetaData.LastUpdatedTime DESC"
    );
    assert_eq!(
        q.to_count_sql().unwrap(),
        "SELECT COUNT(*) FROM Item WHERE Id IN ('1', '2') AND MetaData.LastUpdatedTime > '1970-01-01T00:00:00+00:00' AND Name LIKE 'Mug%'"
    );
}

/// Serves 2,500 customers by STARTPOSITION/MAXRESULTS read from the query text.
struct Pages;

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let sql = String::from_utf8_lossy(&request.body).to_string();
        let word = |w: &str| -> usize {
            let at = sql.find(w).unwrap() + w.len();
            sql[at..]
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let (start, max) = (word("STARTPOSITION"), word("MAXRESULTS"));
        let end = (start + max - 1).min(2500);
        let items: Vec<Value> = (start..=end)
            .map(|i| json!({"Id": i.to_string(), "SyncToken": "0", "DisplayName": format!("C{i}")}))
            .collect();
        let mut qr = json!({"startPosition": start, "maxResults": items.len()});
        if !items.is_empty() {
            qr["Customer"] = Value::Array(items);
        }
        ResponseTemplate::new(200).set_body_json(json!({"QueryResponse": qr, "time": "t"}))
    }
}

#[tokio::test]
async fn a_query_of_2500_rows_arrives_as_three_pages_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("query")))
        .respond_with(Pages)
        .expect(3)
        .mount(&server)
        .await;
    let all: Vec<Customer> = client(&server)
        .query_stream(Query::<Customer>::new().eq("Active", true))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 2500);
    for (i, c) in all.iter().enumerate() {
        assert_eq!(c.id.as_ref().unwrap().as_str(), (i + 1).to_string());
    }
    let bodies: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(
        bodies,
        [1, 1001, 2001].map(|s| format!("SELECT * FROM Customer WHERE Active = true ORDERBY Id ASC STARTPOSITION {s} MAXRESULTS 1000"))
    );
}

#[tokio::test]
async fn pages_follow_the_callers_page_size() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("query")))
        .respond_with(Pages)
        .mount(&server)
        .await;
    let pages: Vec<_> = client(&server)
        .query_pages(
            Query::<Customer>::new()
                .max_results(1000)
                .start_position(2001),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].items.len(), 500);
    assert_eq!(pages[0].start_position, Some(2001));
}

#[tokio::test]
async fn an_empty_query_response_is_an_empty_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("query")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"QueryResponse": {}, "time": "t"})),
        )
        .mount(&server)
        .await;
    let all: Vec<Customer> = client(&server)
        .query_stream(Query::<Customer>::new())
        .try_collect()
        .await
        .unwrap();
    assert!(all.is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn count_reads_total_count() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("query")))
        .and(body_string(
            "SELECT COUNT(*) FROM Item WHERE Type = 'Inventory'",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"QueryResponse": {"totalCount": 2500}, "time": "t"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let n = client(&server)
        .count(&Query::<Item>::new().eq("Type", "Inventory"))
        .await
        .unwrap();
    assert_eq!(n, 2500);
}

#[tokio::test]
async fn a_query_fault_is_an_error_from_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("query")))
        .and(body_string_contains("Nope"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"Fault": {"Error": [{"Message": "Error parsing query", "Detail": "QueryParserError: Invalid content. Lexical error", "code": "4000"}], "type": "ValidationFault"}})))
        .mount(&server)
        .await;
    let err = client(&server)
        .query_stream(Query::<Customer>::new().eq("Nope", 1))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, QboError::Validation { error, .. } if error.code == "4000"),
        "{err:?}"
    );
}
