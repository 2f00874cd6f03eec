//! Decoding whole bodies: single entities and list pages, with errors that name the entity,
//! its id and the bad field.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::de;
use crate::error::{CscartError, Snippet, redact_values};

/// One page of a list: `{"<entity>": [...], "params": {..., "total_items": ...}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The entities of this page.
    pub items: Vec<T>,
    /// `params.total_items`, when CS-Cart sent it (it omits it when unpaged).
    pub total_items: Option<u64>,
    /// `params.page`.
    pub page: Option<u64>,
    /// `params.items_per_page`.
    pub items_per_page: Option<u64>,
}

#[derive(Deserialize, Default)]
struct Params {
    #[serde(default, deserialize_with = "de::opt_i64")]
    total_items: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    page: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    items_per_page: Option<i64>,
}

fn decode_error(
    what: &str,
    id: Option<String>,
    body: &[u8],
    err: &serde_path_to_error::Error<serde_json::Error>,
) -> CscartError {
    CscartError::Decode {
        what: what.to_owned(),
        id,
        path: err.path().to_string(),
        message: redact_values(&err.inner().to_string()),
        snippet: Snippet::of(body),
    }
}

/// Reads the id field of an entity body (as text, a number kept as its digits).
pub(crate) fn id_of(body: &[u8], id_field: &str) -> Option<String> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body).ok()?;
    match map.get(id_field)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Decodes one entity of kind `what` (e.g. `order`), whose id is in `id_field`.
pub fn entity<T: DeserializeOwned>(
    body: &[u8],
    what: &str,
    id_field: &str,
) -> Result<T, CscartError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| decode_error(what, id_of(body, id_field), body, &e))
}

/// Splits a list page into its raw entities and its `params`.
fn split(body: &[u8], key: &str) -> Result<Split, CscartError> {
    let not_a_page = |message: String| CscartError::Decode {
        what: format!("{key} page"),
        id: None,
        path: ".".to_owned(),
        message: redact_values(&message),
        snippet: Snippet::of(body),
    };
    let top: std::collections::HashMap<String, Box<RawValue>> =
        serde_json::from_slice(body).map_err(|e| not_a_page(e.to_string()))?;
    let items_raw: Vec<Box<RawValue>> = match top.get(key) {
        None => Vec::new(),
        Some(raw) => {
            let text = raw.get().trim();
            if text.starts_with('{') {
                // Tolerated: a map keyed by id in place of the array.
                let mut de = serde_json::Deserializer::from_str(text);
                de::keyed::<_, Box<RawValue>>(&mut de)
                    .map_err(|e| not_a_page(format!("{key}: {e}")))?
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect()
            } else if text == "null" {
                Vec::new()
            } else {
                serde_json::from_str(text).map_err(|e| not_a_page(format!("{key}: {e}")))?
            }
        }
    };
    let params: Params = match top.get("params") {
        Some(raw) if raw.get().trim_start().starts_with('{') => {
            serde_json::from_str(raw.get()).map_err(|e| not_a_page(format!("params: {e}")))?
        }
        _ => Params::default(),
    };
    let to_u64 = |v: Option<i64>| v.and_then(|n| u64::try_from(n).ok());
    Ok(Split {
        items: items_raw,
        total_items: to_u64(params.total_items),
        page: to_u64(params.page),
        items_per_page: to_u64(params.items_per_page),
    })
}

/// A page split into its raw entities.
struct Split {
    items: Vec<Box<RawValue>>,
    total_items: Option<u64>,
    page: Option<u64>,
    items_per_page: Option<u64>,
}

/// Decodes a list page whose entities are under `key` (`products`, `orders`...). Each entity
/// is decoded on its own so that an error names the bad one; the first bad one fails the page.
pub fn page<T: DeserializeOwned>(
    body: &[u8],
    key: &str,
    what: &str,
    id_field: &str,
) -> Result<Page<T>, CscartError> {
    let (page, bad) = page_tolerant(body, key, what, id_field)?;
    match bad.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(page),
    }
}

/// Like [`page`], but an entity that does not decode does not fail the page: it comes back
/// as its error (naming its id and field) beside the entities that do decode.
pub fn page_tolerant<T: DeserializeOwned>(
    body: &[u8],
    key: &str,
    what: &str,
    id_field: &str,
) -> Result<(Page<T>, Vec<CscartError>), CscartError> {
    let split = split(body, key)?;
    let mut items = Vec::with_capacity(split.items.len());
    let mut bad = Vec::new();
    for raw in split.items {
        match entity(raw.get().as_bytes(), what, id_field) {
            Ok(item) => items.push(item),
            Err(e) => bad.push(e),
        }
    }
    let page = Page {
        items,
        total_items: split.total_items,
        page: split.page,
        items_per_page: split.items_per_page,
    };
    Ok((page, bad))
}
