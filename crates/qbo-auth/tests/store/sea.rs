//! The SeaORM store beyond the contract: what lies in the database, keys, rotation and
//! writers racing on one database.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chrono::{SubsecRound as _, TimeDelta};
use qbo_auth::crypto::{KeyRing, TokenKey};
use qbo_auth::store::sea::SeaTokenStore;
use qbo_auth::{StoreError, TenantId, TokenSet, TokenStore};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbBackend, Statement};
use secrecy::ExposeSecret as _;
use test_db::{Backend, TestDb};

use crate::contract::{assert_tokens_eq, at, lease, load, tenant, tokens};

pub fn key(id: &str, fill: u8) -> TokenKey {
    TokenKey::new(id, [fill; 32])
}

fn ring(id: &str, fill: u8) -> KeyRing {
    KeyRing::new(key(id, fill))
}

pub async fn store_on(db: &TestDb, keys: KeyRing) -> SeaTokenStore {
    SeaTokenStore::connect(db.url(), keys)
        .await
        .unwrap_or_else(|e| panic!("cannot open the token store on {:?}: {e}", db.backend()))
}

/// A fresh database and a store on it (key `k1`).
pub async fn open(backend: Backend) -> (TestDb, SeaTokenStore) {
    let db = TestDb::new(backend).await;
    let store = store_on(&db, ring("k1", 1)).await;
    (db, store)
}

async fn raw_exec(conn: &DatabaseConnection, sql: &str) {
    conn.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn raw_texts(conn: &DatabaseConnection, sql: &str) -> Vec<Vec<Option<String>>> {
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter()
        .map(|row| {
            let mut cells = Vec::new();
            while let Ok(cell) = row.try_get_by_index::<Option<String>>(cells.len()) {
                cells.push(cell);
            }
            cells
        })
        .collect()
}

/// One column of one row, as text.
async fn raw_cell(conn: &DatabaseConnection, column: &str, t: &str) -> Option<String> {
    let sql = format!(
        "SELECT {} FROM qbo_tokens WHERE tenant = '{t}'",
        as_text(conn, column)
    );
    raw_texts(conn, &sql).await.remove(0).remove(0)
}

fn as_text(conn: &DatabaseConnection, column: &str) -> String {
    match conn.get_database_backend() {
        DbBackend::MySql => format!("CAST({column} AS CHAR)"),
        _ => format!("CAST({column} AS TEXT)"),
    }
}

/// The names of every column of `qbo_tokens`, from the database's catalogue.
async fn columns(conn: &DatabaseConnection) -> Vec<String> {
    let sql = match conn.get_database_backend() {
        DbBackend::Sqlite => "SELECT name FROM pragma_table_info('qbo_tokens') ORDER BY cid",
        DbBackend::Postgres => {
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = 'qbo_tokens' ORDER BY ordinal_position"
        }
        _ => {
            "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = 'qbo_tokens' ORDER BY ordinal_position"
        }
    };
    raw_texts(conn, sql)
        .await
        .into_iter()
        .map(|mut row| row.remove(0).unwrap())
        .collect()
}

/// Every secret and each way it could have been written down as text.
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        forms.push(engine.encode(secret));
    }
    forms.push(secret.bytes().map(|b| format!("{b:02x}")).collect());
    forms
}

/// Whether `text`, or what it decodes to as base64 or hex, holds `secret`.
fn reveals(text: &str, secret: &str) -> bool {
    if forms(secret)
        .iter()
        .any(|form| text.contains(form.as_str()))
    {
        return true;
    }
    let decoded = [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .into_iter()
        .filter_map(|engine| engine.decode(text.trim()).ok());
    decoded
        .into_iter()
        .any(|bytes| bytes.windows(secret.len()).any(|w| w == secret.as_bytes()))
}

fn secrets(set: &TokenSet) -> [String; 2] {
    [
        set.access_token.expose_secret().to_owned(),
        set.refresh_token.expose_secret().to_owned(),
    ]
}

pub async fn raw_row_holds_no_plain_token(backend: Backend) {
    let (db, store) = open(backend).await;
    let t = tenant("shop");
    let first = tokens("raw");
    store.save(&t, &first, None).await.unwrap();
    store
        .begin_refresh(&t, 1, &lease("manager-1", 1))
        .await
        .unwrap();
    let second = tokens("raw2");
    store.save(&t, &second, Some(2)).await.unwrap();

    // The check itself finds a token that is there.
    let probe = secrets(&first)[0].clone();
    assert!(reveals(&format!("x{probe}y"), &probe));
    assert!(reveals(
        &STANDARD.encode(format!("{{\"t\":\"{probe}\"}}")),
        &probe
    ));

    let conn = db.connect().await;
    let names = columns(&conn).await;
    assert_eq!(
        names,
        [
            "tenant",
            "realm_id",
            "key_id",
            "ciphertext",
            "access_expires_at",
            "refresh_expires_at",
            "refresh_hard_expires_at",
            "obtained_at",
            "version",
            "status",
            "status_reason",
            "lease_holder",
            "lease_until",
            "updated_at"
        ]
    );
    let select = names
        .iter()
        .map(|c| as_text(&conn, c))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = raw_texts(&conn, &format!("SELECT {select} FROM qbo_tokens")).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.len(), names.len(), "every column reads as text");
    // The query does see the row.
    assert_eq!(row[0].as_deref(), Some("shop"));
    assert_eq!(row[1].as_deref(), Some(second.realm_id.as_str()));
    assert_eq!(row[2].as_deref(), Some("k1"));
    for (name, cell) in names.iter().zip(row) {
        let Some(cell) = cell else { continue };
        for secret in secrets(&first).iter().chain(&secrets(&second)) {
            assert!(
                !reveals(cell, secret),
                "column {name} reveals a token: {cell}"
            );
        }
    }

    if backend == Backend::Sqlite {
        // Nor anywhere in the database files.
        let path = db
            .url()
            .strip_prefix("sqlite://")
            .and_then(|rest| rest.split('?').next())
            .unwrap()
            .to_owned();
        for file in [path.clone(), format!("{path}-wal")] {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            for secret in secrets(&first).iter().chain(&secrets(&second)) {
                for form in forms(secret) {
                    assert!(!text.contains(&form), "{file} holds a token");
                }
            }
        }
    }
}

pub async fn wrong_or_unknown_key_fails_clearly(backend: Backend) {
    let db = TestDb::new(backend).await;
    let t = tenant("shop");
    let writer = store_on(&db, ring("k1", 1)).await;
    let set = tokens("keyed");
    writer.save(&t, &set, None).await.unwrap();

    // The same key id with other bytes.
    let wrong = store_on(&db, ring("k1", 2)).await;
    let err = wrong.load(&t).await.unwrap_err();
    match &err {
        StoreError::Decrypt { tenant, key_id } => {
            assert_eq!(tenant, &t);
            assert_eq!(key_id, "k1");
        }
        other => panic!("expected Decrypt, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("shop") && message.contains("\"k1\""),
        "{message}"
    );
    for secret in secrets(&set) {
        assert!(!message.contains(&secret) && !format!("{err:?}").contains(&secret));
    }

    // A key id the ring does not have.
    let other = store_on(&db, ring("k2", 1)).await;
    match other.load(&t).await.unwrap_err() {
        StoreError::UnknownKey { tenant, key_id } => {
            assert_eq!(tenant, t);
            assert_eq!(key_id, "k1");
        }
        other => panic!("expected UnknownKey, got {other:?}"),
    }

    // Debug output names keys, never their bytes or the connection's options.
    let text = format!("{wrong:?}");
    assert!(
        text.contains("k1") && !text.contains("url") && !text.contains(db.url()),
        "{text}"
    );

    // What needs no decryption still works, and a save with the other key replaces the row.
    assert_eq!(other.tenants().await.unwrap(), std::slice::from_ref(&t));
    let replaced = tokens("replaced");
    assert_eq!(other.save(&t, &replaced, Some(1)).await.unwrap(), 2);
    assert_tokens_eq(&load(&other, &t).await.tokens, &replaced);
    assert!(matches!(
        writer.load(&t).await,
        Err(StoreError::UnknownKey { .. })
    ));
}

pub async fn ciphertext_is_bound_to_tenant_and_realm(backend: Backend) {
    let (db, store) = open(backend).await;
    let a = tenant("tenant-a");
    let b = tenant("tenant-b");
    store.save(&a, &tokens("a"), None).await.unwrap();
    store.save(&b, &tokens("b"), None).await.unwrap();
    let conn = db.connect().await;

    // a's sealed tokens copied onto b's row (same key, same realm).
    let sealed_a = raw_cell(&conn, "ciphertext", "tenant-a").await.unwrap();
    raw_exec(
        &conn,
        &format!("UPDATE qbo_tokens SET ciphertext = '{sealed_a}' WHERE tenant = 'tenant-b'"),
    )
    .await;
    match store.load(&b).await {
        Err(StoreError::Decrypt { tenant, key_id }) => {
            assert_eq!(tenant, b);
            assert_eq!(key_id, "k1");
        }
        other => panic!("a copied row must not decrypt, got {other:?}"),
    }

    // a's own row moved to another company.
    raw_exec(
        &conn,
        "UPDATE qbo_tokens SET realm_id = '123' WHERE tenant = 'tenant-a'",
    )
    .await;
    assert!(matches!(
        store.load(&a).await,
        Err(StoreError::Decrypt { .. })
    ));
}

pub async fn rotation_reads_old_key_and_rewrites_with_current(backend: Backend) {
    let db = TestDb::new(backend).await;
    let t = tenant("shop");
    let old = store_on(&db, ring("2024", 0xA)).await;
    let first = tokens("under-a");
    old.save(&t, &first, None).await.unwrap();

    let rotated = store_on(
        &db,
        KeyRing::new(key("2025", 0xB)).with_previous(key("2024", 0xA)),
    )
    .await;
    let row = load(&rotated, &t).await;
    assert_tokens_eq(&row.tokens, &first);
    let conn = db.connect().await;
    assert_eq!(
        raw_cell(&conn, "key_id", "shop").await.as_deref(),
        Some("2024")
    );

    // Lease and status leave the sealed tokens as they are.
    rotated.begin_refresh(&t, 1, &lease("m", 1)).await.unwrap();
    assert_eq!(
        raw_cell(&conn, "key_id", "shop").await.as_deref(),
        Some("2024")
    );

    // The next save seals with the current key.
    let second = tokens("under-b");
    rotated.save(&t, &second, Some(2)).await.unwrap();
    assert_eq!(
        raw_cell(&conn, "key_id", "shop").await.as_deref(),
        Some("2025")
    );
    assert_tokens_eq(&load(&rotated, &t).await.tokens, &second);

    // The old key is no longer needed; the old ring alone cannot read the new row.
    let new_only = store_on(&db, ring("2025", 0xB)).await;
    assert_tokens_eq(&load(&new_only, &t).await.tokens, &second);
    assert!(matches!(
        old.load(&t).await,
        Err(StoreError::UnknownKey { key_id, .. }) if key_id == "2025"
    ));
}

/// Two stores (two pools, as two processes would have) on one database.
async fn two_stores(backend: Backend) -> (TestDb, SeaTokenStore, SeaTokenStore) {
    let db = TestDb::new(backend).await;
    let one = store_on(&db, ring("k1", 1)).await;
    let two = store_on(&db, ring("k1", 1)).await;
    (db, one, two)
}

fn winners(results: &[Result<u64, StoreError>], t: &TenantId, expected: Option<u64>) -> usize {
    for result in results {
        match result {
            Ok(_) => {}
            Err(StoreError::Conflict {
                tenant,
                expected: e,
            }) => {
                assert_eq!(tenant, t);
                assert_eq!(*e, expected);
            }
            Err(other) => panic!("a racing write failed: {other}"),
        }
    }
    results.iter().filter(|r| r.is_ok()).count()
}

pub async fn racing_begin_refresh_has_one_winner(backend: Backend) {
    let (_db, one, two) = two_stores(backend).await;
    let t = tenant("shop");
    one.save(&t, &tokens("start"), None).await.unwrap();
    for round in 0..20 {
        let version = load(&two, &t).await.version;
        assert_eq!(load(&one, &t).await.version, version);
        let tasks = [(one.clone(), "one"), (two.clone(), "two")].map(|(store, holder)| {
            let t = t.clone();
            tokio::spawn(async move { store.begin_refresh(&t, version, &lease(holder, 1)).await })
        });
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        assert_eq!(
            winners(&results, &t, Some(version)),
            1,
            "round {round}: {results:?}"
        );
        let winner = if results[0].is_ok() { "one" } else { "two" };
        let row = load(&one, &t).await;
        assert_eq!(row.version, version + 1);
        assert_eq!(row.refresh_lease.map(|l| l.holder).as_deref(), Some(winner));
        // The winner saves the refreshed tokens; the loser's save on the old version fails.
        let (win, lose) = if winner == "one" {
            (&one, &two)
        } else {
            (&two, &one)
        };
        let refreshed = tokens("refreshed");
        assert!(matches!(
            lose.save(&t, &tokens("lost"), Some(version)).await,
            Err(StoreError::Conflict { .. })
        ));
        win.save(&t, &refreshed, Some(version + 1)).await.unwrap();
        assert_tokens_eq(&load(lose, &t).await.tokens, &refreshed);
    }
}

pub async fn racing_first_saves_have_one_winner(backend: Backend) {
    let (_db, one, two) = two_stores(backend).await;
    for round in 0..10 {
        let t = tenant(&format!("tenant-{round}"));
        let sets = [tokens("one"), tokens("two")];
        let tasks = [one.clone(), two.clone()]
            .into_iter()
            .zip(sets.clone())
            .map(|(store, set)| {
                let t = t.clone();
                tokio::spawn(async move { store.save(&t, &set, None).await })
            });
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        assert_eq!(winners(&results, &t, None), 1, "round {round}: {results:?}");
        let winner = usize::from(results[0].is_err());
        let row = load(&one, &t).await;
        assert_eq!(row.version, 1);
        assert_tokens_eq(&row.tokens, &sets[winner]);
    }
}

pub async fn racing_saves_have_one_winner(backend: Backend) {
    let (_db, one, two) = two_stores(backend).await;
    let t = tenant("shop");
    let mut version = one.save(&t, &tokens("start"), None).await.unwrap();
    for round in 0..10 {
        // Four writers, two per store, all on the same version.
        let sets: Vec<TokenSet> = (0..4).map(|i| tokens(&format!("w{i}"))).collect();
        let tasks: Vec<_> = sets
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, set)| {
                let store = if i % 2 == 0 { one.clone() } else { two.clone() };
                let t = t.clone();
                tokio::spawn(async move { store.save(&t, &set, Some(version)).await })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        assert_eq!(
            winners(&results, &t, Some(version)),
            1,
            "round {round}: {results:?}"
        );
        let winner = results.iter().position(Result::is_ok).unwrap();
        version += 1;
        let row = load(&two, &t).await;
        assert_eq!(row.version, version);
        assert_tokens_eq(&row.tokens, &sets[winner]);
    }
}

pub async fn concurrent_connects_migrate_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let url = db.url().to_owned();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { SeaTokenStore::connect(&url, ring("k1", 1)).await })
        })
        .collect();
    let mut stores = Vec::new();
    for task in tasks {
        stores.push(
            task.await
                .unwrap()
                .unwrap_or_else(|e| panic!("a concurrent connect failed: {e}")),
        );
    }
    let t = tenant("shop");
    let set = tokens("x");
    stores[0].save(&t, &set, None).await.unwrap();
    for store in &stores {
        assert_tokens_eq(&load(store, &t).await.tokens, &set);
    }
    let conn = db.connect().await;
    let applied = raw_texts(&conn, "SELECT version FROM qbo_auth_migrations").await;
    assert_eq!(applied.len(), 1, "{applied:?}");

    if backend == Backend::Sqlite {
        // Opened for several writers: WAL, a busy timeout, synchronous=NORMAL.
        let pragma = |name: &'static str| {
            let conn = stores[0].connection().clone();
            async move {
                let sql = format!("PRAGMA {name}");
                let row = conn
                    .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get_by_index::<String>(0)
                    .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                    .unwrap()
            }
        };
        assert_eq!(pragma("journal_mode").await, "wal");
        assert!(pragma("busy_timeout").await.parse::<u64>().unwrap() >= 5_000);
        assert_eq!(pragma("synchronous").await, "1", "NORMAL");
    }
}

pub async fn reopening_keeps_the_rows(backend: Backend) {
    let db = TestDb::new(backend).await;
    let t = tenant("shop");
    let set = tokens("kept");
    {
        let store = store_on(&db, ring("k1", 1)).await;
        store.save(&t, &set, None).await.unwrap();
        store.begin_refresh(&t, 1, &lease("m", 3)).await.unwrap();
        store.connection().clone().close().await.unwrap();
    }
    // Migrations run again and change nothing.
    let store = store_on(&db, ring("k1", 1)).await;
    let row = load(&store, &t).await;
    assert_tokens_eq(&row.tokens, &set);
    assert_eq!(row.version, 2);
    assert_eq!(row.refresh_lease, Some(lease("m", 3)));
    // A connection the caller made works too.
    let own = SeaTokenStore::new(db.connect().await, ring("k1", 1))
        .await
        .unwrap();
    assert_eq!(load(&own, &t).await.version, 2);
}

pub async fn damaged_rows_fail_clearly(backend: Backend) {
    let (db, store) = open(backend).await;
    let conn = db.connect().await;
    let t = tenant("shop");
    let reset = |store: SeaTokenStore, t: TenantId| async move {
        store.delete(&t).await.unwrap();
        store.save(&t, &tokens("x"), None).await.unwrap();
    };

    let corrupt =
        |result: Result<Option<qbo_auth::StoredTokens>, StoreError>, needle: &str| match result {
            Err(StoreError::Corrupt { tenant, reason }) => {
                assert_eq!(tenant.as_str(), "shop");
                assert!(reason.contains(needle), "{reason}");
            }
            other => panic!("expected Corrupt ({needle}), got {other:?}"),
        };

    reset(store.clone(), t.clone()).await;
    raw_exec(
        &conn,
        "UPDATE qbo_tokens SET status = 'on_fire' WHERE tenant = 'shop'",
    )
    .await;
    corrupt(store.load(&t).await, "on_fire");

    reset(store.clone(), t.clone()).await;
    raw_exec(
        &conn,
        "UPDATE qbo_tokens SET ciphertext = '%%% not base64' WHERE tenant = 'shop'",
    )
    .await;
    corrupt(store.load(&t).await, "base64");

    reset(store.clone(), t.clone()).await;
    raw_exec(
        &conn,
        "UPDATE qbo_tokens SET lease_holder = 'someone' WHERE tenant = 'shop'",
    )
    .await;
    corrupt(store.load(&t).await, "lease");

    reset(store.clone(), t.clone()).await;
    raw_exec(
        &conn,
        "UPDATE qbo_tokens SET version = -4 WHERE tenant = 'shop'",
    )
    .await;
    corrupt(store.load(&t).await, "version");

    // Valid base64, wrong bytes: the tag check fails.
    reset(store.clone(), t.clone()).await;
    let mut sealed = STANDARD
        .decode(raw_cell(&conn, "ciphertext", "shop").await.unwrap())
        .unwrap();
    let last = sealed.len() - 1;
    sealed[last] ^= 1;
    raw_exec(
        &conn,
        &format!(
            "UPDATE qbo_tokens SET ciphertext = '{}' WHERE tenant = 'shop'",
            STANDARD.encode(&sealed)
        ),
    )
    .await;
    assert!(matches!(
        store.load(&t).await,
        Err(StoreError::Decrypt { .. })
    ));
    raw_exec(
        &conn,
        "UPDATE qbo_tokens SET ciphertext = 'AAAA' WHERE tenant = 'shop'",
    )
    .await;
    assert!(matches!(
        store.load(&t).await,
        Err(StoreError::Decrypt { .. })
    ));
}

pub async fn instants_are_kept_to_the_microsecond(backend: Backend) {
    let (_db, store) = open(backend).await;
    let t = tenant("shop");
    let nanos = TimeDelta::nanoseconds(987);
    let set = TokenSet {
        access_expires_at: at(60) + nanos,
        refresh_expires_at: at(600) + nanos,
        refresh_hard_expires_at: Some(at(6000) + nanos),
        obtained_at: at(0) + nanos,
        ..tokens("nanos")
    };
    store.save(&t, &set, None).await.unwrap();
    let row = load(&store, &t).await;
    assert_eq!(
        row.tokens.access_expires_at,
        set.access_expires_at.trunc_subsecs(6)
    );
    assert_eq!(
        row.tokens.refresh_expires_at,
        set.refresh_expires_at.trunc_subsecs(6)
    );
    assert_eq!(
        row.tokens.refresh_hard_expires_at,
        set.refresh_hard_expires_at.map(|t| t.trunc_subsecs(6))
    );
    assert_eq!(row.tokens.obtained_at, set.obtained_at.trunc_subsecs(6));
    let mut taken = lease("m", 1);
    taken.until += nanos;
    store.begin_refresh(&t, 1, &taken).await.unwrap();
    assert_eq!(
        load(&store, &t).await.refresh_lease.map(|l| l.until),
        Some(taken.until.trunc_subsecs(6))
    );
    // Far-off instants fit (MariaDB's `timestamp` would end in 2038).
    let far = TokenSet {
        refresh_hard_expires_at: Some(at(0) + TimeDelta::days(365 * 60)),
        ..tokens("far")
    };
    store.save(&t, &far, Some(2)).await.unwrap();
    assert_tokens_eq(&load(&store, &t).await.tokens, &far);
}
