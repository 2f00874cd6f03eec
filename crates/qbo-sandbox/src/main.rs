//! `qbo-sandbox`: runs the simulator until Ctrl-C and prints its base URL.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use qbo_sandbox::{AfterCommit, Latency, OAuthApp, Sandbox, SandboxConfig};
use secrecy::SecretString;
use tracing_subscriber::EnvFilter;

/// mimalloc: every write builds and frees a JSON object, which it serves markedly faster
/// than the system allocator (built without transparent huge pages: see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A stateful local QuickBooks Online (OAuth and the v3 API subset qbo-sync uses).
#[derive(Debug, Parser)]
#[command(name = "qbo-sandbox", version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8099")]
    listen: SocketAddr,
    /// Seed of the random numbers (tokens, realm ids, chaos draws).
    #[arg(long, default_value_t = 0x5eed_0b0c)]
    seed: u64,
    /// The OAuth client id.
    #[arg(long, default_value = qbo_sandbox::DEFAULT_CLIENT_ID)]
    client_id: String,
    /// The OAuth client secret (kept as a secret: never in `Debug` output).
    #[arg(long, env = "QBO_SANDBOX_CLIENT_SECRET", default_value = qbo_sandbox::DEFAULT_CLIENT_SECRET, hide_env_values = true, hide_default_value = true, value_parser = parse_secret)]
    client_secret: SecretString,
    /// A redirect URL the authorize endpoint accepts (repeat; none accepts any).
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// The company created at start.
    #[arg(long)]
    realm: Option<String>,
    /// Turn QBO's per-realm rate limits off.
    #[arg(long)]
    no_limits: bool,
    /// Access-token life in seconds.
    #[arg(long, default_value_t = 3600)]
    access_token_secs: i64,
    /// Seconds after which a refresh returns a new refresh token (0: every refresh).
    #[arg(long, default_value_t = 86_400)]
    rotation_window_secs: i64,
    /// Seconds a replaced refresh token still works.
    #[arg(long, default_value_t = 0)]
    replaced_grace_secs: i64,
    /// Added latency in milliseconds, `MIN-MAX` or a single value.
    #[arg(long, value_parser = parse_latency)]
    latency_ms: Option<Latency>,
    /// Probability of a 5xx answer before a request is handled.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Probability of a cut connection before a request is handled.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Probability that a write is applied and then answered with a failure.
    #[arg(long, default_value_t = 0.0)]
    fail_after_commit_rate: f64,
    /// How a failure after commit shows: `error` (HTTP 500) or `drop`.
    #[arg(long, default_value = "error", value_parser = parse_after_commit)]
    after_commit: AfterCommit,
}

/// Wraps the client secret at once, so that no `String` copy of it lives in `Args`.
fn parse_secret(value: &str) -> std::result::Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}

fn parse_latency(value: &str) -> Result<Latency> {
    let parse = |s: &str| s.trim().parse::<u64>().map_err(|e| format!("{s:?}: {e}"));
    match value.split_once('-') {
        Some((min, max)) => Ok(Latency {
            min_ms: parse(min)?,
            max_ms: parse(max)?,
        }),
        None => Ok(Latency::fixed(Duration::from_millis(parse(value)?))),
    }
}

fn parse_after_commit(value: &str) -> Result<AfterCommit> {
    match value {
        "error" => Ok(AfterCommit::Error),
        "drop" => Ok(AfterCommit::Drop),
        other => Err(format!("{other:?} is neither error nor drop")),
    }
}

/// The binary reports errors as text.
type Result<T> = std::result::Result<T, String>;

fn rate(name: &str, value: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("--{name} must be between 0 and 1"))
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<()> {
    let mut config = SandboxConfig {
        listen: args.listen,
        seed: args.seed,
        app: OAuthApp {
            client_id: args.client_id,
            client_secret: args.client_secret,
            redirect_uris: args.redirect_uris,
        },
        realm_id: args.realm,
        ..SandboxConfig::default()
    };
    let settings = &mut config.settings;
    settings.limits.enabled = !args.no_limits;
    settings.tokens.access_token_secs = args.access_token_secs;
    settings.tokens.rotation_window_secs = args.rotation_window_secs;
    settings.tokens.replaced_grace_secs = args.replaced_grace_secs;
    settings.chaos.latency = args.latency_ms;
    settings.chaos.error_rate = rate("error-rate", args.error_rate)?;
    settings.chaos.drop_rate = rate("drop-rate", args.drop_rate)?;
    settings.chaos.fail_after_commit_rate =
        rate("fail-after-commit-rate", args.fail_after_commit_rate)?;
    settings.chaos.after_commit = args.after_commit;
    let sandbox = Sandbox::start(config).await.map_err(|e| e.to_string())?;
    #[allow(clippy::print_stdout)]
    {
        println!("qbo-sandbox listening on {}", sandbox.base_url());
        println!("default company (realmId): {}", sandbox.realm_id());
    }
    sandbox.run_until_ctrl_c().await.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_secret_never_shows_in_debug_output() {
        let from_flag = Args::try_parse_from(["qbo-sandbox", "--client-secret", "hunter2-xyzzy"])
            .expect("parses");
        assert!(!format!("{from_flag:?}").contains("hunter2-xyzzy"));
        assert!(!format!("{from_flag:#?}").contains("hunter2-xyzzy"));
        // The default secret is a secret as well.
        let default = Args::try_parse_from(["qbo-sandbox"]).expect("parses");
        assert!(!format!("{default:?}").contains(qbo_sandbox::DEFAULT_CLIENT_SECRET));
    }
}
