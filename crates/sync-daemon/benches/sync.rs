//! `cargo xtask bench sync`: the daemon exporting a store into QBO's limits.
//!
//! qbo-sandbox (QBO's limits on: 500 requests, 40 batch requests a minute, 10 in flight;
//! 150 ms added to every answer) and CS-Cart stand-ins run in this process; the daemon is
//! a real `qbo-sync` child process on its own database, so its CPU time (rusage) and peak
//! RSS (`VmHWM`) are its own. Runs, all in one go:
//!
//! 1. **one tenant**: `qbo-sync export` of a generated store. Entities a minute as a share
//!    of the ceiling the limits allow: 460 single calls plus 40 batches of 30 a minute
//!    (1,660 writes; orders are sales receipts, one write each), and of the most the
//!    sliding windows allow in the run's time (the windows start empty, so a run of
//!    2.5 minutes may use three windows' worth). CPU µs and peak RSS per entity.
//! 2. **serial baseline**, the reference add-on's way: the same daemon with one worker,
//!    one job at a time and no batches (one call per entity), stopped after 60 s.
//! 3. **20 tenants at once**: one `qbo-sync export` of 20 tenants (each its own QBO
//!    company and store).
//! 4. **backlog**: a store of 100,000 entities queued by `qbo-sync export`, which then works
//!    on it for a while: peak RSS with that many jobs queued.
//!
//! Options: `--quick` (small sizes, 20 s baseline), `--skip-baseline`, `--skip-tenants`,
//! `--skip-backlog`, `--entities N` (one tenant's store, about), `--tenants N`,
//! `--backlog N`, `--postgres` (the database at `QBO_SYNC_TEST_POSTGRES_URL` instead of an
//! SQLite file).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    clippy::too_many_lines
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use cscart_api::stand_in::{Generate, StandIn, StandInConfig};
use mapping::config::OrderDocumentKind;
use nix::sys::resource::{UsageWho, getrusage};
use qbo_sandbox::{Latency, Sandbox, SandboxConfig};
use sync_daemon::config::Config;
use sync_daemon::playground::{connect_and_prepare, tenant_config};
use sync_daemon::runtime::Daemon;
use sync_queue::{JobQueue, JobStatus, Scope, SeaOrmStore};

/// QBO's limits: requests and batches a minute, writes per batch.
const REQUESTS: f64 = 500.0;
const BATCHES: f64 = 40.0;
const BATCH_SIZE: f64 = 30.0;
const LATENCY: Duration = Duration::from_millis(150);

/// Writes a minute the limits allow: every batch slot full, the other requests single.
fn ceiling_per_minute() -> f64 {
    (REQUESTS - BATCHES) + BATCHES * BATCH_SIZE
}

#[derive(Debug, Clone)]
struct Args {
    quick: bool,
    entities: usize,
    tenants: usize,
    tenant_entities: usize,
    backlog: usize,
    baseline_secs: u64,
    backlog_secs: u64,
    skip_baseline: bool,
    skip_tenants: bool,
    skip_backlog: bool,
    postgres: bool,
}

fn args() -> anyhow::Result<Args> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let quick = raw.iter().any(|a| a == "--quick");
    let mut args = Args {
        quick,
        entities: if quick { 700 } else { 4_000 },
        tenants: 20,
        tenant_entities: if quick { 120 } else { 500 },
        backlog: if quick { 10_000 } else { 100_000 },
        baseline_secs: if quick { 20 } else { 60 },
        backlog_secs: if quick { 10 } else { 30 },
        skip_baseline: false,
        skip_tenants: false,
        skip_backlog: false,
        postgres: false,
    };
    let mut it = raw.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> anyhow::Result<usize> {
            it.next()
                .with_context(|| format!("{name} needs a number"))?
                .parse()
                .with_context(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--quick" | "--bench" => {}
            "--entities" => args.entities = number("--entities")?,
            "--tenants" => args.tenants = number("--tenants")?,
            "--backlog" => args.backlog = number("--backlog")?,
            "--skip-baseline" => args.skip_baseline = true,
            "--skip-tenants" => args.skip_tenants = true,
            "--skip-backlog" => args.skip_backlog = true,
            "--postgres" => args.postgres = true,
            other => anyhow::bail!("unknown option {other}"),
        }
    }
    Ok(args)
}

/// A store of about `n` entities: categories, products, customers and orders.
fn store_of(n: usize) -> Generate {
    Generate {
        categories: (n / 100).clamp(3, 60),
        products: n * 35 / 100,
        users: n * 25 / 100,
        orders: n * 40 / 100,
        vendors: 0,
    }
}

fn sandbox() -> SandboxConfig {
    let mut config = SandboxConfig::default();
    config.settings.chaos.latency = Some(Latency::fixed(LATENCY));
    config
}

/// A database for one run.
async fn database(
    args: &Args,
    dir: &Path,
    name: &str,
) -> anyhow::Result<(String, Option<test_db::TestDb>)> {
    if args.postgres {
        let db = test_db::TestDb::new(test_db::Backend::Postgres).await;
        Ok((db.url().to_owned(), Some(db)))
    } else {
        Ok((
            format!(
                "sqlite://{}?mode=rwc",
                dir.join(format!("{name}.db")).display()
            ),
            None,
        ))
    }
}

/// Connects each tenant of `config` to its own sandbox company, readies it, and writes the
/// configuration for the child. Returns the realms, by tenant.
async fn prepare(
    mut config: Config,
    realms: &[(String, String)],
    path: &Path,
) -> anyhow::Result<()> {
    let mut daemon = Daemon::open(config.clone()).await?;
    for (tenant, realm) in realms {
        let (_, mut mapping) = connect_and_prepare(&mut daemon, tenant, Some(realm)).await?;
        mapping.order.document = OrderDocumentKind::SalesReceipt;
        config.tenants.get_mut(tenant).context("tenant")?.mapping = mapping;
    }
    drop(daemon);
    std::fs::write(path, toml::to_string(&config)?)?;
    Ok(())
}

/// QBO entities the export made in `realm` (the prepared shipping item left out).
fn made(sandbox: &Sandbox, realm: &str) -> usize {
    ["Customer", "Item", "SalesReceipt"]
        .iter()
        .map(|e| sandbox.entities(realm, e).map(|v| v.len()).unwrap_or(0))
        .sum::<usize>()
        .saturating_sub(1)
}

/// What one child process did.
#[derive(Debug, Clone, Copy)]
struct Run {
    wall: Duration,
    cpu: Duration,
    peak_rss_kb: u64,
}

fn children_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
    };
    tv(usage.user_time()) + tv(usage.system_time())
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn qbo_sync(config: &Path, args: &[&str], log: &Path) -> anyhow::Result<Child> {
    let log = std::fs::File::create(log)?;
    Ok(Command::new(env!("CARGO_BIN_EXE_qbo-sync"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("QBO_SYNC_LOG", "warn")
        .stdout(log.try_clone()?)
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()?)
}

/// Waits for `child`, sampling its peak RSS; `stop` (checked between samples) asks it to
/// stop with SIGTERM.
async fn watch(mut child: Child, mut stop: impl FnMut() -> bool) -> anyhow::Result<Run> {
    let cpu_before = children_cpu();
    let started = Instant::now();
    let mut peak = 0;
    let mut asked = false;
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() && !asked {
                anyhow::bail!("qbo-sync failed: {status}");
            }
            break;
        }
        if let Some(kb) = peak_rss_kb(child.id()) {
            peak = peak.max(kb);
        }
        if !asked && stop() {
            asked = true;
            let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id())?);
            nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM)?;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(Run {
        wall: started.elapsed(),
        cpu: children_cpu().saturating_sub(cpu_before),
        peak_rss_kb: peak,
    })
}

/// The most writes the sliding windows allow in `wall` from empty windows: a full window's
/// worth at once and at every minute after.
fn windows_allow(wall: Duration) -> f64 {
    let minutes = wall.as_secs_f64() / 60.0;
    ceiling_per_minute() * minutes.ceil().max(1.0)
}

fn tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

async fn one_tenant(args: &Args, dir: &Path) -> anyhow::Result<f64> {
    let sandbox = Sandbox::start(sandbox()).await?;
    let shop = StandIn::start(StandInConfig::default()).await?;
    shop.generate(&store_of(args.entities));
    let (url, _db) = database(args, dir, "one").await?;
    let config = tenant_config(
        &sandbox.base_url(),
        &shop.base_url(),
        shop.email(),
        &url,
        dir,
    );
    let path = dir.join("one.toml");
    prepare(config, &[("demo".to_owned(), "1000001".to_owned())], &path).await?;
    let log = dir.join("one.log");
    let child = qbo_sync(&path, &["export", "--no-progress"], &log)?;
    let run = watch(child, || false).await?;
    let entities = made(&sandbox, "1000001");
    let per_minute = entities as f64 / run.wall.as_secs_f64() * 60.0;
    println!(
        "one tenant, qbo-sync export ({} store entities asked):",
        args.entities
    );
    println!("{}", tail(&log, 9));
    println!(
        "  {entities} QBO entities in {:.1} s: {per_minute:.0} a minute = {:.1}% of the ceiling ({:.0}/min), {:.1}% of what the windows allow in that time ({:.0})",
        run.wall.as_secs_f64(),
        100.0 * per_minute / ceiling_per_minute(),
        ceiling_per_minute(),
        100.0 * entities as f64 / windows_allow(run.wall),
        windows_allow(run.wall),
    );
    println!(
        "  daemon CPU {:.2} s = {:.0} µs per entity; peak RSS {:.1} MB",
        run.cpu.as_secs_f64(),
        run.cpu.as_secs_f64() * 1e6 / entities.max(1) as f64,
        run.peak_rss_kb as f64 / 1024.0
    );
    let c = sandbox.counters();
    println!(
        "  sandbox: {} API requests, {} batches, {} throttled (429)",
        c.api_requests, c.batches, c.throttled
    );
    Ok(per_minute)
}

async fn baseline(args: &Args, dir: &Path) -> anyhow::Result<f64> {
    let sandbox = Sandbox::start(sandbox()).await?;
    let shop = StandIn::start(StandInConfig::default()).await?;
    shop.generate(&store_of(args.entities));
    let (url, _db) = database(args, dir, "serial").await?;
    let mut config = tenant_config(
        &sandbox.base_url(),
        &shop.base_url(),
        shop.email(),
        &url,
        dir,
    );
    config.worker.concurrency = 1;
    config.worker.claim_batch = 1;
    config.worker.batch = false;
    let path = dir.join("serial.toml");
    prepare(config, &[("demo".to_owned(), "2000002".to_owned())], &path).await?;
    let log = dir.join("serial.log");
    let child = qbo_sync(&path, &["export", "--no-progress"], &log)?;
    let until = Instant::now() + Duration::from_secs(args.baseline_secs);
    let run = watch(child, || Instant::now() >= until).await?;
    let entities = made(&sandbox, "2000002");
    let per_minute = entities as f64 / run.wall.as_secs_f64() * 60.0;
    println!(
        "serial baseline (one worker, one job at a time, one call per entity), stopped after {} s:",
        args.baseline_secs
    );
    println!(
        "  {entities} QBO entities in {:.1} s: {per_minute:.0} a minute",
        run.wall.as_secs_f64()
    );
    Ok(per_minute)
}

async fn many_tenants(args: &Args, dir: &Path) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(sandbox()).await?;
    let (url, _db) = database(args, dir, "many").await?;
    let mut shops = Vec::new();
    let mut config: Option<Config> = None;
    let mut realms = Vec::new();
    for n in 0..args.tenants {
        let shop = StandIn::start(StandInConfig::default()).await?;
        shop.generate(&store_of(args.tenant_entities));
        let one = tenant_config(
            &sandbox.base_url(),
            &shop.base_url(),
            shop.email(),
            &url,
            dir,
        );
        let tenant = one.tenants.values().next().context("tenant")?.clone();
        let id = format!("t{n:02}");
        realms.push((id.clone(), format!("{}", 3_000_000 + n)));
        match &mut config {
            Some(c) => {
                c.tenants.insert(id, tenant);
            }
            None => {
                let mut c = one.clone();
                c.tenants.clear();
                c.tenants.insert(id, tenant);
                config = Some(c);
            }
        }
        shops.push(shop);
    }
    let config = config.context("no tenants")?;
    let path = dir.join("many.toml");
    prepare(config, &realms, &path).await?;
    let log = dir.join("many.log");
    let child = qbo_sync(&path, &["export", "--no-progress"], &log)?;
    let run = watch(child, || false).await?;
    let entities: usize = realms.iter().map(|(_, r)| made(&sandbox, r)).sum();
    let per_minute = entities as f64 / run.wall.as_secs_f64() * 60.0;
    let ceiling = ceiling_per_minute() * args.tenants as f64;
    println!(
        "{} tenants at once, one qbo-sync export ({} store entities each asked):",
        args.tenants, args.tenant_entities
    );
    println!(
        "  {entities} QBO entities in {:.1} s: {per_minute:.0} a minute = {:.1}% of {} ceilings ({ceiling:.0}/min), {:.1}% of what the windows allow in that time",
        run.wall.as_secs_f64(),
        100.0 * per_minute / ceiling,
        args.tenants,
        100.0 * entities as f64 / (windows_allow(run.wall) * args.tenants as f64),
    );
    println!(
        "  daemon CPU {:.2} s = {:.0} µs per entity; peak RSS {:.1} MB",
        run.cpu.as_secs_f64(),
        run.cpu.as_secs_f64() * 1e6 / entities.max(1) as f64,
        run.peak_rss_kb as f64 / 1024.0
    );
    Ok(())
}

async fn backlog(args: &Args, dir: &Path) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(sandbox()).await?;
    let shop = StandIn::start(StandInConfig::default()).await?;
    shop.generate(&store_of(args.backlog));
    let (url, _db) = database(args, dir, "backlog").await?;
    let config = tenant_config(
        &sandbox.base_url(),
        &shop.base_url(),
        shop.email(),
        &url,
        dir,
    );
    let path = dir.join("backlog.toml");
    prepare(config, &[("demo".to_owned(), "4000004".to_owned())], &path).await?;
    let store = SeaOrmStore::connect(&url, sync_queue::QueueConfig::default()).await?;
    let log = dir.join("backlog.log");
    let child = qbo_sync(&path, &["export", "--no-progress"], &log)?;
    // Stop once the whole store is queued and the workers had `backlog_secs` on it.
    let most = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let queued_at: std::sync::Arc<std::sync::Mutex<Option<Instant>>> = std::sync::Arc::default();
    let watcher = {
        let most = most.clone();
        let queued_at = queued_at.clone();
        let target = (args.backlog as u64) * 9 / 10;
        tokio::spawn(async move {
            loop {
                if let Ok(stats) = store.stats(&Scope::All).await {
                    let queued = stats.count(JobStatus::Pending)
                        + stats.count(JobStatus::Running)
                        + stats.count(JobStatus::Retry);
                    most.fetch_max(queued, std::sync::atomic::Ordering::Relaxed);
                    if queued >= target {
                        queued_at.lock().unwrap().get_or_insert_with(Instant::now);
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        })
    };
    let secs = Duration::from_secs(args.backlog_secs);
    let run = watch(child, || {
        queued_at
            .lock()
            .unwrap()
            .is_some_and(|at| at.elapsed() >= secs)
    })
    .await?;
    watcher.abort();
    println!(
        "backlog: a store of {} entities queued by qbo-sync export, then {} s of work:",
        args.backlog, args.backlog_secs
    );
    println!(
        "  most jobs queued at once {}; daemon peak RSS {:.1} MB; CPU {:.2} s over {:.1} s",
        most.load(std::sync::atomic::Ordering::Relaxed),
        run.peak_rss_kb as f64 / 1024.0,
        run.cpu.as_secs_f64(),
        run.wall.as_secs_f64()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let tmp = tempfile::tempdir()?;
    let dir: PathBuf = tmp.path().to_owned();
    println!(
        "bench sync{}: QBO's limits (500 requests, 40 batches of 30 a minute, 10 in flight), {} ms per answer; the daemon is a child process",
        if args.quick { " (quick)" } else { "" },
        LATENCY.as_millis()
    );
    let per_minute = one_tenant(&args, &dir).await?;
    if !args.skip_baseline {
        let serial = baseline(&args, &dir).await?;
        println!(
            "  => one tenant vs the serial baseline: {:.1}x ({per_minute:.0} vs {serial:.0} a minute)",
            per_minute / serial.max(1e-9)
        );
    }
    if !args.skip_tenants {
        many_tenants(&args, &dir).await?;
    }
    if !args.skip_backlog {
        backlog(&args, &dir).await?;
    }
    Ok(())
}
