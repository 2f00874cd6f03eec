//! CSV export and import of a tenant's links.
//!
//! The format has a header row; columns may come in any order:
//!
//! | column | import | meaning |
//! |---|---|---|
//! | `kind` | required | `customer`, `category`, `product` or `order` |
//! | `store_id` | required | the store entity's id |
//! | `qbo_id` | required | the QBO entity's id |
//! | `sync_token` | optional | QBO's SyncToken, when known |
//! | `content_hash` | optional | hash of the last pushed content, when known |
//! | `manual` | optional | `true`/`false` (also `1`/`0`, `yes`/`no`); empty or absent means `true` |
//! | `updated_at` | ignored | written on export (RFC 3339), ignored on import |
//!
//! An import is all-or-nothing: a wrong header, or any bad line (unknown kind, missing or
//! invalid id, a duplicate, a conflict with an existing link), changes nothing and
//! reports every bad line with its line number (the header is line 1), and how many
//! there are. Conflicts with stored links are checked once the file itself is clean.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io;

use crate::error::{CsvError, HeaderProblem, LineError, LineProblem, QueueError};
use crate::ids::{ContentHash, QboId, StoreId, SyncToken, TenantId};
use crate::kind::EntityKind;
use crate::link::{LinkCursor, LinkImportRow, LinkStore};

/// The columns, in the order export writes them.
pub const COLUMNS: [&str; 7] = [
    "kind",
    "store_id",
    "qbo_id",
    "sync_token",
    "content_hash",
    "manual",
    "updated_at",
];

const EXPORT_PAGE: u32 = 500;

/// Writes every link of `tenant` as CSV to `out`; returns how many.
///
/// # Errors
/// [`CsvError::Io`] when writing fails; storage errors.
pub async fn export_links<S, W>(store: &S, tenant: &TenantId, out: W) -> Result<u64, QueueError>
where
    S: LinkStore + ?Sized,
    W: io::Write,
{
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS).map_err(CsvError::Io)?;
    let mut after: Option<LinkCursor> = None;
    let mut written = 0u64;
    loop {
        let page = store
            .list_links(tenant, None, after.as_ref(), EXPORT_PAGE)
            .await?;
        for link in &page {
            let updated = link.updated_at.to_rfc3339();
            writer
                .write_record([
                    link.entity.kind.as_str(),
                    link.entity.store_id.as_str(),
                    link.qbo_id.as_str(),
                    link.sync_token.as_ref().map_or("", |t| t.as_str()),
                    link.content_hash.as_ref().map_or("", |h| h.as_str()),
                    if link.manual { "true" } else { "false" },
                    updated.as_str(),
                ])
                .map_err(CsvError::Io)?;
            written += 1;
        }
        match page.last() {
            Some(last) if page.len() == EXPORT_PAGE as usize => {
                after = Some(LinkCursor {
                    kind: last.entity.kind,
                    store_id: last.entity.store_id.clone(),
                });
            }
            _ => break,
        }
    }
    writer
        .flush()
        .map_err(|e| CsvError::Io(csv::Error::from(e)))?;
    Ok(written)
}

/// Reads links of `tenant` from CSV and writes them all, or none; returns how many.
///
/// # Errors
/// [`CsvError::Header`] for a wrong header, [`CsvError::Lines`] listing every bad line
/// (nothing is written then), [`CsvError::Io`] when reading fails; storage errors.
pub async fn import_links<S, R>(store: &S, tenant: &TenantId, input: R) -> Result<u64, QueueError>
where
    S: LinkStore + ?Sized,
    R: io::Read,
{
    let rows = parse_links(input)?;
    let count = rows.len();
    let written = store.import_links(tenant, rows).await?;
    tracing::info!(tenant = %tenant, lines = count, written, "links imported");
    Ok(written)
}

/// Where each known column sits in the file.
#[derive(Debug, Default)]
struct Layout {
    width: usize,
    kind: usize,
    store_id: usize,
    qbo_id: usize,
    sync_token: Option<usize>,
    content_hash: Option<usize>,
    manual: Option<usize>,
}

fn layout(header: &csv::StringRecord) -> Result<Layout, HeaderProblem> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let name = name.strip_prefix('\u{feff}').unwrap_or(name);
        if !COLUMNS.contains(&name) {
            return Err(HeaderProblem::UnknownColumn(name.to_owned()));
        }
        if seen.insert(name, i).is_some() {
            return Err(HeaderProblem::DuplicateColumn(name.to_owned()));
        }
    }
    let required = |name: &'static str| {
        seen.get(name)
            .copied()
            .ok_or(HeaderProblem::MissingColumn(name))
    };
    Ok(Layout {
        width: header.len(),
        kind: required("kind")?,
        store_id: required("store_id")?,
        qbo_id: required("qbo_id")?,
        sync_token: seen.get("sync_token").copied(),
        content_hash: seen.get("content_hash").copied(),
        manual: seen.get("manual").copied(),
    })
}

/// Parses and checks a links file without touching any store.
///
/// # Errors
/// As [`import_links`], except conflicts with existing links (only a store knows those).
pub fn parse_links<R: io::Read>(input: R) -> Result<Vec<LinkImportRow>, CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => return Err(CsvError::Header(HeaderProblem::Missing)),
        Some(Err(e)) => return Err(CsvError::Io(e)),
        Some(Ok(raw)) => csv::StringRecord::from_byte_record(raw).map_err(|e| {
            CsvError::Header(HeaderProblem::UnknownColumn(format!(
                "(not UTF-8: {})",
                e.utf8_error()
            )))
        })?,
    };
    let layout = layout(&header).map_err(CsvError::Header)?;

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut by_store: HashMap<(EntityKind, StoreId), u64> = HashMap::new();
    let mut by_qbo: HashMap<(EntityKind, QboId), u64> = HashMap::new();
    for record in records {
        let (line, result) = match record {
            Ok(raw) => {
                let line = raw.position().map_or(0, csv::Position::line);
                (line, parse_line(&layout, &raw))
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(CsvError::Io(e));
                }
                (line, Err(LineProblem::Malformed(e.to_string())))
            }
        };
        let checked = result.and_then(|row| {
            match by_store.entry((row.kind, row.store_id.clone())) {
                Entry::Occupied(first) => {
                    return Err(LineProblem::DuplicateStoreId {
                        first_line: *first.get(),
                    });
                }
                Entry::Vacant(slot) => {
                    slot.insert(line);
                }
            }
            match by_qbo.entry((row.kind, row.qbo_id.clone())) {
                Entry::Occupied(first) => Err(LineProblem::DuplicateQboId {
                    first_line: *first.get(),
                }),
                Entry::Vacant(slot) => {
                    slot.insert(line);
                    Ok(row)
                }
            }
        });
        match checked {
            Ok(mut row) => {
                row.line = line;
                rows.push(row);
            }
            // Every bad line is kept, so the count is the true one (the message shows
            // the first ten); the file is held in memory anyway.
            Err(problem) => errors.push(LineError { line, problem }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(CsvError::Lines(errors))
    }
}

fn parse_line(layout: &Layout, raw: &csv::ByteRecord) -> Result<LinkImportRow, LineProblem> {
    if raw.len() != layout.width {
        return Err(LineProblem::Malformed(format!(
            "{} fields, the header has {}",
            raw.len(),
            layout.width
        )));
    }
    let field = |i: usize| -> Result<&str, LineProblem> {
        let bytes = raw.get(i).unwrap_or_default();
        std::str::from_utf8(bytes)
            .map(str::trim)
            .map_err(|e| LineProblem::Malformed(format!("field {} is not UTF-8: {e}", i + 1)))
    };
    let kind_text = field(layout.kind)?;
    if kind_text.is_empty() {
        return Err(LineProblem::MissingField("kind"));
    }
    let kind: EntityKind = kind_text
        .parse()
        .map_err(|_| LineProblem::UnknownKind(kind_text.to_owned()))?;
    let store_id = required_id(field(layout.store_id)?, "store_id", StoreId::new)?;
    let qbo_id = required_id(field(layout.qbo_id)?, "qbo_id", QboId::new)?;
    let sync_token = optional_id(
        layout.sync_token.map(field).transpose()?,
        "sync_token",
        SyncToken::new,
    )?;
    let content_hash = optional_id(
        layout.content_hash.map(field).transpose()?,
        "content_hash",
        ContentHash::new,
    )?;
    let manual = match layout.manual.map(field).transpose()? {
        None | Some("") => true,
        Some(text) => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => {
                return Err(LineProblem::InvalidField {
                    field: "manual",
                    reason: format!("{text:?} is not true or false"),
                });
            }
        },
    };
    Ok(LinkImportRow {
        line: 0,
        kind,
        store_id,
        qbo_id,
        sync_token,
        content_hash,
        manual,
    })
}

fn required_id<T>(
    text: &str,
    field: &'static str,
    make: impl FnOnce(String) -> Result<T, QueueError>,
) -> Result<T, LineProblem> {
    if text.is_empty() {
        return Err(LineProblem::MissingField(field));
    }
    make(text.to_owned()).map_err(|e| LineProblem::InvalidField {
        field,
        reason: e.to_string(),
    })
}

fn optional_id<T>(
    text: Option<&str>,
    field: &'static str,
    make: impl FnOnce(String) -> Result<T, QueueError>,
) -> Result<Option<T>, LineProblem> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => required_id(text, field, make).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(err: CsvError) -> Vec<LineError> {
        match err {
            CsvError::Lines(lines) => lines,
            other => panic!("expected line errors, got {other:?}"),
        }
    }

    #[test]
    fn a_good_file_parses_with_line_numbers() {
        let text = "kind,store_id,qbo_id,sync_token,content_hash,manual\n\
                    customer,1,101,0,abc,false\n\
                    product,1,201,,,\n";
        let rows = parse_links(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(
            rows[0].sync_token.as_ref().map(SyncToken::as_str),
            Some("0")
        );
        assert!(!rows[0].manual);
        assert_eq!(rows[1].line, 3);
        assert!(rows[1].manual);
        assert_eq!(rows[1].sync_token, None);
    }

    #[test]
    fn columns_may_come_in_any_order_and_optional_ones_may_be_absent() {
        let text = "qbo_id,kind,store_id\n55,order,9\n";
        let rows = parse_links(text.as_bytes()).unwrap();
        assert_eq!(rows[0].kind, EntityKind::Order);
        assert_eq!(rows[0].store_id.as_str(), "9");
        assert_eq!(rows[0].qbo_id.as_str(), "55");
    }

    #[test]
    fn wrong_headers_are_named() {
        let err = parse_links("kind,store,qbo_id\n".as_bytes()).unwrap_err();
        assert!(matches!(&err, CsvError::Header(HeaderProblem::UnknownColumn(c)) if c == "store"));
        assert!(err.to_string().contains("\"store\""), "{err}");
        assert!(matches!(
            parse_links("kind,store_id\n".as_bytes()),
            Err(CsvError::Header(HeaderProblem::MissingColumn("qbo_id")))
        ));
        assert!(matches!(
            parse_links("kind,kind,store_id,qbo_id\n".as_bytes()),
            Err(CsvError::Header(HeaderProblem::DuplicateColumn(_)))
        ));
        assert!(matches!(
            parse_links("".as_bytes()),
            Err(CsvError::Header(HeaderProblem::Missing))
        ));
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let text = "kind,store_id,qbo_id,manual\n\
                    customer,1,101,true\n\
                    invoice,2,102,true\n\
                    customer,,103,true\n\
                    customer,1,104,true\n\
                    product,5,101,true\n\
                    product,6,101,true\n\
                    customer,7,107,maybe\n\
                    customer,8\n";
        let errors = lines(parse_links(text.as_bytes()).unwrap_err());
        let got: Vec<(u64, LineProblem)> =
            errors.into_iter().map(|e| (e.line, e.problem)).collect();
        assert_eq!(got[0], (3, LineProblem::UnknownKind("invoice".into())));
        assert_eq!(got[1], (4, LineProblem::MissingField("store_id")));
        assert_eq!(got[2], (5, LineProblem::DuplicateStoreId { first_line: 2 }));
        assert_eq!(got[3], (7, LineProblem::DuplicateQboId { first_line: 6 }));
        assert!(matches!(
            got[4],
            (
                8,
                LineProblem::InvalidField {
                    field: "manual",
                    ..
                }
            )
        ));
        assert!(matches!(got[5], (9, LineProblem::Malformed(_))));
        assert_eq!(got.len(), 6, "{got:?}");
    }

    #[test]
    fn the_count_of_bad_lines_is_the_true_count() {
        let mut text = String::from("kind,store_id,qbo_id\n");
        for i in 0..1500 {
            text.push_str(&format!("invoice,{i},{i}\n"));
            text.push_str(&format!("customer,{i},{}\n", 10_000 + i));
        }
        let err = parse_links(text.as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("1500 bad line(s)"), "{err}");
        let errors = lines(err);
        assert_eq!(errors.len(), 1500);
        assert_eq!(errors[1499].line, 2 + 2 * 1499);
    }

    #[test]
    fn a_quoted_newline_keeps_later_line_numbers_right() {
        let text = "kind,store_id,qbo_id,content_hash\n\
                    customer,1,101,\"a\nb\"\n\
                    customer,2,,\n";
        let errors = lines(parse_links(text.as_bytes()).unwrap_err());
        // The content hash holds a newline (invalid), and line 4 misses its QBO id.
        assert_eq!(errors[0].line, 2);
        assert!(matches!(
            errors[0].problem,
            LineProblem::InvalidField {
                field: "content_hash",
                ..
            }
        ));
        assert_eq!(
            errors[1],
            LineError {
                line: 4,
                problem: LineProblem::MissingField("qbo_id")
            }
        );
    }
}
