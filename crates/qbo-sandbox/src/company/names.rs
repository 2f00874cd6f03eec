//! Rules of the name-list entities (notes §7): Customer, Item (categories included),
//! Account, PaymentMethod — required fields, lengths, forbidden characters, unique names
//! (6240 with the holder's Id), hierarchies and their `FullyQualifiedName`.

use std::hash::{Hash, Hasher};

use serde_json::Value;

use super::seed::{classification, home_currency};
use super::write::{
    Prepared, WriteCtx, check_addresses, check_chars, check_len, check_lens, check_nested_len,
    required_name,
};
use super::{Company, Record};
use crate::fault::Fault;
use crate::json::{self, Object};
use crate::kind::Kind;

/// Characters a display name may not hold (notes §7: `:` is the hierarchy separator; tab
/// and new line per Intuit's business rules).
const NAME_FORBIDDEN: &[char] = &[':', '\t', '\n', '\r'];
/// Account names additionally may not hold `"`.
const ACCOUNT_FORBIDDEN: &[char] = &[':', '"', '\t', '\n', '\r'];
/// The deepest level below the top (5 levels in all).
const MAX_LEVEL: u64 = 4;
/// Categories nest at most 3 levels below a top category.
const MAX_CATEGORY_LEVEL: u64 = 3;

fn set(body: &mut Object, key: &str, value: Value) {
    body.insert(key.to_owned(), value);
}

fn level(record: &Record) -> u64 {
    record
        .body()
        .get("Level")
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

fn fqn<'a>(record: &'a Record, name_key: &str) -> &'a str {
    json::text(record.body(), "FullyQualifiedName")
        .or_else(|| json::text(record.body(), name_key))
        .unwrap_or_default()
}

/// Fills in the `name` of a resolved reference, as QBO answers.
pub(super) fn name_ref(body: &mut Object, key: &str, id: &str, name: &str) {
    set(body, key, json::reference(id, Some(name)));
}

/// Checks the unique name against the index (6240 with the holder's Id).
fn check_unique(
    company: &Company,
    kind: Kind,
    name: &str,
    old: Option<&Record>,
    element: &str,
) -> Result<(), Fault> {
    match company.name_holder_of(kind, name) {
        Some((holder_kind, holder))
            if holder_kind != kind || Some(holder) != old.map(Record::id) =>
        {
            Err(Fault::duplicate_name(element, holder))
        }
        _ => Ok(()),
    }
}

/// Adds what QBO adds after the id is known: a customer's `V4IDPseudonym`, which QBO
/// sends on reads (notes §6); it is read-only, so an echo of it is ignored.
pub(super) fn finish(realm: &str, kind: Kind, record: &mut Record) {
    if kind != Kind::Customer || record.body().contains_key("V4IDPseudonym") {
        return;
    }
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [b'0'; 50];
    for salt in 0u8..3 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (realm, record.id(), salt).hash(&mut hasher);
        let hash = hasher.finish().to_be_bytes();
        let at = 2 + 16 * usize::from(salt);
        for (i, byte) in hash.iter().enumerate() {
            hex[at + 2 * i] = DIGITS[usize::from(byte >> 4)];
            hex[at + 2 * i + 1] = DIGITS[usize::from(byte & 0xf)];
        }
    }
    let hex = String::from_utf8_lossy(&hex[..40]).into_owned();
    record.edit(|body| set(body, "V4IDPseudonym", Value::String(hex)));
}

pub(super) fn customer(
    company: &Company,
    ctx: &WriteCtx<'_>,
    mut body: Object,
    old: Option<&Record>,
) -> Result<Prepared, Fault> {
    check_lens(
        &body,
        &[
            ("Title", 16),
            ("Suffix", 16),
            ("GivenName", 100),
            ("MiddleName", 100),
            ("FamilyName", 100),
            ("CompanyName", 100),
            ("DisplayName", 500),
            ("PrintOnCheckName", 110),
            ("Notes", 2000),
            ("ResaleNum", 16),
        ],
    )?;
    check_nested_len(&body, "PrimaryEmailAddr", "Address", 100)?;
    check_addresses(&body, &["BillAddr", "ShipAddr"])?;
    let display = match json::text(&body, "DisplayName").map(str::trim) {
        Some(d) if !d.is_empty() => d.to_owned(),
        _ => ["Title", "GivenName", "MiddleName", "FamilyName", "Suffix"]
            .iter()
            .filter_map(|k| json::text(&body, k).map(str::trim))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    };
    if display.is_empty() {
        return Err(Fault::no_name());
    }
    check_chars(&display, "DisplayName", NAME_FORBIDDEN)?;
    check_unique(company, Kind::Customer, &display, old, "DisplayName")?;
    set(&mut body, "DisplayName", Value::String(display.clone()));

    let old_currency = old.and_then(|o| json::ref_id(o.body(), "CurrencyRef"));
    match (json::ref_id(&body, "CurrencyRef"), old_currency) {
        (Some(new), Some(old)) if new != old => {
            return Err(Fault::business(
                "You can't change the currency of a customer once it is set.",
                "CurrencyRef",
            ));
        }
        (None, _) => set(&mut body, "CurrencyRef", home_currency()),
        _ => {}
    }

    if let Some(parent_id) = json::ref_id(&body, "ParentRef") {
        if old.is_some_and(|o| o.id() == parent_id) {
            return Err(Fault::business(
                "A customer cannot be its own parent.",
                "ParentRef",
            ));
        }
        let parent = company.resolve(ctx, Kind::Customer, &parent_id, "ParentRef")?;
        let depth = level(parent) + 1;
        if depth > MAX_LEVEL {
            return Err(Fault::business(
                "Customers and jobs nest at most 5 levels deep.",
                "ParentRef",
            ));
        }
        let root = json::ref_id(parent.body(), "RootCustomerRef").unwrap_or(parent_id.clone());
        let path = format!("{}:{display}", fqn(parent, "DisplayName"));
        let parent_name = json::text(parent.body(), "DisplayName")
            .unwrap_or_default()
            .to_owned();
        name_ref(&mut body, "ParentRef", &parent_id, &parent_name);
        set(&mut body, "RootCustomerRef", json::reference(&root, None));
        set(&mut body, "Job", Value::Bool(true));
        set(&mut body, "Level", Value::from(depth));
        set(&mut body, "FullyQualifiedName", Value::String(path));
    } else {
        body.remove("RootCustomerRef");
        body.entry("Job").or_insert(Value::Bool(false));
        set(&mut body, "Level", Value::from(0u64));
        set(&mut body, "FullyQualifiedName", Value::String(display));
    }
    body.entry("BillWithParent").or_insert(Value::Bool(false));
    body.entry("Active").or_insert(Value::Bool(true));
    if let Some(method) = json::ref_id(&body, "PaymentMethodRef") {
        let record = company.resolve(ctx, Kind::PaymentMethod, &method, "PaymentMethodRef")?;
        let name = json::text(record.body(), "Name")
            .unwrap_or_default()
            .to_owned();
        name_ref(&mut body, "PaymentMethodRef", &method, &name);
    }
    let balance = old
        .and_then(|o| json::decimal_at(o.body(), "Balance"))
        .unwrap_or_default();
    set(&mut body, "Balance", json::number(balance));
    set(&mut body, "BalanceWithJobs", json::number(balance));
    Ok(Prepared::plain(body))
}

/// A vendor or an employee, modeled minimally: the name rules of a customer (lengths,
/// `DisplayName` built from the name parts or 6080, forbidden characters) and one name
/// space with customers (6240), `Active`; a vendor also gets `CurrencyRef` and `Balance`.
pub(super) fn person(
    company: &Company,
    kind: Kind,
    mut body: Object,
    old: Option<&Record>,
) -> Result<Prepared, Fault> {
    check_lens(
        &body,
        &[
            ("Title", 16),
            ("Suffix", 16),
            ("GivenName", 100),
            ("MiddleName", 100),
            ("FamilyName", 100),
            ("CompanyName", 100),
            ("DisplayName", 500),
            ("PrintOnCheckName", 110),
        ],
    )?;
    check_nested_len(&body, "PrimaryEmailAddr", "Address", 100)?;
    check_addresses(&body, &["BillAddr", "PrimaryAddr"])?;
    let display = match json::text(&body, "DisplayName").map(str::trim) {
        Some(d) if !d.is_empty() => d.to_owned(),
        _ => ["Title", "GivenName", "MiddleName", "FamilyName", "Suffix"]
            .iter()
            .filter_map(|k| json::text(&body, k).map(str::trim))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    };
    if display.is_empty() {
        return Err(Fault::no_name());
    }
    check_chars(&display, "DisplayName", NAME_FORBIDDEN)?;
    check_unique(company, kind, &display, old, "DisplayName")?;
    set(&mut body, "DisplayName", Value::String(display));
    body.entry("Active").or_insert(Value::Bool(true));
    if kind == Kind::Vendor {
        body.entry("CurrencyRef").or_insert_with(home_currency);
        let balance = old
            .and_then(|o| json::decimal_at(o.body(), "Balance"))
            .unwrap_or_default();
        set(&mut body, "Balance", json::number(balance));
    }
    Ok(Prepared::plain(body))
}

/// The item types QBO Online uses (notes §7).
const ITEM_TYPES: &[&str] = &["Inventory", "NonInventory", "Service", "Category", "Group"];
/// The other values of the XSD's `ItemTypeEnum` (QuickBooks Desktop).
const DESKTOP_ITEM_TYPES: &[&str] = &[
    "Assembly",
    "Fixed Asset",
    "Other Charge",
    "Payment",
    "Subtotal",
    "Discount",
    "Tax",
    "Tax Group",
    "Bundle",
];

/// Resolves an account reference of an item and checks its type (6430).
fn item_account(
    company: &Company,
    ctx: &WriteCtx<'_>,
    body: &mut Object,
    key: &str,
    allowed: &[&str],
    wanted: &str,
) -> Result<(), Fault> {
    let Some(id) = json::ref_id(body, key) else {
        return Ok(());
    };
    let account = company.resolve(ctx, Kind::Account, &id, key)?;
    let account_type = json::text(account.body(), "AccountType").unwrap_or_default();
    if !allowed.contains(&account_type) {
        return Err(Fault::wrong_account_type(key, wanted));
    }
    let name = fqn(account, "Name").to_owned();
    name_ref(body, key, &id, &name);
    Ok(())
}

pub(super) fn item(
    company: &Company,
    ctx: &WriteCtx<'_>,
    mut body: Object,
    old: Option<&Record>,
) -> Result<Prepared, Fault> {
    let name = required_name(&mut body, 100)?;
    check_len(&body, "Sku", 100)?;
    check_len(&body, "Description", 4000)?;
    check_len(&body, "PurchaseDesc", 4000)?;
    check_chars(&name, "Name", NAME_FORBIDDEN)?;
    check_unique(company, Kind::Item, &name, old, "Name")?;

    let item_type = json::text(&body, "Type")
        .ok_or_else(|| Fault::required("Type"))?
        .to_owned();
    if DESKTOP_ITEM_TYPES.contains(&item_type.as_str()) || !ITEM_TYPES.contains(&item_type.as_str())
    {
        return Err(Fault::invalid_enum("Type", &item_type));
    }
    if item_type == "Group" {
        return Err(Fault::unsupported(
            "Operation CREATE GROUP is not supported by qbo-sandbox (bundles are not modeled).",
        ));
    }
    if let Some(old_type) = old.and_then(|o| json::text(o.body(), "Type"))
        && old_type != item_type
        && (old_type == "Inventory" || old_type == "Category" || item_type == "Category")
    {
        return Err(Fault::business(
            format!("You can't change an item of type {old_type} to {item_type}."),
            "Type",
        ));
    }

    // Stock moves start from QtyOnHand: it stays below 10^15 like every amount.
    json::amount_at(&body, "QtyOnHand", "QtyOnHand")?;
    for key in ["UnitPrice", "PurchaseCost"] {
        if json::amount_at(&body, key, key)?
            .is_some_and(|v| v.abs() > rust_decimal::Decimal::from(99_999_999_999u64))
        {
            return Err(Fault::business(
                format!("{key} is more than 99999999999."),
                key,
            ));
        }
    }

    const INCOME: &[&str] = &["Income", "Other Income"];
    const EXPENSE: &[&str] = &["Expense", "Other Expense", "Cost of Goods Sold"];
    match item_type.as_str() {
        "Inventory" => {
            if !company.preference("ProductAndServicesPrefs", "QuantityOnHand") {
                return Err(Fault::business(
                    "Inventory tracking is turned off in this company's preferences.",
                    "Type",
                ));
            }
            match json::flag(&body, "TrackQtyOnHand") {
                None => return Err(Fault::required("TrackQtyOnHand")),
                Some(false) => {
                    return Err(Fault::business(
                        "TrackQtyOnHand cannot be false for an inventory item.",
                        "TrackQtyOnHand",
                    ));
                }
                Some(true) => {}
            }
            for key in [
                "QtyOnHand",
                "InvStartDate",
                "IncomeAccountRef",
                "ExpenseAccountRef",
                "AssetAccountRef",
            ] {
                let present = match key {
                    "QtyOnHand" => json::decimal_at(&body, key).is_some(),
                    "InvStartDate" => json::text(&body, key).is_some(),
                    _ => json::ref_id(&body, key).is_some(),
                };
                if !present {
                    return Err(Fault::required(key));
                }
            }
            item_account(
                company,
                ctx,
                &mut body,
                "IncomeAccountRef",
                INCOME,
                "Income",
            )?;
            item_account(
                company,
                ctx,
                &mut body,
                "ExpenseAccountRef",
                &["Cost of Goods Sold"],
                "Cost of Goods Sold",
            )?;
            item_account(
                company,
                ctx,
                &mut body,
                "AssetAccountRef",
                &["Other Current Asset"],
                "Other Current Asset",
            )?;
        }
        "Service" | "NonInventory" => {
            let income = json::ref_id(&body, "IncomeAccountRef").is_some();
            let expense = json::ref_id(&body, "ExpenseAccountRef").is_some();
            if !income && (item_type == "Service" || !expense) {
                return Err(Fault::required("IncomeAccountRef"));
            }
            if json::flag(&body, "TrackQtyOnHand") == Some(true) {
                return Err(Fault::business(
                    "Only inventory items track the quantity on hand.",
                    "TrackQtyOnHand",
                ));
            }
            set(&mut body, "TrackQtyOnHand", Value::Bool(false));
            item_account(
                company,
                ctx,
                &mut body,
                "IncomeAccountRef",
                INCOME,
                "Income",
            )?;
            item_account(
                company,
                ctx,
                &mut body,
                "ExpenseAccountRef",
                EXPENSE,
                "Expense",
            )?;
        }
        _ => {}
    }

    let parent_id = json::ref_id(&body, "ParentRef");
    if json::flag(&body, "SubItem") == Some(true) && parent_id.is_none() {
        return Err(Fault::required("ParentRef"));
    }
    if let Some(parent_id) = parent_id {
        if old.is_some_and(|o| o.id() == parent_id) {
            return Err(Fault::business(
                "An item cannot be its own parent.",
                "ParentRef",
            ));
        }
        let parent = company.resolve(ctx, Kind::Item, &parent_id, "ParentRef")?;
        if json::text(parent.body(), "Type") != Some("Category") {
            return Err(Fault::business(
                "The parent of an item must be a category; sellable items are leaves.",
                "ParentRef",
            ));
        }
        let depth = level(parent) + 1;
        let limit = if item_type == "Category" {
            MAX_CATEGORY_LEVEL
        } else {
            MAX_LEVEL
        };
        if depth > limit {
            return Err(Fault::business(
                "Sub-categories nest at most 3 levels below a top category.",
                "ParentRef",
            ));
        }
        let path = format!("{}:{name}", fqn(parent, "Name"));
        let parent_name = json::text(parent.body(), "Name")
            .unwrap_or_default()
            .to_owned();
        name_ref(&mut body, "ParentRef", &parent_id, &parent_name);
        set(&mut body, "SubItem", Value::Bool(true));
        set(&mut body, "Level", Value::from(depth));
        set(&mut body, "FullyQualifiedName", Value::String(path));
    } else {
        set(&mut body, "SubItem", Value::Bool(false));
        set(&mut body, "Level", Value::from(0u64));
        set(&mut body, "FullyQualifiedName", Value::String(name));
    }
    body.entry("Active").or_insert(Value::Bool(true));
    Ok(Prepared::plain(body))
}

/// `(subtype, type)` pairs QBO accepts, and each type's default subtype first. Subtypes
/// not listed here are accepted with any type.
const SUBTYPES: &[(&str, &[&str])] = &[
    (
        "Bank",
        &[
            "Checking",
            "Savings",
            "MoneyMarket",
            "CashOnHand",
            "TrustAccounts",
            "RentsHeldInTrust",
        ],
    ),
    ("Accounts Receivable", &["AccountsReceivable"]),
    (
        "Other Current Asset",
        &[
            "OtherCurrentAssets",
            "UndepositedFunds",
            "Inventory",
            "PrepaidExpenses",
            "AllowanceForBadDebts",
            "DevelopmentCosts",
            "EmployeeCashAdvances",
            "LoansToOfficers",
            "LoansToOthers",
            "LoansToStockholders",
            "Retainage",
        ],
    ),
    (
        "Fixed Asset",
        &[
            "OtherFixedAssets",
            "Buildings",
            "FurnitureAndFixtures",
            "MachineryAndEquipment",
            "Vehicles",
            "Land",
            "LeaseholdImprovements",
            "AccumulatedDepreciation",
            "AccumulatedAmortization",
            "AccumulatedDepletion",
            "DepletableAssets",
            "IntangibleAssets",
        ],
    ),
    (
        "Other Asset",
        &[
            "OtherLongTermAssets",
            "Goodwill",
            "SecurityDeposits",
            "LeaseBuyout",
            "Licenses",
            "OrganizationalCosts",
            "AccumulatedAmortizationOfOtherAssets",
        ],
    ),
    ("Accounts Payable", &["AccountsPayable"]),
    ("Credit Card", &["CreditCard"]),
    (
        "Other Current Liability",
        &[
            "OtherCurrentLiabilities",
            "SalesTaxPayable",
            "PayrollTaxPayable",
            "LineOfCredit",
            "LoanPayable",
            "InsurancePayable",
            "PrepaidExpensesPayable",
            "FederalIncomeTaxPayable",
            "StateLocalIncomeTaxPayable",
            "DirectDepositPayable",
            "PayrollClearing",
            "RentsInTrustLiability",
            "TrustAccountsLiabilities",
        ],
    ),
    (
        "Long Term Liability",
        &[
            "OtherLongTermLiabilities",
            "NotesPayable",
            "ShareholderNotesPayable",
        ],
    ),
    (
        "Equity",
        &[
            "OwnersEquity",
            "OpeningBalanceEquity",
            "RetainedEarnings",
            "CommonStock",
            "PaidInCapitalOrSurplus",
            "PartnerContributions",
            "PartnerDistributions",
            "PartnersEquity",
            "PreferredStock",
            "TreasuryStock",
            "AccumulatedAdjustment",
        ],
    ),
    (
        "Income",
        &[
            "OtherPrimaryIncome",
            "SalesOfProductIncome",
            "ServiceFeeIncome",
            "DiscountsRefundsGiven",
            "NonProfitIncome",
            "UnappliedCashPaymentIncome",
        ],
    ),
    (
        "Cost of Goods Sold",
        &[
            "SuppliesMaterialsCogs",
            "CostOfLaborCos",
            "EquipmentRentalCos",
            "OtherCostsOfServiceCos",
            "ShippingFreightDeliveryCos",
        ],
    ),
    (
        "Expense",
        &[
            "OtherBusinessExpenses",
            "AdvertisingPromotional",
            "BadDebts",
            "BankCharges",
            "CharitableContributions",
            "Communications",
            "CostOfLabor",
            "DuesSubscriptions",
            "Entertainment",
            "EntertainmentMeals",
            "EquipmentRental",
            "FinanceCosts",
            "Insurance",
            "InterestPaid",
            "LegalProfessionalFees",
            "OfficeGeneralAdministrativeExpenses",
            "OtherMiscellaneousServiceCost",
            "PromotionalMeals",
            "RentOrLeaseOfBuildings",
            "RepairMaintenance",
            "ShippingFreightDelivery",
            "SuppliesMaterials",
            "Travel",
            "TravelMeals",
            "UnappliedCashBillPaymentExpense",
            "Utilities",
            "Auto",
            "PayrollExpenses",
            "TaxesPaid",
        ],
    ),
    (
        "Other Income",
        &[
            "OtherMiscellaneousIncome",
            "DividendIncome",
            "InterestEarned",
            "OtherInvestmentIncome",
            "TaxExemptInterest",
        ],
    ),
    (
        "Other Expense",
        &[
            "OtherMiscellaneousExpense",
            "Amortization",
            "Depreciation",
            "ExchangeGainOrLoss",
            "PenaltiesSettlements",
            "GasAndFuel",
            "HomeOffice",
            "ParkingAndTolls",
            "Vehicle",
            "VehicleInsurance",
            "VehicleLease",
            "VehicleLoan",
            "VehicleLoanInterest",
            "VehicleRegistration",
            "VehicleRepairs",
            "WashAndRoadServices",
            "OtherVehicleExpenses",
            "MortgageInterestHomeOffice",
        ],
    ),
];

pub(super) fn account(
    company: &Company,
    ctx: &WriteCtx<'_>,
    mut body: Object,
    old: Option<&Record>,
) -> Result<Prepared, Fault> {
    let name = required_name(&mut body, 100)?;
    check_chars(&name, "Name", ACCOUNT_FORBIDDEN)?;
    if let Some(number) = json::text(&body, "AcctNum") {
        check_chars(number, "AcctNum", &[':'])?;
        // Intuit's Account reference (notes §7 and the APIREF scrapes): at most 20
        // characters in AU and CA companies, 7 in US, UK and IN ones (the XSD's `max=7` is
        // marked QBW, QuickBooks desktop).
        let country = company
            .singleton(Kind::CompanyInfo)
            .and_then(|info| json::text(info.body(), "Country").map(str::to_ascii_uppercase));
        let max = match country.as_deref() {
            Some("AU" | "CA" | "AUSTRALIA" | "CANADA") => 20,
            _ => 7,
        };
        check_len(&body, "AcctNum", max)?;
    }
    let account_type = json::text(&body, "AccountType")
        .ok_or_else(|| {
            Fault::account_type(
                "Invalid account type: AccountType is required",
                "AccountType",
            )
        })?
        .to_owned();
    let Some(class) = classification(&account_type) else {
        return Err(Fault::account_type(
            format!("Invalid account type: {account_type}"),
            "AccountType",
        ));
    };
    let subtypes = SUBTYPES
        .iter()
        .find(|(t, _)| *t == account_type)
        .map(|(_, s)| *s)
        .unwrap_or_default();
    match json::text(&body, "AccountSubType") {
        Some(subtype) => {
            let listed_elsewhere = SUBTYPES
                .iter()
                .any(|(t, s)| *t != account_type && s.contains(&subtype));
            if listed_elsewhere && !subtypes.contains(&subtype) {
                return Err(Fault::account_type(
                    format!("Invalid account subtype {subtype} for account type {account_type}"),
                    "AccountSubType",
                ));
            }
        }
        None => {
            if let Some(default) = subtypes.first() {
                set(
                    &mut body,
                    "AccountSubType",
                    Value::String((*default).to_owned()),
                );
            }
        }
    }
    set(&mut body, "Classification", Value::String(class.to_owned()));

    let path = if let Some(parent_id) = json::ref_id(&body, "ParentRef") {
        if old.is_some_and(|o| o.id() == parent_id) {
            return Err(Fault::business(
                "An account cannot be its own parent.",
                "ParentRef",
            ));
        }
        let parent = company.resolve(ctx, Kind::Account, &parent_id, "ParentRef")?;
        if json::text(parent.body(), "AccountType") != Some(account_type.as_str()) {
            return Err(Fault::business(
                "A sub-account must have the same type as its parent.",
                "ParentRef",
            ));
        }
        let parent_path = fqn(parent, "Name").to_owned();
        name_ref(&mut body, "ParentRef", &parent_id, &parent_path);
        set(&mut body, "SubAccount", Value::Bool(true));
        format!("{parent_path}:{name}")
    } else {
        set(&mut body, "SubAccount", Value::Bool(false));
        name
    };
    check_unique(company, Kind::Account, &path, old, "Name")?;
    set(&mut body, "FullyQualifiedName", Value::String(path));
    body.entry("Active").or_insert(Value::Bool(true));
    body.entry("CurrencyRef").or_insert_with(home_currency);
    let balance = old
        .and_then(|o| json::decimal_at(o.body(), "CurrentBalance"))
        .unwrap_or_default();
    set(&mut body, "CurrentBalance", json::number(balance));
    set(
        &mut body,
        "CurrentBalanceWithSubAccounts",
        json::number(balance),
    );
    Ok(Prepared::plain(body))
}

pub(super) fn payment_method(
    company: &Company,
    mut body: Object,
    old: Option<&Record>,
) -> Result<Prepared, Fault> {
    let name = required_name(&mut body, 31)?;
    check_chars(&name, "Name", NAME_FORBIDDEN)?;
    check_unique(company, Kind::PaymentMethod, &name, old, "Name")?;
    match json::text(&body, "Type") {
        None => set(
            &mut body,
            "Type",
            Value::String("NON_CREDIT_CARD".to_owned()),
        ),
        Some("CREDIT_CARD" | "NON_CREDIT_CARD") => {}
        Some(other) => return Err(Fault::invalid_enum("Type", other)),
    }
    body.entry("Active").or_insert(Value::Bool(true));
    Ok(Prepared::plain(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seeded_account_pair_is_accepted_and_every_type_has_a_default() {
        for (_, account_type, subtype) in super::super::seed::ACCOUNTS {
            let listed = SUBTYPES
                .iter()
                .find(|(t, _)| t == account_type)
                .map(|(_, s)| s.contains(subtype));
            assert_eq!(listed, Some(true), "{account_type}/{subtype}");
        }
        for (account_type, subtypes) in SUBTYPES {
            assert!(classification(account_type).is_some(), "{account_type}");
            assert!(!subtypes.is_empty());
        }
    }
}
