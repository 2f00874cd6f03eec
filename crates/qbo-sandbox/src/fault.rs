//! QBO's fault bodies (notes §6): the service shape
//! `{"Fault":{"Error":[{"Message","Detail","code","element"}],"type"},"time"}`, the
//! gateway shape with lower-case keys that 401 and 403 answers use, and the HTML page a
//! 502 comes as.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::clock::answer_time;

/// One `Error` entry of a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FaultEntry {
    pub code: &'static str,
    pub message: String,
    pub detail: String,
    pub element: String,
}

/// How the fault body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `{"Fault": {"Error": [...], "type": ...}, "time": "..."}`.
    Service,
    /// The gateway's `{"fault": {"error": [...], "type": ...}, ...}`.
    Gateway,
    /// An HTML error page (502 from the gateway).
    Html,
}

/// A fault answer: HTTP status, `type`, entries, shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    pub status: StatusCode,
    pub kind: &'static str,
    pub errors: Vec<FaultEntry>,
    pub shape: Shape,
}

impl Fault {
    fn one(
        status: StatusCode,
        kind: &'static str,
        code: &'static str,
        message: impl Into<String>,
        detail: impl Into<String>,
        element: impl Into<String>,
    ) -> Self {
        Self {
            status,
            kind,
            errors: vec![FaultEntry {
                code,
                message: message.into(),
                detail: detail.into(),
                element: element.into(),
            }],
            shape: Shape::Service,
        }
    }

    /// A `ValidationFault` with HTTP 400.
    pub(crate) fn validation(
        code: &'static str,
        message: impl Into<String>,
        detail: impl Into<String>,
        element: impl Into<String>,
    ) -> Self {
        Self::one(
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            code,
            message,
            detail,
            element,
        )
    }

    /// 2010: a property QBO does not know, or a value of the wrong JSON type.
    pub(crate) fn unknown_property(detail: impl Into<String>, element: impl Into<String>) -> Self {
        Self::validation(
            "2010",
            "Request has invalid or unsupported property",
            format!(
                "Property Name:{} specified is unsupported or invalid",
                detail.into()
            ),
            element,
        )
    }

    /// A body that is not JSON at all.
    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        Self::unknown_property(detail, "")
    }

    /// 2020: a required field is missing.
    pub(crate) fn required(element: &str) -> Self {
        Self::validation(
            "2020",
            "Required param missing, need to supply the required value for the API",
            format!("Required parameter {element} is missing in the request"),
            element,
        )
    }

    /// 2040: forbidden characters in a string.
    pub(crate) fn invalid_string(element: &str, what: &str) -> Self {
        Self::validation(
            "2040",
            "Invalid String",
            format!("String contains an invalid character: {what}"),
            element,
        )
    }

    /// 2050: a string longer than QBO takes.
    pub(crate) fn too_long(element: &str, max: usize, supplied: usize) -> Self {
        Self::validation(
            "2050",
            "String length is either shorter or longer than supported by specification",
            format!(
                "String length specified does not match the supported length. Min:0 Max:{max} supplied length:{supplied}"
            ),
            element,
        )
    }

    /// 2170: a value outside an enumeration.
    pub(crate) fn invalid_enum(element: &str, value: &str) -> Self {
        Self::validation(
            "2170",
            "Invalid Enumeration",
            format!("Invalid Enumeration : {value}"),
            element,
        )
    }

    /// 2500: a reference to an entity that does not exist.
    pub(crate) fn invalid_reference(element: &str, id: &str) -> Self {
        Self::validation(
            "2500",
            "Invalid Reference Id",
            format!("Invalid Reference Id : {element} assigned is not valid : {id}"),
            element,
        )
    }

    /// 610: the object does not exist, was deleted, or a referenced name is inactive.
    pub(crate) fn not_found(element: &str) -> Self {
        Self::validation(
            "610",
            "Object Not Found",
            "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.",
            element,
        )
    }

    /// 5010: the SyncToken is not the current one.
    pub(crate) fn stale() -> Self {
        Self::validation(
            "5010",
            "Stale Object Error",
            "Stale Object Error : You and sandbox were working on this at the same time. sandbox finished before you did, so your work was not saved.",
            "",
        )
    }

    /// 6000: a business rule, explained in the detail.
    pub(crate) fn business(detail: impl Into<String>, element: &str) -> Self {
        Self::validation(
            "6000",
            "A business validation error has occurred while processing your request",
            format!("Business Validation Error: {}", detail.into()),
            element,
        )
    }

    /// An amount, quantity or price (or a total computed from them) beyond what QBO's
    /// 15-digit amounts hold (notes §8); the code is a **sandbox choice** (6000).
    pub(crate) fn out_of_range(element: &str, supplied: &str) -> Self {
        let supplied: String = supplied.chars().take(64).collect();
        Self::business(
            format!(
                "{element} is out of range: amounts, quantities and prices must stay below 10^15. Supplied value:{supplied}"
            ),
            element,
        )
    }

    /// 6010: an account type or subtype that is missing or invalid.
    pub(crate) fn account_type(detail: impl Into<String>, element: &str) -> Self {
        Self::validation("6010", "Invalid account type", detail, element)
    }

    /// 6070: `Amount` is not `Qty × UnitPrice`.
    pub(crate) fn amount(supplied: &str) -> Self {
        Self::validation(
            "6070",
            "Amount calculation incorrect",
            format!("Amount is not equal to UnitPrice * Qty. Supplied value:{supplied}"),
            "Line.Amount",
        )
    }

    /// 6080: a customer without any name.
    pub(crate) fn no_name() -> Self {
        Self::validation(
            "6080",
            "No Name Provided",
            "Please provide a value for at least one of the following: Title, GivenName, MiddleName, FamilyName, Suffix, DisplayName",
            "DisplayName",
        )
    }

    /// 6100: a US line tax code other than `TAX` or `NON`.
    pub(crate) fn line_tax_code(value: &str) -> Self {
        Self::validation(
            "6100",
            "Invalid Line TaxCode",
            format!("Invalid line tax code {value}: use TAX or NON"),
            "Line.SalesItemLineDetail.TaxCodeRef",
        )
    }

    /// 6140: a `DocNumber` already used.
    pub(crate) fn duplicate_doc_number(doc: &str, txn_type: &str, id: &str) -> Self {
        Self::validation(
            "6140",
            "Duplicate Document Number Error",
            format!(
                "Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber={doc} is assigned to TxnType={txn_type} with TxnId={id}"
            ),
            "DocNumber",
        )
    }

    /// 6240: the name is taken; the detail carries the holder's Id.
    pub(crate) fn duplicate_name(element: &str, id: &str) -> Self {
        Self::validation(
            "6240",
            "Duplicate Name Exists Error",
            format!("The name supplied already exists. : Id={id}"),
            element,
        )
    }

    /// 6430: an account of the wrong type for its use.
    pub(crate) fn wrong_account_type(element: &str, wanted: &str) -> Self {
        Self::validation(
            "6430",
            "Invalid account type",
            format!("Invalid account type used. {element} must be a {wanted} account"),
            element,
        )
    }

    /// 600: a request id reused for another request.
    pub(crate) fn duplicate_request_id(id: &str) -> Self {
        Self::validation(
            "600",
            "Duplicate Request ID",
            format!("Duplicate Request ID: requestid {id} was used for a different request"),
            "requestid",
        )
    }

    /// 1040: too many items in one batch.
    pub(crate) fn batch_too_big(items: usize, max: usize) -> Self {
        Self::validation(
            "1040",
            "Batch size exceeds allowed limit",
            format!("Batch size {items} exceeds the limit of {max} items"),
            "BatchItemRequest",
        )
    }

    /// 4000: a query QBO cannot parse.
    pub(crate) fn query(detail: impl Into<String>) -> Self {
        Self::validation(
            "4000",
            "Error parsing query",
            format!("QueryParserError: {}", detail.into()),
            "",
        )
    }

    /// 500 "Unsupported Operation" (a permanent fault; HTTP 400).
    pub(crate) fn unsupported(detail: impl Into<String>) -> Self {
        Self::validation("500", "Unsupported Operation", detail, "")
    }

    /// A body that is not UTF-8 (notes §7: QBO answers 500).
    pub(crate) fn not_utf8() -> Self {
        Self::one(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ValidationFault",
            "500",
            "Unsupported Operation",
            "Request body is not valid UTF-8",
            "",
        )
    }

    /// A 500 `SystemFault` (QBO's "try again" fault).
    pub(crate) fn system() -> Self {
        Self::one(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SystemFault",
            "10000",
            "An application error has occurred while processing your request",
            "System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again.",
            "",
        )
    }

    /// A 503 in the service shape.
    pub(crate) fn unavailable() -> Self {
        Self::one(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE",
            "3003",
            "message=ServiceUnavailable; errorCode=003003; statusCode=503",
            "The service is temporarily unavailable. Try again later",
            "",
        )
    }

    /// A 502 HTML page from the gateway.
    pub(crate) fn bad_gateway() -> Self {
        Self {
            status: StatusCode::BAD_GATEWAY,
            kind: "SERVICE",
            errors: Vec::new(),
            shape: Shape::Html,
        }
    }

    /// 429 with the throttle fault (notes §4).
    pub(crate) fn throttled() -> Self {
        Self::one(
            StatusCode::TOO_MANY_REQUESTS,
            "SERVICE",
            "3001",
            "message=ThrottleExceeded; errorCode=003001; statusCode=429",
            "The request limit was reached. Try again later",
            "",
        )
    }

    /// 401 in the gateway shape (notes §5).
    pub(crate) fn unauthenticated(detail: impl Into<String>) -> Self {
        let mut fault = Self::one(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION",
            "3200",
            "message=AuthenticationFailed; errorCode=003200; statusCode=401",
            detail,
            "",
        );
        fault.shape = Shape::Gateway;
        fault
    }

    /// 403 in the gateway shape: a token used for another company.
    pub(crate) fn forbidden(detail: impl Into<String>) -> Self {
        let mut fault = Self::one(
            StatusCode::FORBIDDEN,
            "AUTHORIZATION",
            "3100",
            "message=AuthorizationFailed; errorCode=003100; statusCode=403",
            detail,
            "",
        );
        fault.shape = Shape::Gateway;
        fault
    }

    /// The first entry's code.
    pub(crate) fn code(&self) -> &'static str {
        self.errors.first().map(|e| e.code).unwrap_or_default()
    }

    /// The `Fault` object as it appears in a body or a batch item.
    pub(crate) fn object(&self) -> Value {
        let errors: Vec<Value> = self
            .errors
            .iter()
            .map(|e| {
                json!({
                    "Message": e.message,
                    "Detail": e.detail,
                    "code": e.code,
                    "element": e.element,
                })
            })
            .collect();
        json!({ "Error": errors, "type": self.kind })
    }

    /// The whole body, and its content type.
    pub(crate) fn body(&self, now: DateTime<Utc>) -> (Vec<u8>, &'static str) {
        match self.shape {
            Shape::Service => {
                let body = json!({ "Fault": self.object(), "time": answer_time(now) });
                (body.to_string().into_bytes(), "application/json")
            }
            Shape::Gateway => {
                let errors: Vec<Value> = self
                    .errors
                    .iter()
                    .map(|e| {
                        json!({
                            "message": e.message,
                            "detail": e.detail,
                            "code": e.code,
                            "element": Value::Null,
                        })
                    })
                    .collect();
                let body = json!({
                    "warnings": null,
                    "intuitObject": null,
                    "fault": { "error": errors, "type": self.kind },
                    "report": null,
                    "queryResponse": null,
                    "batchItemResponse": [],
                    "attachableResponse": [],
                    "syncErrorResponse": null,
                    "requestId": null,
                    "time": now.timestamp_millis(),
                    "status": null,
                    "cdcresponse": [],
                });
                (body.to_string().into_bytes(), "application/json")
            }
            Shape::Html => (
                b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n"
                    .to_vec(),
                "text/html",
            ),
        }
    }
}
