#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Content hashes: equal for equal input, different when any mapped field changes, blind to
//! identity (`Id`, `SyncToken`) and to what an update does not send.

mod common;

use mapping::model::{Order, Product};
use mapping::{ContentHash, Link, Links, StoreRef, Transform};
use rust_decimal_macros::dec;
use serde_json::Value;

const CASES: &[&str] = &[
    "customer",
    "customer_renamed",
    "category_tree",
    "product_inventory",
    "product_non_inventory",
    "order_us",
    "order_intl",
    "order_guest",
    "order_marketplace_child",
];

/// Every leaf of a JSON value with a copy of the value where that leaf is changed.
fn mutations(value: &Value) -> Vec<(String, Value)> {
    fn walk(root: &Value, path: &mut Vec<PathPart>, at: &Value, out: &mut Vec<(String, Value)>) {
        match at {
            Value::Object(map) => {
                for (key, child) in map {
                    path.push(PathPart::Key(key.clone()));
                    walk(root, path, child, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    path.push(PathPart::Index(index));
                    walk(root, path, child, out);
                    path.pop();
                }
            }
            leaf => {
                let changed = match leaf {
                    Value::String(s) => Value::String(format!("{s}x")),
                    Value::Number(n) => serde_json::json!(n.as_f64().unwrap() + 0.01),
                    Value::Bool(b) => Value::Bool(!b),
                    _ => Value::String("set".to_owned()),
                };
                let mut copy = root.clone();
                let mut slot = &mut copy;
                for part in path.iter() {
                    slot = match part {
                        PathPart::Key(k) => slot.get_mut(k).unwrap(),
                        PathPart::Index(i) => slot.get_mut(*i).unwrap(),
                    };
                }
                *slot = changed;
                let name = path
                    .iter()
                    .map(PathPart::to_string)
                    .collect::<Vec<_>>()
                    .join(".");
                out.push((name, copy));
            }
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), value, &mut out);
    out
}

#[derive(Debug)]
enum PathPart {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for PathPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Key(k) => f.write_str(k),
            Self::Index(i) => write!(f, "{i}"),
        }
    }
}

#[test]
fn changing_any_mapped_field_changes_the_hash() {
    let mut checked = 0;
    for case in CASES {
        let out = common::read_json(&format!("golden/{case}.out.json"));
        for wrapped in out["entities"].as_array().unwrap() {
            let (name, entity) = wrapped.as_object().unwrap().iter().next().unwrap();
            let original = ContentHash::of_json(name, entity);
            for (path, changed) in mutations(entity) {
                let hash = ContentHash::of_json(name, &changed);
                if path == "Id" || path == "SyncToken" {
                    assert_eq!(
                        hash, original,
                        "{case}: {name}.{path} is identity, not content"
                    );
                } else {
                    assert_ne!(
                        hash, original,
                        "{case}: changing {name}.{path} kept the hash"
                    );
                    checked += 1;
                }
            }
            // Removing a field is a change too.
            for key in entity.as_object().unwrap().keys() {
                let mut fewer = entity.clone();
                fewer.as_object_mut().unwrap().remove(key);
                let hash = ContentHash::of_json(name, &fewer);
                assert_eq!(
                    hash == original,
                    key == "Id" || key == "SyncToken",
                    "{case}: removing {key}"
                );
            }
        }
    }
    assert!(checked > 150, "only {checked} fields checked");
}

#[test]
fn equal_input_maps_to_equal_hashes_and_matches_the_golden_json() {
    for case in [
        "order_us",
        "order_intl",
        "order_guest",
        "order_marketplace_child",
    ] {
        let input = common::read_json(&format!("golden/{case}.in.json"));
        let config = common::config(input["config"].as_str().unwrap());
        let mut links = Links::new();
        common::add_links(&mut links, input.get("links"));
        let a: Order = serde_json::from_value(input["order"].clone()).unwrap();
        let b: Order = serde_json::from_value(input["order"].clone()).unwrap();
        let first = a.map(&config, &links).unwrap();
        let second = b.map(&config, &links).unwrap();
        assert_eq!(first.hash, second.hash, "{case}");
        // The hash is the one of the committed JSON.
        let out = common::read_json(&format!("golden/{case}.out.json"));
        let document = out["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|e| e.get(first.document.name()))
            .unwrap();
        assert_eq!(
            first.hash,
            ContentHash::of_json(first.document.name(), document),
            "{case}"
        );
    }
}

fn inventory() -> (mapping::MappingConfig, Product, Links) {
    let input = common::read_json("golden/product_inventory.in.json");
    let mut links = Links::new();
    common::add_links(&mut links, input.get("links"));
    let product = serde_json::from_value(input["product"].clone()).unwrap();
    (common::config("us.toml"), product, links)
}

#[test]
fn a_product_hashes_the_same_before_and_after_creation_and_ignores_later_stock() {
    let (config, product, links) = inventory();
    let created = product.map(&config, &links).unwrap();
    assert!(created.entity.qty_on_hand.is_some());
    let linked = links.with(product.store_ref(), Link::new("31", Some("5".into())));
    let updated = product.map(&config, &linked).unwrap();
    assert_eq!(
        updated.entity.qty_on_hand, None,
        "opening quantity on create only"
    );
    assert_eq!(updated.entity.inv_start_date, None);
    assert_eq!(created.hash, updated.hash);
    let mut sold = product.clone();
    sold.stock = Some(dec!(12));
    assert_eq!(sold.map(&config, &linked).unwrap().hash, updated.hash);
    // Under `stock = "always"`, stock is content.
    let mut always = config;
    always.products.stock = mapping::config::StockPolicy::Always;
    assert_ne!(
        sold.map(&always, &linked).unwrap().hash,
        product.map(&always, &linked).unwrap().hash
    );
}

/// A named change of a store entity.
type Change<T> = (&'static str, Box<dyn Fn(&mut T)>);

#[test]
fn changing_a_mapped_store_field_changes_the_hash() {
    let (config, product, links) = inventory();
    let base = product.map(&config, &links).unwrap().hash;
    let changes: Vec<Change<Product>> = vec![
        ("name", Box::new(|p| p.name.push('!'))),
        ("sku", Box::new(|p| p.sku = Some("TS-RED-L".to_owned()))),
        (
            "short_description",
            Box::new(|p| p.short_description = None),
        ),
        ("price", Box::new(|p| p.price = dec!(19.98))),
        ("cost", Box::new(|p| p.cost = Some(dec!(7.26)))),
        ("active", Box::new(|p| p.active = false)),
        ("taxable", Box::new(|p| p.taxable = false)),
        ("track_stock", Box::new(|p| p.track_stock = false)),
        ("categories", Box::new(|p| p.categories.clear())),
    ];
    for (field, change) in changes {
        let mut changed = product.clone();
        change(&mut changed);
        let hash = changed.map(&config, &links).unwrap().hash;
        assert_ne!(hash, base, "changing {field} kept the hash");
    }
    // The same store data under another QBO parent is another entity.
    let moved = links.clone().with(
        StoreRef::Category(mapping::ids::CategoryId::new("12")),
        Link::new("23", None),
    );
    assert_ne!(product.map(&config, &moved).unwrap().hash, base);
    // A description that cleans to the same text is the same content.
    let mut spaced = product;
    spaced.short_description = Some("  Soft cotton tee.\n\nMachine washable.\n".to_owned());
    assert_eq!(spaced.map(&config, &links).unwrap().hash, base);

    let input = common::read_json("golden/order_us.in.json");
    let mut links = Links::new();
    common::add_links(&mut links, input.get("links"));
    let order: Order = serde_json::from_value(input["order"].clone()).unwrap();
    let base = order.map(&config, &links).unwrap().hash;
    let changes: Vec<Change<Order>> = vec![
        ("date", Box::new(|o| o.date = o.date.succ_opt().unwrap())),
        (
            "lines[1].quantity",
            Box::new(|o| {
                o.lines[1].quantity = dec!(2);
                o.total += dec!(4.50);
            }),
        ),
        (
            "taxes[0].amount",
            Box::new(|o| {
                o.taxes[0].amount += dec!(0.01);
                o.total += dec!(0.01);
            }),
        ),
        ("total", Box::new(|o| o.total += dec!(0.01))),
        (
            "lines[0].name",
            Box::new(|o| o.lines[0].name = "Red tee".to_owned()),
        ),
        ("notes", Box::new(|o| o.notes = Some("Gift".to_owned()))),
        ("email", Box::new(|o| o.email = None)),
    ];
    for (field, change) in changes {
        let mut changed = order.clone();
        change(&mut changed);
        let hash = changed.map(&config, &links).unwrap().hash;
        assert_ne!(hash, base, "changing {field} kept the hash");
    }
    // The store's status code is not mapped.
    let mut status = order;
    status.status = Some("C".to_owned());
    assert_eq!(status.map(&config, &links).unwrap().hash, base);
}
