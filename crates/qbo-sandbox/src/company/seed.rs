//! What a fresh company holds: a US chart of accounts, payment methods, the US tax codes
//! `TAX` and `NON` (plus one state rate), company info and preferences with inventory
//! tracking and categories on (notes §7), their sales-form, e-mail message, purchase and
//! other sections as a real sandbox company has them.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Company;
use crate::clock::company_date;
use crate::json::Object;
use crate::kind::Kind;

/// `(name, AccountType, AccountSubType)` of the seeded chart of accounts, ids 1.. in order.
pub(crate) const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("Checking", "Bank", "Checking"),
    ("Savings", "Bank", "Savings"),
    (
        "Undeposited Funds",
        "Other Current Asset",
        "UndepositedFunds",
    ),
    (
        "Accounts Receivable (A/R)",
        "Accounts Receivable",
        "AccountsReceivable",
    ),
    ("Inventory Asset", "Other Current Asset", "Inventory"),
    (
        "Accounts Payable (A/P)",
        "Accounts Payable",
        "AccountsPayable",
    ),
    ("Visa Credit Card", "Credit Card", "CreditCard"),
    (
        "Sales Tax Payable",
        "Other Current Liability",
        "SalesTaxPayable",
    ),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity"),
    ("Retained Earnings", "Equity", "RetainedEarnings"),
    ("Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("Services", "Income", "ServiceFeeIncome"),
    ("Discounts given", "Income", "DiscountsRefundsGiven"),
    ("Shipping Income", "Income", "OtherPrimaryIncome"),
    (
        "Cost of Goods Sold",
        "Cost of Goods Sold",
        "SuppliesMaterialsCogs",
    ),
    (
        "Shipping, Freight & Delivery",
        "Expense",
        "ShippingFreightDelivery",
    ),
    ("Bank Charges", "Expense", "BankCharges"),
    (
        "Office Expenses",
        "Expense",
        "OfficeGeneralAdministrativeExpenses",
    ),
    (
        "Uncategorized Expense",
        "Expense",
        "OtherMiscellaneousServiceCost",
    ),
];

/// `(name, Type)` of the seeded payment methods.
const PAYMENT_METHODS: &[(&str, &str)] = &[
    ("Cash", "NON_CREDIT_CARD"),
    ("Check", "NON_CREDIT_CARD"),
    ("Visa", "CREDIT_CARD"),
    ("MasterCard", "CREDIT_CARD"),
    ("American Express", "CREDIT_CARD"),
    ("Discover", "CREDIT_CARD"),
    ("Diners Club", "CREDIT_CARD"),
];

/// The classification QBO derives from an account type.
pub(crate) fn classification(account_type: &str) -> Option<&'static str> {
    Some(match account_type {
        "Bank" | "Accounts Receivable" | "Other Current Asset" | "Fixed Asset" | "Other Asset" => {
            "Asset"
        }
        "Accounts Payable" | "Credit Card" | "Other Current Liability" | "Long Term Liability" => {
            "Liability"
        }
        "Equity" => "Equity",
        "Income" | "Other Income" => "Revenue",
        "Cost of Goods Sold" | "Expense" | "Other Expense" => "Expense",
        _ => return None,
    })
}

fn object(value: Value) -> Object {
    match value {
        Value::Object(map) => map,
        _ => Object::new(),
    }
}

fn usd() -> Value {
    json!({"value": "USD", "name": "United States Dollar"})
}

pub(super) fn seed(company: &mut Company, now: DateTime<Utc>) {
    for (name, account_type, subtype) in ACCOUNTS {
        let body = object(json!({
            "Name": name,
            "SubAccount": false,
            "FullyQualifiedName": name,
            "Active": true,
            "Classification": classification(account_type),
            "AccountType": account_type,
            "AccountSubType": subtype,
            "CurrentBalance": 0,
            "CurrentBalanceWithSubAccounts": 0,
            "CurrencyRef": usd(),
        }));
        company.insert_seed(Kind::Account, None, body, now);
    }
    for (name, kind) in PAYMENT_METHODS {
        let body = object(json!({"Name": name, "Active": true, "Type": kind}));
        company.insert_seed(Kind::PaymentMethod, None, body, now);
    }
    for (code, taxable) in [("TAX", true), ("NON", false)] {
        let body = object(json!({
            "Name": code, "Description": code, "Taxable": taxable, "TaxGroup": false,
        }));
        company.insert_seed(Kind::TaxCode, Some(code), body, now);
    }
    let rate = object(json!({
        "Name": "California",
        "Description": "Sales Tax",
        "Active": true,
        "RateValue": 8,
        "AgencyRef": {"value": "1"},
        "SpecialTaxType": "NONE",
        "DisplayType": "ReadOnly",
    }));
    company.insert_seed(Kind::TaxRate, Some("1"), rate, now);
    let group = object(json!({
        "Name": "California",
        "Description": "California",
        "Active": true,
        "Hidden": false,
        "Taxable": true,
        "TaxGroup": true,
        "SalesTaxRateList": {"TaxRateDetail": [{
            "TaxRateRef": {"value": "1", "name": "California"},
            "TaxTypeApplicable": "TaxOnAmount",
            "TaxOrder": 0,
        }]},
        "PurchaseTaxRateList": {"TaxRateDetail": []},
        "TaxCodeConfigType": "USER_DEFINED",
    }));
    company.insert_seed(Kind::TaxCode, Some("2"), group, now);
    let address = json!({
        "Id": "1", "Line1": "2600 Marine Way", "City": "Mountain View",
        "CountrySubDivisionCode": "CA", "PostalCode": "94043", "Country": "US",
    });
    let info = object(json!({
        "CompanyName": "Sandbox Company_US_1",
        "LegalName": "Sandbox Company_US_1",
        "CompanyAddr": address,
        "CustomerCommunicationAddr": address,
        "LegalAddr": address,
        "PrimaryPhone": {},
        "CompanyStartDate": company_date(now),
        "FiscalYearStartMonth": "January",
        "Country": "US",
        "Email": {"Address": "noreply@quickbooks.com"},
        "WebAddr": {},
        "SupportedLanguages": "en",
        "NameValue": [
            {"Name": "NeoEnabled", "Value": "true"},
            {"Name": "IndustryType", "Value": "Retail"},
            {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
            {"Name": "ItemCategoriesFeature", "Value": "true"},
        ],
    }));
    company.insert_seed(Kind::CompanyInfo, Some("1"), info, now);
    let discount_account = company
        .name_holder(Kind::Account, "Discounts given")
        .unwrap_or("13")
        .to_owned();
    let uncategorized_expense = company
        .name_holder(Kind::Account, "Uncategorized Expense")
        .unwrap_or("19")
        .to_owned();
    let preferences = object(json!({
        "AccountingInfoPrefs": {
            "FirstMonthOfFiscalYear": "January",
            "UseAccountNumbers": false,
            "TaxYearMonth": "January",
            "ClassTrackingPerTxn": false,
            "TrackDepartments": false,
            "CustomerTerminology": "Customers",
            "ClassTrackingPerTxnLine": false,
        },
        "ProductAndServicesPrefs": {
            "ForSales": true,
            "ForPurchase": true,
            "QuantityWithPriceAndRate": true,
            "QuantityOnHand": true,
        },
        // The sections below follow a real sandbox company's Preferences (Intuit's API
        // reference, "full update preferences" example; docs/qbo-sandbox.md).
        "SalesFormsPrefs": {
            "CustomField": [
                {"CustomField": [
                    {"Name": "SalesFormsPrefs.UseSalesCustom3", "Type": "BooleanType", "BooleanValue": false},
                    {"Name": "SalesFormsPrefs.UseSalesCustom2", "Type": "BooleanType", "BooleanValue": false},
                    {"Name": "SalesFormsPrefs.UseSalesCustom1", "Type": "BooleanType", "BooleanValue": true},
                ]},
                {"CustomField": [
                    {"Name": "SalesFormsPrefs.SalesCustomName1", "Type": "StringType", "StringValue": "Crew #"},
                ]},
            ],
            "CustomTxnNumbers": false,
            "AllowDeposit": true,
            "AllowDiscount": true,
            "DefaultDiscountAccount": discount_account,
            "AllowEstimates": true,
            "ETransactionEnabledStatus": "NotApplicable",
            "ETransactionAttachPDF": false,
            "ETransactionPaymentEnabled": false,
            "IPNSupportEnabled": false,
            "EmailCopyToCompany": false,
            "AllowServiceDate": false,
            "AllowShipping": false,
            "AutoApplyCredit": true,
            "AutoApplyPayments": true,
            "UsingPriceLevels": false,
            "DefaultCustomerMessage": "Thank you for your business and have a great day!",
        },
        "EmailMessagesPrefs": {
            "InvoiceMessage": {
                "Subject": "Invoice from Sandbox Company_US_1",
                "Message": "Your invoice is attached.  Please remit payment at your earliest convenience.\nThank you for your business - we appreciate it very much.\n\nSincerely,\nSandbox Company_US_1",
            },
            "EstimateMessage": {
                "Subject": "Estimate from Sandbox Company_US_1",
                "Message": "Please review the estimate below.  Feel free to contact us if you have any questions.\nWe look forward to working with you.\n\nSincerely,\nSandbox Company_US_1",
            },
            "SalesReceiptMessage": {
                "Subject": "Sales Receipt from Sandbox Company_US_1",
                "Message": "Your sales receipt is attached.\nThank you for your business - we appreciate it very much.\n\nSincerely,\nSandbox Company_US_1",
            },
            "StatementMessage": {
                "Subject": "Statement from Sandbox Company_US_1",
                "Message": "Your statement is attached.  Please remit payment at your earliest convenience.\nThank you for your business - we appreciate it very much.\n\nSincerely,\nSandbox Company_US_1",
            },
        },
        "VendorAndPurchasesPrefs": {
            "TrackingByCustomer": true,
            "BillableExpenseTracking": true,
            "POCustomField": [
                {"CustomField": [
                    {"Name": "PurchasePrefs.UsePurchaseCustom3", "Type": "BooleanType", "BooleanValue": false},
                    {"Name": "PurchasePrefs.UsePurchaseCustom2", "Type": "BooleanType", "BooleanValue": true},
                    {"Name": "PurchasePrefs.UsePurchaseCustom1", "Type": "BooleanType", "BooleanValue": true},
                ]},
                {"CustomField": [
                    {"Name": "PurchasePrefs.PurchaseCustomName2", "Type": "StringType", "StringValue": "Sales Rep"},
                    {"Name": "PurchasePrefs.PurchaseCustomName1", "Type": "StringType", "StringValue": "Crew #"},
                ]},
            ],
        },
        "TimeTrackingPrefs": {
            "UseServices": true,
            "BillCustomers": true,
            "ShowBillRateToAll": false,
            "WorkWeekStartDate": "Monday",
            "MarkTimeEntriesBillable": true,
        },
        "TaxPrefs": {
            "UsingSalesTax": true,
            "PartnerTaxEnabled": true,
            "TaxGroupCodeRef": {"value": "2"},
        },
        "CurrencyPrefs": {"MultiCurrencyEnabled": false, "HomeCurrency": {"value": "USD"}},
        "ReportPrefs": {"ReportBasis": "Accrual", "CalcAgingReportFromTxnDate": false},
        "OtherPrefs": {"NameValue": [
            {"Name": "SalesFormsPrefs.DefaultCustomerMessage", "Value": "Thank you for your business and have a great day!"},
            {"Name": "DTXCopyMemo", "Value": "false"},
            {"Name": "UncategorizedExpenseAccountId", "Value": uncategorized_expense},
            {"Name": "SFCEnabled", "Value": "true"},
            {"Name": "DataPartner", "Value": "false"},
            {"Name": "Vendor1099Enabled", "Value": "true"},
            {"Name": "TimeTrackingFeatureEnabled", "Value": "true"},
            {"Name": "FDPEnabled", "Value": "false"},
            {"Name": "ProjectsEnabled", "Value": "false"},
            {"Name": "DateFormat", "Value": "Month Date Year separated by a slash"},
            {"Name": "DateFormatMnemonic", "Value": "MMDDYYYY_SEP_SLASH"},
            {"Name": "NumberFormat", "Value": "US Number Format"},
            {"Name": "NumberFormatMnemonic", "Value": "US_NB"},
            {"Name": "WarnDuplicateCheckNumber", "Value": "true"},
            {"Name": "WarnDuplicateBillNumber", "Value": "false"},
            {"Name": "SignoutInactiveMinutes", "Value": "60"},
            {"Name": "AccountingInfoPrefs.ShowAccountNumbers", "Value": "false"},
        ]},
    }));
    company.insert_seed(Kind::Preferences, Some("1"), preferences, now);
}

/// `{"value": "USD", ...}` for new entities.
pub(crate) fn home_currency() -> Value {
    usd()
}
