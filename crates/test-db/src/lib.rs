//! Test support: a fresh, empty database for each test, on SQLite, PostgreSQL or MariaDB.
//!
//! Server URLs come from [`POSTGRES_ENV`] and [`MYSQL_ENV`] (`.ci/run` sets both). A test
//! that asks for a server whose variable is unset **fails** and says how to set it: a
//! database test never passes without its database.
//!
//! Each [`TestDb`] creates its own database (`qbs_<UTC time>_<random>`) so tests run in
//! parallel, and drops it when the value is dropped. Databases left behind by a killed
//! run are swept once they are two hours old.
//!
//! This crate is only ever a dev-dependency; it panics (with a message) where a test
//! cannot go on.
#![allow(clippy::panic, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

/// The environment variable holding the PostgreSQL server URL for tests.
pub const POSTGRES_ENV: &str = "QBO_SYNC_TEST_POSTGRES_URL";
/// The environment variable holding the MariaDB/MySQL server URL for tests.
pub const MYSQL_ENV: &str = "QBO_SYNC_TEST_MYSQL_URL";

const PREFIX: &str = "qbs_";
const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(2);

/// Which database engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An SQLite file in a fresh temporary directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server of [`POSTGRES_ENV`].
    Postgres,
    /// A fresh database on the MariaDB/MySQL server of [`MYSQL_ENV`].
    MySql,
}

impl Backend {
    /// All three.
    pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::MySql];
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    backend: Backend,
    url: String,
    admin_url: Option<String>,
    name: String,
    dir: Option<PathBuf>,
}

fn server_url(env: &str, example: &str) -> String {
    match std::env::var(env) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "this test needs a database server: set {env} (for example {env}={example}); \
             .ci/run sets it for the servers on 127.0.0.1"
        ),
    }
}

fn with_database(server: &str, database: &str) -> String {
    let mut url =
        url::Url::parse(server).unwrap_or_else(|e| panic!("bad database URL {server:?}: {e}"));
    url.set_path(&format!("/{database}"));
    url.to_string()
}

fn fresh_name() -> String {
    let now = chrono::Utc::now().format("%Y%m%d%H%M%S");
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{PREFIX}{now}_{}", &random[..12])
}

fn is_stale(name: &str) -> bool {
    let Some(stamp) = name.strip_prefix(PREFIX).and_then(|rest| rest.get(..14)) else {
        return false;
    };
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d%H%M%S")
        .map(|t| chrono::Utc::now().naive_utc() - t > STALE_AFTER)
        .unwrap_or(false)
}

async fn admin(url: &str) -> DatabaseConnection {
    let mut options = sea_orm::ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test database server at {url}: {e}"))
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("test database setup failed on {sql:?}: {e}"));
}

impl TestDb {
    /// Creates a fresh database on `backend`.
    ///
    /// # Panics
    /// When the server's environment variable is unset or the server cannot be reached.
    pub async fn new(backend: Backend) -> TestDb {
        let name = fresh_name();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("create a temporary directory");
                let file = dir.join("test.sqlite");
                TestDb {
                    backend,
                    url: format!("sqlite://{}?mode=rwc", file.display()),
                    admin_url: None,
                    name,
                    dir: Some(dir),
                }
            }
            Backend::Postgres | Backend::MySql => {
                let server = if backend == Backend::Postgres {
                    server_url(POSTGRES_ENV, "postgres://postgres@127.0.0.1:5432/test")
                } else {
                    server_url(MYSQL_ENV, "mysql://root@127.0.0.1:3306/test")
                };
                let db = admin(&server).await;
                sweep(&db, backend).await;
                exec(&db, &create_sql(backend, &name)).await;
                let _ = db.close().await;
                TestDb {
                    backend,
                    url: with_database(&server, &name),
                    admin_url: Some(server),
                    name,
                    dir: None,
                }
            }
        }
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A plain SeaORM connection to this test's database (for checks on raw rows).
    pub async fn connect(&self) -> DatabaseConnection {
        admin(&self.url).await
    }
}

/// Drops this run's leftovers from killed runs: `qbs_` databases older than two hours.
async fn sweep(db: &DatabaseConnection, backend: Backend) {
    let sql = match backend {
        Backend::Postgres => "SELECT datname AS name FROM pg_database WHERE datname LIKE 'qbs\\_%'",
        Backend::MySql => {
            "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE 'qbs\\_%'"
        }
        Backend::Sqlite => return,
    };
    let Ok(rows) = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "name") else {
            continue;
        };
        if is_stale(&name) {
            let _ = db.execute_unprepared(&drop_sql(backend, &name)).await;
        }
    }
}

fn create_sql(backend: Backend, name: &str) -> String {
    match backend {
        Backend::Postgres => format!("CREATE DATABASE \"{name}\""),
        _ => format!("CREATE DATABASE `{name}`"),
    }
}

fn drop_sql(backend: Backend, name: &str) -> String {
    match backend {
        Backend::Postgres => format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        _ => format!("DROP DATABASE IF EXISTS `{name}`"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
            return;
        }
        let Some(admin_url) = self.admin_url.take() else {
            return;
        };
        let sql = drop_sql(self.backend, &self.name);
        // Drop runs inside the test's runtime: do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(db) = Database::connect(admin_url).await {
                    let _ = db.execute_unprepared(&sql).await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_names_are_recognised() {
        assert!(is_stale("qbs_20000101000000_abcdef123456"));
        assert!(!is_stale(&fresh_name()));
        assert!(!is_stale("qbs_garbage"));
        assert!(!is_stale("other"));
    }

    #[test]
    fn urls_get_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "qbs_x"),
            "postgres://postgres@127.0.0.1:5432/qbs_x"
        );
        assert_eq!(
            with_database("mysql://root@127.0.0.1:3306/test", "qbs_y"),
            "mysql://root@127.0.0.1:3306/qbs_y"
        );
    }

    #[tokio::test]
    async fn each_backend_gives_a_fresh_empty_database() {
        for backend in Backend::ALL {
            let a = TestDb::new(backend).await;
            let b = TestDb::new(backend).await;
            assert_ne!(a.url(), b.url());
            let db = a.connect().await;
            db.execute_unprepared("CREATE TABLE t (x INTEGER)")
                .await
                .unwrap();
            let other = b.connect().await;
            other
                .execute_unprepared("CREATE TABLE t (x INTEGER)")
                .await
                .unwrap();
            db.close().await.unwrap();
            other.close().await.unwrap();
        }
    }
}
