//! Property tests: no byte sequence QBO (or anything pretending to be QBO) sends can make
//! a decoder panic; every one ends in a value or a [`QboError`].

use bytes::Bytes;
use proptest::prelude::*;
use reqwest::Method;

use crate::batch::{self, BatchOperation};
use crate::client::{Answer, Call, QboClient};
use crate::envelope;
use crate::error::ErrorContext;
use crate::fault;
use crate::limit::CallKind;
use crate::query::QueryPage;
use crate::*;

const SAMPLES: &[&str] = &[
    include_str!("../tests/fixtures/faults/validation_6000.json"),
    include_str!("../tests/fixtures/faults/duplicate_6240.json"),
    include_str!("../tests/fixtures/faults/gateway_401_lowercase.json"),
    include_str!("../tests/fixtures/faults/throttle_403.xml"),
    include_str!("../tests/fixtures/faults/validation.xml"),
    include_str!("../tests/fixtures/faults/gateway_502.html"),
    r#"{"Customer":{"Id":"58","SyncToken":"3","DisplayName":"Ann Lee","V4IDPseudonym":"abc","Balance":10.50,"BillAddr":{"Line1":"1 Main","City":"X","Country":"USA"},"PrimaryEmailAddr":{"Address":"a@b.c"},"MetaData":{"CreateTime":"2026-01-02T03:04:05-08:00","LastUpdatedTime":"2026-01-02T03:04:05-08:00"}},"time":"2026-01-02T03:04:05.123-08:00"}"#,
    r#"{"Invoice":{"Id":"130","SyncToken":"2","DocNumber":"1037","TxnDate":"2026-11-20","CustomerRef":{"value":"58","name":"Ann"},"Line":[{"Id":"1","LineNum":1,"Amount":1861.08,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"5"},"Qty":128.35,"UnitPrice":14.50,"TaxCodeRef":{"value":"TAX"}}},{"Amount":1861.08,"DetailType":"SubTotalLineDetail","SubTotalLineDetail":{}},{"Amount":10,"DetailType":"DiscountLineDetail","DiscountLineDetail":{"PercentBased":false}}],"TxnTaxDetail":{"TotalTax":0},"TotalAmt":1851.08}}"#,
    r#"{"QueryResponse":{"Customer":[{"Id":"1"},{"Id":"2","SyncToken":4}],"startPosition":1,"maxResults":2},"time":"t"}"#,
    r#"{"QueryResponse":{"TaxCode":[{"Id":"TAX","Name":"TAX","Taxable":true},{"Id":"NON","Name":"NON"}]}}"#,
    r#"{"BatchItemResponse":[{"bId":"0","Customer":{"Id":"1"}},{"bId":"1","Fault":{"Error":[{"code":"6240","Detail":"x : Id=9"}]}},{"bId":"2","QueryResponse":{"Item":[{"Id":"3","Type":"Inventory"}]}}]}"#,
    r#"{"CDCResponse":[{"QueryResponse":[{"Customer":[{"Id":"1"},{"Id":"2","status":"Deleted"}]},{"Item":[{"Id":"5"}]}]}]}"#,
    r#"{"Preferences":{"SalesFormsPrefs":{"CustomTxnNumbers":true},"CurrencyPrefs":{"HomeCurrency":{"value":"USD"}},"TaxPrefs":{"PartnerTaxEnabled":true}}}"#,
];

fn call() -> Call {
    Call {
        method: Method::GET,
        segments: vec!["x".to_owned()],
        params: Vec::new(),
        body: None,
        request_id: None,
        kind: CallKind::Single,
        idempotent: true,
    }
}

/// Runs every decoder over `body`; the test is that none panics.
fn decode_everything(body: &[u8]) {
    let call = call();
    let bytes = Bytes::copy_from_slice(body);
    for status in [200u16, 400, 401, 429, 500] {
        let answer = Answer {
            status,
            body: bytes.clone(),
            intuit_tid: Some("tid".to_owned()),
        };
        if status != 200 {
            let parsed = fault::parse_fault(body);
            let _ = fault::classify(Some(status), parsed, None, body, ErrorContext::default())
                .to_string();
            continue;
        }
        let _ = QboClient::decode_one::<Customer>(&answer, &call);
        let _ = QboClient::decode_one::<Invoice>(&answer, &call);
        let _ = QboClient::decode_one::<Item>(&answer, &call);
        let _ = QboClient::decode_one::<Payment>(&answer, &call);
        let _ = QboClient::decode_one::<SalesReceipt>(&answer, &call);
        let _ = QboClient::decode_one::<Preferences>(&answer, &call);
        let _ = QboClient::decode_one::<CompanyInfo>(&answer, &call);
        let _ = envelope::decode::<QueryPage<Customer>>(&answer, &call);
        let _ = envelope::decode::<QueryPage<TaxCode>>(&answer, &call);
        let ops = vec![BatchOperation::Query("SELECT * FROM Item".to_owned()); 3];
        if let Ok(results) = batch::chunk_results(&answer, &call, &ops) {
            for r in results {
                if let Err(e) = r {
                    let _ = e.to_string();
                }
            }
        }
        let _ = batch::cdc_result(&answer, &call);
    }
}

#[test]
fn every_truncation_of_every_sample_decodes_or_errors() {
    for sample in SAMPLES {
        let bytes = sample.as_bytes();
        for cut in 0..=bytes.len() {
            decode_everything(&bytes[..cut]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        decode_everything(&body);
    }

    #[test]
    fn json_like_noise_never_panics(body in r#"[\{\}\[\]":,0-9a-zA-Z .\-eE<>/=]{0,400}"#) {
        decode_everything(body.as_bytes());
    }

    #[test]
    fn mutated_samples_never_panic(which in 0..SAMPLES.len(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let mut bytes = SAMPLES[which].as_bytes().to_vec();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let end = cut.index(bytes.len() + 1);
        decode_everything(&bytes[..end]);
    }
}

/// Extreme numbers (as JSON number text) for every numeric field of the templates below.
const EXTREME_NUMBERS: &[&str] = &[
    "1e20",
    "1e28",
    "-1e28",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "99999999999999999999999999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "1E+400",
    "-1E+400",
    "1e-400",
    "1e308",
    "-1",
    "0.0000000000000000000000000001",
    "12345678901234567.89",
];

/// Extreme times for every time field.
const EXTREME_TIMES: &[&str] = &[
    "+275760-09-13T00:00:00Z",
    "99999-12-31T23:59:59-08:00",
    "-99999-01-01T00:00:00Z",
    "2026-13-45T99:99:99Z",
    "2026-01-02T03:04:05+99:00",
    "2026-01-02T03:04:05.9999999999999999999Z",
    "99999-12-31",
];

/// Answers with a number slot `#N` and a time slot `#T`.
const TEMPLATES: &[&str] = &[
    r##"{"Customer":{"Id":"58","SyncToken":"3","DisplayName":"Ann","Balance":#N,"BalanceWithJobs":#N,"MetaData":{"CreateTime":"#T","LastUpdatedTime":"#T"}},"time":"#T"}"##,
    r##"{"Invoice":{"Id":"130","SyncToken":"2","TxnDate":"#T","DueDate":"#T","CustomerRef":{"value":"58"},"Line":[{"Id":"1","LineNum":#N,"Amount":#N,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"5"},"Qty":#N,"UnitPrice":#N,"TaxCodeRef":{"value":"TAX"}}},{"Amount":#N,"DetailType":"SubTotalLineDetail","SubTotalLineDetail":{}},{"Amount":#N,"DetailType":"DiscountLineDetail","DiscountLineDetail":{"PercentBased":true,"DiscountPercent":#N}}],"TxnTaxDetail":{"TotalTax":#N,"TaxLine":[{"Amount":#N,"DetailType":"TaxLineDetail","TaxLineDetail":{"TaxRateRef":{"value":"3"},"PercentBased":true,"TaxPercent":#N,"NetAmountTaxable":#N}}]},"TotalAmt":#N,"Balance":#N,"ExchangeRate":#N}}"##,
    r##"{"Item":{"Id":"5","SyncToken":"0","Name":"Mug","Type":"Inventory","UnitPrice":#N,"PurchaseCost":#N,"QtyOnHand":#N,"InvStartDate":"#T","TrackQtyOnHand":true}}"##,
    r##"{"Payment":{"Id":"9","TotalAmt":#N,"UnappliedAmt":#N,"TxnDate":"#T","CustomerRef":{"value":"58"},"Line":[{"Amount":#N,"LinkedTxn":[{"TxnId":"130","TxnType":"Invoice"}]}]}}"##,
    r##"{"SalesReceipt":{"Id":"7","TotalAmt":#N,"TxnDate":"#T","Line":[{"Amount":#N,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"Qty":#N,"UnitPrice":#N}}]}}"##,
    r##"{"QueryResponse":{"Customer":[{"Id":"1","Balance":#N}],"startPosition":#N,"maxResults":#N,"totalCount":#N},"time":"#T"}"##,
    r##"{"BatchItemResponse":[{"bId":"0","Customer":{"Id":"1","Balance":#N}},{"bId":"1","Fault":{"Error":[{"code":"#N","Detail":"x"}]}}],"time":"#T"}"##,
    r##"{"CDCResponse":[{"QueryResponse":[{"Customer":[{"Id":"1","Balance":#N,"MetaData":{"LastUpdatedTime":"#T"}}],"startPosition":#N,"maxResults":#N,"totalCount":#N}]}],"time":"#T"}"##,
    r##"{"CompanyInfo":{"Id":"1","CompanyName":"Shop","CompanyStartDate":"#T","FiscalYearStartMonth":"January","MetaData":{"CreateTime":"#T"}}}"##,
    r##"{"Fault":{"Error":[{"Message":"m","Detail":"d","code":"#N"}],"type":"ValidationFault"},"time":"#T"}"##,
];

/// Every extreme number in every numeric field and every extreme time in every time field
/// of every answer kind: a value or an error, never a panic (also quoted, as QBO quotes
/// some numbers).
#[test]
fn extreme_numbers_and_times_decode_or_error() {
    // The templates are real answers: with ordinary values they decode, so the extremes
    // reach the amount and time decoders.
    let ordinary = |i: usize| Answer {
        status: 200,
        body: Bytes::from(
            TEMPLATES[i]
                .replace("#N", "1")
                .replace("#T", "2026-01-02T03:04:05-08:00"),
        ),
        intuit_tid: None,
    };
    assert!(QboClient::decode_one::<Customer>(&ordinary(0), &call()).is_ok());
    assert!(QboClient::decode_one::<Invoice>(&ordinary(1), &call()).is_ok());
    assert!(QboClient::decode_one::<Item>(&ordinary(2), &call()).is_ok());
    assert!(QboClient::decode_one::<Payment>(&ordinary(3), &call()).is_ok());
    assert!(QboClient::decode_one::<SalesReceipt>(&ordinary(4), &call()).is_ok());
    for template in TEMPLATES {
        for number in EXTREME_NUMBERS {
            for n in [(*number).to_owned(), format!("\"{number}\"")] {
                let body = template
                    .replace("#N", &n)
                    .replace("#T", "2026-01-02T03:04:05-08:00");
                decode_everything(body.as_bytes());
            }
        }
        for time in EXTREME_TIMES {
            let body = template.replace("#N", "1").replace("#T", time);
            decode_everything(body.as_bytes());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any JSON number text (long, negative, any exponent) in every numeric field.
    #[test]
    fn any_number_text_decodes_or_errors(
        which in 0..TEMPLATES.len(),
        number in "-?[0-9]{1,45}(\\.[0-9]{1,45})?([eE][+-]?[0-9]{1,4})?",
    ) {
        let body = TEMPLATES[which].replace("#N", &number).replace("#T", "2026-01-02T03:04:05Z");
        decode_everything(body.as_bytes());
    }
}
