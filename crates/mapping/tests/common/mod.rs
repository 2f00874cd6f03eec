//! Helpers shared by the integration tests: committed fixtures and configurations.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mapping::{Link, Links, MappingConfig, StoreRef};
use serde::Deserialize;
use serde_json::Value;

/// Reads a file under `tests/`.
pub fn read(relative: &str) -> String {
    let path = format!("{}/tests/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Reads a JSON file under `tests/`.
pub fn read_json(relative: &str) -> Value {
    serde_json::from_str(&read(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Reads and validates a TOML configuration under `tests/golden/`.
pub fn config(name: &str) -> MappingConfig {
    let config: MappingConfig =
        toml::from_str(&read(&format!("golden/{name}"))).unwrap_or_else(|e| panic!("{name}: {e}"));
    config.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
    config
}

#[derive(Deserialize)]
struct LinkEntry {
    #[serde(rename = "ref")]
    target: StoreRef,
    #[serde(flatten)]
    link: Link,
}

#[derive(Deserialize)]
struct RenameEntry {
    #[serde(rename = "ref")]
    target: StoreRef,
    attempt: u32,
}

/// Adds the `[{"ref": …, "id": …, "sync_token": …}]` entries of a fixture to `links`.
pub fn add_links(links: &mut Links, entries: Option<&Value>) {
    let Some(entries) = entries else { return };
    let entries: Vec<LinkEntry> = serde_json::from_value(entries.clone()).unwrap();
    for entry in entries {
        links.insert(entry.target, entry.link);
    }
}

/// Adds the `[{"ref": …, "attempt": n}]` renames of a fixture to `links`.
pub fn add_renames(links: &mut Links, entries: Option<&Value>) {
    let Some(entries) = entries else { return };
    let entries: Vec<RenameEntry> = serde_json::from_value(entries.clone()).unwrap();
    for entry in entries {
        links.set_rename(entry.target, entry.attempt);
    }
}

/// Checks every key of an entity's JSON against qbo-api's committed schema table.
pub fn assert_schema(name: &str, json: &Value) {
    if let Err(violations) = qbo_api::schema::check_entity(name, json) {
        let text: Vec<String> = violations.iter().map(ToString::to_string).collect();
        panic!("{name} uses keys QBO does not know:\n{}", text.join("\n"));
    }
}
