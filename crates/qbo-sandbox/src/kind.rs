//! The entity kinds the sandbox serves, with their names, paths and abilities.

use serde::Serialize;

/// An entity kind of the v3 API subset the sandbox models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Kind {
    /// `Customer` (name list).
    Customer,
    /// `Item`: inventory, non-inventory, service, category (name list).
    Item,
    /// `Invoice` (transaction).
    Invoice,
    /// `SalesReceipt` (transaction).
    SalesReceipt,
    /// `Payment` (transaction).
    Payment,
    /// `CreditMemo` (transaction).
    CreditMemo,
    /// `RefundReceipt` (transaction).
    RefundReceipt,
    /// `Account` (name list).
    Account,
    /// `PaymentMethod` (name list).
    PaymentMethod,
    /// `TaxCode` (read-only).
    TaxCode,
    /// `TaxRate` (read-only).
    TaxRate,
    /// `CompanyInfo` (one per company; read and update).
    CompanyInfo,
    /// `Preferences` (one per company; read and update).
    Preferences,
    /// `Vendor` (name list, modeled minimally: its names share Customer's namespace).
    Vendor,
    /// `Employee` (name list, modeled minimally: its names share Customer's namespace).
    Employee,
}

impl Kind {
    /// Every kind, in a fixed order (the order of [`Kind::index`]).
    pub const ALL: [Kind; 15] = [
        Kind::Customer,
        Kind::Item,
        Kind::Invoice,
        Kind::SalesReceipt,
        Kind::Payment,
        Kind::CreditMemo,
        Kind::RefundReceipt,
        Kind::Account,
        Kind::PaymentMethod,
        Kind::TaxCode,
        Kind::TaxRate,
        Kind::CompanyInfo,
        Kind::Preferences,
        Kind::Vendor,
        Kind::Employee,
    ];

    /// The entity's name in JSON and queries, e.g. `SalesReceipt`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Customer => "Customer",
            Kind::Item => "Item",
            Kind::Invoice => "Invoice",
            Kind::SalesReceipt => "SalesReceipt",
            Kind::Payment => "Payment",
            Kind::CreditMemo => "CreditMemo",
            Kind::RefundReceipt => "RefundReceipt",
            Kind::Account => "Account",
            Kind::PaymentMethod => "PaymentMethod",
            Kind::TaxCode => "TaxCode",
            Kind::TaxRate => "TaxRate",
            Kind::CompanyInfo => "CompanyInfo",
            Kind::Preferences => "Preferences",
            Kind::Vendor => "Vendor",
            Kind::Employee => "Employee",
        }
    }

    /// The position in [`Kind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The kind named `name` (an entity name or URL path segment), ignoring case.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }

    /// Whether QBO calls it a transaction: deletable and voidable, ids from one sequence.
    pub fn is_transaction(self) -> bool {
        matches!(
            self,
            Kind::Invoice
                | Kind::SalesReceipt
                | Kind::Payment
                | Kind::CreditMemo
                | Kind::RefundReceipt
        )
    }

    /// Whether it is a name list (never deleted, made inactive instead).
    pub fn is_name_list(self) -> bool {
        matches!(
            self,
            Kind::Customer
                | Kind::Item
                | Kind::Account
                | Kind::PaymentMethod
                | Kind::Vendor
                | Kind::Employee
        )
    }

    /// The kinds whose names must differ from each other's: QBO keeps one namespace for
    /// customers, vendors and employees (notes §7, §6 code 6240), here keyed as Customer.
    pub(crate) fn name_space(self) -> Kind {
        match self {
            Kind::Vendor | Kind::Employee => Kind::Customer,
            other => other,
        }
    }

    /// Whether the API can create it.
    pub fn creatable(self) -> bool {
        self.is_transaction() || self.is_name_list()
    }

    /// Whether the API can update it.
    pub fn updatable(self) -> bool {
        self.creatable() || matches!(self, Kind::CompanyInfo | Kind::Preferences)
    }

    /// How the kind's sales lines move stock: −1 for sales, +1 for returns, 0 otherwise.
    pub(crate) fn stock_direction(self) -> i64 {
        match self {
            Kind::Invoice | Kind::SalesReceipt => -1,
            Kind::CreditMemo | Kind::RefundReceipt => 1,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_matches_the_order_of_all() {
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i);
            assert_eq!(Kind::parse(&kind.name().to_ascii_lowercase()), Some(kind));
        }
        assert_eq!(Kind::parse("bill"), None);
    }

    #[test]
    fn every_kind_is_an_entity_of_the_schema() {
        for kind in Kind::ALL {
            assert!(
                qbo_api::schema::entity_type(kind.name()).is_some(),
                "{}",
                kind.name()
            );
        }
    }
}
