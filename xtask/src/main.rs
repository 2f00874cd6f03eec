//! `cargo xtask`: the project's developer workflows.
//!
//! * `cargo xtask ci` runs every check CI runs, in CI's order.
//! * `cargo xtask schema [--check]` regenerates (or checks) the committed table of QBO
//!   element names in `crates/qbo-api/src/schema/table.rs` from Intuit's XSDs.
//! * `cargo xtask bench <target>` runs a benchmark target.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod ci;
mod schema;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

/// Developer workflows for qbo-sync.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
struct Cli {
    /// The workflow to run.
    #[command(subcommand)]
    command: Command,
}

/// The workflows.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run CI's checks in order: fmt, clippy, schema --check, test. Stops at the first
    /// failure.
    Ci,
    /// Regenerate crates/qbo-api/src/schema/table.rs from the QBO XSDs
    /// (`../shared/qbo-schema` next to the workspace, or `$QBO_SCHEMA_DIR`).
    Schema {
        /// Do not write: fail if the committed table differs from a fresh generation.
        /// Skipped (success) when the schema directory is missing.
        #[arg(long)]
        check: bool,
    },
    /// Run a benchmark target.
    Bench {
        /// The benchmark target to run (`client`).
        target: String,
        /// Arguments for the benchmark itself (e.g. `--quick`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ci => ci::run(),
        Command::Schema { check } => schema::run(check),
        Command::Bench { target, args } => bench::run(&target, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line, without a backtrace.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> anyhow::Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .context("the xtask manifest directory has no parent directory")
}
