//! [`StoreReader`]: one store entity by id, already in the `mapping` store model — what the
//! daemon's worker loads when it processes a queued change.
//!
//! It puts together the calls a conversion needs: a customer's addresses come from their
//! latest order (the users API has none), an order's paid flag from the store's statuses
//! (read once, or the tenant's own list). An entity the store no longer has is `Ok(None)`,
//! so the caller can turn it into a delete.

use mapping::model as m;
use tokio::sync::OnceCell;

use crate::client::{CscartClient, ListQuery};
use crate::convert::{self, OrderSettings};
use crate::error::CscartError;
use crate::ids::{CategoryId, CustomerId, OrderId, ProductId};
use crate::model::paid_statuses;

/// What the reader needs to know about the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderSettings {
    /// The store's primary currency code.
    pub currency: String,
    /// Whether stock is tracked for products that do not say (the store's default).
    pub track_by_default: bool,
    /// Whether the store is CS-Cart Multi-Vendor.
    pub multi_vendor: bool,
    /// The statuses that count as paid; `None`: those CS-Cart flags `payment_received`
    /// (else `P` and `C`), read from the store once.
    pub paid_statuses: Option<Vec<String>>,
}

/// Reads store entities by id and converts them into the `mapping` store model.
#[derive(Debug)]
pub struct StoreReader {
    client: CscartClient,
    settings: ReaderSettings,
    paid: OnceCell<Vec<String>>,
}

/// `Ok(None)` for a 404 (the entity is gone), the error otherwise.
fn gone_is_none<T>(result: Result<T, CscartError>) -> Result<Option<T>, CscartError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(CscartError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl StoreReader {
    /// A reader through `client`.
    pub fn new(client: CscartClient, settings: ReaderSettings) -> Self {
        Self {
            client,
            settings,
            paid: OnceCell::new(),
        }
    }

    /// The client.
    pub fn client(&self) -> &CscartClient {
        &self.client
    }

    /// The statuses that count as paid (configured, or read from the store once).
    pub async fn paid_statuses(&self) -> Result<&[String], CscartError> {
        if let Some(configured) = &self.settings.paid_statuses {
            return Ok(configured);
        }
        let paid = self
            .paid
            .get_or_try_init(|| async {
                let statuses = self.client.statuses().await?;
                Ok::<_, CscartError>(paid_statuses(&statuses))
            })
            .await?;
        Ok(paid)
    }

    /// A customer, with the billing and shipping addresses of their latest order.
    ///
    /// # Errors
    /// [`CscartError::Mismatch`] when the store answers with another user, or when the
    /// "latest order of this user" it lists (or reads) belongs to someone else.
    pub async fn customer(&self, id: &CustomerId) -> Result<Option<m::Customer>, CscartError> {
        let Some(user) = gone_is_none(self.client.user(id).await)? else {
            return Ok(None);
        };
        let latest = self
            .client
            .orders_page(
                &ListQuery::new()
                    .param("user_id", id.as_str())
                    .param("sort_by", "date")
                    .param("sort_order", "desc"),
                1,
                1,
            )
            .await?
            .items
            .into_iter()
            .next();
        // The list is filtered by `user_id` only if the store honours the filter: the row,
        // and the order read, must both be this customer's, or another customer's address
        // would be taken.
        let mismatch = |answered: Option<&CustomerId>, operation: String| CscartError::Mismatch {
            operation,
            asked: format!("the latest order of user {id}"),
            answered: match answered {
                Some(other) => format!("an order of user {other}"),
                None => "a guest order".to_owned(),
            },
        };
        let order = match latest {
            // A row naming another user is refused at once; a row naming none (a guest
            // order, or a store that leaves the field out) is judged by the order read.
            Some(row) if row.user_id.as_ref().is_some_and(|u| u != id) => {
                return Err(mismatch(
                    row.user_id.as_ref(),
                    format!("GET orders?user_id={id}"),
                ));
            }
            Some(row) => gone_is_none(self.client.order(&row.order_id).await)?,
            None => None,
        };
        if let Some(order) = &order
            && order.user_id.as_ref() != Some(id)
        {
            return Err(mismatch(
                order.user_id.as_ref(),
                format!("GET orders/{}", order.order_id),
            ));
        }
        convert::customer(&user, order.as_ref()).map(Some)
    }

    /// A category.
    pub async fn category(&self, id: &CategoryId) -> Result<Option<m::Category>, CscartError> {
        match gone_is_none(self.client.category(id).await)? {
            Some(c) => convert::category(&c).map(Some),
            None => Ok(None),
        }
    }

    /// A product.
    pub async fn product(&self, id: &ProductId) -> Result<Option<m::Product>, CscartError> {
        match gone_is_none(self.client.product(id).await)? {
            Some(p) => convert::product(&p, self.settings.track_by_default).map(Some),
            None => Ok(None),
        }
    }

    /// An order, paid or not by the store's (or the configured) statuses.
    pub async fn order(&self, id: &OrderId) -> Result<Option<m::Order>, CscartError> {
        let Some(order) = gone_is_none(self.client.order(id).await)? else {
            return Ok(None);
        };
        let settings = OrderSettings {
            paid_statuses: self.paid_statuses().await?.to_vec(),
            currency: self.settings.currency.clone(),
            multi_vendor: self.settings.multi_vendor,
        };
        convert::order(&order, &settings).map(Some)
    }
}
