//! Categories: QBO items of type `Category`, nested through `SubItem` and `ParentRef`.

use std::collections::{BTreeMap, BTreeSet};

use qbo_api::{Item, ItemType};

use super::{Mapped, Transform, clash_name, hash_of, identity};
use crate::config::MappingConfig;
use crate::error::MappingError;
use crate::ids::CategoryId;
use crate::links::{Links, StoreRef};
use crate::model::Category;
use crate::text::{Cleaner, limits};

/// The deepest category QBO takes: a top category and three levels of sub-categories.
pub const MAX_CATEGORY_DEPTH: usize = 4;

impl Transform for Category {
    type Output = Mapped<Item>;

    fn store_ref(&self) -> StoreRef {
        StoreRef::Category(self.id.clone())
    }

    /// A sub-category depends on its parent.
    fn dependencies(&self, _config: &MappingConfig) -> Vec<StoreRef> {
        self.parent
            .iter()
            .map(|parent| StoreRef::Category(parent.clone()))
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
        if self.parent.as_ref() == Some(&self.id) {
            return Err(MappingError::Invalid {
                entity,
                field: "parent".to_owned(),
                reason: "a category cannot be its own parent".to_owned(),
            });
        }
        let parent = match &self.parent {
            Some(parent) => Some(
                links
                    .require(&entity, "parent", StoreRef::Category(parent.clone()))?
                    .reference(),
            ),
            None => None,
        };
        let (id, sync_token) = identity(links, &target);
        let item = Item {
            id,
            sync_token,
            name: Some(name),
            item_type: Some(ItemType::Category),
            sub_item: parent.as_ref().map(|_| true),
            parent_ref: parent,
            active: Some(self.active),
            ..Item::default()
        };
        let hash = hash_of(&entity, &item)?;
        Ok(Mapped { entity: item, hash })
    }
}

/// Orders a category tree so that every parent comes before its children (the order to
/// create them in), siblings in store-id order.
///
/// # Errors
/// [`MappingError::Invalid`] on the `parent` field of a category whose parent is not among
/// `categories`, that sits in a cycle, or that is deeper than [`MAX_CATEGORY_DEPTH`]; also
/// on the `id` of a category given twice.
pub fn parents_first(categories: &[Category]) -> Result<Vec<&Category>, MappingError> {
    let invalid = |category: &Category, field: &str, reason: String| MappingError::Invalid {
        entity: category.store_ref().entity_ref(),
        field: field.to_owned(),
        reason,
    };
    let mut by_id: BTreeMap<&CategoryId, &Category> = BTreeMap::new();
    for category in categories {
        if by_id.insert(&category.id, category).is_some() {
            return Err(invalid(
                category,
                "id",
                "the category is given twice".to_owned(),
            ));
        }
    }
    // Depth of every category, walking up at most MAX_CATEGORY_DEPTH + 1 steps.
    let mut depths: BTreeMap<&CategoryId, usize> = BTreeMap::new();
    for category in categories {
        let mut depth = 1;
        let mut seen = BTreeSet::from([&category.id]);
        let mut current = category;
        while let Some(parent_id) = &current.parent {
            let Some(parent) = by_id.get(parent_id) else {
                return Err(invalid(
                    current,
                    "parent",
                    format!("parent category {parent_id} is not in the tree"),
                ));
            };
            if !seen.insert(&parent.id) {
                return Err(invalid(
                    category,
                    "parent",
                    "the category sits in a cycle".to_owned(),
                ));
            }
            depth += 1;
            if depth > MAX_CATEGORY_DEPTH {
                return Err(invalid(
                    category,
                    "parent",
                    format!(
                        "the category is more than {MAX_CATEGORY_DEPTH} levels deep; QBO nests categories at most {MAX_CATEGORY_DEPTH} deep"
                    ),
                ));
            }
            current = parent;
        }
        depths.insert(&category.id, depth);
    }
    let mut ordered: Vec<&Category> = by_id.values().copied().collect();
    ordered.sort_by_key(|c| (depths.get(&c.id).copied().unwrap_or(0), c.id.clone()));
    Ok(ordered)
}
