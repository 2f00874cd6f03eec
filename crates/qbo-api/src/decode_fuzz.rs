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
