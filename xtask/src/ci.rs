//! `cargo xtask ci`: CI's checks, in CI's order, stopping at the first failure.

use std::ffi::OsString;
use std::process::Command;

use anyhow::Context as _;

/// One CI step.
enum Step {
    /// A cargo command, given by its arguments.
    Cargo(&'static [&'static str]),
    /// `cargo xtask schema --check`, run in-process.
    SchemaCheck,
}

/// The steps, in order.
const STEPS: &[Step] = &[
    Step::Cargo(&["fmt", "--all", "--", "--check"]),
    Step::Cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]),
    Step::SchemaCheck,
    Step::Cargo(&["test", "--workspace", "--all-features"]),
];

impl Step {
    /// The command line shown in the step's header and in the failure message.
    fn title(&self) -> String {
        match self {
            Step::Cargo(args) => format!("cargo {}", args.join(" ")),
            Step::SchemaCheck => "cargo xtask schema --check".to_owned(),
        }
    }
}

/// Runs every step; the error names the first step that failed.
pub fn run() -> anyhow::Result<()> {
    let root = crate::workspace_root()?;
    // Under `cargo run`, `$CARGO` is the cargo that started us.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let total = STEPS.len();
    for (i, step) in STEPS.iter().enumerate() {
        let title = step.title();
        println!();
        println!("==> [{}/{total}] {title}", i + 1);
        match step {
            Step::Cargo(args) => {
                let status = Command::new(&cargo)
                    .args(*args)
                    .current_dir(&root)
                    .status()
                    .with_context(|| format!("CI step `{title}` could not be started"))?;
                if !status.success() {
                    anyhow::bail!("CI step `{title}` failed ({status})");
                }
            }
            Step::SchemaCheck => {
                crate::schema::run(true).with_context(|| format!("CI step `{title}` failed"))?;
            }
        }
    }
    println!();
    println!("==> all {total} CI steps passed");
    Ok(())
}
