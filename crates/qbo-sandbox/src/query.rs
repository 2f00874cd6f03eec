//! QBO's query language, the subset of notes §1: `SELECT * | COUNT(*) FROM Entity [WHERE
//! cond AND cond ...] [ORDERBY field [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS n]` with
//! `=`, `!=`, `<`, `>`, `<=`, `>=`, `IN (...)`, `NOT IN (...)` and `LIKE` (`%`
//! wildcards); keywords, entity and field names are case-insensitive; string literals are
//! single-quoted with `\'` (and `\\`) escapes. Columns after `*` (`SELECT *, Sku FROM
//! Item`) are checked and answered with whole entities. No `OR`, no projections without
//! `*`, no joins.

use std::cmp::Ordering;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::company::{Company, Record};
use crate::fault::Fault;
use crate::json::{self, Object};
use crate::kind::Kind;

/// Default `MAXRESULTS` (notes §1, unconfirmed).
pub(crate) const DEFAULT_MAX_RESULTS: u64 = 100;
/// The largest page (notes §1).
pub(crate) const MAX_RESULTS: u64 = 1000;
/// Longest statement accepted.
const MAX_QUERY_LEN: usize = 100_000;

/// A literal of a condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Text(String),
    Number(Decimal),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Compare(Vec<String>, Op, Literal),
    In(Vec<String>, Vec<Literal>),
    NotIn(Vec<String>, Vec<Literal>),
}

/// A parsed statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub kind: Kind,
    pub count: bool,
    conditions: Vec<Condition>,
    order: Option<(Vec<String>, bool)>,
    start: u64,
    max: u64,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Number(String),
    Symbol(&'static str),
}

fn tokenize(sql: &str) -> Result<Vec<Token>, Fault> {
    let mut tokens = Vec::new();
    let mut chars = sql.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut word = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                    word.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Word(word));
        } else if c.is_ascii_digit() || c == '-' {
            let mut number = String::new();
            number.push(c);
            chars.next();
            while let Some(&(_, c)) = chars.peek() {
                if c.is_ascii_digit() || c == '.' {
                    number.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Number(number));
        } else if c == '\'' {
            chars.next();
            let mut text = String::new();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, escaped)) => text.push(escaped),
                        None => break,
                    },
                    '\'' => {
                        closed = true;
                        break;
                    }
                    c => text.push(c),
                }
            }
            if !closed {
                return Err(Fault::query(format!(
                    "unterminated string literal starting at column {}",
                    at + 1
                )));
            }
            tokens.push(Token::Text(text));
        } else {
            chars.next();
            let two = chars.peek().map(|&(_, n)| n);
            let symbol = match (c, two) {
                ('<', Some('=')) => {
                    chars.next();
                    "<="
                }
                ('>', Some('=')) => {
                    chars.next();
                    ">="
                }
                ('!', Some('=')) => {
                    chars.next();
                    "!="
                }
                ('*', _) => "*",
                ('(', _) => "(",
                (')', _) => ")",
                (',', _) => ",",
                ('=', _) => "=",
                ('<', _) => "<",
                ('>', _) => ">",
                _ => {
                    return Err(Fault::query(format!(
                        "Encountered \"{c}\" at column {}",
                        at + 1
                    )));
                }
            };
            tokens.push(Token::Symbol(symbol));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&mut self, word: &str) -> bool {
        match self.peek() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case(word) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn expect_keyword(&mut self, word: &str) -> Result<(), Fault> {
        if self.keyword(word) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("expected {word}")))
        }
    }

    fn symbol(&mut self, symbol: &str) -> bool {
        match self.peek() {
            Some(Token::Symbol(s)) if *s == symbol => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn unexpected(&self, expected: &str) -> Fault {
        match self.peek() {
            Some(token) => Fault::query(format!("Encountered {token:?}; {expected}")),
            None => Fault::query(format!("Encountered end of statement; {expected}")),
        }
    }

    fn word(&mut self, what: &str) -> Result<String, Fault> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            _ => Err(self.unexpected(&format!("expected {what}"))),
        }
    }

    fn number(&mut self, what: &str) -> Result<u64, Fault> {
        match self.next() {
            Some(Token::Number(n)) => n
                .parse::<u64>()
                .map_err(|_| Fault::query(format!("{what} must be a whole number, not {n}"))),
            _ => Err(Fault::query(format!("{what} needs a number"))),
        }
    }

    fn literal(&mut self) -> Result<Literal, Fault> {
        match self.next() {
            Some(Token::Text(t)) => Ok(Literal::Text(t)),
            Some(Token::Number(n)) => Decimal::from_str(&n)
                .map(Literal::Number)
                .map_err(|_| Fault::query(format!("{n} is not a number"))),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            other => Err(Fault::query(format!(
                "Encountered {other:?}; expected a literal"
            ))),
        }
    }
}

fn field_path(kind: Kind, field: &str) -> Result<Vec<String>, Fault> {
    let path: Vec<String> = field.split('.').map(str::to_owned).collect();
    if path.iter().any(String::is_empty) {
        return Err(Fault::query(format!("{field} is not a property name")));
    }
    let known = qbo_api::schema::entity_type(kind.name()).is_some_and(|ty| {
        ty.fields
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(&path[0]))
    });
    if !known {
        return Err(Fault::query(format!(
            "property '{}' is not queryable on {}",
            path[0],
            kind.name()
        )));
    }
    Ok(path)
}

/// Parses a statement.
pub(crate) fn parse(sql: &str) -> Result<Query, Fault> {
    if sql.len() > MAX_QUERY_LEN {
        return Err(Fault::query("the statement is too long"));
    }
    let mut p = Parser {
        tokens: tokenize(sql)?,
        at: 0,
    };
    p.expect_keyword("SELECT")?;
    let mut columns = Vec::new();
    let count = if p.symbol("*") {
        // Columns after `*` (common clients send them): checked, and answered with whole
        // entities like `*` alone.
        while p.symbol(",") {
            columns.push(p.word("a property name")?);
        }
        false
    } else if p.keyword("COUNT") {
        if !(p.symbol("(") && p.symbol("*") && p.symbol(")")) {
            return Err(p.unexpected("expected COUNT(*)"));
        }
        true
    } else {
        return Err(p.unexpected("expected * or COUNT(*); projections are not supported"));
    };
    p.expect_keyword("FROM")?;
    let entity = p.word("an entity name")?;
    let kind =
        Kind::parse(&entity).ok_or_else(|| Fault::query(format!("Invalid entity {entity}")))?;
    for column in &columns {
        field_path(kind, column)?;
    }
    let mut query = Query {
        kind,
        count,
        conditions: Vec::new(),
        order: None,
        start: 1,
        max: DEFAULT_MAX_RESULTS,
    };
    if p.keyword("WHERE") {
        loop {
            let field = p.word("a property name")?;
            let path = field_path(kind, &field)?;
            let negated = p.keyword("NOT");
            if negated && !matches!(p.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case("IN"))
            {
                return Err(p.unexpected("expected IN after NOT"));
            }
            let condition = if p.keyword("IN") {
                if !p.symbol("(") {
                    return Err(p.unexpected("expected ( after IN"));
                }
                let mut values = vec![p.literal()?];
                while p.symbol(",") {
                    values.push(p.literal()?);
                }
                if !p.symbol(")") {
                    return Err(p.unexpected("expected ) to close IN"));
                }
                if negated {
                    Condition::NotIn(path, values)
                } else {
                    Condition::In(path, values)
                }
            } else {
                let op = if p.keyword("LIKE") {
                    Op::Like
                } else {
                    match p.next() {
                        Some(Token::Symbol("=")) => Op::Eq,
                        Some(Token::Symbol("!=")) => Op::Ne,
                        Some(Token::Symbol("<")) => Op::Lt,
                        Some(Token::Symbol(">")) => Op::Gt,
                        Some(Token::Symbol("<=")) => Op::Le,
                        Some(Token::Symbol(">=")) => Op::Ge,
                        other => {
                            return Err(Fault::query(format!(
                                "Encountered {other:?}; expected an operator"
                            )));
                        }
                    }
                };
                let literal = p.literal()?;
                if op == Op::Like && !matches!(literal, Literal::Text(_)) {
                    return Err(Fault::query("LIKE needs a string literal"));
                }
                Condition::Compare(path, op, literal)
            };
            query.conditions.push(condition);
            if p.keyword("OR") {
                return Err(Fault::query("OR is not supported"));
            }
            if !p.keyword("AND") {
                break;
            }
        }
    }
    let order = p.keyword("ORDERBY")
        || (p.keyword("ORDER") && {
            p.expect_keyword("BY")?;
            true
        });
    if order {
        let field = p.word("a property name")?;
        let path = field_path(kind, &field)?;
        let desc = if p.keyword("DESC") {
            true
        } else {
            p.keyword("ASC");
            false
        };
        query.order = Some((path, desc));
    }
    loop {
        if p.keyword("STARTPOSITION") {
            query.start = p.number("STARTPOSITION")?.max(1);
        } else if p.keyword("MAXRESULTS") {
            query.max = p.number("MAXRESULTS")?.min(MAX_RESULTS);
        } else {
            break;
        }
    }
    if p.peek().is_some() {
        return Err(p.unexpected("expected the end of the statement"));
    }
    Ok(query)
}

/// The value at a (case-insensitive) path; a reference yields its `value`.
fn lookup<'a>(body: &'a Object, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = json::get_ignore_case(body, first)?;
    for key in rest {
        value = json::get_ignore_case(value.as_object()?, key)?;
    }
    match value {
        Value::Object(o) => o.get("value"),
        other => Some(other),
    }
}

fn as_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok().or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().fixed_offset())
    })
}

fn compare(value: &Value, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Value::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        (Value::Bool(b), Literal::Text(t)) => Some(b.to_string().cmp(&t.to_ascii_lowercase())),
        (Value::Number(_), Literal::Number(n)) => Some(json::decimal(value).ok()??.cmp(n)),
        (Value::Number(_), Literal::Text(t)) => {
            Some(json::decimal(value).ok()??.cmp(&Decimal::from_str(t).ok()?))
        }
        (Value::String(s), Literal::Number(n)) => Some(Decimal::from_str(s).ok()?.cmp(n)),
        (Value::String(s), Literal::Text(t)) => {
            if let (Ok(a), Ok(b)) = (Decimal::from_str(s), Decimal::from_str(t)) {
                return Some(a.cmp(&b));
            }
            if let (Some(a), Some(b)) = (as_time(s), as_time(t)) {
                return Some(a.cmp(&b));
            }
            Some(s.to_lowercase().cmp(&t.to_lowercase()))
        }
        (Value::String(s), Literal::Bool(l)) => Some(s.to_ascii_lowercase().cmp(&l.to_string())),
        _ => None,
    }
}

/// `%` matches any run of characters; comparison ignores case.
fn like(text: &str, pattern: &str) -> bool {
    let text = text.to_lowercase();
    let pattern = pattern.to_lowercase();
    let parts: Vec<&str> = pattern.split('%').collect();
    if parts.len() == 1 {
        return text == pattern;
    }
    let mut rest = text.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn matches(body: &Object, condition: &Condition) -> bool {
    match condition {
        Condition::Compare(path, op, literal) => {
            let Some(value) = lookup(body, path) else {
                return false;
            };
            if *op == Op::Like {
                return match (value, literal) {
                    (Value::String(s), Literal::Text(p)) => like(s, p),
                    _ => false,
                };
            }
            compare(value, literal).is_some_and(|o| match op {
                Op::Eq => o == Ordering::Equal,
                Op::Ne => o != Ordering::Equal,
                Op::Lt => o == Ordering::Less,
                Op::Gt => o == Ordering::Greater,
                Op::Le => o != Ordering::Greater,
                Op::Ge => o != Ordering::Less,
                Op::Like => false,
            })
        }
        Condition::In(path, literals) => lookup(body, path).is_some_and(|value| {
            literals
                .iter()
                .any(|l| compare(value, l) == Some(Ordering::Equal))
        }),
        // Like `!=`, an entity without the property does not match.
        Condition::NotIn(path, literals) => lookup(body, path).is_some_and(|value| {
            literals
                .iter()
                .all(|l| compare(value, l).is_some_and(|o| o != Ordering::Equal))
        }),
    }
}

fn order_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(a), Some(b)) => {
            let literal = match b {
                Value::String(s) => Literal::Text(s.clone()),
                Value::Bool(x) => Literal::Bool(*x),
                Value::Number(_) => match json::decimal(b) {
                    Ok(Some(d)) => Literal::Number(d),
                    _ => return Ordering::Equal,
                },
                _ => return Ordering::Equal,
            };
            compare(a, &literal).unwrap_or(Ordering::Equal)
        }
    }
}

impl Query {
    fn mentions_active(&self) -> bool {
        self.conditions.iter().any(|c| {
            let path = match c {
                Condition::Compare(p, ..) | Condition::In(p, _) | Condition::NotIn(p, _) => p,
            };
            path.len() == 1 && path[0].eq_ignore_ascii_case("Active")
        })
    }

    /// The live records that match, in the asked order.
    fn select<'a>(&self, company: &'a Company) -> Vec<&'a Record> {
        // Name lists answer active entities unless the query asks about `Active`.
        let active_only = self.kind.is_name_list() && !self.mentions_active();
        let mut found: Vec<&Record> = company
            .records(self.kind)
            .filter(|r| !r.deleted && (!active_only || r.active()))
            .filter(|r| self.conditions.iter().all(|c| matches(r.body(), c)))
            .collect();
        if let Some((path, desc)) = &self.order {
            found.sort_by(|a, b| {
                let o = order_values(lookup(a.body(), path), lookup(b.body(), path));
                if *desc { o.reverse() } else { o }
            });
        }
        found
    }

    /// Runs the query: the `QueryResponse` object.
    pub(crate) fn run(&self, company: &Company) -> Object {
        let found = self.select(company);
        let mut response = Object::new();
        if self.count {
            response.insert("totalCount".to_owned(), Value::from(found.len()));
            return response;
        }
        let skip = usize::try_from(self.start.saturating_sub(1)).unwrap_or(usize::MAX);
        let take = usize::try_from(self.max).unwrap_or(usize::MAX);
        let page: Vec<Value> = found
            .into_iter()
            .skip(skip)
            .take(take)
            .map(Record::value)
            .collect();
        if page.is_empty() {
            return response;
        }
        response.insert("startPosition".to_owned(), Value::from(self.start));
        response.insert("maxResults".to_owned(), Value::from(page.len()));
        response.insert(self.kind.name().to_owned(), Value::Array(page));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_names_ignore_case_and_escapes_work() {
        let q = parse(r"select * from customer where displayname = 'O\'Brien \\ Sons' orderby Id desc startposition 3 maxresults 7").expect("parse");
        assert_eq!(q.kind, Kind::Customer);
        assert!(!q.count);
        assert_eq!(q.start, 3);
        assert_eq!(q.max, 7);
        assert_eq!(
            q.conditions,
            vec![Condition::Compare(
                vec!["displayname".into()],
                Op::Eq,
                Literal::Text(r"O'Brien \ Sons".into())
            )]
        );
        assert_eq!(q.order, Some((vec!["Id".into()], true)));
        let q = parse("SELECT COUNT(*) FROM Item WHERE Type IN ('Inventory', 'Service') AND UnitPrice >= 10 ORDER BY Name").expect("parse");
        assert!(q.count);
        assert_eq!(q.conditions.len(), 2);
    }

    #[test]
    fn bad_statements_are_4000() {
        for sql in [
            "",
            "SELECT",
            "SELECT Id FROM Customer",
            "SELECT * FROM Bill",
            "SELECT * FROM Customer WHERE",
            "SELECT * FROM Customer WHERE Nope = 1",
            "SELECT * FROM Customer WHERE DisplayName = 'a' OR Id = '1'",
            "SELECT * FROM Customer WHERE DisplayName = 'unterminated",
            "SELECT * FROM Customer MAXRESULTS x",
            "SELECT * FROM Customer WHERE Id LIKE 3",
            "SELECT * FROM Customer extra",
            "SELECT * FROM Customer WHERE Id ! 3",
            "SELECT *, Nope FROM Customer",
            "SELECT *, FROM Customer",
            "SELECT *, DisplayName",
            "SELECT * FROM Customer WHERE Id NOT = '3'",
            "SELECT * FROM Customer WHERE Id NOT IN 3",
        ] {
            let fault = parse(sql).expect_err(sql);
            assert_eq!(fault.code(), "4000", "{sql}");
        }
    }

    #[test]
    fn maxresults_is_capped_and_startposition_is_one_based() {
        let q = parse("SELECT * FROM Customer STARTPOSITION 0 MAXRESULTS 5000").expect("parse");
        assert_eq!(q.start, 1);
        assert_eq!(q.max, MAX_RESULTS);
    }

    #[test]
    fn like_matches_percent_wildcards() {
        assert!(like("Rock Fountain", "rock%"));
        assert!(like("Rock Fountain", "%fount%"));
        assert!(like("Rock Fountain", "%tain"));
        assert!(like("Rock Fountain", "rock fountain"));
        assert!(!like("Rock Fountain", "%pond%"));
        assert!(like("abcabc", "a%c%c"));
        assert!(!like("ab", "a%b%c"));
    }

    #[test]
    fn comparisons_are_numeric_temporal_or_textual() {
        assert_eq!(
            compare(&Value::from("10"), &Literal::Text("9".into())),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare(
                &Value::from("2024-03-01T10:15:32-08:00"),
                &Literal::Text("2024-03-01T18:00:00Z".into())
            ),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare(&Value::from("ann"), &Literal::Text("ANN".into())),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare(&Value::Bool(true), &Literal::Bool(true)),
            Some(Ordering::Equal)
        );
    }
}
