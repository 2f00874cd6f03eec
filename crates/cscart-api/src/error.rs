//! The one error type of this crate, [`CscartError`].

use std::fmt;

/// How many bytes of a body an error keeps.
pub(crate) const SNIPPET_LEN: usize = 512;

/// Cuts a body down to at most [`SNIPPET_LEN`] bytes on a character boundary.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut end = text.len().min(SNIPPET_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The start of an entity's JSON that failed to decode, kept in the error value for an
/// operator to look at (it is the operator's own store data, personal data included).
///
/// It has no `Display`, and its `Debug` shows only its length, so that logging an error
/// (`%error` or `?error`) never writes a customer's e-mail, name, address or phone.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Snippet(String);

impl Snippet {
    /// At most [`SNIPPET_LEN`] bytes of `body`.
    pub(crate) fn of(body: &[u8]) -> Self {
        Self(snippet(body))
    }

    /// The text, for an operator's eyes (not for logs).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Snippet({} bytes)", self.0.len())
    }
}

/// A decoder's message with every quoted value (`"..."` and `` `...` ``) replaced by `…`:
/// serde quotes the offending value, which may be a customer's e-mail or name.
pub(crate) fn redact_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push_str("\"…\"");
                let mut escaped = false;
                for c in chars.by_ref() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '`' => {
                out.push_str("`…`");
                for c in chars.by_ref() {
                    if c == '`' {
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// What CS-Cart's error body said: `{"message": "...", "errors": [...], "status": 400}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiMessage {
    /// The `message` (reason and details).
    pub message: String,
    /// Every entry of `errors` and `messages`, as text.
    pub errors: Vec<String>,
}

impl fmt::Display for ApiMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for e in &self.errors {
            write!(f, "; {e}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong talking to a CS-Cart store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CscartError {
    /// 401: the e-mail or API key was refused.
    #[error(
        "CS-Cart refused the credentials (HTTP 401) for {operation}: check the admin e-mail \
         (exactly as in the account), the API key, that the account is active, and that the \
         web server passes the Authorization header to PHP (nginx/FastCGI)"
    )]
    Unauthorized {
        /// The request, e.g. `GET orders`.
        operation: String,
    },
    /// 403: the account lacks a privilege, or plain HTTP was used while HTTPS is required.
    #[error("CS-Cart forbade {operation} (HTTP 403): {message}")]
    Forbidden {
        /// The request.
        operation: String,
        /// CS-Cart's message.
        message: ApiMessage,
    },
    /// 404: the id or the entity does not exist.
    #[error("CS-Cart found nothing for {operation} (HTTP 404): {message}")]
    NotFound {
        /// The request.
        operation: String,
        /// CS-Cart's message.
        message: ApiMessage,
    },
    /// Any other error status with CS-Cart's JSON error body.
    #[error("CS-Cart answered {operation} with HTTP {status}: {message}")]
    Api {
        /// The request.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// CS-Cart's message.
        message: ApiMessage,
    },
    /// An HTML page where JSON was expected (a broken shop, a PHP error, a login page).
    #[error("CS-Cart answered {operation} with an HTML page (HTTP {status}): {snippet}")]
    Html {
        /// The request.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// The start of the page.
        snippet: String,
    },
    /// An error status whose body is neither CS-Cart's error JSON nor HTML.
    #[error("CS-Cart answered {operation} with HTTP {status}: {snippet}")]
    Status {
        /// The request.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        snippet: String,
    },
    /// A body that does not decode, naming the entity, its id when known and the field.
    ///
    /// Its text (and `Debug`) holds no value of the body: the decoder's message has its
    /// quoted values cut out, and the body's start is a [`Snippet`], shown to nobody but
    /// whoever asks for it.
    #[error("cannot decode {what}{}: {message} at {path}", id.as_ref().map(|i| format!(" {i}")).unwrap_or_default())]
    Decode {
        /// What was decoded, e.g. `product` or `orders page`.
        what: String,
        /// The entity's id, when it could be read.
        id: Option<String>,
        /// The JSON path of the bad field.
        path: String,
        /// The decoder's message, quoted values replaced by `…`.
        message: String,
        /// The start of the offending JSON (the store's own data; never logged).
        snippet: Snippet,
    },
    /// An entity that decodes but cannot become a store-model entity (a missing name, an
    /// order line for a deleted product...).
    #[error("cannot convert {entity}: {field}: {reason}")]
    Convert {
        /// The entity, e.g. `order 1001`.
        entity: mapping::ids::EntityRef,
        /// The CS-Cart field at fault, e.g. `products.12.product_id`.
        field: String,
        /// Why.
        reason: String,
    },
    /// The store answered about another entity than the one asked for (another user's
    /// record, the latest order of another customer...). Never taken as the entity asked
    /// for, nor as a sign that it is gone.
    #[error("{operation}: asked for {asked}, the store answered {answered}")]
    Mismatch {
        /// The request.
        operation: String,
        /// What was asked for, e.g. `user 5`.
        asked: String,
        /// What the answer is about, e.g. `user 6`, or `users 6, 7`.
        answered: String,
    },
    /// The request failed on the way (connect, timeout, TLS, reading the body).
    #[error("request {operation} failed: {source}")]
    Transport {
        /// The request.
        operation: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// A value given to the client is unusable (a base URL that cannot carry a path...).
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was wrong.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

impl CscartError {
    /// Whether trying the same read again may succeed (5xx, transport).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Api { status, .. } | Self::Html { status, .. } | Self::Status { status, .. } => {
                *status >= 500
            }
            _ => false,
        }
    }
}
