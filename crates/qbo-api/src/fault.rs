//! Reading QBO fault bodies of every shape and turning them into [`QboError`] variants.
//!
//! Shapes handled (sources in the project's QBO notes, section 6):
//! - the service shape `{"Fault":{"Error":[{"Message","Detail","code","element"}],"type"}}`;
//! - the gateway shape with lower-case keys `{"fault":{"error":[{"message","detail","code"}],"type"}}`;
//! - XML `<IntuitResponse><Fault type=".."><Error code=".." element=".."><Message/><Detail/></Error></Fault></IntuitResponse>`,
//!   which QBO has sent even when JSON was asked for;
//! - HTML error pages and empty bodies, classified by their HTTP status alone.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{ErrorContext, FaultError, QboError};
use crate::ids::EntityId;

/// Longest body excerpt kept in an error.
pub(crate) const SNIPPET_LEN: usize = 512;

/// A fault as parsed from a body, before classification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct FaultBody {
    #[serde(rename = "Error", alias = "error", default)]
    pub errors: Vec<FaultErrorBody>,
    #[serde(rename = "type", alias = "Type", default)]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct FaultErrorBody {
    #[serde(rename = "Message", alias = "message", default)]
    message: Option<String>,
    #[serde(rename = "Detail", alias = "detail", default)]
    detail: Option<String>,
    #[serde(rename = "code", alias = "Code", default, deserialize_with = "code")]
    code: Option<String>,
    #[serde(rename = "element", alias = "Element", default)]
    element: Option<String>,
}

fn code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        S(String),
        N(i64),
    }
    Ok(Option::<Code>::deserialize(d)?.map(|c| match c {
        Code::S(s) => s,
        Code::N(n) => n.to_string(),
    }))
}

impl FaultErrorBody {
    fn into_error(self) -> FaultError {
        FaultError {
            code: self.code.unwrap_or_default(),
            message: self.message.unwrap_or_default(),
            detail: self.detail.filter(|d| !d.is_empty()),
            element: self.element.filter(|e| !e.is_empty()),
        }
    }
}

/// `{"Fault": ...}` or `{"fault": ...}` at the top of a JSON body; other keys ignored.
#[derive(Debug, Deserialize)]
struct JsonFaultEnvelope {
    #[serde(rename = "Fault", alias = "fault")]
    fault: FaultBody,
}

/// Reads a fault from any body shape, or `None` when the body holds none.
pub(crate) fn parse_fault(body: &[u8]) -> Option<FaultBody> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    match body[start] {
        b'{' => serde_json::from_slice::<JsonFaultEnvelope>(body)
            .ok()
            .map(|e| e.fault),
        b'<' => parse_xml_fault(&body[start..]),
        _ => None,
    }
}

fn parse_xml_fault(body: &[u8]) -> Option<FaultBody> {
    let text = std::str::from_utf8(body).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    let fault = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name().eq_ignore_ascii_case("fault"))?;
    let attr = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.attributes()
            .find(|a| a.name().eq_ignore_ascii_case(name))
            .map(|a| a.value().to_owned())
    };
    let child_text = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|c| c.is_element() && c.tag_name().name().eq_ignore_ascii_case(name))
            .map(|c| c.text().unwrap_or_default().trim().to_owned())
    };
    let errors = fault
        .children()
        .filter(|c| c.is_element() && c.tag_name().name().eq_ignore_ascii_case("error"))
        .map(|e| FaultErrorBody {
            message: child_text(e, "message"),
            detail: child_text(e, "detail"),
            code: attr(e, "code").or_else(|| child_text(e, "code")),
            element: attr(e, "element").or_else(|| child_text(e, "element")),
        })
        .collect();
    Some(FaultBody {
        errors,
        kind: attr(fault, "type"),
    })
}

/// The first bytes of a body, for an error message.
pub(crate) fn snippet(body: &[u8]) -> String {
    let cut = &body[..body.len().min(SNIPPET_LEN)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if body.len() > SNIPPET_LEN {
        text.push('…');
    }
    text
}

/// Reads the existing entity's id from a 6240 detail such as
/// `The name supplied already exists. : Id=123`.
pub(crate) fn duplicate_id(detail: &str) -> Option<EntityId> {
    let at = detail.rfind("Id=")?;
    let digits: String = detail[at + 3..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| EntityId::new(digits))
}

/// Parses a `Retry-After` header given in seconds.
pub(crate) fn retry_after(value: Option<&str>) -> Option<Duration> {
    let secs: f64 = value?.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

/// Turns a status and an optional fault into the matching [`QboError`].
///
/// `status` is `None` for batch item faults (which arrive inside a 200).
pub(crate) fn classify(
    status: Option<u16>,
    fault: Option<FaultBody>,
    retry_after: Option<Duration>,
    body: &[u8],
    mut context: ErrorContext,
) -> QboError {
    let (kind, errors) = match fault {
        Some(f) => (
            f.kind,
            f.errors
                .into_iter()
                .map(FaultErrorBody::into_error)
                .collect::<Vec<_>>(),
        ),
        None => (None, Vec::new()),
    };
    context.fault_type.clone_from(&kind);
    context.status = status.or(context.status);
    let first = errors.first().cloned().map(Box::new);
    context.errors = errors;
    let kind_l = kind.as_deref().unwrap_or_default().to_ascii_lowercase();
    let code = first.as_ref().map(|e| e.code.as_str()).unwrap_or_default();
    let has_6240 = context.errors.iter().any(|e| e.code == "6240");
    let ctx = Box::new(context);

    if status == Some(429)
        || code == "3001"
        || first
            .as_ref()
            .is_some_and(|e| e.message.contains("ThrottleExceeded"))
    {
        return QboError::Throttled {
            retry_after,
            context: ctx,
        };
    }
    if has_6240 {
        let error = ctx
            .errors
            .iter()
            .find(|e| e.code == "6240")
            .cloned()
            .map(Box::new)
            .unwrap_or_default();
        let existing_id = error
            .detail
            .as_deref()
            .and_then(duplicate_id)
            .or_else(|| duplicate_id(&error.message));
        return QboError::DuplicateName {
            existing_id,
            error,
            context: ctx,
        };
    }
    if code == "5010" {
        return QboError::StaleObject {
            error: first.unwrap_or_default(),
            context: ctx,
        };
    }
    if code == "120" || code == "3100" || kind_l.starts_with("authoriza") || status == Some(403) {
        return QboError::Authorization {
            error: first,
            context: ctx,
        };
    }
    if status == Some(401)
        || code == "3200"
        || code == "100"
        || kind_l.starts_with("authentication")
    {
        return QboError::Authentication {
            error: first,
            context: ctx,
        };
    }
    if code == "610" || status == Some(404) {
        return QboError::NotFound {
            error: first,
            context: ctx,
        };
    }
    match (status, first) {
        // A 5xx with a permanent fault (500 "Unsupported Operation") is not an outage.
        (Some(500), Some(error)) if error.code == "500" => QboError::Fault {
            error,
            context: ctx,
        },
        (Some(s), error) if s >= 500 => QboError::ServiceUnavailable {
            error,
            context: ctx,
        },
        (_, Some(error)) if kind_l == "validationfault" || status == Some(400) => {
            QboError::Validation {
                error,
                context: ctx,
            }
        }
        (_, Some(error)) => QboError::Fault {
            error,
            context: ctx,
        },
        (_, None) => QboError::Decode {
            message: match status {
                Some(s) => format!("HTTP {s} without a QBO fault in the body"),
                None => "a fault without any error entry".to_owned(),
            },
            snippet: snippet(body),
            context: ctx,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_ids_are_read_from_details() {
        assert_eq!(
            duplicate_id("The name supplied already exists. : Id=123"),
            Some(EntityId::new("123"))
        );
        assert_eq!(
            duplicate_id("Ce nom existe déjà. : Id=425"),
            Some(EntityId::new("425"))
        );
        assert_eq!(
            duplicate_id("Another customer is already using this name"),
            None
        );
        assert_eq!(duplicate_id("Id="), None);
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(retry_after(Some("7")), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after(Some(" 1.5 ")),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(Some("-1")), None);
        assert_eq!(retry_after(None), None);
    }

    #[test]
    fn snippets_are_bounded_and_lossy() {
        let body = vec![0xffu8; 2000];
        let s = snippet(&body);
        assert!(s.chars().count() <= SNIPPET_LEN + 1);
    }
}
