//! The query language: a builder that escapes every value, single pages, a paging stream
//! over `STARTPOSITION`/`MAXRESULTS`, and `COUNT(*)`.
//!
//! QBO's query language is `SELECT * | COUNT(*) FROM Entity [WHERE a AND b] [ORDERBY f
//! [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS n]`, with `=`, `<`, `>`, `<=`, `>=`, `IN` and
//! `LIKE` (with `%`), no `OR`. String literals are single-quoted; a quote inside is
//! escaped with a backslash.

use std::fmt::{self, Write as _};
use std::marker::PhantomData;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use futures_util::stream::{self, Stream, TryStreamExt};
use reqwest::Method;
use rust_decimal::Decimal;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::client::{Call, QboClient};
use crate::entity::Entity;
use crate::envelope::{self, KeyName, Keyed};
use crate::error::{InvalidInput, QboError};
use crate::fault;
use crate::limit::CallKind;

/// The largest page QBO returns (`MAXRESULTS`).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// A literal in a query condition.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryValue {
    /// A string, quoted and escaped.
    Text(String),
    /// A number.
    Number(Decimal),
    /// A whole number.
    Integer(i64),
    /// `true` / `false`.
    Bool(bool),
    /// A date, `'YYYY-MM-DD'`.
    Date(NaiveDate),
    /// A point in time, ISO 8601 in UTC.
    DateTime(DateTime<Utc>),
}

impl QueryValue {
    fn write(&self, out: &mut String) {
        match self {
            Self::Text(s) => {
                out.push('\'');
                out.push_str(&escape(s));
                out.push('\'');
            }
            Self::Number(d) => {
                let _ = write!(out, "{}", d.normalize());
            }
            Self::Integer(i) => {
                let _ = write!(out, "{i}");
            }
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Date(d) => {
                let _ = write!(out, "'{}'", d.format("%Y-%m-%d"));
            }
            Self::DateTime(t) => {
                let _ = write!(out, "'{}'", t.to_rfc3339_opts(SecondsFormat::Secs, false));
            }
        }
    }
}

/// Escapes a string for a single-quoted QBO literal: backslash and quote get a
/// backslash before them.
///
/// ```
/// assert_eq!(qbo_api::query::escape(r"O'Brien \ Sons"), r"O\'Brien \\ Sons");
/// ```
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if matches!(c, '\'' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

macro_rules! from_value {
    ($($t:ty => $v:ident $(via $conv:expr)?),* $(,)?) => {$(
        impl From<$t> for QueryValue {
            fn from(v: $t) -> Self {
                Self::$v($( $conv )?(v))
            }
        }
    )*};
}

from_value! {
    String => Text,
    &str => Text via str::to_owned,
    &String => Text via String::clone,
    Decimal => Number,
    i64 => Integer,
    i32 => Integer via i64::from,
    u32 => Integer via i64::from,
    bool => Bool,
    NaiveDate => Date,
    DateTime<Utc> => DateTime,
}

impl From<&crate::EntityId> for QueryValue {
    fn from(v: &crate::EntityId) -> Self {
        Self::Text(v.as_str().to_owned())
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `LIKE` (`%` is the wildcard)
    Like,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Lt => "<",
            Self::Gt => ">",
            Self::Le => "<=",
            Self::Ge => ">=",
            Self::Like => "LIKE",
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Compare(String, Op, QueryValue),
    In(String, Vec<QueryValue>),
}

/// A query over one entity type.
///
/// Field names are checked (letters, digits, `_` and `.` only), values are quoted and
/// escaped: a value can never break out of its literal.
///
/// ```
/// use qbo_api::{Customer, query::{Order, Query}};
/// let q = Query::<Customer>::new()
///     .eq("DisplayName", "O'Brien")
///     .eq("Active", true)
///     .order_by("Id", Order::Asc)
///     .max_results(10);
/// assert_eq!(
///     q.to_sql().unwrap(),
///     r"SELECT * FROM Customer WHERE DisplayName = 'O\'Brien' AND Active = true ORDERBY Id ASC MAXRESULTS 10"
/// );
/// ```
#[derive(Clone, PartialEq)]
pub struct Query<E> {
    conditions: Vec<Condition>,
    order: Option<(String, Order)>,
    start_position: Option<u32>,
    max_results: Option<u32>,
    _entity: PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for Query<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("conditions", &self.conditions)
            .field("order", &self.order)
            .field("start_position", &self.start_position)
            .field("max_results", &self.max_results)
            .finish()
    }
}

impl<E: Entity> Default for Query<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Entity> Query<E> {
    /// `SELECT * FROM E`.
    pub fn new() -> Self {
        Self {
            conditions: Vec::new(),
            order: None,
            start_position: None,
            max_results: None,
            _entity: PhantomData,
        }
    }

    /// Adds `field op value` (conditions are joined with `AND`).
    pub fn filter(mut self, field: &str, op: Op, value: impl Into<QueryValue>) -> Self {
        self.conditions
            .push(Condition::Compare(field.to_owned(), op, value.into()));
        self
    }

    /// Adds `field = value`.
    pub fn eq(self, field: &str, value: impl Into<QueryValue>) -> Self {
        self.filter(field, Op::Eq, value)
    }

    /// Adds `field IN (values...)`.
    pub fn in_list<V: Into<QueryValue>>(
        mut self,
        field: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.conditions.push(Condition::In(
            field.to_owned(),
            values.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Sorts by `field`.
    pub fn order_by(mut self, field: &str, order: Order) -> Self {
        self.order = Some((field.to_owned(), order));
        self
    }

    /// `STARTPOSITION` (1-based).
    pub fn start_position(mut self, position: u32) -> Self {
        self.start_position = Some(position);
        self
    }

    /// `MAXRESULTS` (1 to 1000).
    pub fn max_results(mut self, max: u32) -> Self {
        self.max_results = Some(max);
        self
    }

    fn check_field(field: &str) -> Result<(), InvalidInput> {
        let ok = !field.is_empty()
            && field.len() <= 100
            && field.split('.').all(|part| {
                !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
        if ok {
            Ok(())
        } else {
            Err(InvalidInput::new(
                "query field",
                format!("{field:?} is not a field name (letters, digits, '_' and '.')"),
            ))
        }
    }

    fn where_clause(&self, out: &mut String) -> Result<(), InvalidInput> {
        for (i, condition) in self.conditions.iter().enumerate() {
            out.push_str(if i == 0 { " WHERE " } else { " AND " });
            match condition {
                Condition::Compare(field, op, value) => {
                    Self::check_field(field)?;
                    let _ = write!(out, "{field} {} ", op.as_str());
                    value.write(out);
                }
                Condition::In(field, values) => {
                    Self::check_field(field)?;
                    if values.is_empty() {
                        return Err(InvalidInput::new(
                            "query",
                            format!("IN list for {field} is empty"),
                        ));
                    }
                    let _ = write!(out, "{field} IN (");
                    for (j, v) in values.iter().enumerate() {
                        if j > 0 {
                            out.push_str(", ");
                        }
                        v.write(out);
                    }
                    out.push(')');
                }
            }
        }
        Ok(())
    }

    /// The query text.
    ///
    /// # Errors
    /// [`InvalidInput`] for a bad field name, an empty `IN` list, `MAXRESULTS` outside
    /// 1..=1000 or `STARTPOSITION` 0.
    pub fn to_sql(&self) -> Result<String, InvalidInput> {
        let mut out = format!("SELECT * FROM {}", E::NAME);
        self.where_clause(&mut out)?;
        if let Some((field, order)) = &self.order {
            Self::check_field(field)?;
            let dir = match order {
                Order::Asc => "ASC",
                Order::Desc => "DESC",
            };
            let _ = write!(out, " ORDERBY {field} {dir}");
        }
        if let Some(start) = self.start_position {
            if start == 0 {
                return Err(InvalidInput::new("query", "STARTPOSITION is 1-based"));
            }
            let _ = write!(out, " STARTPOSITION {start}");
        }
        if let Some(max) = self.max_results {
            if !(1..=MAX_PAGE_SIZE).contains(&max) {
                return Err(InvalidInput::new(
                    "query",
                    format!("MAXRESULTS {max} is outside 1..={MAX_PAGE_SIZE}"),
                ));
            }
            let _ = write!(out, " MAXRESULTS {max}");
        }
        Ok(out)
    }

    /// The `SELECT COUNT(*)` text for the same conditions.
    ///
    /// # Errors
    /// As [`Query::to_sql`].
    pub fn to_count_sql(&self) -> Result<String, InvalidInput> {
        let mut out = format!("SELECT COUNT(*) FROM {}", E::NAME);
        self.where_clause(&mut out)?;
        Ok(out)
    }
}

/// One page of a query answer.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPage<E> {
    /// The entities, in QBO's order.
    pub items: Vec<E>,
    /// `startPosition`, when QBO sent it.
    pub start_position: Option<u64>,
    /// `maxResults` (the number of items returned), when QBO sent it.
    pub max_results: Option<u64>,
    /// `totalCount`, which QBO sends only on `COUNT(*)` and some queries.
    pub total_count: Option<u64>,
}

impl<'de, E: Entity> Deserialize<'de> for QueryPage<E> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<E>(PhantomData<E>);
        impl<'de, E: Entity> Visitor<'de> for V<E> {
            type Value = QueryPage<E>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a QueryResponse object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut page = QueryPage {
                    items: Vec::new(),
                    start_position: None,
                    max_results: None,
                    total_count: None,
                };
                while let Some(key) = map.next_key::<KeyName<'de>>()? {
                    match key.as_str() {
                        k if k == E::NAME => page.items = map.next_value()?,
                        "startPosition" => page.start_position = map.next_value()?,
                        "maxResults" => page.max_results = map.next_value()?,
                        "totalCount" => page.total_count = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(page)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

impl<E: Entity> Keyed for QueryPage<E> {
    fn key() -> &'static str {
        "QueryResponse"
    }
}

impl QboClient {
    fn query_call(sql: String) -> Call {
        Call {
            method: Method::POST,
            segments: vec!["query".to_owned()],
            params: Vec::new(),
            body: Some((Bytes::from(sql), "application/text")),
            request_id: None,
            kind: CallKind::Single,
            idempotent: true,
        }
    }

    async fn run_query<E: Entity>(&self, sql: String) -> Result<QueryPage<E>, QboError> {
        tracing::debug!(query = %sql, "QBO query");
        let call = Self::query_call(sql);
        let answer = self.execute(&call).await?;
        let envelope = envelope::decode::<QueryPage<E>>(&answer, &call)?;
        if let Some(fault) = envelope.fault {
            return Err(fault::classify(
                Some(answer.status),
                Some(fault),
                None,
                &answer.body,
                answer.context(&call),
            ));
        }
        envelope.value.ok_or_else(|| QboError::Decode {
            message: "the answer holds no QueryResponse".to_owned(),
            snippet: fault::snippet(&answer.body),
            context: Box::new(answer.context(&call)),
        })
    }

    /// Runs a query and returns the one page it asks for. Queries are sent as
    /// `POST /query` (`application/text`), so long `IN` lists never hit URL limits.
    ///
    /// # Errors
    /// [`QboError::InvalidInput`] for a bad query, and any other [`QboError`].
    pub async fn query<E: Entity>(&self, query: &Query<E>) -> Result<QueryPage<E>, QboError> {
        self.run_query(query.to_sql()?).await
    }

    /// `SELECT COUNT(*)` with the query's conditions.
    ///
    /// # Errors
    /// As [`QboClient::query`]; a [`QboError::Decode`] when QBO sends no `totalCount`.
    pub async fn count<E: Entity>(&self, query: &Query<E>) -> Result<u64, QboError> {
        let sql = query.to_count_sql()?;
        let page = self.run_query::<E>(sql).await?;
        page.total_count.ok_or_else(|| QboError::Decode {
            message: "COUNT(*) answer without totalCount".to_owned(),
            snippet: String::new(),
            context: Box::default(),
        })
    }

    /// Every matching entity, page after page (`MAXRESULTS` = the query's, default 1000;
    /// from the query's `STARTPOSITION`, default 1). Without an `order_by`, pages are
    /// ordered by `Id` so they do not shift under concurrent changes. The stream ends
    /// after a short page, or on the first error (which it yields).
    pub fn query_stream<E: Entity>(
        &self,
        query: Query<E>,
    ) -> impl Stream<Item = Result<E, QboError>> + Send + '_ {
        self.query_pages(query)
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Like [`QboClient::query_stream`], a page at a time.
    pub fn query_pages<E: Entity>(
        &self,
        query: Query<E>,
    ) -> impl Stream<Item = Result<QueryPage<E>, QboError>> + Send + '_ {
        let page_size = query.max_results.unwrap_or(MAX_PAGE_SIZE);
        let mut query = query;
        if query.order.is_none() {
            query.order = Some(("Id".to_owned(), Order::Asc));
        }
        let start = query.start_position.unwrap_or(1);
        stream::try_unfold(Some(start), move |next| {
            let query = query.clone();
            async move {
                let Some(position) = next else {
                    return Ok(None);
                };
                let q = query.start_position(position).max_results(page_size);
                let page = self.query(&q).await?;
                let got = page.items.len();
                let more = u32::try_from(got).is_ok_and(|n| n >= page_size) && got > 0;
                let next = if more {
                    position.checked_add(page_size)
                } else {
                    None
                };
                Ok(Some((page, next)))
            }
        })
    }
}
