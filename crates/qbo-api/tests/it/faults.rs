//! Every fault shape QBO sends, one fixture each, parsed into the right variant.

use std::time::Duration;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use qbo_api::retry::RetryPolicy;
use qbo_api::{Customer, EntityId, QboError};

use super::{api, builder, fixture};

/// Reads customer 1 from a server answering `status` with `body` (and `headers`),
/// without retries, and returns the error and the number of requests made.
async fn fault_of(
    status: u16,
    body: &str,
    content_type: &str,
    headers: &[(&str, &str)],
) -> (QboError, usize) {
    let server = MockServer::start().await;
    let mut response = ResponseTemplate::new(status)
        .set_body_raw(body.as_bytes().to_vec(), content_type)
        .insert_header("intuit_tid", "1-abc-tid");
    for (k, v) in headers {
        response = response.insert_header(*k, *v);
    }
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .respond_with(response)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = client
        .read::<Customer>(&EntityId::new("1"))
        .await
        .unwrap_err();
    assert_eq!(err.intuit_tid(), Some("1-abc-tid"), "{err:?}");
    let count = server.received_requests().await.unwrap().len();
    (err, count)
}

const JSON: &str = "application/json";

#[tokio::test]
async fn business_validation_6000() {
    let (err, _) = fault_of(400, &fixture("faults/validation_6000.json"), JSON, &[]).await;
    let QboError::Validation { error, context } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(error.code, "6000");
    assert!(
        error
            .detail
            .as_deref()
            .unwrap()
            .contains("transaction amount")
    );
    assert_eq!(error.element, None, "an empty element is no element");
    assert_eq!(context.status, Some(400));
    assert_eq!(context.fault_type.as_deref(), Some("ValidationFault"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn amount_6070_names_the_element() {
    let (err, _) = fault_of(400, &fixture("faults/amount_6070.json"), JSON, &[]).await;
    let QboError::Validation { error, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(error.code, "6070");
    assert_eq!(error.element.as_deref(), Some("Line.Amount"));
    assert!(
        err.to_string()
            .contains("Amount is not equal to UnitPrice * Qty"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_property_2010() {
    let (err, _) = fault_of(
        400,
        &fixture("faults/unknown_property_2010.json"),
        JSON,
        &[],
    )
    .await;
    assert!(
        matches!(&err, QboError::Validation { error, .. } if error.code == "2010" && error.detail.as_deref().unwrap().contains("PurchaseTaxInclusive")),
        "{err:?}"
    );
}

#[tokio::test]
async fn duplicate_name_6240_with_the_existing_id() {
    let (err, _) = fault_of(400, &fixture("faults/duplicate_6240.json"), JSON, &[]).await;
    let QboError::DuplicateName {
        existing_id, error, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(existing_id, &Some(EntityId::new("123")));
    assert_eq!(error.element.as_deref(), Some("DisplayName"));
    assert_eq!(err.code(), Some("6240"));
}

#[tokio::test]
async fn duplicate_name_6240_old_detail_has_no_id() {
    let (err, _) = fault_of(400, &fixture("faults/duplicate_6240_old.json"), JSON, &[]).await;
    assert!(
        matches!(
            err,
            QboError::DuplicateName {
                existing_id: None,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn stale_object_5010() {
    let (err, _) = fault_of(400, &fixture("faults/stale_5010.json"), JSON, &[]).await;
    assert!(
        matches!(&err, QboError::StaleObject { error, .. } if error.code == "5010"),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn object_not_found_610() {
    let (err, _) = fault_of(400, &fixture("faults/not_found_610.json"), JSON, &[]).await;
    assert!(
        matches!(&err, QboError::NotFound { error: Some(e), .. } if e.code == "610"),
        "{err:?}"
    );
}

#[tokio::test]
async fn http_404_with_an_empty_body_is_not_found() {
    let (err, _) = fault_of(404, "", "text/plain", &[]).await;
    assert!(
        matches!(err, QboError::NotFound { error: None, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn gateway_401_with_lowercase_keys() {
    let (err, count) = fault_of(
        401,
        &fixture("faults/gateway_401_lowercase.json"),
        JSON,
        &[],
    )
    .await;
    let QboError::Authentication {
        error: Some(error),
        context,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(error.code, "3200");
    assert!(
        error
            .detail
            .as_deref()
            .unwrap()
            .starts_with("Token expired")
    );
    assert_eq!(context.fault_type.as_deref(), Some("AUTHENTICATION"));
    // One retry after telling the token provider.
    assert_eq!(count, 2);
}

#[tokio::test]
async fn gateway_403_with_lowercase_keys() {
    let (err, count) = fault_of(
        403,
        &fixture("faults/gateway_403_lowercase.json"),
        JSON,
        &[],
    )
    .await;
    assert!(
        matches!(&err, QboError::Authorization { error: Some(e), .. } if e.code == "3100"),
        "{err:?}"
    );
    assert_eq!(count, 1);
}

#[tokio::test]
async fn throttled_429_with_retry_after() {
    let (err, _) = fault_of(
        429,
        &fixture("faults/throttle_429.json"),
        JSON,
        &[("Retry-After", "17")],
    )
    .await;
    assert!(
        matches!(err, QboError::Throttled { retry_after: Some(d), .. } if d == Duration::from_secs(17)),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(17)));
}

#[tokio::test]
async fn throttled_as_xml_with_403_despite_json_asked() {
    let (err, _) = fault_of(
        403,
        &fixture("faults/throttle_403.xml"),
        "application/xml",
        &[],
    )
    .await;
    let QboError::Throttled {
        retry_after: None,
        context,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(context.errors[0].code, "3001");
    assert_eq!(context.fault_type.as_deref(), Some("SERVICE"));
}

#[tokio::test]
async fn validation_fault_as_xml() {
    let (err, _) = fault_of(400, &fixture("faults/validation.xml"), "text/xml", &[]).await;
    let QboError::Validation { error, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(error.code, "2020");
    assert_eq!(error.element.as_deref(), Some("Line"));
    assert_eq!(
        error.detail.as_deref(),
        Some("Required parameter Line is missing in the request")
    );
}

#[tokio::test]
async fn html_502_page_is_service_unavailable() {
    let (err, _) = fault_of(502, &fixture("faults/gateway_502.html"), "text/html", &[]).await;
    assert!(
        matches!(err, QboError::ServiceUnavailable { error: None, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.status(), Some(502));
}

#[tokio::test]
async fn empty_503_is_service_unavailable() {
    let (err, _) = fault_of(503, "", "text/plain", &[]).await;
    assert!(
        matches!(err, QboError::ServiceUnavailable { error: None, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn unsupported_operation_500_is_permanent() {
    let (err, _) = fault_of(500, &fixture("faults/unsupported_500.json"), JSON, &[]).await;
    assert!(
        matches!(&err, QboError::Fault { error, .. } if error.detail.as_deref() == Some("Operation CREATE CATEGORY is not supported.")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn system_fault_500_is_retryable() {
    let (err, _) = fault_of(500, &fixture("faults/system_fault_500.json"), JSON, &[]).await;
    assert!(
        matches!(&err, QboError::ServiceUnavailable { error: Some(e), .. } if e.code == "10000"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_400_with_a_broken_body_keeps_a_bounded_snippet() {
    let body = format!(
        "{{\"Fault\":{{\"Error\":[{{\"Message\":\"{}",
        "x".repeat(5000)
    );
    let (err, _) = fault_of(400, &body, JSON, &[]).await;
    let QboError::Decode {
        snippet, message, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(message.contains("HTTP 400"), "{message}");
    assert!(snippet.starts_with("{\"Fault\""));
    assert!(snippet.chars().count() <= 513);
}
