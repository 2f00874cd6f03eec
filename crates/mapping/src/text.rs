//! Cleaning text to QBO's rules: lengths, forbidden characters, e-mail addresses, countries.
//!
//! Every text is trimmed and loses its control characters. Names (customer names, display
//! names, item names) also lose QBO's forbidden characters: a colon (the hierarchy separator
//! of `FullyQualifiedName`) becomes `-`, tabs and line breaks become spaces, and runs of
//! spaces become one. A name with nothing left is an error, never an empty name; a name too
//! long is shortened or refused, as [`Overlong`] says. Other texts (descriptions, notes,
//! address lines) are shortened to their limit.

use crate::config::{InvalidEmail, Overlong};
use crate::country;
use crate::error::MappingError;
use crate::ids::EntityRef;

/// QBO's length limits, in characters (notes on the QBO API, section 7; Intuit's XSD).
pub mod limits {
    /// `Customer.DisplayName`.
    pub const DISPLAY_NAME: usize = 500;
    /// `Customer.GivenName`, `MiddleName`, `FamilyName`, `CompanyName`.
    pub const PERSON_NAME: usize = 100;
    /// `Customer.Notes`.
    pub const CUSTOMER_NOTES: usize = 2000;
    /// `EmailAddress.Address`.
    pub const EMAIL: usize = 100;
    /// `TelephoneNumber.FreeFormNumber`.
    pub const PHONE: usize = 21;
    /// `PhysicalAddress.Line1` … `Line5`.
    pub const ADDRESS_LINE: usize = 500;
    /// `PhysicalAddress.City`, `Country`, `CountrySubDivisionCode`.
    pub const ADDRESS_PART: usize = 255;
    /// `PhysicalAddress.PostalCode`.
    pub const POSTAL_CODE: usize = 30;
    /// `Item.Name`.
    pub const ITEM_NAME: usize = 100;
    /// `Item.Sku`.
    pub const SKU: usize = 100;
    /// `Item.Description`, `PurchaseDesc`, `Line.Description`.
    pub const DESCRIPTION: usize = 4000;
    /// `DocNumber` of sales forms and payments.
    pub const DOC_NUMBER: usize = 21;
    /// `PaymentRefNum`.
    pub const PAYMENT_REF: usize = 21;
    /// `PrivateNote`.
    pub const PRIVATE_NOTE: usize = 4000;
}

/// The characters QBO refuses in names.
pub const FORBIDDEN_IN_NAMES: &[char] = &[':', '\t', '\n', '\r'];

/// Whether `text` satisfies QBO's rules for a name of at most `max` characters: not empty,
/// trimmed, no control character, no colon, at most `max` characters.
pub fn is_valid_name(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.trim() == text
        && text.chars().count() <= max
        && !text.chars().any(|c| c.is_control() || c == ':')
}

/// Whether `text` satisfies the rules of a single-line text of at most `max` characters
/// (colons allowed).
pub fn is_valid_line(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.trim() == text
        && text.chars().count() <= max
        && !text.chars().any(char::is_control)
}

/// Trims, turns tabs and line breaks (and, for names, colons) into spaces or `-`, drops
/// other control characters, and collapses runs of white space into one space.
fn clean_single(raw: &str, name: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars() {
        let c = match c {
            ':' if name => '-',
            c if c.is_whitespace() => {
                pending_space = true;
                continue;
            }
            c if c.is_control() => continue,
            c => c,
        };
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// Keeps line breaks, drops other control characters, trims every line and the whole.
fn clean_multi(raw: &str) -> String {
    let lines: Vec<String> = raw
        .split('\n')
        .map(|line| clean_single(line, false))
        .collect();
    lines.join("\n").trim().to_owned()
}

/// The first `max` characters, trimmed at the end.
fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => text[..cut].trim_end().to_owned(),
        None => text.to_owned(),
    }
}

/// Cleaning context: the entity (for errors) and the overlong-name policy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cleaner<'a> {
    pub(crate) entity: &'a EntityRef,
    pub(crate) overlong: Overlong,
}

impl Cleaner<'_> {
    /// A required name: cleaned, at most `max` characters, never empty.
    pub(crate) fn name(&self, field: &str, raw: &str, max: usize) -> Result<String, MappingError> {
        match self.opt_name(field, Some(raw), max)? {
            Some(name) => Ok(name),
            None => Err(MappingError::Missing {
                entity: self.entity.clone(),
                field: field.to_owned(),
            }),
        }
    }

    /// An optional name: `None` when absent or empty once cleaned.
    pub(crate) fn opt_name(
        &self,
        field: &str,
        raw: Option<&str>,
        max: usize,
    ) -> Result<Option<String>, MappingError> {
        let Some(raw) = raw else { return Ok(None) };
        let clean = clean_single(raw, true);
        if clean.is_empty() {
            return Ok(None);
        }
        let len = clean.chars().count();
        if len > max {
            return match self.overlong {
                Overlong::Truncate => Ok(Some(truncate(&clean, max))),
                Overlong::Error => Err(MappingError::TooLong {
                    entity: self.entity.clone(),
                    field: field.to_owned(),
                    len,
                    max,
                }),
            };
        }
        Ok(Some(clean))
    }

    /// A single-line text that must not be shortened (a document number): too long is an
    /// error whatever the policy.
    pub(crate) fn exact_line(
        &self,
        field: &str,
        raw: &str,
        max: usize,
    ) -> Result<Option<String>, MappingError> {
        let clean = clean_single(raw, false);
        if clean.is_empty() {
            return Ok(None);
        }
        let len = clean.chars().count();
        if len > max {
            return Err(MappingError::TooLong {
                entity: self.entity.clone(),
                field: field.to_owned(),
                len,
                max,
            });
        }
        Ok(Some(clean))
    }

    /// An e-mail address, checked; a malformed one is left out or refused by `policy`.
    pub(crate) fn email(
        &self,
        field: &str,
        raw: Option<&str>,
        policy: InvalidEmail,
    ) -> Result<Option<String>, MappingError> {
        let Some(raw) = raw else { return Ok(None) };
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if is_valid_email(trimmed) {
            return Ok(Some(trimmed.to_owned()));
        }
        match policy {
            InvalidEmail::Omit => Ok(None),
            InvalidEmail::Error => Err(MappingError::Invalid {
                entity: self.entity.clone(),
                field: field.to_owned(),
                reason: format!("{trimmed:?} is not an e-mail address"),
            }),
        }
    }

    /// A telephone number: white space collapsed; at most 21 characters (QBO's
    /// `FreeFormNumber`), else an error (a shortened number is a wrong number).
    pub(crate) fn phone(
        &self,
        field: &str,
        raw: Option<&str>,
    ) -> Result<Option<String>, MappingError> {
        let Some(raw) = raw else { return Ok(None) };
        let clean = clean_single(raw, false);
        if clean.is_empty() {
            return Ok(None);
        }
        let len = clean.chars().count();
        if len > limits::PHONE {
            return Err(MappingError::TooLong {
                entity: self.entity.clone(),
                field: field.to_owned(),
                len,
                max: limits::PHONE,
            });
        }
        Ok(Some(clean))
    }

    /// A country: an alpha-2 code becomes its alpha-3 code, an alpha-3 code stays, a longer
    /// text is taken as a country name; an unknown two- or three-letter code is an error.
    pub(crate) fn country(
        &self,
        field: &str,
        raw: Option<&str>,
    ) -> Result<Option<String>, MappingError> {
        let Some(raw) = raw else { return Ok(None) };
        let clean = clean_single(raw, false);
        if clean.is_empty() {
            return Ok(None);
        }
        let invalid = |reason: String| MappingError::Invalid {
            entity: self.entity.clone(),
            field: field.to_owned(),
            reason,
        };
        let letters = clean.chars().all(|c| c.is_ascii_alphabetic());
        match clean.len() {
            2 if letters => {
                let code = clean.to_ascii_uppercase();
                country::alpha3_of(&code)
                    .map(|a3| Some(a3.to_owned()))
                    .ok_or_else(|| invalid(format!("{clean:?} is not an ISO 3166 country code")))
            }
            3 if letters => {
                let code = clean.to_ascii_uppercase();
                if country::is_alpha3(&code) {
                    Ok(Some(code))
                } else {
                    Err(invalid(format!(
                        "{clean:?} is not an ISO 3166 country code"
                    )))
                }
            }
            _ if clean.chars().count() < 2 => Err(invalid(format!("{clean:?} is not a country"))),
            _ => Ok(Some(truncate(&clean, limits::ADDRESS_PART))),
        }
    }
}

/// A single-line text shortened to `max` characters; `None` when empty once cleaned.
pub(crate) fn line(raw: Option<&str>, max: usize) -> Option<String> {
    let clean = clean_single(raw?, false);
    (!clean.is_empty()).then(|| truncate(&clean, max))
}

/// A multi-line text (line breaks kept) shortened to `max` characters; `None` when empty.
pub(crate) fn text(raw: Option<&str>, max: usize) -> Option<String> {
    let clean = clean_multi(raw?);
    (!clean.is_empty()).then(|| truncate(&clean, max))
}

/// Whether `address` is a plain e-mail address QBO can hold: at most 100 characters, one
/// `@`, a dot-atom local part of at most 64 characters, and a domain of at least two
/// labels of letters, digits and inner hyphens whose last label is letters.
pub fn is_valid_email(address: &str) -> bool {
    if address.len() > limits::EMAIL || !address.is_ascii() {
        return false;
    }
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(is_atom_byte));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// A byte allowed in a dot-atom (RFC 5322 `atext`).
fn is_atom_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::ids::EntityKind;

    fn cleaner(entity: &EntityRef, overlong: Overlong) -> Cleaner<'_> {
        Cleaner { entity, overlong }
    }

    #[test]
    fn names_lose_forbidden_characters_and_extra_space() {
        let e = EntityRef::new(EntityKind::Customer, "1");
        let c = cleaner(&e, Overlong::Truncate);
        assert_eq!(
            c.name("n", "  Acme:\tStore\r\n Ltd  ", 100).unwrap(),
            "Acme- Store Ltd"
        );
        assert_eq!(c.name("n", "a\u{0}b\u{7f}c", 100).unwrap(), "abc");
        assert_eq!(
            c.name("first_name", " \t\n", 100).unwrap_err(),
            MappingError::Missing {
                entity: e.clone(),
                field: "first_name".into()
            }
        );
        assert_eq!(c.opt_name("n", Some("   "), 100).unwrap(), None);
        assert_eq!(c.name("n", "abcdef", 3).unwrap(), "abc");
        assert_eq!(
            c.name("n", "ab cdef", 3).unwrap(),
            "ab",
            "trailing space trimmed"
        );
        let strict = cleaner(&e, Overlong::Error);
        assert!(matches!(
            strict.name("name", "abcdef", 3),
            Err(MappingError::TooLong { len: 6, max: 3, .. })
        ));
        assert!(is_valid_name("Acme- Store Ltd", 100));
        assert!(!is_valid_name("a:b", 100));
        assert!(!is_valid_name(" a", 100));
    }

    #[test]
    fn descriptions_keep_line_breaks() {
        assert_eq!(
            text(Some("  First line \r\n\tsecond\u{1}  line\n\n"), 100).as_deref(),
            Some("First line\nsecond line")
        );
        assert_eq!(line(Some("a\nb"), 100).as_deref(), Some("a b"));
        assert_eq!(
            line(Some("é".repeat(600).as_str()), 500).map(|s| s.chars().count()),
            Some(500)
        );
    }

    #[test]
    fn emails_are_checked() {
        for good in [
            "ann@example.com",
            "a.b+tag@sub.example.co.uk",
            "x_y@ex-ample.io",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "ann@exa mple.com",
            "a..b@example.com",
            ".a@example.com",
            "ann@-ex.com",
            "ann@example.c0m",
            "änn@example.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
        let e = EntityRef::new(EntityKind::Customer, "1");
        let c = cleaner(&e, Overlong::Truncate);
        assert_eq!(
            c.email("email", Some(" a@b.co "), InvalidEmail::Error)
                .unwrap()
                .as_deref(),
            Some("a@b.co")
        );
        assert_eq!(
            c.email("email", Some("nope"), InvalidEmail::Omit).unwrap(),
            None
        );
        assert_eq!(
            c.email("email", Some("nope"), InvalidEmail::Error)
                .unwrap_err()
                .field(),
            "email"
        );
    }

    #[test]
    fn countries_are_normalized() {
        let e = EntityRef::new(EntityKind::Order, "1");
        let c = cleaner(&e, Overlong::Truncate);
        assert_eq!(
            c.country("c", Some(" us ")).unwrap().as_deref(),
            Some("USA")
        );
        assert_eq!(c.country("c", Some("deu")).unwrap().as_deref(), Some("DEU"));
        assert_eq!(
            c.country("c", Some("United Kingdom")).unwrap().as_deref(),
            Some("United Kingdom")
        );
        assert_eq!(c.country("c", None).unwrap(), None);
        let err = c
            .country("billing_address.country", Some("QQ"))
            .unwrap_err();
        assert_eq!(err.field(), "billing_address.country");
        assert!(c.country("c", Some("ZZZ")).is_err());
        assert!(c.country("c", Some("D")).is_err());
    }

    #[test]
    fn phones_and_document_numbers_are_never_shortened() {
        let e = EntityRef::new(EntityKind::Order, "1");
        let c = cleaner(&e, Overlong::Truncate);
        assert_eq!(
            c.phone("phone", Some(" +1 (650)  555-0143 "))
                .unwrap()
                .as_deref(),
            Some("+1 (650) 555-0143")
        );
        assert!(matches!(
            c.phone("phone", Some(&"1".repeat(22))),
            Err(MappingError::TooLong { max: 21, .. })
        ));
        assert!(matches!(
            c.exact_line("number", &"9".repeat(22), 21),
            Err(MappingError::TooLong { .. })
        ));
        assert_eq!(
            c.exact_line("number", " 1001 ", 21).unwrap().as_deref(),
            Some("1001")
        );
    }
}
