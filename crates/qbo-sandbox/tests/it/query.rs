//! The query language over GET and POST: paging, COUNT, conditions, ordering, case.

use serde_json::{Value, json};

use crate::{Env, id};

fn names(reply: &Value, entity: &str) -> Vec<String> {
    reply["QueryResponse"][entity]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    c["DisplayName"]
                        .as_str()
                        .or(c["Name"].as_str())
                        .unwrap()
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn query_pages_and_counts() {
    let env = Env::start().await;
    for i in 1..=25 {
        env.customer(&format!("Customer {i:02}")).await;
    }
    let count = env.query("SELECT COUNT(*) FROM Customer").await;
    assert_eq!(count.ok()["QueryResponse"], json!({"totalCount": 25}));

    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let page = env
            .query(&format!(
                "select * from Customer orderby DisplayName startposition {start} maxresults 10"
            ))
            .await;
        let body = page.ok().clone();
        let got = names(&body, "Customer");
        if got.is_empty() {
            assert_eq!(
                body["QueryResponse"],
                json!({}),
                "an empty page is an empty object"
            );
            break;
        }
        assert_eq!(body["QueryResponse"]["startPosition"], start);
        assert_eq!(body["QueryResponse"]["maxResults"], got.len());
        seen.extend(got);
        start += 10;
    }
    let expected: Vec<String> = (1..=25).map(|i| format!("Customer {i:02}")).collect();
    assert_eq!(seen, expected);

    // The default page is 100 and MAXRESULTS above 1000 is capped.
    let all = env.query("SELECT * FROM Customer MAXRESULTS 5000").await;
    assert_eq!(names(all.ok(), "Customer").len(), 25);
}

#[tokio::test]
async fn conditions_ordering_and_case_insensitivity() {
    let env = Env::start().await;
    let ann = env.customer("Ann O'Neil").await;
    env.customer("Bob Smith").await;
    let carol = env.customer("Carol Ann").await;
    env.post(
        "customer",
        &json!({"Id": id(&carol), "SyncToken": "0", "sparse": true, "Active": false}),
    )
    .await
    .ok();

    // Escaped quote, case-insensitive keywords, entity and property names.
    let reply = env
        .query(r"SeLeCt * FrOm customer WhErE displayname = 'ann o\'neil'")
        .await;
    assert_eq!(names(reply.ok(), "Customer"), ["Ann O'Neil"]);
    // GET form with the statement URL-encoded.
    let reply = env
        .send(env.http.get(env.url("query")).query(&[
            (
                "query",
                "select * from Customer where DisplayName LIKE '%smith'",
            ),
            ("minorversion", "75"),
        ]))
        .await;
    assert_eq!(names(reply.ok(), "Customer"), ["Bob Smith"]);
    // Inactive customers only when the query asks about Active.
    let reply = env
        .query("select * from Customer where DisplayName like '%Ann%'")
        .await;
    assert_eq!(names(reply.ok(), "Customer"), ["Ann O'Neil"]);
    let reply = env
        .query("select * from Customer where Active IN (true, false) AND DisplayName LIKE '%ann%' ORDER BY DisplayName DESC")
        .await;
    assert_eq!(names(reply.ok(), "Customer"), ["Carol Ann", "Ann O'Neil"]);
    // Ids compare as numbers; MetaData times as times.
    let reply = env
        .query(&format!("select * from Customer where Id > '{}'", id(&ann)))
        .await;
    assert_eq!(names(reply.ok(), "Customer"), ["Bob Smith"]);
    let reply = env
        .query("select * from Customer where MetaData.LastUpdatedTime >= '2000-01-01T00:00:00Z'")
        .await;
    assert_eq!(names(reply.ok(), "Customer").len(), 2);
    // References compare by their value.
    let reply = env
        .query("select * from Account where AccountType = 'Income' and Classification = 'Revenue' orderby Name")
        .await;
    let accounts = names(reply.ok(), "Account");
    assert!(
        accounts.contains(&"Sales of Product Income".to_owned()),
        "{accounts:?}"
    );
    let reply = env
        .query("select * from TaxCode where Id IN ('TAX', 'NON')")
        .await;
    assert_eq!(
        reply.ok()["QueryResponse"]["TaxCode"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn bad_queries_are_4000_faults() {
    let env = Env::start().await;
    for sql in [
        "select * from Customer where Nope = '1'",
        "select * from Customer where DisplayName = 'a' or DisplayName = 'b'",
        "select DisplayName from Customer",
        "select * from Bill",
        "delete from Customer",
    ] {
        env.query(sql).await.assert_fault(400, "4000");
    }
    let reply = env.send(env.http.get(env.url("query"))).await;
    reply.assert_fault(400, "4000");
}

#[tokio::test]
async fn columns_after_star_not_equal_and_not_in_are_accepted() {
    // Sent by common clients and accepted by QBO (issue 16, item 8).
    let env = Env::start().await;
    for name in ["Ann", "Bob", "Cid"] {
        env.customer(name).await;
    }
    env.service_item("Gravel", 5.0).await;

    let items = env.query("SELECT *, Sku FROM Item").await;
    assert_eq!(names(items.ok(), "Item"), vec!["Gravel"]);
    // Whole entities, as for `*` alone.
    assert!(items.body["QueryResponse"]["Item"][0]["UnitPrice"].is_number());
    let items = env
        .query("select *, Sku, MetaData.LastUpdatedTime from Item where Name = 'Gravel'")
        .await;
    assert_eq!(names(items.ok(), "Item"), vec!["Gravel"]);

    let not_ann = env
        .query("select * from Customer where DisplayName != 'Ann' orderby DisplayName")
        .await;
    assert_eq!(names(not_ann.ok(), "Customer"), vec!["Bob", "Cid"]);
    let only_cid = env
        .query("select * from Customer where DisplayName NOT IN ('ann', 'Bob')")
        .await;
    assert_eq!(names(only_cid.ok(), "Customer"), vec!["Cid"]);
    let count = env
        .query("select count(*) from Customer where Id not in ('1') and DisplayName != 'Cid'")
        .await;
    assert_eq!(count.ok()["QueryResponse"], json!({"totalCount": 1}));

    // Still refused: a projection without `*`, and `NOT` alone.
    for sql in [
        "select Sku from Item",
        "select * from Customer where NOT DisplayName = 'Ann'",
        "select * from Customer where DisplayName NOT 'Ann'",
    ] {
        env.query(sql).await.assert_fault(400, "4000");
    }
}
