#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The configuration reads from TOML: the README's full example, minimal files with
//! defaults, and misspelt keys refused.

mod common;

use mapping::MappingConfig;
use mapping::config::{
    DiscountConfig, GuestMode, OrderDocumentKind, ShippingConfig, StockPolicy, TaxMode,
};
use mapping::ids::{PaymentMethodId, TaxId};
use rust_decimal_macros::dec;

/// The TOML block of the README's configuration reference.
fn readme_example() -> String {
    let readme = common::read("../README.md");
    let start = readme
        .find("```toml\n")
        .expect("a toml block in the README")
        + "```toml\n".len();
    let end = start + readme[start..].find("```").expect("the block's end");
    readme[start..end].to_owned()
}

#[test]
fn the_readme_example_reads_and_validates() {
    let config: MappingConfig = toml::from_str(&readme_example()).unwrap();
    config.validate().unwrap();
    assert_eq!(config.tax.mode, TaxMode::Us);
    assert_eq!(config.order.document, OrderDocumentKind::InvoiceAndPayment);
    assert_eq!(
        config
            .payment_methods
            .get(&PaymentMethodId::new("2"))
            .map(|id| id.as_str()),
        Some("5")
    );
    assert_eq!(config.tax.map[&TaxId::new("6")].code.as_str(), "2");
    assert_eq!(config.shipping, ShippingConfig::ShippingLine);
    assert!(matches!(config.discounts, DiscountConfig::Line { .. }));
    assert_eq!(config.rounding.tolerance, dec!(0.05));
    assert!(config.rounding.adjustment.is_some());
    // And it writes back to the same configuration.
    let text = toml::to_string(&config).unwrap();
    assert_eq!(toml::from_str::<MappingConfig>(&text).unwrap(), config);
}

#[test]
fn a_minimal_file_takes_the_defaults() {
    let config: MappingConfig = toml::from_str(
        r#"
        [accounts]
        income = "79"
        cogs = "80"
        inventory_asset = "81"

        [currency]
        home = "USD"
        "#,
    )
    .unwrap();
    config.validate().unwrap();
    let mut expected = MappingConfig::new("79", "USD");
    expected.accounts.cogs = Some("80".into());
    expected.accounts.inventory_asset = Some("81".into());
    assert_eq!(config, expected);
    assert_eq!(config.tax.taxable_code.as_str(), "TAX");
    assert_eq!(config.tax.non_taxable_code.as_str(), "NON");
    assert_eq!(config.discounts, DiscountConfig::Fold);
    assert_eq!(config.products.stock, StockPolicy::OpeningOnly);
    assert_eq!(config.guests.mode, GuestMode::Shared);
    assert_eq!(config.names.rename_suffix, " ({id})");
    assert_eq!(config.rounding.unit_price_decimals, 7);
    assert!(!config.order.send_doc_number);
}

#[test]
fn misspelt_keys_and_bad_values_are_refused() {
    let base = "[accounts]\nincome = \"79\"\n[currency]\nhome = \"USD\"\n";
    for (extra, needle) in [
        ("[order]\ndocumnet = \"sales_receipt\"\n", "documnet"),
        ("[order]\ndocument = \"receipt\"\n", "receipt"),
        ("[shipping]\nmode = \"item\"\n", "item"),
        ("[discounts]\nmode = \"line\"\n", "account"),
        ("[rounding]\ntolerance = \"five cents\"\n", "tolerance"),
        (
            "[products]\ninventory_start_date = \"01/02/2024\"\n",
            "inventory_start_date",
        ),
    ] {
        let err = toml::from_str::<MappingConfig>(&format!("{base}{extra}")).unwrap_err();
        assert!(err.to_string().contains(needle), "{extra}: {err}");
    }
}

#[test]
fn the_golden_configurations_read() {
    let intl = common::config("intl.toml");
    assert_eq!(intl.tax.mode, TaxMode::PerLine);
    assert_eq!(intl.tax.groups["1+2"].as_str(), "12");
    assert!(intl.accepts_currency("eur"));
    assert!(!intl.accepts_currency("USD"));
    assert_eq!(intl.shipping, ShippingConfig::Item { item: "90".into() });
    let us = common::config("us.toml");
    assert!(!us.accepts_currency("EUR"));
}
