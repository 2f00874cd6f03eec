//! Deletes: what a store delete does in QBO. Names (customers, items) are never deleted
//! there, only made inactive; documents are voided or deleted, by setting.

use qbo_api::{
    AnyEntity, Customer, Entity, EntityId, Invoice, Item, Payment, SalesReceipt, SyncToken,
};

use crate::config::{MappingConfig, OrderDeletion, OrderDocumentKind};
use crate::links::{Links, StoreRef};

/// What to do to a QBO entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOperation {
    /// Make the name inactive (`Active: false`).
    Deactivate,
    /// Delete the transaction.
    Delete,
    /// Void the transaction.
    Void,
}

/// One QBO operation of a store delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteAction {
    /// The store entity whose link the operation ends.
    pub target: StoreRef,
    /// The QBO entity name (`Customer`, `Item`, `Invoice`, `SalesReceipt`, `Payment`).
    pub entity: &'static str,
    /// The QBO id.
    pub id: EntityId,
    /// The QBO sync token last seen.
    pub sync_token: Option<SyncToken>,
    /// What to do.
    pub operation: DeleteOperation,
}

impl DeleteAction {
    /// The entity body of the operation when the link alone makes it: `Id`, `SyncToken`
    /// (and `Active: false` for a customer). `None` for items: QBO's item update needs the
    /// item's `Name` and `Type`, so read the item and send [`qbo_api::NameList::deactivation`]
    /// of it.
    pub fn body(&self) -> Option<AnyEntity> {
        let (id, sync_token) = (Some(self.id.clone()), self.sync_token.clone());
        match self.entity {
            Customer::NAME => Some(
                Customer {
                    id,
                    sync_token,
                    active: Some(false),
                    ..Customer::default()
                }
                .into_any(),
            ),
            Invoice::NAME => Some(
                Invoice {
                    id,
                    sync_token,
                    ..Invoice::default()
                }
                .into_any(),
            ),
            SalesReceipt::NAME => Some(
                SalesReceipt {
                    id,
                    sync_token,
                    ..SalesReceipt::default()
                }
                .into_any(),
            ),
            Payment::NAME => Some(
                Payment {
                    id,
                    sync_token,
                    ..Payment::default()
                }
                .into_any(),
            ),
            _ => None,
        }
    }
}

/// The QBO operations of deleting `target` in the store, in the order to run them; none when
/// it was never linked.
///
/// - a customer: deactivate it (guest customers are shared by orders: never);
/// - a category or product: deactivate its item;
/// - an order: first its payment (invoice mode), then its document, each voided or deleted as
///   `order.on_delete` says (QBO refuses to delete an invoice that a payment is applied to);
/// - a payment: void or delete it.
pub fn deletion(target: &StoreRef, config: &MappingConfig, links: &Links) -> Vec<DeleteAction> {
    let document_operation = match config.order.on_delete {
        OrderDeletion::Void => DeleteOperation::Void,
        OrderDeletion::Delete => DeleteOperation::Delete,
    };
    let action = |target: &StoreRef, entity: &'static str, operation: DeleteOperation| {
        links.get(target).map(|link| DeleteAction {
            target: target.clone(),
            entity,
            id: link.id.clone(),
            sync_token: link.sync_token.clone(),
            operation,
        })
    };
    let actions = match target {
        StoreRef::Customer(_) => vec![action(target, Customer::NAME, DeleteOperation::Deactivate)],
        StoreRef::Guest(_) => Vec::new(),
        StoreRef::Category(_) | StoreRef::Product(_) => {
            vec![action(target, Item::NAME, DeleteOperation::Deactivate)]
        }
        StoreRef::Order(order) => {
            let document = match config.order.document {
                OrderDocumentKind::InvoiceAndPayment => Invoice::NAME,
                OrderDocumentKind::SalesReceipt => SalesReceipt::NAME,
            };
            vec![
                action(
                    &StoreRef::Payment(order.clone()),
                    Payment::NAME,
                    document_operation,
                ),
                action(target, document, document_operation),
            ]
        }
        StoreRef::Payment(_) => vec![action(target, Payment::NAME, document_operation)],
    };
    actions.into_iter().flatten().collect()
}
