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
    #[error("cannot decode {what}{}: {message} at {path} (body: {snippet})", id.as_ref().map(|i| format!(" {i}")).unwrap_or_default())]
    Decode {
        /// What was decoded, e.g. `product` or `orders page`.
        what: String,
        /// The entity's id, when it could be read.
        id: Option<String>,
        /// The JSON path of the bad field.
        path: String,
        /// The decoder's message.
        message: String,
        /// The start of the offending JSON.
        snippet: String,
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
