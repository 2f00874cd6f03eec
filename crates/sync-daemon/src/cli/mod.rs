//! The command line: parsing, logging, and one function per subcommand.

mod demo;

use std::fmt;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone as _, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use sync_daemon::config::{self, ConfigError};
use sync_daemon::export::{ExportOptions, Progress, drain, enqueue_store};
use sync_daemon::runtime::{Daemon, Tenant};
use sync_daemon::worker::{BatchReport, WorkerSettings};
use sync_queue::{EntityKind, JobStatus, LinkStore, Scope};
use tokio::sync::watch;

/// Keeps a QuickBooks Online company in step with an online store.
///
/// Start with `qbo-sync demo`: it runs everything on this machine with a simulated QBO
/// company and a simulated CS-Cart store. For a real store, write a configuration
/// (`qbo-sync config example > qbo-sync.toml`), connect (`qbo-sync connect`), push what the
/// store has (`qbo-sync export`) and keep it in step (`qbo-sync serve`).
#[derive(Debug, Parser)]
#[command(name = "qbo-sync", version, about, long_about)]
pub struct Cli {
    /// The configuration file [default: ./qbo-sync.toml when it exists, else built-in
    /// defaults].
    #[arg(long, global = true, env = "QBO_SYNC_CONFIG")]
    pub config: Option<PathBuf>,
    /// How log lines look; the level comes from QBO_SYNC_LOG (e.g. `info`,
    /// `sync_daemon=debug`).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human, env = "QBO_SYNC_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Text for people.
    Human,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: poll the stores, push their changes to QBO, keep connections alive.
    /// Stops on SIGTERM or Ctrl-C after finishing the jobs in hand.
    Serve,
    /// Push what a store has now (catalogue, customers, orders) into QBO; safe to stop and
    /// run again: nothing is created twice and unchanged entities make no QBO call.
    Export {
        /// Only this tenant [default: every tenant].
        #[arg(long)]
        tenant: Option<String>,
        /// Only these kinds (repeat) [default: all].
        #[arg(long = "kind", value_enum)]
        kinds: Vec<KindArg>,
        /// Only orders and products changed since this day (YYYY-MM-DD).
        #[arg(long)]
        since: Option<NaiveDate>,
        /// No progress bar (it is also off when the output is not a terminal).
        #[arg(long)]
        no_progress: bool,
    },
    /// See qbo-sync work with nothing set up: a simulated QBO company and CS-Cart store on
    /// this machine, connected, exported, then changed and kept in step.
    Demo {
        /// Keep serving after the demo (with the store changing now and then) until Ctrl-C.
        #[arg(long)]
        keep: bool,
        /// How big a store to generate.
        #[arg(long, value_enum, default_value_t = demo::Size::Small)]
        size: demo::Size,
    },
    /// Connect a tenant to its QBO company (OAuth 2.0).
    Connect {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// Paste the address the browser was sent back to (for a server without the
        /// daemon's callback reachable).
        #[arg(long, conflicts_with = "follow")]
        manual: bool,
        /// Follow the authorize endpoint's redirect at once (qbo-sandbox consents by
        /// itself; Intuit's needs a person).
        #[arg(long)]
        follow: bool,
    },
    /// Check the configuration, or print an example with every key.
    Config {
        /// What to do.
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Bring the database schema up to date (every command does this on start too).
    Migrate,
    /// Print the version.
    Version,
}

impl Command {
    /// The log level when QBO_SYNC_LOG is not set.
    pub fn default_log_level(&self) -> &'static str {
        match self {
            Self::Serve => "info",
            _ => "warn",
        }
    }
}

/// `qbo-sync config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Read and check the configuration; print what was read.
    Check,
    /// Print a commented configuration with every key and its default.
    Example,
}

/// An entity kind on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Customers.
    Customer,
    /// Product categories.
    Category,
    /// Products.
    Product,
    /// Orders.
    Order,
}

impl From<KindArg> for EntityKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Customer => EntityKind::Customer,
            KindArg::Category => EntityKind::Category,
            KindArg::Product => EntityKind::Product,
            KindArg::Order => EntityKind::Order,
        }
    }
}

/// A failure with its exit code.
#[derive(Debug)]
pub enum Failure {
    /// Code 1.
    Failed(anyhow::Error),
    /// Code 3.
    Config(ConfigError),
    /// Code 4.
    NotConnected(String),
    /// Code 130.
    Interrupted,
}

impl Failure {
    /// The process exit code.
    pub fn code(&self) -> u8 {
        match self {
            Self::Failed(_) => 1,
            Self::Config(_) => 3,
            Self::NotConnected(_) => 4,
            Self::Interrupted => 130,
        }
    }

    /// The message for the operator.
    pub fn message(&self) -> String {
        match self {
            Self::Failed(e) => format!("{e:#}"),
            Self::Config(e) => format!("configuration: {e}"),
            Self::NotConnected(tenant) => format!(
                "tenant {tenant} is not connected to QBO: run `qbo-sync connect --tenant {tenant}`"
            ),
            Self::Interrupted => "interrupted; run the same command again to go on".to_owned(),
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        let e = e.into();
        match e.downcast::<ConfigError>() {
            Ok(c) => Self::Config(c),
            Err(e) => Self::Failed(e),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// Sets up log output on standard error.
pub fn init_logging(format: LogFormat, default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("QBO_SYNC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Runs a parsed command line.
///
/// # Errors
/// A [`Failure`] with its exit code.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Version => {
            println!("qbo-sync {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Config {
            action: ConfigAction::Example,
        } => {
            print!("{}", config::EXAMPLE);
            Ok(())
        }
        Command::Config {
            action: ConfigAction::Check,
        } => config_check(cli.config).await,
        Command::Migrate => {
            let daemon = open(cli.config).await?;
            println!(
                "the database {} is up to date",
                sync_daemon::runtime::redact_url(&daemon.config.database.url)
            );
            Ok(())
        }
        Command::Serve => serve(cli.config).await,
        Command::Export {
            tenant,
            kinds,
            since,
            no_progress,
        } => {
            let options = ExportOptions {
                kinds: kinds.into_iter().map(EntityKind::from).collect(),
                since: since
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| Utc.from_utc_datetime(&t)),
            };
            let daemon = open(cli.config).await?;
            let progress = !no_progress && std::io::stderr().is_terminal();
            tokio::select! {
                result = export(&daemon, tenant.as_deref(), &options, progress) => result,
                _ = tokio::signal::ctrl_c() => Err(Failure::Interrupted),
            }
        }
        Command::Connect {
            tenant,
            manual,
            follow,
        } => connect(cli.config, &tenant, manual, follow).await,
        Command::Demo { keep, size } => demo::run(keep, size).await,
    }
}

async fn open(path: Option<PathBuf>) -> Result<Daemon, Failure> {
    let loaded = config::load(path.as_deref()).map_err(Failure::Config)?;
    Ok(Daemon::open(loaded.config).await?)
}

async fn config_check(path: Option<PathBuf>) -> Result<(), Failure> {
    let loaded = config::load(path.as_deref()).map_err(Failure::Config)?;
    match &loaded.path {
        Some(p) => println!("{}: the configuration is valid", p.display()),
        None => println!("no configuration file: the built-in defaults are valid"),
    }
    for var in &loaded.overrides {
        println!("  overridden by {var}");
    }
    let c = &loaded.config;
    println!(
        "  database: {}",
        sync_daemon::runtime::redact_url(&c.database.url)
    );
    println!(
        "  workers: {} per tenant, {} jobs a claim, {} attempts",
        c.worker.concurrency, c.worker.claim_batch, c.worker.max_attempts
    );
    if c.tenants.is_empty() {
        println!("  tenants: none (see `qbo-sync config example`)");
    }
    for (id, t) in &c.tenants {
        // Secrets are resolved here so that a missing variable or file shows now.
        t.qbo
            .client_secret
            .resolve(&format!("tenants.{id}.qbo.client_secret"))
            .map_err(Failure::Config)?;
        let store = match &t.store {
            config::StoreConfig::Cscart(s) => {
                s.api_key
                    .resolve(&format!("tenants.{id}.store.api_key"))
                    .map_err(Failure::Config)?;
                format!("CS-Cart at {}", s.url)
            }
            config::StoreConfig::Snapshot => "snapshots sent by the store".to_owned(),
        };
        println!(
            "  tenant {id} ({}): QBO {}, {store}",
            t.display_name(id),
            t.qbo.environment
        );
    }
    Ok(())
}

async fn serve(path: Option<PathBuf>) -> Result<(), Failure> {
    let daemon = Arc::new(open(path).await?);
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested");
        let _ = stop_tx.send(true);
    });
    sync_daemon::serve::serve(daemon, stop_rx).await?;
    Ok(())
}

/// SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn connect(
    path: Option<PathBuf>,
    tenant: &str,
    manual: bool,
    follow: bool,
) -> Result<(), Failure> {
    let daemon = open(path).await?;
    let t = daemon.tenant(tenant)?;
    if follow {
        let realm = t.connect_automatically().await?;
        println!("tenant {tenant} is connected to QBO company {realm}");
        return Ok(());
    }
    let url = t.manager.start_connect(&t.auth_id()?);
    println!("Open this address in a browser and allow access to the QBO company:\n\n  {url}\n");
    println!(
        "QBO then sends the browser to {} (register that address with your Intuit app).",
        t.config.qbo.redirect_url
    );
    if !manual {
        println!(
            "The daemon's callback page answers there once the HTTP side runs; until then, use --manual."
        );
        return Ok(());
    }
    println!("Paste the whole address the browser was sent to, then press Enter:");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(anyhow::Error::from)?;
    let back = url::Url::parse(line.trim())
        .map_err(|e| anyhow::anyhow!("that is not an address ({e})"))?;
    let params: qbo_auth::CallbackParams = serde_json::from_value(serde_json::Value::Object(
        back.query_pairs()
            .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
            .collect(),
    ))
    .map_err(anyhow::Error::from)?;
    let (_, realm) = t.manager.complete_connect(&params).await?;
    println!("tenant {tenant} is connected to QBO company {realm}");
    Ok(())
}

/// The export of one or every tenant, with a progress bar and a summary.
pub async fn export(
    daemon: &Daemon,
    tenant: Option<&str>,
    options: &ExportOptions,
    progress: bool,
) -> Result<(), Failure> {
    let tenants: Vec<&Tenant> = match tenant {
        Some(id) => vec![daemon.tenant(id)?],
        None => daemon.tenants.values().collect(),
    };
    if tenants.is_empty() {
        return Err(anyhow::anyhow!(
            "no tenant is configured: write one first (see `qbo-sync config example`)"
        )
        .into());
    }
    // Every tenant at once: each has its own QBO company and limits.
    let bars = progress.then(indicatif::MultiProgress::new);
    let results = futures_util::future::join_all(
        tenants
            .iter()
            .map(|t| export_tenant(daemon, t, options, bars.as_ref())),
    )
    .await;
    let mut failure = None;
    for result in results {
        match result {
            Ok(summary) => print_summary(&summary),
            Err(e) if failure.is_none() => failure = Some(e),
            Err(e) => tracing::error!(error = %e.to_string(), "export failed"),
        }
    }
    failure.map_or(Ok(()), Err)
}

/// What an export did for one tenant.
#[derive(Debug, Default)]
pub struct Summary {
    /// The tenant.
    pub tenant: String,
    /// Jobs queued per kind.
    pub queued: std::collections::BTreeMap<EntityKind, usize>,
    /// QBO links per kind after the export.
    pub linked: std::collections::BTreeMap<EntityKind, usize>,
    /// Jobs in error per kind after the export.
    pub errors: std::collections::BTreeMap<EntityKind, u64>,
    /// What the workers did.
    pub report: BatchReport,
    /// Retries scheduled later than the export waits.
    pub later: u64,
    /// How long it took.
    pub elapsed: Duration,
}

/// Exports one tenant: queue the store, drain the queue.
pub async fn export_tenant(
    daemon: &Daemon,
    t: &Tenant,
    options: &ExportOptions,
    bars: Option<&indicatif::MultiProgress>,
) -> Result<Summary, Failure> {
    let started = std::time::Instant::now();
    let Some(engine) = daemon.engine(t).await? else {
        return Err(Failure::NotConnected(t.id.as_str().to_owned()));
    };
    let Some(feed) = &t.feed else {
        return Err(anyhow::anyhow!(
            "tenant {} has a snapshot store: it sends its entities itself, there is nothing to read",
            t.id
        )
        .into());
    };
    match engine.finish_reactivations().await {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(tenant = %t.id, names = n, "made names inactive again that an interrupted order write had left active");
        }
        Err(e) => {
            tracing::warn!(tenant = %t.id, error = %e.message(), "could not make names inactive again; serve tries every minute");
        }
    }
    let queued = enqueue_store(&t.id, feed, daemon.store.as_ref(), options).await?;
    let total: usize = queued.values().sum();
    let bar = if let Some(bars) = bars {
        let bar = bars.add(indicatif::ProgressBar::new(total as u64));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix} [{bar:40}] {pos}/{len} {msg} ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(format!("exporting {}", t.id));
        Some(bar)
    } else {
        None
    };
    let on_progress = |p: Progress| {
        if let Some(bar) = &bar {
            let outstanding = usize::try_from(p.outstanding).unwrap_or(usize::MAX);
            bar.set_position(total.saturating_sub(outstanding) as u64);
            if p.errors > 0 {
                bar.set_message(format!("{} in error", p.errors));
            }
        }
    };
    let config = &daemon.config.worker;
    let queue: Arc<dyn sync_queue::JobQueue> = daemon.store.clone();
    let report = drain(
        engine,
        queue.clone(),
        config.concurrency,
        WorkerSettings {
            claim_batch: config.claim_batch,
            parallel: config.claim_batch,
            lease: config.lease(),
            idle_wait: Duration::from_millis(500),
        },
        Duration::from_secs(120),
        &on_progress,
    )
    .await?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let stats = queue.stats(&Scope::Tenant(t.id.clone())).await?;
    let mut errors = std::collections::BTreeMap::new();
    for ((status, kind), n) in &stats.counts {
        if *status == JobStatus::Error {
            *errors.entry(*kind).or_insert(0) += n;
        }
    }
    let later = stats.count(JobStatus::Retry);
    let mut linked = std::collections::BTreeMap::new();
    for kind in EntityKind::ALL {
        let mut after = None;
        let mut n = 0;
        loop {
            let page = daemon
                .store
                .list_links(&t.id, Some(kind), after.as_ref(), 1000)
                .await?;
            n += page.len();
            match page.last() {
                Some(last) if page.len() == 1000 => {
                    after = Some(sync_queue::LinkCursor {
                        kind: last.entity.kind,
                        store_id: last.entity.store_id.clone(),
                    });
                }
                _ => break,
            }
        }
        linked.insert(kind, n);
    }
    Ok(Summary {
        tenant: t.id.as_str().to_owned(),
        queued,
        linked,
        errors,
        report,
        later,
        elapsed: started.elapsed(),
    })
}

/// Prints an export's summary table.
pub fn print_summary(s: &Summary) {
    println!();
    println!(
        "tenant {}: exported in {:.1} s",
        s.tenant,
        s.elapsed.as_secs_f64()
    );
    println!(
        "  {:<10} {:>8} {:>10} {:>9}",
        "kind", "queued", "in QBO", "in error"
    );
    for kind in EntityKind::ALL {
        let queued = s.queued.get(&kind).copied().unwrap_or(0);
        let linked = s.linked.get(&kind).copied().unwrap_or(0);
        let errors = s.errors.get(&kind).copied().unwrap_or(0);
        if queued == 0 && linked == 0 && errors == 0 {
            continue;
        }
        println!(
            "  {:<10} {queued:>8} {linked:>10} {errors:>9}",
            kind.as_str()
        );
    }
    let r = &s.report;
    println!(
        "  pushed: {} created, {} updated, {} unchanged (no QBO call), {} removed, {} skipped, {} failed",
        r.created, r.updated, r.unchanged, r.removed, r.skipped, r.failed
    );
    if s.later > 0 {
        println!(
            "  {} jobs wait for a retry later; `qbo-sync serve` runs them",
            s.later
        );
    }
    if s.errors.values().sum::<u64>() > 0 {
        println!("  jobs in error keep QBO's reason; see the queue (`qbo-sync serve` logs them)");
    }
}
