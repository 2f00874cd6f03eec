//! Payments: a QBO `Payment` applied to an order's invoice (invoice mode only; a sales
//! receipt is paid by itself).

use qbo_api::{Line, LinkedTxn, Payment, ReferenceType};
use rust_decimal::Decimal;

use super::{Mapped, guest_key, hash_of, identity, money};
use crate::config::{MappingConfig, OrderDocumentKind};
use crate::error::MappingError;
use crate::ids::EntityRef;
use crate::links::{Links, StoreRef};
use crate::model::{Order, OrderCustomer, OrderPayment};
use crate::text::{self, limits};

/// The QBO payment method of a store payment.
pub(crate) fn payment_method(
    entity: &EntityRef,
    payment: &OrderPayment,
    config: &MappingConfig,
) -> Result<ReferenceType, MappingError> {
    config
        .payment_methods
        .get(&payment.method)
        .map(|id| ReferenceType::new(id.clone()))
        .ok_or_else(|| MappingError::UnknownPaymentMethod {
            entity: entity.clone(),
            field: "payment.method".to_owned(),
            method: payment.method.clone(),
        })
}

/// What an order's payment needs linked first: its customer (or guest customer) and the
/// order's invoice.
pub fn payment_dependencies(order: &Order, config: &MappingConfig) -> Vec<StoreRef> {
    let customer = match &order.customer {
        OrderCustomer::Registered(id) => Some(StoreRef::Customer(id.clone())),
        OrderCustomer::Guest(_) => guest_key(order, config).map(StoreRef::Guest),
    };
    customer
        .into_iter()
        .chain([StoreRef::Order(order.id.clone())])
        .collect()
}

/// Maps the payment of a paid order to a QBO `Payment` applied to its invoice, linked under
/// [`StoreRef::Payment`].
///
/// `None` when there is nothing to record: sales-receipt mode, an unpaid order, or a payment
/// of zero. A paid order without payment details pays its total with no payment method. The
/// part above the order total stays unapplied (QBO's `UnappliedAmt`).
///
/// # Errors
/// A marketplace parent order, a currency the company does not use, an unmapped payment
/// method, a negative amount, a missing link of the customer or the invoice.
pub fn map_payment(
    order: &Order,
    config: &MappingConfig,
    links: &Links,
) -> Result<Option<Mapped<Payment>>, MappingError> {
    let target = StoreRef::Payment(order.id.clone());
    let entity = target.entity_ref();
    if config.order.document != OrderDocumentKind::InvoiceAndPayment || !order.paid {
        return Ok(None);
    }
    if order.is_marketplace_parent {
        return Err(MappingError::MarketplaceParent { entity });
    }
    if !config.accepts_currency(&order.currency) {
        return Err(MappingError::UnsupportedCurrency {
            entity,
            field: "currency".to_owned(),
            currency: order.currency.clone(),
        });
    }
    let total = money(&entity, "total", order.total)?;
    let amount = match &order.payment {
        Some(payment) => money(&entity, "payment.amount", payment.amount)?,
        None => total,
    };
    if amount.is_zero() {
        return Ok(None);
    }
    let customer_ref = match &order.customer {
        OrderCustomer::Registered(id) => {
            links.require(&entity, "customer", StoreRef::Customer(id.clone()))?
        }
        OrderCustomer::Guest(_) => {
            let key = guest_key(order, config).ok_or_else(|| MappingError::Missing {
                entity: entity.clone(),
                field: "customer".to_owned(),
            })?;
            links.require(&entity, "customer", StoreRef::Guest(key))?
        }
    }
    .reference();
    let invoice = links.require(&entity, "id", StoreRef::Order(order.id.clone()))?;
    let applied = amount.min(total);
    let (payment_method_ref, payment_ref_num, date) = match &order.payment {
        Some(payment) => (
            Some(payment_method(&entity, payment, config)?),
            text::line(payment.reference.as_deref(), limits::PAYMENT_REF),
            payment.date.unwrap_or(order.date),
        ),
        None => (None, None, order.date),
    };
    let number = order.number.as_deref().unwrap_or(order.id.as_str());
    let (id, sync_token) = identity(links, &target);
    let lines = if applied > Decimal::ZERO {
        vec![Line::payment(
            applied,
            [LinkedTxn::new(invoice.id.clone(), "Invoice")],
        )]
    } else {
        Vec::new()
    };
    let payment = Payment {
        id,
        sync_token,
        txn_date: Some(date),
        currency_ref: config
            .currency
            .multicurrency
            .then(|| ReferenceType::new(order.currency.trim().to_ascii_uppercase())),
        private_note: text::text(
            Some(&format!("Payment of store order {number}")),
            limits::PRIVATE_NOTE,
        ),
        line: lines,
        customer_ref: Some(customer_ref),
        deposit_to_account_ref: config.accounts.deposit.clone().map(ReferenceType::new),
        payment_method_ref,
        payment_ref_num,
        total_amt: Some(amount),
        ..Payment::default()
    };
    let hash = hash_of(&entity, &payment)?;
    Ok(Some(Mapped {
        entity: payment,
        hash,
    }))
}
