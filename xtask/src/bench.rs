//! `cargo xtask bench <target>`: benchmark targets.
//!
//! Each target is a `harness = false` bench binary of the crate it measures, built in the
//! bench profile and run here; it prints its own table, with figures as ratios against a
//! baseline measured in the same run.

use std::process::Command;

use anyhow::{Context as _, bail};

/// The targets: name, package, bench binary, what it measures.
const TARGETS: &[(&str, &str, &str, &str)] = &[
    (
        "client",
        "qbo-api",
        "client",
        "create, query-page and batch calls through qbo-api vs bare reqwest on a local server",
    ),
    (
        "queue",
        "sync-queue",
        "queue",
        "enqueue_many → claim (batch 1 and 32) → ack_many with 1 and 8 workers on SQLite and PostgreSQL through sync-queue vs bare sqlx running the same statements, and bulk enqueue vs a bare multi-row INSERT (--explain: the plans on every database)",
    ),
    (
        "cscart",
        "cscart-api",
        "cscart",
        "a full scan of 100,000 products and 20,000 orders from the CS-Cart stand-in through cscart-api vs bare reqwest + serde_json::Value: items per second and peak memory",
    ),
    (
        "sync",
        "sync-daemon",
        "sync",
        "a qbo-sync child process exporting into qbo-sandbox with QBO's limits and 150 ms answers: entities a minute as a share of the ceiling (460 singles + 40 batches of 30 a minute) vs a serial one-call-per-entity baseline, CPU µs per entity and peak RSS, 20 tenants at once, RSS with 100,000 jobs queued",
    ),
    (
        "sandbox",
        "qbo-sandbox",
        "sandbox",
        "customer creates per second through qbo-sandbox (limits off) vs a bare axum server answering the same JSON",
    ),
];

/// Runs the benchmark `target` (extra arguments such as `--quick` are passed on).
pub fn run(target: &str, args: &[String]) -> anyhow::Result<()> {
    let Some((_, package, bench, _)) = TARGETS.iter().find(|(name, ..)| *name == target) else {
        let known: Vec<String> = TARGETS
            .iter()
            .map(|(n, _, _, what)| format!("  {n}: {what}"))
            .collect();
        bail!(
            "unknown bench target `{target}`; known targets:\n{}",
            known.join("\n")
        );
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args([
            "bench",
            "--package",
            package,
            "--all-features",
            "--bench",
            bench,
            "--",
        ])
        .args(args)
        .current_dir(crate::workspace_root()?)
        .status()
        .context("could not start cargo bench")?;
    if !status.success() {
        bail!("bench `{target}` failed ({status})");
    }
    Ok(())
}
