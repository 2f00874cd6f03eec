//! `qbo-sync`: keeps a QuickBooks Online company in step with an online store.
//!
//! Exit codes: 0 done; 1 failed (the message says why); 2 bad command line; 3 bad
//! configuration (the message names the file line and key); 4 a tenant is not connected
//! to QBO (run `qbo-sync connect`); 130 interrupted.

// A command-line program prints its results.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

/// mimalloc: the daemon allocates and frees a JSON body per QBO call.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(args.log_format, args.command.default_log_level());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.message());
            ExitCode::from(e.code())
        }
    }
}
