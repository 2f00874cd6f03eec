//! Rules of the transactions (notes §7, §8): sales forms (Invoice, SalesReceipt,
//! CreditMemo, RefundReceipt) with their lines, 6070, totals and balances computed by the
//! server, stock moved by inventory lines; payments applied to invoices and credit memos.

use rust_decimal::Decimal;
use serde_json::Value;

use super::names::name_ref;
use super::seed::home_currency;
use super::write::{Prepared, WriteCtx, check_addresses, check_len, check_nested_len};
use super::{Company, Effect, Record};
use crate::clock::company_date;
use crate::fault::Fault;
use crate::json::{self, Object, cents};
use crate::kind::Kind;

/// The pseudo item of shipping lines (valid when `SalesFormsPrefs.AllowShipping`).
const SHIPPING_ITEM: &str = "SHIPPING_ITEM_ID";

fn set(body: &mut Object, key: &str, value: Value) {
    body.insert(key.to_owned(), value);
}

fn object_mut<'a>(body: &'a mut Object, key: &str) -> Option<&'a mut Object> {
    body.get_mut(key).and_then(Value::as_object_mut)
}

/// Resolves a reference to a name-list entity and fills in its `name`.
fn named_ref(
    company: &Company,
    ctx: &WriteCtx<'_>,
    body: &mut Object,
    key: &str,
    kind: Kind,
    element: &str,
) -> Result<Option<Record>, Fault> {
    let Some(id) = json::ref_id(body, key) else {
        return Ok(None);
    };
    let record = company.resolve(ctx, kind, &id, element)?;
    let name_key = match kind {
        Kind::Customer => "DisplayName",
        Kind::Account => "FullyQualifiedName",
        _ => "Name",
    };
    let name = json::text(record.body(), name_key)
        .unwrap_or_default()
        .to_owned();
    name_ref(body, key, &id, &name);
    Ok(Some(record.clone()))
}

/// A default deposit account (Undeposited Funds) when none is given.
fn default_deposit(company: &Company, body: &mut Object) {
    if json::ref_id(body, "DepositToAccountRef").is_none()
        && let Some(account) = company.account_by_subtype("UndepositedFunds")
    {
        let name = json::text(account.body(), "Name").unwrap_or_default();
        set(
            body,
            "DepositToAccountRef",
            json::reference(account.id(), Some(name)),
        );
    }
}

/// Resolves where money goes and how it was paid (`DepositToAccountRef`,
/// `PaymentMethodRef`) and names them.
fn money_refs(company: &Company, ctx: &WriteCtx<'_>, body: &mut Object) -> Result<(), Fault> {
    named_ref(
        company,
        ctx,
        body,
        "DepositToAccountRef",
        Kind::Account,
        "DepositToAccountRef",
    )?;
    named_ref(
        company,
        ctx,
        body,
        "PaymentMethodRef",
        Kind::PaymentMethod,
        "PaymentMethodRef",
    )?;
    Ok(())
}

/// Dates and currency QBO fills in.
fn defaults(ctx: &WriteCtx<'_>, body: &mut Object) {
    body.entry("TxnDate")
        .or_insert_with(|| Value::String(company_date(ctx.now)));
    body.entry("CurrencyRef").or_insert_with(home_currency);
}

/// The `DetailType` of a line, read or inferred from the detail it carries.
fn detail_type(line: &Object) -> Option<String> {
    if let Some(t) = json::text(line, "DetailType") {
        return Some(t.to_owned());
    }
    [
        "SalesItemLineDetail",
        "DiscountLineDetail",
        "SubTotalLineDetail",
        "GroupLineDetail",
    ]
    .into_iter()
    .find(|k| line.contains_key(*k))
    .map(str::to_owned)
    .or_else(|| {
        line.contains_key("DescriptionLineDetail")
            .then(|| "DescriptionOnly".to_owned())
    })
}

fn description_only(mut line: Object) -> Object {
    line.remove("Amount");
    line.remove("SalesItemLineDetail");
    set(
        &mut line,
        "DetailType",
        Value::String("DescriptionOnly".to_owned()),
    );
    line.entry("DescriptionLineDetail")
        .or_insert_with(|| Value::Object(Object::new()));
    line
}

/// Amounts of the lines, and the stock they move.
#[derive(Debug, Default)]
struct Lines {
    lines: Vec<Object>,
    subtotal: Decimal,
    discount: Decimal,
    stock: Vec<Effect>,
}

fn sales_lines(
    company: &Company,
    ctx: &WriteCtx<'_>,
    kind: Kind,
    input: Vec<Value>,
) -> Result<Lines, Fault> {
    let mut out = Lines::default();
    let mut discounts = Vec::new();
    for value in input {
        let Value::Object(mut line) = value else {
            return Err(Fault::malformed("Line entries must be objects"));
        };
        let Some(detail_type) = detail_type(&line) else {
            return Err(Fault::required("Line.DetailType"));
        };
        set(&mut line, "DetailType", Value::String(detail_type.clone()));
        check_len(&line, "Description", 4000)?;
        match detail_type.as_str() {
            "SalesItemLineDetail" => {
                let detail = line
                    .get("SalesItemLineDetail")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let Some(item_id) = json::ref_id(&detail, "ItemRef") else {
                    // A line without an item is a description line; its Amount is ignored.
                    out.lines.push(description_only(line));
                    continue;
                };
                let amount = json::amount_at(&line, "Amount", "Line.Amount")?
                    .ok_or_else(|| Fault::required("Line.Amount"))?;
                let qty = json::amount_at(&detail, "Qty", "Line.SalesItemLineDetail.Qty")?;
                let price =
                    json::amount_at(&detail, "UnitPrice", "Line.SalesItemLineDetail.UnitPrice")?;
                // A product beyond `Decimal`'s range cannot equal an amount below 10^15.
                // `Qty: 0` with `UnitPrice: 0` are clients' defaults beside an Amount-only
                // line: QBO keeps the Amount (issue 16; the rule of notes §8 is skipped).
                if let (Some(qty), Some(price)) = (qty, price)
                    && !(qty.is_zero() && price.is_zero())
                    && qty.checked_mul(price).map(cents) != Some(cents(amount))
                {
                    let supplied = line
                        .get("Amount")
                        .map(|v| v.to_string().trim_matches('"').to_owned())
                        .unwrap_or_default();
                    return Err(Fault::amount(&supplied));
                }
                let mut detail = detail;
                if let Some(code) = json::ref_id(&detail, "TaxCodeRef")
                    && code != "TAX"
                    && code != "NON"
                {
                    return Err(Fault::line_tax_code(&code));
                }
                if item_id == SHIPPING_ITEM {
                    if !company.preference("SalesFormsPrefs", "AllowShipping") {
                        return Err(Fault::invalid_reference(
                            "Line.SalesItemLineDetail.ItemRef",
                            &item_id,
                        ));
                    }
                } else {
                    let item = company.resolve(
                        ctx,
                        Kind::Item,
                        &item_id,
                        "Line.SalesItemLineDetail.ItemRef",
                    )?;
                    let item_type = json::text(item.body(), "Type").unwrap_or_default();
                    if item_type == "Category" {
                        return Err(Fault::business(
                            "A category cannot be used on a transaction line.",
                            "Line.SalesItemLineDetail.ItemRef",
                        ));
                    }
                    let name = json::text(item.body(), "Name")
                        .unwrap_or_default()
                        .to_owned();
                    name_ref(&mut detail, "ItemRef", &item_id, &name);
                    if !detail.contains_key("ItemAccountRef")
                        && let Some(income) = item.body().get("IncomeAccountRef")
                    {
                        set(&mut detail, "ItemAccountRef", income.clone());
                    }
                    let direction = kind.stock_direction();
                    if item_type == "Inventory"
                        && direction != 0
                        && let Some(qty) = qty
                    {
                        out.stock.push(Effect::Stock {
                            item: item_id.clone(),
                            qty: qty * Decimal::from(direction),
                        });
                    }
                }
                let amount = cents(amount);
                set(&mut line, "Amount", json::number(amount));
                set(&mut line, "SalesItemLineDetail", Value::Object(detail));
                out.subtotal = json::bounded(out.subtotal.checked_add(amount), "Line.Amount")?;
                out.lines.push(line);
            }
            "DescriptionOnly" => out.lines.push(description_only(line)),
            "DiscountLineDetail" => {
                if !company.preference("SalesFormsPrefs", "AllowDiscount") {
                    return Err(Fault::business(
                        "Discounts are turned off in this company's preferences.",
                        "Line.DiscountLineDetail",
                    ));
                }
                discounts.push(line);
            }
            // QBO computes the subtotal line itself.
            "SubTotalLineDetail" => {}
            "GroupLineDetail" => {
                return Err(Fault::unsupported(
                    "GroupLineDetail lines are not modeled by qbo-sandbox.",
                ));
            }
            other => return Err(Fault::invalid_enum("Line.DetailType", other)),
        }
    }
    let mut subtotal_line = Object::new();
    set(&mut subtotal_line, "Amount", json::number(out.subtotal));
    set(
        &mut subtotal_line,
        "DetailType",
        Value::String("SubTotalLineDetail".to_owned()),
    );
    set(
        &mut subtotal_line,
        "SubTotalLineDetail",
        Value::Object(Object::new()),
    );
    out.lines.push(subtotal_line);
    for mut line in discounts {
        let mut detail = line
            .get("DiscountLineDetail")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let amount = if json::flag(&detail, "PercentBased") == Some(true) {
            let element = "Line.DiscountLineDetail.DiscountPercent";
            let percent = json::amount_at(&detail, "DiscountPercent", element)?
                .ok_or_else(|| Fault::required(element))?;
            let discount = out
                .subtotal
                .checked_mul(percent)
                .and_then(|d| d.checked_div(Decimal::ONE_HUNDRED));
            cents(json::bounded(discount, element)?)
        } else {
            cents(
                json::amount_at(&line, "Amount", "Line.Amount")?
                    .ok_or_else(|| Fault::required("Line.Amount"))?,
            )
        };
        if json::ref_id(&detail, "DiscountAccountRef").is_none() {
            let default = company
                .singleton(Kind::Preferences)
                .and_then(|p| p.body().get("SalesFormsPrefs"))
                .and_then(Value::as_object)
                .and_then(|s| s.get("DefaultDiscountAccount"))
                .and_then(json::id_text);
            if let Some(id) = default {
                set(
                    &mut detail,
                    "DiscountAccountRef",
                    json::reference(&id, None),
                );
            }
        }
        if let Some(id) = json::ref_id(&detail, "DiscountAccountRef") {
            let account = company.resolve(
                ctx,
                Kind::Account,
                &id,
                "Line.DiscountLineDetail.DiscountAccountRef",
            )?;
            let name = json::text(account.body(), "Name")
                .unwrap_or_default()
                .to_owned();
            name_ref(&mut detail, "DiscountAccountRef", &id, &name);
        }
        set(&mut line, "Amount", json::number(amount));
        set(&mut line, "DiscountLineDetail", Value::Object(detail));
        out.discount = json::bounded(out.discount.checked_add(amount), "Line.Amount")?;
        out.lines.push(line);
    }
    let mut number = 0u64;
    for line in &mut out.lines {
        if json::text(line, "DetailType") == Some("SubTotalLineDetail") {
            line.remove("Id");
            line.remove("LineNum");
            continue;
        }
        number += 1;
        set(line, "Id", Value::String(number.to_string()));
        set(line, "LineNum", Value::from(number));
    }
    Ok(out)
}

/// Keeps the client's `LinkedTxn` entries and the payment links the server manages.
fn keep_payment_links(body: &mut Object, old: Option<&Record>) {
    let is_payment = |v: &Value| {
        v.as_object()
            .is_some_and(|o| json::text(o, "TxnType") == Some("Payment"))
    };
    let mut links: Vec<Value> = body
        .get("LinkedTxn")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|v| !is_payment(v)).cloned().collect())
        .unwrap_or_default();
    if let Some(old_links) = old
        .and_then(|o| o.body().get("LinkedTxn"))
        .and_then(Value::as_array)
    {
        links.extend(old_links.iter().filter(|v| is_payment(v)).cloned());
    }
    if links.is_empty() {
        body.remove("LinkedTxn");
    } else {
        set(body, "LinkedTxn", Value::Array(links));
    }
}

pub(super) fn sales_form(
    company: &Company,
    ctx: &WriteCtx<'_>,
    kind: Kind,
    mut body: Object,
    old: Option<&Record>,
) -> Result<Prepared, Fault> {
    if old.is_some_and(|o| o.voided) {
        return Err(Fault::business(
            "A voided transaction cannot be changed.",
            "Id",
        ));
    }
    check_len(&body, "DocNumber", 21)?;
    check_len(&body, "PrivateNote", 4000)?;
    check_len(&body, "PaymentRefNum", 21)?;
    check_nested_len(&body, "CustomerMemo", "value", 1000)?;
    check_addresses(&body, &["BillAddr", "ShipAddr"])?;

    let customer = named_ref(
        company,
        ctx,
        &mut body,
        "CustomerRef",
        Kind::Customer,
        "CustomerRef",
    )?;
    match &customer {
        None if matches!(kind, Kind::Invoice | Kind::CreditMemo) => {
            return Err(Fault::required("CustomerRef"));
        }
        Some(customer) => {
            for key in ["BillAddr", "ShipAddr"] {
                if !body.contains_key(key)
                    && let Some(address) = customer.body().get(key)
                {
                    set(&mut body, key, address.clone());
                }
            }
        }
        None => {}
    }
    match kind {
        Kind::RefundReceipt if json::ref_id(&body, "DepositToAccountRef").is_none() => {
            return Err(Fault::required("DepositToAccountRef"));
        }
        Kind::SalesReceipt => default_deposit(company, &mut body),
        _ => {}
    }
    money_refs(company, ctx, &mut body)?;
    if json::text(&body, "EmailStatus") == Some("NeedToSend")
        && body
            .get("BillEmail")
            .and_then(Value::as_object)
            .and_then(|e| json::text(e, "Address"))
            .is_none()
    {
        return Err(Fault::required("BillEmail"));
    }

    let input = match body.remove("Line") {
        Some(Value::Array(lines)) if !lines.is_empty() => lines,
        _ => return Err(Fault::required("Line")),
    };
    let lines = sales_lines(company, ctx, kind, input)?;
    let tax = match object_mut(&mut body, "TxnTaxDetail") {
        Some(detail) => {
            let tax = cents(
                json::amount_at(detail, "TotalTax", "TxnTaxDetail.TotalTax")?.unwrap_or_default(),
            );
            set(detail, "TotalTax", json::number(tax));
            tax
        }
        None => {
            let mut detail = Object::new();
            set(&mut detail, "TotalTax", json::number(Decimal::ZERO));
            set(&mut body, "TxnTaxDetail", Value::Object(detail));
            Decimal::ZERO
        }
    };
    let total = lines
        .subtotal
        .checked_sub(lines.discount)
        .and_then(|t| t.checked_add(tax));
    let total = cents(json::bounded(total, "TotalAmt")?);
    if total.is_sign_negative() && !total.is_zero() {
        return Err(Fault::business(
            format!("The total of a {} cannot be negative.", kind.name()),
            "Line",
        ));
    }
    set(
        &mut body,
        "Line",
        Value::Array(lines.lines.into_iter().map(Value::Object).collect()),
    );
    set(&mut body, "TotalAmt", json::number(total));
    match kind {
        Kind::Invoice => {
            let applied = old
                .map(|o| {
                    json::decimal_at(o.body(), "TotalAmt")
                        .unwrap_or_default()
                        .checked_sub(json::decimal_at(o.body(), "Balance").unwrap_or_default())
                })
                .unwrap_or(Some(Decimal::ZERO));
            let applied = json::bounded(applied, "Balance")?;
            if applied > total {
                return Err(Fault::business(
                    "The payments applied to this invoice exceed its new total.",
                    "Line",
                ));
            }
            let balance = json::bounded(total.checked_sub(applied), "Balance")?;
            set(&mut body, "Balance", json::number(balance));
        }
        Kind::CreditMemo => {
            let used = old
                .map(|o| {
                    json::decimal_at(o.body(), "TotalAmt")
                        .unwrap_or_default()
                        .checked_sub(
                            json::decimal_at(o.body(), "RemainingCredit").unwrap_or_default(),
                        )
                })
                .unwrap_or(Some(Decimal::ZERO));
            let used = json::bounded(used, "RemainingCredit")?;
            if used > total {
                return Err(Fault::business(
                    "The credit already used exceeds this credit memo's new total.",
                    "Line",
                ));
            }
            let remaining = json::bounded(total.checked_sub(used), "RemainingCredit")?;
            set(&mut body, "RemainingCredit", json::number(remaining));
            set(&mut body, "Balance", json::number(remaining));
        }
        _ => set(&mut body, "Balance", json::number(Decimal::ZERO)),
    }
    keep_payment_links(&mut body, old);

    let mut auto_doc_number = false;
    match json::text(&body, "DocNumber") {
        Some(doc) => {
            if let Some(holder) = company.doc_holder(kind, doc)
                && Some(holder) != old.map(Record::id)
                && !ctx.allow_duplicate_doc_number
            {
                return Err(Fault::duplicate_doc_number(doc, kind.name(), holder));
            }
        }
        None => {
            auto_doc_number =
                old.is_none() && !company.preference("SalesFormsPrefs", "CustomTxnNumbers");
        }
    }
    defaults(ctx, &mut body);
    if kind == Kind::Invoice {
        let date = body.get("TxnDate").cloned().unwrap_or(Value::Null);
        body.entry("DueDate").or_insert(date);
        body.entry("EmailStatus")
            .or_insert_with(|| Value::String("NotSet".to_owned()));
    }
    if matches!(kind, Kind::Invoice | Kind::SalesReceipt) {
        body.entry("ApplyTaxAfterDiscount")
            .or_insert(Value::Bool(false));
        body.entry("PrintStatus")
            .or_insert_with(|| Value::String("NotSet".to_owned()));
    }
    Ok(Prepared {
        body,
        effects: lines.stock,
        auto_doc_number,
    })
}

pub(super) fn payment(
    company: &Company,
    ctx: &WriteCtx<'_>,
    mut body: Object,
    old: Option<&Record>,
) -> Result<Prepared, Fault> {
    if old.is_some_and(|o| o.voided) {
        return Err(Fault::business(
            "A voided transaction cannot be changed.",
            "Id",
        ));
    }
    check_len(&body, "PaymentRefNum", 21)?;
    check_len(&body, "PrivateNote", 4000)?;
    let customer = named_ref(
        company,
        ctx,
        &mut body,
        "CustomerRef",
        Kind::Customer,
        "CustomerRef",
    )?
    .ok_or_else(|| Fault::required("CustomerRef"))?;
    let total = cents(
        json::amount_at(&body, "TotalAmt", "TotalAmt")?
            .ok_or_else(|| Fault::required("TotalAmt"))?,
    );
    if total.is_sign_negative() && !total.is_zero() {
        return Err(Fault::business(
            "A payment's TotalAmt cannot be negative.",
            "TotalAmt",
        ));
    }
    default_deposit(company, &mut body);
    money_refs(company, ctx, &mut body)?;
    named_ref(
        company,
        ctx,
        &mut body,
        "ARAccountRef",
        Kind::Account,
        "ARAccountRef",
    )?;

    let lines = match body.remove("Line") {
        Some(Value::Array(lines)) => lines,
        _ => Vec::new(),
    };
    let mut effects: Vec<Effect> = Vec::new();
    let mut out_lines = Vec::with_capacity(lines.len());
    let mut applied = Decimal::ZERO;
    for value in lines {
        let Value::Object(mut line) = value else {
            return Err(Fault::malformed("Line entries must be objects"));
        };
        let amount = cents(
            json::amount_at(&line, "Amount", "Line.Amount")?
                .ok_or_else(|| Fault::required("Line.Amount"))?,
        );
        let link = line
            .get("LinkedTxn")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_object)
            .ok_or_else(|| Fault::required("Line.LinkedTxn"))?;
        let txn_id = link
            .get("TxnId")
            .and_then(json::id_text)
            .ok_or_else(|| Fault::required("Line.LinkedTxn.TxnId"))?;
        let txn_type =
            json::text(link, "TxnType").ok_or_else(|| Fault::required("Line.LinkedTxn.TxnType"))?;
        let (kind, open_field, sign) = match txn_type {
            "Invoice" => (Kind::Invoice, "Balance", Decimal::ONE),
            "CreditMemo" => (Kind::CreditMemo, "RemainingCredit", Decimal::NEGATIVE_ONE),
            other => return Err(Fault::invalid_enum("Line.LinkedTxn.TxnType", other)),
        };
        let target = company.resolve(ctx, kind, &txn_id, "Line.LinkedTxn.TxnId")?;
        if target.voided {
            return Err(Fault::business(
                format!("{txn_type} {txn_id} is voided."),
                "Line.LinkedTxn.TxnId",
            ));
        }
        if json::ref_id(target.body(), "CustomerRef").as_deref() != Some(customer.id()) {
            return Err(Fault::business(
                format!("{txn_type} {txn_id} belongs to another customer."),
                "Line.LinkedTxn.TxnId",
            ));
        }
        let already = json::checked_sum(effects.iter().filter_map(|e| match e {
            Effect::Applied {
                kind: k,
                id,
                amount,
            } if *k == kind && *id == txn_id => Some(*amount),
            _ => None,
        }))
        .and_then(|a| a.checked_add(amount));
        let already = json::bounded(already, "Line.Amount")?;
        let available = json::decimal_at(target.body(), open_field)
            .unwrap_or_default()
            .checked_add(company.applied_by(old, kind, &txn_id));
        let available = json::bounded(available, open_field)?;
        if already > available {
            return Err(Fault::business(
                format!(
                    "The amount applied to {txn_type} {txn_id} exceeds its open balance of {available}."
                ),
                "Line.Amount",
            ));
        }
        applied = json::bounded(applied.checked_add(sign * amount), "Line.Amount")?;
        set(&mut line, "Amount", json::number(amount));
        effects.push(Effect::Applied {
            kind,
            id: txn_id,
            amount,
        });
        out_lines.push(Value::Object(line));
    }
    let unapplied = json::bounded(total.checked_sub(applied), "UnappliedAmt")?;
    if unapplied.is_sign_negative() && !unapplied.is_zero() {
        return Err(Fault::business(
            "The amounts applied exceed the payment's TotalAmt.",
            "TotalAmt",
        ));
    }
    if !out_lines.is_empty() {
        set(&mut body, "Line", Value::Array(out_lines));
    }
    set(&mut body, "TotalAmt", json::number(total));
    set(&mut body, "UnappliedAmt", json::number(unapplied));
    body.entry("ProcessPayment").or_insert(Value::Bool(false));
    defaults(ctx, &mut body);
    Ok(Prepared {
        body,
        effects,
        auto_doc_number: false,
    })
}

/// What a void leaves: every amount zero, the note "Voided".
pub(super) fn zero_out(body: &mut Object) {
    let zero = json::number(Decimal::ZERO);
    for key in ["TotalAmt", "Balance", "RemainingCredit", "UnappliedAmt"] {
        if body.contains_key(key) {
            set(body, key, zero.clone());
        }
    }
    if let Some(detail) = object_mut(body, "TxnTaxDetail") {
        set(detail, "TotalTax", zero.clone());
        detail.remove("TaxLine");
    }
    if let Some(Value::Array(lines)) = body.get_mut("Line") {
        for line in lines.iter_mut().filter_map(Value::as_object_mut) {
            if line.contains_key("Amount") {
                set(line, "Amount", zero.clone());
            }
            if let Some(detail) = object_mut(line, "SalesItemLineDetail")
                && detail.contains_key("Qty")
            {
                set(detail, "Qty", zero.clone());
            }
        }
    }
    set(body, "PrivateNote", Value::String("Voided".to_owned()));
}
