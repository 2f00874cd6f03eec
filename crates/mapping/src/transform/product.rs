//! Products: QBO items of type `Inventory`, `NonInventory` or `Service`.

use qbo_api::{Item, ItemType, ReferenceType};

use super::{Mapped, Transform, clash_name, hash_of, identity, non_negative, precise};
use crate::config::{
    MappingConfig, ProductIdentity, StockPolicy, TaxMode, TrackedItemType, UntrackedItemType,
};
use crate::error::MappingError;
use crate::ids::{EntityRef, TaxId};
use crate::links::{Links, StoreRef};
use crate::model::Product;
use crate::text::{self, Cleaner, limits};

impl Transform for Product {
    type Output = Mapped<Item>;

    fn store_ref(&self) -> StoreRef {
        StoreRef::Product(self.id.clone())
    }

    /// A product depends on its main (first) category, which QBO takes as its parent.
    fn dependencies(&self, _config: &MappingConfig) -> Vec<StoreRef> {
        self.categories
            .first()
            .map(|c| StoreRef::Category(c.clone()))
            .into_iter()
            .collect()
    }

    fn map(&self, config: &MappingConfig, links: &Links) -> Result<Self::Output, MappingError> {
        let target = self.store_ref();
        let entity = target.entity_ref();
        let clean = Cleaner {
            entity: &entity,
            overlong: config.names.overlong,
        };
        let mut name = clean.name("name", &self.name, limits::ITEM_NAME)?;
        if let Some(attempt) = links.rename_of(&target) {
            name = clash_name(&name, &entity, attempt, &config.names, limits::ITEM_NAME)?;
        }
        let sku = match &self.sku {
            Some(raw) => clean.exact_line("sku", raw, limits::SKU)?,
            None => None,
        };
        if sku.is_none() && config.products.identity == ProductIdentity::Sku {
            return Err(MappingError::Missing {
                entity,
                field: "sku".to_owned(),
            });
        }
        let price = non_negative(&entity, "price", self.price)?;
        let cost = match self.cost {
            Some(cost) => Some(non_negative(&entity, "cost", cost)?),
            None => None,
        };
        let item_type = match (
            self.track_stock,
            config.products.tracked,
            config.products.untracked,
        ) {
            (true, TrackedItemType::Inventory, _) => ItemType::Inventory,
            (true, TrackedItemType::NonInventory, _)
            | (false, _, UntrackedItemType::NonInventory) => ItemType::NonInventory,
            (false, _, UntrackedItemType::Service) => ItemType::Service,
        };
        let parent = match self.categories.first() {
            Some(category) => Some(
                links
                    .require(
                        &entity,
                        "categories[0]",
                        StoreRef::Category(category.clone()),
                    )?
                    .reference(),
            ),
            None => None,
        };
        let (id, sync_token) = identity(links, &target);
        let is_create = id.is_none();
        let mut item = Item {
            id,
            sync_token,
            name: Some(name),
            sku,
            description: text::text(
                self.short_description
                    .as_deref()
                    .filter(|d| !d.trim().is_empty())
                    .or(self.description.as_deref()),
                limits::DESCRIPTION,
            ),
            active: Some(self.active),
            sub_item: parent.as_ref().map(|_| true),
            parent_ref: parent,
            unit_price: Some(price),
            purchase_cost: cost,
            income_account_ref: Some(ReferenceType::new(config.accounts.income.clone())),
            ..Item::default()
        };
        match config.tax.mode {
            TaxMode::Us => item.taxable = Some(self.taxable),
            TaxMode::PerLine => {
                item.sales_tax_code_ref =
                    product_tax_code(&entity, &self.tax_ids, self.taxable, config)?;
            }
        }
        match item_type {
            ItemType::Inventory => {
                let missing = |key: &str| MappingError::Config {
                    key: key.to_owned(),
                    reason: format!("{entity} is an inventory item and needs this account"),
                };
                let cogs = config
                    .accounts
                    .cogs
                    .clone()
                    .ok_or_else(|| missing("accounts.cogs"))?;
                let asset = config
                    .accounts
                    .inventory_asset
                    .clone()
                    .ok_or_else(|| missing("accounts.inventory_asset"))?;
                item.expense_account_ref = Some(ReferenceType::new(cogs));
                item.asset_account_ref = Some(ReferenceType::new(asset));
                item.track_qty_on_hand = Some(true);
                if is_create || config.products.stock == StockPolicy::Always {
                    self.stock_fields(&entity, config, &mut item)?;
                }
            }
            ItemType::NonInventory => {
                item.expense_account_ref = config.accounts.cogs.clone().map(ReferenceType::new);
            }
            _ => {}
        }
        item.item_type = Some(item_type);
        // The hash is over what an update sends: the opening quantity is create-only under
        // `opening_only`, so the same product hashes the same before and after creation.
        let hash = if config.products.stock == StockPolicy::OpeningOnly {
            let mut update_form = item.clone();
            update_form.qty_on_hand = None;
            update_form.inv_start_date = None;
            hash_of(&entity, &update_form)?
        } else {
            hash_of(&entity, &item)?
        };
        Ok(Mapped { entity: item, hash })
    }
}

impl Product {
    /// Sets `QtyOnHand` and `InvStartDate` from the store stock.
    fn stock_fields(
        &self,
        entity: &EntityRef,
        config: &MappingConfig,
        item: &mut Item,
    ) -> Result<(), MappingError> {
        let stock = self.stock.unwrap_or_default();
        let stock = non_negative(entity, "stock", stock)?;
        let date = self
            .created_on
            .or(config.products.inventory_start_date)
            .ok_or_else(|| MappingError::Missing {
                entity: entity.clone(),
                field: "created_on".to_owned(),
            })?;
        item.qty_on_hand = Some(precise(entity, "stock", stock)?);
        item.inv_start_date = Some(date);
        Ok(())
    }
}

/// Per-line tax mode: the QBO tax code of a product's sales (`SalesTaxCodeRef`).
fn product_tax_code(
    entity: &EntityRef,
    tax_ids: &[TaxId],
    taxable: bool,
    config: &MappingConfig,
) -> Result<Option<ReferenceType>, MappingError> {
    if !taxable || tax_ids.is_empty() {
        return Ok(config.tax.exempt_code.clone().map(ReferenceType::new));
    }
    super::order::tax_code_for(entity, "tax_ids", tax_ids, config)
        .map(|code| Some(ReferenceType::new(code)))
}
